//! IO-EXACT-ZERO: recv_exact(0) and a negative n.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Step;
use crate::script::{expect_argument, expect_eq, show};
use crate::waits::Waits;

use super::TCP;
use crate::cases::support::{connect, script, send};

pub const EMPTY: Case = Case {
    id: "io.exact_zero.empty",
    clauses: &["IO-EXACT-ZERO"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_exact(0) returns \"\" at once, while the peer is still silent and between bytes, and consumes nothing",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let peer = ctx.peers.tcp(script(vec![Step::Pause(waits.pause()), send(b"abc\n")])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        // A short timeout, and the peer still silent: recv_exact(0) must not wait for a byte.
        let first = engine.bytes(Request::recv_exact(sock, 0, waits.brief_opts())).await?;
        expect_eq("recv_exact(0) before any byte", show(&first), show(b""))?;
        let a = engine.bytes(Request::recv_exact(sock, 1, waits.ok_opts())).await?;
        expect_eq("recv_exact(1)", show(&a), show(b"a"))?;
        let between = engine.bytes(Request::recv_exact(sock, 0, waits.brief_opts())).await?;
        expect_eq("recv_exact(0) between bytes", show(&between), show(b""))?;
        let rest = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
        expect_eq("recv_line", show(&rest), show(b"bc\n"))?;
        engine.close(sock).await
    }),
};

pub const NEGATIVE: Case = Case {
    id: "io.exact_zero.negative",
    clauses: &["IO-EXACT-ZERO"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_exact(-1) raises ArgumentError naming n and consumes nothing",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let peer = ctx.peers.tcp(script(vec![send(b"kept\n")])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        expect_eq(
            "recv_exact(2)",
            show(&engine.bytes(Request::recv_exact(sock, 2, waits.ok_opts())).await?),
            show(b"ke"),
        )?;
        let raised = engine.raises(Request::recv_exact(sock, -1, waits.ok_opts()), "ArgumentError").await?;
        expect_argument(&raised, "n")?;
        expect_eq(
            "recv_line after the rejected call",
            show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
            show(b"pt\n"),
        )?;
        engine.close(sock).await
    }),
};
