//! A peer that stops reading, then drains: the engine's send buffers fill, its sends wait, and
//! every byte arrives once, in order (TCP-SEND, TCP-SEND-ALL).

use crate::body;
use crate::cases::support::{pattern, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::{Fault, Peer, Step};
use crate::script::{Failure, expect, expect_bytes};
use crate::waits::Waits;

use super::{NOW, TCP, apply, connected_to, span};

/// What the engine sends: `real` bytes on loopback, 256 KiB in the simulated network, which
/// takes any write whole.
fn volume(waits: Waits, real: usize) -> usize {
    if waits.simulated() { 256 << 10 } else { real }
}

/// A peer that reads exactly `expected` and then answers `ok\n` (closing at a difference).
fn checking_peer(expected: Vec<u8>) -> Peer {
    script(vec![Step::RecvExpect(expected), send(b"ok\n")])
}

pub const SEND_ALL_DRAINS_IN_ORDER: Case = Case {
    id: "fault.backpressure.send_all_drains_in_order",
    clauses: &["TCP-SEND-ALL", "IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "send_all of 8 MiB (256 KiB in sim) to a peer that stops reading for 0.5 s (5 s in sim), then drains, returns nil and the peer reads every byte once, in order",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        // More than loopback's send and receive buffers hold, so that send_all meets backpressure.
        let data = pattern(volume(waits, 8 << 20));
        let link = ctx.peers.link(checking_peer(data.clone())).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        apply(&ctx, &link, Fault::StopReading, NOW)?;
        apply(&ctx, &link, Fault::ResumeReading, span(waits))?;
        engine.send_all(sock, &data).await?;
        let answer = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
        expect_bytes("the peer's verdict on the bytes it read", answer, b"ok\n")
    }),
};

pub const SEND_COUNTS_EVERY_BYTE_ONCE: Case = Case {
    id: "fault.backpressure.send_counts_every_byte_once",
    clauses: &["TCP-SEND", "IO-NOTHING-LOST", "DEC-SEND-COUNT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "sends of 64 KiB pieces to a peer that stops reading for 0.5 s (5 s in sim) each return 1..=the piece's length; resending what was not counted, the peer reads the 2 MiB (256 KiB in sim) once, in order",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let data = pattern(volume(waits, 2 << 20));
        let link = ctx.peers.link(checking_peer(data.clone())).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        apply(&ctx, &link, Fault::StopReading, NOW)?;
        apply(&ctx, &link, Fault::ResumeReading, span(waits))?;
        let mut sent = 0;
        while sent < data.len() {
            let piece = &data[sent..data.len().min(sent + (64 << 10))];
            let count = engine.int(Request::send(sock, piece)).await?;
            expect(count >= 1 && count as usize <= piece.len(), || {
                format!("send of {} bytes returned {count}, at byte {sent}", piece.len())
            })?;
            sent += count as usize;
        }
        let answer = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
        expect_bytes("the peer's verdict on the bytes it read", answer, b"ok\n").map_err(|failure| {
            Failure::new(format!("{failure} (a peer that read other bytes closes the connection)"))
        })
    }),
};
