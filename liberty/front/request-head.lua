-- The front's check of each connection's first request head, before haproxy's own HTTP parser sees it
-- (liberty/front/haproxy.cfg.template). haproxy 2.6 answers the requests its parser refuses (HTTP/0.9, a head too
-- long for its buffer, too many header lines) with its built-in HTML page whatever errorfile says; this check
-- answers them first, with OSMS's error document, echoing nothing of the request.

local MAX_HEAD = 14336       -- bytes of request line and headers of the first request of a connection
local MAX_LINES = 100        -- header lines: haproxy's tune.http.maxhdr (101, the request line counted)
local MAX_URI = 8192         -- bytes of the request target
local HEAD_SECONDS = 10      -- the whole head within this time (the service's promise, docs/protocol.md "Errors")

local function refuse(txn, status, reason, code, message)
  local body = '{"error":"' .. code .. '","message":"' .. message .. '"}'
  txn.res:send("HTTP/1.1 " .. status .. " " .. reason .. "\r\n"
    .. "Content-Type: application/json\r\nContent-Length: " .. #body .. "\r\n"
    .. "Cache-Control: no-store\r\nConnection: close\r\n\r\n" .. body)
  txn:done()
end

local function malformed(txn)
  refuse(txn, 400, "Bad Request", "bad_request", "The request is malformed.")
end

-- Waits for more of the head (the action runs again when data arrives), at most HEAD_SECONDS in all.
local function wait(txn, started)
  if core.now().sec - started >= HEAD_SECONDS then
    return refuse(txn, 408, "Request Timeout", "request_timeout", "The request did not arrive in time.")
  end
  return act.YIELD
end

core.register_action("osms_request_head", { "tcp-req" }, function(txn)
  local started = txn:get_priv()
  if started == nil then
    started = core.now().sec
    txn:set_priv(started)
  end
  -- A later request of a keep-alive connection arrives in HTTP mode, where the raw channel cannot be read (haproxy
  -- would log an alert): it is checked by the rules of haproxy.cfg.template's backend instead.
  local readable, raw = pcall(function() return txn.req:dup() end)
  if not readable then
    return act.CONTINUE
  end
  local data = raw or ""
  local head_end = data:find("\r\n\r\n", 1, true)
  -- Every line ends with CRLF: a bare LF would end a line for haproxy's lenient parser and not be counted below.
  -- Refused as soon as it is here, so that a head ending in bare LFs does not wait for a CRLF until the deadline.
  local head = head_end and data:sub(1, head_end + 1) or data
  if head:find("^\n") or head:find("[^\r]\n") then
    return malformed(txn)
  end
  local line_end = data:find("\r\n", 1, true)
  if line_end == nil then
    if #data > MAX_URI + 64 then
      return refuse(txn, 414, "URI Too Long", "uri_too_long", "The request target is too long.")
    end
    return wait(txn, started)
  end
  -- HTTP/1.0 or 1.1 only: an HTTP/0.9 request line has no version, and the answer to it would have no head
  local method, target = data:sub(1, line_end - 1):match("^([A-Z]+) ([!-~]+) HTTP/1%.[01]$")
  if method == nil then
    return malformed(txn)
  end
  if #target > MAX_URI then
    return refuse(txn, 414, "URI Too Long", "uri_too_long", "The request target is too long.")
  end
  if head_end == nil then
    if #data >= MAX_HEAD then
      return refuse(txn, 431, "Request Header Fields Too Large", "headers_too_large",
        "The request headers are too large.")
    end
    return wait(txn, started)
  end
  if head_end + 3 > MAX_HEAD then
    return refuse(txn, 431, "Request Header Fields Too Large", "headers_too_large",
      "The request headers are too large.")
  end
  local lines = 0
  for _ in data:sub(line_end + 2, head_end + 1):gmatch("\r\n") do
    lines = lines + 1
  end
  if lines > MAX_LINES then
    return refuse(txn, 431, "Request Header Fields Too Large", "headers_too_large",
      "The request has too many header lines.")
  end
  return act.CONTINUE
end)
