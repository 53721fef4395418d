//! A link cut mid-stream (both sides reset): the engine learns of it as ConnectionReset or
//! EndOfStream, and what it had received stays readable (IO-NOTHING-LOST).

use crate::body;
use crate::cases::support::{recv_opts, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Fault;
use crate::script::{Failure, Plain, expect_bytes};
use crate::waits::Waits;

use super::{TCP, apply, connected_to};

pub const MID_STREAM_KEEPS_BUFFERED_BYTES: Case = Case {
    id: "fault.cut.mid_stream_keeps_buffered_bytes",
    clauses: &["IO-NOTHING-LOST", "TCP-RECV-LINE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a link cut 2 s (5 s in sim) into a recv_line waiting for the rest of a line ends it with \
        ConnectionReset or EndOfStream; the partial line stays readable by recv",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.link(script(vec![send(b"partial li")])).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        // A pause, not a brief wait, before the cut: a slow engine's recv_line has long read the
        // partial line and waits for the rest.
        apply(&ctx, &link, Fault::Cut, waits.pause())?;
        match engine.call(Request::recv_line(sock, waits.ok_opts())).await {
            Err(raised) if ["ConnectionReset", "EndOfStream"].contains(&raised.class.as_str()) => {}
            other => {
                return Err(Failure::mismatch(
                    "recv_line across the cut",
                    "ConnectionReset or EndOfStream",
                    other.plain(),
                ));
            }
        }
        let rest = engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?;
        expect_bytes("the partial line after the cut", rest, b"partial li")
    }),
};
