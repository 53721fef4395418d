//! PERM-*: the `--allow-net` and `--allow-listen` permission flags, one clause group per file.
//!
//! A denied target is never contacted (PERM-BEFORE-IO), so denials use any name: mostly names
//! under `.invalid`, which never resolve. A grant is proven by what comes after the check:
//! `ConnectionRefused` from a closed port (of the peers' host, or of the engine's own loopback,
//! which in the simulated world is the engine host's), or `HostNotFound` from a granted name under
//! `.invalid` (D5: such names fail to resolve without a query). Listeners bind 127.0.0.1 in both
//! worlds (the simulated network lets a host bind only the unspecified or a loopback address).

use crate::cases::support::recv_opts;
use crate::catalog::Case;
use crate::contract::{CallOpts, Feature, Handle, Request};
use crate::peers::PeerAddr;
use crate::script::{CaseResult, Ctx, Failure, Script, expect, show};

mod allow_all;
mod before_io;
mod default_deny;
mod error;
mod grammar;
mod grammar_invalid;
mod literal;
mod name_normal;
mod one_port_range;
mod separate;
mod udp_peer;
mod wildcard;
mod zero_padded_octets;

const NONE: &[Feature] = &[];
const TCP: &[Feature] = &[Feature::Tcp];
const TLS: &[Feature] = &[Feature::Tls];
const UDP: &[Feature] = &[Feature::Udp];
const LISTEN: &[Feature] = &[Feature::Listen];
const TCP_UDP: &[Feature] = &[Feature::Tcp, Feature::Udp];
const TCP_LISTEN: &[Feature] = &[Feature::Tcp, Feature::Listen];
const LISTEN_UDP: &[Feature] = &[Feature::Listen, Feature::Udp];

/// The family, in catalog order.
pub const CASES: &[Case] = &[
    default_deny::DENIES_TCP,
    default_deny::DENIES_SSL,
    default_deny::DENIES_UDP,
    default_deny::DENIES_LISTEN,
    allow_all::NET_TCP,
    allow_all::NET_UDP,
    allow_all::LISTEN_TCP_UDP,
    grammar::NET_HOST_NO_PORT,
    grammar::NET_HOST_PORT,
    grammar::NET_PORT_RANGE,
    grammar::NET_IPV4,
    grammar::NET_IPV6,
    grammar::NET_LIST,
    grammar::LISTEN_PORT,
    grammar::LISTEN_RANGE,
    grammar::LISTEN_HOST_PORT,
    grammar::LISTEN_HOST_RANGE,
    grammar::LISTEN_LIST,
    grammar::LISTEN_PORT_ZERO,
    one_port_range::NET_ONE_PORT_RANGE,
    grammar_invalid::NET_PORT,
    grammar_invalid::NET_RANGE,
    grammar_invalid::WILDCARD,
    grammar_invalid::BAD_NAME,
    grammar_invalid::IPV6_SYNTAX,
    grammar_invalid::EMPTY_ENTRY,
    grammar_invalid::WHITESPACE,
    grammar_invalid::ONE_BAD_AMONG_GOOD,
    grammar_invalid::LISTEN_ENTRIES,
    grammar_invalid::ONE_FLAG_OF_TWO,
    name_normal::ENTRY_SPELLING,
    name_normal::TARGET_SPELLING,
    name_normal::CONNECTS,
    name_normal::LABEL_CHARACTERS,
    wildcard::BELOW,
    wildcard::NOT_APEX_NOR_LOOKALIKE,
    wildcard::PORT,
    wildcard::CONNECTS,
    literal::NAME_VS_ADDRESS,
    literal::ODD_IPV4_TARGETS,
    literal::ODD_IPV4_ENTRIES,
    literal::IPV4_MAPPED,
    literal::IPV4_MAPPED_TARGET,
    literal::IPV6_VS_IPV4,
    zero_padded_octets::PADDED_TARGETS,
    zero_padded_octets::PADDED_ENTRIES,
    before_io::INVALID_NAME,
    before_io::CLOSED_PORT,
    before_io::BLACK_HOLE,
    before_io::UDP_TARGETS,
    before_io::LISTEN_HOST,
    before_io::LISTEN_IN_USE,
    separate::NET_DOES_NOT_LISTEN,
    separate::LISTEN_DOES_NOT_CONNECT,
    separate::SAME_ADDRESS_BOTH_FLAGS,
    udp_peer::CONSTRUCTION,
    udp_peer::EVERY_SEND_TO,
    udp_peer::PEER_SOCKET_SEND_TO,
    error::CONNECT_MESSAGE,
    error::IPV6_MESSAGE,
    error::LISTEN_MESSAGE,
    error::UDP_MESSAGE,
];

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

/// An engine started with `--allow-net=allow_net` and no `--allow-listen`.
async fn engine_named(ctx: &Ctx, allow_net: &str) -> Result<Script, Failure> {
    ctx.engine(Some(allow_net), None).await
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

/// A listener (tcp or udp) that must bind: returns its handle.
async fn binds(engine: &mut Script, request: Request) -> Result<Handle, Failure> {
    engine.handle(request).await
}

/// Receives one datagram (waiting at most a second) and checks it is `expected`.
async fn recv_datagram(engine: &mut Script, handle: Handle, expected: &[u8]) -> CaseResult {
    let got = engine.bytes(recv_opts(handle, 1024, CallOpts::timeout(1.0))).await?;
    expect(got == expected, || {
        format!("the echoed datagram: expected {}, got {}", show(expected), show(&got))
    })
}
