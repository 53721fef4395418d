//! IO-CLOSE-IDEMPOTENT: close twice, and every call after close; DEC-ARGUMENTS-FIRST (D16).

use crate::body;
use crate::cases::support::{connected, recv_opts};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::peers::Peer;
use crate::script::{expect_argument, expect_names};
use crate::waits::Waits;

use super::TCP;

pub const TWICE: Case = Case {
    id: "io.close.twice",
    clauses: &["IO-CLOSE-IDEMPOTENT", "TCP-CLOSE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "close twice returns nil both times",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = connected(&ctx, Peer::Echo).await?;
        engine.nil(Request::close(sock)).await?;
        engine.nil(Request::close(sock)).await
    }),
};

pub const THEN_CLOSED: Case = Case {
    id: "io.close.then_closed",
    clauses: &["IO-CLOSE-IDEMPOTENT", "TCP-CLOSE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "after close send, send(\"\"), send_all, recv, recv_line, recv_exact (even of 0) and shutdown raise Closed naming host:port",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, echo) = connected(&ctx, Peer::Echo).await?;
        engine.close(sock).await?;
        let requests = [
            Request::send(sock, b"x"),
            Request::send(sock, b""),
            Request::send_all(sock, b"x"),
            recv_opts(sock, 10, waits.ok_opts()),
            Request::recv_line(sock, waits.ok_opts()),
            Request::recv_exact(sock, 1, waits.ok_opts()),
            Request::recv_exact(sock, 0, waits.ok_opts()),
            Request::shutdown(sock, ":send"),
            Request::shutdown(sock, ":recv"),
            Request::shutdown(sock, ":both"),
        ];
        for request in requests {
            let raised = engine.raises(request, "Closed").await?;
            expect_names(&raised, &echo.host, echo.port)?;
        }
        Ok(())
    }),
};

pub const ARGUMENTS_BEFORE_STATE: Case = Case {
    id: "io.close.arguments_before_state",
    clauses: &["IO-CLOSE-IDEMPOTENT", "DEC-ARGUMENTS-FIRST"],
    level: Should,
    needs: TCP,
    worlds: Both,
    description: "on a closed socket recv(0), recv_exact(-1), recv_line(max_length: 0), shutdown(:sideways) and \
        .timeout = -1 raise ArgumentError naming the argument, not Closed (D16); recv(1) raises Closed",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = connected(&ctx, Peer::Echo).await?;
        engine.close(sock).await?;
        let bad = [
            (Request::recv(sock, 0), "max_bytes"),
            (Request::recv_exact(sock, -1, CallOpts::default()), "n"),
            (Request::recv_line(sock, CallOpts { max_length: Some(0), ..CallOpts::default() }), "max_length"),
            (Request::shutdown(sock, ":sideways"), "direction"),
            (Request::SetTimeout { handle: sock, timeout: Some(-1.0) }, "timeout"),
        ];
        for (request, argument) in bad {
            let raised = engine.raises(request, "ArgumentError").await?;
            expect_argument(&raised, argument)?;
        }
        engine.raises(Request::recv(sock, 1), "Closed").await.map(drop)
    }),
};
