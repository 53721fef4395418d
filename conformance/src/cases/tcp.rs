//! TCP-*: the tcp socket.

use std::fmt::Display;
use std::time::Duration;

use crate::case;
use crate::catalog::{Case, Worlds};
use crate::contract::{CallOpts, Feature, Handle, Property, Raised, Request, Value, Wait};
use crate::peers::{Peer, PeerAddr, Step};
use crate::script::{CaseResult, Ctx, Failure, Script, expect, expect_eq, expect_mentions, show};

const TCP: &[Feature] = &[Feature::Tcp];
const TCP_LISTEN: &[Feature] = &[Feature::Tcp, Feature::Listen];

pub const CASES: &[Case] = &[
    case!(
        "tcp.starttls.after_shutdown_send",
        ["TCP-STARTTLS", "TCP-SHUTDOWN"],
        Should,
        &[Feature::Tcp, Feature::Tls],
        Worlds::Both,
        "starttls after shutdown(:send) raises Closed and does not upgrade: the tcp socket still reads (D15)",
        starttls_after_shutdown_send
    ),
    // Opening.
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
        "tcp.open.host_as_named",
        ["TCP-PROP-HOST", "TCP-PROP-LOCAL-HOST"],
        Should,
        TCP,
        Worlds::RealOnly("in the simulated world localhost is the engine's own host, where no peer runs"),
        "tcp('localhost', port) reports .host \"localhost\" (the name as given, D2) and .local_host an IP address",
        open_host_as_named
    ),
    case!(
        "tcp.open_new.timeout",
        ["TCP-OPEN-NEW", "TCP-PROP-TIMEOUT", "TCP-PROP-HOST", "TCP-PROP-PORT"],
        Must,
        TCP,
        Worlds::Both,
        ".new(host:, port:, timeout: 5.0) connects with .timeout 5.0, .host and .port as given; timeout: 30 gives 30",
        open_new_timeout
    ),
    case!(
        "tcp.open_new.timeout_nil",
        ["TCP-OPEN-NEW", "TCP-PROP-TIMEOUT", "IO-TIMEOUT-DEFAULT"],
        Must,
        TCP,
        Worlds::Both,
        ".new(host:, port:, timeout: nil) connects and the socket's .timeout is nil; an echo round trip works",
        open_new_timeout_nil
    ),
    case!(
        "tcp.open_new.negative_timeout",
        ["TCP-OPEN-NEW", "IO-TIMEOUT-DEFAULT"],
        Must,
        TCP,
        Worlds::Both,
        ".new with timeout -1 or -0.001 raises ArgumentError naming timeout instead of connecting",
        open_new_negative_timeout
    ),
    case!(
        "tcp.open.denied_without_flag",
        ["TCP-OPEN-DENIED", "PERM-DEFAULT-DENY"],
        Must,
        TCP,
        Worlds::Both,
        "without --allow-net, tcp and .new to a live echo peer raise PermissionDenied naming host:port",
        open_denied_without_flag
    ),
    case!(
        "tcp.open.denied_other_port",
        ["TCP-OPEN-DENIED"],
        Must,
        TCP,
        Worlds::Both,
        "--allow-net=host:other_port does not grant host:port: tcp raises PermissionDenied naming host:port",
        open_denied_other_port
    ),
    case!(
        "tcp.open.denied_before_dns",
        ["TCP-OPEN-DENIED", "PERM-BEFORE-IO"],
        Must,
        TCP,
        Worlds::Both,
        "a denied name under .invalid raises PermissionDenied naming it (not HostNotFound): no lookup came first",
        open_denied_before_dns
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
        "tcp.open.dns_invalid",
        ["TCP-OPEN-DNS"],
        Must,
        TCP,
        Worlds::Both,
        "an allowed name under .invalid raises HostNotFound naming host:port, with tcp and with .new",
        open_dns_invalid
    ),
    case!(
        "tcp.open.dns_unregistered",
        ["TCP-OPEN-DNS"],
        Must,
        TCP,
        Worlds::SimOnly("only the simulated world has a resolver whose names the suite controls"),
        "an allowed name that no simulated host registered raises HostNotFound naming host:port",
        open_dns_unregistered
    ),
    case!(
        "tcp.open.connect_timeout",
        ["TCP-OPEN-TIMEOUT", "TCP-OPEN-NEW"],
        Must,
        TCP,
        Worlds::Both,
        ".new(timeout: 0.5 s; 10 s in sim) to a host that never answers raises Timeout naming host:port",
        open_connect_timeout
    ),
    case!(
        "tcp.open.connect_timeout_default",
        ["TCP-OPEN-TIMEOUT", "IO-TIMEOUT-DEFAULT"],
        Must,
        TCP,
        Worlds::SimOnly("waits out the 30 s default, which costs nothing in virtual time only"),
        "%net.tcp to a host that never answers raises Timeout naming host:port (the 30 s default bounds the connect)",
        open_connect_timeout_default
    ),
    case!(
        "tcp.open.bad_port",
        ["TCP-OPEN", "TCP-OPEN-NEW"],
        Must,
        TCP,
        Worlds::Both,
        "port 0, 65536 and -1 raise ArgumentError naming port and the host:port given, with tcp and with .new",
        open_bad_port
    ),
    case!(
        "tcp.open.bad_host",
        ["TCP-OPEN"],
        Should,
        TCP,
        Worlds::Both,
        "an empty host, a host holding a NUL or a trailing space raise ArgumentError naming host (D13), even under a bare --allow-net",
        open_bad_host
    ),
    // Accepted sockets.
    case!(
        "tcp.accepted.full_socket",
        ["TCP-ACCEPTED", "TCP-PROP-LOCAL-PORT", "TCP-PROP-CONNECTED", "IO-TIMEOUT-DEFAULT"],
        Must,
        TCP_LISTEN,
        Worlds::Both,
        "a socket accepted from a dialing peer has timeout 30, connected? true, the listener's local port, and does recv_line, recv_exact, send, send_all, shutdown and recv",
        accepted_full_socket
    ),
    case!(
        "tcp.accepted.properties",
        ["TCP-ACCEPTED", "TCP-PROP-HOST", "TCP-PROP-PORT", "TCP-PROP-LOCAL-HOST"],
        Should,
        TCP_LISTEN,
        Worlds::Both,
        "an accepted socket's .host is the dialer's IP (D2), .port the dialer's port, .local_host an IP",
        accepted_properties
    ),
    // Sending.
    case!(
        "tcp.send.count",
        ["TCP-SEND"],
        Must,
        TCP,
        Worlds::Both,
        "send returns a count in 1..=len; those bytes, then the rest by send_all, come back from an echo peer in order",
        send_count
    ),
    case!(
        "tcp.send.count_is_exact",
        ["TCP-SEND"],
        Must,
        TCP,
        Worlds::Both,
        "send of 256 KiB returns n in 1..=len and exactly the first n bytes reach the echo peer, no more",
        send_count_is_exact
    ),
    case!(
        "tcp.send.empty",
        ["TCP-SEND", "TCP-SEND-ALL"],
        Must,
        TCP,
        Worlds::Both,
        "send of the empty string returns 0 and send_all of it returns nil; the stream is unaffected",
        send_empty
    ),
    case!(
        "tcp.send_all.64k",
        ["TCP-SEND-ALL", "TCP-RECV-EXACT"],
        Must,
        TCP,
        Worlds::Both,
        "send_all of 64 KiB returns nil and recv_exact(65536) gets every byte back intact from an echo peer",
        send_all_64k
    ),
    case!(
        "tcp.send_all.after_reset",
        ["TCP-SEND-ALL"],
        Should,
        TCP,
        Worlds::Both,
        "after the peer reset the connection, send_all raises ConnectionReset naming host:port (broken pipe, D6)",
        send_all_after_reset
    ),
    // Receiving.
    case!(
        "tcp.recv.up_to_max_bytes",
        ["TCP-RECV"],
        Must,
        TCP,
        Worlds::Both,
        "recv(1) returns exactly 1 byte, recv(4) 1..=4 bytes, and recv(100) returns what arrived without waiting for 100",
        recv_up_to_max_bytes
    ),
    case!(
        "tcp.recv.bad_max_bytes",
        ["TCP-RECV"],
        Must,
        TCP,
        Worlds::Both,
        "recv(0) and recv(-1) raise ArgumentError naming max_bytes and consume nothing",
        recv_bad_max_bytes
    ),
    case!(
        "tcp.recv.connection_reset",
        ["TCP-RECV"],
        Must,
        TCP,
        Worlds::Both,
        "a peer that reads 1 of our 10 bytes and closes resets the connection: recv raises ConnectionReset naming host:port",
        recv_connection_reset
    ),
    case!(
        "tcp.recv_line.crlf",
        ["TCP-RECV-LINE"],
        Must,
        TCP,
        Worlds::Both,
        "recv_line returns \"HELO x\\r\\n\" with its \\r\\n, and an empty line as \"\\n\"",
        recv_line_crlf
    ),
    case!(
        "tcp.recv_line.dribble",
        ["TCP-RECV-LINE"],
        Must,
        TCP,
        Worlds::Both,
        "a line sent one byte at a time comes back whole from one recv_line, then the next line from the next",
        recv_line_dribble
    ),
    case!(
        "tcp.recv_line.two_lines_one_segment",
        ["TCP-RECV-LINE"],
        Must,
        TCP,
        Worlds::Both,
        "\"one\\ntwo\\n\" written at once comes back as \"one\\n\" then \"two\\n\", one line per recv_line",
        recv_line_two_lines_one_segment
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
    case!(
        "tcp.recv_exact.dribble",
        ["TCP-RECV-EXACT"],
        Must,
        TCP,
        Worlds::Both,
        "recv_exact(10) across a peer sending one byte at a time returns all 10 bytes at once",
        recv_exact_dribble
    ),
    case!(
        "tcp.recv_exact.across_segments",
        ["TCP-RECV-EXACT"],
        Must,
        TCP,
        Worlds::Both,
        "\"abc\", a pause, \"defgh\": recv_exact 2, 5, 1 return \"ab\", \"cdefg\" (across the pause), \"h\"",
        recv_exact_across_segments
    ),
    case!(
        "tcp.recv_exact.eof",
        ["TCP-RECV-EXACT"],
        Must,
        TCP,
        Worlds::Both,
        "recv_exact(5) when the peer sends \"abc\" and closes raises EndOfStream naming host:port",
        recv_exact_eof
    ),
    // Closing and shutdown.
    case!(
        "tcp.close.disconnects",
        ["TCP-CLOSE", "TCP-PROP-CONNECTED"],
        Must,
        TCP,
        Worlds::Both,
        "close returns nil and .connected? turns false",
        close_disconnects
    ),
    case!(
        "tcp.close.peer_reads_end",
        ["TCP-CLOSE", "TCP-ACCEPTED"],
        Must,
        TCP_LISTEN,
        Worlds::Both,
        "send_all then close on an accepted socket: the dialing peer reads the bytes, then end of stream",
        close_peer_reads_end
    ),
    case!(
        "tcp.shutdown.send",
        ["TCP-SHUTDOWN", "IO-SHUTDOWN-READ"],
        Must,
        TCP,
        Worlds::Both,
        "shutdown(:send) returns nil; the echo peer reads end of stream and closes, and we still read its echo, then \"\"",
        shutdown_send
    ),
    case!(
        "tcp.shutdown.recv",
        ["TCP-SHUTDOWN", "IO-SHUTDOWN-READ"],
        Must,
        TCP,
        Worlds::Both,
        "shutdown(:recv) returns nil; recv then returns \"\" (twice) though a received line is unread and more comes; send_all still works",
        shutdown_recv
    ),
    case!(
        "tcp.shutdown.both",
        ["TCP-SHUTDOWN", "IO-SHUTDOWN-READ"],
        Must,
        TCP,
        Worlds::Both,
        "shutdown(:both) returns nil, recv then returns \"\", and close still returns nil",
        shutdown_both
    ),
    case!(
        "tcp.shutdown.closed_halves",
        ["TCP-SHUTDOWN", "TCP-PROP-CONNECTED"],
        Should,
        TCP,
        Worlds::Both,
        "after shutdown(:send) or (:both) send and send_all raise Closed, shutdown again is nil, .connected? stays true (D3, D4)",
        shutdown_closed_halves
    ),
    case!(
        "tcp.shutdown.bad_direction",
        ["TCP-SHUTDOWN"],
        Must,
        TCP,
        Worlds::Both,
        "shutdown(:sideways), shutdown('') raise ArgumentError naming direction, and the socket still echoes",
        shutdown_bad_direction
    ),
    // Properties.
    case!(
        "tcp.prop.set_timeout",
        ["TCP-PROP-TIMEOUT", "IO-TIMEOUT-DEFAULT"],
        Must,
        TCP,
        Worlds::Both,
        "set .timeout 2.5 reads back 2.5, nil reads back nil; -1 raises ArgumentError naming timeout and changes nothing",
        prop_set_timeout
    ),
    case!(
        "tcp.prop.timeout_applies",
        ["TCP-PROP-TIMEOUT", "IO-TIMEOUT-DEFAULT"],
        Must,
        TCP,
        Worlds::Both,
        "a short .timeout makes a bare recv raise Timeout; a per-call timeout or nil overrides it and gets the late line",
        prop_timeout_applies
    ),
    case!(
        "tcp.prop.connected_after_peer_close",
        ["TCP-PROP-CONNECTED"],
        Should,
        TCP,
        Worlds::Both,
        ".connected? stays true after the peer closed and recv returned \"\" (D3); it turns false at close",
        prop_connected_after_peer_close
    ),
    // The spec's example.
    case!(
        "tcp.example.echo_client",
        ["TCP-EXAMPLE-ECHO"],
        Must,
        TCP,
        Worlds::Both,
        "the spec's echo client: tcp(host, port), send_all('hello\\n') → nil, recv_line → \"hello\\n\", close → nil",
        example_echo_client
    ),
];

// ---------------------------------------------------------------------------------------------
// Helpers shared with the io family.

/// The waits of a case: short on loopback, generous in virtual time.
#[derive(Debug, Clone, Copy)]
pub(super) struct Waits {
    sim: bool,
}

impl Waits {
    pub(super) fn of(ctx: &Ctx) -> Self {
        Self { sim: ctx.peers.is_simulated() }
    }

    /// Seconds for a wait that is expected to succeed.
    pub(super) fn ok(self) -> f64 {
        if self.sim { 60.0 } else { 2.0 }
    }

    /// Seconds for a wait that is expected to time out.
    pub(super) fn brief(self) -> f64 {
        if self.sim { 2.0 } else { 0.1 }
    }

    /// A pause of a scripted peer: longer than [`Waits::brief`], shorter than [`Waits::ok`].
    pub(super) fn pause(self) -> Duration {
        if self.sim { Duration::from_secs(5) } else { Duration::from_millis(300) }
    }

    /// The pause between the bytes of a dribbling peer.
    pub(super) fn dribble(self) -> Duration {
        if self.sim { Duration::from_millis(100) } else { Duration::from_millis(10) }
    }

    pub(super) fn ok_opts(self) -> CallOpts {
        CallOpts::timeout(self.ok())
    }

    pub(super) fn brief_opts(self) -> CallOpts {
        CallOpts::timeout(self.brief())
    }
}

/// Connects to `peer` with `.new(timeout: ok)`, so that a broken case fails fast.
pub(super) async fn connect(engine: &mut Script, peer: &PeerAddr, waits: Waits) -> Result<Handle, Failure> {
    engine.handle(Request::tcp_new(&peer.host, peer.port, Wait::Seconds(waits.ok()))).await
}

/// A peer that runs `steps`, then holds the connection until the client closes.
pub(super) fn script(steps: Vec<Step>) -> Peer {
    Peer::Script(steps)
}

/// A step that writes `bytes` in one write.
pub(super) fn send(bytes: &[u8]) -> Step {
    Step::Send(bytes.to_vec())
}

/// Fails unless the exception's message names `host:port`.
pub(super) fn names(raised: &Raised, host: &str, port: impl Display) -> CaseResult {
    let target = format!("{host}:{port}");
    expect(raised.message.contains(&target), || {
        format!("the {} message should name {target}: {:?}", raised.class, raised.message)
    })
}

/// Fails unless the exception's message names the argument `name`, as a word of its own.
pub(super) fn mentions(raised: &Raised, name: &str) -> CaseResult {
    let named = raised.message.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|word| word == name);
    expect(named, || {
        format!("the {} message should name the argument {name}: {:?}", raised.class, raised.message)
    })
}

/// `recv` with these options.
pub(super) fn recv_opts(handle: Handle, max_bytes: i64, opts: CallOpts) -> Request {
    Request::Recv { handle, max_bytes, opts }
}

/// Reads with `recv` until end of stream, failing if any return before it is empty; the end
/// must be reported again by the next recv (IO-EOF).
pub(super) async fn recv_to_end(engine: &mut Script, sock: Handle, waits: Waits) -> Result<Vec<u8>, Failure> {
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

/// The host an engine listens on: loopback in real (never every interface of the machine),
/// every address of the simulated client host in sim (so that the peers' host can reach it).
pub(super) fn listen_host(ctx: &Ctx) -> &'static str {
    if ctx.peers.is_simulated() { "0.0.0.0" } else { "127.0.0.1" }
}

/// An engine allowed to listen anywhere, listening on an ephemeral port: its listener and port.
async fn listening(ctx: &Ctx) -> Result<(Script, Handle, u16), Failure> {
    let mut engine = ctx.engine(None, Some("")).await?;
    let listener = engine.handle(Request::tcp_listen(listen_host(ctx), 0)).await?;
    let port = match engine.get(listener, Property::LocalPort).await? {
        Value::Int(port) => u16::try_from(port).ok().filter(|p| *p != 0),
        _ => None,
    }
    .ok_or_else(|| Failure::new("the listener's .local_port is not a port in 1..65535"))?;
    Ok((engine, listener, port))
}

/// A pattern of `len` bytes that shows where a byte went missing.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Fails with the first differing offset unless `actual == expected`.
fn same_bytes(what: &str, actual: &[u8], expected: &[u8]) -> CaseResult {
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

// ---------------------------------------------------------------------------------------------
// Opening

async fn open_echo(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&echo.host, echo.port).await?;
    engine.send_all(sock, b"hello\n").await?;
    expect_eq("the echoed line", engine.recv_line(sock).await?, b"hello\n".to_vec())?;
    engine.close(sock).await
}

/// The properties of a socket just opened to `peer`: the host as named, its port, a local IP
/// and port, connected, and the default 30 s timeout (shared by tcp and ssl: SSL-SURFACE).
pub(super) async fn expect_fresh_properties(
    engine: &mut Script,
    sock: Handle,
    peer: &PeerAddr,
) -> CaseResult {
    expect_eq(".host", engine.get(sock, Property::Host).await?, Value::Str(peer.host.clone()))?;
    expect_eq(".port", engine.get(sock, Property::Port).await?, Value::Int(peer.port.into()))?;
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

async fn open_properties(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&echo.host, echo.port).await?;
    expect_fresh_properties(&mut engine, sock, &echo).await
}

async fn open_host_as_named(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine(Some("localhost"), None).await?;
    let sock = engine.handle(Request::tcp_new("localhost", echo.port, Wait::Seconds(waits.ok()))).await?;
    expect_eq(".host", engine.get(sock, Property::Host).await?, Value::Str("localhost".into()))?;
    let local_host = engine.get(sock, Property::LocalHost).await?;
    expect(matches!(&local_host, Value::Str(ip) if ip.parse::<std::net::IpAddr>().is_ok()), || {
        format!(".local_host: expected an IP address, got {local_host:?}")
    })?;
    engine.send_all(sock, b"named\n").await?;
    expect_eq(
        "the echoed line",
        engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?,
        b"named\n".to_vec(),
    )?;
    engine.close(sock).await
}

async fn open_new_timeout(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(Request::tcp_new(&echo.host, echo.port, Wait::Seconds(5.0))).await?;
    expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Float(5.0))?;
    expect_eq(".host", engine.get(sock, Property::Host).await?, Value::Str(echo.host.clone()))?;
    expect_eq(".port", engine.get(sock, Property::Port).await?, Value::Int(echo.port.into()))?;
    engine.send_all(sock, b"five\n").await?;
    expect_eq(
        "the echoed line",
        engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?,
        b"five\n".to_vec(),
    )?;
    engine.close(sock).await?;
    // The spec's own form: timeout: 30.
    let sock = engine.handle(Request::tcp_new(&echo.host, echo.port, Wait::Seconds(30.0))).await?;
    expect_eq(
        ".timeout of .new(timeout: 30)",
        engine.get(sock, Property::Timeout).await?,
        Value::Float(30.0),
    )?;
    engine.close(sock).await
}

async fn open_new_timeout_nil(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(Request::tcp_new(&echo.host, echo.port, Wait::Forever)).await?;
    expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Nil)?;
    engine.send_all(sock, b"forever\n").await?;
    expect_eq(
        "the echoed line",
        engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?,
        b"forever\n".to_vec(),
    )?;
    engine.close(sock).await
}

async fn open_new_negative_timeout(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    for bad in [-1.0, -0.001] {
        let raised = engine
            .raises(Request::tcp_new(&echo.host, echo.port, Wait::Seconds(bad)), "ArgumentError")
            .await?;
        mentions(&raised, "timeout")?;
    }
    Ok(())
}

async fn open_denied_without_flag(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine(None, None).await?;
    let raised = engine.raises(Request::tcp(&echo.host, echo.port), "PermissionDenied").await?;
    names(&raised, &echo.host, echo.port)?;
    let raised = engine
        .raises(Request::tcp_new(&echo.host, echo.port, Wait::Seconds(waits.ok())), "PermissionDenied")
        .await?;
    names(&raised, &echo.host, echo.port)
}

async fn open_denied_other_port(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let other = if echo.port == 65535 { 1 } else { echo.port + 1 };
    let grant = format!("{}:{other}", echo.host);
    let mut engine = ctx.engine(Some(&grant), None).await?;
    let raised = engine.raises(Request::tcp(&echo.host, echo.port), "PermissionDenied").await?;
    names(&raised, &echo.host, echo.port)
}

async fn open_denied_before_dns(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let mut engine = ctx.engine_for_peers().await?;
    let host = "caspian-denied.invalid";
    let raised = engine.raises(Request::tcp(host, 80), "PermissionDenied").await?;
    names(&raised, host, 80)?;
    let raised =
        engine.raises(Request::tcp_new(host, 80, Wait::Seconds(waits.ok())), "PermissionDenied").await?;
    names(&raised, host, 80)
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

async fn open_dns_invalid(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let host = "caspian-nothing.invalid";
    let mut engine = ctx.engine(Some(host), None).await?;
    let raised = engine.raises(Request::tcp(host, 80), "HostNotFound").await?;
    names(&raised, host, 80)?;
    let raised = engine.raises(Request::tcp_new(host, 7, Wait::Seconds(waits.ok())), "HostNotFound").await?;
    names(&raised, host, 7)
}

async fn open_dns_unregistered(ctx: Ctx) -> CaseResult {
    let host = "unregistered";
    let mut engine = ctx.engine(Some(host), None).await?;
    let raised = engine.raises(Request::tcp(host, 80), "HostNotFound").await?;
    names(&raised, host, 80)
}

async fn open_connect_timeout(ctx: Ctx) -> CaseResult {
    let hole = ctx.peers.black_hole().await;
    expect(hole.port != 0, || "the world could not make a black hole".into())?;
    let seconds = if ctx.peers.is_simulated() { 10.0 } else { 0.5 };
    let mut engine = ctx.engine(Some(&hole.host), None).await?;
    let raised =
        engine.raises(Request::tcp_new(&hole.host, hole.port, Wait::Seconds(seconds)), "Timeout").await?;
    names(&raised, &hole.host, hole.port)
}

async fn open_connect_timeout_default(ctx: Ctx) -> CaseResult {
    let hole = ctx.peers.black_hole().await;
    let mut engine = ctx.engine(Some(&hole.host), None).await?;
    let raised = engine.raises(Request::tcp(&hole.host, hole.port), "Timeout").await?;
    names(&raised, &hole.host, hole.port)
}

async fn open_bad_port(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let host = ctx.peers.host().to_string();
    let mut engine = ctx.engine_for_peers().await?;
    for port in [0, 65536, -1] {
        let raised = engine.raises(Request::tcp(&host, port), "ArgumentError").await?;
        mentions(&raised, "port")?;
        // The message names the argument, the host and the port, as the script gave them.
        expect_mentions(&raised, &[&format!("{host}:{port}")])?;
        let raised =
            engine.raises(Request::tcp_new(&host, port, Wait::Seconds(waits.ok())), "ArgumentError").await?;
        mentions(&raised, "port")?;
    }
    Ok(())
}

async fn open_bad_host(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    // A bare --allow-net: only the argument check can stop these.
    let mut engine = ctx.engine(Some(""), None).await?;
    let nul = format!("{}\0.invalid", echo.host);
    let space = format!("{} ", echo.host);
    for host in ["", nul.as_str(), space.as_str()] {
        let raised = engine.raises(Request::tcp(host, echo.port), "ArgumentError").await?;
        mentions(&raised, "host")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Accepted sockets

async fn accepted_full_socket(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let (mut engine, listener, port) = listening(&ctx).await?;
    let addr = PeerAddr { host: ctx.peers.engine_host().to_string(), port };
    let dialer =
        ctx.peers.dial(addr, vec![send(b"hello server\r\nand more"), Step::Recv(13), Step::RecvToEnd]);
    let sock = engine.handle(Request::accept(listener, waits.ok_opts())).await?;
    expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Float(30.0))?;
    expect_eq(".connected?", engine.get(sock, Property::Connected).await?, Value::Bool(true))?;
    expect_eq(".local_port", engine.get(sock, Property::LocalPort).await?, Value::Int(port.into()))?;
    expect_eq(
        "recv_line",
        engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?,
        b"hello server\r\n".to_vec(),
    )?;
    expect_eq(
        "recv_exact(8)",
        engine.bytes(Request::recv_exact(sock, 8, waits.ok_opts())).await?,
        b"and more".to_vec(),
    )?;
    let reply = b"hello client\n";
    let n = engine.int(Request::send(sock, reply)).await?;
    expect((1..=13).contains(&n), || format!("send returned {n} for 13 bytes"))?;
    engine.send_all(sock, &reply[n as usize..]).await?;
    engine.nil(Request::shutdown(sock, ":send")).await?;
    // The dialer reads our end of stream, then hangs up: we read its end of stream.
    expect_eq(
        "recv after the dialer hung up",
        engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
        Vec::new(),
    )?;
    engine.close(sock).await?;
    let read = dialer.await.map_err(|e| Failure::new(format!("the dialing peer failed: {e}")))?;
    expect_eq("what the dialer read", show(&read), show(reply))
}

async fn accepted_properties(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let (mut engine, listener, port) = listening(&ctx).await?;
    let addr = PeerAddr { host: ctx.peers.engine_host().to_string(), port };
    let dialer = ctx.peers.dial(addr, vec![send(b"x"), Step::RecvToEnd]);
    let sock = engine.handle(Request::accept(listener, waits.ok_opts())).await?;
    let local_host = match engine.get(sock, Property::LocalHost).await? {
        Value::Str(ip) if ip.parse::<std::net::IpAddr>().is_ok() => ip,
        other => return Err(Failure::mismatch(".local_host", "an IP address", format!("{other:?}"))),
    };
    let host = match engine.get(sock, Property::Host).await? {
        Value::Str(host) => host,
        other => return Err(Failure::mismatch(".host", "a string", format!("{other:?}"))),
    };
    match ctx.peers.host().parse::<std::net::IpAddr>() {
        // The dialer runs on the peers' host: when that is an IP, it is the dialer's IP.
        Ok(peers_ip) => expect_eq(".host (the dialer's IP)", host.clone(), peers_ip.to_string())?,
        // In sim the dialer's host has a name, which .host must not report, and another IP.
        Err(_) => {
            expect(host.parse::<std::net::IpAddr>().is_ok(), || {
                format!(".host: expected the dialer's IP address, got {host:?}")
            })?;
            expect(host != local_host, || {
                format!(".host {host:?} is the engine's own IP, not the dialer's")
            })?;
        }
    }
    // Any port: in sim, every host numbers its ephemeral ports from the same start.
    let remote_port = engine.get(sock, Property::Port).await?;
    expect(matches!(remote_port, Value::Int(1..=65535)), || {
        format!(".port: expected the dialer's port in 1..65535, got {remote_port:?}")
    })?;
    expect_eq(
        "recv_exact(1)",
        engine.bytes(Request::recv_exact(sock, 1, waits.ok_opts())).await?,
        b"x".to_vec(),
    )?;
    engine.close(sock).await?;
    dialer.await.map_err(|e| Failure::new(format!("the dialing peer failed: {e}")))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sending

async fn send_count(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    let message = b"partial writes allowed\n";
    let n = engine.int(Request::send(sock, message)).await?;
    expect((1..=message.len() as i64).contains(&n), || {
        format!("send returned {n} for {} bytes", message.len())
    })?;
    engine.send_all(sock, &message[n as usize..]).await?;
    let back = engine.bytes(Request::recv_exact(sock, message.len() as i64, waits.ok_opts())).await?;
    expect_eq("the echoed bytes", show(&back), show(message))?;
    engine.close(sock).await
}

async fn send_count_is_exact(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    let data = pattern(256 * 1024);
    let n = engine.int(Request::send(sock, &data)).await?;
    expect((1..=data.len() as i64).contains(&n), || format!("send returned {n} for {} bytes", data.len()))?;
    let back = engine.bytes(Request::recv_exact(sock, n, waits.ok_opts())).await?;
    same_bytes("the echo of the bytes send counted", &back, &data[..n as usize])?;
    // Nothing beyond the count was written.
    let raised = engine.raises(recv_opts(sock, 100, waits.brief_opts()), "Timeout").await?;
    names(&raised, &echo.host, echo.port)?;
    engine.close(sock).await
}

async fn send_empty(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    expect_eq("send of \"\"", engine.int(Request::send(sock, b"")).await?, 0)?;
    engine.nil(Request::send_all(sock, b"")).await?;
    engine.send_all(sock, b"after nothing\n").await?;
    expect_eq(
        "the echoed line",
        engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?,
        b"after nothing\n".to_vec(),
    )?;
    engine.close(sock).await
}

async fn send_all_64k(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    let data = pattern(64 * 1024);
    engine.nil(Request::send_all(sock, &data)).await?;
    let back = engine.bytes(Request::recv_exact(sock, data.len() as i64, waits.ok_opts())).await?;
    same_bytes("the 64 KiB echoed", &back, &data)?;
    engine.close(sock).await
}

async fn send_all_after_reset(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![Step::Recv(1), Step::Close])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    engine.send_all(sock, b"0123456789").await?;
    // Learn of the reset first, so that the write below meets a connection known to be gone.
    engine.raises(recv_opts(sock, 100, waits.ok_opts()), "ConnectionReset").await?;
    let raised = engine.raises(Request::send_all(sock, b"more"), "ConnectionReset").await?;
    names(&raised, &peer.host, peer.port)
}

// ---------------------------------------------------------------------------------------------
// Receiving

async fn recv_up_to_max_bytes(ctx: Ctx) -> CaseResult {
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
}

async fn recv_bad_max_bytes(ctx: Ctx) -> CaseResult {
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
        mentions(&raised, "max_bytes")?;
    }
    expect_eq(
        "recv_line after the bad recvs",
        engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?,
        b"kept\n".to_vec(),
    )?;
    engine.close(sock).await
}

async fn recv_connection_reset(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![Step::Recv(1), Step::Close])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    engine.send_all(sock, b"0123456789").await?;
    let raised = engine.raises(recv_opts(sock, 100, waits.ok_opts()), "ConnectionReset").await?;
    names(&raised, &peer.host, peer.port)
}

async fn recv_line_crlf(ctx: Ctx) -> CaseResult {
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
}

async fn recv_line_dribble(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer =
        ctx.peers.tcp(script(vec![Step::Dribble(b"slow line\r\nnext\n".to_vec(), waits.dribble())])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    expect_eq("the dribbled line", show(&engine.recv_line(sock).await?), show(b"slow line\r\n"))?;
    expect_eq("the next line", show(&engine.recv_line(sock).await?), show(b"next\n"))?;
    engine.close(sock).await
}

async fn recv_line_two_lines_one_segment(ctx: Ctx) -> CaseResult {
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

async fn recv_exact_dribble(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![Step::Dribble(b"0123456789".to_vec(), waits.dribble())])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    let got = engine.bytes(Request::recv_exact(sock, 10, waits.ok_opts())).await?;
    expect_eq("recv_exact(10)", show(&got), show(b"0123456789"))?;
    engine.close(sock).await
}

async fn recv_exact_across_segments(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"abc"), Step::Pause(waits.pause()), send(b"defgh")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    for (n, expected) in [(2, &b"ab"[..]), (5, b"cdefg"), (1, b"h")] {
        let got = engine.bytes(Request::recv_exact(sock, n, waits.ok_opts())).await?;
        expect_eq(&format!("recv_exact({n})"), show(&got), show(expected))?;
    }
    engine.close(sock).await
}

async fn recv_exact_eof(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"abc"), Step::Close])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    let raised = engine.raises(Request::recv_exact(sock, 5, waits.ok_opts()), "EndOfStream").await?;
    names(&raised, &peer.host, peer.port)
}

// ---------------------------------------------------------------------------------------------
// Closing and shutdown

async fn close_disconnects(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    expect_eq(".connected? before close", engine.get(sock, Property::Connected).await?, Value::Bool(true))?;
    engine.close(sock).await?;
    expect_eq(".connected? after close", engine.get(sock, Property::Connected).await?, Value::Bool(false))
}

async fn close_peer_reads_end(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let (mut engine, listener, port) = listening(&ctx).await?;
    let addr = PeerAddr { host: ctx.peers.engine_host().to_string(), port };
    // The dialer reads until end of stream: it finishes only once our close reached it.
    let dialer = ctx.peers.dial(addr, vec![Step::RecvToEnd]);
    let sock = engine.handle(Request::accept(listener, waits.ok_opts())).await?;
    engine.send_all(sock, b"bye\n").await?;
    engine.close(sock).await?;
    let read = dialer.await.map_err(|e| Failure::new(format!("the dialing peer failed: {e}")))?;
    expect_eq("what the dialer read before end of stream", show(&read), show(b"bye\n"))
}

async fn shutdown_send(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    engine.send_all(sock, b"ping\n").await?;
    engine.nil(Request::shutdown(sock, ":send")).await?;
    // The echo peer closes only once it has read our end of stream.
    expect_eq(
        "everything received after shutdown(:send)",
        show(&recv_to_end(&mut engine, sock, waits).await?),
        show(b"ping\n"),
    )?;
    engine.close(sock).await
}

async fn shutdown_recv(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let steps = vec![send(b"read\nunread\n"), Step::Pause(waits.pause()), send(b"later\n")];
    let peer = ctx.peers.tcp(script(steps)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    // The second line arrived with the first: it is received, unread, when we shut down.
    expect_eq(
        "the first line",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"read\n"),
    )?;
    engine.nil(Request::shutdown(sock, ":recv")).await?;
    expect_eq(
        "recv after shutdown(:recv)",
        engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
        Vec::new(),
    )?;
    expect_eq(
        "recv again after shutdown(:recv)",
        engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
        Vec::new(),
    )?;
    engine.send_all(sock, b"still sending\n").await?;
    engine.close(sock).await
}

async fn shutdown_both(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"unread\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    engine.nil(Request::shutdown(sock, ":both")).await?;
    expect_eq(
        "recv after shutdown(:both)",
        engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
        Vec::new(),
    )?;
    engine.close(sock).await
}

async fn shutdown_closed_halves(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    for direction in [":send", ":both"] {
        let sock = connect(&mut engine, &echo, waits).await?;
        engine.nil(Request::shutdown(sock, direction)).await?;
        expect_eq(
            &format!(".connected? after shutdown({direction})"),
            engine.get(sock, Property::Connected).await?,
            Value::Bool(true),
        )?;
        let raised = engine.raises(Request::send(sock, b"x"), "Closed").await?;
        names(&raised, &echo.host, echo.port)?;
        let raised = engine.raises(Request::send_all(sock, b"x"), "Closed").await?;
        names(&raised, &echo.host, echo.port)?;
        engine.nil(Request::shutdown(sock, direction)).await?;
        engine.close(sock).await?;
    }
    Ok(())
}

async fn shutdown_bad_direction(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    for bad in [":sideways", "sideways", ""] {
        let raised = engine.raises(Request::shutdown(sock, bad), "ArgumentError").await?;
        mentions(&raised, "direction")?;
    }
    engine.send_all(sock, b"still whole\n").await?;
    expect_eq(
        "the echoed line after the bad shutdowns",
        engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?,
        b"still whole\n".to_vec(),
    )?;
    engine.close(sock).await
}

// ---------------------------------------------------------------------------------------------
// Properties

async fn prop_set_timeout(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    let set = |timeout| Request::SetTimeout { handle: sock, timeout };
    engine.nil(set(Some(2.5))).await?;
    expect_eq(".timeout after setting 2.5", engine.get(sock, Property::Timeout).await?, Value::Float(2.5))?;
    engine.nil(set(None)).await?;
    expect_eq(".timeout after setting nil", engine.get(sock, Property::Timeout).await?, Value::Nil)?;
    engine.nil(set(Some(2.5))).await?;
    for bad in [-1.0, -0.5] {
        let raised = engine.raises(set(Some(bad)), "ArgumentError").await?;
        mentions(&raised, "timeout")?;
        expect_eq(
            &format!(".timeout after the rejected {bad}"),
            engine.get(sock, Property::Timeout).await?,
            Value::Float(2.5),
        )?;
    }
    engine.close(sock).await
}

async fn prop_timeout_applies(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let steps =
        vec![Step::Pause(waits.pause()), send(b"late\n"), Step::Pause(waits.pause()), send(b"later\n")];
    let peer = ctx.peers.tcp(script(steps)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&peer.host, peer.port).await?;
    engine.nil(Request::SetTimeout { handle: sock, timeout: Some(waits.brief()) }).await?;
    // The socket's short timeout applies to a call without one.
    let raised = engine.raises(Request::recv(sock, 100), "Timeout").await?;
    names(&raised, &peer.host, peer.port)?;
    // A per-call timeout overrides it...
    expect_eq(
        "recv_line with a longer per-call timeout",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"late\n"),
    )?;
    // ...and so does a per-call nil.
    let forever = CallOpts { timeout: Some(Wait::Forever), max_length: None };
    expect_eq(
        "recv_line with timeout: nil",
        show(&engine.bytes(Request::recv_line(sock, forever)).await?),
        show(b"later\n"),
    )?;
    // Neither changed the socket's own timeout.
    expect_eq(
        ".timeout after the per-call timeouts",
        engine.get(sock, Property::Timeout).await?,
        Value::Float(waits.brief()),
    )?;
    engine.close(sock).await
}

async fn prop_connected_after_peer_close(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"bye"), Step::Close])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    expect_eq("everything the peer sent", show(&recv_to_end(&mut engine, sock, waits).await?), show(b"bye"))?;
    expect_eq(
        ".connected? after the peer closed",
        engine.get(sock, Property::Connected).await?,
        Value::Bool(true),
    )?;
    engine.close(sock).await?;
    expect_eq(".connected? after close", engine.get(sock, Property::Connected).await?, Value::Bool(false))
}

// ---------------------------------------------------------------------------------------------
// The spec's example

async fn example_echo_client(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    // $sock = %net.tcp('echo.example.com', 7)
    let sock = engine.tcp(&echo.host, echo.port).await?;
    // $sock.send_all('hello\n')
    engine.nil(Request::send_all(sock, b"hello\n")).await?;
    // $reply = $sock.recv_line
    let reply = engine.recv_line(sock).await?;
    // puts $reply
    expect_eq("$reply", show(&reply), show(b"hello\n"))?;
    // $sock.close
    engine.nil(Request::close(sock)).await
}

async fn starttls_after_shutdown_send(ctx: Ctx) -> CaseResult {
    let peer = ctx.peers.tcp(Peer::Script(vec![Step::RecvToEnd, Step::Send(b"bye\n".to_vec())])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&peer.host, peer.port).await?;
    engine.nil(Request::shutdown(sock, ":send")).await?;
    let tls = crate::contract::TlsArgs { verify: Some(false), ..Default::default() };
    engine.raises(Request::Starttls { handle: sock, tls }, "Closed").await?;
    expect_eq(
        ".connected? after the refused starttls",
        engine.get(sock, Property::Connected).await?,
        Value::Bool(true),
    )?;
    expect_eq("the reply read on the tcp socket", engine.recv_line(sock).await?, b"bye\n".to_vec())
}
