//! A small send into full buffers: it waits for room within its timeout like a large one
//! (TCP-SEND), and a poll (timeout 0) answers at once, whatever wait an earlier call used
//! (IO-TIMEOUT-DEFAULT, DEC-TIMEOUT-WHOLE-CALL).

use std::time::Duration;

use crate::body;
use crate::cases::support::{Stopwatch, script};
use crate::cases::tls::{TLS, open_good};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Handle, Request, Value, class_is_a};
use crate::peers::{Fault, Link, Peer, Step, TlsPeer};
use crate::script::{CaseResult, Ctx, Failure, Script, expect};
use crate::waits::Waits;

use super::stalled_send::{WRITES_TAKEN_WHOLE, fill_buffers};
use super::{TCP, apply, connected_to};

/// How long after the buffers fill the peer reads again.
const STALL: Duration = Duration::from_millis(300);

/// The timeout of the call that fills the buffers. An engine that lets a socket timeout outlive
/// its call keeps half of it (1.5 s), or all of it, for the next call.
const FILL_TIMEOUT: f64 = 3.0;

/// The longest a poll may take: under the 1.5 s a socket timeout left by the filling call
/// would block it, and over what a poll of a slow engine costs on a loaded machine.
const POLL_BOUND: f64 = 1.0;

pub const SMALL_SEND_WAITS_FOR_ROOM: Case = Case {
    id: "fault.backpressure.small_send_waits_for_room",
    clauses: &["TCP-SEND", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: RealOnly(WRITES_TAKEN_WHOLE),
    description: "with the send buffers full (send_all to a peer that reads nothing timed out), a send of 16 bytes \
        with .timeout 5, the peer reading again 0.3 s later, waits for room and returns 1..=16; it neither raises \
        at once nor loses the wait",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.link(script(vec![Step::RecvToEnd])).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        fill_buffers(&ctx, &mut engine, sock, &link, waits.secs(0.5)).await?;
        apply(&ctx, &link, Fault::ResumeReading, waits.time(STALL))?;
        engine.nil(Request::SetTimeout { handle: sock, timeout: Some(waits.ok()) }).await?;
        let count = engine.int(Request::send(sock, &[b'x'; 16])).await?;
        expect((1..=16).contains(&count), || format!("send of 16 bytes returned {count}"))?;
        engine.close(sock).await
    }),
};

pub const POLL_SEND_ANSWERS_AT_ONCE: Case = Case {
    id: "fault.backpressure.poll_send_answers_at_once",
    clauses: &["TCP-SEND", "IO-TIMEOUT-DEFAULT", "DEC-TIMEOUT-WHOLE-CALL"],
    level: Must,
    needs: TCP,
    worlds: RealOnly(WRITES_TAKEN_WHOLE),
    description: "on a tcp socket whose send buffers are full (send_all with .timeout 3 to a peer that reads \
        nothing timed out), a send of 16 bytes with timeout 0 answers within 1 s, with Timeout or a count in \
        1..=16 (room for a few bytes may have opened): a poll does not wait the earlier call's time",
    run: body!(async |ctx| {
        let link = ctx.peers.link(script(vec![Step::RecvToEnd])).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        poll_into_full_buffers(&ctx, &mut engine, sock, &link).await
    }),
};

pub const TLS_POLL_SEND_ANSWERS_AT_ONCE: Case = Case {
    id: "fault.backpressure.tls_poll_send_answers_at_once",
    clauses: &["TCP-SEND", "IO-TIMEOUT-DEFAULT", "DEC-TIMEOUT-WHOLE-CALL"],
    level: Must,
    needs: TLS,
    worlds: RealOnly(WRITES_TAKEN_WHOLE),
    description: "on an ssl socket whose send buffers are full (send_all with .timeout 3 to a peer that reads \
        nothing timed out), a send of 16 bytes with timeout 0 answers within 1 s, with Timeout or a count in \
        1..=16 (room for a few bytes may have opened): a poll does not wait the earlier call's time",
    run: body!(async |ctx| {
        let link = ctx.peers.link(Peer::Tls(TlsPeer::new("good"))).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = open_good(&ctx, &mut engine, &link.addr).await?;
        poll_into_full_buffers(&ctx, &mut engine, sock, &link).await
    }),
};

/// Fills the buffers of `sock` (its peer behind `link` reading nothing) with send_all calls
/// under a [`FILL_TIMEOUT`], then sends 16 bytes with timeout 0: within [`POLL_BOUND`], a
/// Timeout or a count in 1..=16. (Linux's send takes bytes as soon as any room opens, while an
/// engine that waits for writability first sees it only once a third of the buffer is free.)
async fn poll_into_full_buffers(ctx: &Ctx, engine: &mut Script, sock: Handle, link: &Link) -> CaseResult {
    let waits = Waits::of(ctx);
    fill_buffers(ctx, engine, sock, link, waits.secs(FILL_TIMEOUT)).await?;
    engine.nil(Request::SetTimeout { handle: sock, timeout: Some(0.0) }).await?;
    let watch = Stopwatch::start(ctx);
    let outcome = engine.call(Request::send(sock, &[b'x'; 16])).await;
    let took = watch.seconds(ctx);
    match outcome {
        Err(raised) if class_is_a(&raised.class, "Timeout") => {}
        Ok(Value::Int(count)) if (1..=16).contains(&count) => {}
        other => {
            return Err(Failure::mismatch(
                "a send of 16 bytes with timeout 0 into full buffers",
                "Timeout or a count in 1..=16",
                format!("{other:?}"),
            ));
        }
    }
    let bound = waits.secs(POLL_BOUND);
    expect(took < bound, || {
        format!("a send with timeout 0 into full buffers took {took:.2} s (at most {bound} s)")
    })?;
    engine.close(sock).await
}
