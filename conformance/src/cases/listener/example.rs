//! LST-EXAMPLE-ECHO: the spec's echo server.

use crate::body;
use crate::cases::support::{dial_addr, dialed, listening};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Handle, Request};
use crate::peers::Step;
use crate::script::{CaseResult, Script, expect, expect_bytes, show};
use crate::waits::Waits;

use super::LISTEN;

pub const ECHO: Case = Case {
    id: "listener.example.echo",
    clauses: &["LST-EXAMPLE-ECHO", "LST-ACCEPT"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "the spec's echo server (accept, recv_line, send_all(line), close) serves two clients in turn: each sends \"hi\\n\" and reads exactly \"hi\\n\" then end of stream",
    run: body!(async |ctx| {
        let (mut engine, server, port) = listening(&ctx, "0").await?;
        for client in ["first", "second"] {
            let dialer =
                ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"hi\n".to_vec()), Step::RecvToEnd]);
            serve_one(&mut engine, server).await?;
            let read = dialed(dialer.await)?;
            expect(read == b"hi\n", || {
                format!("the {client} client read {}, expected \"hi\\n\"", show(&read))
            })?;
        }
        engine.close(server).await
    }),
};

pub const ECHO_DRIBBLED: Case = Case {
    id: "listener.example.echo_dribbled",
    clauses: &["LST-EXAMPLE-ECHO", "TCP-RECV-LINE"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "the spec's echo server with a client that sends \"hello\\n\" one byte at a time: the client reads exactly \"hello\\n\"",
    run: body!(async |ctx| {
        let (mut engine, server, port) = listening(&ctx, "0").await?;
        let dialer = ctx.peers.dial(
            dial_addr(&ctx, port),
            vec![Step::Dribble(b"hello\n".to_vec(), Waits::of(&ctx).dribble()), Step::RecvToEnd],
        );
        serve_one(&mut engine, server).await?;
        expect_bytes("what the client read", dialed(dialer.await)?, b"hello\n")?;
        engine.close(server).await
    }),
};

/// The spec's echo server, for one client: accept, recv_line, send_all(line), close.
async fn serve_one(engine: &mut Script, listener: Handle) -> CaseResult {
    let client = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    let line = engine.recv_line(client).await?;
    engine.send_all(client, &line).await?;
    engine.close(client).await
}
