//! A peer that stops reading for good: a send that cannot complete is bounded by the socket's
//! `.timeout` like a receive, and raises Timeout naming the peer (TCP-SEND-ALL,
//! IO-TIMEOUT-DEFAULT).

use crate::body;
use crate::cases::support::{pattern, script};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::{Fault, Step};
use crate::script::expect_names;

use super::{NOW, TCP, apply, connected_to};

pub const SEND_ALL_TIMES_OUT: Case = Case {
    id: "fault.backpressure.send_all_times_out",
    clauses: &["TCP-SEND-ALL", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: RealOnly("the simulated network takes any write whole, so no send waits there"),
    description: "with .timeout 0.5, send_all of 32 MiB (more than loopback's buffers hold) to a peer that has \
        stopped reading raises Timeout naming host:port",
    run: body!(async |ctx| {
        let link = ctx.peers.link(script(vec![Step::RecvToEnd])).await;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        apply(&ctx, &link, Fault::StopReading, NOW)?;
        engine.nil(Request::SetTimeout { handle: sock, timeout: Some(0.5) }).await?;
        let raised = engine.raises(Request::send_all(sock, &pattern(32 << 20)), "Timeout").await?;
        expect_names(&raised, &link.addr.host, link.addr.port)?;
        engine.close(sock).await
    }),
};
