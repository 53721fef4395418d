//! A dialing peer that falls silent past the 30 s default: a socket returned by accept has the
//! same default timeout as one opened (IO-TIMEOUT-DEFAULT, LST-ACCEPT). In real time it waits
//! 35 s, so it runs in the long lane.

use std::time::Duration;

use crate::body;
use crate::cases::support::{FOREVER, dial_addr, dialed, join_unless_failed, listening, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::peers::Step;
use crate::script::{CaseResult, Ctx, expect_bytes};
use crate::waits::Waits;

use super::TCP_LISTEN;

/// Accepts a peer that says nothing for `silence`, then sends `line`: `within` the default,
/// recv_line gets the line; past it, recv_line raises Timeout and recv_line(timeout: nil)
/// gets the line.
async fn accept_silent_dialer(ctx: &Ctx, silence: Duration, line: &[u8], within: bool) -> CaseResult {
    let (mut engine, listener, port) = listening(ctx, "0").await?;
    let steps = vec![Step::Pause(silence), send(line), Step::RecvToEnd];
    let dialer = ctx.peers.dial(dial_addr(ctx, port), steps);
    let sock = engine.handle(Request::accept(listener, Waits::of(ctx).ok_opts())).await?;
    if within {
        expect_bytes("recv_line after a silence within the default", engine.recv_line(sock).await?, line)?;
    } else {
        engine.raises(Request::recv_line(sock, CallOpts::default()), "Timeout").await?;
        engine.expect_bytes("recv_line(timeout: nil)", Request::recv_line(sock, FOREVER), line).await?;
    }
    engine.close(sock).await?;
    dialed(dialer.await)?;
    engine.close(listener).await
}

pub const ACCEPTED_DEFAULT_30S: Case = Case {
    id: "fault.silence.accepted_default_30s",
    clauses: &["IO-TIMEOUT-DEFAULT", "LST-ACCEPT"],
    level: Must,
    needs: TCP_LISTEN,
    worlds: LongWait,
    description: "on a socket returned by accept, recv_line with the default timeout waits through 25 s of silence but raises Timeout in a 35 s one; recv_line(timeout: nil) then gets the line",
    run: body!(async |ctx| {
        // Two sessions at once, so that the real world waits 35 s, not 60.
        let within = accept_silent_dialer(&ctx, Duration::from_secs(25), b"early\n", true);
        let past = accept_silent_dialer(&ctx, Duration::from_secs(35), b"late\n", false);
        join_unless_failed(within, past).await?.1
    }),
};
