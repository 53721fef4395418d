//! IO-SHUTDOWN-READ: reading after a shutdown.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Step;
use crate::script::{expect_eq, show};
use crate::waits::Waits;

use super::TCP;
use crate::cases::support::{connect, recv_opts, script, send};

pub const PEER_REPLIES_AFTER_END: Case = Case {
    id: "io.shutdown_read.peer_replies_after_end",
    clauses: &["IO-SHUTDOWN-READ", "TCP-SHUTDOWN"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "after shutdown(:send) a peer that answers only at end of stream is heard: recv_line returns its \"bye\\n\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let peer = ctx.peers.tcp(script(vec![Step::RecvToEnd, send(b"bye\n")])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        engine.send_all(sock, b"all I have to say\n").await?;
        engine.nil(Request::shutdown(sock, ":send")).await?;
        expect_eq(
            "the peer's answer to our end of stream",
            show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
            show(b"bye\n"),
        )?;
        engine.close(sock).await
    }),
};

pub const RECV_EMPTY: Case = Case {
    id: "io.shutdown_read.recv_empty",
    clauses: &["IO-SHUTDOWN-READ"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "after shutdown(:recv) recv returns \"\" at once, though the peer keeps sending",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let steps = vec![send(b"first\n"), Step::Pause(waits.pause()), send(b"second\n")];
        let peer = ctx.peers.tcp(script(steps)).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        engine.nil(Request::shutdown(sock, ":recv")).await?;
        // A short timeout: the empty string comes at once, not after waiting for the peer.
        for attempt in ["recv", "recv again"] {
            let got = engine.bytes(recv_opts(sock, 100, waits.brief_opts())).await?;
            expect_eq(&format!("{attempt} after shutdown(:recv)"), show(&got), show(b""))?;
        }
        engine.close(sock).await
    }),
};

pub const LINE_AND_EXACT: Case = Case {
    id: "io.shutdown_read.line_and_exact",
    clauses: &["IO-SHUTDOWN-READ"],
    level: Should,
    needs: TCP,
    worlds: Both,
    description: "after shutdown(:recv), with a received line still unread, recv_line and recv_exact(1) raise EndOfStream (D4)",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let peer = ctx.peers.tcp(script(vec![send(b"read\nunread\n")])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        // The second line arrived with the first: it is received, unread, when we shut down.
        expect_eq(
            "the first line",
            show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
            show(b"read\n"),
        )?;
        engine.nil(Request::shutdown(sock, ":recv")).await?;
        engine.raises(Request::recv_line(sock, waits.ok_opts()), "EndOfStream").await?;
        engine.raises(Request::recv_exact(sock, 1, waits.ok_opts()), "EndOfStream").await?;
        engine.close(sock).await
    }),
};
