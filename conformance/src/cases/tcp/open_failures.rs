//! TCP-OPEN-DENIED, TCP-OPEN-REFUSED, TCP-OPEN-DNS and TCP-OPEN-TIMEOUT: how opening a tcp socket fails.

use crate::body;
use crate::cases::support::next_port;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, Wait};
use crate::peers::Peer;
use crate::script::{expect, expect_names};
use crate::waits::Waits;

use super::TCP;

pub const DENIED_WITHOUT_FLAG: Case = Case {
    id: "tcp.open.denied_without_flag",
    clauses: &["TCP-OPEN-DENIED", "PERM-DEFAULT-DENY"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "without --allow-net, tcp and .new to a live echo peer raise PermissionDenied naming host:port",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine(None, None).await?;
        let raised = engine.raises(Request::tcp(&echo.host, echo.port), "PermissionDenied").await?;
        expect_names(&raised, &echo.host, echo.port)?;
        let raised = engine
            .raises(Request::tcp_new(&echo.host, echo.port, Wait::Seconds(waits.ok())), "PermissionDenied")
            .await?;
        expect_names(&raised, &echo.host, echo.port)
    }),
};

pub const DENIED_OTHER_PORT: Case = Case {
    id: "tcp.open.denied_other_port",
    clauses: &["TCP-OPEN-DENIED"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "--allow-net=host:other_port does not grant host:port: tcp raises PermissionDenied naming host:port",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let other = next_port(echo.port);
        let grant = format!("{}:{other}", echo.host);
        let mut engine = ctx.engine(Some(&grant), None).await?;
        let raised = engine.raises(Request::tcp(&echo.host, echo.port), "PermissionDenied").await?;
        expect_names(&raised, &echo.host, echo.port)
    }),
};

pub const DENIED_BEFORE_DNS: Case = Case {
    id: "tcp.open.denied_before_dns",
    clauses: &["TCP-OPEN-DENIED", "PERM-BEFORE-IO"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a denied name under .invalid raises PermissionDenied naming it (not HostNotFound): no lookup came first",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let mut engine = ctx.engine_for_peers().await?;
        let host = "caspian-denied.invalid";
        let raised = engine.raises(Request::tcp(host, 80), "PermissionDenied").await?;
        expect_names(&raised, host, 80)?;
        let raised =
            engine.raises(Request::tcp_new(host, 80, Wait::Seconds(waits.ok())), "PermissionDenied").await?;
        expect_names(&raised, host, 80)
    }),
};

pub const REFUSED: Case = Case {
    id: "tcp.open.refused",
    clauses: &["TCP-OPEN-REFUSED"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "connecting to a port where nothing listens raises ConnectionRefused naming host and port",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let mut engine = ctx.engine_for_peers().await?;
        let raised = engine.raises(Request::tcp(&closed.host, closed.port), "ConnectionRefused").await?;
        expect_names(&raised, &closed.host, closed.port)
    }),
};

pub const DNS_INVALID: Case = Case {
    id: "tcp.open.dns_invalid",
    clauses: &["TCP-OPEN-DNS", "DEC-RESERVED-NAMES"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "an allowed name under .invalid raises HostNotFound naming host:port, with tcp and with .new",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let host = "caspian-nothing.invalid";
        let mut engine = ctx.engine(Some(host), None).await?;
        let raised = engine.raises(Request::tcp(host, 80), "HostNotFound").await?;
        expect_names(&raised, host, 80)?;
        let raised =
            engine.raises(Request::tcp_new(host, 7, Wait::Seconds(waits.ok())), "HostNotFound").await?;
        expect_names(&raised, host, 7)
    }),
};

pub const DNS_UNREGISTERED: Case = Case {
    id: "tcp.open.dns_unregistered",
    clauses: &["TCP-OPEN-DNS"],
    level: Must,
    needs: TCP,
    worlds: SimOnly("only the simulated world has a resolver whose names the suite controls"),
    description: "an allowed name that no simulated host registered raises HostNotFound naming host:port",
    run: body!(async |ctx| {
        let host = "unregistered";
        let mut engine = ctx.engine(Some(host), None).await?;
        let raised = engine.raises(Request::tcp(host, 80), "HostNotFound").await?;
        expect_names(&raised, host, 80)
    }),
};

pub const CONNECT_TIMEOUT: Case = Case {
    id: "tcp.open.connect_timeout",
    clauses: &["TCP-OPEN-TIMEOUT", "TCP-OPEN-NEW"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: ".new(timeout: 0.5 s; 10 s in sim) to a host that never answers raises Timeout naming host:port",
    run: body!(async |ctx| {
        let hole = ctx.peers.black_hole().await;
        expect(hole.port != 0, || "the world could not make a black hole".into())?;
        let seconds = if ctx.peers.is_simulated() { 10.0 } else { 0.5 };
        let mut engine = ctx.engine(Some(&hole.host), None).await?;
        let raised =
            engine.raises(Request::tcp_new(&hole.host, hole.port, Wait::Seconds(seconds)), "Timeout").await?;
        expect_names(&raised, &hole.host, hole.port)
    }),
};

pub const CONNECT_TIMEOUT_DEFAULT: Case = Case {
    id: "tcp.open.connect_timeout_default",
    clauses: &["TCP-OPEN-TIMEOUT", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: LongWait,
    description: "%net.tcp to a host that never answers raises Timeout naming host:port (the 30 s default bounds the connect)",
    run: body!(async |ctx| {
        let hole = ctx.peers.black_hole().await;
        let mut engine = ctx.engine(Some(&hole.host), None).await?;
        let raised = engine.raises(Request::tcp(&hole.host, hole.port), "Timeout").await?;
        expect_names(&raised, &hole.host, hole.port)
    }),
};
