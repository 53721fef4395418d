//! A line without end: IO-LINE-MAX's bound holds against a peer that never sends a newline.
//! The reference holds at most `max_length` and one read (64 KiB) of it
//! (`harness/tests/sockets.rs` measures it).

use crate::body;
use crate::cases::support::{connected, recv_opts, script};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Step;
use crate::script::{Failure, expect, expect_names, show};
use crate::waits::Waits;

use super::{TCP, still_serves};

/// What the peer sends without a newline: 4 times the default max_length.
const FLOOD_BYTES: usize = 4 << 20;

pub const ENDLESS: Case = Case {
    id: "hostile.line.endless",
    clauses: &["IO-LINE-MAX", "IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a peer sends 4 MiB without a newline: recv_line (default max_length 1 MiB) raises naming host:port, \
        and not Timeout (it stops reading at the limit; the class is D1's, checked by io.line_max.line_too_long); \
        recv(4096) then returns 1..=4096 of the peer's bytes; a fresh socket still works",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let flood = Step::Flood(vec![b'x'; 65_536], FLOOD_BYTES);
        let (mut engine, sock, peer) = connected(&ctx, script(vec![flood])).await?;
        let raised = match engine.call(Request::recv_line(sock, waits.ok_opts())).await {
            Err(raised) if raised.class != "Timeout" => raised,
            Err(raised) => {
                return Err(Failure::new(format!("recv_line past the limit timed out: {}", raised.message)));
            }
            Ok(_) => return Err(Failure::new("recv_line returned a line the peer never ended")),
        };
        expect_names(&raised, &peer.host, peer.port)?;
        // A recv(n) returns 1..=n bytes (TCP-RECV): the peer's, whatever their count.
        let bytes = engine.bytes(recv_opts(sock, 4096, waits.ok_opts())).await?;
        expect((1..=4096).contains(&bytes.len()) && bytes.iter().all(|b| *b == b'x'), || {
            let start = show(&bytes[..bytes.len().min(32)]);
            format!(
                "recv(4096) after the refused line: expected 1..=4096 x's, got {} bytes: {start}",
                bytes.len()
            )
        })?;
        engine.close(sock).await?;
        still_serves(&ctx, &mut engine).await
    }),
};
