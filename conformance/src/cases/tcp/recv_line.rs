//! TCP-RECV-LINE.

use crate::body;
use crate::cases::support::{connected, recv_opts, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::peers::{Peer, Step};
use crate::script::expect_bytes;
use crate::waits::Waits;

use super::TCP;

pub const CRLF: Case = Case {
    id: "tcp.recv_line.crlf",
    clauses: &["TCP-RECV-LINE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_line returns \"HELO x\\r\\n\" with its \\r\\n, and an empty line as \"\\n\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"HELO x\r\n\nrest")])).await?;
        expect_bytes("the first line", engine.recv_line(sock).await?, b"HELO x\r\n")?;
        expect_bytes("the empty line", engine.recv_line(sock).await?, b"\n")?;
        engine.expect_bytes("recv of the rest", recv_opts(sock, 100, waits.ok_opts()), b"rest").await?;
        engine.close(sock).await
    }),
};

pub const DRIBBLE: Case = Case {
    id: "tcp.recv_line.dribble",
    clauses: &["TCP-RECV-LINE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a line sent one byte at a time comes back whole from one recv_line, then the next line from the next",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let steps = vec![Step::Dribble(b"slow line\r\nnext\n".to_vec(), waits.dribble())];
        let (mut engine, sock, _) = connected(&ctx, script(steps)).await?;
        expect_bytes("the dribbled line", engine.recv_line(sock).await?, b"slow line\r\n")?;
        expect_bytes("the next line", engine.recv_line(sock).await?, b"next\n")?;
        engine.close(sock).await
    }),
};

pub const TWO_LINES_ONE_SEGMENT: Case = Case {
    id: "tcp.recv_line.two_lines_one_segment",
    clauses: &["TCP-RECV-LINE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "\"one\\ntwo\\n\" written at once comes back as \"one\\n\" then \"two\\n\", one line per recv_line",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"one\ntwo\n"), Step::Close])).await?;
        expect_bytes("the first recv_line", engine.recv_line(sock).await?, b"one\n")?;
        expect_bytes("the second recv_line", engine.recv_line(sock).await?, b"two\n")?;
        engine.expect_bytes("recv at end of stream", recv_opts(sock, 100, waits.ok_opts()), b"").await?;
        engine.close(sock).await
    }),
};

pub const PARTIAL_THEN_EOF: Case = Case {
    id: "tcp.recv_line.partial_then_eof",
    clauses: &["TCP-RECV-LINE", "IO-LINE-EOF"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_line at end of stream raises EndOfStream; recv then returns the partial line, then the empty string",
    run: body!(async |ctx| {
        let peer = ctx.peers.tcp(Peer::Script(vec![Step::Send(b"partial".to_vec()), Step::Close])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&peer.host, peer.port).await?;
        engine.raises(Request::recv_line(sock, CallOpts::default()), "EndOfStream").await?;
        engine.expect_bytes("recv after the failed recv_line", Request::recv(sock, 100), b"partial").await?;
        engine.expect_bytes("recv at end of stream", Request::recv(sock, 100), b"").await?;
        Ok(())
    }),
};
