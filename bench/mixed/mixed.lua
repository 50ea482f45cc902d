-- wrk script for bench/mixed/run.sh: the mixed CRUD load of the public FHIR server comparisons,
-- on Patient and Observation (half each): create 10 %, read 60 %, update 25 %, delete 5 %.
--
-- Reads and updates go to the preloaded ids mx-p-1..N and mx-o-1..N (MIX_ROWS). Deletes go to
-- ids preloaded for deleting, mx-pd-K and mx-od-K, each used once: thread t of T takes
-- K = MIX_DELETE_FROM + t, + T, + 2T, ... (a warm-up and the measurement get disjoint ranges).
-- done() prints the requests sent of each kind ("sent <kind> <count>") and the answers of each
-- status ("status <code> <count>"), for run.sh. (A thread's connections answer in any order, so
-- an answer is counted by its status, not matched to its request's kind.)
local rows = tonumber(os.getenv("MIX_ROWS") or "1000")
local deleteFrom = tonumber(os.getenv("MIX_DELETE_FROM") or "1")
local dir = os.getenv("MIX_DIR") or "bench/mixed"

local function slurp(name)
  local f = assert(io.open(dir .. "/" .. name, "rb"), "cannot open " .. dir .. "/" .. name)
  local s = f:read("*a")
  f:close()
  return (s:gsub("%s+$", ""))
end
local bodies = { Patient = slurp("patient.json"), Observation = slurp("observation.json") }
local short = { Patient = "p", Observation = "o" }

local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  nthreads = counter
  deletes = 0
  statuses = {}
  sent = {}
  math.randomseed(os.time() + tid * 7919)
end

local headers = { ["Content-Type"] = "application/fhir+json", ["Accept"] = "application/fhir+json",
                  ["Connection"] = "keep-alive" }

local function withId(type, id)
  return (bodies[type]:gsub('"id":"ID"', '"id":"' .. id .. '"', 1))
end

function request()
  local type = math.random(2) == 1 and "Patient" or "Observation"
  local r = math.random(100)
  local kind, req
  if r <= 10 then
    kind = "create"
    req = wrk.format("POST", "/" .. type, headers, (bodies[type]:gsub('"id":"ID",', "", 1)))
  elseif r <= 70 then
    kind = "read"
    req = wrk.format("GET", "/" .. type .. "/mx-" .. short[type] .. "-" .. math.random(rows), headers)
  elseif r <= 95 then
    kind = "update"
    local id = "mx-" .. short[type] .. "-" .. math.random(rows)
    req = wrk.format("PUT", "/" .. type .. "/" .. id, headers, withId(type, id))
  else
    kind = "delete"
    local k = deleteFrom + tid + deletes * nthreads
    deletes = deletes + 1
    req = wrk.format("DELETE", "/" .. type .. "/mx-" .. short[type] .. "d-" .. k, headers)
  end
  sent[kind] = (sent[kind] or 0) + 1
  return req
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local byStatus, byKind = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do byStatus[k] = (byStatus[k] or 0) + v end
    for k, v in pairs(t:get("sent")) do byKind[k] = (byKind[k] or 0) + v end
  end
  for k, v in pairs(byKind) do io.write("sent " .. k .. " " .. v .. "\n") end
  for k, v in pairs(byStatus) do io.write("status " .. k .. " " .. v .. "\n") end
end
