//! TCP-CLOSE.

use crate::body;
use crate::cases::support::{connected, dial_addr, dialed, listening};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Property, Request, Value};
use crate::peers::{Peer, Step};
use crate::script::{expect_bytes, expect_eq};
use crate::waits::Waits;

use super::{TCP, TCP_LISTEN};

pub const DISCONNECTS: Case = Case {
    id: "tcp.close.disconnects",
    clauses: &["TCP-CLOSE", "TCP-PROP-CONNECTED"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "close returns nil and .connected? turns false",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = connected(&ctx, Peer::Echo).await?;
        expect_eq(
            ".connected? before close",
            engine.get(sock, Property::Connected).await?,
            Value::Bool(true),
        )?;
        engine.close(sock).await?;
        expect_eq(".connected? after close", engine.get(sock, Property::Connected).await?, Value::Bool(false))
    }),
};

pub const PEER_READS_END: Case = Case {
    id: "tcp.close.peer_reads_end",
    clauses: &["TCP-CLOSE", "TCP-ACCEPTED"],
    level: Must,
    needs: TCP_LISTEN,
    worlds: Both,
    description: "send_all then close on an accepted socket: the dialing peer reads the bytes, then end of stream",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, listener, port) = listening(&ctx, "").await?;
        let addr = dial_addr(&ctx, port);
        // The dialer reads until end of stream: it finishes only once our close reached it.
        let dialer = ctx.peers.dial(addr, vec![Step::RecvToEnd]);
        let sock = engine.handle(Request::accept(listener, waits.ok_opts())).await?;
        engine.send_all(sock, b"bye\n").await?;
        engine.close(sock).await?;
        let read = dialed(dialer.await)?;
        expect_bytes("what the dialer read before end of stream", read, b"bye\n")
    }),
};
