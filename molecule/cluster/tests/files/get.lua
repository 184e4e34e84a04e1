-- wrk script: GETs only (the job list and job pages), for the killed-host test.
local paths = {"/", "/jobs/1/", "/jobs/2/", "/?city=0"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
