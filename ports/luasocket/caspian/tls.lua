-- Caspian ssl sockets on LuaSec 1.2 (OpenSSL 3).
--
-- LuaSec verifies the chain only when asked (verify = "peer") and never checks the host name
-- (lunarmodules/luasec issue 161); Caspian verifies both by default. So: verify = "peer" with
-- the chosen trust store, "lsec_continue" so that OpenSSL records every chain error instead of
-- aborting with a bare "certificate verify failed", then this module maps those errors to
-- CertificateError reasons, checks the leaf's own basicConstraints (OpenSSL accepts a CA:true
-- leaf) and matches the subjectAltName DNS names / IP addresses against the sni or host.

local socket = require("socket")
local ssl = require("ssl")
local addr = require("caspian.addr")
local der = require("caspian.der")
local errors = require("caspian.errors")
local net = require("caspian.net")
local permissions = require("caspian.permissions")

local raise = errors.raise
local argument = errors.argument

local M = {}
M.naive = {}
M.env = {}

local PROTOCOLS = { ["TLSv1.2"] = "tlsv1_2", ["TLSv1.3"] = "tlsv1_3" }

-- OpenSSL TLS 1.2 suite names to IANA names (TLS-CIPHER-NAME).
local IANA = {
  ["ECDHE-ECDSA-AES128-GCM-SHA256"] = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  ["ECDHE-ECDSA-AES256-GCM-SHA384"] = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  ["ECDHE-ECDSA-CHACHA20-POLY1305"] = "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  ["ECDHE-RSA-AES128-GCM-SHA256"] = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  ["ECDHE-RSA-AES256-GCM-SHA384"] = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  ["ECDHE-RSA-CHACHA20-POLY1305"] = "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  ["ECDHE-ECDSA-AES128-SHA256"] = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  ["ECDHE-ECDSA-AES256-SHA384"] = "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
  ["ECDHE-RSA-AES128-SHA256"] = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
  ["ECDHE-RSA-AES256-SHA384"] = "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
  ["ECDHE-ECDSA-AES128-SHA"] = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  ["ECDHE-ECDSA-AES256-SHA"] = "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  ["ECDHE-RSA-AES128-SHA"] = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  ["ECDHE-RSA-AES256-SHA"] = "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  ["DHE-RSA-AES128-GCM-SHA256"] = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
  ["DHE-RSA-AES256-GCM-SHA384"] = "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
  ["DHE-RSA-CHACHA20-POLY1305"] = "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  ["AES128-GCM-SHA256"] = "TLS_RSA_WITH_AES_128_GCM_SHA256",
  ["AES256-GCM-SHA384"] = "TLS_RSA_WITH_AES_256_GCM_SHA384",
}

-- OpenSSL verification error strings to CertificateError reasons.
local REASONS = {
  { "has expired", "expired" },
  { "not yet valid", "not_yet_valid" },
  { "crl has expired", "other" },
  { "revoked", "revoked" },
  { "path length", "path_length" },
  { "subtree violation", "name_constraint" },
  { "name constraint", "name_constraint" },
  { "invalid ca certificate", "bad_usage" },
  { "unsuitable certificate purpose", "bad_usage" },
  { "unsupported certificate purpose", "bad_usage" },
  { "key usage", "bad_usage" },
  { "invalid non-ca", "bad_usage" },
  { "self-signed", "unknown_issuer" },
  { "self signed", "unknown_issuer" },
  { "local issuer", "unknown_issuer" },
  { "issuer certificate", "unknown_issuer" },
  { "unable to verify the first certificate", "unknown_issuer" },
  { "untrusted", "unknown_issuer" },
  { "certificate rejected", "unknown_issuer" },
  { "signature failure", "bad_signature" },
  { "decode", "bad_encoding" },
  { "format error", "bad_encoding" },
  { "hostname mismatch", "name_mismatch" },
  { "ip address mismatch", "name_mismatch" },
}

local function reason_of(message)
  local m = message:lower()
  for _, pair in ipairs(REASONS) do
    if m:find(pair[1], 1, true) then return pair[2] end
  end
  return "other"
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

local function file_exists(path)
  local f = io.open(path, "rb")
  if f then f:close(); return true end
  return false
end

local temp_files = {}
function M.cleanup()
  for _, p in ipairs(temp_files) do os.remove(p) end
  temp_files = {}
end

-- Checks every TLS option before any I/O (TLS-PROTOCOLS-VALID, TLS-CLIENT-PAIR, D12) and
-- builds the LuaSec context.
function M.context(tls)
  tls = tls or {}
  local verify = tls.verify
  if verify == nil then verify = not M.naive.verify end
  if type(verify) ~= "boolean" then argument("verify", "must be true or false") end
  local protocols = tls.protocols
  if protocols == nil then protocols = { "TLSv1.2", "TLSv1.3" } end
  if type(protocols) ~= "table" or #protocols == 0 then
    argument("protocols", "must name at least one of TLSv1.2 and TLSv1.3")
  end
  local wanted = {}
  for _, p in ipairs(protocols) do
    if not PROTOCOLS[p] then
      argument("protocols", string.format("unsupported protocol %q: only TLSv1.2 and TLSv1.3", tostring(p)))
    end
    wanted[p] = true
  end
  if tls.sni ~= nil and (type(tls.sni) ~= "string" or addr.bad_host(tls.sni)) then
    argument("sni", string.format("%q is not a host name or address", tostring(tls.sni)))
  end
  if tls.client_cert and not tls.client_key then
    argument("client_key", "client_cert was given without client_key")
  end
  if tls.client_key and not tls.client_cert then
    argument("client_cert", "client_key was given without client_cert")
  end

  local params = {
    mode = "client",
    protocol = "any",
    options = { "all", "no_sslv2", "no_sslv3", "no_tlsv1", "no_tlsv1_1", "ignore_unexpected_eof" },
    verify = verify and "peer" or "none",
  }
  if not wanted["TLSv1.2"] then table.insert(params.options, "no_tlsv1_2") end
  if not wanted["TLSv1.3"] then table.insert(params.options, "no_tlsv1_3") end
  if verify then params.verifyext = { "lsec_continue" } end

  -- Trust store: ca_bundle replaces the system one (TLS-CA-REPLACES); otherwise OpenSSL's
  -- defaults, honouring SSL_CERT_FILE and SSL_CERT_DIR (LuaSec loads nothing by itself).
  if tls.ca_bundle ~= nil then
    local text = type(tls.ca_bundle) == "string" and read_file(tls.ca_bundle)
    if not text then argument("ca_bundle", string.format("cannot read %s", tostring(tls.ca_bundle))) end
    if #der.pem_blocks(text, "CERTIFICATE") == 0 then
      argument("ca_bundle", string.format("%s holds no PEM certificate", tls.ca_bundle))
    end
    params.cafile = tls.ca_bundle
  else
    local file = M.env.SSL_CERT_FILE or os.getenv("SSL_CERT_FILE") or "/usr/lib/ssl/cert.pem"
    local dir = M.env.SSL_CERT_DIR or os.getenv("SSL_CERT_DIR") or "/usr/lib/ssl/certs"
    if not file_exists(file) and file == "/usr/lib/ssl/cert.pem" then file = "/etc/ssl/certs/ca-certificates.crt" end
    if file_exists(file) then params.cafile = file end
    params.capath = dir
  end

  if tls.client_cert then
    local text = type(tls.client_cert) == "string" and read_file(tls.client_cert)
    if not text or #der.pem_blocks(text, "CERTIFICATE") == 0 then
      argument("client_cert", string.format("cannot read a certificate from %s", tostring(tls.client_cert)))
    end
    local key = type(tls.client_key) == "string" and read_file(tls.client_key)
    if not key or not key:find("PRIVATE KEY", 1, true) then
      argument("client_key", string.format("cannot read a private key from %s", tostring(tls.client_key)))
    end
    params.certificate = tls.client_cert
    -- OpenSSL 3.0 cannot read RFC 5958 v2 keys (with the public key): re-encode as v1.
    local v1 = der.pkcs8_v1(key)
    if v1 then
      local path = os.tmpname()
      local f = io.open(path, "wb")
      f:write(v1)
      f:close()
      temp_files[#temp_files + 1] = path
      params.key = path
    else
      params.key = tls.client_key
    end
  end

  local ctx, err = ssl.newcontext(params)
  if not ctx then
    local e = tostring(err):lower()
    if tls.client_cert and (e:find("key", 1, true)) then
      argument("client_key", string.format("%s is not usable with %s: %s", tls.client_key, tls.client_cert, err))
    elseif tls.client_cert and e:find("certificate", 1, true) and not e:find("locations", 1, true) then
      argument("client_cert", string.format("%s is not usable: %s", tls.client_cert, err))
    elseif tls.ca_bundle then
      argument("ca_bundle", string.format("%s is not usable: %s", tls.ca_bundle, err))
    end
    -- A system trust store OpenSSL cannot load: retry without the file.
    params.cafile = nil
    ctx, err = ssl.newcontext(params)
    if not ctx then raise("TlsError", "cannot set up TLS: " .. tostring(err)) end
  end
  return ctx, verify
end

-- RFC 6125 matching of one presented DNS name against the reference name (lower case).
local function dns_matches(pattern, name)
  -- Test-only (CASPIAN_LUA_NAIVE=hostcase): names compared byte for byte.
  if not M.naive.hostcase then pattern = pattern:lower() end
  if pattern:sub(-1) == "." then pattern = pattern:sub(1, -2) end
  if pattern == name then return true end
  if pattern:sub(1, 2) == "*." and not pattern:sub(3):find("*", 1, true) then
    local suffix = pattern:sub(2) -- ".example.test"
    if #name > #suffix and name:sub(-#suffix) == suffix then
      local label = name:sub(1, #name - #suffix)
      return not label:find(".", 1, true) -- exactly one label, never the apex
    end
  end
  return false
end

-- The leaf checks LuaSec leaves out. Returns nil, or reason and message.
local function check_leaf(info, name)
  if info.ca then return "bad_usage", "the server certificate is a CA certificate (basicConstraints CA:true)" end
  if M.naive.hostcheck then return nil end
  local kind, value = addr.classify(name)
  if not info.has_san then
    return "name_mismatch", "the server certificate has no subjectAltName (a CN is not checked)"
  end
  for _, san in ipairs(info.sans) do
    if (kind == "ipv4" or kind == "ipv6") and san.kind == "ip" then
      local k2, v2 = addr.ip(san.value)
      if k2 and v2 == value then return nil end
    elseif (kind == "name" or M.naive.ipdnssan) and san.kind == "dns" then
      -- Test-only (CASPIAN_LUA_NAIVE=ipdnssan): an IP target's text also matches DNS SANs.
      if dns_matches(san.value, name) then return nil end
    end
  end
  return "name_mismatch", string.format("the server certificate is not valid for %s", name)
end

local function rfc4514(entries)
  local short = { commonName = "CN", organizationName = "O", organizationalUnitName = "OU", countryName = "C",
    localityName = "L", stateOrProvinceName = "ST", domainComponent = "DC", userId = "UID", streetAddress = "STREET" }
  local parts = {}
  for i = #entries, 1, -1 do
    local e = entries[i]
    local key = short[e.name] or e.oid
    local v = tostring(e.value):gsub('([,+"\\<>;])', "\\%1")
    v = v:gsub("^([ #])", "\\%1"):gsub(" $", "\\ ")
    parts[#parts + 1] = key .. "=" .. v
  end
  return table.concat(parts, ",")
end

local function cert_value(cert)
  local info = der.certificate(der.pem_blocks(cert:pem(), "CERTIFICATE")[1])
  local sans = {}
  for _, s in ipairs(info.sans) do
    if s.kind == "dns" or s.kind == "ip" then sans[#sans + 1] = s.value end
  end
  return {
    subject = rfc4514(cert:subject()),
    issuer = rfc4514(cert:issuer()),
    fingerprint = cert:digest("sha256"):lower(),
    validfrom = der.rfc3339(info.notbefore, info.notbefore_tag),
    validuntil = der.rfc3339(info.notafter, info.notafter_tag),
    sans = sans,
  }
end

-- OpenSSL's ASN.1 decoder failures. What a client decodes in a handshake is the server's
-- certificate chain, so one of these means a certificate that is not DER (reason bad_encoding).
local DECODING_ERRORS = { "wrong tag", "header too long", "bad object header", "asn1", "not enough data" }

local function is_decoding_error(message)
  for _, words in ipairs(DECODING_ERRORS) do
    if message:find(words, 1, true) then return true end
  end
  return false
end

-- Handshakes `conn` (wrapped over `raw`) before the deadline, then verifies. Returns the ssl
-- Stream. `fields` carries host, port, local address and timeout.
local function handshake(conn, raw, fields, verify, name, deadline_timeout)
  local target = addr.target(fields.host, fields.port)
  local deadline = deadline_timeout and (socket.gettime() + deadline_timeout) or nil
  conn:settimeout(0)
  while true do
    local ok, err = conn:dohandshake()
    if ok then break end
    if err == "wantread" or err == "wantwrite" or err == "timeout" then
      local left = deadline and math.max(0, deadline - socket.gettime()) or nil
      if left and left <= 0 then
        conn:close()
        raise("Timeout", "TLS handshake with " .. target .. " timed out")
      end
      if err == "wantwrite" then socket.select(nil, { conn }, left) else socket.select({ conn }, nil, left) end
    else
      local e = tostring(err):lower()
      -- LuaSec says "closed" for a hang-up and for a reset alike; a reset connection has no peer
      -- left to name (D19).
      local reset = e == "closed" and not net.lend(conn, raw, "getpeername")
      conn:close()
      if reset then
        raise("ConnectionReset", string.format("TLS handshake with %s: the connection was reset by the peer", target))
      end
      if e == "closed" then
        raise("TlsError", string.format("TLS handshake with %s failed: the peer closed the connection", target))
      end
      if e:find("refused", 1, true) then raise("ConnectionRefused", "connection refused by " .. target) end
      if is_decoding_error(e) then
        raise("CertificateError", string.format("certificate of %s rejected: %s", target, err), "bad_encoding")
      end
      raise("TlsError", string.format("TLS handshake with %s failed: %s", target, err))
    end
  end
  local cert = conn:getpeercertificate()
  if verify then
    local ok, errs = conn:getpeerverification()
    if not ok then
      local first
      if type(errs) == "table" then
        local depths = {}
        for d in pairs(errs) do depths[#depths + 1] = d end
        table.sort(depths)
        for _, d in ipairs(depths) do
          local list = errs[d]
          if type(list) == "table" and list[1] then first = list[1]; break end
          if type(list) == "string" then first = list; break end
        end
      end
      first = first or tostring(errs or "certificate verify failed")
      conn:close()
      raise("CertificateError", string.format("certificate of %s rejected: %s", target, first), reason_of(first))
    end
    if not cert then
      conn:close()
      raise("CertificateError", "the server " .. target .. " sent no certificate", "other")
    end
    local info = der.certificate(der.pem_blocks(cert:pem(), "CERTIFICATE")[1])
    local reason, why = check_leaf(info, name)
    if reason then
      conn:close()
      raise("CertificateError", string.format("certificate of %s rejected: %s", target, why), reason)
    end
  end
  fields.kind = "ssl"
  fields.tls = true
  fields.sock = conn
  fields.raw = raw
  fields.cert = cert
  local s = net.Stream.new(fields)
  s.tls_get = M.get
  s.shutdown_write = M.shutdown_write
  s.close = M.close
  return s
end

function M.get(self, property)
  if property == "peer_cert" then
    if not self.cert then return "nil" end
    self.cert_value = self.cert_value or cert_value(self.cert)
    return { cert = self.cert_value }
  end
  if property == "cipher" then
    local c = self.sock:info("cipher")
    return { str = IANA[c] or c }
  end
  if property == "protocol" then
    return { str = self.sock:info("protocol") }
  end
  argument("property", string.format("%s is not a property of an ssl socket", tostring(property)))
end

-- shutdown(:send) on TLS: LuaSec has no half-close, so the TCP write side is shut down on the
-- original LuaSocket object, lent the descriptor for the call.
function M.shutdown_write(self)
  if M.naive.tlsshutdown then
    -- Test-only: LuaSec's close, which ends the whole session (nothing more can be read).
    self.sock:close()
    return
  end
  local fd = self.sock:getfd()
  self.raw:setfd(fd)
  pcall(self.raw.shutdown, self.raw, "send")
  self.raw:setfd(require("ssl.core").SOCKET_INVALID)
end

-- Test-only (CASPIAN_LUA_NAIVE=closewait): a shutdown that waits for the peer's close_notify
-- and end with no bound. LuaSec's close sends close_notify and closes its descriptor, so a
-- child that inherited the connection reads it to its end, and close waits for the child. The
-- child starts reading once LuaSec's close has made the shared descriptor blocking.
local function close_and_wait(conn)
  local reader = io.popen(string.format("exec bash -c 'sleep 0.2; exec cat <&%d >/dev/null 2>&1'",
    math.tointeger(conn:getfd())))
  conn:close()
  reader:close()
end

-- D14: close sends close_notify (LuaSec's close does SSL_shutdown), then closes.
function M.close(self)
  if self.closed then return nil end
  self.closed = true
  self.buf = ""
  if M.naive.closewait and self.sock:getfd() >= 0 then return close_and_wait(self.sock) end
  self.sock:settimeout(1)
  self.sock:close()
  return nil
end

local function sni_of(host, tls)
  return (tls and tls.sni) or host
end

-- TLS-SNI-NAME: the server_name is `name` (the sni option, else the host), none for an IP literal.
local function set_sni(conn, host, name)
  if M.naive.sniip then
    conn:sni(host) -- Test-only (CASPIAN_LUA_NAIVE=sniip): the connect host, always.
  elseif not addr.ip(name) then
    conn:sni(name)
  end
end

-- The name the certificate must be valid for, without a final dot, in lower case (as given
-- under the test-only hostcase switch).
local function reference_name(name)
  if not M.naive.hostcase then name = name:lower() end
  return (name:gsub("%.$", ""))
end

function M.open(policy, host, port, timeout_arg, tls)
  net.check_host(host)
  port = net.check_port(port, false, host)
  local timeout = net.check_timeout(timeout_arg, net.DEFAULT_TIMEOUT)
  local ctx, verify = M.context(tls)
  local ok, why = permissions.check_connect(policy, host, port)
  if not ok then raise("PermissionDenied", why) end
  local started = socket.gettime()
  local raw, lip, lport = net.connect_raw(host, port, timeout)
  local conn, err = ssl.wrap(raw, ctx)
  if not conn then raw:close(); raise("TlsError", "cannot start TLS with " .. addr.target(host, port) .. ": " .. tostring(err)) end
  local name = sni_of(host, tls)
  set_sni(conn, host, name)
  local left = timeout and math.max(0, timeout - (socket.gettime() - started)) or nil
  return handshake(conn, raw, { host = host, port = port, local_host = lip, local_port = lport, timeout = timeout },
    verify, reference_name(name), left)
end

-- tcp.starttls: refuses when plaintext is buffered (IO-STARTTLS-BUFFER), and invalidates the
-- tcp socket once the upgrade is under way.
function M.starttls(stream, tls)
  if stream.tls then argument("handle", "this socket already speaks TLS") end
  stream:ensure_open()
  local ctx, verify = M.context(tls)
  if stream.shut_send then
    -- D15: the handshake cannot be written after our FIN; the tcp socket keeps its data.
    raise("Closed", "starttls on " .. stream:target() .. ": sending was shut down")
  end
  if stream.shut_recv then
    raise("Closed", "starttls on " .. stream:target() .. ": receiving was shut down")
  end
  -- Anything the peer already sent is plaintext that would be taken as TLS: look without waiting.
  if #stream.buf == 0 and not stream.eof then stream:fill(socket.gettime(), 65536) end
  if #stream.buf > 0 then
    raise("TlsError", string.format(
      "starttls on %s refused: %d bytes of plaintext are buffered unread (they could be injected)",
      stream:target(), #stream.buf))
  end
  local raw = stream.sock
  local conn, err = ssl.wrap(raw, ctx)
  if not conn then raise("TlsError", "cannot start TLS with " .. stream:target() .. ": " .. tostring(err)) end
  stream.closed = true
  stream.moved = true
  local name = sni_of(stream.host, tls)
  set_sni(conn, stream.host, name)
  return handshake(conn, raw, { host = stream.host, port = stream.port, local_host = stream.local_host,
    local_port = stream.local_port, timeout = stream.timeout }, verify, reference_name(name), stream.timeout)
end

return M
