//! IO-ACCEPT-TIMEOUT: how long accept waits.

use std::time::Duration;

use crate::body;
use crate::cases::support::{dial_addr, dialed, join_unless_failed, listening};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::peers::{Peer, Step};
use crate::script::{expect_bytes, expect_mentions};
use crate::waits::Waits;

use super::LISTEN;

pub const TIMEOUT: Case = Case {
    id: "listener.accept.timeout",
    clauses: &["IO-ACCEPT-TIMEOUT", "LST-ACCEPT"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "accept(timeout: 0.3) with no dialer raises Timeout naming the listener's port; the listener still accepts a later dialer",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        let waits = Waits::of(&ctx);
        let raised =
            engine.raises(Request::accept(listener, CallOpts::timeout(waits.secs(0.3))), "Timeout").await?;
        expect_mentions(&raised, &[&port.to_string()])?;
        let dialer =
            ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"later\n".to_vec()), Step::RecvToEnd]);
        let sock = engine.handle(Request::accept(listener, waits.ok_opts())).await?;
        expect_bytes("the later dialer's line", engine.recv_line(sock).await?, b"later\n")?;
        engine.close(sock).await?;
        dialed(dialer.await)?;
        engine.close(listener).await
    }),
};

pub const WAITS_FOREVER: Case = Case {
    id: "listener.accept.waits_forever",
    clauses: &["IO-ACCEPT-TIMEOUT", "LST-ACCEPT"],
    level: Must,
    needs: LISTEN,
    worlds: LongWait,
    description: "accept without a timeout does not time out: a dialer arriving after 35 s (past the 30 s default; \
        65 s in sim) is accepted and its line read",
    run: body!(async |ctx| {
        // Past the 30 s socket default, which an accept without a timeout must not apply; in the
        // simulated world (virtual time) past a minute too. Not scaled: the default is the spec's.
        let delay = Duration::from_secs(if ctx.peers.is_simulated() { 65 } else { 35 });
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        // A timer the peers run: a peer that holds a connection for `delay`, then closes it.
        let timer = ctx.peers.tcp(Peer::Script(vec![Step::Pause(delay), Step::Close])).await;
        let peers = ctx.peers.clone();
        let target = dial_addr(&ctx, port);
        let late_dialer = async move {
            peers
                .dial(timer, vec![Step::RecvToEnd])
                .await
                .map_err(|e| format!("the timer peer failed: {e}"))?;
            // Only a send: the dial must end without the engine's help, which comes after the join.
            peers.dial(target, vec![Step::Send(b"late\n".to_vec())]).await
        };
        let (sock, outcome) =
            join_unless_failed(engine.handle(Request::accept(listener, CallOpts::default())), late_dialer)
                .await?;
        expect_bytes("the late dialer's line", engine.recv_line(sock).await?, b"late\n")?;
        engine.close(sock).await?;
        dialed(outcome)?;
        engine.close(listener).await
    }),
};

pub const NEGATIVE_TIMEOUT: Case = Case {
    id: "listener.accept.negative_timeout",
    clauses: &["IO-TIMEOUT-DEFAULT", "LST-ACCEPT"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "accept(timeout: -1) raises ArgumentError naming timeout",
    run: body!(async |ctx| {
        let (mut engine, listener, _) = listening(&ctx, "0").await?;
        let raised =
            engine.raises(Request::accept(listener, CallOpts::timeout(-1.0)), "ArgumentError").await?;
        expect_mentions(&raised, &["timeout"])?;
        engine.close(listener).await
    }),
};
