//! UDP-RECV and UDP-RECV-FROM.

use crate::body;
use crate::cases::support::{recv_from, recv_opts, send_to, udp};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::script::expect_mentions;
use crate::waits::Waits;

use super::UDP;

pub const BAD_MAX_BYTES: Case = Case {
    id: "udp.recv.bad_max_bytes",
    clauses: &["UDP-RECV", "UDP-RECV-FROM"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "recv(0), recv(-1) and recv_from(0) raise ArgumentError naming max_bytes",
    run: body!(async |ctx| {
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        for request in
            [Request::recv(sock, 0), Request::recv(sock, -1), recv_from(sock, 0, CallOpts::default())]
        {
            let raised = engine.raises(request, "ArgumentError").await?;
            expect_mentions(&raised, &["max_bytes"])?;
        }
        engine.close(sock).await
    }),
};

pub const TIMEOUT: Case = Case {
    id: "udp.recv.timeout",
    clauses: &["UDP-RECV", "UDP-RECV-FROM", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "recv(timeout: 0.3) and recv_from(timeout: 0.3) with nothing arriving raise Timeout; the socket then still receives",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        engine.raises(recv_opts(sock, 100, CallOpts::timeout(0.3)), "Timeout").await?;
        engine.raises(recv_from(sock, 100, CallOpts::timeout(0.3)), "Timeout").await?;
        engine.int(send_to(sock, b"late", &echo.host, echo.port)).await?;
        engine
            .expect_bytes("recv after the timeouts", recv_opts(sock, 100, waits.ok_opts()), b"late")
            .await?;
        engine.close(sock).await
    }),
};
