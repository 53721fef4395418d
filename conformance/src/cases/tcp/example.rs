//! TCP-EXAMPLE-ECHO: the spec's echo client.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Peer;
use crate::script::expect_bytes;

use super::TCP;

pub const ECHO_CLIENT: Case = Case {
    id: "tcp.example.echo_client",
    clauses: &["TCP-EXAMPLE-ECHO"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "the spec's echo client: tcp(host, port), send_all('hello\\n') → nil, recv_line → \"hello\\n\", close → nil",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        // $sock = %net.tcp('echo.example.com', 7)
        let sock = engine.tcp(&echo.host, echo.port).await?;
        // $sock.send_all('hello\n')
        engine.nil(Request::send_all(sock, b"hello\n")).await?;
        // $reply = $sock.recv_line
        let reply = engine.recv_line(sock).await?;
        // puts $reply
        expect_bytes("$reply", reply, b"hello\n")?;
        // $sock.close
        engine.nil(Request::close(sock)).await
    }),
};
