//! Latency: a timeout shorter than the delay raises and loses nothing; a per-call timeout
//! longer than it outlasts the socket's own (IO-NOTHING-LOST, IO-TIMEOUT-DEFAULT).

use crate::body;
use crate::cases::support::recv_opts;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request, Value};
use crate::peers::{Fault, Peer};
use crate::script::{Failure, Plain, expect_bytes};
use crate::waits::Waits;

use super::{NOW, TCP, apply, connected_to, span};

pub const TIMEOUT_THEN_LATE_BYTES: Case = Case {
    id: "fault.latency.timeout_then_late_bytes",
    clauses: &["IO-NOTHING-LOST", "TCP-RECV"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "with up to 5 s of latency (0.5 s in real) a recv with a 1 ms timeout raises Timeout (or gets bytes), and the echo arrives intact afterwards",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.link(Peer::Echo).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        apply(&ctx, &link, Fault::Latency(span(waits)), NOW)?;
        engine.send_all(sock, b"slow\n").await?;
        let first = engine.call(recv_opts(sock, 100, CallOpts::timeout(waits.secs(0.001)))).await;
        let mut got = match first {
            Err(raised) if raised.class == "Timeout" => Vec::new(),
            Ok(Value::Bytes(bytes)) => bytes,
            other => {
                return Err(Failure::mismatch("the first recv", "Timeout or bytes", other.plain()));
            }
        };
        while got.len() < 5 {
            got.extend(engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?);
        }
        expect_bytes("the echo under latency", got, b"slow\n")
    }),
};

pub const PER_CALL_TIMEOUT_OUTLASTS_LATENCY: Case = Case {
    id: "fault.latency.per_call_timeout_outlasts_latency",
    clauses: &["IO-TIMEOUT-DEFAULT", "TCP-PROP-TIMEOUT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "with up to 5 s of latency (0.5 s in real), recv_line(timeout: 60; 5 in real) on a socket whose .timeout is 2 (0.2 in real) gets the echoed line: the per-call timeout replaces the socket's",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.link(Peer::Echo).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        engine.nil(Request::SetTimeout { handle: sock, timeout: Some(waits.brief()) }).await?;
        apply(&ctx, &link, Fault::Latency(span(waits)), NOW)?;
        engine.send_all(sock, b"late line\n").await?;
        let got = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
        expect_bytes("the echo under latency", got, b"late line\n")
    }),
};
