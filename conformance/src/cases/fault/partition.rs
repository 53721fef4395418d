//! Partitions that heal: what waits across one completes, what times out during one loses
//! nothing (IO-NOTHING-LOST).

use crate::body;
use crate::cases::support::{script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::{Fault, Peer, Step};
use crate::script::expect_bytes;
use crate::waits::Waits;

use super::{NOW, TCP, apply, connected_to, span};

pub const RECV_EXACT_COMPLETES_AFTER_RELEASE: Case = Case {
    id: "fault.partition.recv_exact_completes_after_release",
    clauses: &["IO-NOTHING-LOST", "TCP-RECV-EXACT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a recv_exact waiting across a partition (5 s; 0.5 s in real) completes after it heals, with every byte in order",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.link(Peer::Echo).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        apply(&ctx, &link, Fault::Hold, NOW)?;
        apply(&ctx, &link, Fault::Heal, span(waits))?;
        engine.send_all(sock, b"0123456789").await?;
        let got = engine.bytes(Request::recv_exact(sock, 10, waits.ok_opts())).await?;
        expect_bytes("the bytes after the partition", got, b"0123456789")
    }),
};

pub const TIMEOUT_THEN_NOTHING_LOST: Case = Case {
    id: "fault.partition.timeout_then_nothing_lost",
    clauses: &["IO-NOTHING-LOST", "IO-TIMEOUT-DEFAULT", "TCP-RECV-EXACT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a recv_exact(8) that times out with 4 bytes buffered, and again during a partition, loses nothing: after it heals recv_exact(8) returns all 8 in order",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let steps = vec![send(b"abcd"), Step::Pause(span(waits)), send(b"efgh")];
        let link = ctx.peers.link(script(steps)).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        engine.raises(Request::recv_exact(sock, 8, waits.brief_opts()), "Timeout").await?;
        // The rest is sent during the partition.
        apply(&ctx, &link, Fault::Hold, NOW)?;
        apply(&ctx, &link, Fault::Heal, span(waits))?;
        engine.raises(Request::recv_exact(sock, 8, waits.brief_opts()), "Timeout").await?;
        let got = engine.bytes(Request::recv_exact(sock, 8, waits.ok_opts())).await?;
        expect_bytes("the bytes after the partition healed", got, b"abcdefgh")
    }),
};
