//! TCP-SHUTDOWN, and TCP-STARTTLS after a shutdown.

use crate::body;
use crate::cases::support::{connect, connected, recv_opts, recv_to_end, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Feature, Property, Request, Value};
use crate::peers::{Peer, Step};
use crate::script::{expect_argument, expect_bytes, expect_eq, expect_names};
use crate::waits::Waits;

use super::TCP;

pub const STARTTLS_AFTER_SHUTDOWN_SEND: Case = Case {
    id: "tcp.starttls.after_shutdown_send",
    clauses: &["TCP-STARTTLS", "TCP-SHUTDOWN", "DEC-STARTTLS-AFTER-SHUTDOWN"],
    level: Should,
    needs: &[Feature::Tcp, Feature::Tls],
    worlds: Both,
    description: "starttls after shutdown(:send) raises Closed and does not upgrade: the tcp socket still reads (D15)",
    run: body!(async |ctx| {
        let peer = ctx.peers.tcp(Peer::Script(vec![Step::RecvToEnd, Step::Send(b"bye\n".to_vec())])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&peer.host, peer.port).await?;
        engine.nil(Request::shutdown(sock, ":send")).await?;
        let tls = crate::contract::TlsArgs { verify: Some(false), ..Default::default() };
        engine.raises(Request::Starttls { handle: sock, tls }, "Closed").await?;
        expect_eq(
            ".connected? after the refused starttls",
            engine.get(sock, Property::Connected).await?,
            Value::Bool(true),
        )?;
        expect_eq("the reply read on the tcp socket", engine.recv_line(sock).await?, b"bye\n".to_vec())
    }),
};

pub const SEND: Case = Case {
    id: "tcp.shutdown.send",
    clauses: &["TCP-SHUTDOWN", "IO-SHUTDOWN-READ"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "shutdown(:send) returns nil; the echo peer reads end of stream and closes, and we still read its echo, then \"\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, Peer::Echo).await?;
        engine.send_all(sock, b"ping\n").await?;
        engine.nil(Request::shutdown(sock, ":send")).await?;
        // The echo peer closes only once it has read our end of stream.
        expect_bytes(
            "everything received after shutdown(:send)",
            recv_to_end(&mut engine, sock, waits).await?,
            b"ping\n",
        )?;
        engine.close(sock).await
    }),
};

pub const RECV: Case = Case {
    id: "tcp.shutdown.recv",
    clauses: &["TCP-SHUTDOWN", "IO-SHUTDOWN-READ"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "shutdown(:recv) returns nil; recv then returns \"\" (twice) though a received line is unread and more comes; send_all still works",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let steps = vec![send(b"read\nunread\n"), Step::Pause(waits.pause()), send(b"later\n")];
        let (mut engine, sock, _) = connected(&ctx, script(steps)).await?;
        // The second line arrived with the first: it is received, unread, when we shut down.
        engine.expect_bytes("the first line", Request::recv_line(sock, waits.ok_opts()), b"read\n").await?;
        engine.nil(Request::shutdown(sock, ":recv")).await?;
        engine.expect_bytes("recv after shutdown(:recv)", recv_opts(sock, 100, waits.ok_opts()), b"").await?;
        engine
            .expect_bytes("recv again after shutdown(:recv)", recv_opts(sock, 100, waits.ok_opts()), b"")
            .await?;
        engine.send_all(sock, b"still sending\n").await?;
        engine.close(sock).await
    }),
};

pub const BOTH: Case = Case {
    id: "tcp.shutdown.both",
    clauses: &["TCP-SHUTDOWN", "IO-SHUTDOWN-READ"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "with a received line still unread (it arrived with the line just read), shutdown(:both) returns nil, \
        recv then returns \"\" (twice: the unread line is dropped, as after shutdown(:recv)), and close returns nil",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"read\nunread\n")])).await?;
        // The second line arrived with the first: it is received, unread, when we shut down.
        engine.expect_bytes("the first line", Request::recv_line(sock, waits.ok_opts()), b"read\n").await?;
        engine.nil(Request::shutdown(sock, ":both")).await?;
        for what in ["recv after shutdown(:both)", "recv again after shutdown(:both)"] {
            engine.expect_bytes(what, recv_opts(sock, 100, waits.ok_opts()), b"").await?;
        }
        engine.close(sock).await
    }),
};

pub const CLOSED_HALVES: Case = Case {
    id: "tcp.shutdown.closed_halves",
    clauses: &["TCP-SHUTDOWN", "TCP-PROP-CONNECTED", "DEC-CONNECTED-UNTIL-CLOSE", "DEC-SHUTDOWN-HALVES"],
    level: Should,
    needs: TCP,
    worlds: Both,
    description: "after shutdown(:send) or (:both) send and send_all raise Closed, shutdown again is nil, .connected? stays true (D3, D4)",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        for direction in [":send", ":both"] {
            let sock = connect(&mut engine, &echo, waits).await?;
            engine.nil(Request::shutdown(sock, direction)).await?;
            expect_eq(
                &format!(".connected? after shutdown({direction})"),
                engine.get(sock, Property::Connected).await?,
                Value::Bool(true),
            )?;
            let raised = engine.raises(Request::send(sock, b"x"), "Closed").await?;
            expect_names(&raised, &echo.host, echo.port)?;
            let raised = engine.raises(Request::send_all(sock, b"x"), "Closed").await?;
            expect_names(&raised, &echo.host, echo.port)?;
            engine.nil(Request::shutdown(sock, direction)).await?;
            engine.close(sock).await?;
        }
        Ok(())
    }),
};

pub const BAD_DIRECTION: Case = Case {
    id: "tcp.shutdown.bad_direction",
    clauses: &["TCP-SHUTDOWN"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "shutdown(:sideways), shutdown('') raise ArgumentError naming direction, and the socket still echoes",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, Peer::Echo).await?;
        for bad in [":sideways", "sideways", ""] {
            let raised = engine.raises(Request::shutdown(sock, bad), "ArgumentError").await?;
            expect_argument(&raised, "direction")?;
        }
        engine.send_all(sock, b"still whole\n").await?;
        engine
            .expect_bytes(
                "the echoed line after the bad shutdowns",
                Request::recv_line(sock, waits.ok_opts()),
                b"still whole\n",
            )
            .await?;
        engine.close(sock).await
    }),
};
