//! Hostile peers: a line without end, a slowloris, handshakes broken on purpose, a flood of
//! datagrams, a listener flooded with silent connections. Each case checks that the engine
//! raises the clause's class within the call's deadline, holds what it reads within the clause's
//! bound, and keeps serving its other sockets: an engine that dies, or hangs, fails the next
//! request.

use crate::cases::support::connect;
use crate::catalog::Case;
use crate::contract::{Feature, Request};
use crate::peers::Peer;
use crate::script::{CaseResult, Ctx, Script};
use crate::waits::Waits;

mod flood;
mod handshake;
mod line;
mod slowloris;

const TCP: &[Feature] = &[Feature::Tcp];
const UDP: &[Feature] = &[Feature::Udp];
const TCP_LISTEN: &[Feature] = &[Feature::Tcp, Feature::Listen];

/// The family, in catalog order.
pub const CASES: &[Case] = &[
    line::ENDLESS,
    slowloris::DEADLINE_HOLDS,
    handshake::RESET,
    handshake::HANG_UP,
    handshake::GARBAGE,
    handshake::ALERT_REPLY,
    handshake::OVERSIZED_RECORD,
    handshake::HUGE_CHAIN,
    flood::DATAGRAMS_FLOOD,
    flood::SILENT_CONNECTIONS,
];

/// After the hostile exchange, a fresh socket to an echo peer still makes a round trip.
async fn still_serves(ctx: &Ctx, engine: &mut Script) -> CaseResult {
    let waits = Waits::of(ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let sock = connect(engine, &echo, waits).await?;
    engine.send_all(sock, b"still here\n").await?;
    engine
        .expect_bytes(
            "an echo round trip on a fresh socket",
            Request::recv_line(sock, waits.ok_opts()),
            b"still here\n",
        )
        .await?;
    engine.close(sock).await
}
