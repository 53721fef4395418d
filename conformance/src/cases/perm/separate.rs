//! PERM-SEPARATE: --allow-net and --allow-listen grant separately.

use crate::body;
use crate::cases::support::{LOOPBACK, next_port, send_to, target, udp, udp_listen, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;

use super::{
    LISTEN_UDP, TCP_LISTEN, TCP_UDP, binds, denied, engine_named, loopback_closed, tcp_denied, tcp_refused,
};

pub const NET_DOES_NOT_LISTEN: Case = Case {
    id: "perm.separate.net_does_not_listen",
    clauses: &["PERM-SEPARATE", "LST-PERM", "UDP-PERM-LISTEN"],
    level: Must,
    needs: LISTEN_UDP,
    worlds: Both,
    description: "a bare --allow-net, or --allow-net=127.0.0.1, never lets tcp_listen or udp_listen bind 127.0.0.1 (PermissionDenied)",
    run: body!(async |ctx| {
        let free = ctx.peers.closed_port().await.port;
        for grant in ["", LOOPBACK] {
            let mut engine = engine_named(&ctx, grant).await?;
            for port in [free, 0] {
                denied(&mut engine, Request::tcp_listen(LOOPBACK, port)).await?;
                denied(&mut engine, udp_listen(LOOPBACK, port)).await?;
            }
        }
        Ok(())
    }),
};

pub const LISTEN_DOES_NOT_CONNECT: Case = Case {
    id: "perm.separate.listen_does_not_connect",
    clauses: &["PERM-SEPARATE"],
    level: Must,
    needs: TCP_UDP,
    worlds: Both,
    description: "a bare --allow-listen never lets tcp, udp(host, port) or send_to reach the peers (PermissionDenied)",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine(None, Some("")).await?;
        tcp_denied(&mut engine, &closed.host, closed.port).await?;
        tcp_denied(&mut engine, LOOPBACK, closed.port).await?;
        denied(&mut engine, udp_peer(&echo.host, echo.port)).await?;
        let sock = engine.handle(udp()).await?;
        denied(&mut engine, send_to(sock, b"ping", &echo.host, echo.port)).await
    }),
};

pub const SAME_ADDRESS_BOTH_FLAGS: Case = Case {
    id: "perm.separate.same_address_both_flags",
    clauses: &["PERM-SEPARATE"],
    level: Must,
    needs: TCP_LISTEN,
    worlds: Both,
    description: "with --allow-net=127.0.0.1:P and --allow-listen=127.0.0.1:Q, tcp to P and listen on Q work; tcp to Q and listen on P raise PermissionDenied",
    run: body!(async |ctx| {
        let (p, q) = loopback_closed(&ctx).await;
        let q = if q == p { next_port(p) } else { q };
        let mut engine = ctx.engine(Some(&target(LOOPBACK, p)), Some(&target(LOOPBACK, q))).await?;
        denied(&mut engine, Request::tcp_listen(LOOPBACK, p)).await?;
        tcp_denied(&mut engine, LOOPBACK, q).await?;
        tcp_refused(&mut engine, LOOPBACK, p).await?;
        binds(&mut engine, Request::tcp_listen(LOOPBACK, q)).await.map(drop)
    }),
};
