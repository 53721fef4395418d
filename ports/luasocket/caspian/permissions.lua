-- --allow-net / --allow-listen: the exact PERM-GRAMMAR, and the checks that come before any
-- DNS query, packet or socket (PERM-BEFORE-IO). LuaSocket has no permission model at all.

local addr = require("caspian.addr")

local M = {}

local function parse_port(text, allow_zero)
  if not text:match("^%d+$") or #text > 5 then return nil end
  local n = tonumber(text)
  if n > 65535 or (n == 0 and not allow_zero) then return nil end
  return math.tointeger(n)
end

-- "p" or "lo-hi". Returns lo, hi or nil, why.
local function parse_ports(text, allow_zero)
  local range = allow_zero and "0..65535" or "1..65535"
  if text == "" then return nil, "empty port" end
  local lo, hi = text:match("^([^-]*)%-([^-]*)$")
  if lo then
    local a, b = parse_port(lo, allow_zero), parse_port(hi, allow_zero)
    if not a or not b then return nil, "port range must be two ports in " .. range end
    if a > b then return nil, "port range is reversed" end
    return a, b
  end
  local p = parse_port(text, allow_zero)
  if not p then return nil, "port out of range " .. range end
  return p, p
end

-- Parses a host part of an entry: [IPv6], IPv4, *.suffix (when wildcards are allowed) or a name.
local function parse_host(text, wildcard_ok)
  if text:sub(1, 1) == "[" then
    local inner = text:match("^%[(.*)%]$")
    if not inner then return nil, "unbalanced brackets" end
    local g = addr.ipv6_groups(inner)
    if not g then return nil, "not an IPv6 address in brackets" end
    local kind, canon = addr.ip(inner)
    return { kind = kind, value = canon }
  end
  if text:find("[%[%]]") then return nil, "unbalanced brackets" end
  local v4 = addr.ipv4(text)
  if v4 then return { kind = "ipv4", value = v4 } end
  if text:find("*", 1, true) then
    if not wildcard_ok then return nil, "wildcards are not allowed here" end
    local suffix = text:match("^%*%.(.+)$")
    if not suffix or suffix:find("*", 1, true) then
      return nil, "a wildcard must be '*.' followed by a name"
    end
    local n = addr.name(suffix)
    if not n then return nil, "invalid name after '*.'" end
    return { kind = "wildcard", value = n }
  end
  local n = addr.name(text)
  if not n then return nil, "invalid host name" end
  return { kind = "name", value = n }
end

-- Splits "host", "host:ports", "[v6]", "[v6]:ports". Returns host, ports-or-nil, or nil, why.
local function split(entry)
  if entry:sub(1, 1) == "[" then
    local close = entry:find("]", 1, true)
    if not close then return nil, nil, "unbalanced brackets" end
    local host, rest = entry:sub(1, close), entry:sub(close + 1)
    if rest == "" then return host, nil end
    if rest:sub(1, 1) ~= ":" then return nil, nil, "unexpected text after ']'" end
    return host, rest:sub(2)
  end
  local first = entry:find(":", 1, true)
  if not first then return entry, nil end
  if entry:find(":", first + 1, true) then
    return nil, nil, "an IPv6 address must be in brackets"
  end
  return entry:sub(1, first - 1), entry:sub(first + 1)
end

local function invalid(flag, entry, why)
  return nil, string.format("invalid %s entry %q: %s", flag, entry, why)
end

local function parse_entries(flag, value, parse_one)
  if value == nil then return { none = true } end
  if value == "" then return { all = true } end
  local list = {}
  for entry in (value .. ","):gmatch("([^,]*),") do
    if entry == "" then
      return nil, string.format("invalid %s value %q: empty entry", flag, value)
    end
    if entry:find("%s") or entry:find("%c") then
      return invalid(flag, entry, "white space or a control character")
    end
    local parsed, why = parse_one(entry)
    if not parsed then return invalid(flag, entry, why) end
    list[#list + 1] = parsed
  end
  return { entries = list }
end

local function parse_net_entry(entry)
  local host, ports, why = split(entry)
  if not host then return nil, why end
  if host == "" then return nil, "empty host" end
  local h, hwhy = parse_host(host, true)
  if not h then return nil, hwhy end
  local lo, hi = 1, 65535
  if ports then
    lo, hi = parse_ports(ports, false)
    if not lo then return nil, hi end
  end
  return { host = h, lo = lo, hi = hi }
end

local function parse_listen_entry(entry)
  if not entry:find("[:%[]") then
    -- A bare port or range.
    local lo, hi = parse_ports(entry, true)
    if not lo then
      if entry:match("^[%d%-]+$") then return nil, hi end
      return nil, "a listen entry needs a port: port, lo-hi, host:port or host:lo-hi"
    end
    return { lo = lo, hi = hi }
  end
  local host, ports, why = split(entry)
  if not host then return nil, why end
  if host == "" then return nil, "empty host" end
  if not ports then return nil, "a listen entry needs a port" end
  local h, hwhy = parse_host(host, false)
  if not h then return nil, hwhy end
  local lo, hi = parse_ports(ports, true)
  if not lo then return nil, hi end
  return { host = h, lo = lo, hi = hi }
end

-- Parses both flags. Returns a policy, or nil and the message of the ArgumentError.
function M.parse(allow_net, allow_listen)
  local net, err = parse_entries("--allow-net", allow_net, parse_net_entry)
  if not net then return nil, err end
  local listen, err2 = parse_entries("--allow-listen", allow_listen, parse_listen_entry)
  if not listen then return nil, err2 end
  return { net = net, listen = listen }
end

local function host_matches(entry_host, kind, value)
  if entry_host.kind == "wildcard" then
    return kind == "name" and #value > #entry_host.value + 1
      and value:sub(-(#entry_host.value + 1)) == "." .. entry_host.value
  end
  return entry_host.kind == kind and entry_host.value == value
end

-- Checks an outbound target. Returns true, or nil and the PermissionDenied message.
function M.check_connect(policy, host, port)
  local net = policy.net
  if net.all then return true end
  local kind, value = addr.classify(host)
  if net.entries and kind ~= "other" then
    for _, e in ipairs(net.entries) do
      if port >= e.lo and port <= e.hi and host_matches(e.host, kind, value) then return true end
    end
  end
  local t = addr.target(host, port)
  return nil, string.format("connect to %s denied: grant it with --allow-net=%s", t, t)
end

-- Checks a bind. Returns true, or nil and the PermissionDenied message.
function M.check_listen(policy, host, port)
  local listen = policy.listen
  if listen.all then return true end
  local kind, value = addr.classify(host)
  if listen.entries then
    for _, e in ipairs(listen.entries) do
      if port >= e.lo and port <= e.hi and (e.host == nil or host_matches(e.host, kind, value)) then
        return true
      end
    end
  end
  local t = addr.target(host, port)
  return nil, string.format("listen on %s denied: grant it with --allow-listen=%s", t, t)
end

-- For the naive variant (CASPIAN_LUA_NAIVE=permissions): everything is allowed.
function M.allow_everything()
  return { net = { all = true }, listen = { all = true } }
end

return M
