//! A peer that stops reading for good: a send that cannot complete is bounded by the socket's
//! `.timeout` like a receive, and raises Timeout naming the peer (TCP-SEND-ALL,
//! IO-TIMEOUT-DEFAULT).

use crate::body;
use crate::cases::support::{pattern, script};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Handle, Raised, Request, class_is_a};
use crate::peers::{Fault, Link, Step};
use crate::script::{CaseResult, Ctx, Failure, Script, expect, expect_names};
use crate::waits::Waits;

use super::{NOW, TCP, apply, connected_to};

/// Why a case that fills the send buffers runs in the real world only.
pub(super) const WRITES_TAKEN_WHOLE: &str =
    "the simulated network takes any write whole, so no send waits there";

/// The size of one send_all, and how many at most.
const PIECE: usize = 8 << 20;
const PIECES: usize = 8;

pub const SEND_ALL_TIMES_OUT: Case = Case {
    id: "fault.backpressure.send_all_times_out",
    clauses: &["TCP-SEND-ALL", "IO-TIMEOUT-DEFAULT", "DEC-SEND-COUNT"],
    level: Must,
    needs: TCP,
    worlds: RealOnly(WRITES_TAKEN_WHOLE),
    description: "with .timeout 0.5, send_all of 8 MiB pieces to a peer that has stopped reading returns nil while \
        the buffers between take them; within 64 MiB one raises Timeout naming host:port",
    run: body!(async |ctx| {
        let link = ctx.peers.link(script(vec![Step::RecvToEnd])).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        fill_buffers(&ctx, &mut engine, sock, &link, Waits::of(&ctx).secs(0.5)).await?;
        engine.close(sock).await
    }),
};

/// Stops the peer behind `link` reading, sets `.timeout` of `sock` to `timeout`, and sends
/// 8 MiB pieces until one raises: that exception must be a Timeout naming the link's
/// host:port, and come within 64 MiB.
pub(super) async fn fill_buffers(
    ctx: &Ctx,
    engine: &mut Script,
    sock: Handle,
    link: &Link,
    timeout: f64,
) -> CaseResult {
    apply(ctx, link, Fault::StopReading, NOW)?;
    engine.nil(Request::SetTimeout { handle: sock, timeout: Some(timeout) }).await?;
    // Pieces, not one call: a driver line holds at most 16 MiB. However much the socket
    // buffers on the way take (tens of MiB with Linux's autotuning), 64 MiB is more.
    let piece = pattern(PIECE);
    for _ in 0..PIECES {
        if let Err(raised) = engine.call(Request::send_all(sock, &piece)).await {
            return timed_out_naming("send_all", &raised, link);
        }
    }
    Err(Failure::new(format!(
        "{PIECES} send_all calls of {PIECE} bytes each returned to a peer that reads nothing: none timed out"
    )))
}

/// `op`'s exception must be a Timeout naming the host:port of `link`.
pub(super) fn timed_out_naming(op: &str, raised: &Raised, link: &Link) -> CaseResult {
    expect(class_is_a(&raised.class, "Timeout"), || {
        format!("{op}'s exception: expected Timeout, got {}: {}", raised.class, raised.message)
    })?;
    expect_names(raised, &link.addr.host, link.addr.port)
}
