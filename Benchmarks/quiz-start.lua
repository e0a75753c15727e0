-- Attempt starts: each participant token once; a thread stops when its slice is used up.
package.path = package.path .. ";" .. (os.getenv("BENCH_DIR") or ".") .. "/?.lua;./Benchmarks/?.lua"
local common = require("quiz-common")
local dir = os.getenv("BENCH_DATA")
local round = io.open(dir .. "/round"):read("*l")
local tokens, next_index, last, started, failed

function setup(thread) common.setup(thread) end

function init(args)
  local all = common.load(dir .. "/starts.txt")
  local slices = tonumber(os.getenv("BENCH_THREADS") or "2")
  tokens = {}
  for i = id + 1, #all, slices do tokens[#tokens + 1] = all[i] end
  next_index, started, failed = 0, 0, 0
end

function request()
  next_index = next_index + 1
  if next_index > #tokens then wrk.thread:stop() return wrk.format("GET", "/livez") end
  return wrk.format("POST", "/api/v1/quiz/rounds/" .. round .. "/attempts",
    { ["X-Participant-Token"] = tokens[next_index], ["Content-Type"] = "application/json" }, "")
end

function response(status, headers, body)
  if status == 201 or status == 200 then started = started + 1 else failed = failed + 1 end
  wrk.thread:set("started", started)
  wrk.thread:set("failed", failed)
end

function done(summary, latency, requests) common.report(summary, latency, { "started", "failed" }) end
