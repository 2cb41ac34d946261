-- A mix of what clients ask, cycling: v1 details, v1 bulk lists, v1 connects, CCM details and
-- legs, Fone Get Calls. Sids come from SIDS_FILE; ACCOUNT and EXOPHONE from the environment.
-- wrk counts the answers that are not 2xx or 3xx; the first few 5xx are written to stderr.
local sids = {}
for line in io.lines(os.getenv("SIDS_FILE")) do sids[#sids + 1] = line end
local account = os.getenv("ACCOUNT")
local exophone = os.getenv("EXOPHONE")
local v1 = "/v1/Accounts/" .. account .. "/Calls"
local ccm = "/v2/accounts/" .. account .. "/calls/"
local fone = "/v2/Accounts/" .. account .. "/Calls"
local i, n = 0, 0
local headers, form = {}, {}
local errors = 0
init = function()
  for name, value in pairs(wrk.headers) do headers[name] = value; form[name] = value end
  form["Content-Type"] = "application/x-www-form-urlencoded"
end
local kinds = {
  function(sid) return wrk.format("GET", v1 .. "/" .. sid .. ".json", headers) end,
  function(sid) return wrk.format("GET", v1 .. "/" .. sid .. ".json?details=true", headers) end,
  function(sid) return wrk.format("GET", v1 .. ".json?PageSize=50", headers) end,
  function(sid) return wrk.format("GET", v1 .. ".json?Status=completed&PageSize=20", headers) end,
  function(sid) return wrk.format("GET", ccm .. sid, headers) end,
  function(sid) return wrk.format("GET", ccm .. sid .. "/legs", headers) end,
  function(sid) return wrk.format("GET", fone .. "?Results_Count=20", headers) end,
  function(sid) return wrk.format("GET", v1 .. "/" .. sid .. ".json", headers) end,
  function(sid) return wrk.format("GET", ccm .. sid, headers) end,
  function(sid)
    local body = "From=%2B919999900001&To=%2B919999900002&CallerId=" .. exophone .. "&CustomField=soak"
    return wrk.format("POST", v1 .. "/connect.json", form, body)
  end,
}
-- MIX=reads leaves the connects out, MIX=connects keeps only them (to find which part grows).
local mix = os.getenv("MIX")
if mix == "reads" then table.remove(kinds) elseif mix == "connects" then kinds = {kinds[#kinds]} end
request = function()
  i = i % #sids + 1
  n = n % #kinds + 1
  return kinds[n](sids[i])
end
response = function(status, headers, body)
  if status >= 500 and errors < 5 then
    errors = errors + 1
    io.stderr:write("5xx: " .. status .. " " .. body .. "\n")
  end
end
