//! What case bodies of several families share: connecting with the ok wait, scripted peers,
//! reading to the end, byte patterns, properties of a fresh socket, listening engines and
//! dialing peers, UDP requests, running two steps at once.

use std::future::{Future, poll_fn};
use std::net::IpAddr;
use std::pin::pin;
use std::task::Poll;

use crate::contract::{CallOpts, Handle, Property, Request, Value, Wait};
use crate::peers::{Peer, PeerAddr, Step};
use crate::script::{CaseResult, Ctx, Failure, Script, expect_eq, expect_mentions};
use crate::waits::Waits;

/// Loopback: where the engine's own sockets reach each other, in both worlds.
pub const LOOPBACK: &str = "127.0.0.1";

/// Connects to `peer` with `.new(timeout: ok)`, so that a broken case fails fast.
pub async fn connect(engine: &mut Script, peer: &PeerAddr, waits: Waits) -> Result<Handle, Failure> {
    engine.handle(Request::tcp_new(&peer.host, peer.port, Wait::Seconds(waits.ok()))).await
}

/// Starts `peer`, and an engine allowed to reach the peers with a socket connected to it (with
/// the ok wait): the engine, the socket and the peer's address.
pub async fn connected(ctx: &Ctx, peer: Peer) -> Result<(Script, Handle, PeerAddr), Failure> {
    let addr = ctx.peers.tcp(peer).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &addr, Waits::of(ctx)).await?;
    Ok((engine, sock, addr))
}

/// A peer that runs `steps`, then holds the connection until the client closes.
pub fn script(steps: Vec<Step>) -> Peer {
    Peer::Script(steps)
}

/// A step that writes `bytes` in one write.
pub fn send(bytes: &[u8]) -> Step {
    Step::Send(bytes.to_vec())
}

/// `recv` with these options.
pub fn recv_opts(handle: Handle, max_bytes: i64, opts: CallOpts) -> Request {
    Request::Recv { handle, max_bytes, opts }
}

/// Reads with `recv` until end of stream, failing if any return before it is empty; the end
/// must be reported again by the next recv (IO-EOF).
pub async fn recv_to_end(engine: &mut Script, sock: Handle, waits: Waits) -> Result<Vec<u8>, Failure> {
    let mut all = Vec::new();
    loop {
        let chunk = engine.bytes(recv_opts(sock, 65_536, waits.ok_opts())).await?;
        if chunk.is_empty() {
            break;
        }
        all.extend_from_slice(&chunk);
    }
    expect_eq(
        "recv after end of stream",
        engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
        Vec::new(),
    )?;
    Ok(all)
}

/// A pattern of `len` bytes that shows where a byte went missing.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Fails with the first differing offset unless `actual == expected`.
pub fn same_bytes(what: &str, actual: &[u8], expected: &[u8]) -> CaseResult {
    if actual == expected {
        return Ok(());
    }
    let at =
        actual.iter().zip(expected).position(|(a, b)| a != b).unwrap_or(actual.len().min(expected.len()));
    Err(Failure::new(format!(
        "{what}: {} bytes differing from the {} expected, first at offset {at}",
        actual.len(),
        expected.len()
    )))
}

/// The `.local_host` of a socket or listener, which must be an IP address.
pub async fn local_ip(engine: &mut Script, handle: Handle) -> Result<String, Failure> {
    match engine.get(handle, Property::LocalHost).await? {
        Value::Str(ip) if ip.parse::<IpAddr>().is_ok() => Ok(ip),
        other => Err(Failure::mismatch(".local_host", "an IP address", other)),
    }
}

/// The `.local_port` of a socket or listener, which must be a port in 1..65535.
pub async fn local_port(engine: &mut Script, handle: Handle) -> Result<u16, Failure> {
    let port = engine.int(Request::Get { handle, property: Property::LocalPort }).await?;
    u16::try_from(port)
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| Failure::mismatch(".local_port", "1..65535", port))
}

/// The properties of a socket just opened to `peer`: the host as named, its port, a local IP
/// and port, connected, and the default 30 s timeout (shared by tcp and ssl: SSL-SURFACE).
pub async fn expect_fresh_properties(engine: &mut Script, sock: Handle, peer: &PeerAddr) -> CaseResult {
    expect_eq(".host", engine.get(sock, Property::Host).await?, Value::Str(peer.host.clone()))?;
    expect_eq(".port", engine.get(sock, Property::Port).await?, Value::Int(peer.port.into()))?;
    local_ip(engine, sock).await?;
    local_port(engine, sock).await?;
    expect_eq(".connected?", engine.get(sock, Property::Connected).await?, Value::Bool(true))?;
    expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Float(30.0))
}

/// A tcp listener of `engine` on the bind host and an ephemeral port: its handle and port.
pub async fn listen_ephemeral(ctx: &Ctx, engine: &mut Script) -> Result<(Handle, u16), Failure> {
    let listener = engine.handle(Request::tcp_listen(ctx.bind_host(), 0)).await?;
    let port = local_port(engine, listener).await?;
    Ok((listener, port))
}

/// An engine started with `--allow-listen=allow_listen` and nothing else, listening on the bind
/// host and an ephemeral port: the engine, its listener and the port.
pub async fn listening(ctx: &Ctx, allow_listen: &str) -> Result<(Script, Handle, u16), Failure> {
    let mut engine = ctx.engine(None, Some(allow_listen)).await?;
    let (listener, port) = listen_ephemeral(ctx, &mut engine).await?;
    Ok((engine, listener, port))
}

/// Where the peers reach the engine's listener on `port`.
pub fn dial_addr(ctx: &Ctx, port: u16) -> PeerAddr {
    PeerAddr { host: ctx.peers.engine_host().to_string(), port }
}

/// What a dialing peer read, which must have succeeded.
pub fn dialed(outcome: Result<Vec<u8>, String>) -> Result<Vec<u8>, Failure> {
    outcome.map_err(|e| Failure::new(format!("the dialing peer failed: {e}")))
}

/// `host:port` as a grant entry spells it: an IPv6 host bracketed.
pub fn target(host: &str, port: impl std::fmt::Display) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `request` must raise PermissionDenied whose message names every one of `parts`: the target
/// and the flag that would grant it (PERM-ERROR).
pub async fn denied_naming(engine: &mut Script, request: Request, parts: &[&str]) -> CaseResult {
    let raised = engine.raises(request, "PermissionDenied").await?;
    expect_mentions(&raised, parts)
}

/// A port next to `port`: above it, unless it is the last one.
pub fn next_port(port: u16) -> u16 {
    if port < u16::MAX { port + 1 } else { port - 1 }
}

/// `%net.udp`: a udp socket without a default peer.
pub fn udp() -> Request {
    Request::Udp { host: None, port: None }
}

/// `%net.udp(host, port)`: a udp socket with a default peer.
pub fn udp_peer(host: &str, port: impl Into<i64>) -> Request {
    Request::Udp { host: Some(host.into()), port: Some(port.into()) }
}

/// `%net.udp_listen(host, port)`.
pub fn udp_listen(host: &str, port: impl Into<i64>) -> Request {
    Request::UdpListen { host: host.into(), port: port.into() }
}

/// `send_to(bytes, host, port)`.
pub fn send_to(handle: Handle, bytes: &[u8], host: &str, port: impl Into<i64>) -> Request {
    Request::SendTo { handle, bytes: bytes.to_vec(), host: host.into(), port: port.into() }
}

/// `recv_from(max_bytes, opts)`.
pub fn recv_from(handle: Handle, max_bytes: i64, opts: CallOpts) -> Request {
    Request::RecvFrom { handle, max_bytes, opts }
}

/// The `[bytes, host, port]` a recv_from returns.
pub async fn datagram(engine: &mut Script, request: Request) -> Result<(Vec<u8>, String, i64), Failure> {
    match engine.ok(request).await? {
        Value::Datagram { bytes, host, port } => Ok((bytes, host, port)),
        other => Err(Failure::mismatch("recv_from's value", "[bytes, host, port]", other)),
    }
}

/// Call options with `timeout: nil`: wait forever.
pub const FOREVER: CallOpts = CallOpts { timeout: Some(Wait::Forever), max_length: None };

/// Runs `first` and `second` concurrently; returns early (without `second`'s outcome) when
/// `first` fails, else both outcomes once both are done.
pub async fn join_unless_failed<T, U>(
    first: impl Future<Output = Result<T, Failure>>,
    second: impl Future<Output = U>,
) -> Result<(T, U), Failure> {
    let mut first = pin!(first);
    let mut second = pin!(second);
    let mut first_done = None;
    let mut second_done = None;
    poll_fn(|cx| {
        if first_done.is_none()
            && let Poll::Ready(outcome) = first.as_mut().poll(cx)
        {
            match outcome {
                Ok(value) => first_done = Some(value),
                Err(failure) => return Poll::Ready(Err(failure)),
            }
        }
        if second_done.is_none()
            && let Poll::Ready(outcome) = second.as_mut().poll(cx)
        {
            second_done = Some(outcome);
        }
        match (first_done.take(), second_done.take()) {
            (Some(a), Some(b)) => Poll::Ready(Ok((a, b))),
            (a, b) => {
                first_done = a;
                second_done = b;
                Poll::Pending
            }
        }
    })
    .await
}

/// Measures the world's time: virtual in the simulated world, real in the real one.
pub struct Stopwatch {
    virtual_start: Option<std::time::Duration>,
    real_start: std::time::Instant,
}

impl Stopwatch {
    pub fn start(ctx: &Ctx) -> Self {
        Self { virtual_start: ctx.peers.virtual_time(), real_start: std::time::Instant::now() }
    }

    /// Seconds since [`Stopwatch::start`].
    pub fn seconds(&self, ctx: &Ctx) -> f64 {
        match (self.virtual_start, ctx.peers.virtual_time()) {
            (Some(start), Some(now)) => now.saturating_sub(start).as_secs_f64(),
            _ => self.real_start.elapsed().as_secs_f64(),
        }
    }
}
