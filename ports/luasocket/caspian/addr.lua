-- Strict address and host-name parsing (PERM-LITERAL, D13).
--
-- LuaSocket hands host strings to getaddrinfo/inet_pton, which accept "127.1", "2130706433",
-- "0x7f000001" and "0177.0.0.1" as IPv4 addresses. Caspian treats those as names, so every
-- host string is classified here first, never by the C library.

local M = {}

-- A strict IPv4 dotted quad: four decimal octets 0..255 without leading zeros.
-- Returns the canonical text, or nil.
function M.ipv4(text)
  local a, b, c, d = text:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if not a then return nil end
  local parts = { a, b, c, d }
  for i = 1, 4 do
    local p = parts[i]
    if #p > 3 or (#p > 1 and p:sub(1, 1) == "0") or tonumber(p) > 255 then return nil end
    parts[i] = tostring(tonumber(p))
  end
  return table.concat(parts, ".")
end

-- Parses an IPv6 literal (unbracketed). Returns an array of 8 integers, or nil.
function M.ipv6_groups(text)
  if not text:find(":", 1, true) or text:find("[^%x:%.]") then return nil end
  -- A trailing dotted quad becomes two groups.
  local head, quad = text:match("^(.*:)(%d+%.%d+%.%d+%.%d+)$")
  local tail_groups = {}
  if head then
    local v4 = M.ipv4(quad)
    if not v4 then return nil end
    local a, b, c, d = v4:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    tail_groups = { tonumber(a) * 256 + tonumber(b), tonumber(c) * 256 + tonumber(d) }
    text = head
    if text:sub(-2) ~= "::" then text = text:sub(1, -2) end
  elseif text:find(".", 1, true) then
    return nil
  end
  local function groups_of(s)
    local out = {}
    if s == "" then return out end
    for g in (s .. ":"):gmatch("([^:]*):") do
      if not g:match("^%x%x?%x?%x?$") then return nil end
      out[#out + 1] = tonumber(g, 16)
    end
    return out
  end
  local left, right
  local dbl = text:find("::", 1, true)
  if dbl then
    if text:find("::", dbl + 1, true) then return nil end
    left = groups_of(text:sub(1, dbl - 1))
    right = groups_of(text:sub(dbl + 2))
    if not left or not right then return nil end
  else
    left = groups_of(text)
    if not left then return nil end
    right = {}
  end
  for _, g in ipairs(tail_groups) do right[#right + 1] = g end
  local n = #left + #right
  if dbl then
    if n > 7 then return nil end
  elseif n ~= 8 then
    return nil
  end
  local out = {}
  for _, g in ipairs(left) do out[#out + 1] = g end
  for _ = 1, 8 - n do out[#out + 1] = 0 end
  for _, g in ipairs(right) do out[#out + 1] = g end
  return out
end

-- RFC 5952 text of 8 groups.
function M.ipv6_text(g)
  local best_at, best_len, at, len = nil, 1, nil, 0
  for i = 1, 8 do
    if g[i] == 0 then
      if not at then at, len = i, 0 end
      len = len + 1
      if len > best_len then best_at, best_len = at, len end
    else
      at = nil
    end
  end
  local parts = {}
  local i = 1
  while i <= 8 do
    if i == best_at then
      parts[#parts + 1] = (i == 1) and ":" or ""
      i = i + best_len
      if i > 8 then parts[#parts + 1] = "" end
    else
      parts[#parts + 1] = string.format("%x", g[i])
      i = i + 1
    end
  end
  local s = table.concat(parts, ":")
  if s == ":" then s = "::" end
  return s
end

-- Classifies an IP literal. Returns kind ("ipv4" or "ipv6") and canonical text, or nil.
-- ::ffff:a.b.c.d is the IPv4 address a.b.c.d.
function M.ip(text)
  local v4 = M.ipv4(text)
  if v4 then return "ipv4", v4 end
  local g = M.ipv6_groups(text)
  if not g then return nil end
  if g[1] == 0 and g[2] == 0 and g[3] == 0 and g[4] == 0 and g[5] == 0 and g[6] == 0xffff then
    return "ipv4", string.format("%d.%d.%d.%d", g[7] >> 8, g[7] & 255, g[8] >> 8, g[8] & 255)
  end
  return "ipv6", M.ipv6_text(g)
end

-- A DNS name: labels of letters, digits, '-' and '_', not starting or ending with '-',
-- 1..63 bytes each, at most one trailing dot. Returns the normal form (lowercase, no trailing
-- dot), or nil.
function M.name(text)
  if text == "" or #text > 254 then return nil end
  local t = text
  if t:sub(-1) == "." then t = t:sub(1, -2) end
  if t == "" or #t > 253 then return nil end
  for label in (t .. "."):gmatch("([^.]*)%.") do
    if #label == 0 or #label > 63 then return nil end
    if label:find("[^%w%-_]") then return nil end
    if label:sub(1, 1) == "-" or label:sub(-1) == "-" then return nil end
  end
  return t:lower()
end

-- Classifies a target host as a script gave it: kind "ipv4"/"ipv6"/"name"/"other" and the
-- normal form used for comparison.
function M.classify(host)
  local kind, canon = M.ip(host)
  if kind then return kind, canon end
  local n = M.name(host)
  if n then return "name", n end
  return "other", host
end

-- host:port with an IPv6 host bracketed.
function M.target(host, port)
  if host:find(":", 1, true) and host:sub(1, 1) ~= "[" then
    return "[" .. host .. "]:" .. tostring(port)
  end
  return host .. ":" .. tostring(port)
end

-- D13: a host that is empty or holds a NUL or white space is an argument error.
function M.bad_host(host)
  return type(host) ~= "string" or host == "" or host:find("[%z%s]") ~= nil
end

return M
