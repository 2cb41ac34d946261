-- Cycles through call Sids read from the file named by SIDS_FILE; each request is one call's details.
local sids = {}
local path = os.getenv("SIDS_FILE")
for line in io.lines(path) do sids[#sids + 1] = line end
local prefix = os.getenv("DETAILS_PREFIX")
local i = 0
request = function()
  i = i % #sids + 1
  return wrk.format("GET", prefix .. sids[i] .. ".json")
end
