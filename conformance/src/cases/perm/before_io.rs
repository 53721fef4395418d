//! PERM-BEFORE-IO: a denied call does no I/O first.

use crate::body;
use crate::cases::support::{LOOPBACK, next_port, send_to, target, udp, udp_listen, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, Wait};

use super::{LISTEN, LISTEN_UDP, TCP, UDP, binds, denied, engine_named, tcp_denied, tcp_not_found};

pub const INVALID_NAME: Case = Case {
    id: "perm.before_io.invalid_name",
    clauses: &["PERM-BEFORE-IO", "TCP-OPEN-DENIED"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "tcp to a name under .invalid that no entry grants raises PermissionDenied, not HostNotFound (with no flags, and with another name granted)",
    run: body!(async |ctx| {
        let mut none = ctx.engine(None, None).await?;
        tcp_denied(&mut none, "db.example.invalid", 5432).await?;
        let mut other = engine_named(&ctx, "granted.example.invalid").await?;
        tcp_denied(&mut other, "db.example.invalid", 5432).await?;
        tcp_not_found(&mut other, "granted.example.invalid", 5432).await
    }),
};

pub const CLOSED_PORT: Case = Case {
    id: "perm.before_io.closed_port",
    clauses: &["PERM-BEFORE-IO", "TCP-OPEN-DENIED"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "tcp to a closed port that the grant does not cover (the next port is granted) raises PermissionDenied, not ConnectionRefused",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let other = next_port(closed.port);
        let mut engine = engine_named(&ctx, &target(&closed.host, other)).await?;
        tcp_denied(&mut engine, &closed.host, closed.port).await
    }),
};

pub const BLACK_HOLE: Case = Case {
    id: "perm.before_io.black_hole",
    clauses: &["PERM-BEFORE-IO", "TCP-OPEN-DENIED"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "tcp.new with timeout 0.5 to a host that never answers, not granted, raises PermissionDenied (not Timeout)",
    run: body!(async |ctx| {
        let hole = ctx.peers.black_hole().await;
        let mut engine = engine_named(&ctx, "granted.example.invalid").await?;
        denied(&mut engine, Request::tcp_new(&hole.host, hole.port, Wait::Seconds(0.5))).await
    }),
};

pub const UDP_TARGETS: Case = Case {
    id: "perm.before_io.udp",
    clauses: &["PERM-BEFORE-IO", "PERM-UDP-PEER", "UDP-PERM-SEND"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "udp(name under .invalid, 53) and send_to to such a name, not granted, raise PermissionDenied, not HostNotFound",
    run: body!(async |ctx| {
        let mut engine = engine_named(&ctx, "granted.example.invalid").await?;
        denied(&mut engine, udp_peer("dns.example.invalid", 53)).await?;
        let sock = engine.handle(udp()).await?;
        denied(&mut engine, send_to(sock, b"query", "dns.example.invalid", 53)).await
    }),
};

pub const LISTEN_HOST: Case = Case {
    id: "perm.before_io.listen_host",
    clauses: &["PERM-BEFORE-IO", "LST-PERM", "UDP-PERM-LISTEN"],
    level: Must,
    needs: LISTEN_UDP,
    worlds: Both,
    description: "tcp_listen and udp_listen on a name under .invalid, with the port granted for 127.0.0.1 only, raise PermissionDenied, not HostNotFound",
    run: body!(async |ctx| {
        let free = ctx.peers.closed_port().await.port;
        let mut engine = ctx.engine(None, Some(&target(LOOPBACK, free))).await?;
        denied(&mut engine, Request::tcp_listen("listen.example.invalid", free)).await?;
        denied(&mut engine, udp_listen("listen.example.invalid", free)).await
    }),
};

pub const LISTEN_IN_USE: Case = Case {
    id: "perm.before_io.listen_in_use",
    clauses: &["PERM-BEFORE-IO", "LST-PERM"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "tcp_listen on a port another listener holds, not granted, raises PermissionDenied, not AddressInUse",
    run: body!(async |ctx| {
        let free = ctx.peers.closed_port().await.port;
        let mut holder = ctx.engine(None, Some("")).await?;
        binds(&mut holder, Request::tcp_listen(LOOPBACK, free)).await?;
        let mut engine = ctx.engine(None, Some(&next_port(free).to_string())).await?;
        denied(&mut engine, Request::tcp_listen(LOOPBACK, free)).await
    }),
};
