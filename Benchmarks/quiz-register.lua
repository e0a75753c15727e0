-- Public registration through the API: each request a new contestant (a phone number of its
-- own, from the thread's id and a counter), the same ward and occupation.
package.path = package.path .. ";" .. (os.getenv("BENCH_DIR") or ".") .. "/?.lua;./Benchmarks/?.lua"
local common = require("quiz-common")
local slug = os.getenv("BENCH_SLUG")
local unit = os.getenv("BENCH_UNIT")
local occupation = os.getenv("BENCH_OCCUPATION") or ""
local counter, registered, refused

function setup(thread) common.setup(thread) end

function init(args)
  counter, registered, refused = 0, 0, 0
end

-- A name may not hold digits: the thread's id and the counter spelt with syllables.
local syllables = { "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga" }
local function spelt(n)
  return (tostring(n):gsub("%d", function(d) return syllables[tonumber(d) + 1] .. " " end):gsub(" $", ""))
end

function request()
  counter = counter + 1
  local phone = string.format("08%d%07d", id + 1, counter)
  local body = string.format(
    '{"fullName":"Thí sinh %s %s","birthDate":"01/02/1990","phone":"%s","unitId":"%s","occupation":"%s","secret":"bi-mat-%d"}',
    spelt(id), spelt(counter), phone, unit, occupation, counter)
  return wrk.format("POST", "/api/v1/quiz/contests/" .. slug .. "/participants", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status == 201 then registered = registered + 1 else refused = refused + 1 end
  wrk.thread:set("registered", registered)
  wrk.thread:set("refused", refused)
end

function done(summary, latency, requests) common.report(summary, latency, { "registered", "refused" }) end
