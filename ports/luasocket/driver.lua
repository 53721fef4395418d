-- The Caspian driver protocol (version 1.1) for the LuaSocket/LuaSec port: JSON Lines on stdin
-- and stdout, one answer per line, in order; many sessions per process. Diagnostics go to
-- stderr only.
--
-- Test-only switches: CASPIAN_LUA_NAIVE=newline,hostcheck,verify,permissions,... (a
-- comma-separated list; README.md names them all) turns parts of the port into a naive
-- pass-through of its libraries. Never set it otherwise.

local script_dir = (arg and arg[0] or ""):match("^(.*)[/\\]") or "."
package.path = script_dir .. "/?.lua;" .. package.path

local cjson = require("cjson")
local mime = require("mime")
local errors = require("caspian.errors")
local permissions = require("caspian.permissions")
local net = require("caspian.net")
local tls = require("caspian.tls")

local VERSION = "0.1.0"

-- Naive switches.
local naive = {}
for word in (os.getenv("CASPIAN_LUA_NAIVE") or ""):gmatch("[^,%s]+") do naive[word] = true end
net.naive = naive
tls.naive = naive

-- ------------------------------------------------------------------------------------------
-- JSON output (cjson cannot tell an empty array from an empty object, nor keep floats).

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\\128-\255]', function(c)
    local b = c:byte()
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\"
    elseif c == "\n" then return "\\n" elseif c == "\r" then return "\\r" elseif c == "\t" then return "\\t"
    elseif b < 32 or b == 127 then return string.format("\\u%04x", b)
    end
    return c
  end) .. '"'
end

local ARRAY = {}
-- Values the protocol types as integers (LuaSocket returns counts and ports as floats).
local INTEGER_KEYS = { int = true, port = true, handle = true, id = true, protocol = true, minor = true }

local function encode(v)
  local t = type(v)
  if t == "string" then return encode_string(v) end
  if t == "boolean" then return tostring(v) end
  if t == "nil" then return "null" end
  if t == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%.1f", v) end
    return string.format("%.17g", v)
  end
  if t == "table" then
    if getmetatable(v) == ARRAY then
      local parts = {}
      for i = 1, #v do parts[i] = encode(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do
      local x = v[k]
      if INTEGER_KEYS[k] and math.type(x) == "float" then x = math.tointeger(x) or x end
      parts[#parts + 1] = encode_string(k) .. ":" .. encode(x)
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return "null"
end

local function array(t) return setmetatable(t, ARRAY) end

local function b64(s)
  if s == "" then return "" end
  return (mime.b64(s))
end

local function unb64(s)
  if type(s) ~= "string" then errors.argument("bytes", "must be base64 text") end
  if s == "" then return "" end
  local out = mime.unb64(s)
  if not out then errors.argument("bytes", "is not valid base64") end
  return out
end

-- The newest minor version of protocol 1 the port speaks.
local MINOR = 1

-- Writes one reply. An `id` that is not a non-negative integer is written as null.
local function reply(id, body)
  id = math.tointeger(id)
  if not id or id < 0 then id = cjson.null end
  io.stdout:write(encode(body and { id = id, ok = body.ok, error = body.error } or { id = id }), "\n")
  io.stdout:flush()
end

local function log(...)
  io.stderr:write(table.concat({ ... }, " "), "\n")
  io.stderr:flush()
end

-- ------------------------------------------------------------------------------------------
-- Session state

local policy
local handles = {}
local next_handle = 1

local function add(obj)
  local h = next_handle
  next_handle = next_handle + 1
  handles[h] = obj
  return { handle = h }
end

local function get(req)
  local h = math.tointeger(req.handle) or req.handle
  local obj = handles[h]
  if not obj then errors.argument("handle", "no socket has handle " .. tostring(h)) end
  return obj
end

local function nonnull(v)
  if v == cjson.null then return nil end
  return v
end

-- Removes JSON nulls from a table (cjson decodes null as a light userdata).
local function clean(t)
  if type(t) ~= "table" then return nonnull(t) end
  local out = {}
  for k, v in pairs(t) do
    if v ~= cjson.null then out[k] = (type(v) == "table") and clean(v) or v end
  end
  return out
end

local function as_integer(v, name)
  if math.type(v) == "float" and v == math.floor(v) then return math.tointeger(v) end
  if math.type(v) == "integer" then return v end
  errors.argument(name, "must be an integer, got " .. tostring(v))
end

local ops = {}

function ops.tcp(r) return add(net.tcp(policy, r.host, as_integer(r.port, "port"), r.timeout)) end
function ops.ssl(r) return add(tls.open(policy, r.host, as_integer(r.port, "port"), r.timeout, r.tls or {})) end
function ops.tcp_listen(r) return add(net.tcp_listen(policy, r.host, as_integer(r.port, "port"))) end
function ops.udp(r)
  if r.host == nil and r.port == nil then return add(net.udp(policy)) end
  return add(net.udp(policy, r.host, r.port ~= nil and as_integer(r.port, "port") or nil))
end
function ops.udp_listen(r) return add(net.udp_listen(policy, r.host, as_integer(r.port, "port"))) end

local function need(obj, method, what)
  if not obj[method] then
    errors.argument("handle", string.format("a %s has no %s", obj.kind or "socket", what or method))
  end
end

function ops.send(r)
  local obj = get(r); need(obj, "send")
  return { int = obj:send(unb64(r.bytes)) }
end
function ops.send_all(r)
  local obj = get(r); need(obj, "send_all")
  obj:send_all(unb64(r.bytes))
  return "nil"
end
function ops.recv(r)
  local obj = get(r); need(obj, "recv")
  return { bytes = b64(obj:recv(r.max_bytes, r.opts or {})) }
end
function ops.recv_line(r)
  local obj = get(r); need(obj, "recv_line")
  return { bytes = b64(obj:recv_line(r.opts or {})) }
end
function ops.recv_exact(r)
  local obj = get(r); need(obj, "recv_exact")
  return { bytes = b64(obj:recv_exact(r.n, r.opts or {})) }
end
function ops.close(r) get(r):close(); return "nil" end
function ops.shutdown(r)
  local obj = get(r); need(obj, "shutdown")
  obj:shutdown(r.direction)
  return "nil"
end
function ops.starttls(r)
  local obj = get(r)
  if obj.kind ~= "tcp" then errors.argument("handle", "starttls needs a tcp socket") end
  return add(tls.starttls(obj, r.tls or {}))
end
function ops.accept(r)
  local obj = get(r); need(obj, "accept")
  return add(obj:accept(r.opts or {}))
end
function ops.send_to(r)
  local obj = get(r); need(obj, "send_to")
  return { int = obj:send_to(unb64(r.bytes), r.host, as_integer(r.port, "port")) }
end
function ops.recv_from(r)
  local obj = get(r); need(obj, "recv_from")
  local data, host, port = obj:recv_from(r.max_bytes, r.opts or {})
  return { datagram = { bytes = b64(data), host = host, port = port } }
end
function ops.get(r)
  local v = get(r):get(r.property)
  if type(v) == "table" and v.cert then v.cert.sans = array(v.cert.sans) end
  return v
end
function ops.set_timeout(r)
  local obj = get(r)
  obj:set_timeout(r.timeout)
  return "nil"
end

-- ------------------------------------------------------------------------------------------
-- The loop

local function protocol_error(id, message)
  reply(id, { error = { class = "ProtocolError", message = message } })
end

-- Ends the session: closes and forgets every handle, drops the flags and env.
local function end_session()
  for _, obj in pairs(handles) do pcall(obj.close, obj) end
  handles = {}
  policy = nil
  tls.env = {}
  tls.cleanup()
end

local function handle_line(line)
  local okd, cmd = pcall(cjson.decode, line)
  if not okd or type(cmd) ~= "table" then
    protocol_error(nil, "the line is not a JSON object")
    return
  end
  local id = cmd.id
  local op = cmd.op
  if type(id) ~= "number" or math.tointeger(id) == nil or id < 0 then
    protocol_error(nil, "the line has no id (a non-negative integer)")
    return
  end
  if op == "hello" then
    if cmd.protocol ~= 1 then
      protocol_error(id, "this port speaks protocol 1, not " .. tostring(math.tointeger(cmd.protocol) or nonnull(cmd.protocol)))
      return
    end
    local minor = math.min(math.tointeger(nonnull(cmd.minor)) or 0, MINOR)
    reply(id, { ok = { protocol = 1, minor = minor, engine = "caspian-luasocket", version = VERSION,
      features = array({ "tcp", "listen", "udp", "tls" }), sessions = minor >= 1 and "many" or nil } })
    return
  end
  if op == "end" then
    end_session()
    reply(id, { ok = "nil" })
    return
  end
  if op == "start" then
    if policy then
      protocol_error(id, "a session has already started")
      return
    end
    local env = type(cmd.env) == "table" and clean(cmd.env) or {}
    tls.env = env
    local p, err = permissions.parse(nonnull(cmd.allow_net), nonnull(cmd.allow_listen))
    if not p then
      reply(id, { error = { class = "ArgumentError", message = err } })
      return
    end
    policy = naive.permissions and permissions.allow_everything() or p
    reply(id, { ok = "nil" })
    return
  end
  local fn = ops[op]
  if not fn then
    protocol_error(id, "unknown op " .. tostring(nonnull(op)))
    return
  end
  if not policy then
    protocol_error(id, "op " .. op .. " before start: the session has not started")
    return
  end
  local ok, result = pcall(fn, clean(cmd))
  if ok then
    reply(id, { ok = result })
  elseif errors.is(result) then
    reply(id, { error = { class = result.class, message = result.message, reason = result.reason } })
  else
    log("internal error in " .. tostring(op) .. ": " .. tostring(result))
    log(debug.traceback())
    reply(id, { error = { class = "ArgumentError", message = "internal error in " .. tostring(op) .. ": " .. tostring(result) } })
  end
end

for line in io.stdin:lines() do
  if line:find("%S") then handle_line(line) end
end
end_session()
