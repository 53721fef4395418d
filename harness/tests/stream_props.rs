//! The framing properties again, through real streams: a random byte stream, split into random
//! writes by the peer, read back by a random sequence of recv / recv_line / recv_exact calls on
//! the reference, over turmoil and over loopback, with TLS off and on. The pure-buffer runs
//! (`reference/tests/framing_props.rs`) carry the volume; these check that the sockets keep the
//! buffer's promises end to end.
//!
//! CI runs 16 cases per world and TLS setting; `PROPTEST_CASES=160` runs ten times more.

use std::sync::Arc;
use std::time::Duration;

use caspian_harness::certs::CertZoo;
use caspian_harness::world::{Peers, run_real, run_sim};
use caspian_mocknet::{Peer, Step, TlsPeer};
use caspian_reference::permissions::Permissions;
use caspian_reference::stream::StreamSocket;
use caspian_reference::tls::{CertEnv, TlsContext};
use caspian_reference::transport::Transport;
use caspian_reference::transport::sim::SimClock;
use caspian_reference::{Bytes, CallOpts, ErrorClass, Net, NetResult, TimeoutOpt, TlsOptions};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// One read by the script.
#[derive(Debug, Clone, Copy)]
enum Op {
    Recv(i64),
    Line(i64),
    Exact(i64),
}

#[derive(Debug, Clone)]
struct Input {
    stream: Vec<u8>,
    /// Sizes of the peer's writes (cycled over the stream).
    writes: Vec<usize>,
    ops: Vec<Op>,
}

fn input() -> impl Strategy<Value = Input> {
    let byte = prop_oneof![3 => b'a'..=b'e', 1 => Just(b'\n'), 1 => Just(b'\r')];
    let op = prop_oneof![
        (1i64..8).prop_map(Op::Recv),
        (1i64..12).prop_map(Op::Line),
        (0i64..10).prop_map(Op::Exact)
    ];
    (
        prop::collection::vec(byte, 0..120),
        prop::collection::vec(1usize..20, 1..6),
        prop::collection::vec(op, 1..25),
    )
        .prop_map(|(stream, writes, ops)| Input { stream, writes, ops })
}

fn chunks(input: &Input) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = input.stream.as_slice();
    for size in input.writes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at((*size).min(rest.len()));
        out.push(chunk.to_vec());
        rest = tail;
    }
    out
}

/// Runs the ops on `sock`, then drains it, and checks every promise; returns a description of the
/// first broken one.
async fn check(sock: &mut StreamSocket, input: &Input) -> Result<(), String> {
    let opts = CallOpts::timeout(30.0);
    let mut got = Vec::new();
    for (i, op) in input.ops.iter().enumerate() {
        let outcome: NetResult<Bytes> = match *op {
            Op::Recv(max) => sock.recv(max, opts).await,
            Op::Line(max) => sock.recv_line(CallOpts { max_length: Some(max), ..opts }).await,
            Op::Exact(n) => sock.recv_exact(n, opts).await,
        };
        match (op, outcome) {
            (Op::Recv(max), Ok(bytes)) => {
                if bytes.len() as i64 > *max || (bytes.is_empty() && got.len() < input.stream.len()) {
                    return Err(format!("op {i} {op:?}: {} bytes before the end", bytes.len()));
                }
                got.extend(bytes);
            }
            (Op::Line(max), Ok(line)) => {
                if line.last() != Some(&b'\n')
                    || line[..line.len() - 1].contains(&b'\n')
                    || line.len() as i64 > *max
                {
                    return Err(format!(
                        "op {i} {op:?}: not one line within max: {:?}",
                        line.escape_ascii().to_string()
                    ));
                }
                got.extend(line);
            }
            (Op::Exact(n), Ok(bytes)) if bytes.len() as i64 == *n => got.extend(bytes),
            (_, Err(e)) if e.class == ErrorClass::EndOfStream => {}
            (Op::Line(_), Err(e)) if e.reason.as_deref() == Some("line_too_long") => {}
            (op, other) => return Err(format!("op {i} {op:?}: unexpected {other:?}")),
        }
    }
    loop {
        let rest = sock.recv(64, opts).await.map_err(|e| format!("draining: {e}"))?;
        if rest.is_empty() {
            break;
        }
        got.extend(rest);
    }
    if got != input.stream {
        return Err(format!(
            "read {:?}, the peer sent {:?}",
            got.escape_ascii().to_string(),
            input.stream.escape_ascii().to_string()
        ));
    }
    Ok(())
}

/// Opens the stream for `input` in the world of `peers`, plain or TLS, and checks it.
async fn run<T: Transport>(transport: T, peers: Peers, input: Input, tls: bool) -> Result<(), String> {
    let clock: Arc<dyn rustls::time_provider::TimeProvider> = if peers.is_simulated() {
        Arc::new(SimClock)
    } else {
        Arc::new(rustls::time_provider::DefaultTimeProvider)
    };
    let net =
        Net::new(transport, Permissions::allow_all()).with_tls(TlsContext::new(clock, CertEnv::default()));
    let pause = Step::Pause(Duration::from_millis(if peers.is_simulated() { 20 } else { 1 }));
    if tls {
        // The TLS peer echoes: the engine writes the chunks, ends its side, and reads them back.
        let peer = peers.tls(TlsPeer::new("good")).await;
        let dir = CertZoo::shared_dir().map_err(|e| e.to_string())?;
        let options = TlsOptions {
            ca_bundle: Some(dir.join("root-ca.pem")),
            sni: Some("localhost".into()),
            ..TlsOptions::default()
        };
        let mut sock = net
            .ssl(&peer.host, peer.port.into(), TimeoutOpt::Inherit, &options)
            .await
            .map_err(|e| e.to_string())?;
        for chunk in chunks(&input) {
            sock.send_all(&chunk).await.map_err(|e| e.to_string())?;
        }
        sock.shutdown(":send").await.map_err(|e| e.to_string())?;
        check(&mut sock, &input).await
    } else {
        let mut steps = Vec::new();
        for chunk in chunks(&input) {
            steps.push(Step::Send(chunk));
            steps.push(pause.clone());
        }
        steps.push(Step::Close);
        let peer = peers.tcp(Peer::Script(steps)).await;
        let mut sock = net.tcp(&peer.host, peer.port.into()).await.map_err(|e| e.to_string())?;
        check(&mut sock, &input).await
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(16)
}

fn property(world_is_sim: bool, tls: bool) {
    let config = Config { cases: cases(), failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let outcome = runner.run(&input(), |input| {
        let result = if world_is_sim {
            run_sim(3, move |transport, peers| run(transport, peers, input, tls))
        } else {
            run_real(move |transport, peers| run(transport, peers, input, tls))
        };
        result.map_err(TestCaseError::fail)
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

#[test]
fn framing_holds_over_simulated_tcp() {
    property(true, false);
}

#[test]
fn framing_holds_over_simulated_tls() {
    property(true, true);
}

#[test]
fn framing_holds_over_loopback_tcp() {
    property(false, false);
}

#[test]
fn framing_holds_over_loopback_tls() {
    property(false, true);
}
