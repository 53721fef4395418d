//! IO-TIMEOUT-DEFAULT: the default, per-call, nil, zero and negative timeouts.

use std::time::Duration;

use crate::body;
use crate::cases::support::{FOREVER, connected, join_unless_failed, recv_opts, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Property, Request, Value, Wait};
use crate::peers::Step;
use crate::script::{expect_argument, expect_bytes, expect_eq, expect_names};
use crate::waits::Waits;

use super::TCP;

pub const DEFAULT_30S: Case = Case {
    id: "io.timeout.default_30s",
    clauses: &["IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: LongWait,
    description: "with the default timeout recv_line waits through 25 s of silence but raises Timeout in a 35 s one; recv_line(timeout: nil) then gets the line",
    run: body!(async |ctx| {
        // Two sessions at once, so that the real world waits 35 s, not 60.
        let within = async {
            let peer =
                ctx.peers.tcp(script(vec![Step::Pause(Duration::from_secs(25)), send(b"early\n")])).await;
            let mut engine = ctx.engine_for_peers().await?;
            let sock = engine.tcp(&peer.host, peer.port).await?;
            // 25 s of silence is within the default.
            expect_bytes("recv_line after 25 s", engine.recv_line(sock).await?, b"early\n")?;
            engine.close(sock).await
        };
        let past = async {
            let peer =
                ctx.peers.tcp(script(vec![Step::Pause(Duration::from_secs(35)), send(b"late\n")])).await;
            let mut engine = ctx.engine_for_peers().await?;
            let sock = engine.tcp(&peer.host, peer.port).await?;
            // 35 s is not.
            let raised = engine.raises(Request::recv_line(sock, CallOpts::default()), "Timeout").await?;
            expect_names(&raised, &peer.host, peer.port)?;
            engine
                .expect_bytes("recv_line(timeout: nil)", Request::recv_line(sock, FOREVER), b"late\n")
                .await?;
            engine.close(sock).await
        };
        join_unless_failed(within, past).await?.1
    }),
};

pub const NIL_WAITS_FOREVER: Case = Case {
    id: "io.timeout.nil_waits_forever",
    clauses: &["IO-TIMEOUT-DEFAULT", "TCP-OPEN-NEW", "TCP-PROP-TIMEOUT"],
    level: Must,
    needs: TCP,
    worlds: LongWait,
    description: "a line sent after 35 s (past the 30 s default) is received by recv_line(timeout: nil), and by a bare recv_line on a socket whose .timeout is nil (set, or from .new)",
    run: body!(async |ctx| {
        let peer = ctx.peers.tcp(script(vec![Step::Pause(Duration::from_secs(35)), send(b"late\n")])).await;
        // Three sessions at once, so that the real world waits 35 s, not 105.
        let per_call = async {
            let mut engine = ctx.engine_for_peers().await?;
            let sock = engine.tcp(&peer.host, peer.port).await?;
            engine
                .expect_bytes("recv_line(timeout: nil)", Request::recv_line(sock, FOREVER), b"late\n")
                .await?;
            engine.close(sock).await
        };
        let set_nil = async {
            let mut engine = ctx.engine_for_peers().await?;
            let sock = engine.tcp(&peer.host, peer.port).await?;
            engine.nil(Request::SetTimeout { handle: sock, timeout: None }).await?;
            expect_bytes(
                "recv_line on a socket with .timeout nil",
                engine.recv_line(sock).await?,
                b"late\n",
            )?;
            engine.close(sock).await
        };
        let new_nil = async {
            let mut engine = ctx.engine_for_peers().await?;
            let sock = engine.handle(Request::tcp_new(&peer.host, peer.port, Wait::Forever)).await?;
            expect_bytes(
                "recv_line on a socket from .new(timeout: nil)",
                engine.recv_line(sock).await?,
                b"late\n",
            )?;
            engine.close(sock).await
        };
        let (_, rest) = join_unless_failed(per_call, join_unless_failed(set_nil, new_nil)).await?;
        rest?.1
    }),
};

pub const PER_CALL: Case = Case {
    id: "io.timeout.per_call",
    clauses: &["IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "on a default socket recv_line(timeout: short) raises Timeout naming host:port, recv_line(timeout: long) gets the late line, .timeout stays 30",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let peer = ctx.peers.tcp(script(vec![Step::Pause(waits.pause()), send(b"late\n")])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&peer.host, peer.port).await?;
        let raised = engine.raises(Request::recv_line(sock, waits.brief_opts()), "Timeout").await?;
        expect_names(&raised, &peer.host, peer.port)?;
        engine
            .expect_bytes(
                "recv_line with a longer per-call timeout",
                Request::recv_line(sock, waits.ok_opts()),
                b"late\n",
            )
            .await?;
        expect_eq(
            ".timeout after per-call timeouts",
            engine.get(sock, Property::Timeout).await?,
            Value::Float(30.0),
        )?;
        engine.close(sock).await
    }),
};

pub const ZERO_IS_A_POLL: Case = Case {
    id: "io.timeout.zero_is_a_poll",
    clauses: &["IO-TIMEOUT-DEFAULT", "IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "timeout: 0 is a valid wait (not an ArgumentError): Timeout when nothing is there, the line when it is, nothing lost",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) =
            connected(&ctx, script(vec![Step::Pause(waits.pause()), send(b"now\n")])).await?;
        engine.raises(Request::recv_line(sock, CallOpts::timeout(0.0)), "Timeout").await?;
        engine
            .expect_bytes("the line after the zero wait", Request::recv_line(sock, waits.ok_opts()), b"now\n")
            .await?;
        engine.close(sock).await
    }),
};

pub const NEGATIVE: Case = Case {
    id: "io.timeout.negative",
    clauses: &["IO-TIMEOUT-DEFAULT", "IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a per-call timeout of -1 on recv, recv_line and recv_exact raises ArgumentError naming timeout and consumes nothing",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"data\n")])).await?;
        // Read the first byte, so that the rest is here (buffered) for a consuming check to lose.
        engine.expect_bytes("recv_exact(1)", Request::recv_exact(sock, 1, waits.ok_opts()), b"d").await?;
        let bad = CallOpts::timeout(-1.0);
        for request in
            [recv_opts(sock, 100, bad), Request::recv_line(sock, bad), Request::recv_exact(sock, 5, bad)]
        {
            let raised = engine.raises(request, "ArgumentError").await?;
            expect_argument(&raised, "timeout")?;
        }
        engine
            .expect_bytes(
                "recv_line after the rejected calls",
                Request::recv_line(sock, waits.ok_opts()),
                b"ata\n",
            )
            .await?;
        engine.close(sock).await
    }),
};
