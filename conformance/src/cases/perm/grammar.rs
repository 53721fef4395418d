//! PERM-GRAMMAR: the entries of --allow-net and --allow-listen and what each grants.

use crate::body;
use crate::cases::support::{LOOPBACK, next_port, target, udp_listen};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Property, Request, Value};
use crate::peers::MachineNeed;
use crate::script::{expect, expect_eq};

use super::{
    LISTEN, LISTEN_UDP, TCP, binds, denied, engine_named, loopback_closed, prev_port, tcp_denied,
    tcp_not_found, tcp_refused, two_closed,
};

pub const NET_HOST_NO_PORT: Case = Case {
    id: "perm.grammar.net_host_no_port",
    clauses: &["PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "an entry with no port allows every port: the peers' host grants two closed ports (ConnectionRefused), a name grants ports 1 and 65535 (HostNotFound)",
    run: body!(async |ctx| {
        let (a, b) = two_closed(&ctx).await;
        let mut engine = ctx.engine(Some(&a.host), None).await?;
        tcp_refused(&mut engine, &a.host, a.port).await?;
        tcp_refused(&mut engine, &b.host, b.port).await?;
        let mut named = engine_named(&ctx, "svc.example.invalid").await?;
        for port in [1, 443, 65535] {
            tcp_not_found(&mut named, "svc.example.invalid", port).await?;
        }
        tcp_denied(&mut named, "svc2.example.invalid", 443).await
    }),
};

pub const NET_HOST_PORT: Case = Case {
    id: "perm.grammar.net_host_port",
    clauses: &["PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "host:port grants that port only: ConnectionRefused on it, PermissionDenied one above and one below; name:65535 grants 65535 and not 65534",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let grant = target(&closed.host, closed.port);
        let mut engine = ctx.engine(Some(&grant), None).await?;
        tcp_refused(&mut engine, &closed.host, closed.port).await?;
        tcp_denied(&mut engine, &closed.host, next_port(closed.port)).await?;
        tcp_denied(&mut engine, &closed.host, prev_port(closed.port)).await?;
        let mut edge = engine_named(&ctx, "edge.example.invalid:65535").await?;
        tcp_not_found(&mut edge, "edge.example.invalid", 65535).await?;
        tcp_denied(&mut edge, "edge.example.invalid", 65534).await?;
        let mut low = engine_named(&ctx, "edge.example.invalid:1").await?;
        tcp_not_found(&mut low, "edge.example.invalid", 1).await?;
        tcp_denied(&mut low, "edge.example.invalid", 2).await
    }),
};

pub const NET_PORT_RANGE: Case = Case {
    id: "perm.grammar.net_port_range",
    clauses: &["PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "host:lo-hi is inclusive: both edges are granted (ConnectionRefused, HostNotFound for a name), one past either edge raises PermissionDenied",
    run: body!(async |ctx| {
        let (lo, hi) = two_closed(&ctx).await;
        let grant = format!("{}:{}-{}", lo.host, lo.port, hi.port);
        let mut engine = ctx.engine(Some(&grant), None).await?;
        tcp_refused(&mut engine, &lo.host, lo.port).await?;
        tcp_refused(&mut engine, &hi.host, hi.port).await?;
        tcp_denied(&mut engine, &lo.host, prev_port(lo.port)).await?;
        tcp_denied(&mut engine, &hi.host, next_port(hi.port)).await?;
        let mut named = engine_named(&ctx, "api.example.invalid:8000-8080").await?;
        for port in [8000, 8001, 8080] {
            tcp_not_found(&mut named, "api.example.invalid", port).await?;
        }
        tcp_denied(&mut named, "api.example.invalid", 7999).await?;
        tcp_denied(&mut named, "api.example.invalid", 8081).await
    }),
};

pub const NET_IPV4: Case = Case {
    id: "perm.grammar.net_ipv4",
    clauses: &["PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "an IPv4 entry 127.0.0.1 (and 127.0.0.1:port) grants tcp to 127.0.0.1's closed port (ConnectionRefused); 127.0.0.2 stays denied",
    run: body!(async |ctx| {
        let (a, b) = loopback_closed(&ctx).await;
        let mut engine = engine_named(&ctx, LOOPBACK).await?;
        tcp_refused(&mut engine, LOOPBACK, a).await?;
        tcp_refused(&mut engine, LOOPBACK, b).await?;
        tcp_denied(&mut engine, "127.0.0.2", a).await?;
        let mut with_port = engine_named(&ctx, &target(LOOPBACK, a)).await?;
        tcp_refused(&mut with_port, LOOPBACK, a).await?;
        tcp_denied(&mut with_port, LOOPBACK, next_port(a)).await
    }),
};

pub const NET_IPV6: Case = Case {
    id: "perm.grammar.net_ipv6",
    clauses: &["PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: RealOnly("the simulated network is IPv4 only: ::1 cannot be reached there"),
    description: "[::1] grants tcp to ::1 on any port, [::1]:port to that port only: ConnectionRefused on a closed port, PermissionDenied on another",
    run: body!(async |ctx| {
        ctx.require(MachineNeed::Ipv6Loopback)?;
        let (a, b) = loopback_closed(&ctx).await;
        let mut any_port = engine_named(&ctx, "[::1]").await?;
        tcp_refused(&mut any_port, "::1", a).await?;
        tcp_refused(&mut any_port, "::1", b).await?;
        tcp_denied(&mut any_port, "::2", a).await?;
        let mut one_port = engine_named(&ctx, &format!("[::1]:{a}")).await?;
        tcp_refused(&mut one_port, "::1", a).await?;
        tcp_denied(&mut one_port, "::1", next_port(a)).await
    }),
};

pub const NET_LIST: Case = Case {
    id: "perm.grammar.net_list",
    clauses: &["PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a comma-separated list grants what each entry grants (first, middle and last entry), and nothing else",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let grant =
            format!("first.example.invalid,{},last.example.invalid:7", target(&closed.host, closed.port));
        let mut engine = engine_named(&ctx, &grant).await?;
        tcp_not_found(&mut engine, "first.example.invalid", 1234).await?;
        tcp_refused(&mut engine, &closed.host, closed.port).await?;
        tcp_not_found(&mut engine, "last.example.invalid", 7).await?;
        tcp_denied(&mut engine, "last.example.invalid", 8).await?;
        tcp_denied(&mut engine, &closed.host, next_port(closed.port)).await?;
        tcp_denied(&mut engine, "middle.example.invalid", 7).await
    }),
};

pub const LISTEN_PORT: Case = Case {
    id: "perm.grammar.listen_port",
    clauses: &["PERM-GRAMMAR", "LST-PERM", "UDP-PERM-LISTEN", "DEC-PERM-SYNTAX"],
    level: Must,
    needs: LISTEN_UDP,
    worlds: Both,
    description: "--allow-listen=PORT lets tcp_listen and udp_listen bind that port on 127.0.0.1; the next port raises PermissionDenied",
    run: body!(async |ctx| {
        let free = ctx.peers.closed_port().await.port;
        let mut engine = ctx.engine(None, Some(&free.to_string())).await?;
        let listener = binds(&mut engine, Request::tcp_listen(LOOPBACK, free)).await?;
        expect_eq(".local_port", engine.get(listener, Property::LocalPort).await?, Value::Int(free.into()))?;
        binds(&mut engine, udp_listen(LOOPBACK, free)).await?;
        denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(free))).await?;
        denied(&mut engine, udp_listen(LOOPBACK, next_port(free))).await
    }),
};

pub const LISTEN_RANGE: Case = Case {
    id: "perm.grammar.listen_range",
    clauses: &["PERM-GRAMMAR", "LST-PERM"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "--allow-listen=LO-HI lets tcp_listen bind both edges; one past either edge raises PermissionDenied",
    run: body!(async |ctx| {
        let (lo, hi) = two_closed(&ctx).await;
        let mut engine = ctx.engine(None, Some(&format!("{}-{}", lo.port, hi.port))).await?;
        binds(&mut engine, Request::tcp_listen(LOOPBACK, lo.port)).await?;
        if hi.port != lo.port {
            binds(&mut engine, Request::tcp_listen(LOOPBACK, hi.port)).await?;
        }
        denied(&mut engine, Request::tcp_listen(LOOPBACK, prev_port(lo.port))).await?;
        denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(hi.port))).await
    }),
};

pub const LISTEN_HOST_PORT: Case = Case {
    id: "perm.grammar.listen_host_port",
    clauses: &["PERM-GRAMMAR", "LST-PERM", "UDP-PERM-LISTEN"],
    level: Must,
    needs: LISTEN_UDP,
    worlds: Both,
    description: "--allow-listen=127.0.0.1:PORT grants binding 127.0.0.1 on that port (tcp and udp); another port, 0.0.0.0 or localhost raise PermissionDenied",
    run: body!(async |ctx| {
        let free = ctx.peers.closed_port().await.port;
        let mut engine = ctx.engine(None, Some(&target(LOOPBACK, free))).await?;
        binds(&mut engine, Request::tcp_listen(LOOPBACK, free)).await?;
        binds(&mut engine, udp_listen(LOOPBACK, free)).await?;
        denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(free))).await?;
        denied(&mut engine, Request::tcp_listen("0.0.0.0", free)).await?;
        denied(&mut engine, Request::tcp_listen("localhost", free)).await?;
        denied(&mut engine, udp_listen("0.0.0.0", free)).await
    }),
};

pub const LISTEN_HOST_RANGE: Case = Case {
    id: "perm.grammar.listen_host_range",
    clauses: &["PERM-GRAMMAR", "LST-PERM"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "--allow-listen=127.0.0.1:LO-HI grants binding 127.0.0.1 at both edges; one past either edge, or another host, raise PermissionDenied",
    run: body!(async |ctx| {
        let (lo, hi) = two_closed(&ctx).await;
        let mut engine = ctx.engine(None, Some(&format!("{LOOPBACK}:{}-{}", lo.port, hi.port))).await?;
        binds(&mut engine, Request::tcp_listen(LOOPBACK, lo.port)).await?;
        if hi.port != lo.port {
            binds(&mut engine, Request::tcp_listen(LOOPBACK, hi.port)).await?;
        }
        denied(&mut engine, Request::tcp_listen(LOOPBACK, prev_port(lo.port))).await?;
        denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(hi.port))).await?;
        denied(&mut engine, Request::tcp_listen("0.0.0.0", lo.port)).await
    }),
};

pub const LISTEN_LIST: Case = Case {
    id: "perm.grammar.listen_list",
    clauses: &["PERM-GRAMMAR", "LST-PERM"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "--allow-listen=P1,127.0.0.1:P2 grants both ports; a third port raises PermissionDenied",
    run: body!(async |ctx| {
        let (a, b) = two_closed(&ctx).await;
        let grant = format!("{},{}", a.port, target(LOOPBACK, b.port));
        let mut engine = ctx.engine(None, Some(&grant)).await?;
        binds(&mut engine, Request::tcp_listen(LOOPBACK, a.port)).await?;
        if b.port != a.port {
            binds(&mut engine, Request::tcp_listen(LOOPBACK, b.port)).await?;
        }
        denied(&mut engine, Request::tcp_listen(LOOPBACK, next_port(b.port))).await
    }),
};

pub const LISTEN_PORT_ZERO: Case = Case {
    id: "perm.grammar.listen_port_zero",
    clauses: &["PERM-GRAMMAR", "LST-PERM", "DEC-LISTEN-PORT-ZERO"],
    level: Should,
    needs: LISTEN,
    worlds: Both,
    description: "D10: --allow-listen=0 grants tcp_listen on port 0 (an ephemeral port, reported by .local_port); a fixed port raises PermissionDenied",
    run: body!(async |ctx| {
        let free = ctx.peers.closed_port().await.port;
        let mut engine = ctx.engine(None, Some("0")).await?;
        let listener = binds(&mut engine, Request::tcp_listen(LOOPBACK, 0)).await?;
        let port = engine.get(listener, Property::LocalPort).await?;
        expect(matches!(port, Value::Int(1..=65535)), || {
            format!(".local_port: expected 1..65535, got {port}")
        })?;
        denied(&mut engine, Request::tcp_listen(LOOPBACK, free)).await
    }),
};
