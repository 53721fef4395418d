//! UDP-* and IO-UDP-*.

use crate::case;
use crate::catalog::{Case, Worlds};
use crate::contract::{CallOpts, Feature, Handle, Property, Request, Value};
use crate::script::{
    CaseResult, Ctx, Failure, Script, expect, expect_bytes, expect_eq, expect_mentions, show,
};

const UDP: &[Feature] = &[Feature::Udp];

/// The largest UDP payload over IPv4 (D7).
const MAX_DATAGRAM: usize = 65_507;

/// Where engine sockets reach each other: loopback, in both worlds.
const LOOPBACK: &str = "127.0.0.1";

pub const CASES: &[Case] = &[
    case!(
        "udp.send_to.unknown_host",
        ["UDP-SEND-TO", "TCP-OPEN-DNS"],
        Must,
        UDP,
        Worlds::Both,
        "send_to a granted name under .invalid raises HostNotFound naming the target; the socket stays usable",
        send_to_unknown_host
    ),
    case!(
        "udp.open.send_to_recv_from",
        ["UDP-OPEN", "UDP-SEND-TO", "UDP-RECV-FROM"],
        Must,
        UDP,
        Worlds::Both,
        "%net.udp sends \"hello\" to an echo peer (send_to returns 5); recv_from returns [\"hello\", the echo's IP, the echo's port]",
        open_send_to_recv_from
    ),
    case!(
        "udp.open.send_without_peer",
        ["UDP-OPEN", "UDP-SEND"],
        Should,
        UDP,
        Worlds::Both,
        "D7: send on %net.udp (no default peer) raises ArgumentError naming peer",
        open_send_without_peer
    ),
    case!(
        "udp.open.properties",
        ["UDP-OPEN", "IO-TIMEOUT-DEFAULT"],
        Should,
        UDP,
        Worlds::Both,
        "D8: a new udp socket has .timeout 30.0, .local_host an IP and .local_port 1..65535 (an ephemeral port)",
        open_properties
    ),
    case!(
        "udp.open_peer.send_recv",
        ["UDP-OPEN-PEER", "UDP-SEND", "UDP-RECV", "UDP-RECV-FROM"],
        Must,
        UDP,
        Worlds::Both,
        "%net.udp(host, port): send(\"ping\") returns 4 and recv returns \"ping\"; recv_from returns [bytes, the peer's IP, the peer's port]",
        open_peer_send_recv
    ),
    case!(
        "udp.listen.echo",
        ["UDP-LISTEN", "UDP-SEND-TO", "UDP-RECV"],
        Must,
        UDP,
        Worlds::Both,
        "udp_listen(host, 0) with --allow-listen=0 returns a socket that sends to an echo peer and receives its reply",
        listen_echo
    ),
    case!(
        "udp.listen.receives_on_its_port",
        ["UDP-LISTEN", "UDP-RECV-FROM", "UDP-SEND-TO"],
        Should,
        UDP,
        Worlds::Both,
        "D8: udp_listen(host, 0) reports its real .local_port; a datagram another socket sends to 127.0.0.1:that port arrives via recv_from as [bytes, \"127.0.0.1\", the sender's .local_port]",
        listen_receives_on_its_port
    ),
    case!(
        "udp.send.returns_count",
        ["UDP-SEND", "UDP-SEND-TO"],
        Must,
        UDP,
        Worlds::Both,
        "send returns the bytes sent: 1 for one byte, 1000 for 1000 bytes; send_to likewise returns 3 for \"abc\"",
        send_returns_count
    ),
    case!(
        "udp.send_to.largest_datagram",
        ["UDP-SEND-TO", "UDP-DATAGRAM"],
        Must,
        UDP,
        Worlds::Both,
        "a 65,507-byte datagram (the IPv4 maximum) is sent whole (send_to returns 65507) and comes back whole",
        send_to_largest_datagram
    ),
    case!(
        "udp.send_to.oversized",
        ["UDP-SEND-TO"],
        Should,
        UDP,
        Worlds::Both,
        "D7: send_to of 65,508 bytes raises ArgumentError naming bytes; nothing is sent",
        send_to_oversized
    ),
    case!(
        "udp.args.bad_port",
        ["UDP-SEND-TO", "UDP-OPEN-PEER", "UDP-LISTEN"],
        Must,
        UDP,
        Worlds::Both,
        "ports out of range raise ArgumentError naming port: send_to 0, -1, 65536; udp(host, 0) and udp(host, 65536); udp_listen(host, -1) and (host, 65536)",
        args_bad_port
    ),
    case!(
        "udp.recv.bad_max_bytes",
        ["UDP-RECV", "UDP-RECV-FROM"],
        Must,
        UDP,
        Worlds::Both,
        "recv(0), recv(-1) and recv_from(0) raise ArgumentError naming max_bytes",
        recv_bad_max_bytes
    ),
    case!(
        "udp.recv.timeout",
        ["UDP-RECV", "UDP-RECV-FROM", "IO-TIMEOUT-DEFAULT"],
        Must,
        UDP,
        Worlds::Both,
        "recv(timeout: 0.3) and recv_from(timeout: 0.3) with nothing arriving raise Timeout; the socket then still receives",
        recv_times_out
    ),
    case!(
        "udp.close.idempotent_then_closed",
        ["UDP-CLOSE", "IO-CLOSE-IDEMPOTENT"],
        Must,
        UDP,
        Worlds::Both,
        "close returns nil twice; send_to, recv and recv_from afterwards raise Closed; on a socket with a default peer, send and recv raise Closed",
        close_idempotent_then_closed
    ),
    case!(
        "udp.datagram.boundaries",
        ["UDP-DATAGRAM", "UDP-RECV"],
        Must,
        UDP,
        Worlds::Both,
        "two datagrams \"one\" and \"three!\" sent back to back come back as two recvs of exactly those bytes, never merged or split",
        datagram_boundaries
    ),
    case!(
        "udp.datagram.empty",
        ["UDP-DATAGRAM", "UDP-SEND-TO", "UDP-RECV-FROM"],
        Must,
        UDP,
        Worlds::Both,
        "an empty datagram is a datagram: send_to(\"\") returns 0, recv_from returns [\"\", host, port], and the socket goes on (\"after\" arrives next)",
        datagram_empty
    ),
    case!(
        "udp.datagram.truncate",
        ["IO-UDP-TRUNCATE", "UDP-RECV", "UDP-RECV-FROM"],
        Must,
        UDP,
        Worlds::Both,
        "a 100-byte datagram read with recv(10) gives its first 10 bytes and the other 90 are discarded: the next recv(timeout: 0.3) raises Timeout",
        datagram_truncate
    ),
    case!(
        "udp.peer_filter",
        ["IO-UDP-PEER-FILTER", "UDP-OPEN-PEER"],
        Must,
        UDP,
        Worlds::Both,
        "a socket with a default peer ignores a datagram another socket sends it first and returns the peer's; nothing else is then received (Timeout)",
        peer_filter
    ),
    case!(
        "udp.perm.send_to_denied",
        ["UDP-PERM-SEND", "PERM-ERROR", "PERM-BEFORE-IO"],
        Must,
        UDP,
        Worlds::Both,
        "send_to an echo peer not granted (only another port is) raises PermissionDenied naming host:port and --allow-net; no packet leaves (no echo: recv times out)",
        perm_send_to_denied
    ),
    case!(
        "udp.perm.listen_denied",
        ["UDP-PERM-LISTEN", "PERM-DEFAULT-DENY", "PERM-SEPARATE", "PERM-ERROR"],
        Must,
        UDP,
        Worlds::Both,
        "udp_listen(host, 5353) raises PermissionDenied naming host:5353 and --allow-listen without the flag, with --allow-listen=5354 and with a bare --allow-net",
        perm_listen_denied
    ),
    case!(
        "udp.perm.peer_denied_at_construction",
        ["PERM-UDP-PEER", "UDP-PERM-SEND", "PERM-ERROR"],
        Must,
        UDP,
        Worlds::Both,
        "%net.udp(host, port) for a target not granted raises PermissionDenied at construction, naming host:port and --allow-net",
        perm_peer_denied_at_construction
    ),
    case!(
        "udp.perm.peer_invalid_name",
        ["PERM-UDP-PEER", "PERM-BEFORE-IO"],
        Must,
        UDP,
        Worlds::Both,
        "%net.udp(\"denied.invalid\", 53), not granted, raises PermissionDenied (not HostNotFound): checked before any resolution",
        perm_peer_invalid_name
    ),
    case!(
        "udp.perm.peer_socket_send_to_denied",
        ["PERM-UDP-PEER", "UDP-PERM-SEND"],
        Must,
        UDP,
        Worlds::Both,
        "a socket made with a granted default peer still checks send_to: a target not granted raises PermissionDenied naming it",
        perm_peer_socket_send_to_denied
    ),
];

fn udp() -> Request {
    Request::Udp { host: None, port: None }
}

fn udp_peer(host: &str, port: impl Into<i64>) -> Request {
    Request::Udp { host: Some(host.into()), port: Some(port.into()) }
}

fn send_to(handle: Handle, bytes: &[u8], host: &str, port: impl Into<i64>) -> Request {
    Request::SendTo { handle, bytes: bytes.to_vec(), host: host.into(), port: port.into() }
}

fn recv_timeout(handle: Handle, max_bytes: i64, seconds: f64) -> Request {
    Request::Recv { handle, max_bytes, opts: CallOpts::timeout(seconds) }
}

fn recv_from(handle: Handle, max_bytes: i64, opts: CallOpts) -> Request {
    Request::RecvFrom { handle, max_bytes, opts }
}

async fn engine_for_peers_and_loopback(ctx: &Ctx, allow_listen: Option<&str>) -> Result<Script, Failure> {
    let host = ctx.peers.host();
    let net = if host == LOOPBACK { LOOPBACK.to_string() } else { format!("{host},{LOOPBACK}") };
    ctx.engine(Some(&net), allow_listen).await
}

/// `[bytes, host, port]` of a recv_from.
async fn datagram(engine: &mut Script, request: Request) -> Result<(Vec<u8>, String, i64), Failure> {
    match engine.ok(request).await? {
        Value::Datagram { bytes, host, port } => Ok((bytes, host, port)),
        other => Err(Failure::mismatch("recv_from's value", "[bytes, host, port]", format!("{other:?}"))),
    }
}

/// Fails unless `host` is the IP the echo peer answers from: 127.0.0.1 in real, the simulated
/// server's own (non-loopback) address in sim.
fn expect_peer_ip(ctx: &Ctx, what: &str, host: &str) -> CaseResult {
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) if ctx.peers.is_simulated() => expect(!ip.is_loopback() && !ip.is_unspecified(), || {
            format!("{what}: expected the peer host's IP, got {host}")
        }),
        Ok(_) => expect_eq(what, host, LOOPBACK),
        Err(_) => Err(Failure::mismatch(what, "an IP address", format!("{host:?}"))),
    }
}

/// A local port as an integer in 1..65535.
async fn local_port(engine: &mut Script, handle: Handle) -> Result<i64, Failure> {
    let port = engine.int(Request::Get { handle, property: Property::LocalPort }).await?;
    expect((1..=65535).contains(&port), || format!(".local_port: expected 1..65535, got {port}"))?;
    Ok(port)
}

async fn open_send_to_recv_from(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    expect_eq("send_to's count", engine.int(send_to(sock, b"hello", &echo.host, echo.port)).await?, 5)?;
    let (bytes, host, port) = datagram(&mut engine, recv_from(sock, 100, CallOpts::default())).await?;
    expect_bytes("recv_from's bytes", bytes, b"hello")?;
    expect_peer_ip(&ctx, "recv_from's host", &host)?;
    expect_eq("recv_from's port", port, i64::from(echo.port))?;
    engine.close(sock).await
}

async fn open_send_without_peer(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    let raised = engine.raises(Request::send(sock, b"x"), "ArgumentError").await?;
    expect_mentions(&raised, &["peer"])?;
    engine.close(sock).await
}

async fn open_properties(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Float(30.0))?;
    let local_host = engine.get(sock, Property::LocalHost).await?;
    expect(matches!(&local_host, Value::Str(ip) if ip.parse::<std::net::IpAddr>().is_ok()), || {
        format!(".local_host: expected an IP address, got {local_host:?}")
    })?;
    local_port(&mut engine, sock).await?;
    engine.close(sock).await
}

async fn open_peer_send_recv(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp_peer(&echo.host, echo.port)).await?;
    expect_eq("send's count", engine.int(Request::send(sock, b"ping")).await?, 4)?;
    expect_bytes("recv", engine.bytes(Request::recv(sock, 100)).await?, b"ping")?;
    expect_eq("send's count", engine.int(Request::send(sock, b"who")).await?, 3)?;
    let (bytes, host, port) = datagram(&mut engine, recv_from(sock, 100, CallOpts::default())).await?;
    expect_bytes("recv_from's bytes", bytes, b"who")?;
    expect_peer_ip(&ctx, "recv_from's host", &host)?;
    expect_eq("recv_from's port", port, i64::from(echo.port))?;
    engine.close(sock).await
}

async fn listen_echo(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine(Some(ctx.peers.host()), Some("0")).await?;
    let sock = engine.handle(Request::UdpListen { host: ctx.bind_host().into(), port: 0 }).await?;
    expect_eq("send_to's count", engine.int(send_to(sock, b"listening", &echo.host, echo.port)).await?, 9)?;
    expect_bytes("recv", engine.bytes(Request::recv(sock, 100)).await?, b"listening")?;
    engine.close(sock).await
}

async fn listen_receives_on_its_port(ctx: Ctx) -> CaseResult {
    let mut engine = engine_for_peers_and_loopback(&ctx, Some("0")).await?;
    let listening = engine.handle(Request::UdpListen { host: ctx.bind_host().into(), port: 0 }).await?;
    let port = local_port(&mut engine, listening).await?;
    let sender = engine.handle(udp()).await?;
    let sender_port = local_port(&mut engine, sender).await?;
    expect_eq("send_to's count", engine.int(send_to(sender, b"to you", LOOPBACK, port)).await?, 6)?;
    let (bytes, host, from_port) =
        datagram(&mut engine, recv_from(listening, 100, CallOpts::timeout(5.0))).await?;
    expect_bytes("recv_from's bytes", bytes, b"to you")?;
    expect_eq("recv_from's host", host.as_str(), LOOPBACK)?;
    expect_eq("recv_from's port (the sender's .local_port)", from_port, sender_port)?;
    engine.close(sender).await?;
    engine.close(listening).await
}

async fn send_returns_count(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp_peer(&echo.host, echo.port)).await?;
    expect_eq("send's count for one byte", engine.int(Request::send(sock, b"x")).await?, 1)?;
    expect_bytes("recv of one byte", engine.bytes(Request::recv(sock, 100)).await?, b"x")?;
    let big = vec![b'b'; 1000];
    expect_eq("send's count for 1000 bytes", engine.int(Request::send(sock, &big)).await?, 1000)?;
    expect_bytes("recv of 1000 bytes", engine.bytes(Request::recv(sock, 2000)).await?, &big)?;
    expect_eq("send_to's count", engine.int(send_to(sock, b"abc", &echo.host, echo.port)).await?, 3)?;
    expect_bytes("recv after send_to", engine.bytes(Request::recv(sock, 100)).await?, b"abc")?;
    engine.close(sock).await
}

async fn send_to_largest_datagram(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    let payload: Vec<u8> = (0..MAX_DATAGRAM).map(|i| (i % 251) as u8).collect();
    let count = engine.int(send_to(sock, &payload, &echo.host, echo.port)).await?;
    expect_eq("send_to's count", count, MAX_DATAGRAM as i64)?;
    let back = engine.bytes(Request::recv(sock, 70_000)).await?;
    expect(back == payload, || {
        format!("the echoed datagram: expected the {MAX_DATAGRAM} bytes sent, got {}", back.len())
    })?;
    engine.close(sock).await
}

async fn send_to_oversized(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    let raised = engine
        .raises(send_to(sock, &vec![b'o'; MAX_DATAGRAM + 1], &echo.host, echo.port), "ArgumentError")
        .await?;
    expect_mentions(&raised, &["bytes"])?;
    engine.raises(recv_timeout(sock, 70_000, 0.3), "Timeout").await?;
    engine.close(sock).await
}

async fn args_bad_port(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine(Some(""), Some("")).await?;
    let sock = engine.handle(udp()).await?;
    for port in [0, -1, 65536] {
        let raised = engine.raises(send_to(sock, b"x", &echo.host, port), "ArgumentError").await?;
        expect_mentions(&raised, &["port"])?;
    }
    for port in [0, 65536] {
        let raised = engine.raises(udp_peer(&echo.host, port), "ArgumentError").await?;
        expect_mentions(&raised, &["port"])?;
    }
    for port in [-1, 65536] {
        let raised =
            engine.raises(Request::UdpListen { host: ctx.bind_host().into(), port }, "ArgumentError").await?;
        expect_mentions(&raised, &["port"])?;
    }
    engine.close(sock).await
}

async fn recv_bad_max_bytes(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    for request in [Request::recv(sock, 0), Request::recv(sock, -1), recv_from(sock, 0, CallOpts::default())]
    {
        let raised = engine.raises(request, "ArgumentError").await?;
        expect_mentions(&raised, &["max_bytes"])?;
    }
    engine.close(sock).await
}

async fn recv_times_out(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    engine.raises(recv_timeout(sock, 100, 0.3), "Timeout").await?;
    engine.raises(recv_from(sock, 100, CallOpts::timeout(0.3)), "Timeout").await?;
    engine.int(send_to(sock, b"late", &echo.host, echo.port)).await?;
    expect_bytes("recv after the timeouts", engine.bytes(recv_timeout(sock, 100, 5.0)).await?, b"late")?;
    engine.close(sock).await
}

async fn close_idempotent_then_closed(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    engine.close(sock).await?;
    engine.close(sock).await?;
    engine.raises(send_to(sock, b"x", &echo.host, echo.port), "Closed").await?;
    engine.raises(recv_timeout(sock, 100, 0.3), "Closed").await?;
    engine.raises(recv_from(sock, 100, CallOpts::timeout(0.3)), "Closed").await?;
    let peered = engine.handle(udp_peer(&echo.host, echo.port)).await?;
    engine.close(peered).await?;
    engine.raises(Request::send(peered, b"x"), "Closed").await?;
    engine.raises(recv_timeout(peered, 100, 0.3), "Closed").await?;
    engine.close(peered).await
}

async fn datagram_boundaries(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    engine.int(send_to(sock, b"one", &echo.host, echo.port)).await?;
    engine.int(send_to(sock, b"three!", &echo.host, echo.port)).await?;
    // A datagram network may reorder: compare the two as a set.
    let mut got = vec![
        engine.bytes(recv_timeout(sock, 100, 5.0)).await?,
        engine.bytes(recv_timeout(sock, 100, 5.0)).await?,
    ];
    got.sort();
    expect(got == [b"one".to_vec(), b"three!".to_vec()], || {
        format!(
            "the two datagrams: expected \"one\" and \"three!\", got {} and {}",
            show(&got[0]),
            show(&got[1])
        )
    })?;
    engine.raises(recv_timeout(sock, 100, 0.3), "Timeout").await?;
    engine.close(sock).await
}

async fn datagram_empty(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    expect_eq("send_to's count for \"\"", engine.int(send_to(sock, b"", &echo.host, echo.port)).await?, 0)?;
    let (bytes, host, port) = datagram(&mut engine, recv_from(sock, 100, CallOpts::timeout(5.0))).await?;
    expect_bytes("the empty datagram's bytes", bytes, b"")?;
    expect_peer_ip(&ctx, "the empty datagram's host", &host)?;
    expect_eq("the empty datagram's port", port, i64::from(echo.port))?;
    engine.int(send_to(sock, b"after", &echo.host, echo.port)).await?;
    expect_bytes("the next datagram", engine.bytes(recv_timeout(sock, 100, 5.0)).await?, b"after")?;
    engine.close(sock).await
}

async fn datagram_truncate(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(udp()).await?;
    let payload: Vec<u8> = (0..100u8).collect();
    expect_eq("send_to's count", engine.int(send_to(sock, &payload, &echo.host, echo.port)).await?, 100)?;
    expect_bytes("recv(10)", engine.bytes(recv_timeout(sock, 10, 5.0)).await?, &payload[..10])?;
    engine.raises(recv_timeout(sock, 100, 0.3), "Timeout").await?;
    // recv_from truncates the same way.
    engine.int(send_to(sock, &payload, &echo.host, echo.port)).await?;
    let (bytes, _, port) = datagram(&mut engine, recv_from(sock, 5, CallOpts::timeout(5.0))).await?;
    expect_bytes("recv_from(5)'s bytes", bytes, &payload[..5])?;
    expect_eq("recv_from(5)'s port", port, i64::from(echo.port))?;
    engine.raises(recv_from(sock, 100, CallOpts::timeout(0.3)), "Timeout").await?;
    engine.close(sock).await
}

async fn peer_filter(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let mut engine = engine_for_peers_and_loopback(&ctx, None).await?;
    let filtered = engine.handle(udp_peer(&echo.host, echo.port)).await?;
    let port = local_port(&mut engine, filtered).await?;
    let intruder = engine.handle(udp()).await?;
    engine.int(send_to(intruder, b"intruder", LOOPBACK, port)).await?;
    engine.int(Request::send(filtered, b"from the peer")).await?;
    expect_bytes("recv", engine.bytes(recv_timeout(filtered, 100, 5.0)).await?, b"from the peer")?;
    engine.raises(recv_timeout(filtered, 100, 0.3), "Timeout").await?;
    engine.close(intruder).await?;
    engine.close(filtered).await
}

async fn perm_send_to_denied(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let other_port = if echo.port == 65535 { 1 } else { echo.port + 1 };
    let mut engine = ctx.engine(Some(&format!("{}:{other_port}", echo.host)), None).await?;
    let sock = engine.handle(udp()).await?;
    let raised = engine.raises(send_to(sock, b"x", &echo.host, echo.port), "PermissionDenied").await?;
    expect_mentions(&raised, &[&format!("{}:{}", echo.host, echo.port), "--allow-net"])?;
    // Had the datagram left, the echo would answer it.
    engine.raises(recv_timeout(sock, 100, 0.3), "Timeout").await?;
    engine.close(sock).await
}

async fn perm_listen_denied(ctx: Ctx) -> CaseResult {
    let host = ctx.bind_host();
    for (net, listen) in [(None, None), (None, Some("5354")), (Some(""), None)] {
        let mut engine = ctx.engine(net, listen).await?;
        let raised =
            engine.raises(Request::UdpListen { host: host.into(), port: 5353 }, "PermissionDenied").await?;
        expect_mentions(&raised, &[&format!("{host}:5353"), "--allow-listen"])
            .map_err(|f| Failure::new(format!("with --allow-net={net:?} --allow-listen={listen:?}: {f}")))?;
    }
    Ok(())
}

async fn perm_peer_denied_at_construction(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let other_port = if echo.port == 65535 { 1 } else { echo.port + 1 };
    for grant in [None, Some(format!("{}:{other_port}", echo.host))] {
        let mut engine = ctx.engine(grant.as_deref(), None).await?;
        let raised = engine.raises(udp_peer(&echo.host, echo.port), "PermissionDenied").await?;
        expect_mentions(&raised, &[&format!("{}:{}", echo.host, echo.port), "--allow-net"])?;
    }
    Ok(())
}

async fn perm_peer_invalid_name(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine_for_peers().await?;
    let raised = engine.raises(udp_peer("denied.invalid", 53), "PermissionDenied").await?;
    expect_mentions(&raised, &["denied.invalid:53"])
}

async fn perm_peer_socket_send_to_denied(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let other_port = if echo.port == 65535 { 1 } else { echo.port + 1 };
    let mut engine = ctx.engine(Some(&format!("{}:{}", echo.host, echo.port)), None).await?;
    let sock = engine.handle(udp_peer(&echo.host, echo.port)).await?;
    let raised = engine.raises(send_to(sock, b"x", &echo.host, other_port), "PermissionDenied").await?;
    expect_mentions(&raised, &[&format!("{}:{other_port}", echo.host), "--allow-net"])?;
    // The granted peer still works.
    expect_eq("send's count", engine.int(Request::send(sock, b"ok")).await?, 2)?;
    expect_bytes("recv", engine.bytes(recv_timeout(sock, 100, 5.0)).await?, b"ok")?;
    engine.close(sock).await
}

async fn send_to_unknown_host(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.udp_echo().await;
    let grant = format!("{},nowhere.invalid", ctx.peers.host());
    let mut engine = ctx.engine(Some(&grant), None).await?;
    let sock = engine.handle(udp()).await?;
    let raised = engine.raises(send_to(sock, b"lost", "nowhere.invalid", 53), "HostNotFound").await?;
    expect_mentions(&raised, &["nowhere.invalid:53"])?;
    let sent = engine.int(send_to(sock, b"still here", &echo.host, echo.port)).await?;
    expect_eq("send_to after the failed one", sent, 10)?;
    let (bytes, _, _) = datagram(&mut engine, recv_from(sock, 100, CallOpts::timeout(5.0))).await?;
    expect_bytes("the echoed datagram", bytes, b"still here")
}
