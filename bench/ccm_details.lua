-- Cycles through call Sids read from SIDS_FILE; each request is one call's CCM v2 details
-- (no suffix: DETAILS_PREFIX is /v2/accounts/<sid>/calls/).
local sids = {}
for line in io.lines(os.getenv("SIDS_FILE")) do sids[#sids + 1] = line end
local prefix = os.getenv("DETAILS_PREFIX")
local i = 0
request = function()
  i = i % #sids + 1
  return wrk.format("GET", prefix .. sids[i])
end
