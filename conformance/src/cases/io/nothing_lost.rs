//! IO-NOTHING-LOST: a call that fails consumes nothing.

use crate::body;
use crate::cases::support::{connected, recv_opts, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::{Peer, Step};
use crate::script::expect_names;
use crate::waits::Waits;

use super::TCP;

pub const RECV_LINE_TIMEOUT: Case = Case {
    id: "io.nothing_lost.recv_line_timeout",
    clauses: &["IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "\"abc\", a pause, \"def\\n\": recv_line with a short timeout raises Timeout, then recv_line returns \"abcdef\\n\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, peer) = connected(&ctx, abc_pause_def(waits)).await?;
        let raised = engine.raises(Request::recv_line(sock, waits.brief_opts()), "Timeout").await?;
        expect_names(&raised, &peer.host, peer.port)?;
        engine
            .expect_bytes(
                "recv_line after the timeout",
                Request::recv_line(sock, waits.ok_opts()),
                b"abcdef\n",
            )
            .await?;
        engine.close(sock).await
    }),
};

pub const RECV_EXACT_TIMEOUT: Case = Case {
    id: "io.nothing_lost.recv_exact_timeout",
    clauses: &["IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "\"abc\", a pause, \"def\\n\": recv_exact(7) with a short timeout raises Timeout, then recv_exact(7) returns \"abcdef\\n\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, peer) = connected(&ctx, abc_pause_def(waits)).await?;
        let raised = engine.raises(Request::recv_exact(sock, 7, waits.brief_opts()), "Timeout").await?;
        expect_names(&raised, &peer.host, peer.port)?;
        engine
            .expect_bytes(
                "recv_exact(7) after the timeout",
                Request::recv_exact(sock, 7, waits.ok_opts()),
                b"abcdef\n",
            )
            .await?;
        engine.close(sock).await
    }),
};

pub const RECV_TIMEOUT: Case = Case {
    id: "io.nothing_lost.recv_timeout",
    clauses: &["IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a recv that times out between \"abc\" and \"def\\n\" consumes nothing: recv_line then returns \"def\\n\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, peer) = connected(&ctx, abc_pause_def(waits)).await?;
        engine.expect_bytes("recv_exact(3)", Request::recv_exact(sock, 3, waits.ok_opts()), b"abc").await?;
        let raised = engine.raises(recv_opts(sock, 10, waits.brief_opts()), "Timeout").await?;
        expect_names(&raised, &peer.host, peer.port)?;
        engine
            .expect_bytes("recv_line after the timeout", Request::recv_line(sock, waits.ok_opts()), b"def\n")
            .await?;
        engine.close(sock).await
    }),
};

pub const RECV_EXACT_EOF: Case = Case {
    id: "io.nothing_lost.recv_exact_eof",
    clauses: &["IO-NOTHING-LOST", "TCP-RECV-EXACT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_exact(10) raises EndOfStream when the peer sent \"abc\" and closed; recv then returns \"abc\", then \"\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, peer) = connected(&ctx, script(vec![send(b"abc"), Step::Close])).await?;
        let raised = engine.raises(Request::recv_exact(sock, 10, waits.ok_opts()), "EndOfStream").await?;
        expect_names(&raised, &peer.host, peer.port)?;
        engine.expect_bytes("recv after EndOfStream", recv_opts(sock, 100, waits.ok_opts()), b"abc").await?;
        engine.expect_bytes("recv at end of stream", recv_opts(sock, 100, waits.ok_opts()), b"").await?;
        engine.close(sock).await
    }),
};

/// A peer that sends "abc", pauses, then sends "def\n".
fn abc_pause_def(waits: Waits) -> Peer {
    script(vec![send(b"abc"), Step::Pause(waits.pause()), send(b"def\n")])
}
