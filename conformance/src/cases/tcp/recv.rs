//! TCP-RECV.

use crate::body;
use crate::cases::support::{connected, recv_opts, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Step;
use crate::script::{expect, expect_argument, expect_bytes, expect_names, show};
use crate::waits::Waits;

use super::TCP;

pub const UP_TO_MAX_BYTES: Case = Case {
    id: "tcp.recv.up_to_max_bytes",
    clauses: &["TCP-RECV"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv(1) returns exactly 1 byte, recv(4) 1..=4 bytes, and recv(100) returns what arrived without waiting for 100",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let message = b"hello world";
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(message)])).await?;
        let first = engine.bytes(recv_opts(sock, 1, waits.ok_opts())).await?;
        expect_bytes("recv(1)", &first, b"h")?;
        let second = engine.bytes(recv_opts(sock, 4, waits.ok_opts())).await?;
        expect((1..=4).contains(&second.len()) && message[1..].starts_with(&second), || {
            format!("recv(4): expected 1..=4 bytes starting \"ello\", got {}", show(&second))
        })?;
        let mut got = [first, second].concat();
        // The peer sent no more and holds the connection: recv(100) must return what arrived.
        while got.len() < message.len() {
            let chunk = engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?;
            expect(!chunk.is_empty() && chunk.len() <= 100, || {
                format!("recv(100) returned {} bytes while the stream is open", chunk.len())
            })?;
            got.extend_from_slice(&chunk);
        }
        expect_bytes("the bytes received", got, message)?;
        engine.close(sock).await
    }),
};

pub const BAD_MAX_BYTES: Case = Case {
    id: "tcp.recv.bad_max_bytes",
    clauses: &["TCP-RECV"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv(0) and recv(-1) raise ArgumentError naming max_bytes and consume nothing",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"kept\n")])).await?;
        // Let the bytes arrive first, so that a consuming check would lose them.
        engine.expect_bytes("recv_exact(0)", Request::recv_exact(sock, 0, waits.ok_opts()), b"").await?;
        for bad in [0, -1] {
            let raised = engine.raises(recv_opts(sock, bad, waits.ok_opts()), "ArgumentError").await?;
            expect_argument(&raised, "max_bytes")?;
        }
        engine
            .expect_bytes(
                "recv_line after the bad recvs",
                Request::recv_line(sock, waits.ok_opts()),
                b"kept\n",
            )
            .await?;
        engine.close(sock).await
    }),
};

pub const CONNECTION_RESET: Case = Case {
    id: "tcp.recv.connection_reset",
    clauses: &["TCP-RECV"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a peer that reads 1 of our 10 bytes and closes resets the connection: recv raises ConnectionReset naming host:port",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, peer) = connected(&ctx, script(vec![Step::Recv(1), Step::Close])).await?;
        engine.send_all(sock, b"0123456789").await?;
        let raised = engine.raises(recv_opts(sock, 100, waits.ok_opts()), "ConnectionReset").await?;
        expect_names(&raised, &peer.host, peer.port)
    }),
};
