-- wrk script for bench/messaging_bench.sh: POST /$process-message with a BaRS referral.
-- The message is read once from $BENCH_MESSAGE_FILE (default bench/data/referral_message.json);
-- every request gets a new Bundle.id, NHS number, X-Request-Id and X-Correlation-Id, so each is
-- a new referral (a repeated X-Request-Id would be a 409 duplicate).
-- Connection: keep-alive is set explicitly: Pistache 0.0.5 closes the connection otherwise.
local path = os.getenv("BENCH_MESSAGE_FILE") or "bench/data/referral_message.json"
local file = assert(io.open(path, "rb"), "cannot open " .. path)
local template = file:read("*a")
file:close()

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_number or 0))
end

local function uuid()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (t:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function request()
  local body = template:gsub("__BUNDLE_ID__", uuid()):gsub("__NHS__",
    tostring(math.random(1000000000, 9999999999)))
  local headers = {
    ["Content-Type"] = "application/fhir+json",
    ["Accept"] = "application/fhir+json; version=1.0.0",
    ["Connection"] = "keep-alive",
    ["X-Request-Id"] = uuid(),
    ["X-Correlation-Id"] = uuid(),
  }
  return wrk.format("POST", "/$process-message", headers, body)
end
