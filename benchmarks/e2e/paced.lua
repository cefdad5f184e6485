-- wrk script that paces each connection: after every response it waits PACE_MS milliseconds before
-- the next request, so C connections send about C * 1000 / (PACE_MS + response time) requests/s.
-- wrk's real rate is what it reports; the pace only sets the ceiling.
local pace = tonumber(os.getenv("PACE_MS") or "5")

function delay()
   return pace
end
