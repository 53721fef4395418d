//! LST-CLOSE.

use crate::body;
use crate::cases::support::{dial_addr, dialed, listening};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Property, Request, Value};
use crate::peers::Step;
use crate::script::{expect, expect_bytes, expect_eq};
use crate::waits::Waits;

use super::LISTEN;

pub const ACCEPT_RAISES_CLOSED: Case = Case {
    id: "listener.close.accept_raises_closed",
    clauses: &["LST-CLOSE", "IO-CLOSE-IDEMPOTENT"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "close returns nil, a second close returns nil, accept afterwards raises Closed",
    run: body!(async |ctx| {
        let (mut engine, listener, _) = listening(&ctx, "0").await?;
        engine.close(listener).await?;
        engine.close(listener).await?;
        let timeout = CallOpts::timeout(Waits::of(&ctx).secs(0.5));
        engine.raises(Request::accept(listener, timeout), "Closed").await?;
        Ok(())
    }),
};

pub const REFUSES_DIALERS: Case = Case {
    id: "listener.close.refuses_dialers",
    clauses: &["LST-CLOSE"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "after close, a peer dialing the old port is refused (its connect fails)",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        engine.close(listener).await?;
        // No steps: a dialer that gets connected returns at once.
        let outcome = ctx.peers.dial(dial_addr(&ctx, port), Vec::new()).await;
        expect(outcome.is_err(), || format!("a dialer connected to the closed listener's port {port}"))
    }),
};

pub const ACCEPTED_SOCKET_SURVIVES: Case = Case {
    id: "listener.close.accepted_socket_survives",
    clauses: &["LST-CLOSE", "TCP-ACCEPTED"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "closing the listener leaves an already accepted socket working: it still reads \"still here\\n\" and echoes it",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        let dialer = ctx
            .peers
            .dial(dial_addr(&ctx, port), vec![Step::Send(b"still here\n".to_vec()), Step::RecvToEnd]);
        let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
        engine.close(listener).await?;
        let line = engine.recv_line(sock).await?;
        expect_bytes("the line read after the listener closed", &line, b"still here\n")?;
        engine.send_all(sock, &line).await?;
        engine.close(sock).await?;
        expect_bytes("what the dialer read", dialed(dialer.await)?, b"still here\n")
    }),
};

pub const FREES_PORT: Case = Case {
    id: "listener.close.frees_port",
    clauses: &["LST-CLOSE", "LST-OPEN", "LST-LOCAL-PORT"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "after close the port is free: tcp_listen on that same given port succeeds and its .local_port is exactly that port",
    run: body!(async |ctx| {
        let (mut engine, first, port) = listening(&ctx, "").await?;
        engine.close(first).await?;
        let second = engine.handle(Request::tcp_listen(ctx.bind_host(), port)).await?;
        expect_eq(
            ".local_port of the new listener",
            engine.get(second, Property::LocalPort).await?,
            Value::Int(port.into()),
        )?;
        engine.close(second).await
    }),
};
