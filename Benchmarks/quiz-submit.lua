-- Submissions: each started attempt once, with its answers and a prediction. "acked" counts
-- submissions the server confirmed as recorded (200 with duplicate=false).
package.path = package.path .. ";" .. (os.getenv("BENCH_DIR") or ".") .. "/?.lua;./Benchmarks/?.lua"
local common = require("quiz-common")
local dir = os.getenv("BENCH_DATA")
local work, next_index, acked, failed

function setup(thread) common.setup(thread) end

function init(args)
  local all = common.load(dir .. "/submits.txt")
  local slices = tonumber(os.getenv("BENCH_THREADS") or "2")
  work = {}
  for i = id + 1, #all, slices do work[#work + 1] = all[i] end
  next_index, acked, failed = 0, 0, 0
  acked_file = io.open(dir .. "/acked-" .. id .. ".txt", "w")
end

function request()
  next_index = next_index + 1
  if next_index > #work then wrk.thread:stop() return wrk.format("GET", "/livez") end
  local attempt, token, body = work[next_index]:match("([^\t]+)\t([^\t]+)\t(.+)")
  return wrk.format("POST", "/api/v1/quiz/attempts/" .. attempt .. "/submission",
    { ["X-Participant-Token"] = token, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status == 200 and body:find('"duplicate":false', 1, true) then
    acked = acked + 1
    acked_file:write(body:match('"id":"([^"]+)"') .. "\n")
  elseif status ~= 200 then failed = failed + 1 end
  wrk.thread:set("acked", acked)
  wrk.thread:set("failed", failed)
end

function done(summary, latency, requests) common.report(summary, latency, { "acked", "failed" }) end
