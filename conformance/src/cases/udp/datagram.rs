//! UDP-DATAGRAM, IO-UDP-TRUNCATE and IO-UDP-PEER-FILTER: what a datagram is.

use crate::body;
use crate::cases::support::{LOOPBACK, datagram, local_port, recv_from, recv_opts, send_to, udp, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::script::{expect, expect_bytes, expect_eq, show};
use crate::waits::Waits;

use super::{UDP, engine_for_peers_and_loopback, expect_peer_ip};

pub const BOUNDARIES: Case = Case {
    id: "udp.datagram.boundaries",
    clauses: &["UDP-DATAGRAM", "UDP-RECV"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "two datagrams \"one\" and \"three!\" sent back to back come back as two recvs of exactly those bytes, never merged or split",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        engine.int(send_to(sock, b"one", &echo.host, echo.port)).await?;
        engine.int(send_to(sock, b"three!", &echo.host, echo.port)).await?;
        // A datagram network may reorder: compare the two as a set.
        let mut got = vec![
            engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
            engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
        ];
        got.sort();
        expect(got == [b"one".to_vec(), b"three!".to_vec()], || {
            format!(
                "the two datagrams: expected \"one\" and \"three!\", got {} and {}",
                show(&got[0]),
                show(&got[1])
            )
        })?;
        engine.raises(recv_opts(sock, 100, CallOpts::timeout(0.3)), "Timeout").await?;
        engine.close(sock).await
    }),
};

pub const EMPTY: Case = Case {
    id: "udp.datagram.empty",
    clauses: &["UDP-DATAGRAM", "UDP-SEND-TO", "UDP-RECV-FROM"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "an empty datagram is a datagram: send_to(\"\") returns 0, recv_from returns [\"\", host, port], and the socket goes on (\"after\" arrives next)",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        expect_eq(
            "send_to's count for \"\"",
            engine.int(send_to(sock, b"", &echo.host, echo.port)).await?,
            0,
        )?;
        let (bytes, host, port) = datagram(&mut engine, recv_from(sock, 100, waits.ok_opts())).await?;
        expect_bytes("the empty datagram's bytes", bytes, b"")?;
        expect_peer_ip(&ctx, "the empty datagram's host", &host)?;
        expect_eq("the empty datagram's port", port, i64::from(echo.port))?;
        engine.int(send_to(sock, b"after", &echo.host, echo.port)).await?;
        engine.expect_bytes("the next datagram", recv_opts(sock, 100, waits.ok_opts()), b"after").await?;
        engine.close(sock).await
    }),
};

pub const TRUNCATE: Case = Case {
    id: "udp.datagram.truncate",
    clauses: &["IO-UDP-TRUNCATE", "UDP-RECV", "UDP-RECV-FROM"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "a 100-byte datagram read with recv(10) gives its first 10 bytes and the other 90 are discarded: the next recv(timeout: 0.3) raises Timeout",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        let payload: Vec<u8> = (0..100u8).collect();
        expect_eq("send_to's count", engine.int(send_to(sock, &payload, &echo.host, echo.port)).await?, 100)?;
        engine.expect_bytes("recv(10)", recv_opts(sock, 10, waits.ok_opts()), &payload[..10]).await?;
        engine.raises(recv_opts(sock, 100, CallOpts::timeout(0.3)), "Timeout").await?;
        // recv_from truncates the same way.
        engine.int(send_to(sock, &payload, &echo.host, echo.port)).await?;
        let (bytes, _, port) = datagram(&mut engine, recv_from(sock, 5, waits.ok_opts())).await?;
        expect_bytes("recv_from(5)'s bytes", bytes, &payload[..5])?;
        expect_eq("recv_from(5)'s port", port, i64::from(echo.port))?;
        engine.raises(recv_from(sock, 100, CallOpts::timeout(0.3)), "Timeout").await?;
        engine.close(sock).await
    }),
};

pub const PEER_FILTER: Case = Case {
    id: "udp.peer_filter",
    clauses: &["IO-UDP-PEER-FILTER", "UDP-OPEN-PEER"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "a socket with a default peer ignores a datagram another socket sends it first and returns the peer's; nothing else is then received (Timeout)",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.udp_echo().await;
        let mut engine = engine_for_peers_and_loopback(&ctx, None).await?;
        let filtered = engine.handle(udp_peer(&echo.host, echo.port)).await?;
        let port = local_port(&mut engine, filtered).await?;
        let intruder = engine.handle(udp()).await?;
        engine.int(send_to(intruder, b"intruder", LOOPBACK, port)).await?;
        engine.int(Request::send(filtered, b"from the peer")).await?;
        engine.expect_bytes("recv", recv_opts(filtered, 100, waits.ok_opts()), b"from the peer").await?;
        engine.raises(recv_opts(filtered, 100, CallOpts::timeout(0.3)), "Timeout").await?;
        engine.close(intruder).await?;
        engine.close(filtered).await
    }),
};
