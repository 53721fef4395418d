//! Cases under the simulated world's faults: partitions that heal, crashed peers, latency and
//! UDP loss. They check that the I/O model holds when the network misbehaves: nothing lost,
//! never a hang. The real world cannot script these faults, so they run in the sim world only.

use std::time::Duration;

use crate::body;
use crate::cases::support::{recv_from, recv_opts, send_to, udp};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::{self, *};
use crate::contract::{CallOpts, Feature, Request, Value, Wait};
use crate::peers::{Peer, Step};
use crate::script::{Failure, expect, expect_eq, expect_names, show};

const TCP: &[Feature] = &[Feature::Tcp];
const UDP: &[Feature] = &[Feature::Udp];
const SIM: Worlds = SimOnly("the fault is scripted in the simulated network");

/// The family, in catalog order.
pub const CASES: &[Case] = &[
    PARTITION_RECV_EXACT_COMPLETES_AFTER_RELEASE,
    PARTITION_TIMEOUT_THEN_NOTHING_LOST,
    CRASH_PEER_GONE_IS_NEVER_A_HANG,
    CRASH_RESTARTED_PEER_SERVES_NEW_CONNECTIONS,
    LATENCY_TIMEOUT_THEN_LATE_BYTES,
    UDP_LOSS_DATAGRAMS_INTACT_OR_ABSENT,
];

pub const PARTITION_RECV_EXACT_COMPLETES_AFTER_RELEASE: Case = Case {
    id: "fault.partition.recv_exact_completes_after_release",
    clauses: &["IO-NOTHING-LOST", "TCP-RECV-EXACT"],
    level: Must,
    needs: TCP,
    worlds: SIM,
    description: "a recv_exact waiting across a 5 s partition completes after it heals, with every byte in order",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&echo.host, echo.port).await?;
        ctx.peers.hold_link(Duration::from_secs(5)).map_err(Failure::new)?;
        engine.send_all(sock, b"0123456789").await?;
        let got = engine.bytes(Request::recv_exact(sock, 10, CallOpts::timeout(30.0))).await?;
        expect_eq("the bytes after the partition", got, b"0123456789".to_vec())
    }),
};

pub const PARTITION_TIMEOUT_THEN_NOTHING_LOST: Case = Case {
    id: "fault.partition.timeout_then_nothing_lost",
    clauses: &["IO-NOTHING-LOST", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: SIM,
    description: "a recv_exact that times out during a partition loses nothing: after it heals the same bytes arrive",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&echo.host, echo.port).await?;
        ctx.peers.hold_link(Duration::from_secs(20)).map_err(Failure::new)?;
        engine.send_all(sock, b"abcdefgh").await?;
        engine.raises(Request::recv_exact(sock, 8, CallOpts::timeout(5.0)), "Timeout").await?;
        let got = engine.bytes(Request::recv_exact(sock, 8, CallOpts::timeout(60.0))).await?;
        expect_eq("the bytes after the partition healed", got, b"abcdefgh".to_vec())
    }),
};

pub const CRASH_PEER_GONE_IS_NEVER_A_HANG: Case = Case {
    id: "fault.crash.peer_gone_is_never_a_hang",
    clauses: &["TCP-RECV-LINE", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: SIM,
    description: "when the peer's host crashes mid-line, recv_line ends with ConnectionReset, EndOfStream or its Timeout, never a hang, and the partial line stays readable",
    run: body!(async |ctx| {
        let peer = ctx.peers.tcp(Peer::Script(vec![Step::Send(b"half a li".to_vec())])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&peer.host, peer.port).await?;
        ctx.peers.crash_peers(Duration::from_secs(1), None).map_err(Failure::new)?;
        let outcome = engine.call(Request::recv_line(sock, CallOpts::timeout(10.0))).await;
        match &outcome {
            Err(raised) if ["ConnectionReset", "EndOfStream", "Timeout"].contains(&raised.class.as_str()) => {
            }
            other => {
                return Err(Failure::mismatch(
                    "recv_line after the crash",
                    "ConnectionReset, EndOfStream or Timeout",
                    format!("{other:?}"),
                ));
            }
        }
        let rest = engine.bytes(Request::recv(sock, 100)).await?;
        expect(rest == b"half a li", || format!("the partial line must stay readable, got {}", show(&rest)))
    }),
};

pub const CRASH_RESTARTED_PEER_SERVES_NEW_CONNECTIONS: Case = Case {
    id: "fault.crash.restarted_peer_serves_new_connections",
    clauses: &["TCP-OPEN-TIMEOUT", "TCP-OPEN-REFUSED"],
    level: Must,
    needs: TCP,
    worlds: SIM,
    description: "a crashed host is silent (connect times out); once restarted its old port is refused and a new peer answers",
    run: body!(async |ctx| {
        let old = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        ctx.peers.crash_peers(Duration::ZERO, Some(Duration::from_secs(2))).map_err(Failure::new)?;
        engine.raises(Request::tcp_new(&old.host, old.port, Wait::Seconds(1.0)), "Timeout").await?;
        // Starting a peer waits for the host to be back.
        let new = ctx.peers.tcp(Peer::Echo).await;
        let raised = engine.raises(Request::tcp(&old.host, old.port), "ConnectionRefused").await?;
        expect_names(&raised, &old.host, old.port)?;
        let sock = engine.tcp(&new.host, new.port).await?;
        engine.send_all(sock, b"back\n").await?;
        expect_eq("the restarted peer's echo", engine.recv_line(sock).await?, b"back\n".to_vec())
    }),
};

pub const LATENCY_TIMEOUT_THEN_LATE_BYTES: Case = Case {
    id: "fault.latency.timeout_then_late_bytes",
    clauses: &["IO-NOTHING-LOST", "TCP-RECV"],
    level: Must,
    needs: TCP,
    worlds: SIM,
    description: "with up to 2 s of latency a recv with a 0.1 s timeout raises Timeout, and the echo arrives intact afterwards",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&echo.host, echo.port).await?;
        ctx.peers.set_max_latency(Duration::from_secs(2)).map_err(Failure::new)?;
        engine.send_all(sock, b"slow\n").await?;
        let first = engine.call(recv_opts(sock, 100, CallOpts::timeout(0.001))).await;
        let mut got = match first {
            Err(raised) if raised.class == "Timeout" => Vec::new(),
            Ok(Value::Bytes(bytes)) => bytes,
            other => {
                return Err(Failure::mismatch("the first recv", "Timeout or bytes", format!("{other:?}")));
            }
        };
        while got.len() < 5 {
            got.extend(engine.bytes(recv_opts(sock, 100, CallOpts::timeout(30.0))).await?);
        }
        expect_eq("the echo under latency", got, b"slow\n".to_vec())
    }),
};

pub const UDP_LOSS_DATAGRAMS_INTACT_OR_ABSENT: Case = Case {
    id: "fault.udp_loss.datagrams_intact_or_absent",
    clauses: &["UDP-DATAGRAM", "UDP-RECV"],
    level: Must,
    needs: UDP,
    worlds: SIM,
    description: "with half the datagrams lost, every datagram that arrives is whole and sent once; a lost one ends in Timeout",
    run: body!(async |ctx| {
        let echo = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        ctx.peers.set_udp_loss(0.5).map_err(Failure::new)?;
        let mut seen = Vec::new();
        let mut timeouts = 0;
        for i in 0..20u8 {
            engine.int(send_to(sock, &[i; 8], &echo.host, echo.port)).await?;
            match engine.call(recv_from(sock, 100, CallOpts::timeout(1.0))).await {
                Ok(Value::Datagram { bytes, .. }) => seen.push(bytes),
                Err(raised) if raised.class == "Timeout" => timeouts += 1,
                other => {
                    return Err(Failure::mismatch(
                        "recv_from under loss",
                        "a datagram or Timeout",
                        format!("{other:?}"),
                    ));
                }
            }
        }
        for bytes in &seen {
            expect(bytes.len() == 8 && bytes.iter().all(|b| *b == bytes[0]), || {
                format!("a datagram arrived damaged: {}", show(bytes))
            })?;
        }
        let mut firsts: Vec<u8> = seen.iter().map(|b| b[0]).collect();
        firsts.dedup();
        expect(firsts.len() == seen.len(), || format!("a datagram arrived twice: {firsts:?}"))?;
        expect(timeouts > 0 && !seen.is_empty(), || {
            format!("with 50% loss, expected some of each: {} arrived, {timeouts} lost", seen.len())
        })
    }),
};
