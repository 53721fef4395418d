-- Caspian tcp, udp and tcp_listener sockets on LuaSocket 3.
--
-- LuaSocket's own receive patterns are not Caspian's: receive('*l') strips "\n" and drops
-- "\r", receive(n) blocks for all n bytes and, on timeout, hands back a partial result that
-- the caller must keep. So every stream socket here keeps its own receive buffer, reads only
-- what the kernel has (timeout 0, then select with the call's deadline) and frames lines and
-- exact reads itself: nothing is lost on Timeout or EndOfStream.

local socket = require("socket")
local addr = require("caspian.addr")
local errors = require("caspian.errors")
local permissions = require("caspian.permissions")

local raise = errors.raise
local argument = errors.argument

local M = {}

M.DEFAULT_TIMEOUT = 30
M.DEFAULT_MAX_LINE = 1024 * 1024
M.MAX_DATAGRAM = 65507
M.naive = {}

local now = socket.gettime

-- ------------------------------------------------------------------------------------------
-- Arguments

-- Errors name the argument, and the host and port as the script gave them.
function M.check_port(port, allow_zero, host)
  local target = string.format(" (target %s:%s)", tostring(host), tostring(port))
  if math.type(port) == "float" and port == math.floor(port) then port = math.tointeger(port) end
  if math.type(port) ~= "integer" then argument("port", "must be an integer, got " .. tostring(port) .. target) end
  local lo = allow_zero and 0 or 1
  if port < lo or port > 65535 then
    argument("port", string.format("must be in %d..65535, got %d", lo, port) .. target)
  end
  return port
end

function M.check_host(host)
  if addr.bad_host(host) then
    argument("host", string.format("%q is not a host name or address", tostring(host)))
  end
  return host
end

-- A timeout value as the driver sends it: nil (absent) gives `default`, "forever" gives
-- false (wait forever), {seconds = x} gives x, which must be a non-negative number.
function M.check_timeout(t, default)
  if t == nil then return default end
  if t == "forever" then return false end
  if type(t) == "table" and t.seconds ~= nil then t = t.seconds end
  if type(t) ~= "number" or t ~= t or t < 0 then
    argument("timeout", "must be a non-negative number of seconds or nil, got " .. tostring(t))
  end
  return t
end

local function check_count(name, n, min)
  if math.type(n) == "float" and n == math.floor(n) then n = math.tointeger(n) end
  if math.type(n) ~= "integer" or n < min then
    argument(name, string.format("must be an integer >= %d, got %s", min, tostring(n)))
  end
  return n
end

local function deadline_of(timeout)
  if timeout == false or timeout == nil then return nil end
  return now() + timeout
end

local function remaining(deadline)
  if not deadline then return nil end
  return math.max(0, deadline - now())
end

-- ------------------------------------------------------------------------------------------
-- Resolution (after the permission check, never before)

-- D5: localhost and names below it are loopback; names under .invalid fail without a query.
function M.resolve(host, port)
  local kind, value = addr.classify(host)
  if kind == "ipv4" or kind == "ipv6" then return kind, value end
  local target = addr.target(host, port)
  if kind ~= "name" then raise("HostNotFound", "host not found: " .. target) end
  if value == "localhost" or value:sub(-10) == ".localhost" then return "ipv4", "127.0.0.1" end
  if value == "invalid" or value:sub(-8) == ".invalid" then
    raise("HostNotFound", "host not found: " .. target)
  end
  local infos = socket.dns.getaddrinfo(value)
  if type(infos) ~= "table" or #infos == 0 then raise("HostNotFound", "host not found: " .. target) end
  for _, family in ipairs({ "inet", "inet6" }) do
    for _, info in ipairs(infos) do
      if info.family == family then
        local k, v = addr.ip(info.addr)
        if k then return k, v end
      end
    end
  end
  raise("HostNotFound", "host not found: " .. target)
end

local function canonical_ip(ip)
  local k, v = addr.ip(ip or "")
  return k and v or ip
end

-- ------------------------------------------------------------------------------------------
-- Stream sockets (tcp; the tls module reuses them with a LuaSec connection)

local Stream = {}
Stream.__index = Stream
M.Stream = Stream

function Stream.new(fields)
  local s = setmetatable(fields, Stream)
  s.buf = s.buf or ""
  s.eof = false
  s.closed = false
  return s
end

function Stream:target()
  return addr.target(self.host, self.port)
end

function Stream:ensure_open()
  if self.closed then
    if self.moved then
      raise("Closed", string.format("socket to %s was upgraded by starttls: use the ssl socket", self:target()))
    end
    raise("Closed", string.format("socket to %s is closed", self:target()))
  end
end

function Stream:call_timeout(opts)
  local t = M.check_timeout(opts and opts.timeout, nil)
  if t == nil then return self.timeout end
  return t
end

-- A connection error from LuaSocket or LuaSec, as a Caspian exception.
function Stream:fail(err, doing)
  local e = tostring(err):lower()
  local target = self:target()
  if e == "timeout" or e == "wantread" or e == "wantwrite" then
    raise("Timeout", string.format("%s %s timed out", doing, target))
  end
  if e:find("refused", 1, true) then raise("ConnectionRefused", "connection refused by " .. target) end
  if e == "closed" or e:find("reset", 1, true) or e:find("broken pipe", 1, true) or e:find("aborted", 1, true) then
    raise("ConnectionReset", string.format("connection to %s was reset (%s)", target, err))
  end
  if self.tls then raise("TlsError", string.format("TLS error on %s while %s: %s", target, doing, err)) end
  raise("ConnectionReset", string.format("connection to %s failed while %s: %s", target, doing, err))
end

-- Reads what is available into the buffer, waiting until the deadline. `limit` bounds the
-- bytes read. Returns true (got bytes), or "eof", or "timeout"; raises ConnectionReset.
function Stream:fill(deadline, limit)
  limit = math.max(1, math.min(limit or 65536, 65536))
  while true do
    do
      -- LuaSocket (and LuaSec) report a reset as "closed", like an end of stream: the pending
      -- socket error (SO_ERROR) tells them apart when the kernel has it.
      local soerr = self:pending_error()
      if soerr then
        self.reset = true
        raise("ConnectionReset", string.format("connection to %s was reset by the peer", self:target()))
      end
    end
    self.sock:settimeout(0)
    local data, err, partial = self.sock:receive(limit)
    local got = data or partial
    if got and #got > 0 then
      self.buf = self.buf .. got
      if err == "closed" then self.eof_pending = true end
      return true
    end
    if err == "closed" then
      if self.reset then
        raise("ConnectionReset", string.format("connection to %s was reset by the peer", self:target()))
      end
      return "eof"
    end
    if err ~= "timeout" and err ~= "wantread" and err ~= "wantwrite" then
      local e = tostring(err):lower()
      if self.tls and (e:find("unexpected eof", 1, true) or e:find("eof while reading", 1, true)) then
        return "eof" -- D11: a TLS peer closing without close_notify has ended the stream.
      end
      self:fail(err, "receiving from")
    end
    local left = remaining(deadline)
    if left and left <= 0 then return "timeout" end
    if err == "wantwrite" then
      socket.select(nil, { self.sock }, left)
    else
      socket.select({ self.sock }, nil, left)
    end
    if deadline and now() >= deadline then
      -- One last non-blocking look before giving up.
      deadline = now()
    end
  end
end

-- Fills once, mapping "eof" to the stream state; returns true, "eof" or "timeout".
function Stream:more(deadline, limit)
  if self.eof_pending then
    self.eof_pending = nil
    self.eof = true
  end
  if self.eof then return "eof" end
  local r = self:fill(deadline, limit)
  if r == "eof" then self.eof = true end
  return r
end

-- Calls `method` of `raw`, the LuaSocket object the ssl socket `conn` was wrapped over, lending
-- it conn's descriptor for the call (LuaSec has no getoption or getpeername of its own).
-- Returns what the call returns; nil when it raises.
function M.lend(conn, raw, method, ...)
  if not raw or not raw[method] then return nil end
  raw:setfd(conn:getfd())
  local result = table.pack(pcall(raw[method], raw, ...))
  raw:setfd(require("ssl.core").SOCKET_INVALID)
  if result[1] then return table.unpack(result, 2, result.n) end
  return nil
end

-- The socket's pending error (SO_ERROR), read through LuaSocket's getoption("error").
function Stream:pending_error()
  if not self.tls then
    return self.sock.getoption and self.sock:getoption("error")
  end
  return M.lend(self.sock, self.raw, "getoption", "error")
end

function Stream:take(n)
  local out = self.buf:sub(1, n)
  self.buf = self.buf:sub(n + 1)
  return out
end

function Stream:recv(max_bytes, opts)
  max_bytes = check_count("max_bytes", max_bytes, 1)
  local timeout = self:call_timeout(opts)
  self:ensure_open()
  if self.shut_recv then return self:take(max_bytes) end -- "" unless the bothkeeps switch kept bytes
  local deadline = deadline_of(timeout)
  while #self.buf == 0 do
    local r = self:more(deadline, max_bytes)
    if r == "eof" then return "" end
    if r == "timeout" then raise("Timeout", "recv from " .. self:target() .. " timed out") end
  end
  return self:take(max_bytes)
end

function Stream:recv_line(opts)
  local timeout = self:call_timeout(opts)
  local max = M.DEFAULT_MAX_LINE
  if opts and opts.max_length ~= nil then max = check_count("max_length", opts.max_length, 1) end
  self:ensure_open()
  if self.shut_recv then raise("EndOfStream", "recv_line on " .. self:target() .. ": receiving was shut down") end
  if M.naive.newline then
    -- Test-only (CASPIAN_LUA_NAIVE=newline): LuaSocket's own line reading, which strips the
    -- newline, drops every "\r" and gives up a partial line on timeout.
    local nl = self.buf:find("\n", 1, true)
    if nl then return (self:take(nl):sub(1, -2):gsub("\r", "")) end
    local prefix = self.buf
    self.buf = ""
    self.sock:settimeout(timeout == false and -1 or timeout)
    local line, err = self.sock:receive("*l", prefix)
    if not line then
      if err == "timeout" or err == "wantread" then raise("Timeout", "recv_line from " .. self:target() .. " timed out") end
      raise("EndOfStream", "end of stream from " .. self:target())
    end
    return line
  end
  local deadline = deadline_of(timeout)
  local searched = 0
  while true do
    local nl = self.buf:find("\n", searched + 1, true)
    if nl and nl <= max then return self:take(nl) end
    if #self.buf >= max then
      raise("ArgumentError",
        string.format("line from %s is longer than max_length %d: nothing was consumed", self:target(), max),
        "line_too_long")
    end
    searched = #self.buf
    local r = self:more(deadline, max - #self.buf)
    if r == "eof" then
      raise("EndOfStream", string.format("end of stream from %s before a newline (%d bytes buffered)", self:target(), #self.buf))
    elseif r == "timeout" then
      raise("Timeout", "recv_line from " .. self:target() .. " timed out")
    end
  end
end

function Stream:recv_exact(n, opts)
  n = check_count("n", n, 0)
  local timeout = self:call_timeout(opts)
  self:ensure_open()
  if n == 0 then return "" end
  if self.shut_recv then raise("EndOfStream", "recv_exact on " .. self:target() .. ": receiving was shut down") end
  local deadline = deadline_of(timeout)
  while #self.buf < n do
    local r = self:more(deadline, n - #self.buf)
    if r == "eof" then
      raise("EndOfStream", string.format("end of stream from %s after %d of %d bytes", self:target(), #self.buf, n))
    elseif r == "timeout" then
      raise("Timeout", string.format("recv_exact(%d) from %s timed out with %d bytes", n, self:target(), #self.buf))
    end
  end
  return self:take(n)
end

-- The most plaintext one TLS record carries.
local TLS_RECORD = 16384

-- Writes some of `data` without blocking past the deadline. Returns the count written (> 0).
-- A TLS write that times out leaves OpenSSL holding a record it began: OpenSSL must be given the
-- same bytes again (other bytes fail with "bad length"), so they are kept in `self.unfinished`.
local function write_within(self, data, deadline)
  while true do
    self.sock:settimeout(0)
    local n, err, last = self.sock:send(data)
    if n then return n end
    if last and last > 0 then return last end
    if err ~= "timeout" and err ~= "wantwrite" and err ~= "wantread" then self:fail(err, "sending to") end
    local left = remaining(deadline)
    if left and left <= 0 then
      if self.tls then self.unfinished = data:sub(1, TLS_RECORD) end
      raise("Timeout", "send to " .. self:target() .. " timed out")
    end
    if err == "wantread" then
      socket.select({ self.sock }, nil, left)
    else
      socket.select(nil, { self.sock }, left)
    end
  end
end

-- Test-only (CASPIAN_LUA_NAIVE=sendqueue): writes what the kernel takes now of the bytes queued
-- by send (after the record a timed-out TLS write left unfinished), keeping the rest queued.
local function flush_queue_now(self)
  if self.unfinished then
    table.insert(self.queue, 1, self.unfinished)
    self.unfinished = nil
  end
  while self.queue[1] do
    self.sock:settimeout(0)
    local chunk = table.remove(self.queue, 1)
    local n, err, last = self.sock:send(chunk)
    n = n or last or 0
    if n < #chunk then
      table.insert(self.queue, 1, chunk:sub(n + 1))
      if err ~= "timeout" and err ~= "wantwrite" and err ~= "wantread" then self:fail(err, "sending to") end
      return
    end
  end
end

-- Writes some of `data` without blocking past the deadline, after the record a timed-out TLS
-- write left unfinished. Returns the count of `data` written (> 0).
function Stream:write_some(data, deadline)
  while self.queue and self.queue[1] do -- what the sendqueue switch queued goes first
    local n = write_within(self, self.queue[1], deadline)
    self.queue[1] = self.queue[1]:sub(n + 1)
    if #self.queue[1] == 0 then table.remove(self.queue, 1) end
  end
  while self.unfinished do
    local rest = self.unfinished
    local n = write_within(self, rest, deadline)
    self.unfinished = n < #rest and rest:sub(n + 1) or nil
  end
  return write_within(self, data, deadline)
end

function Stream:check_send()
  self:ensure_open()
  if self.shut_send then
    raise("Closed", string.format("sending to %s was shut down", self:target()))
  end
  if self.reset then
    raise("ConnectionReset", string.format("connection to %s was reset by the peer", self:target()))
  end
end

function Stream:send(data)
  self:check_send()
  if #data == 0 then return 0 end
  if M.naive.sendqueue then
    -- Test-only: the bytes are queued in user space and counted as sent at once; the queue is
    -- flushed by later calls and has no bound.
    self.queue = self.queue or {}
    self.queue[#self.queue + 1] = data
    flush_queue_now(self)
    return #data
  end
  return self:write_some(data, deadline_of(self.timeout))
end

function Stream:send_all(data)
  self:check_send()
  local i = 1
  local deadline = deadline_of(self.timeout)
  while i <= #data do
    local n = self:write_some(data:sub(i), deadline)
    i = i + n
    -- Test-only (CASPIAN_LUA_NAIVE=deadline): a timeout per write, restarted by each chunk taken.
    if M.naive.deadline then deadline = deadline_of(self.timeout) end
  end
  return nil
end

local DIRECTIONS = { [":send"] = "send", send = "send", [":recv"] = "receive", recv = "receive",
  [":both"] = "both", both = "both" }

function Stream:shutdown(direction)
  local how = type(direction) == "string" and DIRECTIONS[direction]
  if not how then
    argument("direction", string.format("must be :send, :recv or :both, got %q", tostring(direction)))
  end
  self:ensure_open()
  if how == "receive" or how == "both" then
    self.shut_recv = true
    -- D4: buffered bytes are dropped. Test-only (CASPIAN_LUA_NAIVE=bothkeeps): :both keeps them.
    if not (M.naive.bothkeeps and how == "both") then self.buf = "" end
  end
  if how == "send" or how == "both" then
    if not self.shut_send then
      self.shut_send = true
      self:shutdown_write()
    end
  end
  return nil
end

function Stream:shutdown_write()
  self.sock:shutdown("send")
end

function Stream:close()
  if self.closed then return nil end
  self.closed = true
  self.buf = ""
  if not self.moved then self.sock:close() end
  return nil
end

function Stream:get(property)
  if property == "host" then return { str = self.host } end
  if property == "port" then return { int = self.port } end
  if property == "local_host" then return { str = self.local_host } end
  if property == "local_port" then return { int = self.local_port } end
  if property == "connected" then return { bool = not self.closed } end
  if property == "timeout" then
    if self.timeout == false then return "nil" end
    return { float = self.timeout + 0.0 }
  end
  if self.tls and self.tls_get then return self:tls_get(property) end
  argument("property", string.format("%s is not a property of a tcp socket", tostring(property)))
end

-- `"forever"`, `{seconds = x}`, or (protocol 1.0) a number or nil.
function Stream:set_timeout(t)
  self.timeout = M.check_timeout(t, false)
  return nil
end

-- ------------------------------------------------------------------------------------------
-- Outbound tcp

-- Opens a TCP connection to an already permitted target. Returns the LuaSocket client and
-- its local address. `target_host` is the host as named (for messages).
function M.connect_raw(host, port, timeout)
  local target = addr.target(host, port)
  local kind, ip = M.resolve(host, port)
  local sock = (kind == "ipv6") and socket.tcp6() or socket.tcp4()
  sock:settimeout(timeout == false and -1 or timeout)
  local ok, err = sock:connect(ip, port)
  if not ok then
    sock:close()
    local e = tostring(err):lower()
    if e == "timeout" then raise("Timeout", "connect to " .. target .. " timed out") end
    if e:find("refused", 1, true) then raise("ConnectionRefused", "connection refused by " .. target) end
    if e:find("host not found", 1, true) then raise("HostNotFound", "host not found: " .. target) end
    raise("ConnectionRefused", string.format("cannot connect to %s: %s", target, err))
  end
  local lip, lport = sock:getsockname()
  return sock, canonical_ip(lip), math.tointeger(tonumber(lport))
end

function M.tcp(policy, host, port, timeout_arg)
  M.check_host(host)
  port = M.check_port(port, false, host)
  local timeout = M.check_timeout(timeout_arg, M.DEFAULT_TIMEOUT)
  local ok, why = permissions.check_connect(policy, host, port)
  if not ok then raise("PermissionDenied", why) end
  local sock, lip, lport = M.connect_raw(host, port, timeout)
  return Stream.new({ kind = "tcp", sock = sock, host = host, port = port, local_host = lip,
    local_port = lport, timeout = timeout })
end

-- ------------------------------------------------------------------------------------------
-- Listener

local Listener = {}
Listener.__index = Listener

local function bind_address(policy, host, port, what)
  M.check_host(host)
  port = M.check_port(port, true, host)
  local ok, why = permissions.check_listen(policy, host, port)
  if not ok then raise("PermissionDenied", why) end
  local kind, ip = M.resolve(host, port)
  return kind, ip, port
end

local function bind_error(err, host, port)
  local e = tostring(err):lower()
  local target = addr.target(host, port)
  if e:find("in use", 1, true) then raise("AddressInUse", "address in use: " .. target) end
  if e:find("permission", 1, true) then raise("PermissionDenied", "the system refused to bind " .. target .. ": " .. err) end
  -- D17: an address that is not the machine's is a bad argument.
  if e:find("assign", 1, true) or e:find("not available", 1, true) then
    -- D17: an address that is not the machine's is the script's bad argument.
    raise("ArgumentError", "argument host: cannot bind " .. target .. ", not an address of this machine: " .. err)
  end
  raise("AddressInUse", string.format("cannot bind %s: %s", target, err))
end

function M.tcp_listen(policy, host, port)
  local kind, ip
  kind, ip, port = bind_address(policy, host, port)
  local sock = (kind == "ipv6") and socket.tcp6() or socket.tcp4()
  sock:setoption("reuseaddr", true)
  local ok, err = sock:bind(ip, port)
  if not ok then sock:close(); bind_error(err, host, port) end
  ok, err = sock:listen(128)
  if not ok then sock:close(); bind_error(err, host, port) end
  local lip, lport = sock:getsockname()
  return setmetatable({ kind = "listener", sock = sock, host = host, local_host = canonical_ip(lip),
    local_port = math.tointeger(tonumber(lport)), closed = false }, Listener)
end

function Listener:target() return addr.target(self.local_host, self.local_port) end

function Listener:accept(opts)
  -- IO-ACCEPT-TIMEOUT: forever. Test-only (CASPIAN_LUA_NAIVE=accept30): the socket default.
  local timeout = M.check_timeout(opts and opts.timeout, M.naive.accept30 and M.DEFAULT_TIMEOUT or false)
  if self.closed then raise("Closed", "listener on " .. self:target() .. " is closed") end
  self.sock:settimeout(timeout == false and -1 or timeout)
  local client, err = self.sock:accept()
  if not client then
    if err == "timeout" then raise("Timeout", "accept on " .. self:target() .. " timed out") end
    raise("ConnectionReset", "accept on " .. self:target() .. " failed: " .. tostring(err))
  end
  local pip, pport = client:getpeername()
  local lip, lport = client:getsockname()
  return Stream.new({ kind = "tcp", sock = client, host = canonical_ip(pip), port = math.tointeger(tonumber(pport)),
    local_host = canonical_ip(lip), local_port = math.tointeger(tonumber(lport)), timeout = M.DEFAULT_TIMEOUT })
end

function Listener:close()
  if not self.closed then self.closed = true; self.sock:close() end
  return nil
end

function Listener:get(property)
  if property == "local_host" then return { str = self.local_host } end
  if property == "local_port" then return { int = self.local_port } end
  if property == "host" then return { str = self.local_host } end
  if property == "port" then return { int = self.local_port } end
  if property == "connected" then return { bool = not self.closed } end
  if property == "timeout" then return "nil" end
  argument("property", string.format("%s is not a property of a listener", tostring(property)))
end

function Listener:set_timeout() argument("handle", "a listener has no .timeout; give accept a timeout: option") end

-- ------------------------------------------------------------------------------------------
-- UDP

local Udp = {}
Udp.__index = Udp

local function new_udp(kind)
  local sock = (kind == "ipv6") and socket.udp6() or socket.udp4()
  return sock
end

local function udp_local(u)
  local lip, lport = u.sock:getsockname()
  u.local_host = canonical_ip(lip)
  u.local_port = math.tointeger(tonumber(lport))
end

function M.udp(policy, host, port)
  local u = setmetatable({ kind = "udp", timeout = M.DEFAULT_TIMEOUT, closed = false, policy = policy }, Udp)
  local family = "ipv4"
  if host ~= nil or port ~= nil then
    M.check_host(host)
    port = M.check_port(port, false, host)
    local ok, why = permissions.check_connect(policy, host, port)
    if not ok then raise("PermissionDenied", why) end
    local kind, ip = M.resolve(host, port)
    family = kind
    u.peer = { host = host, port = port, ip = ip }
  end
  u.sock = new_udp(family)
  u.family = family
  local ok, err = u.sock:setsockname(family == "ipv6" and "::" or "0.0.0.0", 0)
  if not ok then u.sock:close(); bind_error(err, "0.0.0.0", 0) end
  udp_local(u)
  return u
end

function M.udp_listen(policy, host, port)
  local kind, ip
  kind, ip, port = bind_address(policy, host, port)
  local u = setmetatable({ kind = "udp", timeout = M.DEFAULT_TIMEOUT, closed = false, policy = policy, bound = host }, Udp)
  u.sock = new_udp(kind)
  u.family = kind
  local ok, err = u.sock:setsockname(ip, port)
  if not ok then u.sock:close(); bind_error(err, host, port) end
  udp_local(u)
  return u
end

function Udp:target()
  if self.peer then return addr.target(self.peer.host, self.peer.port) end
  return addr.target(self.local_host or "0.0.0.0", self.local_port or 0)
end

function Udp:ensure_open()
  if self.closed then raise("Closed", "udp socket " .. self:target() .. " is closed") end
end

local function check_datagram(data)
  if #data > M.MAX_DATAGRAM then
    argument("bytes", string.format("a datagram holds at most %d bytes, got %d", M.MAX_DATAGRAM, #data))
  end
end

-- The socket for a destination's address family. A socket from %net.udp (not bound by the
-- script) opens a second, ephemeral socket for the other family when it first needs one.
function Udp:socket_for(ip, target)
  local kind = addr.ip(ip)
  if kind == self.family then return self.sock end
  if self.bound then
    argument("host", string.format("%s is not reachable from a socket bound to an %s address", target, self.family))
  end
  if not self.other then
    local sock = new_udp(kind)
    local ok, err = sock:setsockname(kind == "ipv6" and "::" or "0.0.0.0", 0)
    if not ok then sock:close(); bind_error(err, kind == "ipv6" and "::" or "0.0.0.0", 0) end
    self.other = sock
  end
  return self.other
end

function Udp:sendto_ip(data, ip, port, target)
  local n, err = self:socket_for(ip, target):sendto(data, ip, port)
  if not n then
    local e = tostring(err):lower()
    if e:find("refused", 1, true) then raise("ConnectionRefused", "datagram to " .. target .. " refused") end
    raise("ConnectionReset", string.format("send to %s failed: %s", target, err))
  end
  return #data
end

function Udp:send(data)
  check_datagram(data)
  self:ensure_open()
  if not self.peer then argument("peer", "this udp socket has no default peer: use send_to") end
  local ok, why = permissions.check_connect(self.policy, self.peer.host, self.peer.port)
  if not ok then raise("PermissionDenied", why) end
  return self:sendto_ip(data, self.peer.ip, self.peer.port, self:target())
end

function Udp:send_to(data, host, port)
  M.check_host(host)
  port = M.check_port(port, false, host)
  check_datagram(data)
  self:ensure_open()
  local ok, why = permissions.check_connect(self.policy, host, port)
  if not ok then raise("PermissionDenied", why) end
  local _, ip = M.resolve(host, port)
  return self:sendto_ip(data, ip, port, addr.target(host, port))
end

-- Receives one datagram; with a default peer, datagrams from anyone else are dropped
-- (IO-UDP-PEER-FILTER is done here: LuaSocket's connected udp has no receivefrom/sendto).
function Udp:recv_from(max_bytes, opts)
  max_bytes = check_count("max_bytes", max_bytes, 1)
  local t = M.check_timeout(opts and opts.timeout, nil)
  if t == nil then t = self.timeout end
  self:ensure_open()
  local deadline = deadline_of(t)
  while true do
    local left = remaining(deadline)
    local sock = self.sock
    if self.other then
      local ready = socket.select({ self.sock, self.other }, nil, left)
      sock = (ready and ready[1]) or self.sock
      left = 0
    end
    sock:settimeout(left == nil and -1 or left)
    local data, ip, port = sock:receivefrom(max_bytes)
    if data then
      ip = canonical_ip(ip)
      port = math.tointeger(tonumber(port))
      if not self.peer or (ip == self.peer.ip and port == self.peer.port) then
        return data, ip, port
      end
    elseif ip == "timeout" then
      raise("Timeout", "recv on udp socket " .. self:target() .. " timed out")
    elseif ip == "refused" or tostring(ip):find("refused", 1, true) then
      -- An ICMP error for an earlier datagram: not a datagram; keep waiting.
    else
      raise("ConnectionReset", string.format("recv on udp socket %s failed: %s", self:target(), tostring(ip)))
    end
    if deadline and now() >= deadline then
      raise("Timeout", "recv on udp socket " .. self:target() .. " timed out")
    end
  end
end

function Udp:recv(max_bytes, opts)
  local data = self:recv_from(max_bytes, opts)
  return data
end

function Udp:close()
  if not self.closed then
    self.closed = true
    self.sock:close()
    if self.other then self.other:close() end
  end
  return nil
end

function Udp:get(property)
  if property == "local_host" then return { str = self.local_host } end
  if property == "local_port" then return { int = self.local_port } end
  if property == "host" then return self.peer and { str = self.peer.host } or "nil" end
  if property == "port" then return self.peer and { int = self.peer.port } or "nil" end
  if property == "connected" then return { bool = not self.closed } end
  if property == "timeout" then
    if self.timeout == false then return "nil" end
    return { float = self.timeout + 0.0 }
  end
  argument("property", string.format("%s is not a property of a udp socket", tostring(property)))
end

Udp.set_timeout = Stream.set_timeout

return M
