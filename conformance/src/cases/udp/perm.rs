//! UDP-PERM-SEND, UDP-PERM-LISTEN and PERM-UDP-PEER on the udp socket.

use crate::body;
use crate::cases::support::{denied_naming, next_port, recv_opts, send_to, target, udp, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request, flags};
use crate::script::{Failure, expect_eq};
use crate::waits::Waits;

use super::UDP;

pub const SEND_TO_DENIED: Case = Case {
    id: "udp.perm.send_to_denied",
    clauses: &["UDP-PERM-SEND", "PERM-ERROR", "PERM-BEFORE-IO"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "send_to an echo peer not granted (only another port is) raises PermissionDenied naming host:port and --allow-net; no packet leaves (no echo: recv times out)",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let other_port = next_port(echo.port);
        let mut engine = ctx.engine(Some(&target(&echo.host, other_port)), None).await?;
        let sock = engine.handle(udp()).await?;
        denied_naming(
            &mut engine,
            send_to(sock, b"x", &echo.host, echo.port),
            &[&target(&echo.host, echo.port), "--allow-net"],
        )
        .await?;
        // Had the datagram left, the echo would answer it.
        engine.raises(recv_opts(sock, 100, CallOpts::timeout(0.3)), "Timeout").await?;
        engine.close(sock).await
    }),
};

pub const LISTEN_DENIED: Case = Case {
    id: "udp.perm.listen_denied",
    clauses: &["UDP-PERM-LISTEN", "PERM-DEFAULT-DENY", "PERM-SEPARATE", "PERM-ERROR"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "udp_listen(host, 5353) raises PermissionDenied naming host:5353 and --allow-listen without the flag, with --allow-listen=5354 and with a bare --allow-net",
    run: body!(async |ctx| {
        let host = ctx.bind_host();
        for (net, listen) in [(None, None), (None, Some("5354")), (Some(""), None)] {
            let mut engine = ctx.engine(net, listen).await?;
            denied_naming(
                &mut engine,
                Request::UdpListen { host: host.into(), port: 5353 },
                &[&format!("{host}:5353"), "--allow-listen"],
            )
            .await
            .map_err(|f| Failure::new(format!("with {}: {f}", flags(net, listen))))?;
        }
        Ok(())
    }),
};

pub const PEER_DENIED_AT_CONSTRUCTION: Case = Case {
    id: "udp.perm.peer_denied_at_construction",
    clauses: &["PERM-UDP-PEER", "UDP-PERM-SEND", "PERM-ERROR"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "%net.udp(host, port) for a target not granted raises PermissionDenied at construction, naming host:port and --allow-net",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let other_port = next_port(echo.port);
        for grant in [None, Some(format!("{}:{other_port}", echo.host))] {
            let mut engine = ctx.engine(grant.as_deref(), None).await?;
            denied_naming(
                &mut engine,
                udp_peer(&echo.host, echo.port),
                &[&target(&echo.host, echo.port), "--allow-net"],
            )
            .await?;
        }
        Ok(())
    }),
};

pub const PEER_INVALID_NAME: Case = Case {
    id: "udp.perm.peer_invalid_name",
    clauses: &["PERM-UDP-PEER", "PERM-BEFORE-IO"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "%net.udp(\"denied.invalid\", 53), not granted, raises PermissionDenied (not HostNotFound): checked before any resolution",
    run: body!(async |ctx| {
        let mut engine = ctx.engine_for_peers().await?;
        denied_naming(&mut engine, udp_peer("denied.invalid", 53), &["denied.invalid:53"]).await
    }),
};

pub const PEER_SOCKET_SEND_TO_DENIED: Case = Case {
    id: "udp.perm.peer_socket_send_to_denied",
    clauses: &["PERM-UDP-PEER", "UDP-PERM-SEND"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "a socket made with a granted default peer still checks send_to: a target not granted raises PermissionDenied naming it",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.udp_echo().await;
        let other_port = next_port(echo.port);
        let mut engine = ctx.engine(Some(&target(&echo.host, echo.port)), None).await?;
        let sock = engine.handle(udp_peer(&echo.host, echo.port)).await?;
        denied_naming(
            &mut engine,
            send_to(sock, b"x", &echo.host, other_port),
            &[&target(&echo.host, other_port), "--allow-net"],
        )
        .await?;
        // The granted peer still works.
        expect_eq("send's count", engine.int(Request::send(sock, b"ok")).await?, 2)?;
        engine.expect_bytes("recv", recv_opts(sock, 100, waits.ok_opts()), b"ok").await?;
        engine.close(sock).await
    }),
};
