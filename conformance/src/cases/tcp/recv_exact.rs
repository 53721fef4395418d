//! TCP-RECV-EXACT.

use crate::body;
use crate::cases::support::{connected, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Step;
use crate::script::expect_names;
use crate::waits::Waits;

use super::TCP;

pub const DRIBBLE: Case = Case {
    id: "tcp.recv_exact.dribble",
    clauses: &["TCP-RECV-EXACT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_exact(10) across a peer sending one byte at a time returns all 10 bytes at once",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) =
            connected(&ctx, script(vec![Step::Dribble(b"0123456789".to_vec(), waits.dribble())])).await?;
        engine
            .expect_bytes("recv_exact(10)", Request::recv_exact(sock, 10, waits.ok_opts()), b"0123456789")
            .await?;
        engine.close(sock).await
    }),
};

pub const ACROSS_SEGMENTS: Case = Case {
    id: "tcp.recv_exact.across_segments",
    clauses: &["TCP-RECV-EXACT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "\"abc\", a pause, \"defgh\": recv_exact 2, 5, 1 return \"ab\", \"cdefg\" (across the pause), \"h\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let steps = vec![send(b"abc"), Step::Pause(waits.pause()), send(b"defgh")];
        let (mut engine, sock, _) = connected(&ctx, script(steps)).await?;
        for (n, expected) in [(2, &b"ab"[..]), (5, b"cdefg"), (1, b"h")] {
            engine
                .expect_bytes(
                    &format!("recv_exact({n})"),
                    Request::recv_exact(sock, n, waits.ok_opts()),
                    expected,
                )
                .await?;
        }
        engine.close(sock).await
    }),
};

pub const EOF: Case = Case {
    id: "tcp.recv_exact.eof",
    clauses: &["TCP-RECV-EXACT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_exact(5) when the peer sends \"abc\" and closes raises EndOfStream naming host:port",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, peer) = connected(&ctx, script(vec![send(b"abc"), Step::Close])).await?;
        let raised = engine.raises(Request::recv_exact(sock, 5, waits.ok_opts()), "EndOfStream").await?;
        expect_names(&raised, &peer.host, peer.port)
    }),
};
