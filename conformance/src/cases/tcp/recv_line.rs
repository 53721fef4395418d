//! TCP-RECV-LINE.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::peers::{Peer, Step};
use crate::script::{expect_eq, show};
use crate::waits::Waits;

use super::TCP;
use crate::cases::support::{connect, recv_opts, script, send};

pub const CRLF: Case = Case {
    id: "tcp.recv_line.crlf",
    clauses: &["TCP-RECV-LINE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_line returns \"HELO x\\r\\n\" with its \\r\\n, and an empty line as \"\\n\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let peer = ctx.peers.tcp(script(vec![send(b"HELO x\r\n\nrest")])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        expect_eq("the first line", show(&engine.recv_line(sock).await?), show(b"HELO x\r\n"))?;
        expect_eq("the empty line", show(&engine.recv_line(sock).await?), show(b"\n"))?;
        expect_eq(
            "recv of the rest",
            show(&engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?),
            show(b"rest"),
        )?;
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
        let peer = ctx
            .peers
            .tcp(script(vec![Step::Dribble(b"slow line\r\nnext\n".to_vec(), waits.dribble())]))
            .await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        expect_eq("the dribbled line", show(&engine.recv_line(sock).await?), show(b"slow line\r\n"))?;
        expect_eq("the next line", show(&engine.recv_line(sock).await?), show(b"next\n"))?;
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
        let peer = ctx.peers.tcp(script(vec![send(b"one\ntwo\n"), Step::Close])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = connect(&mut engine, &peer, waits).await?;
        expect_eq("the first recv_line", show(&engine.recv_line(sock).await?), show(b"one\n"))?;
        expect_eq("the second recv_line", show(&engine.recv_line(sock).await?), show(b"two\n"))?;
        expect_eq(
            "recv at end of stream",
            engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
            Vec::new(),
        )?;
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
        expect_eq(
            "recv after the failed recv_line",
            engine.bytes(Request::recv(sock, 100)).await?,
            b"partial".to_vec(),
        )?;
        expect_eq("recv at end of stream", engine.bytes(Request::recv(sock, 100)).await?, Vec::new())?;
        Ok(())
    }),
};
