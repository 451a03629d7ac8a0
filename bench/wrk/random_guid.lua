-- random_guid.lua: every request a different tracking GUID, so no cache can help.
-- wrk ... -s random_guid.lua URL -- PREFIX   (PREFIX: the path before the GUID,
-- e.g. /customers/<customer>/batches/). GUIDs: 8 random hex digits (never
-- bbbbbbbb-/dddd...: those are the fake's special batches), then the thread
-- number and a per-thread counter, so no two requests of a run repeat one.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local threads = 0
function setup(thread)
   threads = threads + 1
   thread:set("thread_no", threads)
end

local prefix, n = "/", 0
function init(args)
   prefix = args[1] or prefix
   math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919 + math.floor(os.clock() * 1e6))
end

function request()
   n = n + 1
   local path = string.format("%s%08x-%04x-4%03x-a%03x-%04x%08x", prefix,
      math.random(0x10000000, 0x7fffffff), math.random(0, 0xffff),
      math.random(0, 0xfff), (thread_no or 0) % 0x1000,
      math.floor(n / 0x100000000) % 0x10000, n % 0x100000000)
   return wrk.format(nil, path)
end
