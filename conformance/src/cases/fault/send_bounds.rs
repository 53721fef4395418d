//! A send is bounded twice: by the buffers between (repeated sends into a peer that reads
//! nothing end in Timeout: a port's write queue is bounded, DEC-SEND-COUNT) and by its deadline
//! (send_all to a reader that is slow but never stalls still times out at its timeout,
//! DEC-TIMEOUT-WHOLE-CALL).

use crate::body;
use crate::cases::support::{pattern, script};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, Value};
use crate::peers::{Fault, Step};
use crate::script::{Failure, expect};

use super::stalled_send::{WRITES_TAKEN_WHOLE, fill_buffers, timed_out_naming};
use super::{NOW, TCP, apply, connected_to};

/// One send's bytes, the most every send together may take before a Timeout (more than any
/// buffers between take, tens of MiB with Linux's autotuning), and the most calls.
const PIECE: usize = 1 << 20;
const UNBOUNDED: i64 = 64 << 20;
const MAX_CALLS: usize = 256;

/// The timeout of the sends: short, so that the buffers fill fast.
const TIMEOUT: f64 = 0.5;

/// How fast the slow reader reads: 2 MiB a second, in 16 KiB reads a few milliseconds apart,
/// so that room comes far more often than the timeout.
const SLOW_RATE: u64 = 2 << 20;

/// What send_all offers the slow reader: four seconds' worth at its rate.
const OFFERED: usize = 8 << 20;

pub const SEND_IS_BOUNDED: Case = Case {
    id: "fault.backpressure.send_is_bounded",
    clauses: &["TCP-SEND", "IO-TIMEOUT-DEFAULT", "DEC-SEND-COUNT"],
    level: Must,
    needs: TCP,
    worlds: RealOnly(WRITES_TAKEN_WHOLE),
    description: "with .timeout 0.5, repeated sends of 1 MiB to a peer that has stopped reading each return 1..=1 MiB \
        until one raises Timeout naming host:port, before 64 MiB in all: a port that queues writes keeps the queue \
        bounded (D23)",
    run: body!(async |ctx| {
        let link = ctx.peers.link(script(vec![Step::RecvToEnd])).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        apply(&ctx, &link, Fault::StopReading, NOW)?;
        engine.nil(Request::SetTimeout { handle: sock, timeout: Some(TIMEOUT) }).await?;
        let piece = pattern(PIECE);
        let mut taken = 0i64;
        for _ in 0..MAX_CALLS {
            match engine.call(Request::send(sock, &piece)).await {
                Ok(Value::Int(count)) => {
                    expect((1..=PIECE as i64).contains(&count), || {
                        format!("send of {PIECE} bytes returned {count}")
                    })?;
                    taken += count;
                    expect(taken <= UNBOUNDED, || {
                        format!(
                            "sends into a peer that reads nothing took {taken} bytes without a Timeout: unbounded"
                        )
                    })?;
                }
                Ok(other) => {
                    return Err(Failure::mismatch("send's value", "an integer", other));
                }
                Err(raised) => {
                    timed_out_naming("send", &raised, &link)?;
                    return engine.close(sock).await;
                }
            }
        }
        Err(Failure::new(format!(
            "{MAX_CALLS} sends into a peer that reads nothing took {taken} bytes and none timed out"
        )))
    }),
};

pub const SEND_ALL_DEADLINE_ON_A_SLOW_READER: Case = Case {
    id: "fault.backpressure.send_all_deadline_on_a_slow_reader",
    clauses: &["TCP-SEND-ALL", "IO-TIMEOUT-DEFAULT", "DEC-TIMEOUT-WHOLE-CALL"],
    level: Must,
    needs: TCP,
    worlds: RealOnly(WRITES_TAKEN_WHOLE),
    description: "with the buffers full and the peer reading again at a steady 2 MiB/s, send_all of 8 MiB with \
        .timeout 0.5 raises Timeout: room that comes every few milliseconds does not restart the call's deadline (D18)",
    run: body!(async |ctx| {
        let link = ctx.peers.link(script(vec![Step::RecvToEnd])).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        fill_buffers(&ctx, &mut engine, sock, &link, TIMEOUT).await?;
        apply(&ctx, &link, Fault::SlowReading(SLOW_RATE), NOW)?;
        match engine.call(Request::send_all(sock, &pattern(OFFERED))).await {
            Err(raised) => {
                timed_out_naming("send_all", &raised, &link)?;
                engine.close(sock).await
            }
            Ok(_) => Err(Failure::new(format!(
                "send_all of {OFFERED} bytes to a reader taking {SLOW_RATE} bytes a second returned, though its \
                 timeout was {TIMEOUT} s: the deadline restarted with each write"
            ))),
        }
    }),
};
