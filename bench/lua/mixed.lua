-- The cluster test's mix (molecule/cluster/tests/files/mixed.lua, one copy for both): GETs of the
-- job list and job pages, and every tenth request a logged-in POST, with report.lua's headers and
-- JSON summary. COOKIE, CSRF and ORIGIN come from the environment.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")
dofile(dir .. "../../molecule/cluster/tests/files/mixed.lua")
