//! IO-SHUTDOWN-READ: reading after a shutdown.

use crate::body;
use crate::cases::support::{connected, recv_opts, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Step;
use crate::waits::Waits;

use super::TCP;

pub const PEER_REPLIES_AFTER_END: Case = Case {
    id: "io.shutdown_read.peer_replies_after_end",
    clauses: &["IO-SHUTDOWN-READ", "TCP-SHUTDOWN"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "after shutdown(:send) a peer that answers only at end of stream is heard: recv_line returns its \"bye\\n\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![Step::RecvToEnd, send(b"bye\n")])).await?;
        engine.send_all(sock, b"all I have to say\n").await?;
        engine.nil(Request::shutdown(sock, ":send")).await?;
        engine
            .expect_bytes(
                "the peer's answer to our end of stream",
                Request::recv_line(sock, waits.ok_opts()),
                b"bye\n",
            )
            .await?;
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
        let (mut engine, sock, _) = connected(&ctx, script(steps)).await?;
        engine.nil(Request::shutdown(sock, ":recv")).await?;
        // A short timeout: the empty string comes at once, not after waiting for the peer.
        for attempt in ["recv", "recv again"] {
            engine
                .expect_bytes(
                    &format!("{attempt} after shutdown(:recv)"),
                    recv_opts(sock, 100, waits.brief_opts()),
                    b"",
                )
                .await?;
        }
        engine.close(sock).await
    }),
};

pub const LINE_AND_EXACT: Case = Case {
    id: "io.shutdown_read.line_and_exact",
    clauses: &["IO-SHUTDOWN-READ", "DEC-SHUTDOWN-HALVES"],
    level: Should,
    needs: TCP,
    worlds: Both,
    description: "after shutdown(:recv), with a received line still unread, recv_line and recv_exact(1) raise EndOfStream (D4)",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"read\nunread\n")])).await?;
        // The second line arrived with the first: it is received, unread, when we shut down.
        engine.expect_bytes("the first line", Request::recv_line(sock, waits.ok_opts()), b"read\n").await?;
        engine.nil(Request::shutdown(sock, ":recv")).await?;
        engine.raises(Request::recv_line(sock, waits.ok_opts()), "EndOfStream").await?;
        engine.raises(Request::recv_exact(sock, 1, waits.ok_opts()), "EndOfStream").await?;
        engine.close(sock).await
    }),
};
