-- Shared by the quiz benchmark scripts: per-thread slices of a work file, counters, report.
local M = {}
local threads = {}
local counter = 0

function M.load(path)
  local lines = {}
  for line in io.lines(path) do if #line > 0 then lines[#lines + 1] = line end end
  return lines
end

function M.setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

function M.report(summary, latency, labels)
  local totals = {}
  for _, label in ipairs(labels) do totals[label] = 0 end
  for _, thread in ipairs(threads) do
    for _, label in ipairs(labels) do totals[label] = totals[label] + (thread:get(label) or 0) end
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_s=%.2f socket_errors=%d timeouts=%d non2xx=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f",
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write, e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  for _, label in ipairs(labels) do io.write(string.format(" %s=%d", label, totals[label])) end
  io.write("\n")
end

return M
