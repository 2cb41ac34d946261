-- POSTs Calls/connect.json with a form body; numbers cycle over the magic test numbers.
local prefix = os.getenv("CONNECT_PATH")
local exophone = os.getenv("EXOPHONE")
local numbers = {"%2B919999900001", "%2B919999900002", "%2B919999900003", "%2B919999900005"}
local i = 0
-- wrk.format replaces wrk.headers (the -H options, Authorization among them) when given a table.
local headers = {}
init = function()
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end
request = function()
  i = i % #numbers + 1
  local body = "From=%2B919999900001&To=" .. numbers[i] .. "&CallerId=" .. exophone ..
    "&CustomField=bench&StatusCallbackEvents[0]=terminal"
  return wrk.format("POST", prefix, headers, body)
end
local reported = false
response = function(status, headers, body)
  if status ~= 200 and not reported then
    reported = true
    io.stderr:write("first error response: " .. status .. " " .. body .. "\n")
  end
end
