//! A slowloris: a peer that sends one byte just under every timeout. The call's deadline holds
//! (DEC-TIMEOUT-WHOLE-CALL), and what arrived stays buffered (IO-NOTHING-LOST).

use std::time::Duration;

use crate::body;
use crate::cases::support::{Stopwatch, connected, recv_opts, script};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::peers::Step;
use crate::script::{expect, expect_names, show};
use crate::waits::Waits;

use super::{TCP, still_serves};

/// The dribbled line: 23 bytes and a newline, 18 s (90 s in sim) from first to last byte.
const LINE: &[u8] = b"sssssssssssssssssssssss\n";

pub const DEADLINE_HOLDS: Case = Case {
    id: "hostile.slowloris.deadline_holds",
    clauses: &["IO-TIMEOUT-DEFAULT", "DEC-TIMEOUT-WHOLE-CALL", "IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a peer dribbles a line one byte every 0.8 of the call's timeout (1 s; 5 s in sim): recv_line and \
        recv_exact(30) each raise Timeout naming host:port at their deadline (not before 0.9 of it, not 2 s after); \
        recv then returns the bytes that arrived; a fresh socket still works",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let timeout = waits.either(5.0, 1.0);
        let late = waits.secs(2.0);
        let dribble = Step::Dribble(LINE.to_vec(), Duration::from_secs_f64(timeout * 0.8));
        let (mut engine, sock, peer) = connected(&ctx, script(vec![dribble])).await?;
        let opts = CallOpts::timeout(timeout);
        for (call, request) in [
            ("recv_line", Request::recv_line(sock, opts)),
            ("recv_exact(30)", Request::recv_exact(sock, 30, opts)),
        ] {
            let stopwatch = Stopwatch::start(&ctx);
            let raised = engine.raises(request, "Timeout").await?;
            let elapsed = stopwatch.seconds(&ctx);
            expect_names(&raised, &peer.host, peer.port)?;
            expect(elapsed >= timeout * 0.9 && elapsed < timeout + late, || {
                format!("{call} with timeout {timeout}s raised Timeout after {elapsed:.3}s")
            })?;
        }
        let arrived = engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?;
        expect(arrived.len() >= 2 && arrived.iter().all(|b| *b == b's'), || {
            format!(
                "recv after two timeouts: expected the 2 or more s's that arrived, got {}",
                show(&arrived)
            )
        })?;
        engine.close(sock).await?;
        still_serves(&ctx, &mut engine).await
    }),
};
