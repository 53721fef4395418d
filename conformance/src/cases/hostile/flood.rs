//! Floods: a UDP peer that answers one datagram with a thousand, and a listener flooded with
//! connections that never send. The engine keeps to its bounds (the reference queues no
//! datagram of its own: what waits is the OS's receive buffer, or turmoil's 64-datagram queue)
//! and keeps serving.

use crate::body;
use crate::cases::support::{dial_addr, dialed, listening, recv_opts, send, send_to, udp};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, Value};
use crate::peers::{Step, UdpPeer};
use crate::script::{Failure, expect, expect_eq, show};
use crate::waits::Waits;

use super::{TCP_LISTEN, UDP};

/// How many datagrams the flooding peer sends for each one it receives.
const DATAGRAMS: usize = 1000;
/// How many silent connections flood the listener, and how many dial at once: no more than
/// the smallest listen backlog a sane engine uses (5; the standard names none), so that the
/// kernel queues every connect of a wave and drops no SYN.
const SILENT: usize = 30;
const WAVE: usize = 5;

pub const DATAGRAMS_FLOOD: Case = Case {
    id: "hostile.flood.datagrams",
    clauses: &["UDP-RECV", "IO-UDP-TRUNCATE", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "a UDP peer answers one datagram with 1,000 datagrams of 1,000 bytes: recv(100) returns each \
        one truncated to 100 bytes until those that were kept run out, then raises Timeout; a fresh UDP socket \
        still makes an echo round trip",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let flood = ctx.peers.udp(UdpPeer::Flood { datagrams: DATAGRAMS, bytes: 1000 }).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        engine.ok(send_to(sock, b"go", &flood.host, flood.port)).await?;
        let mut received = 0;
        let mut opts = waits.ok_opts();
        // Bounded: at most every datagram the peer sent, and one recv past them.
        while received <= DATAGRAMS {
            match engine.call(recv_opts(sock, 100, opts)).await {
                Ok(Value::Bytes(datagram)) => {
                    expect(datagram == [b'f'; 100], || {
                        format!("recv(100) of a 1,000-byte datagram returned {}", show(&datagram))
                    })?;
                }
                Ok(other) => return Err(Failure::mismatch("recv's value", "bytes", other)),
                Err(raised) if raised.class == "Timeout" && received > 0 => break,
                Err(raised) => {
                    return Err(Failure::new(format!(
                        "recv after {received} datagrams raised {}: {}",
                        raised.class, raised.message
                    )));
                }
            }
            received += 1;
            opts = waits.brief_opts();
        }
        expect(received <= DATAGRAMS, || format!("{received} datagrams from a peer that sent {DATAGRAMS}"))?;
        engine.close(sock).await?;
        let echo = ctx.peers.udp_echo().await;
        let fresh = engine.handle(udp()).await?;
        engine.ok(send_to(fresh, b"ping", &echo.host, echo.port)).await?;
        engine
            .expect_bytes("the echo on a fresh socket", recv_opts(fresh, 100, waits.ok_opts()), b"ping")
            .await?;
        engine.close(fresh).await
    }),
};

pub const SILENT_CONNECTIONS: Case = Case {
    id: "hostile.flood.silent_connections",
    clauses: &["LST-ACCEPT", "TCP-RECV", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP_LISTEN,
    worlds: Both,
    description: "30 peers connect to the engine's listener, in waves of 5 (no more than a listen backlog of 5 \
        queues), and never send: accept (each within 5 s, which covers two SYN retries) returns each of them, recv \
        on one raises Timeout at its deadline, a 31st peer that sends a line is accepted and answered, and closing \
        every socket ends each silent peer's connection",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        let mut silent = Vec::with_capacity(SILENT);
        let mut accepted = Vec::with_capacity(SILENT);
        while accepted.len() < SILENT {
            let wave = WAVE.min(SILENT - accepted.len());
            silent.extend((0..wave).map(|_| ctx.peers.dial(dial_addr(&ctx, port), vec![Step::RecvToEnd])));
            for _ in 0..wave {
                accepted.push(engine.handle(Request::accept(listener, waits.ok_opts())).await?);
            }
        }
        engine.raises(recv_opts(accepted[0], 100, waits.brief_opts()), "Timeout").await?;
        let talker = ctx.peers.dial(dial_addr(&ctx, port), vec![send(b"hello\n"), Step::Recv(6)]);
        let sock = engine.handle(Request::accept(listener, waits.ok_opts())).await?;
        engine
            .expect_bytes("the talking peer's line", Request::recv_line(sock, waits.ok_opts()), b"hello\n")
            .await?;
        engine.send_all(sock, b"hi to you\n").await?;
        expect_eq("what the talking peer read", dialed(talker.await)?, b"hi to ".to_vec())?;
        engine.close(sock).await?;
        for sock in accepted {
            engine.close(sock).await?;
        }
        for (index, dialer) in silent.into_iter().enumerate() {
            let read = dialed(dialer.await)?;
            expect(read.is_empty(), || format!("silent peer {index} read {}", show(&read)))?;
        }
        engine.close(listener).await
    }),
};
