//! UDP-LISTEN.

use crate::body;
use crate::cases::support::{LOOPBACK, datagram, local_port, recv_from, send_to, udp};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::script::{expect_bytes, expect_eq};
use crate::waits::Waits;

use super::{UDP, engine_for_peers_and_loopback};

pub const ECHO: Case = Case {
    id: "udp.listen.echo",
    clauses: &["UDP-LISTEN", "UDP-SEND-TO", "UDP-RECV"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "udp_listen(host, 0) with --allow-listen=0 returns a socket that sends to an echo peer and receives its reply",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine(Some(ctx.peers.host()), Some("0")).await?;
        let sock = engine.handle(Request::UdpListen { host: ctx.bind_host().into(), port: 0 }).await?;
        expect_eq(
            "send_to's count",
            engine.int(send_to(sock, b"listening", &echo.host, echo.port)).await?,
            9,
        )?;
        engine.expect_bytes("recv", Request::recv(sock, 100), b"listening").await?;
        engine.close(sock).await
    }),
};

pub const RECEIVES_ON_ITS_PORT: Case = Case {
    id: "udp.listen.receives_on_its_port",
    clauses: &["UDP-LISTEN", "UDP-RECV-FROM", "UDP-SEND-TO", "DEC-UDP-PROPERTIES"],
    level: Should,
    needs: UDP,
    worlds: Both,
    description: "D8: udp_listen(host, 0) reports its real .local_port; a datagram another socket sends to 127.0.0.1:that port arrives via recv_from as [bytes, \"127.0.0.1\", the sender's .local_port]",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let mut engine = engine_for_peers_and_loopback(&ctx, Some("0")).await?;
        let listening = engine.handle(Request::UdpListen { host: ctx.bind_host().into(), port: 0 }).await?;
        let port = local_port(&mut engine, listening).await?;
        let sender = engine.handle(udp()).await?;
        let sender_port = local_port(&mut engine, sender).await?;
        expect_eq("send_to's count", engine.int(send_to(sender, b"to you", LOOPBACK, port)).await?, 6)?;
        let (bytes, host, from_port) =
            datagram(&mut engine, recv_from(listening, 100, waits.ok_opts())).await?;
        expect_bytes("recv_from's bytes", bytes, b"to you")?;
        expect_eq("recv_from's host", host.as_str(), LOOPBACK)?;
        expect_eq("recv_from's port (the sender's .local_port)", from_port, i64::from(sender_port))?;
        engine.close(sender).await?;
        engine.close(listening).await
    }),
};
