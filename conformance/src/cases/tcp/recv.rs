//! TCP-RECV.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Step;
use crate::script::{expect, expect_argument, expect_eq, expect_names, show};
use crate::waits::Waits;

use super::TCP;
use crate::cases::support::{connect, recv_opts, script, send};

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
        let peer = ctx.peers.tcp(script(vec![send(message)])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        let first = engine.bytes(recv_opts(sock, 1, waits.ok_opts())).await?;
        expect_eq("recv(1)", show(&first), show(b"h"))?;
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
        expect_eq("the bytes received", show(&got), show(message))?;
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
        let peer = ctx.peers.tcp(script(vec![send(b"kept\n")])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        // Let the bytes arrive first, so that a consuming check would lose them.
        expect_eq(
            "recv_exact(0)",
            engine.bytes(Request::recv_exact(sock, 0, waits.ok_opts())).await?,
            Vec::new(),
        )?;
        for bad in [0, -1] {
            let raised = engine.raises(recv_opts(sock, bad, waits.ok_opts()), "ArgumentError").await?;
            expect_argument(&raised, "max_bytes")?;
        }
        expect_eq(
            "recv_line after the bad recvs",
            engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?,
            b"kept\n".to_vec(),
        )?;
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
        let peer = ctx.peers.tcp(script(vec![Step::Recv(1), Step::Close])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        engine.send_all(sock, b"0123456789").await?;
        let raised = engine.raises(recv_opts(sock, 100, waits.ok_opts()), "ConnectionReset").await?;
        expect_names(&raised, &peer.host, peer.port)
    }),
};
