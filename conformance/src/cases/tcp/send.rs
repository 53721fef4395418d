//! TCP-SEND and TCP-SEND-ALL.

use crate::body;
use crate::cases::support::{connected, pattern, recv_opts, same_bytes, script};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::{Peer, Step};
use crate::script::{expect, expect_eq, expect_names};
use crate::waits::Waits;

use super::TCP;

pub const COUNT: Case = Case {
    id: "tcp.send.count",
    clauses: &["TCP-SEND"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "send returns a count in 1..=len; those bytes, then the rest by send_all, come back from an echo peer in order",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, Peer::Echo).await?;
        let message = b"partial writes allowed\n";
        let n = engine.int(Request::send(sock, message)).await?;
        expect((1..=message.len() as i64).contains(&n), || {
            format!("send returned {n} for {} bytes", message.len())
        })?;
        engine.send_all(sock, &message[n as usize..]).await?;
        engine
            .expect_bytes(
                "the echoed bytes",
                Request::recv_exact(sock, message.len() as i64, waits.ok_opts()),
                message,
            )
            .await?;
        engine.close(sock).await
    }),
};

pub const COUNT_IS_EXACT: Case = Case {
    id: "tcp.send.count_is_exact",
    clauses: &["TCP-SEND"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "send of 256 KiB returns n in 1..=len and exactly the first n bytes reach the echo peer, no more",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, echo) = connected(&ctx, Peer::Echo).await?;
        let data = pattern(256 * 1024);
        let n = engine.int(Request::send(sock, &data)).await?;
        expect((1..=data.len() as i64).contains(&n), || {
            format!("send returned {n} for {} bytes", data.len())
        })?;
        let back = engine.bytes(Request::recv_exact(sock, n, waits.ok_opts())).await?;
        same_bytes("the echo of the bytes send counted", &back, &data[..n as usize])?;
        // Nothing beyond the count was written.
        let raised = engine.raises(recv_opts(sock, 100, waits.brief_opts()), "Timeout").await?;
        expect_names(&raised, &echo.host, echo.port)?;
        engine.close(sock).await
    }),
};

pub const EMPTY: Case = Case {
    id: "tcp.send.empty",
    clauses: &["TCP-SEND", "TCP-SEND-ALL"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "send of the empty string returns 0 and send_all of it returns nil; the stream is unaffected",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, Peer::Echo).await?;
        expect_eq("send of \"\"", engine.int(Request::send(sock, b"")).await?, 0)?;
        engine.nil(Request::send_all(sock, b"")).await?;
        engine.send_all(sock, b"after nothing\n").await?;
        engine
            .expect_bytes("the echoed line", Request::recv_line(sock, waits.ok_opts()), b"after nothing\n")
            .await?;
        engine.close(sock).await
    }),
};

pub const SEND_ALL_64K: Case = Case {
    id: "tcp.send_all.64k",
    clauses: &["TCP-SEND-ALL", "TCP-RECV-EXACT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "send_all of 64 KiB returns nil and recv_exact(65536) gets every byte back intact from an echo peer",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, Peer::Echo).await?;
        let data = pattern(64 * 1024);
        engine.nil(Request::send_all(sock, &data)).await?;
        let back = engine.bytes(Request::recv_exact(sock, data.len() as i64, waits.ok_opts())).await?;
        same_bytes("the 64 KiB echoed", &back, &data)?;
        engine.close(sock).await
    }),
};

pub const SEND_ALL_AFTER_RESET: Case = Case {
    id: "tcp.send_all.after_reset",
    clauses: &["TCP-SEND-ALL", "DEC-OS-ERRORS"],
    level: Should,
    needs: TCP,
    worlds: Both,
    description: "after the peer reset the connection, send_all raises ConnectionReset naming host:port (broken pipe, D6)",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, peer) = connected(&ctx, script(vec![Step::Recv(1), Step::Close])).await?;
        engine.send_all(sock, b"0123456789").await?;
        // Learn of the reset first, so that the write below meets a connection known to be gone.
        engine.raises(recv_opts(sock, 100, waits.ok_opts()), "ConnectionReset").await?;
        let raised = engine.raises(Request::send_all(sock, b"more"), "ConnectionReset").await?;
        expect_names(&raised, &peer.host, peer.port)
    }),
};
