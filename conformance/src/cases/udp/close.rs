//! UDP-CLOSE.

use crate::body;
use crate::cases::support::{recv_from, recv_opts, send_to, udp, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};

use super::UDP;

pub const IDEMPOTENT_THEN_CLOSED: Case = Case {
    id: "udp.close.idempotent_then_closed",
    clauses: &["UDP-CLOSE", "IO-CLOSE-IDEMPOTENT"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "close returns nil twice; send_to, recv and recv_from afterwards raise Closed; on a socket with a default peer, send and recv raise Closed",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        engine.close(sock).await?;
        engine.close(sock).await?;
        engine.raises(send_to(sock, b"x", &echo.host, echo.port), "Closed").await?;
        engine.raises(recv_opts(sock, 100, CallOpts::timeout(0.3)), "Closed").await?;
        engine.raises(recv_from(sock, 100, CallOpts::timeout(0.3)), "Closed").await?;
        let peered = engine.handle(udp_peer(&echo.host, echo.port)).await?;
        engine.close(peered).await?;
        engine.raises(Request::send(peered, b"x"), "Closed").await?;
        engine.raises(recv_opts(peered, 100, CallOpts::timeout(0.3)), "Closed").await?;
        engine.close(peered).await
    }),
};
