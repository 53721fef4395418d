//! TCP-*: the tcp socket.

use crate::case;
use crate::catalog::{Case, Worlds};
use crate::contract::{CallOpts, Feature, Property, Request, Value};
use crate::peers::{Peer, Step};
use crate::script::{CaseResult, Ctx, expect, expect_eq};

const TCP: &[Feature] = &[Feature::Tcp];

pub const CASES: &[Case] = &[
    case!(
        "tcp.open.echo",
        ["TCP-OPEN"],
        Must,
        TCP,
        Worlds::Both,
        "%net.tcp(host, port) connects; a line sent to an echo peer comes back unchanged",
        open_echo
    ),
    case!(
        "tcp.open.properties",
        [
            "TCP-PROP-HOST",
            "TCP-PROP-PORT",
            "TCP-PROP-LOCAL-HOST",
            "TCP-PROP-LOCAL-PORT",
            "TCP-PROP-CONNECTED",
            "IO-TIMEOUT-DEFAULT"
        ],
        Must,
        TCP,
        Worlds::Both,
        "a new socket reports the host as named, the port, a local IP and port, connected? true and timeout 30",
        open_properties
    ),
    case!(
        "tcp.open.refused",
        ["TCP-OPEN-REFUSED"],
        Must,
        TCP,
        Worlds::Both,
        "connecting to a port where nothing listens raises ConnectionRefused naming host and port",
        open_refused
    ),
    case!(
        "tcp.recv_line.partial_then_eof",
        ["TCP-RECV-LINE", "IO-LINE-EOF"],
        Must,
        TCP,
        Worlds::Both,
        "recv_line at end of stream raises EndOfStream; recv then returns the partial line, then the empty string",
        recv_line_partial_then_eof
    ),
];

async fn open_echo(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&echo.host, echo.port).await?;
    engine.send_all(sock, b"hello\n").await?;
    expect_eq("the echoed line", engine.recv_line(sock).await?, b"hello\n".to_vec())?;
    engine.close(sock).await
}

async fn open_properties(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&echo.host, echo.port).await?;
    expect_eq(".host", engine.get(sock, Property::Host).await?, Value::Str(echo.host.clone()))?;
    expect_eq(".port", engine.get(sock, Property::Port).await?, Value::Int(echo.port.into()))?;
    let local_host = engine.get(sock, Property::LocalHost).await?;
    expect(matches!(&local_host, Value::Str(ip) if ip.parse::<std::net::IpAddr>().is_ok()), || {
        format!(".local_host: expected an IP address, got {local_host:?}")
    })?;
    let local_port = engine.get(sock, Property::LocalPort).await?;
    expect(matches!(local_port, Value::Int(1..=65535)), || {
        format!(".local_port: expected 1..65535, got {local_port:?}")
    })?;
    expect_eq(".connected?", engine.get(sock, Property::Connected).await?, Value::Bool(true))?;
    expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Float(30.0))
}

async fn open_refused(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = ctx.engine_for_peers().await?;
    let raised = engine.raises(Request::tcp(&closed.host, closed.port), "ConnectionRefused").await?;
    let target = format!("{}:{}", closed.host, closed.port);
    expect(raised.message.contains(&target), || {
        format!("the message should name {target}: {:?}", raised.message)
    })
}

async fn recv_line_partial_then_eof(ctx: Ctx) -> CaseResult {
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
}
