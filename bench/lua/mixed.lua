-- The cluster test's mix (molecule/cluster/tests/files/mixed.lua): GETs of the job list and job
-- pages, and every tenth request a logged-in POST (switching the session's language, which writes
-- the session row) with the CSRF token. COOKIE, CSRF and ORIGIN come from the environment.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local cookie = os.getenv("COOKIE") or ""
local csrf = os.getenv("CSRF") or ""
local origin = os.getenv("ORIGIN") or "https://localhost:8443"
local paths = {"/", "/jobs/1/", "/jobs/2/", "/jobs/3/", "/?city=0", "/healthz"}
local n = 0

request = function()
  n = n + 1
  if n % 10 == 0 then
    return wrk.format("POST", "/i18n/setlang/", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = cookie,
      ["X-CSRFToken"] = csrf,
      ["Origin"] = origin,
      ["Referer"] = origin .. "/",
    }, "language=" .. ((n % 20 == 0) and "en" or "zh-hans") .. "&next=/")
  end
  return wrk.format("GET", paths[(n % #paths) + 1], {["Cookie"] = cookie})
end
