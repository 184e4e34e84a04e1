-- GETs of the paths in PATHS (comma-separated, default "/"), in turn.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "/", "[^,]+") do
  paths[#paths + 1] = p
end
local n = 0

request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
