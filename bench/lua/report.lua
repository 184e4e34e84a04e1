-- Loaded by the other scripts: request headers from the environment, and a done() that prints the
-- run's totals, error counts and full latency histogram as one JSON line ("WRKJSON {...}") for
-- bench/djbench to parse. wrk counts non-2xx/3xx answers in errors.status.
local host = os.getenv("HOST_HEADER")
if host and host ~= "" then
  wrk.headers["Host"] = host
end
local proto = os.getenv("FORWARDED_PROTO")
if proto and proto ~= "" then
  wrk.headers["X-Forwarded-Proto"] = proto
end

done = function(summary, latency, requests)
  local e = summary.errors
  local out = {
    string.format('"requests":%d,"duration_us":%d,"bytes":%d', summary.requests,
      summary.duration, summary.bytes),
    string.format('"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d', e.connect,
      e.read, e.write, e.status, e.timeout),
  }
  local hist = {}
  for i = 1, #latency do
    local value, count = latency(i)
    hist[#hist + 1] = string.format("[%d,%d]", value, count)
  end
  out[#out + 1] = '"hist_us":[' .. table.concat(hist, ",") .. "]"
  io.write("WRKJSON {" .. table.concat(out, ",") .. "}\n")
end
