//! PERM-ERROR: what a PermissionDenied message names.

use crate::body;
use crate::cases::support::{LOOPBACK, denied_naming, send_to, target, udp, udp_listen, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;

use super::{LISTEN_UDP, TCP, UDP, engine_named};

pub const CONNECT_MESSAGE: Case = Case {
    id: "perm.error.connect_message",
    clauses: &["PERM-ERROR", "DEC-DENIAL-WORDS"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a denied tcp raises PermissionDenied whose message names host:port and --allow-net (for the peers' host and for a name)",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let mut engine = engine_named(&ctx, "granted.example.invalid").await?;
        denied_naming(
            &mut engine,
            Request::tcp(&closed.host, closed.port),
            &[&target(&closed.host, closed.port), "--allow-net"],
        )
        .await?;
        denied_naming(
            &mut engine,
            Request::tcp("api.example.invalid", 8443),
            &["api.example.invalid:8443", "--allow-net"],
        )
        .await
    }),
};

pub const IPV6_MESSAGE: Case = Case {
    id: "perm.error.ipv6_message",
    clauses: &["PERM-ERROR", "DEC-DENIAL-WORDS"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a denied tcp to ::1 port 443 raises PermissionDenied whose message names [::1]:443 (the grantable entry's spelling) and --allow-net",
    run: body!(async |ctx| {
        let mut engine = ctx.engine(None, None).await?;
        denied_naming(&mut engine, Request::tcp("::1", 443), &["[::1]:443", "--allow-net"]).await
    }),
};

pub const LISTEN_MESSAGE: Case = Case {
    id: "perm.error.listen_message",
    clauses: &["PERM-ERROR", "DEC-DENIAL-WORDS"],
    level: Must,
    needs: LISTEN_UDP,
    worlds: Both,
    description: "a denied tcp_listen or udp_listen raises PermissionDenied whose message names 127.0.0.1:PORT and --allow-listen",
    run: body!(async |ctx| {
        let free = ctx.peers.closed_port().await.port;
        let mut engine = ctx.engine(Some(""), None).await?;
        let here = target(LOOPBACK, free);
        denied_naming(&mut engine, Request::tcp_listen(LOOPBACK, free), &[&here, "--allow-listen"]).await?;
        denied_naming(&mut engine, udp_listen(LOOPBACK, free), &[&here, "--allow-listen"]).await
    }),
};

pub const UDP_MESSAGE: Case = Case {
    id: "perm.error.udp_message",
    clauses: &["PERM-ERROR", "DEC-DENIAL-WORDS"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "a denied udp(host, port) and a denied send_to raise PermissionDenied whose message names host:port and --allow-net",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let there = target(&echo.host, echo.port);
        let mut engine = ctx.engine(None, None).await?;
        denied_naming(&mut engine, udp_peer(&echo.host, echo.port), &[&there, "--allow-net"]).await?;
        let sock = engine.handle(udp()).await?;
        denied_naming(&mut engine, send_to(sock, b"x", &echo.host, echo.port), &[&there, "--allow-net"]).await
    }),
};
