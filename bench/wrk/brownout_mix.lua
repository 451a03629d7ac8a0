-- brownout_mix.lua: scenario 7's viewers. Alternates /healthz and a batch page, request
-- by request (per wrk thread), so one latency distribution covers both.
-- wrk ... -s brownout_mix.lua URL -- PAGE [MODE]   (PAGE: /customers/<c>/batches/<t>)
-- MODE vary (the default): PAGE?lang=hu-HU&r=<thread>-<n>, a different query each time,
--   which the app ignores but which nginx's page cache has never seen, so the app
--   answers every one (from its own cache, once the batch is held);
-- MODE fixed: PAGE?lang=hu-HU every time, which nginx's page cache answers after the first.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local threads = 0
function setup(thread)
   threads = threads + 1
   thread:set("thread_no", threads)
end

local page, mode, n = "/", "vary", 0
function init(args)
   page = args[1] or page
   mode = args[2] or mode
end

function request()
   n = n + 1
   if n % 2 == 1 then
      return wrk.format(nil, "/healthz")
   end
   if mode == "fixed" then
      return wrk.format(nil, page .. "?lang=hu-HU")
   end
   return wrk.format(nil, string.format("%s?lang=hu-HU&r=%d-%d", page, thread_no or 0, n))
end
