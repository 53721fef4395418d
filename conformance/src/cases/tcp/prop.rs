//! TCP-PROP-TIMEOUT and TCP-PROP-CONNECTED: the properties that change.

use crate::body;
use crate::cases::support::{FOREVER, connected, recv_to_end, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Property, Request, Value};
use crate::peers::{Peer, Step};
use crate::script::{expect_argument, expect_bytes, expect_eq, expect_names};
use crate::waits::Waits;

use super::TCP;

pub const SET_TIMEOUT: Case = Case {
    id: "tcp.prop.set_timeout",
    clauses: &["TCP-PROP-TIMEOUT", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "set .timeout 2.5 reads back 2.5, nil reads back nil; -1 raises ArgumentError naming timeout and changes nothing",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = connected(&ctx, Peer::Echo).await?;
        let set = |timeout| Request::SetTimeout { handle: sock, timeout };
        engine.nil(set(Some(2.5))).await?;
        expect_eq(
            ".timeout after setting 2.5",
            engine.get(sock, Property::Timeout).await?,
            Value::Float(2.5),
        )?;
        engine.nil(set(None)).await?;
        expect_eq(".timeout after setting nil", engine.get(sock, Property::Timeout).await?, Value::Nil)?;
        engine.nil(set(Some(2.5))).await?;
        for bad in [-1.0, -0.5] {
            let raised = engine.raises(set(Some(bad)), "ArgumentError").await?;
            expect_argument(&raised, "timeout")?;
            expect_eq(
                &format!(".timeout after the rejected {bad}"),
                engine.get(sock, Property::Timeout).await?,
                Value::Float(2.5),
            )?;
        }
        engine.close(sock).await
    }),
};

pub const TIMEOUT_APPLIES: Case = Case {
    id: "tcp.prop.timeout_applies",
    clauses: &["TCP-PROP-TIMEOUT", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a short .timeout makes a bare recv raise Timeout; a per-call timeout or nil overrides it and gets the late line",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let steps =
            vec![Step::Pause(waits.pause()), send(b"late\n"), Step::Pause(waits.pause()), send(b"later\n")];
        let peer = ctx.peers.tcp(script(steps)).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&peer.host, peer.port).await?;
        engine.nil(Request::SetTimeout { handle: sock, timeout: Some(waits.brief()) }).await?;
        // The socket's short timeout applies to a call without one.
        let raised = engine.raises(Request::recv(sock, 100), "Timeout").await?;
        expect_names(&raised, &peer.host, peer.port)?;
        // A per-call timeout overrides it...
        engine
            .expect_bytes(
                "recv_line with a longer per-call timeout",
                Request::recv_line(sock, waits.ok_opts()),
                b"late\n",
            )
            .await?;
        // ...and so does a per-call nil.
        engine
            .expect_bytes("recv_line with timeout: nil", Request::recv_line(sock, FOREVER), b"later\n")
            .await?;
        // Neither changed the socket's own timeout.
        expect_eq(
            ".timeout after the per-call timeouts",
            engine.get(sock, Property::Timeout).await?,
            Value::Float(waits.brief()),
        )?;
        engine.close(sock).await
    }),
};

pub const CONNECTED_AFTER_PEER_CLOSE: Case = Case {
    id: "tcp.prop.connected_after_peer_close",
    clauses: &["TCP-PROP-CONNECTED", "DEC-CONNECTED-UNTIL-CLOSE"],
    level: Should,
    needs: TCP,
    worlds: Both,
    description: ".connected? stays true after the peer closed and recv returned \"\" (D3); it turns false at close",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"bye"), Step::Close])).await?;
        expect_bytes("everything the peer sent", recv_to_end(&mut engine, sock, waits).await?, b"bye")?;
        expect_eq(
            ".connected? after the peer closed",
            engine.get(sock, Property::Connected).await?,
            Value::Bool(true),
        )?;
        engine.close(sock).await?;
        expect_eq(".connected? after close", engine.get(sock, Property::Connected).await?, Value::Bool(false))
    }),
};
