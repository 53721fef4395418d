//! PERM-*: the `--allow-net` and `--allow-listen` permission flags.
//!
//! A denied target is never contacted (PERM-BEFORE-IO), so denials use any name: mostly names
//! under `.invalid`, which never resolve. A grant is proven by what comes after the check:
//! `ConnectionRefused` from a closed port (of the peers' host, or of the engine's own loopback,
//! which in the simulated world is the engine host's), or `HostNotFound` from a granted name under
//! `.invalid` (D5: such names fail to resolve without a query). Listeners bind 127.0.0.1 in both
//! worlds (the simulated network lets a host bind only the unspecified or a loopback address).

use crate::case;
use crate::catalog::{Case, Worlds};
use crate::contract::{
    CallOpts, Feature, Handle, Property, Request, Session, StartError, TlsArgs, Value, Wait,
};
use crate::peers::PeerAddr;
use crate::script::{CaseResult, Ctx, Failure, Script, expect, expect_eq, show};

const NONE: &[Feature] = &[];
const TCP: &[Feature] = &[Feature::Tcp];
const TLS: &[Feature] = &[Feature::Tls];
const UDP: &[Feature] = &[Feature::Udp];
const LISTEN: &[Feature] = &[Feature::Listen];
const TCP_UDP: &[Feature] = &[Feature::Tcp, Feature::Udp];
const TCP_LISTEN: &[Feature] = &[Feature::Tcp, Feature::Listen];
const LISTEN_UDP: &[Feature] = &[Feature::Listen, Feature::Udp];

/// The address listeners bind in both worlds, and the engine's own loopback.
const LOOPBACK: &str = "127.0.0.1";

pub const CASES: &[Case] = &[
    // ---------------------------------------------------------------- PERM-DEFAULT-DENY
    case!(
        "perm.default_deny.tcp",
        ["PERM-DEFAULT-DENY", "TCP-OPEN-DENIED"],
        Must,
        TCP,
        Worlds::Both,
        "with no flags, tcp to the peers' closed port, to 127.0.0.1 and to localhost raises PermissionDenied (not ConnectionRefused)",
        default_deny_tcp
    ),
    case!(
        "perm.default_deny.ssl",
        ["PERM-DEFAULT-DENY", "TCP-OPEN-DENIED"],
        Must,
        TLS,
        Worlds::Both,
        "with no flags, ssl.new to the peers' closed port and to a name under .invalid raises PermissionDenied",
        default_deny_ssl
    ),
    case!(
        "perm.default_deny.udp",
        ["PERM-DEFAULT-DENY", "UDP-PERM-SEND"],
        Must,
        UDP,
        Worlds::Both,
        "with no flags, udp(host, port) to the udp echo peer raises PermissionDenied; a plain udp opens, but its send_to to the peer raises PermissionDenied",
        default_deny_udp
    ),
    case!(
        "perm.default_deny.listen",
        ["PERM-DEFAULT-DENY", "LST-PERM", "UDP-PERM-LISTEN"],
        Must,
        LISTEN_UDP,
        Worlds::Both,
        "with no flags, tcp_listen and udp_listen on 127.0.0.1 (a free port, and port 0) raise PermissionDenied",
        default_deny_listen
    ),
    // ---------------------------------------------------------------- PERM-ALLOW-ALL
    case!(
        "perm.allow_all.net_tcp",
        ["PERM-ALLOW-ALL"],
        Must,
        TCP,
        Worlds::Both,
        "a bare --allow-net lets tcp reach any target: the peers' closed port and 127.0.0.1's raise ConnectionRefused, a name under .invalid HostNotFound",
        allow_all_net_tcp
    ),
    case!(
        "perm.allow_all.net_udp",
        ["PERM-ALLOW-ALL", "UDP-PERM-SEND"],
        Must,
        UDP,
        Worlds::Both,
        "a bare --allow-net lets udp(host, port) and send_to reach the udp echo peer: each datagram comes back unchanged",
        allow_all_net_udp
    ),
    case!(
        "perm.allow_all.listen",
        ["PERM-ALLOW-ALL", "LST-PERM", "UDP-PERM-LISTEN"],
        Must,
        LISTEN_UDP,
        Worlds::Both,
        "a bare --allow-listen lets tcp_listen and udp_listen bind 127.0.0.1 on a free port and on port 0",
        allow_all_listen
    ),
    // ---------------------------------------------------------------- PERM-GRAMMAR (--allow-net)
    case!(
        "perm.grammar.net_host_no_port",
        ["PERM-GRAMMAR"],
        Must,
        TCP,
        Worlds::Both,
        "an entry with no port allows every port: the peers' host grants two closed ports (ConnectionRefused), a name grants ports 1 and 65535 (HostNotFound)",
        grammar_net_host_no_port
    ),
    case!(
        "perm.grammar.net_host_port",
        ["PERM-GRAMMAR"],
        Must,
        TCP,
        Worlds::Both,
        "host:port grants that port only: ConnectionRefused on it, PermissionDenied one above and one below; name:65535 grants 65535 and not 65534",
        grammar_net_host_port
    ),
    case!(
        "perm.grammar.net_port_range",
        ["PERM-GRAMMAR"],
        Must,
        TCP,
        Worlds::Both,
        "host:lo-hi is inclusive: both edges are granted (ConnectionRefused, HostNotFound for a name), one past either edge raises PermissionDenied",
        grammar_net_port_range
    ),
    case!(
        "perm.grammar.net_ipv4",
        ["PERM-GRAMMAR"],
        Must,
        TCP,
        Worlds::Both,
        "an IPv4 entry 127.0.0.1 (and 127.0.0.1:port) grants tcp to 127.0.0.1's closed port (ConnectionRefused); 127.0.0.2 stays denied",
        grammar_net_ipv4
    ),
    case!(
        "perm.grammar.net_ipv6",
        ["PERM-GRAMMAR"],
        Must,
        TCP,
        Worlds::RealOnly("the simulated network is IPv4 only: ::1 cannot be reached there"),
        "[::1] grants tcp to ::1 on any port, [::1]:port to that port only: ConnectionRefused on a closed port, PermissionDenied on another",
        grammar_net_ipv6
    ),
    case!(
        "perm.grammar.net_list",
        ["PERM-GRAMMAR"],
        Must,
        TCP,
        Worlds::Both,
        "a comma-separated list grants what each entry grants (first, middle and last entry), and nothing else",
        grammar_net_list
    ),
    // ---------------------------------------------------------------- PERM-GRAMMAR (--allow-listen)
    case!(
        "perm.grammar.listen_port",
        ["PERM-GRAMMAR", "LST-PERM", "UDP-PERM-LISTEN"],
        Must,
        LISTEN_UDP,
        Worlds::Both,
        "--allow-listen=PORT lets tcp_listen and udp_listen bind that port on 127.0.0.1; the next port raises PermissionDenied",
        grammar_listen_port
    ),
    case!(
        "perm.grammar.listen_range",
        ["PERM-GRAMMAR", "LST-PERM"],
        Must,
        LISTEN,
        Worlds::Both,
        "--allow-listen=LO-HI lets tcp_listen bind both edges; one past either edge raises PermissionDenied",
        grammar_listen_range
    ),
    case!(
        "perm.grammar.listen_host_port",
        ["PERM-GRAMMAR", "LST-PERM", "UDP-PERM-LISTEN"],
        Must,
        LISTEN_UDP,
        Worlds::Both,
        "--allow-listen=127.0.0.1:PORT grants binding 127.0.0.1 on that port (tcp and udp); another port, 0.0.0.0 or localhost raise PermissionDenied",
        grammar_listen_host_port
    ),
    case!(
        "perm.grammar.listen_host_range",
        ["PERM-GRAMMAR", "LST-PERM"],
        Must,
        LISTEN,
        Worlds::Both,
        "--allow-listen=127.0.0.1:LO-HI grants binding 127.0.0.1 at both edges; one past either edge, or another host, raise PermissionDenied",
        grammar_listen_host_range
    ),
    case!(
        "perm.grammar.listen_list",
        ["PERM-GRAMMAR", "LST-PERM"],
        Must,
        LISTEN,
        Worlds::Both,
        "--allow-listen=P1,127.0.0.1:P2 grants both ports; a third port raises PermissionDenied",
        grammar_listen_list
    ),
    case!(
        "perm.grammar.listen_port_zero",
        ["PERM-GRAMMAR", "LST-PERM"],
        Should,
        LISTEN,
        Worlds::Both,
        "D10: --allow-listen=0 grants tcp_listen on port 0 (an ephemeral port, reported by .local_port); a fixed port raises PermissionDenied",
        grammar_listen_port_zero
    ),
    // ---------------------------------------------------------------- PERM-GRAMMAR-INVALID
    case!(
        "perm.grammar_invalid.net_port",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "--allow-net entries host:, host:99999, host:65536, host:0, host:http and host:-1 each stop the engine at start, the message naming the entry",
        grammar_invalid_net_port
    ),
    case!(
        "perm.grammar_invalid.net_range",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "--allow-net entries h:10-5 (reversed), h:1-99999, h:0-10, h:10- and h:-10 each stop the engine at start, the message naming the entry",
        grammar_invalid_net_range
    ),
    case!(
        "perm.grammar_invalid.wildcard",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "--allow-net entries *, *., *example.com, a.*.example.com and *.*.example.com each stop the engine at start, the message naming the entry",
        grammar_invalid_wildcard
    ),
    case!(
        "perm.grammar_invalid.bad_name",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "--allow-net entries a..b, .example.com and exa/mple.com each stop the engine at start, the message naming the entry",
        grammar_invalid_bad_name
    ),
    case!(
        "perm.grammar_invalid.ipv6_syntax",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "--allow-net entries ::1 (unbracketed), ::1:443, [::1, ::1], [::1]x, [example.com] and [::1]: each stop the engine at start, the message naming the entry",
        grammar_invalid_ipv6_syntax
    ),
    case!(
        "perm.grammar_invalid.empty_entry",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "an empty entry (a,,b; a trailing or a leading comma; a lone comma) stops the engine at start, the message naming --allow-net",
        grammar_invalid_empty_entry
    ),
    case!(
        "perm.grammar_invalid.whitespace",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "entries holding white space (a b, a leading or trailing space, a tab) stop the engine at start; nothing is trimmed",
        grammar_invalid_whitespace
    ),
    case!(
        "perm.grammar_invalid.one_bad_among_good",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "one invalid entry among valid ones (first, middle or last) stops the engine, naming it: it is not silently dropped",
        grammar_invalid_one_bad_among_good
    ),
    case!(
        "perm.grammar_invalid.listen_entries",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "--allow-listen entries localhost and 127.0.0.1 (no port), 99999, 10-5, localhost:, localhost:99999 and abc each stop the engine, naming the entry",
        grammar_invalid_listen_entries
    ),
    case!(
        "perm.grammar_invalid.one_flag_of_two",
        ["PERM-GRAMMAR-INVALID"],
        Must,
        NONE,
        Worlds::Both,
        "a valid --allow-net beside an invalid --allow-listen (and the reverse) still stops the engine, naming the invalid entry",
        grammar_invalid_one_flag_of_two
    ),
    // ---------------------------------------------------------------- PERM-NAME-NORMAL
    case!(
        "perm.name_normal.entry_spelling",
        ["PERM-NAME-NORMAL"],
        Must,
        TCP,
        Worlds::Both,
        "the entry Api.Example.INVALID. grants api.example.invalid, API.example.invalid. and api.EXAMPLE.INVALID (HostNotFound), not xapi.example.invalid",
        name_normal_entry_spelling
    ),
    case!(
        "perm.name_normal.target_spelling",
        ["PERM-NAME-NORMAL"],
        Must,
        TCP,
        Worlds::Both,
        "the entry api.example.invalid:443 grants the targets API.EXAMPLE.INVALID. and Api.Example.Invalid on 443 (HostNotFound), not on 444",
        name_normal_target_spelling
    ),
    case!(
        "perm.name_normal.connects",
        ["PERM-NAME-NORMAL"],
        Must,
        TCP,
        Worlds::Both,
        "LOCALHOST.:PORT grants tcp to localhost, and localhost:PORT grants LocalHost.: a closed port raises ConnectionRefused",
        name_normal_connects
    ),
    // ---------------------------------------------------------------- PERM-WILDCARD
    case!(
        "perm.wildcard.below",
        ["PERM-WILDCARD"],
        Must,
        TCP,
        Worlds::Both,
        "*.example.invalid grants a.example.invalid and a.b.example.invalid on any port (HostNotFound)",
        wildcard_below
    ),
    case!(
        "perm.wildcard.not_apex_nor_lookalike",
        ["PERM-WILDCARD"],
        Must,
        TCP,
        Worlds::Both,
        "*.example.invalid denies example.invalid, EXAMPLE.invalid., badexample.invalid and example.invalid.evil.invalid (PermissionDenied)",
        wildcard_not_apex_nor_lookalike
    ),
    case!(
        "perm.wildcard.port",
        ["PERM-WILDCARD", "PERM-GRAMMAR"],
        Must,
        TCP,
        Worlds::Both,
        "*.example.invalid:443 grants a.example.invalid:443 (HostNotFound) and denies a.example.invalid:444",
        wildcard_port
    ),
    case!(
        "perm.wildcard.connects",
        ["PERM-WILDCARD"],
        Must,
        TCP,
        Worlds::Both,
        "*.localhost:PORT grants tcp to app.localhost on a closed port (ConnectionRefused, D5) and denies localhost itself",
        wildcard_connects
    ),
    // ---------------------------------------------------------------- PERM-LITERAL
    case!(
        "perm.literal.name_vs_address",
        ["PERM-LITERAL"],
        Must,
        TCP,
        Worlds::Both,
        "localhost:PORT denies 127.0.0.1 and ::1 (but grants localhost: ConnectionRefused); 127.0.0.1:PORT denies localhost (but grants 127.0.0.1)",
        literal_name_vs_address
    ),
    case!(
        "perm.literal.odd_ipv4_targets",
        ["PERM-LITERAL"],
        Must,
        TCP,
        Worlds::Both,
        "the entry 127.0.0.1 denies the targets 127.1, 2130706433, 0x7f000001 and 0177.0.0.1 (PermissionDenied, not ConnectionRefused)",
        literal_odd_ipv4_targets
    ),
    case!(
        "perm.literal.odd_ipv4_entries",
        ["PERM-LITERAL", "PERM-GRAMMAR"],
        Must,
        TCP,
        Worlds::Both,
        "the entries 127.1, 2130706433, 0x7f000001 and 0177.0.0.1 are names: the engine starts, and they deny the target 127.0.0.1",
        literal_odd_ipv4_entries
    ),
    case!(
        "perm.literal.ipv4_mapped",
        ["PERM-LITERAL", "PERM-GRAMMAR"],
        Must,
        TCP,
        Worlds::Both,
        "[::ffff:127.0.0.1]:PORT and [::FFFF:7F00:1]:PORT grant 127.0.0.1:PORT (ConnectionRefused) and deny the next port",
        literal_ipv4_mapped
    ),
    case!(
        "perm.literal.ipv4_mapped_target",
        ["PERM-LITERAL"],
        Must,
        TCP,
        Worlds::RealOnly("the simulated network is IPv4 only: ::ffff:127.0.0.1 cannot be reached there"),
        "127.0.0.1:PORT grants the target ::ffff:127.0.0.1 on PORT (ConnectionRefused) and denies it on the next port",
        literal_ipv4_mapped_target
    ),
    case!(
        "perm.literal.ipv6_vs_ipv4",
        ["PERM-LITERAL"],
        Must,
        TCP,
        Worlds::Both,
        "[::1] denies 127.0.0.1 and localhost; 127.0.0.1 denies ::1 and [::1]; [::1] denies ::2 (PermissionDenied)",
        literal_ipv6_vs_ipv4
    ),
    // ---------------------------------------------------------------- PERM-BEFORE-IO
    case!(
        "perm.before_io.invalid_name",
        ["PERM-BEFORE-IO", "TCP-OPEN-DENIED"],
        Must,
        TCP,
        Worlds::Both,
        "tcp to a name under .invalid that no entry grants raises PermissionDenied, not HostNotFound (with no flags, and with another name granted)",
        before_io_invalid_name
    ),
    case!(
        "perm.before_io.closed_port",
        ["PERM-BEFORE-IO", "TCP-OPEN-DENIED"],
        Must,
        TCP,
        Worlds::Both,
        "tcp to a closed port that the grant does not cover (the next port is granted) raises PermissionDenied, not ConnectionRefused",
        before_io_closed_port
    ),
    case!(
        "perm.before_io.black_hole",
        ["PERM-BEFORE-IO", "TCP-OPEN-DENIED"],
        Must,
        TCP,
        Worlds::Both,
        "tcp.new with timeout 0.5 to a host that never answers, not granted, raises PermissionDenied (not Timeout)",
        before_io_black_hole
    ),
    case!(
        "perm.before_io.udp",
        ["PERM-BEFORE-IO", "PERM-UDP-PEER", "UDP-PERM-SEND"],
        Must,
        UDP,
        Worlds::Both,
        "udp(name under .invalid, 53) and send_to to such a name, not granted, raise PermissionDenied, not HostNotFound",
        before_io_udp
    ),
    case!(
        "perm.before_io.listen_host",
        ["PERM-BEFORE-IO", "LST-PERM", "UDP-PERM-LISTEN"],
        Must,
        LISTEN_UDP,
        Worlds::Both,
        "tcp_listen and udp_listen on a name under .invalid, with the port granted for 127.0.0.1 only, raise PermissionDenied, not HostNotFound",
        before_io_listen_host
    ),
    case!(
        "perm.before_io.listen_in_use",
        ["PERM-BEFORE-IO", "LST-PERM"],
        Must,
        LISTEN,
        Worlds::Both,
        "tcp_listen on a port another listener holds, not granted, raises PermissionDenied, not AddressInUse",
        before_io_listen_in_use
    ),
    // ---------------------------------------------------------------- PERM-SEPARATE
    case!(
        "perm.separate.net_does_not_listen",
        ["PERM-SEPARATE", "LST-PERM", "UDP-PERM-LISTEN"],
        Must,
        LISTEN_UDP,
        Worlds::Both,
        "a bare --allow-net, or --allow-net=127.0.0.1, never lets tcp_listen or udp_listen bind 127.0.0.1 (PermissionDenied)",
        separate_net_does_not_listen
    ),
    case!(
        "perm.separate.listen_does_not_connect",
        ["PERM-SEPARATE"],
        Must,
        TCP_UDP,
        Worlds::Both,
        "a bare --allow-listen never lets tcp, udp(host, port) or send_to reach the peers (PermissionDenied)",
        separate_listen_does_not_connect
    ),
    case!(
        "perm.separate.same_address_both_flags",
        ["PERM-SEPARATE"],
        Must,
        TCP_LISTEN,
        Worlds::Both,
        "with --allow-net=127.0.0.1:P and --allow-listen=127.0.0.1:Q, tcp to P and listen on Q work; tcp to Q and listen on P raise PermissionDenied",
        separate_same_address_both_flags
    ),
    // ---------------------------------------------------------------- PERM-UDP-PEER
    case!(
        "perm.udp_peer.construction",
        ["PERM-UDP-PEER", "UDP-PERM-SEND"],
        Must,
        UDP,
        Worlds::Both,
        "udp(host, port) to the echo peer raises PermissionDenied at construction when only another port is granted; granted, it echoes a datagram",
        udp_peer_construction
    ),
    case!(
        "perm.udp_peer.every_send_to",
        ["PERM-UDP-PEER", "UDP-PERM-SEND"],
        Must,
        UDP,
        Worlds::Both,
        "on one udp socket, send_to the granted echo peer works, to the next port or a .invalid name raises PermissionDenied, then works again",
        udp_peer_every_send_to
    ),
    case!(
        "perm.udp_peer.peer_socket_send_to",
        ["PERM-UDP-PEER", "UDP-PERM-SEND"],
        Must,
        UDP,
        Worlds::Both,
        "a socket with a granted default peer still checks send_to: another port raises PermissionDenied, send to the default peer still echoes",
        udp_peer_peer_socket_send_to
    ),
    // ---------------------------------------------------------------- PERM-ERROR
    case!(
        "perm.error.connect_message",
        ["PERM-ERROR"],
        Must,
        TCP,
        Worlds::Both,
        "a denied tcp raises PermissionDenied whose message names host:port and --allow-net (for the peers' host and for a name)",
        error_connect_message
    ),
    case!(
        "perm.error.ipv6_message",
        ["PERM-ERROR"],
        Must,
        TCP,
        Worlds::Both,
        "a denied tcp to ::1 port 443 raises PermissionDenied whose message names [::1]:443 (the grantable entry's spelling) and --allow-net",
        error_ipv6_message
    ),
    case!(
        "perm.error.listen_message",
        ["PERM-ERROR"],
        Must,
        LISTEN_UDP,
        Worlds::Both,
        "a denied tcp_listen or udp_listen raises PermissionDenied whose message names 127.0.0.1:PORT and --allow-listen",
        error_listen_message
    ),
    case!(
        "perm.error.udp_message",
        ["PERM-ERROR"],
        Must,
        UDP,
        Worlds::Both,
        "a denied udp(host, port) and a denied send_to raise PermissionDenied whose message names host:port and --allow-net",
        error_udp_message
    ),
];

// =============================================================================== helpers

/// `host:port`, with an IPv6 host bracketed.
fn target(host: &str, port: impl std::fmt::Display) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// A port next to `port` (above it, unless it is the last one).
fn next_port(port: u16) -> u16 {
    if port < u16::MAX { port + 1 } else { port - 1 }
}

/// A port next to `port` (below it, unless it is the first one).
fn prev_port(port: u16) -> u16 {
    if port > 1 { port - 1 } else { port + 1 }
}

/// Two ports where nothing listens on the engine's own loopback (127.0.0.1, localhost), lowest
/// first. In the real world they are closed ports of the peers' host, which is the same host. In
/// the simulated world they are fixed ports below the simulator's ephemeral range (49152 and up):
/// each simulated host numbers its ephemeral ports from the same start, so a closed port of the
/// peers' host can be the very port the engine's connect is given, which the simulator rejects
/// as a self-connect.
async fn loopback_closed(ctx: &Ctx) -> (u16, u16) {
    if ctx.peers.is_simulated() {
        return (8001, 8002);
    }
    let (a, b) = two_closed(ctx).await;
    (a.port, b.port)
}

/// Two closed ports of the peers' host, lowest first (possibly equal).
async fn two_closed(ctx: &Ctx) -> (PeerAddr, PeerAddr) {
    let a = ctx.peers.closed_port().await;
    let b = ctx.peers.closed_port().await;
    if a.port <= b.port { (a, b) } else { (b, a) }
}

/// An engine with these flags (each `None`: absent; `Some("")`: bare).
async fn engine(ctx: &Ctx, net: Option<&str>, listen: Option<&str>) -> Result<Script, Failure> {
    ctx.engine(net, listen).await
}

/// `request` must raise PermissionDenied (HostNotFound, ConnectionRefused, Timeout or success
/// mean the check was skipped or came after I/O).
async fn denied(engine: &mut Script, request: Request) -> CaseResult {
    engine.raises(request, "PermissionDenied").await.map(drop)
}

/// A tcp that must be denied.
async fn tcp_denied(engine: &mut Script, host: &str, port: impl Into<i64>) -> CaseResult {
    denied(engine, Request::tcp(host, port)).await
}

/// A tcp that the permission check must let through to a closed port: ConnectionRefused.
async fn tcp_refused(engine: &mut Script, host: &str, port: impl Into<i64>) -> CaseResult {
    engine.raises(Request::tcp(host, port), "ConnectionRefused").await.map(drop)
}

/// A tcp to a name under `.invalid` that the check must let through: HostNotFound.
async fn tcp_not_found(engine: &mut Script, host: &str, port: impl Into<i64>) -> CaseResult {
    engine.raises(Request::tcp(host, port), "HostNotFound").await.map(drop)
}

fn udp_any() -> Request {
    Request::Udp { host: None, port: None }
}

fn udp_peer(host: &str, port: impl Into<i64>) -> Request {
    Request::Udp { host: Some(host.into()), port: Some(port.into()) }
}

fn udp_listen(host: &str, port: impl Into<i64>) -> Request {
    Request::UdpListen { host: host.into(), port: port.into() }
}

fn send_to(handle: Handle, bytes: &[u8], host: &str, port: impl Into<i64>) -> Request {
    Request::SendTo { handle, bytes: bytes.to_vec(), host: host.into(), port: port.into() }
}

/// Receives one datagram (waiting at most a second) and checks it is `expected`.
async fn recv_datagram(engine: &mut Script, handle: Handle, expected: &[u8]) -> CaseResult {
    let got = engine.bytes(Request::Recv { handle, max_bytes: 1024, opts: CallOpts::timeout(1.0) }).await?;
    expect(got == expected, || {
        format!("the echoed datagram: expected {}, got {}", show(expected), show(&got))
    })
}

/// A listener (tcp or udp) that must bind: returns its handle.
async fn binds(engine: &mut Script, request: Request) -> Result<Handle, Failure> {
    engine.handle(request).await
}

/// The flags must be refused at start (InvalidFlags) with a message containing `names`.
async fn refuses(ctx: &Ctx, net: Option<&str>, listen: Option<&str>, names: &str) -> CaseResult {
    let session = Session {
        allow_net: net.map(str::to_string),
        allow_listen: listen.map(str::to_string),
        ..Session::default()
    };
    match ctx.start(session).await {
        Err(StartError::InvalidFlags(message)) => expect(message.contains(names), || {
            format!(
                "--allow-net={net:?} --allow-listen={listen:?} was refused, but the message should name {names:?}: {message:?}"
            )
        }),
        Err(StartError::Failed(message)) => Err(Failure::new(format!(
            "--allow-net={net:?} --allow-listen={listen:?}: expected the flags to be refused (InvalidFlags naming {names:?}), \
             the engine failed instead: {message}"
        ))),
        Ok(_) => Err(Failure::new(format!(
            "--allow-net={net:?} --allow-listen={listen:?}: the engine started; expected it to refuse the entry {names:?}"
        ))),
    }
}

/// Each `--allow-net` entry must be refused at start, the message naming it.
async fn refuses_net_entries(ctx: &Ctx, entries: &[&str]) -> CaseResult {
    for entry in entries {
        refuses(ctx, Some(entry), None, entry).await?;
    }
    Ok(())
}

/// A message must contain each of `needles`.
fn names_all(what: &str, message: &str, needles: &[&str]) -> CaseResult {
    for needle in needles {
        expect(message.contains(needle), || {
            format!("{what}: the message should name {needle:?}: {message:?}")
        })?;
    }
    Ok(())
}

// =============================================================================== PERM-DEFAULT-DENY

async fn default_deny_tcp(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = engine(&ctx, None, None).await?;
    tcp_denied(&mut engine, &closed.host, closed.port).await?;
    tcp_denied(&mut engine, LOOPBACK, closed.port).await?;
    tcp_denied(&mut engine, "localhost", closed.port).await?;
    tcp_denied(&mut engine, "example.invalid", 80).await
}

async fn default_deny_ssl(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = engine(&ctx, None, None).await?;
    denied(&mut engine, Request::ssl(&closed.host, closed.port, TlsArgs::default())).await?;
    denied(&mut engine, Request::ssl("www.example.invalid", 443, TlsArgs::default())).await
}

async fn default_deny_udp(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = engine(&ctx, None, None).await?;
    denied(&mut engine, udp_peer(&echo.host, echo.port)).await?;
    let sock = engine.handle(udp_any()).await?;
    denied(&mut engine, send_to(sock, b"ping", &echo.host, echo.port)).await?;
    denied(&mut engine, send_to(sock, b"ping", "example.invalid", 53)).await
}

async fn default_deny_listen(ctx: Ctx) -> CaseResult {
    let free = ctx.peers.closed_port().await.port;
    let mut engine = engine(&ctx, None, None).await?;
    for port in [free, 0] {
        denied(&mut engine, Request::tcp_listen(LOOPBACK, port)).await?;
        denied(&mut engine, udp_listen(LOOPBACK, port)).await?;
    }
    Ok(())
}

// =============================================================================== PERM-ALLOW-ALL

async fn allow_all_net_tcp(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let (own, _) = loopback_closed(&ctx).await;
    let mut engine = engine(&ctx, Some(""), None).await?;
    tcp_refused(&mut engine, &closed.host, closed.port).await?;
    tcp_refused(&mut engine, LOOPBACK, own).await?;
    tcp_not_found(&mut engine, "anything.example.invalid", 443).await?;
    tcp_not_found(&mut engine, "other.invalid", 1).await
}

async fn allow_all_net_udp(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = engine(&ctx, Some(""), None).await?;
    let peer = engine.handle(udp_peer(&echo.host, echo.port)).await?;
    expect_eq("send's count", engine.int(Request::send(peer, b"one")).await?, 3)?;
    recv_datagram(&mut engine, peer, b"one").await?;
    let any = engine.handle(udp_any()).await?;
    expect_eq("send_to's count", engine.int(send_to(any, b"two", &echo.host, echo.port)).await?, 3)?;
    recv_datagram(&mut engine, any, b"two").await
}

async fn allow_all_listen(ctx: Ctx) -> CaseResult {
    let free = ctx.peers.closed_port().await.port;
    let mut engine = engine(&ctx, None, Some("")).await?;
    let fixed = binds(&mut engine, Request::tcp_listen(LOOPBACK, free)).await?;
    expect_eq(".local_port", engine.get(fixed, Property::LocalPort).await?, Value::Int(free.into()))?;
    binds(&mut engine, Request::tcp_listen(LOOPBACK, 0)).await?;
    binds(&mut engine, udp_listen(LOOPBACK, free)).await?;
    binds(&mut engine, udp_listen(LOOPBACK, 0)).await.map(drop)
}

// =============================================================================== PERM-GRAMMAR

async fn grammar_net_host_no_port(ctx: Ctx) -> CaseResult {
    let (a, b) = two_closed(&ctx).await;
    let mut engine = engine(&ctx, Some(&a.host), None).await?;
    tcp_refused(&mut engine, &a.host, a.port).await?;
    tcp_refused(&mut engine, &b.host, b.port).await?;
    let mut named = engine_named(&ctx, "svc.example.invalid").await?;
    for port in [1, 443, 65535] {
        tcp_not_found(&mut named, "svc.example.invalid", port).await?;
    }
    tcp_denied(&mut named, "svc2.example.invalid", 443).await
}

async fn engine_named(ctx: &Ctx, allow_net: &str) -> Result<Script, Failure> {
    engine(ctx, Some(allow_net), None).await
}

async fn grammar_net_host_port(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let grant = target(&closed.host, closed.port);
    let mut engine = engine(&ctx, Some(&grant), None).await?;
    tcp_refused(&mut engine, &closed.host, closed.port).await?;
    tcp_denied(&mut engine, &closed.host, next_port(closed.port)).await?;
    tcp_denied(&mut engine, &closed.host, prev_port(closed.port)).await?;
    let mut edge = engine_named(&ctx, "edge.example.invalid:65535").await?;
    tcp_not_found(&mut edge, "edge.example.invalid", 65535).await?;
    tcp_denied(&mut edge, "edge.example.invalid", 65534).await?;
    let mut low = engine_named(&ctx, "edge.example.invalid:1").await?;
    tcp_not_found(&mut low, "edge.example.invalid", 1).await?;
    tcp_denied(&mut low, "edge.example.invalid", 2).await
}

async fn grammar_net_port_range(ctx: Ctx) -> CaseResult {
    let (lo, hi) = two_closed(&ctx).await;
    let grant = format!("{}:{}-{}", lo.host, lo.port, hi.port);
    let mut engine = engine(&ctx, Some(&grant), None).await?;
    tcp_refused(&mut engine, &lo.host, lo.port).await?;
    tcp_refused(&mut engine, &hi.host, hi.port).await?;
    tcp_denied(&mut engine, &lo.host, prev_port(lo.port)).await?;
    tcp_denied(&mut engine, &hi.host, next_port(hi.port)).await?;
    let mut named = engine_named(&ctx, "api.example.invalid:8000-8080").await?;
    for port in [8000, 8001, 8080] {
        tcp_not_found(&mut named, "api.example.invalid", port).await?;
    }
    tcp_denied(&mut named, "api.example.invalid", 7999).await?;
    tcp_denied(&mut named, "api.example.invalid", 8081).await
}

async fn grammar_net_ipv4(ctx: Ctx) -> CaseResult {
    let (a, b) = loopback_closed(&ctx).await;
    let mut engine = engine_named(&ctx, LOOPBACK).await?;
    tcp_refused(&mut engine, LOOPBACK, a).await?;
    tcp_refused(&mut engine, LOOPBACK, b).await?;
    tcp_denied(&mut engine, "127.0.0.2", a).await?;
    let mut with_port = engine_named(&ctx, &target(LOOPBACK, a)).await?;
    tcp_refused(&mut with_port, LOOPBACK, a).await?;
    tcp_denied(&mut with_port, LOOPBACK, next_port(a)).await
}

async fn grammar_net_ipv6(ctx: Ctx) -> CaseResult {
    let (a, b) = loopback_closed(&ctx).await;
    let mut any_port = engine_named(&ctx, "[::1]").await?;
    tcp_refused(&mut any_port, "::1", a).await?;
    tcp_refused(&mut any_port, "::1", b).await?;
    tcp_denied(&mut any_port, "::2", a).await?;
    let mut one_port = engine_named(&ctx, &format!("[::1]:{a}")).await?;
    tcp_refused(&mut one_port, "::1", a).await?;
    tcp_denied(&mut one_port, "::1", next_port(a)).await
}

async fn grammar_net_list(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let grant = format!("first.example.invalid,{},last.example.invalid:7", target(&closed.host, closed.port));
    let mut engine = engine_named(&ctx, &grant).await?;
    tcp_not_found(&mut engine, "first.example.invalid", 1234).await?;
    tcp_refused(&mut engine, &closed.host, closed.port).await?;
    tcp_not_found(&mut engine, "last.example.invalid", 7).await?;
    tcp_denied(&mut engine, "last.example.invalid", 8).await?;
    tcp_denied(&mut engine, &closed.host, next_port(closed.port)).await?;
    tcp_denied(&mut engine, "middle.example.invalid", 7).await
}

async fn grammar_listen_port(ctx: Ctx) -> CaseResult {
    let free = ctx.peers.closed_port().await.port;
    let mut engine = engine(&ctx, None, Some(&free.to_string())).await?;
    let listener = binds(&mut engine, Request::tcp_listen(LOOPBACK, free)).await?;
    expect_eq(".local_port", engine.get(listener, Property::LocalPort).await?, Value::Int(free.into()))?;
    binds(&mut engine, udp_listen(LOOPBACK, free)).await?;
    denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(free))).await?;
    denied(&mut engine, udp_listen(LOOPBACK, next_port(free))).await
}

async fn grammar_listen_range(ctx: Ctx) -> CaseResult {
    let (lo, hi) = two_closed(&ctx).await;
    let mut engine = engine(&ctx, None, Some(&format!("{}-{}", lo.port, hi.port))).await?;
    binds(&mut engine, Request::tcp_listen(LOOPBACK, lo.port)).await?;
    if hi.port != lo.port {
        binds(&mut engine, Request::tcp_listen(LOOPBACK, hi.port)).await?;
    }
    denied(&mut engine, Request::tcp_listen(LOOPBACK, prev_port(lo.port))).await?;
    denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(hi.port))).await
}

async fn grammar_listen_host_port(ctx: Ctx) -> CaseResult {
    let free = ctx.peers.closed_port().await.port;
    let mut engine = engine(&ctx, None, Some(&target(LOOPBACK, free))).await?;
    binds(&mut engine, Request::tcp_listen(LOOPBACK, free)).await?;
    binds(&mut engine, udp_listen(LOOPBACK, free)).await?;
    denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(free))).await?;
    denied(&mut engine, Request::tcp_listen("0.0.0.0", free)).await?;
    denied(&mut engine, Request::tcp_listen("localhost", free)).await?;
    denied(&mut engine, udp_listen("0.0.0.0", free)).await
}

async fn grammar_listen_host_range(ctx: Ctx) -> CaseResult {
    let (lo, hi) = two_closed(&ctx).await;
    let mut engine = engine(&ctx, None, Some(&format!("{LOOPBACK}:{}-{}", lo.port, hi.port))).await?;
    binds(&mut engine, Request::tcp_listen(LOOPBACK, lo.port)).await?;
    if hi.port != lo.port {
        binds(&mut engine, Request::tcp_listen(LOOPBACK, hi.port)).await?;
    }
    denied(&mut engine, Request::tcp_listen(LOOPBACK, prev_port(lo.port))).await?;
    denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(hi.port))).await?;
    denied(&mut engine, Request::tcp_listen("0.0.0.0", lo.port)).await
}

async fn grammar_listen_list(ctx: Ctx) -> CaseResult {
    let (a, b) = two_closed(&ctx).await;
    let grant = format!("{},{}", a.port, target(LOOPBACK, b.port));
    let mut engine = engine(&ctx, None, Some(&grant)).await?;
    binds(&mut engine, Request::tcp_listen(LOOPBACK, a.port)).await?;
    if b.port != a.port {
        binds(&mut engine, Request::tcp_listen(LOOPBACK, b.port)).await?;
    }
    denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(b.port))).await
}

async fn grammar_listen_port_zero(ctx: Ctx) -> CaseResult {
    let free = ctx.peers.closed_port().await.port;
    let mut engine = engine(&ctx, None, Some("0")).await?;
    let listener = binds(&mut engine, Request::tcp_listen(LOOPBACK, 0)).await?;
    let port = engine.get(listener, Property::LocalPort).await?;
    expect(matches!(port, Value::Int(1..=65535)), || {
        format!(".local_port: expected 1..65535, got {port:?}")
    })?;
    denied(&mut engine, Request::tcp_listen(LOOPBACK, free)).await
}

// =============================================================================== PERM-GRAMMAR-INVALID

async fn grammar_invalid_net_port(ctx: Ctx) -> CaseResult {
    refuses_net_entries(
        &ctx,
        &[
            "example.com:",
            "example.com:99999",
            "example.com:65536",
            "example.com:0",
            "example.com:http",
            "example.com:-1",
        ],
    )
    .await
}

async fn grammar_invalid_net_range(ctx: Ctx) -> CaseResult {
    refuses_net_entries(
        &ctx,
        &[
            "h.example.com:10-5",
            "h.example.com:1-99999",
            "h.example.com:0-10",
            "h.example.com:10-",
            "h.example.com:-10",
        ],
    )
    .await
}

async fn grammar_invalid_wildcard(ctx: Ctx) -> CaseResult {
    refuses_net_entries(&ctx, &["*", "*.", "*example.com", "a.*.example.com", "*.*.example.com"]).await
}

async fn grammar_invalid_bad_name(ctx: Ctx) -> CaseResult {
    refuses_net_entries(&ctx, &["a..b", ".example.com", "exa/mple.com"]).await
}

async fn grammar_invalid_ipv6_syntax(ctx: Ctx) -> CaseResult {
    refuses_net_entries(&ctx, &["::1", "::1:443", "[::1", "::1]", "[::1]x", "[example.com]", "[::1]:"]).await
}

async fn grammar_invalid_empty_entry(ctx: Ctx) -> CaseResult {
    for value in ["a.example.com,,b.example.com", "a.example.com,", ",a.example.com", ","] {
        refuses(&ctx, Some(value), None, "--allow-net").await?;
    }
    for value in ["8080,,8081", "8080,"] {
        refuses(&ctx, None, Some(value), "--allow-listen").await?;
    }
    Ok(())
}

async fn grammar_invalid_whitespace(ctx: Ctx) -> CaseResult {
    refuses_net_entries(&ctx, &["a b", " a.example.com", "a.example.com "]).await?;
    // A control character may be shown escaped: the rest of the entry must be named.
    refuses(&ctx, Some("tab.example.com\t"), None, "tab.example.com").await?;
    refuses(&ctx, Some("a.example.com, b.example.com"), None, " b.example.com").await
}

async fn grammar_invalid_one_bad_among_good(ctx: Ctx) -> CaseResult {
    for (value, bad) in [
        ("bad..example.com,good.example.com,127.0.0.1", "bad..example.com"),
        ("good.example.com,bad..example.com,127.0.0.1", "bad..example.com"),
        ("good.example.com,127.0.0.1,example.com:99999", "example.com:99999"),
    ] {
        refuses(&ctx, Some(value), None, bad).await?;
    }
    refuses(&ctx, None, Some("8080,localhost,9090"), "localhost").await
}

async fn grammar_invalid_listen_entries(ctx: Ctx) -> CaseResult {
    for entry in ["localhost", "127.0.0.1", "99999", "10-5", "localhost:", "localhost:99999", "abc"] {
        refuses(&ctx, None, Some(entry), entry).await?;
    }
    Ok(())
}

async fn grammar_invalid_one_flag_of_two(ctx: Ctx) -> CaseResult {
    refuses(&ctx, Some("example.com:443"), Some("localhost"), "localhost").await?;
    refuses(&ctx, Some("a..b"), Some("8080"), "a..b").await?;
    refuses(&ctx, Some(""), Some("10-5"), "10-5").await?;
    refuses(&ctx, Some("*."), Some(""), "*.").await
}

// =============================================================================== PERM-NAME-NORMAL

async fn name_normal_entry_spelling(ctx: Ctx) -> CaseResult {
    let mut engine = engine_named(&ctx, "Api.Example.INVALID.").await?;
    for host in ["api.example.invalid", "API.example.invalid.", "api.EXAMPLE.INVALID"] {
        tcp_not_found(&mut engine, host, 443).await?;
    }
    tcp_denied(&mut engine, "xapi.example.invalid", 443).await
}

async fn name_normal_target_spelling(ctx: Ctx) -> CaseResult {
    let mut engine = engine_named(&ctx, "api.example.invalid:443").await?;
    for host in ["API.EXAMPLE.INVALID.", "Api.Example.Invalid", "api.example.invalid."] {
        tcp_not_found(&mut engine, host, 443).await?;
    }
    tcp_denied(&mut engine, "API.EXAMPLE.INVALID.", 444).await
}

async fn name_normal_connects(ctx: Ctx) -> CaseResult {
    let (port, _) = loopback_closed(&ctx).await;
    let mut upper = engine_named(&ctx, &format!("LOCALHOST.:{port}")).await?;
    tcp_refused(&mut upper, "localhost", port).await?;
    tcp_denied(&mut upper, "localhost", next_port(port)).await?;
    let mut lower = engine_named(&ctx, &format!("localhost:{port}")).await?;
    tcp_refused(&mut lower, "LocalHost.", port).await
}

// =============================================================================== PERM-WILDCARD

async fn wildcard_below(ctx: Ctx) -> CaseResult {
    let mut engine = engine_named(&ctx, "*.example.invalid").await?;
    tcp_not_found(&mut engine, "a.example.invalid", 443).await?;
    tcp_not_found(&mut engine, "a.b.example.invalid", 80).await?;
    tcp_not_found(&mut engine, "x-1.deep.er.example.invalid", 65535).await
}

async fn wildcard_not_apex_nor_lookalike(ctx: Ctx) -> CaseResult {
    let mut engine = engine_named(&ctx, "*.example.invalid").await?;
    for host in ["example.invalid", "EXAMPLE.invalid.", "badexample.invalid", "example.invalid.evil.invalid"]
    {
        tcp_denied(&mut engine, host, 443).await?;
    }
    Ok(())
}

async fn wildcard_port(ctx: Ctx) -> CaseResult {
    let mut engine = engine_named(&ctx, "*.example.invalid:443").await?;
    tcp_not_found(&mut engine, "a.example.invalid", 443).await?;
    tcp_denied(&mut engine, "a.example.invalid", 444).await?;
    tcp_denied(&mut engine, "example.invalid", 443).await
}

async fn wildcard_connects(ctx: Ctx) -> CaseResult {
    let (port, _) = loopback_closed(&ctx).await;
    let mut engine = engine_named(&ctx, &format!("*.localhost:{port}")).await?;
    tcp_refused(&mut engine, "app.localhost", port).await?;
    tcp_denied(&mut engine, "localhost", port).await?;
    tcp_denied(&mut engine, LOOPBACK, port).await
}

// =============================================================================== PERM-LITERAL

async fn literal_name_vs_address(ctx: Ctx) -> CaseResult {
    let (port, _) = loopback_closed(&ctx).await;
    let mut name = engine_named(&ctx, &format!("localhost:{port}")).await?;
    tcp_denied(&mut name, LOOPBACK, port).await?;
    tcp_denied(&mut name, "::1", port).await?;
    tcp_refused(&mut name, "localhost", port).await?;
    let mut address = engine_named(&ctx, &target(LOOPBACK, port)).await?;
    tcp_denied(&mut address, "localhost", port).await?;
    tcp_refused(&mut address, LOOPBACK, port).await
}

async fn literal_odd_ipv4_targets(ctx: Ctx) -> CaseResult {
    let (port, _) = loopback_closed(&ctx).await;
    let mut engine = engine_named(&ctx, LOOPBACK).await?;
    for host in ["127.1", "2130706433", "0x7f000001", "0177.0.0.1"] {
        tcp_denied(&mut engine, host, port).await?;
    }
    tcp_refused(&mut engine, LOOPBACK, port).await
}

async fn literal_odd_ipv4_entries(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = engine_named(&ctx, "127.1,2130706433,0x7f000001,0177.0.0.1").await?;
    tcp_denied(&mut engine, LOOPBACK, closed.port).await
}

async fn literal_ipv4_mapped(ctx: Ctx) -> CaseResult {
    let (port, _) = loopback_closed(&ctx).await;
    for grant in [format!("[::ffff:127.0.0.1]:{port}"), format!("[::FFFF:7F00:1]:{port}")] {
        let mut engine = engine_named(&ctx, &grant).await?;
        tcp_refused(&mut engine, LOOPBACK, port).await?;
        tcp_denied(&mut engine, LOOPBACK, next_port(port)).await?;
    }
    Ok(())
}

async fn literal_ipv4_mapped_target(ctx: Ctx) -> CaseResult {
    let (port, _) = loopback_closed(&ctx).await;
    let mut engine = engine_named(&ctx, &target(LOOPBACK, port)).await?;
    tcp_refused(&mut engine, "::ffff:127.0.0.1", port).await?;
    tcp_denied(&mut engine, "::ffff:127.0.0.1", next_port(port)).await
}

async fn literal_ipv6_vs_ipv4(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let port = closed.port;
    let mut v6 = engine_named(&ctx, "[::1]").await?;
    tcp_denied(&mut v6, LOOPBACK, port).await?;
    tcp_denied(&mut v6, "localhost", port).await?;
    tcp_denied(&mut v6, "::2", port).await?;
    let mut v4 = engine_named(&ctx, LOOPBACK).await?;
    tcp_denied(&mut v4, "::1", port).await?;
    tcp_denied(&mut v4, "[::1]", port).await
}

// =============================================================================== PERM-BEFORE-IO

async fn before_io_invalid_name(ctx: Ctx) -> CaseResult {
    let mut none = engine(&ctx, None, None).await?;
    tcp_denied(&mut none, "db.example.invalid", 5432).await?;
    let mut other = engine_named(&ctx, "granted.example.invalid").await?;
    tcp_denied(&mut other, "db.example.invalid", 5432).await?;
    tcp_not_found(&mut other, "granted.example.invalid", 5432).await
}

async fn before_io_closed_port(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let other = next_port(closed.port);
    let mut engine = engine_named(&ctx, &target(&closed.host, other)).await?;
    tcp_denied(&mut engine, &closed.host, closed.port).await
}

async fn before_io_black_hole(ctx: Ctx) -> CaseResult {
    let hole = ctx.peers.black_hole().await;
    let mut engine = engine_named(&ctx, "granted.example.invalid").await?;
    denied(&mut engine, Request::tcp_new(&hole.host, hole.port, Wait::Seconds(0.5))).await
}

async fn before_io_udp(ctx: Ctx) -> CaseResult {
    let mut engine = engine_named(&ctx, "granted.example.invalid").await?;
    denied(&mut engine, udp_peer("dns.example.invalid", 53)).await?;
    let sock = engine.handle(udp_any()).await?;
    denied(&mut engine, send_to(sock, b"query", "dns.example.invalid", 53)).await
}

async fn before_io_listen_host(ctx: Ctx) -> CaseResult {
    let free = ctx.peers.closed_port().await.port;
    let mut engine = engine(&ctx, None, Some(&target(LOOPBACK, free))).await?;
    denied(&mut engine, Request::tcp_listen("listen.example.invalid", free)).await?;
    denied(&mut engine, udp_listen("listen.example.invalid", free)).await
}

async fn before_io_listen_in_use(ctx: Ctx) -> CaseResult {
    let free = ctx.peers.closed_port().await.port;
    let mut holder = engine(&ctx, None, Some("")).await?;
    binds(&mut holder, Request::tcp_listen(LOOPBACK, free)).await?;
    let mut engine = engine(&ctx, None, Some(&next_port(free).to_string())).await?;
    denied(&mut engine, Request::tcp_listen(LOOPBACK, free)).await
}

// =============================================================================== PERM-SEPARATE

async fn separate_net_does_not_listen(ctx: Ctx) -> CaseResult {
    let free = ctx.peers.closed_port().await.port;
    for grant in ["", LOOPBACK] {
        let mut engine = engine_named(&ctx, grant).await?;
        for port in [free, 0] {
            denied(&mut engine, Request::tcp_listen(LOOPBACK, port)).await?;
            denied(&mut engine, udp_listen(LOOPBACK, port)).await?;
        }
    }
    Ok(())
}

async fn separate_listen_does_not_connect(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let echo = ctx.peers.udp_echo().await;
    let mut engine = engine(&ctx, None, Some("")).await?;
    tcp_denied(&mut engine, &closed.host, closed.port).await?;
    tcp_denied(&mut engine, LOOPBACK, closed.port).await?;
    denied(&mut engine, udp_peer(&echo.host, echo.port)).await?;
    let sock = engine.handle(udp_any()).await?;
    denied(&mut engine, send_to(sock, b"ping", &echo.host, echo.port)).await
}

async fn separate_same_address_both_flags(ctx: Ctx) -> CaseResult {
    let (p, q) = loopback_closed(&ctx).await;
    let q = if q == p { next_port(p) } else { q };
    let mut engine = engine(&ctx, Some(&target(LOOPBACK, p)), Some(&target(LOOPBACK, q))).await?;
    denied(&mut engine, Request::tcp_listen(LOOPBACK, p)).await?;
    tcp_denied(&mut engine, LOOPBACK, q).await?;
    tcp_refused(&mut engine, LOOPBACK, p).await?;
    binds(&mut engine, Request::tcp_listen(LOOPBACK, q)).await.map(drop)
}

// =============================================================================== PERM-UDP-PEER

async fn udp_peer_construction(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut other = engine_named(&ctx, &target(&echo.host, next_port(echo.port))).await?;
    denied(&mut other, udp_peer(&echo.host, echo.port)).await?;
    let mut granted = engine_named(&ctx, &target(&echo.host, echo.port)).await?;
    let sock = granted.handle(udp_peer(&echo.host, echo.port)).await?;
    expect_eq("send's count", granted.int(Request::send(sock, b"hello")).await?, 5)?;
    recv_datagram(&mut granted, sock, b"hello").await
}

async fn udp_peer_every_send_to(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = engine_named(&ctx, &target(&echo.host, echo.port)).await?;
    let sock = engine.handle(udp_any()).await?;
    expect_eq("send_to's count", engine.int(send_to(sock, b"one", &echo.host, echo.port)).await?, 3)?;
    recv_datagram(&mut engine, sock, b"one").await?;
    denied(&mut engine, send_to(sock, b"two", &echo.host, next_port(echo.port))).await?;
    denied(&mut engine, send_to(sock, b"two", "dns.example.invalid", echo.port)).await?;
    expect_eq("send_to's count", engine.int(send_to(sock, b"three", &echo.host, echo.port)).await?, 5)?;
    recv_datagram(&mut engine, sock, b"three").await
}

async fn udp_peer_peer_socket_send_to(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = engine_named(&ctx, &target(&echo.host, echo.port)).await?;
    let sock = engine.handle(udp_peer(&echo.host, echo.port)).await?;
    denied(&mut engine, send_to(sock, b"stray", &echo.host, next_port(echo.port))).await?;
    denied(&mut engine, send_to(sock, b"stray", "other.example.invalid", echo.port)).await?;
    expect_eq("send's count", engine.int(Request::send(sock, b"peer")).await?, 4)?;
    recv_datagram(&mut engine, sock, b"peer").await
}

// =============================================================================== PERM-ERROR

async fn error_connect_message(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = engine_named(&ctx, "granted.example.invalid").await?;
    let raised = engine.raises(Request::tcp(&closed.host, closed.port), "PermissionDenied").await?;
    names_all(
        "tcp to the peers' host",
        &raised.message,
        &[&target(&closed.host, closed.port), "--allow-net"],
    )?;
    let raised = engine.raises(Request::tcp("api.example.invalid", 8443), "PermissionDenied").await?;
    names_all("tcp to a name", &raised.message, &["api.example.invalid:8443", "--allow-net"])
}

async fn error_ipv6_message(ctx: Ctx) -> CaseResult {
    let mut engine = engine(&ctx, None, None).await?;
    let raised = engine.raises(Request::tcp("::1", 443), "PermissionDenied").await?;
    names_all("tcp to ::1", &raised.message, &["[::1]:443", "--allow-net"])
}

async fn error_listen_message(ctx: Ctx) -> CaseResult {
    let free = ctx.peers.closed_port().await.port;
    let mut engine = engine(&ctx, Some(""), None).await?;
    let here = target(LOOPBACK, free);
    let raised = engine.raises(Request::tcp_listen(LOOPBACK, free), "PermissionDenied").await?;
    names_all("tcp_listen", &raised.message, &[&here, "--allow-listen"])?;
    let raised = engine.raises(udp_listen(LOOPBACK, free), "PermissionDenied").await?;
    names_all("udp_listen", &raised.message, &[&here, "--allow-listen"])
}

async fn error_udp_message(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let there = target(&echo.host, echo.port);
    let mut engine = engine(&ctx, None, None).await?;
    let raised = engine.raises(udp_peer(&echo.host, echo.port), "PermissionDenied").await?;
    names_all("udp(host, port)", &raised.message, &[&there, "--allow-net"])?;
    let sock = engine.handle(udp_any()).await?;
    let raised = engine.raises(send_to(sock, b"x", &echo.host, echo.port), "PermissionDenied").await?;
    names_all("send_to", &raised.message, &[&there, "--allow-net"])
}
