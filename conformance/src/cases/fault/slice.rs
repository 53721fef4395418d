//! A line that arrives in slices, one byte per 250 ms: a timeout bounds the whole call, not
//! each read (IO-TIMEOUT-DEFAULT), and what arrived before it stays buffered (IO-NOTHING-LOST).

use std::time::Duration;

use crate::body;
use crate::cases::support::{script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::peers::Fault;
use crate::script::expect_bytes;
use crate::waits::Waits;

use super::{NOW, TCP, apply, connected_to};

/// The sliced line: its newline comes 11 gaps (2.75 s) after its first byte, nearly three times
/// the call's timeout, so that a slow engine's call still ends before it.
const LINE: &[u8] = b"a slow line\n";

pub const RECV_LINE_TIMEOUT_BOUNDS_THE_CALL: Case = Case {
    id: "fault.slice.recv_line_timeout_bounds_the_call",
    clauses: &["IO-TIMEOUT-DEFAULT", "DEC-TIMEOUT-WHOLE-CALL", "IO-NOTHING-LOST", "TCP-RECV-LINE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a 12-byte line arriving one byte per 250 ms (its newline 2.75 s after its first byte) makes \
        recv_line(timeout: 1) raise Timeout (the timeout bounds the call, not each read); the next recv_line gets \
        the whole line",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.link(script(vec![send(LINE)])).await;
        apply(&ctx, &link, Fault::Slice { bytes: 1, gap: waits.time(Duration::from_millis(250)) }, NOW)?;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        engine.raises(Request::recv_line(sock, CallOpts::timeout(waits.secs(1.0))), "Timeout").await?;
        let line = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
        expect_bytes("the line after the timeout", line, LINE)
    }),
};
