//! PERM-DEFAULT-DENY: without flags, nothing is allowed.

use crate::body;
use crate::cases::support::{LOOPBACK, send_to, udp, udp_listen, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, TlsArgs};

use super::{LISTEN_UDP, TCP, TLS, UDP, denied, tcp_denied};

pub const DENIES_TCP: Case = Case {
    id: "perm.default_deny.tcp",
    clauses: &["PERM-DEFAULT-DENY", "TCP-OPEN-DENIED"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "with no flags, tcp to the peers' closed port, to 127.0.0.1 and to localhost raises PermissionDenied (not ConnectionRefused)",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let mut engine = ctx.engine(None, None).await?;
        tcp_denied(&mut engine, &closed.host, closed.port).await?;
        tcp_denied(&mut engine, LOOPBACK, closed.port).await?;
        tcp_denied(&mut engine, "localhost", closed.port).await?;
        tcp_denied(&mut engine, "example.invalid", 80).await
    }),
};

pub const DENIES_SSL: Case = Case {
    id: "perm.default_deny.ssl",
    clauses: &["PERM-DEFAULT-DENY", "TCP-OPEN-DENIED"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "with no flags, ssl.new to the peers' closed port and to a name under .invalid raises PermissionDenied",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let mut engine = ctx.engine(None, None).await?;
        denied(&mut engine, Request::ssl(&closed.host, closed.port, TlsArgs::default())).await?;
        denied(&mut engine, Request::ssl("www.example.invalid", 443, TlsArgs::default())).await
    }),
};

pub const DENIES_UDP: Case = Case {
    id: "perm.default_deny.udp",
    clauses: &["PERM-DEFAULT-DENY", "UDP-PERM-SEND"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "with no flags, udp(host, port) to the udp echo peer raises PermissionDenied; a plain udp opens, but its send_to to the peer raises PermissionDenied",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine(None, None).await?;
        denied(&mut engine, udp_peer(&echo.host, echo.port)).await?;
        let sock = engine.handle(udp()).await?;
        denied(&mut engine, send_to(sock, b"ping", &echo.host, echo.port)).await?;
        denied(&mut engine, send_to(sock, b"ping", "example.invalid", 53)).await
    }),
};

pub const DENIES_LISTEN: Case = Case {
    id: "perm.default_deny.listen",
    clauses: &["PERM-DEFAULT-DENY", "LST-PERM", "UDP-PERM-LISTEN"],
    level: Must,
    needs: LISTEN_UDP,
    worlds: Both,
    description: "with no flags, tcp_listen and udp_listen on 127.0.0.1 (a free port, and port 0) raise PermissionDenied",
    run: body!(async |ctx| {
        let free = ctx.peers.closed_port().await.port;
        let mut engine = ctx.engine(None, None).await?;
        for port in [free, 0] {
            denied(&mut engine, Request::tcp_listen(LOOPBACK, port)).await?;
            denied(&mut engine, udp_listen(LOOPBACK, port)).await?;
        }
        Ok(())
    }),
};
