package main

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// tlsRecord is the most plaintext one TLS record carries.
const tlsRecord = 16384

// closeNotifyWait bounds close's close_notify (D14).
const closeNotifyWait = time.Second

// tlsOptions are an ssl socket's checked options (checked before any I/O, D12, D16).
type tlsOptions struct {
	verify    bool
	sni       string // "" when absent
	roots     *trustStore
	minVer    uint16
	maxVer    uint16
	clientKey []tls.Certificate
}

var tlsVersions = map[string]uint16{"TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}

// parseTLSOptions reads the `tls` object: verify, protocols, sni, the client pair and the trust
// store, each an ArgumentError naming the option when unusable (TLS-PROTOCOLS-VALID,
// TLS-CLIENT-PAIR, D12).
func parseTLSOptions(opts fields, env map[string]string) (*tlsOptions, *Error) {
	o := &tlsOptions{verify: !naive["verify"], minVer: tls.VersionTLS12, maxVer: tls.VersionTLS13}
	if opts.present("verify") {
		v, ok := opts["verify"].(bool)
		if !ok {
			return nil, protocolError("field tls.verify: expected a boolean")
		}
		o.verify = v
	}
	if opts.present("protocols") {
		list, ok := opts["protocols"].([]interface{})
		if !ok {
			return nil, protocolError("field tls.protocols: expected an array of strings")
		}
		if len(list) == 0 {
			return nil, argumentError("protocols", "must name at least one of TLSv1.2 and TLSv1.3")
		}
		o.minVer, o.maxVer = tls.VersionTLS13, tls.VersionTLS12
		for _, item := range list {
			name, _ := item.(string)
			v, known := tlsVersions[name]
			if !known {
				return nil, argumentError("protocols", "unsupported protocol %q: only TLSv1.2 and TLSv1.3", name)
			}
			if v < o.minVer {
				o.minVer = v
			}
			if v > o.maxVer {
				o.maxVer = v
			}
		}
	}
	sni, err := opts.str("sni", false)
	if err != nil {
		return nil, err
	}
	if opts.present("sni") {
		if err := checkHost("sni", sni); err != nil {
			return nil, err
		}
		o.sni = sni
	}
	certFile, err := opts.str("client_cert", false)
	if err != nil {
		return nil, err
	}
	keyFile, err := opts.str("client_key", false)
	if err != nil {
		return nil, err
	}
	switch {
	case opts.present("client_cert") && !opts.present("client_key"):
		return nil, argumentError("client_key", "client_cert was given without client_key")
	case opts.present("client_key") && !opts.present("client_cert"):
		return nil, argumentError("client_cert", "client_key was given without client_cert")
	case opts.present("client_cert"):
		pair, err := loadClientPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		o.clientKey = []tls.Certificate{pair}
	}
	if opts.present("ca_bundle") {
		path, err := opts.str("ca_bundle", true)
		if err != nil {
			return nil, err
		}
		if o.roots, err = loadBundle(path); err != nil {
			return nil, err
		}
	} else if o.verify {
		o.roots = systemRoots(env)
	}
	return o, nil
}

// loadClientPair reads the client certificate and key; each unusable file is an ArgumentError
// naming its option, a key that is not the certificate's names client_key.
func loadClientPair(certFile, keyFile string) (tls.Certificate, *Error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, argumentError("client_cert", "cannot read %s: %v", certFile, err)
	}
	if !strings.Contains(string(certPEM), "-----BEGIN CERTIFICATE-----") {
		return tls.Certificate{}, argumentError("client_cert", "%s holds no PEM certificate", certFile)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, argumentError("client_key", "cannot read %s: %v", keyFile, err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		if strings.Contains(err.Error(), "certificate") && !strings.Contains(err.Error(), "private key") {
			return tls.Certificate{}, argumentError("client_cert", "%s is not usable: %v", certFile, err)
		}
		return tls.Certificate{}, argumentError("client_key", "%s is not usable with %s: %v", keyFile, certFile, err)
	}
	return pair, nil
}

// loadBundle reads a ca_bundle, which replaces the system store (TLS-CA-REPLACES).
func loadBundle(path string) (*trustStore, *Error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, argumentError("ca_bundle", "cannot read %s: %v", path, err)
	}
	store := newTrustStore()
	if store.addPEM(text) == 0 {
		return nil, argumentError("ca_bundle", "%s holds no PEM certificate", path)
	}
	return store, nil
}

// The default locations Go's crypto/x509 reads on Linux.
var (
	systemCertFiles = []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem", "/etc/pki/tls/cacert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem"}
	systemCertDirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}
	rootsCache     = map[string]*trustStore{}
)

// systemRoots is the system trust store as crypto/x509 builds it, but honouring the session's
// SSL_CERT_FILE and SSL_CERT_DIR (TLS-SYSTEM-BUNDLE): x509.SystemCertPool reads the process
// environment once and caches it.
func systemRoots(env map[string]string) *trustStore {
	lookup := func(name string) string {
		if v, ok := env[name]; ok {
			return v
		}
		return os.Getenv(name)
	}
	files, dirs := systemCertFiles, systemCertDirs
	if f := lookup("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	if d := lookup("SSL_CERT_DIR"); d != "" {
		dirs = strings.Split(d, ":")
	}
	key := strings.Join(files, ":") + "|" + strings.Join(dirs, ":")
	for _, path := range append(append([]string{}, files...), dirs...) {
		if info, err := os.Stat(path); err == nil {
			key += "|" + info.ModTime().String()
		}
	}
	if pool, ok := rootsCache[key]; ok {
		return pool
	}
	pool := newTrustStore()
	for _, f := range files {
		if text, err := os.ReadFile(f); err == nil {
			pool.addPEM(text)
			break
		}
	}
	for _, d := range dirs {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if text, err := os.ReadFile(d + "/" + e.Name()); err == nil {
				pool.addPEM(text)
			}
		}
	}
	rootsCache[key] = pool
	return pool
}

// tlsPipe is the connection crypto/tls runs over: the TCP transport with the current call's
// deadline. A tls.Conn whose write times out is broken for good, so during a send the bytes
// the kernel cannot take by the deadline are kept here (pending) and written first by the next
// call; the tls.Conn never sees the timeout.
type tlsPipe struct {
	t        *tcpTransport
	deadline time.Time
	pending  []byte
	stash    bool
}

func (p *tlsPipe) Read(b []byte) (int, error) { return p.t.read(b, p.deadline) }

func (p *tlsPipe) Write(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		n, err := p.t.write(b[written:], p.deadline)
		if err == errTimeout && p.stash {
			p.pending = append(p.pending, b[written:]...)
			return len(b), nil
		}
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

// flush writes what an earlier call left pending, before the deadline.
func (p *tlsPipe) flush() error {
	for len(p.pending) > 0 {
		n, err := p.t.write(p.pending, p.deadline)
		if err != nil {
			return err
		}
		p.pending = p.pending[n:]
	}
	p.pending = nil
	return nil
}

func (p *tlsPipe) Close() error                     { return p.t.close() }
func (p *tlsPipe) LocalAddr() net.Addr              { return p.t.c.LocalAddr() }
func (p *tlsPipe) RemoteAddr() net.Addr             { return p.t.c.RemoteAddr() }
func (p *tlsPipe) SetDeadline(time.Time) error      { return nil }
func (p *tlsPipe) SetReadDeadline(time.Time) error  { return nil }
func (p *tlsPipe) SetWriteDeadline(time.Time) error { return nil }

// tlsTransport is a TLS session as a Stream's transport.
type tlsTransport struct {
	c    *tls.Conn
	pipe *tlsPipe
}

func (t *tlsTransport) read(b []byte, deadline time.Time) (int, error) {
	t.pipe.deadline = deadline
	n, err := t.c.Read(b)
	if n == 0 && err != nil && isTimeout(err) {
		return 0, errTimeout
	}
	return n, err
}

// write encrypts at most one record, after the ciphertext an earlier call left pending.
func (t *tlsTransport) write(b []byte, deadline time.Time) (int, error) {
	t.pipe.deadline = deadline
	if err := t.pipe.flush(); err != nil {
		return 0, err
	}
	if len(b) > tlsRecord {
		b = b[:tlsRecord]
	}
	t.pipe.stash = true
	defer func() { t.pipe.stash = false }()
	return t.c.Write(b)
}

// closeWrite sends close_notify, then the FIN.
func (t *tlsTransport) closeWrite() error {
	t.pipe.deadline = time.Now().Add(closeNotifyWait)
	if err := t.pipe.flush(); err == nil {
		_ = t.c.CloseWrite()
	}
	return t.pipe.t.closeWrite()
}

// close sends close_notify, waiting at most a second, then closes (D14).
func (t *tlsTransport) close() error {
	t.pipe.deadline = time.Now().Add(closeNotifyWait)
	if err := t.pipe.flush(); err != nil {
		return t.pipe.Close()
	}
	return t.c.Close()
}

// tlsInfo answers an ssl socket's own properties.
type tlsInfo struct {
	state tls.ConnectionState
	cert  *certValue
}

func (i *tlsInfo) get(property string) (interface{}, bool) {
	switch property {
	case "peer_cert":
		if i.cert == nil {
			return "nil", true
		}
		return valueCert(i.cert), true
	case "cipher":
		return valueStr(tls.CipherSuiteName(i.state.CipherSuite)), true
	case "protocol":
		return valueStr(map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}[i.state.Version]), true
	}
	return nil, false
}

// handshake runs the TLS handshake over t before the deadline and verifies the peer.
// crypto/tls's own verification is off (InsecureSkipVerify) and done in VerifyConnection
// instead, to give each failure its CertificateError reason. tls.Config.ServerName is both the
// SNI and the name Go would verify; here it is the SNI only, and Go sends none for an IP
// literal (TLS-SNI-NAME).
func handshake(t *tcpTransport, o *tlsOptions, host string, port int64, deadline time.Time) (*tlsTransport, *tlsInfo, *Error) {
	where := target(host, port)
	name := host
	if o.sni != "" && !naive["sni"] {
		name = o.sni
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	var verifyErr *Error
	cfg := &tls.Config{
		ServerName:         name,
		InsecureSkipVerify: true,
		MinVersion:         o.minVer,
		MaxVersion:         o.maxVer,
		Certificates:       o.clientKey,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if !o.verify {
				return nil
			}
			verifyErr = verifyPeer(cs.PeerCertificates, o.roots, name, where)
			if verifyErr != nil {
				return verifyErr
			}
			return nil
		},
	}
	pipe := &tlsPipe{t: t, deadline: deadline}
	c := tls.Client(pipe, cfg)
	if err := c.Handshake(); err != nil {
		_ = t.close()
		if verifyErr != nil {
			return nil, nil, verifyErr
		}
		return nil, nil, handshakeError(err, where)
	}
	state := c.ConnectionState()
	info := &tlsInfo{state: state}
	if len(state.PeerCertificates) > 0 {
		info.cert = peerCertValue(state.PeerCertificates[0])
	}
	return &tlsTransport{c: c, pipe: pipe}, info, nil
}

// handshakeError classifies a failed handshake (D19): a reset is ConnectionReset, a timeout
// Timeout, a certificate that does not parse CertificateError bad_encoding, the rest TlsError.
func handshakeError(err error, where string) *Error {
	switch {
	case isTimeout(err):
		return newError("Timeout", "TLS handshake with %s timed out", where)
	case isReset(err):
		return newError("ConnectionReset", "TLS handshake with %s: the connection was reset by the peer", where)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return newError("TlsError", "TLS handshake with %s failed: the peer closed the connection", where)
	case strings.Contains(err.Error(), "failed to parse certificate"):
		return certificateError("bad_encoding", "certificate of %s rejected: %v", where, err)
	}
	return newError("TlsError", "TLS handshake with %s failed: %v", where, err)
}

// openSSL is `ssl(host, port, ...)`: arguments and options, the permission (the connect host's,
// never the sni's), then the connection and the handshake, all within the timeout.
func openSSL(p *Policy, req fields, env map[string]string) (*Stream, *Error) {
	host, port, timeout, err := streamArguments(req)
	if err != nil {
		return nil, err
	}
	opts, err := req.object("tls")
	if err != nil {
		return nil, err
	}
	o, err := parseTLSOptions(opts, env)
	if err != nil {
		return nil, err
	}
	if err := p.checkConnect(host, port); err != nil {
		return nil, err
	}
	deadline := timeout.deadline(time.Now())
	t, err := dial(host, port, deadline)
	if err != nil {
		return nil, err
	}
	conn, info, err := handshake(t, o, host, port, deadline)
	if err != nil {
		return nil, err
	}
	s := newStream("ssl", t, host, port, timeout)
	s.conn, s.tls = conn, info
	return s, nil
}

// starttls upgrades a tcp socket. Bad options leave it as it was; so does buffered plaintext,
// refused with TlsError (IO-STARTTLS-BUFFER), and a shut-down half (Closed, D15). Once the
// handshake starts the tcp handle is done with: it is Closed whatever the outcome.
func starttls(s *Stream, req fields, env map[string]string) (*Stream, *Error) {
	if s.kind != "tcp" {
		return nil, argumentError("handle", "starttls needs a tcp socket")
	}
	opts, err := req.object("tls")
	if err != nil {
		return nil, err
	}
	o, err := parseTLSOptions(opts, env)
	if err != nil {
		return nil, err
	}
	if err := s.ensureOpen(); err != nil {
		return nil, err
	}
	if s.shutSend {
		return nil, newError("Closed", "starttls on %s: sending was shut down", s.target())
	}
	if s.shutRecv {
		return nil, newError("Closed", "starttls on %s: receiving was shut down", s.target())
	}
	if len(s.buf) == 0 && !s.eof {
		if _, err := s.more(time.Now(), readChunk); err != nil {
			return nil, err
		}
	}
	if len(s.buf) > 0 {
		return nil, newError("TlsError", "starttls on %s refused: %d bytes of plaintext are buffered unread (they could be injected)", s.target(), len(s.buf))
	}
	conn, info, err := handshake(s.tcp, o, s.host, s.port, s.timeout.deadline(time.Now()))
	if err != nil {
		s.closed = true
		return nil, err
	}
	s.moved = true
	upgraded := *s
	upgraded.kind, upgraded.conn, upgraded.tls, upgraded.moved = "ssl", conn, info, false
	upgraded.buf = nil
	return &upgraded, nil
}
