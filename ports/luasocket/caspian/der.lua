-- A small DER reader for what LuaSec 1.2 does not expose: the subjectAltName entries in
-- certificate order, basicConstraints of the leaf, the raw validity times, and the RFC 5958 (v2)
-- private keys that OpenSSL 3.0 refuses to load.

local mime = require("mime")

local M = {}

-- PEM blocks of a given label, decoded. Returns an array of DER strings.
function M.pem_blocks(text, label)
  local out = {}
  local pattern = "%-%-%-%-%-BEGIN " .. label .. "%-%-%-%-%-(.-)%-%-%-%-%-END " .. label .. "%-%-%-%-%-"
  for body in text:gmatch(pattern) do
    local b64 = body:gsub("[^%w%+/=]", "")
    out[#out + 1] = (mime.unb64(b64)) or ""
  end
  return out
end

-- Reads one TLV at position i. Returns tag, content start, content end (inclusive), next.
function M.tlv(s, i)
  local tag = s:byte(i)
  if not tag then return nil end
  local len = s:byte(i + 1)
  local j = i + 2
  if len >= 0x80 then
    local n = len & 0x7f
    len = 0
    for k = 0, n - 1 do len = len * 256 + s:byte(j + k) end
    j = j + n
  end
  return tag, j, j + len - 1, j + len
end

-- Children of a constructed value (content from a to b).
function M.children(s, a, b)
  local out = {}
  local i = a
  while i <= b do
    local tag, ca, cb, nx = M.tlv(s, i)
    if not tag then break end
    out[#out + 1] = { tag = tag, a = ca, b = cb, raw_a = i, raw_b = nx - 1 }
    i = nx
  end
  return out
end

local function oid_text(s, a, b)
  local bytes = { s:byte(a, b) }
  local parts = { math.floor(bytes[1] / 40), bytes[1] % 40 }
  local v = 0
  for k = 2, #bytes do
    v = v * 128 + (bytes[k] & 0x7f)
    if bytes[k] < 0x80 then parts[#parts + 1] = v; v = 0 end
  end
  for k = 1, #parts do parts[k] = tostring(math.tointeger(parts[k]) or parts[k]) end
  return table.concat(parts, ".")
end
M.oid_text = oid_text

local function ip_text(raw)
  if #raw == 4 then
    return string.format("%d.%d.%d.%d", raw:byte(1, 4))
  elseif #raw == 16 then
    local g = {}
    for k = 1, 16, 2 do g[#g + 1] = raw:byte(k) * 256 + raw:byte(k + 1) end
    return require("caspian.addr").ipv6_text(g)
  end
  return nil
end

-- Parses a certificate DER. Returns { sans = {{kind, value}...}, has_san, ca, eku = {oids},
-- notbefore, notafter (raw time strings) }.
function M.certificate(der)
  local _, ca, cb = M.tlv(der, 1)
  local cert = M.children(der, ca, cb)
  local tbs = M.children(der, cert[1].a, cert[1].b)
  local k = 1
  if tbs[1].tag == 0xa0 then k = 2 end -- version
  -- serial, signature, issuer, validity, subject, spki
  local validity = M.children(der, tbs[k + 3].a, tbs[k + 3].b)
  local out = {
    sans = {}, has_san = false, ca = false, eku = nil,
    notbefore = der:sub(validity[1].a, validity[1].b), notbefore_tag = validity[1].tag,
    notafter = der:sub(validity[2].a, validity[2].b), notafter_tag = validity[2].tag,
  }
  for idx = k + 6, #tbs do
    if tbs[idx].tag == 0xa3 then
      local seq = M.children(der, tbs[idx].a, tbs[idx].b)[1]
      for _, ext in ipairs(M.children(der, seq.a, seq.b)) do
        local parts = M.children(der, ext.a, ext.b)
        local oid = oid_text(der, parts[1].a, parts[1].b)
        local value = parts[#parts]
        if oid == "2.5.29.17" then
          out.has_san = true
          local names = M.children(der, value.a, value.b)[1]
          for _, gn in ipairs(M.children(der, names.a, names.b)) do
            local raw = der:sub(gn.a, gn.b)
            if gn.tag == 0x82 then
              out.sans[#out.sans + 1] = { kind = "dns", value = raw }
            elseif gn.tag == 0x87 then
              out.sans[#out.sans + 1] = { kind = "ip", value = ip_text(raw) or raw }
            elseif gn.tag == 0x81 then
              out.sans[#out.sans + 1] = { kind = "email", value = raw }
            elseif gn.tag == 0x86 then
              out.sans[#out.sans + 1] = { kind = "uri", value = raw }
            end
          end
        elseif oid == "2.5.29.19" then
          local bc = M.children(der, value.a, value.b)[1]
          for _, f in ipairs(M.children(der, bc.a, bc.b)) do
            if f.tag == 0x01 and der:byte(f.a) ~= 0 then out.ca = true end
          end
        elseif oid == "2.5.29.37" then
          out.eku = {}
          local seq2 = M.children(der, value.a, value.b)[1]
          for _, o in ipairs(M.children(der, seq2.a, seq2.b)) do
            out.eku[#out.eku + 1] = oid_text(der, o.a, o.b)
          end
        end
      end
    end
  end
  return out
end

-- ASN.1 UTCTime / GeneralizedTime to RFC 3339 UTC.
function M.rfc3339(raw, tag)
  local y, rest
  if tag == 0x17 then
    local yy = tonumber(raw:sub(1, 2))
    y = (yy >= 50) and (1900 + yy) or (2000 + yy)
    rest = raw:sub(3)
  else
    y = tonumber(raw:sub(1, 4))
    rest = raw:sub(5)
  end
  local mo, d, h, mi, s = rest:match("^(%d%d)(%d%d)(%d%d)(%d%d)(%d%d)")
  return string.format("%04d-%s-%sT%s:%s:%sZ", y, mo, d, h, mi, s)
end

local function len_bytes(n)
  if n < 0x80 then return string.char(n) end
  local t = {}
  while n > 0 do table.insert(t, 1, string.char(n & 0xff)); n = n >> 8 end
  return string.char(0x80 | #t) .. table.concat(t)
end

local function enc(tag, content)
  return string.char(tag) .. len_bytes(#content) .. content
end

-- An RFC 5958 v2 OneAsymmetricKey (version 1, with the [1] public key) re-encoded as a v1
-- PKCS#8 PrivateKeyInfo, which OpenSSL 3.0 reads. Returns PEM text, or nil if not needed.
function M.pkcs8_v1(pem_text)
  local blocks = M.pem_blocks(pem_text, "PRIVATE KEY")
  if #blocks ~= 1 then return nil end
  local der = blocks[1]
  local ok, result = pcall(function()
    local _, a, b = M.tlv(der, 1)
    local parts = M.children(der, a, b)
    if #parts < 3 or parts[1].tag ~= 0x02 or der:sub(parts[1].a, parts[1].b) ~= "\1" then return nil end
    local body = enc(0x02, "\0") .. der:sub(parts[2].raw_a, parts[2].raw_b) .. der:sub(parts[3].raw_a, parts[3].raw_b)
    local out = enc(0x30, body)
    local b64 = mime.b64(out)
    local lines = {}
    for i = 1, #b64, 64 do lines[#lines + 1] = b64:sub(i, i + 63) end
    return "-----BEGIN PRIVATE KEY-----\n" .. table.concat(lines, "\n") .. "\n-----END PRIVATE KEY-----\n"
  end)
  if ok then return result end
  return nil
end

return M
