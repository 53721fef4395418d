//! Cases under the simulated world's faults: partitions that heal, crashed peers, latency and
//! UDP loss. They check that the I/O model holds when the network misbehaves: nothing lost,
//! never a hang. The real world cannot script these faults, so they run in the sim world only.

use std::time::Duration;

use crate::case;
use crate::catalog::{Case, Worlds};
use crate::contract::{CallOpts, Feature, Request, Value, Wait};
use crate::peers::{Peer, Step};
use crate::script::{CaseResult, Ctx, Failure, expect, expect_eq, show};

const TCP: &[Feature] = &[Feature::Tcp];
const UDP: &[Feature] = &[Feature::Udp];
const SIM: Worlds = Worlds::SimOnly("the fault is scripted in the simulated network");

pub const CASES: &[Case] = &[
    case!(
        "fault.partition.recv_exact_completes_after_release",
        ["IO-NOTHING-LOST", "TCP-RECV-EXACT"],
        Must,
        TCP,
        SIM,
        "a recv_exact waiting across a 5 s partition completes after it heals, with every byte in order",
        partition_heals
    ),
    case!(
        "fault.partition.timeout_then_nothing_lost",
        ["IO-NOTHING-LOST", "IO-TIMEOUT-DEFAULT"],
        Must,
        TCP,
        SIM,
        "a recv_exact that times out during a partition loses nothing: after it heals the same bytes arrive",
        partition_times_out
    ),
    case!(
        "fault.crash.peer_gone_is_never_a_hang",
        ["TCP-RECV-LINE", "IO-TIMEOUT-DEFAULT"],
        Must,
        TCP,
        SIM,
        "when the peer's host crashes mid-line, recv_line ends with ConnectionReset, EndOfStream or its Timeout, never a hang, and the partial line stays readable",
        crash_mid_line
    ),
    case!(
        "fault.crash.restarted_peer_serves_new_connections",
        ["TCP-OPEN-TIMEOUT", "TCP-OPEN-REFUSED"],
        Must,
        TCP,
        SIM,
        "a crashed host is silent (connect times out); once restarted its old port is refused and a new peer answers",
        crash_and_restart
    ),
    case!(
        "fault.latency.timeout_then_late_bytes",
        ["IO-NOTHING-LOST", "TCP-RECV"],
        Must,
        TCP,
        SIM,
        "with up to 2 s of latency a recv with a 0.1 s timeout raises Timeout, and the echo arrives intact afterwards",
        latency
    ),
    case!(
        "fault.udp_loss.datagrams_intact_or_absent",
        ["UDP-DATAGRAM", "UDP-RECV"],
        Must,
        UDP,
        SIM,
        "with half the datagrams lost, every datagram that arrives is whole and sent once; a lost one ends in Timeout",
        udp_loss
    ),
];

async fn partition_heals(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&echo.host, echo.port).await?;
    ctx.peers.hold_link(Duration::from_secs(5)).map_err(Failure::new)?;
    engine.send_all(sock, b"0123456789").await?;
    let got = engine.bytes(Request::recv_exact(sock, 10, CallOpts::timeout(30.0))).await?;
    expect_eq("the bytes after the partition", got, b"0123456789".to_vec())
}

async fn partition_times_out(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&echo.host, echo.port).await?;
    ctx.peers.hold_link(Duration::from_secs(20)).map_err(Failure::new)?;
    engine.send_all(sock, b"abcdefgh").await?;
    engine.raises(Request::recv_exact(sock, 8, CallOpts::timeout(5.0)), "Timeout").await?;
    let got = engine.bytes(Request::recv_exact(sock, 8, CallOpts::timeout(60.0))).await?;
    expect_eq("the bytes after the partition healed", got, b"abcdefgh".to_vec())
}

async fn crash_mid_line(ctx: Ctx) -> CaseResult {
    let peer = ctx.peers.tcp(Peer::Script(vec![Step::Send(b"half a li".to_vec())])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&peer.host, peer.port).await?;
    ctx.peers.crash_peers(Duration::from_secs(1), None).map_err(Failure::new)?;
    let outcome = engine.call(Request::recv_line(sock, CallOpts::timeout(10.0))).await;
    match &outcome {
        Err(raised) if ["ConnectionReset", "EndOfStream", "Timeout"].contains(&raised.class.as_str()) => {}
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
}

async fn crash_and_restart(ctx: Ctx) -> CaseResult {
    let old = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    ctx.peers.crash_peers(Duration::ZERO, Some(Duration::from_secs(2))).map_err(Failure::new)?;
    engine.raises(Request::tcp_new(&old.host, old.port, Wait::Seconds(1.0)), "Timeout").await?;
    // Starting a peer waits for the host to be back.
    let new = ctx.peers.tcp(Peer::Echo).await;
    let raised = engine.raises(Request::tcp(&old.host, old.port), "ConnectionRefused").await?;
    let target = format!("{}:{}", old.host, old.port);
    expect(raised.message.contains(&target), || {
        format!("the message should name {target}: {:?}", raised.message)
    })?;
    let sock = engine.tcp(&new.host, new.port).await?;
    engine.send_all(sock, b"back\n").await?;
    expect_eq("the restarted peer's echo", engine.recv_line(sock).await?, b"back\n".to_vec())
}

async fn latency(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&echo.host, echo.port).await?;
    ctx.peers.set_max_latency(Duration::from_secs(2)).map_err(Failure::new)?;
    engine.send_all(sock, b"slow\n").await?;
    let first =
        engine.call(Request::Recv { handle: sock, max_bytes: 100, opts: CallOpts::timeout(0.001) }).await;
    let mut got = match first {
        Err(raised) if raised.class == "Timeout" => Vec::new(),
        Ok(Value::Bytes(bytes)) => bytes,
        other => return Err(Failure::mismatch("the first recv", "Timeout or bytes", format!("{other:?}"))),
    };
    while got.len() < 5 {
        got.extend(
            engine
                .bytes(Request::Recv { handle: sock, max_bytes: 100, opts: CallOpts::timeout(30.0) })
                .await?,
        );
    }
    expect_eq("the echo under latency", got, b"slow\n".to_vec())
}

async fn udp_loss(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(Request::Udp { host: None, port: None }).await?;
    ctx.peers.set_udp_loss(0.5).map_err(Failure::new)?;
    let mut seen = Vec::new();
    let mut timeouts = 0;
    for i in 0..20u8 {
        let datagram = vec![i; 8];
        engine
            .int(Request::SendTo {
                handle: sock,
                bytes: datagram,
                host: echo.host.clone(),
                port: echo.port.into(),
            })
            .await?;
        match engine
            .call(Request::RecvFrom { handle: sock, max_bytes: 100, opts: CallOpts::timeout(1.0) })
            .await
        {
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
}
