//! UDP-SEND and UDP-SEND-TO.

use crate::body;
use crate::cases::support::{datagram, recv_from, recv_opts, send_to, udp, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::peers::MachineNeed;
use crate::script::{expect, expect_bytes, expect_eq, expect_mentions};
use crate::waits::Waits;

use super::UDP;

pub const SEND_TO_UNKNOWN_HOST: Case = Case {
    id: "udp.send_to.unknown_host",
    clauses: &["UDP-SEND-TO", "TCP-OPEN-DNS"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "send_to a granted name under .invalid raises HostNotFound naming the target; the socket stays usable",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.udp_echo().await;
        let grant = format!("{},nowhere.invalid", ctx.peers.host());
        let mut engine = ctx.engine(Some(&grant), None).await?;
        let sock = engine.handle(udp()).await?;
        let raised = engine.raises(send_to(sock, b"lost", "nowhere.invalid", 53), "HostNotFound").await?;
        expect_mentions(&raised, &["nowhere.invalid:53"])?;
        let sent = engine.int(send_to(sock, b"still here", &echo.host, echo.port)).await?;
        expect_eq("send_to after the failed one", sent, 10)?;
        let (bytes, _, _) = datagram(&mut engine, recv_from(sock, 100, waits.ok_opts())).await?;
        expect_bytes("the echoed datagram", bytes, b"still here")
    }),
};

pub const RETURNS_COUNT: Case = Case {
    id: "udp.send.returns_count",
    clauses: &["UDP-SEND", "UDP-SEND-TO"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "send returns the bytes sent: 1 for one byte, 1000 for 1000 bytes; send_to likewise returns 3 for \"abc\"",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp_peer(&echo.host, echo.port)).await?;
        expect_eq("send's count for one byte", engine.int(Request::send(sock, b"x")).await?, 1)?;
        engine.expect_bytes("recv of one byte", Request::recv(sock, 100), b"x").await?;
        let big = vec![b'b'; 1000];
        expect_eq("send's count for 1000 bytes", engine.int(Request::send(sock, &big)).await?, 1000)?;
        engine.expect_bytes("recv of 1000 bytes", Request::recv(sock, 2000), &big).await?;
        expect_eq("send_to's count", engine.int(send_to(sock, b"abc", &echo.host, echo.port)).await?, 3)?;
        engine.expect_bytes("recv after send_to", Request::recv(sock, 100), b"abc").await?;
        engine.close(sock).await
    }),
};

pub const SEND_TO_LARGEST_DATAGRAM: Case = Case {
    id: "udp.send_to.largest_datagram",
    clauses: &["UDP-SEND-TO", "UDP-DATAGRAM"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "a 65,507-byte datagram (the IPv4 maximum) is sent whole (send_to returns 65507) and comes back whole",
    run: body!(async |ctx| {
        ctx.require(MachineNeed::LargestDatagram)?;
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        let payload: Vec<u8> = (0..MAX_DATAGRAM).map(|i| (i % 251) as u8).collect();
        let count = engine.int(send_to(sock, &payload, &echo.host, echo.port)).await?;
        expect_eq("send_to's count", count, MAX_DATAGRAM as i64)?;
        let back = engine.bytes(Request::recv(sock, 70_000)).await?;
        expect(back == payload, || {
            format!("the echoed datagram: expected the {MAX_DATAGRAM} bytes sent, got {}", back.len())
        })?;
        engine.close(sock).await
    }),
};

pub const SEND_TO_OVERSIZED: Case = Case {
    id: "udp.send_to.oversized",
    clauses: &["UDP-SEND-TO", "DEC-UDP-ARGUMENTS"],
    level: Should,
    needs: UDP,
    worlds: Both,
    description: "D7: send_to of 65,508 bytes raises ArgumentError naming bytes; nothing is sent",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        let raised = engine
            .raises(send_to(sock, &vec![b'o'; MAX_DATAGRAM + 1], &echo.host, echo.port), "ArgumentError")
            .await?;
        expect_mentions(&raised, &["bytes"])?;
        engine.raises(recv_opts(sock, 70_000, CallOpts::timeout(0.3)), "Timeout").await?;
        engine.close(sock).await
    }),
};

pub const ARGS_BAD_PORT: Case = Case {
    id: "udp.args.bad_port",
    clauses: &["UDP-SEND-TO", "UDP-OPEN-PEER", "UDP-LISTEN"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "ports out of range raise ArgumentError naming port: send_to 0, -1, 65536; udp(host, 0) and udp(host, 65536); udp_listen(host, -1) and (host, 65536)",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine(Some(""), Some("")).await?;
        let sock = engine.handle(udp()).await?;
        for port in [0, -1, 65536] {
            let raised = engine.raises(send_to(sock, b"x", &echo.host, port), "ArgumentError").await?;
            expect_mentions(&raised, &["port"])?;
        }
        for port in [0, 65536] {
            let raised = engine.raises(udp_peer(&echo.host, port), "ArgumentError").await?;
            expect_mentions(&raised, &["port"])?;
        }
        for port in [-1, 65536] {
            let raised = engine
                .raises(Request::UdpListen { host: ctx.bind_host().into(), port }, "ArgumentError")
                .await?;
            expect_mentions(&raised, &["port"])?;
        }
        engine.close(sock).await
    }),
};

/// The largest UDP payload over IPv4 (D7).
const MAX_DATAGRAM: usize = 65_507;
