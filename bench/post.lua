-- wrk script: POST the event in the file named by the EVENT environment variable, as Falcosidekick does.
local f = assert(io.open(os.getenv("EVENT") or "bench/event.json", "r"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

-- PODS=n (n > 1): the requests cycle through n copies of the event, each naming its own pod (k8s.pod.name gets the
-- suffix -1 ... -n), as the events of a node's pods do; Talon's workers take a pod's events in order, one at a time
local pods = tonumber(os.getenv("PODS") or "1")
if pods > 1 then
  local requests = {}
  local n = 0
  -- built in init, once wrk has set the Host header (an HTTP/1.1 request without one is answered 400)
  init = function(args)
    for i = 1, pods do
      local b = body:gsub('("k8s%.pod%.name"%s*:%s*"[^"]*)"', '%1-' .. i .. '"', 1)
      requests[i] = wrk.format("POST", nil, {["Host"] = wrk.headers["Host"] or wrk.host,
        ["Content-Type"] = "application/json"}, b)
    end
  end
  request = function()
    n = n % pods + 1
    return requests[n]
  end
end

-- DELAY_MS=d: each connection waits d ms before each request, for a rough offered rate (connections x 1000 / d per
-- second, less the round trips) instead of as fast as Talon answers
local pause = tonumber(os.getenv("DELAY_MS") or "0")
if pause > 0 then
  delay = function()
    return pause
  end
end
