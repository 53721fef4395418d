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
    description: "10 bytes sent into a partition that heals 5 s later (0.5 s in real) reach the echo peer: a \
        recv_exact(10) waiting across it completes with every byte in order",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.link(Peer::Echo).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        apply(&ctx, &link, Fault::Hold, NOW)?;
        engine.send_all(sock, b"0123456789").await?;
        // Timed from the send's return, so that the bytes are in the partition however slowly
        // the engine answers.
        apply(&ctx, &link, Fault::Heal, span(waits))?;
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
    description: "a peer sends 4 bytes, then waits for the engine's \"go\\n\" before the other 4: recv_exact(8) \
        times out with 4 bytes buffered, and again while a partition holds the \"go\\n\"; nothing is lost: once \
        the partition heals, recv_exact(8) returns all 8 in order",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let steps = vec![send(b"abcd"), Step::RecvExpect(b"go\n".to_vec()), send(b"efgh")];
        let link = ctx.peers.link(script(steps)).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        // The peer sends nothing more until it reads "go": each brief wait must time out, on an
        // engine of any speed.
        engine.raises(Request::recv_exact(sock, 8, waits.brief_opts()), "Timeout").await?;
        apply(&ctx, &link, Fault::Hold, NOW)?;
        engine.send_all(sock, b"go\n").await?;
        engine.raises(Request::recv_exact(sock, 8, waits.brief_opts()), "Timeout").await?;
        apply(&ctx, &link, Fault::Heal, NOW)?;
        let got = engine.bytes(Request::recv_exact(sock, 8, waits.ok_opts())).await?;
        expect_bytes("the bytes after the partition healed", got, b"abcdefgh")
    }),
};
