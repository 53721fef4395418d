//! IO-EXACT-ZERO: recv_exact(0) and a negative n.

use crate::body;
use crate::cases::support::{connected, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Step;
use crate::script::expect_argument;
use crate::waits::Waits;

use super::TCP;

pub const EMPTY: Case = Case {
    id: "io.exact_zero.empty",
    clauses: &["IO-EXACT-ZERO"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_exact(0) returns \"\" at once, while the peer is still silent and between bytes, and consumes nothing",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) =
            connected(&ctx, script(vec![Step::Pause(waits.pause()), send(b"abc\n")])).await?;
        // A short timeout, and the peer still silent: recv_exact(0) must not wait for a byte.
        engine
            .expect_bytes(
                "recv_exact(0) before any byte",
                Request::recv_exact(sock, 0, waits.brief_opts()),
                b"",
            )
            .await?;
        engine.expect_bytes("recv_exact(1)", Request::recv_exact(sock, 1, waits.ok_opts()), b"a").await?;
        engine
            .expect_bytes(
                "recv_exact(0) between bytes",
                Request::recv_exact(sock, 0, waits.brief_opts()),
                b"",
            )
            .await?;
        engine.expect_bytes("recv_line", Request::recv_line(sock, waits.ok_opts()), b"bc\n").await?;
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
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"kept\n")])).await?;
        engine.expect_bytes("recv_exact(2)", Request::recv_exact(sock, 2, waits.ok_opts()), b"ke").await?;
        let raised = engine.raises(Request::recv_exact(sock, -1, waits.ok_opts()), "ArgumentError").await?;
        expect_argument(&raised, "n")?;
        engine
            .expect_bytes(
                "recv_line after the rejected call",
                Request::recv_line(sock, waits.ok_opts()),
                b"pt\n",
            )
            .await?;
        engine.close(sock).await
    }),
};
