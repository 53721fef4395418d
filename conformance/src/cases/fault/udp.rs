//! Datagrams lost, duplicated or overtaken: each one that arrives is whole (UDP-DATAGRAM), a
//! lost one ends its recv_from in Timeout (UDP-RECV).

use crate::body;
use crate::cases::support::{recv_from, send_to, udp};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Handle, Value};
use crate::peers::Fault;
use crate::script::{Failure, Plain, Script, expect, show};
use crate::waits::Waits;

use super::{NOW, UDP, apply};

/// The next datagram's bytes, or `None` at a Timeout `within` seconds.
async fn next_datagram(engine: &mut Script, sock: Handle, within: f64) -> Result<Option<Vec<u8>>, Failure> {
    match engine.call(recv_from(sock, 100, CallOpts::timeout(within))).await {
        Ok(Value::Datagram { bytes, .. }) => Ok(Some(bytes)),
        Err(raised) if raised.class == "Timeout" => Ok(None),
        other => Err(Failure::mismatch("recv_from under faults", "a datagram or Timeout", other.plain())),
    }
}

/// The numbers of datagrams, `0, 3, 4`.
fn numbers(datagrams: &[u8]) -> String {
    datagrams.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
}

/// Fails unless `bytes` is one whole datagram as sent: 8 copies of one byte.
fn whole(bytes: &[u8]) -> Result<u8, Failure> {
    expect(bytes.len() == 8 && bytes.iter().all(|b| *b == bytes[0]), || {
        format!("a datagram arrived damaged: {}", show(bytes))
    })?;
    Ok(bytes[0])
}

pub const LOSS_DATAGRAMS_INTACT_OR_ABSENT: Case = Case {
    id: "fault.udp_loss.datagrams_intact_or_absent",
    clauses: &["UDP-DATAGRAM", "UDP-RECV"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "with half the datagrams lost, every datagram that arrives is whole and sent once; a lost one ends in Timeout",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.udp_link().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        apply(&ctx, &link, Fault::Lose(0.5), NOW)?;
        let mut seen = Vec::new();
        let mut timeouts = 0;
        for i in 0..12u8 {
            engine.int(send_to(sock, &[i; 8], &link.addr.host, link.addr.port)).await?;
            match next_datagram(&mut engine, sock, waits.brief()).await? {
                Some(bytes) => seen.push(whole(&bytes)?),
                None => timeouts += 1,
            }
        }
        let mut firsts = seen.clone();
        firsts.dedup();
        expect(firsts.len() == seen.len(), || format!("a datagram arrived twice: {}", numbers(&seen)))?;
        expect(timeouts > 0 && !seen.is_empty(), || {
            format!("with 50% loss, expected some of each: {} arrived, {timeouts} lost", seen.len())
        })
    }),
};

pub const DISORDER_DATAGRAMS_WHOLE: Case = Case {
    id: "fault.udp_disorder.datagrams_whole",
    clauses: &["UDP-DATAGRAM", "UDP-RECV"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "with half the datagrams duplicated and half overtaken, each recv_from returns one whole datagram, and every datagram sent arrives",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.udp_link().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp()).await?;
        apply(&ctx, &link, Fault::Duplicate(0.5), NOW)?;
        apply(&ctx, &link, Fault::Reorder(0.5), NOW)?;
        for i in 0..=10u8 {
            engine.int(send_to(sock, &[i; 8], &link.addr.host, link.addr.port)).await?;
        }
        let mut seen = Vec::new();
        // A pause, not a brief wait, ends the reading: the last datagram, overtaken by none,
        // may be held back a while before it goes on.
        while let Some(bytes) = next_datagram(&mut engine, sock, waits.pause().as_secs_f64()).await? {
            seen.push(whole(&bytes)?);
        }
        let missing: Vec<u8> = (0..=10).filter(|i| !seen.contains(i)).collect();
        expect(missing.is_empty(), || {
            format!("datagrams {} never arrived; got {}", numbers(&missing), numbers(&seen))
        })
    }),
};
