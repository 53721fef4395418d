//! The clauses of the spec and of its settled decisions, as numbered in `spec/clauses.md`.
//! A test checks this table against that file whenever it is present beside the workspace.

/// One numbered clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    pub id: &'static str,
    /// The section of clauses.md it stands in.
    pub section: &'static str,
    pub text: &'static str,
}

/// Every clause, in the order of clauses.md, then the decisions of CONFORMANCE.md.
pub const CLAUSES: &[Clause] = &[
    Clause {
        id: "TCP-OPEN",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`%net.tcp(host, port)` opens a connection synchronously",
    },
    Clause {
        id: "TCP-OPEN-NEW",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.new(host:, port:, timeout:)` is equivalent; `timeout` is the connect timeout and the socket's initial `.timeout`",
    },
    Clause {
        id: "TCP-OPEN-DENIED",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "raises when the host is not allowlisted, before any DNS query or packet",
    },
    Clause {
        id: "TCP-OPEN-REFUSED",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "raises when the connection is refused",
    },
    Clause {
        id: "TCP-OPEN-DNS",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "raises when DNS fails",
    },
    Clause {
        id: "TCP-OPEN-TIMEOUT",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "raises when the connect times out",
    },
    Clause {
        id: "TCP-ACCEPTED",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "a socket returned by `listener.accept` is a full tcp socket",
    },
    Clause {
        id: "TCP-SEND",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.send(bytes)` returns the number of bytes written (may be fewer than given)",
    },
    Clause {
        id: "TCP-SEND-ALL",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.send_all(bytes)` returns nil after all bytes are written, or raises",
    },
    Clause {
        id: "TCP-RECV",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.recv(max_bytes, opts?)` blocks until at least one byte or timeout; returns 1..max_bytes bytes",
    },
    Clause {
        id: "TCP-RECV-LINE",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.recv_line(opts?)` returns bytes up to and including the next `\\n`",
    },
    Clause {
        id: "TCP-RECV-EXACT",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.recv_exact(n, opts?)` returns exactly n bytes, or raises",
    },
    Clause {
        id: "TCP-CLOSE",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.close` closes the connection",
    },
    Clause {
        id: "TCP-SHUTDOWN",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.shutdown(direction)` half-closes: `:send`, `:recv` or `:both`",
    },
    Clause {
        id: "TCP-STARTTLS",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.starttls(opts?)` returns an ssl socket; the tcp socket becomes invalid",
    },
    Clause {
        id: "TCP-PROP-HOST",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.host`: remote host",
    },
    Clause {
        id: "TCP-PROP-PORT",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.port`: remote port",
    },
    Clause {
        id: "TCP-PROP-LOCAL-HOST",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.local_host`: local IP bound",
    },
    Clause {
        id: "TCP-PROP-LOCAL-PORT",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.local_port`: local port",
    },
    Clause {
        id: "TCP-PROP-CONNECTED",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.connected?`: true while the socket is open",
    },
    Clause {
        id: "TCP-PROP-TIMEOUT",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "`.timeout`: seconds, readable and settable",
    },
    Clause {
        id: "TCP-EXAMPLE-ECHO",
        section: "TCP socket (`puck.uno/socket/tcp`)",
        text: "the echo-client example in the spec works as written",
    },
    Clause {
        id: "UDP-OPEN",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "`%net.udp`: ephemeral local port, no default peer",
    },
    Clause {
        id: "UDP-OPEN-PEER",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "`%net.udp(host, port)`: a default peer that send and recv use",
    },
    Clause {
        id: "UDP-LISTEN",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "`%net.udp_listen(host, port)`: bound to that address",
    },
    Clause {
        id: "UDP-SEND",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "`.send(bytes)` sends one datagram to the default peer; returns bytes sent",
    },
    Clause {
        id: "UDP-SEND-TO",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "`.send_to(bytes, host, port)` sends one datagram to that peer",
    },
    Clause {
        id: "UDP-RECV",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "`.recv(max_bytes, opts?)` receives one datagram from any peer",
    },
    Clause {
        id: "UDP-RECV-FROM",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "`.recv_from(max_bytes, opts?)` returns `[bytes, host, port]`",
    },
    Clause { id: "UDP-CLOSE", section: "UDP socket (`puck.uno/socket/udp`)", text: "`.close`" },
    Clause {
        id: "UDP-DATAGRAM",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "each datagram is independent: boundaries are kept, no connection state",
    },
    Clause {
        id: "UDP-PERM-SEND",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "send_to, and send to the default peer, check the target against `--allow-net`",
    },
    Clause {
        id: "UDP-PERM-LISTEN",
        section: "UDP socket (`puck.uno/socket/udp`)",
        text: "listening checks the bind port against `--allow-listen`",
    },
    Clause {
        id: "SSL-OPEN",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`.new(host:, port:)` connects with TLS from the first byte",
    },
    Clause {
        id: "SSL-UPGRADE",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`tcp.starttls` upgrades; the old tcp handle is invalid, the tls one is live",
    },
    Clause {
        id: "SSL-SURFACE",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "the same surface as tcp: send, send_all, recv, recv_line, recv_exact, close, shutdown, and the properties",
    },
    Clause {
        id: "SSL-PEER-CERT",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`.peer_cert`: hash with subject, issuer, fingerprint, validfrom, validuntil, SANs",
    },
    Clause {
        id: "SSL-CIPHER",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`.cipher`: negotiated cipher suite name",
    },
    Clause {
        id: "SSL-PROTOCOL",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`.protocol`: negotiated version, e.g. `TLSv1.3`",
    },
    Clause {
        id: "SSL-OPT-VERIFY",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`verify` defaults to true; false is a deliberate opt-out",
    },
    Clause {
        id: "SSL-OPT-CA-BUNDLE",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`ca_bundle` defaults to the system bundle; a path gives a custom one",
    },
    Clause {
        id: "SSL-OPT-CLIENT-CERT",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`client_cert` + `client_key`: mutual TLS",
    },
    Clause {
        id: "SSL-OPT-SNI",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`sni` defaults to the connect host",
    },
    Clause {
        id: "SSL-OPT-PROTOCOLS",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "`protocols` defaults to `['TLSv1.2', 'TLSv1.3']`",
    },
    Clause {
        id: "SSL-DEFAULT-SAFE",
        section: "TLS socket (`puck.uno/socket/ssl`)",
        text: "out of the box, peers are validated against the system CA bundle",
    },
    Clause {
        id: "LST-OPEN",
        section: "TCP listener (`puck.uno/socket/tcp_listener`)",
        text: "`%net.tcp_listen(host, port)`",
    },
    Clause {
        id: "LST-ACCEPT",
        section: "TCP listener (`puck.uno/socket/tcp_listener`)",
        text: "`.accept(opts?)` blocks until a connection arrives and returns a tcp socket",
    },
    Clause {
        id: "LST-CLOSE",
        section: "TCP listener (`puck.uno/socket/tcp_listener`)",
        text: "`.close` stops listening and refuses further connections",
    },
    Clause {
        id: "LST-LOCAL-HOST",
        section: "TCP listener (`puck.uno/socket/tcp_listener`)",
        text: "`.local_host`: the address bound",
    },
    Clause {
        id: "LST-LOCAL-PORT",
        section: "TCP listener (`puck.uno/socket/tcp_listener`)",
        text: "`.local_port`: the port bound",
    },
    Clause {
        id: "LST-PERM",
        section: "TCP listener (`puck.uno/socket/tcp_listener`)",
        text: "listening requires the listen grant",
    },
    Clause {
        id: "LST-EXAMPLE-ECHO",
        section: "TCP listener (`puck.uno/socket/tcp_listener`)",
        text: "the echo-server example in the spec works as written",
    },
    Clause {
        id: "PERM-DEFAULT-DENY",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "with no flag, every outbound target and every listen is denied",
    },
    Clause {
        id: "PERM-ALLOW-ALL",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "a bare `--allow-net` (or `--allow-listen`) with no value allows all of its kind",
    },
    Clause {
        id: "PERM-GRAMMAR",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "a value is a comma-separated list. `--allow-net` entries: `host`, `host:port`, `host:lo-hi`, `*.suffix`, IPv4 dotted quad, `[IPv6]`, `[IPv6]:port`. `--allow-listen` entries: `port`, `lo-hi`, `host:port`, `host:lo-hi`. An entry with no port allows every port",
    },
    Clause {
        id: "PERM-GRAMMAR-INVALID",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "an invalid entry stops the engine at start with an error naming it; nothing is silently ignored",
    },
    Clause {
        id: "PERM-NAME-NORMAL",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "host names match case-insensitively and without a trailing dot",
    },
    Clause {
        id: "PERM-WILDCARD",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "`*.example.com` matches any name below example.com, not example.com itself",
    },
    Clause {
        id: "PERM-LITERAL",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "names and IP literals are compared as written, never through DNS: `localhost` does not grant `127.0.0.1` nor the reverse. IP literals are parsed strictly (four decimal octets; bracketed IPv6), so `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1` are names, not addresses, and match no IP entry. `::ffff:a.b.c.d` is the IPv4 address a.b.c.d",
    },
    Clause {
        id: "PERM-BEFORE-IO",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "a denied target causes no DNS query, no packet and no socket: the check comes first",
    },
    Clause {
        id: "PERM-SEPARATE",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "`--allow-net` never allows listening, and `--allow-listen` never allows connecting",
    },
    Clause {
        id: "PERM-UDP-PEER",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "`%net.udp(host, port)` checks its default peer at construction (it would otherwise have to resolve a denied name) and every send checks its target",
    },
    Clause {
        id: "PERM-ERROR",
        section: "Settled: permissions (`--allow-net`, `--allow-listen`)",
        text: "a denial raises `PermissionDenied`, whose message names the target and the flag entry that would grant it",
    },
    Clause {
        id: "IO-TIMEOUT-DEFAULT",
        section: "Settled: I/O model",
        text: "every socket starts with `.timeout` 30 seconds unless given; `nil` means wait forever; a per-call `timeout:` option overrides it for that call; a negative or non-number timeout is an ArgumentError",
    },
    Clause {
        id: "IO-EOF",
        section: "Settled: I/O model",
        text: "`recv` returns the empty string only at end of stream; every other return has at least one byte",
    },
    Clause {
        id: "IO-NOTHING-LOST",
        section: "Settled: I/O model",
        text: "no operation that raises (Timeout, EndOfStream, line too long) consumes data: what was received stays buffered for the next call",
    },
    Clause {
        id: "IO-LINE-EOF",
        section: "Settled: I/O model",
        text: "`recv_line` at end of stream raises EndOfStream; a partial line stays readable by `recv`",
    },
    Clause {
        id: "IO-LINE-MAX",
        section: "Settled: I/O model",
        text: "`recv_line` takes a `max_length` option (default 1 MiB): past it, it raises without consuming; memory stays bounded whatever the peer sends",
    },
    Clause {
        id: "IO-EXACT-ZERO",
        section: "Settled: I/O model",
        text: "`recv_exact(0)` returns the empty string; n < 0 is an ArgumentError",
    },
    Clause {
        id: "IO-CLOSE-IDEMPOTENT",
        section: "Settled: I/O model",
        text: "`close` twice is not an error; any other operation after close raises Closed",
    },
    Clause {
        id: "IO-SHUTDOWN-READ",
        section: "Settled: I/O model",
        text: "after `shutdown(:recv)`, recv returns the empty string; after `shutdown(:send)` the peer reads end of stream and this side still receives",
    },
    Clause {
        id: "IO-STARTTLS-BUFFER",
        section: "Settled: I/O model",
        text: "`starttls` with unread plaintext already buffered raises TlsError and does not upgrade (it would let an attacker inject data into the TLS session)",
    },
    Clause {
        id: "IO-UDP-TRUNCATE",
        section: "Settled: I/O model",
        text: "a datagram longer than max_bytes is truncated to max_bytes; the rest of that datagram is discarded",
    },
    Clause {
        id: "IO-UDP-PEER-FILTER",
        section: "Settled: I/O model",
        text: "a socket with a default peer receives only that peer's datagrams",
    },
    Clause {
        id: "IO-ACCEPT-TIMEOUT",
        section: "Settled: I/O model",
        text: "`accept` waits forever unless given a `timeout:` option",
    },
    Clause {
        id: "TLS-PEER-CERT-FORMAT",
        section: "Settled: TLS details",
        text: "subject and issuer as RFC 4514 strings; fingerprint the SHA-256 of the DER, lowercase hex; validfrom and validuntil as RFC 3339 UTC; `sans` an array of strings, DNS names as written, IPs in canonical text form",
    },
    Clause {
        id: "TLS-CIPHER-NAME",
        section: "Settled: TLS details",
        text: "the IANA name, e.g. `TLS_AES_128_GCM_SHA256`",
    },
    Clause {
        id: "TLS-PROTOCOLS-VALID",
        section: "Settled: TLS details",
        text: "only `TLSv1.2` and `TLSv1.3` may be named; anything else, or an empty list, is an ArgumentError",
    },
    Clause {
        id: "TLS-CA-REPLACES",
        section: "Settled: TLS details",
        text: "a `ca_bundle` replaces the system bundle; it does not add to it",
    },
    Clause {
        id: "TLS-SYSTEM-BUNDLE",
        section: "Settled: TLS details",
        text: "the system bundle is the platform's, honouring `SSL_CERT_FILE` and `SSL_CERT_DIR` as OpenSSL does",
    },
    Clause {
        id: "TLS-SNI-NAME",
        section: "Settled: TLS details",
        text: "`sni` is both the name sent and the name verified; no SNI is sent for an IP-literal host",
    },
    Clause {
        id: "TLS-CLIENT-PAIR",
        section: "Settled: TLS details",
        text: "`client_cert` without `client_key`, or the reverse, is an ArgumentError",
    },
    Clause {
        id: "TLS-REJECT-ZOO",
        section: "Settled: TLS details",
        text: "with default options the client rejects, each with CertificateError and its reason: expired, not yet valid, wrong host, self-signed, untrusted root, missing intermediate, DNS-only SAN reached by IP, CN without SAN, wildcard too deep or at apex, CA used as end entity, end entity used as CA, path length exceeded, name-constraint violation, server cert with client-only EKU",
    },
    Clause {
        id: "TLS-VERIFY-FALSE",
        section: "Settled: TLS details",
        text: "`verify: false` accepts every certificate above and still negotiates TLS; `peer_cert` is still readable",
    },
    Clause {
        id: "DEC-LINE-TOO-LONG",
        section: DECISIONS,
        text: "D1: a line longer than `max_length` raises ArgumentError with reason `line_too_long` and consumes nothing",
    },
    Clause {
        id: "DEC-HOST-AS-NAMED",
        section: DECISIONS,
        text: "D2: `.host` of an outbound socket is the host as named; of an accepted socket, the peer's IP; `.local_host` is always an IP",
    },
    Clause {
        id: "DEC-CONNECTED-UNTIL-CLOSE",
        section: DECISIONS,
        text: "D3: `.connected?` is false after `close` (and on a tcp handle after `starttls`); it stays true after `shutdown` and after the peer closes",
    },
    Clause {
        id: "DEC-SHUTDOWN-HALVES",
        section: DECISIONS,
        text: "D4: after `shutdown(:recv)` buffered bytes are dropped and every recv sees end of stream; after `shutdown(:send)` send raises Closed; `shutdown` twice is not an error",
    },
    Clause {
        id: "DEC-RESERVED-NAMES",
        section: DECISIONS,
        text: "D5: `localhost` and names below it resolve to loopback, names under `.invalid` fail with HostNotFound, without a query (RFC 6761)",
    },
    Clause {
        id: "DEC-OS-ERRORS",
        section: DECISIONS,
        text: "D6: OS errors without a class of their own (broken pipe, aborted connection) are ConnectionReset; EACCES on bind is PermissionDenied",
    },
    Clause {
        id: "DEC-UDP-ARGUMENTS",
        section: DECISIONS,
        text: "D7: `udp.send` without a default peer is an ArgumentError naming `peer`; a datagram over 65,507 bytes an ArgumentError naming `bytes`",
    },
    Clause {
        id: "DEC-UDP-PROPERTIES",
        section: DECISIONS,
        text: "D8: udp sockets have `.timeout` (30 s by default), `.local_host` and `.local_port`",
    },
    Clause {
        id: "DEC-ACCEPTED-TIMEOUT",
        section: DECISIONS,
        text: "D9: sockets returned by `accept` start with the 30 s default timeout",
    },
    Clause {
        id: "DEC-LISTEN-PORT-ZERO",
        section: DECISIONS,
        text: "D10: listening on port 0 needs a grant that covers port 0",
    },
    Clause {
        id: "DEC-TLS-EOF",
        section: DECISIONS,
        text: "D11: a TLS peer that closes without close_notify has ended the stream; it is not an error",
    },
    Clause {
        id: "DEC-TLS-FILES",
        section: DECISIONS,
        text: "D12: an unreadable or unusable `ca_bundle`, `client_cert` or `client_key` is an ArgumentError naming it, before any I/O; `protocols` may repeat a name",
    },
    Clause {
        id: "DEC-HOST-SYNTAX",
        section: DECISIONS,
        text: "D13: a target host that is empty or holds a NUL or white space is an ArgumentError; a host neither a valid name nor an IP literal is granted only by a bare `--allow-net`",
    },
    Clause {
        id: "DEC-CLOSE-NOTIFY",
        section: DECISIONS,
        text: "D14: `close` on a TLS socket sends close_notify (waiting at most one second), then closes",
    },
    Clause {
        id: "DEC-STARTTLS-AFTER-SHUTDOWN",
        section: DECISIONS,
        text: "D15: `starttls` after `shutdown(:send)` raises Closed and does not upgrade; the tcp socket stays usable for reading",
    },
    Clause {
        id: "DEC-ARGUMENTS-FIRST",
        section: DECISIONS,
        text: "D16: arguments are checked before the socket's state: a bad argument on a closed socket is an ArgumentError, not Closed",
    },
    Clause {
        id: "DEC-LISTEN-LOCAL",
        section: DECISIONS,
        text: "D17: listening on an address that is not one of the machine's is an ArgumentError naming it",
    },
    Clause {
        id: "DEC-TIMEOUT-WHOLE-CALL",
        section: DECISIONS,
        text: "D18: a call's timeout bounds the whole call from its start: bytes arriving during it, however slowly, do not restart it",
    },
    Clause {
        id: "DEC-HANDSHAKE-BROKEN",
        section: DECISIONS,
        text: "D19: a handshake the peer breaks fails within the call's timeout: ConnectionReset when the peer resets, TlsError when it hangs up or sends what no TLS server sends (not TLS, an alert, an oversized record, a chain over 100 KiB)",
    },
];

/// The section of the decisions CONFORMANCE.md adds on top of clauses.md (D1 to D19): traced
/// like clauses, each with a case.
pub const DECISIONS: &str = "Decisions (CONFORMANCE.md)";

/// The clause with this ID.
pub fn clause(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|c| c.id == id)
}
