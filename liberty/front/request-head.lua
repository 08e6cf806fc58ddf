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

-- The action runs again each time more of the head arrives. Each run reads and scans only the bytes that arrived
-- since the one before (and the three before them, where a CRLF CRLF may begin), so that a head trickled in small
-- pieces costs the front its length once, not its length once per piece.
core.register_action("osms_request_head", { "tcp-req" }, function(txn)
  local s = txn:get_priv()
  if s == nil then
    -- seen: bytes scanned; tail: the last three of them; newlines: LFs of the head so far (every one ends a line);
    -- line_end: where the request line ends, once known
    s = { started = core.now().sec, seen = 0, tail = "", newlines = 0, line_end = nil }
    txn:set_priv(s)
  end
  -- A later request of a keep-alive connection arrives in HTTP mode, where the raw channel cannot be read (haproxy
  -- would log an alert): it is checked by the rules of haproxy.cfg.template's backend instead. Reading one byte
  -- tells: Channel.data raises in HTTP mode, where Channel.input does not.
  local readable, size = pcall(function()
    txn.req:data(0, 1)
    return txn.req:input()
  end)
  if not readable then
    return act.CONTINUE
  end
  if size <= s.seen then
    return wait(txn, s.started)
  end
  local chunk = s.tail .. txn.req:data(s.seen, size - s.seen)
  local base = s.seen - #s.tail -- bytes of the head before chunk
  local found = chunk:find("\r\n\r\n", 1, true)
  local head_end = found and base + found or nil -- where the empty line's CRLF begins, counted from 1
  -- Every line ends with CRLF: a bare LF would end a line for haproxy's lenient parser and not be counted below.
  -- Refused as soon as it is here, so that a head ending in bare LFs does not wait for a CRLF until the deadline.
  local head = found and chunk:sub(1, found + 1) or chunk
  if (base == 0 and head:find("^\n")) or head:find("[^\r]\n") then
    return malformed(txn)
  end
  for _ in head:sub(#s.tail + 1):gmatch("\n") do
    s.newlines = s.newlines + 1
  end
  s.seen = size
  s.tail = chunk:sub(-3)
  if s.line_end == nil then
    local cr = chunk:find("\r\n", 1, true)
    if cr == nil then
      if size > MAX_URI + 64 then
        return refuse(txn, 414, "URI Too Long", "uri_too_long", "The request target is too long.")
      end
      return wait(txn, s.started)
    end
    s.line_end = base + cr
    -- HTTP/1.0 or 1.1 only: an HTTP/0.9 request line has no version, and the answer to it would have no head
    local method, target = txn.req:data(0, s.line_end - 1):match("^([A-Z]+) ([!-~]+) HTTP/1%.[01]$")
    if method == nil then
      return malformed(txn)
    end
    if #target > MAX_URI then
      return refuse(txn, 414, "URI Too Long", "uri_too_long", "The request target is too long.")
    end
  end
  -- header lines: the LFs of the head but the request line's
  if s.newlines - 1 > MAX_LINES then
    return refuse(txn, 431, "Request Header Fields Too Large", "headers_too_large",
      "The request has too many header lines.")
  end
  if head_end == nil then
    if size >= MAX_HEAD then
      return refuse(txn, 431, "Request Header Fields Too Large", "headers_too_large",
        "The request headers are too large.")
    end
    return wait(txn, s.started)
  end
  if head_end + 3 > MAX_HEAD then
    return refuse(txn, 431, "Request Header Fields Too Large", "headers_too_large",
      "The request headers are too large.")
  end
  return act.CONTINUE
end)
