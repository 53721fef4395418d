//! UDP-* and IO-UDP-*: the udp socket, one clause group per file.

use crate::cases::support::LOOPBACK;
use crate::catalog::Case;
use crate::contract::Feature;
use crate::script::{CaseResult, Ctx, Failure, Script, expect, expect_eq, quoted};

mod close;
mod datagram;
mod listen;
mod open;
mod peer_filter_port;
mod perm;
mod recv;
mod recv_timeout_message;
mod send;

const UDP: &[Feature] = &[Feature::Udp];

/// The family, in catalog order.
pub const CASES: &[Case] = &[
    send::SEND_TO_UNKNOWN_HOST,
    open::SEND_TO_RECV_FROM,
    open::SEND_WITHOUT_PEER,
    open::PROPERTIES,
    open::OPEN_PEER_SEND_RECV,
    listen::ECHO,
    listen::RECEIVES_ON_ITS_PORT,
    send::RETURNS_COUNT,
    send::SEND_TO_LARGEST_DATAGRAM,
    send::SEND_TO_OVERSIZED,
    send::ARGS_BAD_PORT,
    recv::BAD_MAX_BYTES,
    recv::TIMEOUT,
    recv_timeout_message::NAMES_THE_SOCKET,
    close::IDEMPOTENT_THEN_CLOSED,
    datagram::BOUNDARIES,
    datagram::EMPTY,
    datagram::TRUNCATE,
    datagram::PEER_FILTER,
    peer_filter_port::SAME_HOST_OTHER_PORT,
    perm::SEND_TO_DENIED,
    perm::LISTEN_DENIED,
    perm::PEER_DENIED_AT_CONSTRUCTION,
    perm::PEER_INVALID_NAME,
    perm::PEER_SOCKET_SEND_TO_DENIED,
];

/// An engine allowed to reach the peers and its own loopback (where its sockets meet).
async fn engine_for_peers_and_loopback(ctx: &Ctx, allow_listen: Option<&str>) -> Result<Script, Failure> {
    let host = ctx.peers.host();
    let net = if host == LOOPBACK { LOOPBACK.to_string() } else { format!("{host},{LOOPBACK}") };
    ctx.engine(Some(&net), allow_listen).await
}

/// Fails unless `host` is the IP the echo peer answers from: 127.0.0.1 in real, the simulated
/// server's own (non-loopback) address in sim.
fn expect_peer_ip(ctx: &Ctx, what: &str, host: &str) -> CaseResult {
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) if ctx.peers.is_simulated() => expect(!ip.is_loopback() && !ip.is_unspecified(), || {
            format!("{what}: expected the peer host's IP, got {host}")
        }),
        Ok(_) => expect_eq(what, host, LOOPBACK),
        Err(_) => Err(Failure::mismatch(what, "an IP address", quoted(host))),
    }
}
