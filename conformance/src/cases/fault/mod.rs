//! Cases under faults: partitions that heal, crashed peers, latency, cuts, slices, a peer
//! that stops reading (and a small send or a poll into the full buffers it leaves), data limits, silence past the defaults, and lost, duplicated or
//! reordered datagrams. They check that the I/O model holds when the network misbehaves:
//! nothing lost, never a hang, timeouts that bound the call. Each asks its world for a
//! [`Link`] and breaks it the same way in both worlds.

use std::time::Duration;

use crate::catalog::Case;
use crate::contract::{Feature, Handle};
use crate::peers::{Fault, Link};
use crate::script::{Ctx, Failure, Script};
use crate::waits::Waits;

mod backpressure;
mod crash;
mod cut;
mod latency;
mod limit_data;
mod partition;
mod send_bounds;
mod silence;
mod slice;
mod small_send;
mod stalled_send;
mod udp;

const TCP: &[Feature] = &[Feature::Tcp];
const UDP: &[Feature] = &[Feature::Udp];
const TCP_LISTEN: &[Feature] = &[Feature::Tcp, Feature::Listen];

/// A fault applied at once.
const NOW: Duration = Duration::ZERO;

/// How long a fault lasts before it heals (5 s; 0.5 s in real time, times the run's scale).
/// No case needs a call to end within it: a slow engine's call that starts after a fault
/// healed still passes.
fn span(waits: Waits) -> Duration {
    Duration::from_secs_f64(waits.either(5.0, 0.5))
}

/// The family, in catalog order.
pub const CASES: &[Case] = &[
    partition::RECV_EXACT_COMPLETES_AFTER_RELEASE,
    partition::TIMEOUT_THEN_NOTHING_LOST,
    crash::PEER_GONE_IS_NEVER_A_HANG,
    crash::RESTARTED_PEER_SERVES_NEW_CONNECTIONS,
    latency::TIMEOUT_THEN_LATE_BYTES,
    latency::PER_CALL_TIMEOUT_OUTLASTS_LATENCY,
    cut::MID_STREAM_KEEPS_BUFFERED_BYTES,
    slice::RECV_LINE_TIMEOUT_BOUNDS_THE_CALL,
    limit_data::END_OF_STREAM_KEEPS_THE_BYTES,
    backpressure::SEND_ALL_DRAINS_IN_ORDER,
    backpressure::SEND_COUNTS_EVERY_BYTE_ONCE,
    stalled_send::SEND_ALL_TIMES_OUT,
    send_bounds::SEND_IS_BOUNDED,
    send_bounds::SEND_ALL_DEADLINE_ON_A_SLOW_READER,
    small_send::SMALL_SEND_WAITS_FOR_ROOM,
    small_send::POLL_SEND_ANSWERS_AT_ONCE,
    small_send::TLS_POLL_SEND_ANSWERS_AT_ONCE,
    silence::ACCEPTED_DEFAULT_30S,
    udp::LOSS_DATAGRAMS_INTACT_OR_ABSENT,
    udp::DISORDER_DATAGRAMS_WHOLE,
];

/// Applies `fault` to `link` `after` from now.
fn apply(ctx: &Ctx, link: &Link, fault: Fault, after: Duration) -> Result<(), Failure> {
    ctx.peers.fault(link, fault, after).map_err(|e| Failure::new(format!("the world refused {fault}: {e}")))
}

/// An engine allowed to reach the peers, with a socket connected to `link`.
async fn connected_to(ctx: &Ctx, link: &Link) -> Result<(Script, Handle), Failure> {
    let mut engine = ctx.engine_for_peers().await?;
    let sock = crate::cases::support::connect(&mut engine, &link.addr, Waits::of(ctx)).await?;
    Ok((engine, sock))
}
