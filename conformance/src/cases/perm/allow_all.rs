//! PERM-ALLOW-ALL: a bare flag allows everything it covers.

use crate::body;
use crate::cases::support::{LOOPBACK, send_to, udp, udp_listen, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Property, Request, Value};
use crate::script::expect_eq;

use super::{LISTEN_UDP, TCP, UDP, binds, loopback_closed, recv_datagram, tcp_not_found, tcp_refused};

pub const NET_TCP: Case = Case {
    id: "perm.allow_all.net_tcp",
    clauses: &["PERM-ALLOW-ALL"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a bare --allow-net lets tcp reach any target: the peers' closed port and 127.0.0.1's raise ConnectionRefused, a name under .invalid HostNotFound",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let (own, _) = loopback_closed(&ctx).await;
        let mut engine = ctx.engine(Some(""), None).await?;
        tcp_refused(&mut engine, &closed.host, closed.port).await?;
        tcp_refused(&mut engine, LOOPBACK, own).await?;
        tcp_not_found(&mut engine, "anything.example.invalid", 443).await?;
        tcp_not_found(&mut engine, "other.invalid", 1).await
    }),
};

pub const NET_UDP: Case = Case {
    id: "perm.allow_all.net_udp",
    clauses: &["PERM-ALLOW-ALL", "UDP-PERM-SEND"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "a bare --allow-net lets udp(host, port) and send_to reach the udp echo peer: each datagram comes back unchanged",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine(Some(""), None).await?;
        let peer = engine.handle(udp_peer(&echo.host, echo.port)).await?;
        expect_eq("send's count", engine.int(Request::send(peer, b"one")).await?, 3)?;
        recv_datagram(&mut engine, peer, b"one").await?;
        let any = engine.handle(udp()).await?;
        expect_eq("send_to's count", engine.int(send_to(any, b"two", &echo.host, echo.port)).await?, 3)?;
        recv_datagram(&mut engine, any, b"two").await
    }),
};

pub const LISTEN_TCP_UDP: Case = Case {
    id: "perm.allow_all.listen",
    clauses: &["PERM-ALLOW-ALL", "LST-PERM", "UDP-PERM-LISTEN"],
    level: Must,
    needs: LISTEN_UDP,
    worlds: Both,
    description: "a bare --allow-listen lets tcp_listen and udp_listen bind 127.0.0.1 on a free port and on port 0",
    run: body!(async |ctx| {
        let free = ctx.peers.closed_port().await.port;
        let mut engine = ctx.engine(None, Some("")).await?;
        let fixed = binds(&mut engine, Request::tcp_listen(LOOPBACK, free)).await?;
        expect_eq(".local_port", engine.get(fixed, Property::LocalPort).await?, Value::Int(free.into()))?;
        binds(&mut engine, Request::tcp_listen(LOOPBACK, 0)).await?;
        binds(&mut engine, udp_listen(LOOPBACK, free)).await?;
        binds(&mut engine, udp_listen(LOOPBACK, 0)).await.map(drop)
    }),
};
