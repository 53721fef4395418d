//! IO-EOF and IO-LINE-EOF: end of stream.

use crate::body;
use crate::cases::support::{connected, recv_opts, recv_to_end, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Step;
use crate::script::{expect, expect_bytes, expect_names, show};
use crate::waits::Waits;

use super::TCP;

pub const EMPTY_ONLY_AT_END: Case = Case {
    id: "io.eof.empty_only_at_end",
    clauses: &["IO-EOF"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "across a peer's pause every recv returns at least one byte; \"\" comes only after \"datamore\", at end of stream, and again after",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let steps = vec![send(b"data"), Step::Pause(waits.pause()), send(b"more"), Step::Close];
        let (mut engine, sock, _) = connected(&ctx, script(steps)).await?;
        // recv_to_end fails on an empty return before the end and wants "" again after it.
        expect_bytes("everything received", recv_to_end(&mut engine, sock, waits).await?, b"datamore")?;
        engine.close(sock).await
    }),
};

pub const DATA_BEFORE_END: Case = Case {
    id: "io.eof.data_before_end",
    clauses: &["IO-EOF"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a peer that writes and closes at once: recv returns its bytes first, then \"\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"last words"), Step::Close])).await?;
        let first = engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?;
        expect(!first.is_empty() && b"last words".starts_with(&first), || {
            format!("the first recv: expected the start of \"last words\", got {}", show(&first))
        })?;
        let rest = recv_to_end(&mut engine, sock, waits).await?;
        expect_bytes("everything received", [first, rest].concat(), b"last words")?;
        engine.close(sock).await
    }),
};

pub const LINE_EOF_CLEAN_END: Case = Case {
    id: "io.line_eof.clean_end",
    clauses: &["IO-LINE-EOF", "TCP-RECV-LINE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "after the last whole line, recv_line raises EndOfStream naming host:port, and again; recv then returns \"\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, peer) = connected(&ctx, script(vec![send(b"whole\n"), Step::Close])).await?;
        expect_bytes("the last line", engine.recv_line(sock).await?, b"whole\n")?;
        for _ in 0..2 {
            let raised = engine.raises(Request::recv_line(sock, waits.ok_opts()), "EndOfStream").await?;
            expect_names(&raised, &peer.host, peer.port)?;
        }
        engine.expect_bytes("recv at end of stream", recv_opts(sock, 100, waits.ok_opts()), b"").await?;
        engine.close(sock).await
    }),
};
