//! PERM-UDP-PEER: a udp socket's default peer and every send_to are checked.

use crate::body;
use crate::cases::support::{next_port, send_to, target, udp, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::script::expect_eq;

use super::{UDP, denied, engine_named, recv_datagram};

pub const CONSTRUCTION: Case = Case {
    id: "perm.udp_peer.construction",
    clauses: &["PERM-UDP-PEER", "UDP-PERM-SEND"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "udp(host, port) to the echo peer raises PermissionDenied at construction when only another port is granted; granted, it echoes a datagram",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut other = engine_named(&ctx, &target(&echo.host, next_port(echo.port))).await?;
        denied(&mut other, udp_peer(&echo.host, echo.port)).await?;
        let mut granted = engine_named(&ctx, &target(&echo.host, echo.port)).await?;
        let sock = granted.handle(udp_peer(&echo.host, echo.port)).await?;
        expect_eq("send's count", granted.int(Request::send(sock, b"hello")).await?, 5)?;
        recv_datagram(&mut granted, sock, b"hello").await
    }),
};

pub const EVERY_SEND_TO: Case = Case {
    id: "perm.udp_peer.every_send_to",
    clauses: &["PERM-UDP-PEER", "UDP-PERM-SEND"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "on one udp socket, send_to the granted echo peer works, to the next port or a .invalid name raises PermissionDenied, then works again",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = engine_named(&ctx, &target(&echo.host, echo.port)).await?;
        let sock = engine.handle(udp()).await?;
        expect_eq("send_to's count", engine.int(send_to(sock, b"one", &echo.host, echo.port)).await?, 3)?;
        recv_datagram(&mut engine, sock, b"one").await?;
        denied(&mut engine, send_to(sock, b"two", &echo.host, next_port(echo.port))).await?;
        denied(&mut engine, send_to(sock, b"two", "dns.example.invalid", echo.port)).await?;
        expect_eq("send_to's count", engine.int(send_to(sock, b"three", &echo.host, echo.port)).await?, 5)?;
        recv_datagram(&mut engine, sock, b"three").await
    }),
};

pub const PEER_SOCKET_SEND_TO: Case = Case {
    id: "perm.udp_peer.peer_socket_send_to",
    clauses: &["PERM-UDP-PEER", "UDP-PERM-SEND"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "a socket with a granted default peer still checks send_to: another port raises PermissionDenied, send to the default peer still echoes",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = engine_named(&ctx, &target(&echo.host, echo.port)).await?;
        let sock = engine.handle(udp_peer(&echo.host, echo.port)).await?;
        denied(&mut engine, send_to(sock, b"stray", &echo.host, next_port(echo.port))).await?;
        denied(&mut engine, send_to(sock, b"stray", "other.example.invalid", echo.port)).await?;
        expect_eq("send's count", engine.int(Request::send(sock, b"peer")).await?, 4)?;
        recv_datagram(&mut engine, sock, b"peer").await
    }),
};
