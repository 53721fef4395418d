//! The peers' host crashes: never a hang, what arrived stays readable, and a restarted host
//! refuses its old ports but serves new peers (TCP-OPEN-TIMEOUT, TCP-OPEN-REFUSED).

use std::time::Duration;

use crate::body;
use crate::cases::support::{recv_opts, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request, Wait};
use crate::peers::Peer;
use crate::script::{Failure, Plain, expect_bytes, expect_names};
use crate::waits::Waits;

use super::{NOW, TCP, connected_to, span};

pub const PEER_GONE_IS_NEVER_A_HANG: Case = Case {
    id: "fault.crash.peer_gone_is_never_a_hang",
    clauses: &["TCP-RECV-LINE", "IO-TIMEOUT-DEFAULT", "IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "when the peer's host crashes mid-line, recv_line ends with ConnectionReset, EndOfStream or its Timeout, never a hang, and the partial line stays readable",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.link(script(vec![send(b"half a li")])).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        let after = Duration::from_secs_f64(waits.brief());
        ctx.peers.crash_peers(after, None).await.map_err(Failure::new)?;
        let timeout = CallOpts::timeout(span(waits).as_secs_f64());
        let outcome = engine.call(Request::recv_line(sock, timeout)).await;
        match &outcome {
            Err(raised) if ["ConnectionReset", "EndOfStream", "Timeout"].contains(&raised.class.as_str()) => {
            }
            other => {
                return Err(Failure::mismatch(
                    "recv_line after the crash",
                    "ConnectionReset, EndOfStream or Timeout",
                    other.plain(),
                ));
            }
        }
        let rest = engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?;
        expect_bytes("the partial line after the crash", rest, b"half a li")
    }),
};

pub const RESTARTED_PEER_SERVES_NEW_CONNECTIONS: Case = Case {
    id: "fault.crash.restarted_peer_serves_new_connections",
    clauses: &["TCP-OPEN-TIMEOUT", "TCP-OPEN-REFUSED"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a crashed host is silent (a connect with a 2 s timeout, 0.2 s in real, times out; the host \
        restarts 5 s after the crash, 2 s in real); once restarted its old port is refused and a new peer answers",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let old = ctx.peers.link(Peer::Echo).await.addr;
        let mut engine = ctx.engine_for_peers().await?;
        // Ten times the connect's timeout (in real time): a slow engine's connect still starts
        // and ends while the host is down.
        ctx.peers.crash_peers(NOW, Some(waits.pause())).await.map_err(Failure::new)?;
        let connect = Request::tcp_new(&old.host, old.port, Wait::Seconds(waits.brief()));
        engine.raises(connect, "Timeout").await?;
        // Starting a peer waits for the host to be back.
        let new = ctx.peers.link(Peer::Echo).await.addr;
        let raised = engine.raises(Request::tcp(&old.host, old.port), "ConnectionRefused").await?;
        expect_names(&raised, &old.host, old.port)?;
        let sock = engine.tcp(&new.host, new.port).await?;
        engine.send_all(sock, b"back\n").await?;
        expect_bytes("the restarted peer's echo", engine.recv_line(sock).await?, b"back\n")
    }),
};
