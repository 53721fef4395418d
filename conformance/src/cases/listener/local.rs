//! LST-LOCAL-HOST and LST-LOCAL-PORT.

use crate::body;
use crate::cases::support::{dial_addr, dialed, listening};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Property, Request, Value};
use crate::peers::Step;
use crate::script::{expect_bytes, expect_eq};

use super::LISTEN;

pub const LOCAL_HOST_AS_BOUND: Case = Case {
    id: "listener.local_host.as_bound",
    clauses: &["LST-LOCAL-HOST"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: ".local_host is the address bound as given: \"127.0.0.1\" (real) or \"0.0.0.0\" (sim), not a resolved or peer address",
    run: body!(async |ctx| {
        let mut engine = ctx.engine(None, Some("0")).await?;
        let host = ctx.bind_host();
        let listener = engine.handle(Request::tcp_listen(host, 0)).await?;
        expect_eq(".local_host", engine.get(listener, Property::LocalHost).await?, Value::Str(host.into()))?;
        engine.close(listener).await
    }),
};

pub const LOCAL_PORT_EPHEMERAL: Case = Case {
    id: "listener.local_port.ephemeral",
    clauses: &["LST-LOCAL-PORT", "LST-ACCEPT"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "bound to port 0, .local_port is the real port (1..65535, the same on every read) and a peer dialing it is accepted",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        expect_eq(
            ".local_port read again",
            engine.get(listener, Property::LocalPort).await?,
            Value::Int(port.into()),
        )?;
        let dialer =
            ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"x\n".to_vec()), Step::RecvToEnd]);
        let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
        expect_bytes("the line read", engine.recv_line(sock).await?, b"x\n")?;
        engine.close(sock).await?;
        dialed(dialer.await)?;
        engine.close(listener).await
    }),
};
