//! UDP-OPEN and UDP-OPEN-PEER: udp sockets without and with a default peer.

use crate::body;
use crate::cases::support::{datagram, local_ip, local_port, recv_from, send_to, udp, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Property, Request, Value};
use crate::script::{expect_bytes, expect_eq, expect_mentions};

use super::{UDP, expect_peer_ip};

pub const SEND_TO_RECV_FROM: Case = Case {
    id: "udp.open.send_to_recv_from",
    clauses: &["UDP-OPEN", "UDP-SEND-TO", "UDP-RECV-FROM", "DEC-ADDRESS-TEXT"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "%net.udp sends \"hello\" to an echo peer (send_to returns 5); recv_from returns [\"hello\", the echo's IP, the echo's port]",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        expect_eq("send_to's count", engine.int(send_to(sock, b"hello", &echo.host, echo.port)).await?, 5)?;
        let (bytes, host, port) = datagram(&mut engine, recv_from(sock, 100, CallOpts::default())).await?;
        expect_bytes("recv_from's bytes", bytes, b"hello")?;
        expect_peer_ip(&ctx, "recv_from's host", &host)?;
        expect_eq("recv_from's port", port, i64::from(echo.port))?;
        engine.close(sock).await
    }),
};

pub const SEND_WITHOUT_PEER: Case = Case {
    id: "udp.open.send_without_peer",
    clauses: &["UDP-OPEN", "UDP-SEND", "DEC-UDP-ARGUMENTS"],
    level: Should,
    needs: UDP,
    worlds: Both,
    description: "D7: send on %net.udp (no default peer) raises ArgumentError naming peer",
    run: body!(async |ctx| {
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        let raised = engine.raises(Request::send(sock, b"x"), "ArgumentError").await?;
        expect_mentions(&raised, &["peer"])?;
        engine.close(sock).await
    }),
};

pub const PROPERTIES: Case = Case {
    id: "udp.open.properties",
    clauses: &["UDP-OPEN", "IO-TIMEOUT-DEFAULT", "DEC-UDP-PROPERTIES", "DEC-UDP-BIND"],
    level: Should,
    needs: UDP,
    worlds: Both,
    description: "D8: a new udp socket has .timeout 30.0, .local_host an IP and .local_port 1..65535 (an ephemeral port)",
    run: body!(async |ctx| {
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Float(30.0))?;
        local_ip(&mut engine, sock).await?;
        local_port(&mut engine, sock).await?;
        engine.close(sock).await
    }),
};

pub const OPEN_PEER_SEND_RECV: Case = Case {
    id: "udp.open_peer.send_recv",
    clauses: &["UDP-OPEN-PEER", "UDP-SEND", "UDP-RECV", "UDP-RECV-FROM"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "%net.udp(host, port): send(\"ping\") returns 4 and recv returns \"ping\"; recv_from returns [bytes, the peer's IP, the peer's port]",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp_peer(&echo.host, echo.port)).await?;
        expect_eq("send's count", engine.int(Request::send(sock, b"ping")).await?, 4)?;
        engine.expect_bytes("recv", Request::recv(sock, 100), b"ping").await?;
        expect_eq("send's count", engine.int(Request::send(sock, b"who")).await?, 3)?;
        let (bytes, host, port) = datagram(&mut engine, recv_from(sock, 100, CallOpts::default())).await?;
        expect_bytes("recv_from's bytes", bytes, b"who")?;
        expect_peer_ip(&ctx, "recv_from's host", &host)?;
        expect_eq("recv_from's port", port, i64::from(echo.port))?;
        engine.close(sock).await
    }),
};
