-- wrk script: POST the event in the file named by the EVENT environment variable, as Falcosidekick does.
local f = assert(io.open(os.getenv("EVENT") or "bench/event.json", "r"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
