//! LST-* and IO-ACCEPT-TIMEOUT.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use crate::case;
use crate::catalog::{Case, Worlds};
use crate::contract::{CallOpts, Feature, Handle, Property, Request, Value};
use crate::peers::{Peer, PeerAddr, Step};
use crate::script::{
    CaseResult, Ctx, Failure, Script, expect, expect_bytes, expect_eq, expect_mentions, show,
};

const LISTEN: &[Feature] = &[Feature::Tcp, Feature::Listen];

pub const CASES: &[Case] = &[
    case!(
        "listener.open.address_not_local",
        ["LST-OPEN"],
        Should,
        LISTEN,
        Worlds::SimOnly("binding an address of another host needs a network the suite owns"),
        "tcp_listen on an address that is not the machine's raises ArgumentError naming it (D17)",
        listen_on_foreign_address
    ),
    case!(
        "listener.open.ephemeral",
        ["LST-OPEN"],
        Must,
        LISTEN,
        Worlds::Both,
        "tcp_listen(host, 0) with --allow-listen=0 returns a listener handle; close returns nil",
        open_ephemeral
    ),
    case!(
        "listener.local_host.as_bound",
        ["LST-LOCAL-HOST"],
        Must,
        LISTEN,
        Worlds::Both,
        ".local_host is the address bound as given: \"127.0.0.1\" (real) or \"0.0.0.0\" (sim), not a resolved or peer address",
        local_host_as_bound
    ),
    case!(
        "listener.local_port.ephemeral",
        ["LST-LOCAL-PORT", "LST-ACCEPT"],
        Must,
        LISTEN,
        Worlds::Both,
        "bound to port 0, .local_port is the real port (1..65535, the same on every read) and a peer dialing it is accepted",
        local_port_ephemeral
    ),
    case!(
        "listener.accept.receives_dialer_bytes",
        ["LST-ACCEPT", "TCP-ACCEPTED"],
        Must,
        LISTEN,
        Worlds::Both,
        "accept returns a tcp socket handle; recv_line on it returns the dialer's \"ping\\n\" and the dialer reads the \"pong\\n\" sent back",
        accept_receives_dialer_bytes
    ),
    case!(
        "listener.accept.peer_host",
        ["TCP-ACCEPTED", "TCP-PROP-HOST", "TCP-PROP-PORT", "TCP-PROP-LOCAL-PORT", "TCP-PROP-CONNECTED"],
        Must,
        LISTEN,
        Worlds::Both,
        "the accepted socket's .host is the dialer's IP (127.0.0.1 in real; another host's IP in sim), .port 1..65535, .local_port the listener's port, .connected? true",
        accept_peer_host
    ),
    case!(
        "listener.accept.default_timeout",
        ["IO-TIMEOUT-DEFAULT", "TCP-ACCEPTED"],
        Must,
        LISTEN,
        Worlds::Both,
        "a socket returned by accept starts with .timeout 30.0",
        accept_default_timeout
    ),
    case!(
        "listener.accept.full_socket",
        ["TCP-ACCEPTED", "TCP-RECV-EXACT", "TCP-SEND", "TCP-SHUTDOWN"],
        Must,
        LISTEN,
        Worlds::Both,
        "the accepted socket supports recv_exact (\"12345\"), send (returns 2 for \"ok\") and shutdown(:send) (the dialer then reads exactly \"ok\" and end of stream)",
        accept_full_socket
    ),
    case!(
        "listener.accept.dialer_closes_halfway",
        ["TCP-ACCEPTED", "IO-LINE-EOF", "IO-EOF"],
        Must,
        LISTEN,
        Worlds::Both,
        "a dialer that sends \"half\" and closes: recv_line on the accepted socket raises EndOfStream, recv then returns \"half\", then \"\"",
        accept_dialer_closes_halfway
    ),
    case!(
        "listener.accept.two_dialers",
        ["LST-ACCEPT", "TCP-ACCEPTED"],
        Must,
        LISTEN,
        Worlds::Both,
        "two dialers waiting at once are returned by two accepts as two distinct sockets, each reading only its own dialer's line",
        accept_two_dialers
    ),
    case!(
        "listener.accept.timeout",
        ["IO-ACCEPT-TIMEOUT", "LST-ACCEPT"],
        Must,
        LISTEN,
        Worlds::Both,
        "accept(timeout: 0.3) with no dialer raises Timeout naming the listener's port; the listener still accepts a later dialer",
        accept_timeout
    ),
    case!(
        "listener.accept.waits_forever",
        ["IO-ACCEPT-TIMEOUT", "LST-ACCEPT"],
        Must,
        LISTEN,
        Worlds::Both,
        "accept without a timeout does not time out: a dialer arriving after 120 s (sim; 1.2 s in real) is accepted and its line read",
        accept_waits_forever
    ),
    case!(
        "listener.accept.negative_timeout",
        ["IO-TIMEOUT-DEFAULT", "LST-ACCEPT"],
        Must,
        LISTEN,
        Worlds::Both,
        "accept(timeout: -1) raises ArgumentError naming timeout",
        accept_negative_timeout
    ),
    case!(
        "listener.close.accept_raises_closed",
        ["LST-CLOSE", "IO-CLOSE-IDEMPOTENT"],
        Must,
        LISTEN,
        Worlds::Both,
        "close returns nil, a second close returns nil, accept afterwards raises Closed",
        close_accept_raises_closed
    ),
    case!(
        "listener.close.refuses_dialers",
        ["LST-CLOSE"],
        Must,
        LISTEN,
        Worlds::Both,
        "after close, a peer dialing the old port is refused (its connect fails)",
        close_refuses_dialers
    ),
    case!(
        "listener.close.accepted_socket_survives",
        ["LST-CLOSE", "TCP-ACCEPTED"],
        Must,
        LISTEN,
        Worlds::Both,
        "closing the listener leaves an already accepted socket working: it still reads \"still here\\n\" and echoes it",
        close_accepted_socket_survives
    ),
    case!(
        "listener.close.frees_port",
        ["LST-CLOSE", "LST-OPEN", "LST-LOCAL-PORT"],
        Must,
        LISTEN,
        Worlds::Both,
        "after close the port is free: tcp_listen on that same given port succeeds and its .local_port is exactly that port",
        close_frees_port
    ),
    case!(
        "listener.open.address_in_use",
        ["LST-OPEN"],
        Must,
        LISTEN,
        Worlds::Both,
        "tcp_listen on a port another listener holds raises AddressInUse naming the port",
        open_address_in_use
    ),
    case!(
        "listener.open.bad_port",
        ["LST-OPEN"],
        Must,
        LISTEN,
        Worlds::Both,
        "tcp_listen with port -1 or 65536 raises ArgumentError naming port (even with a bare --allow-listen)",
        open_bad_port
    ),
    case!(
        "listener.perm.denied",
        ["LST-PERM", "PERM-DEFAULT-DENY", "PERM-GRAMMAR", "PERM-ERROR"],
        Must,
        LISTEN,
        Worlds::Both,
        "tcp_listen(host, 8080) raises PermissionDenied naming host:8080 and --allow-listen without the flag, with --allow-listen=8081 and with --allow-listen=127.0.0.2:8080",
        perm_denied
    ),
    case!(
        "listener.perm.allow_net_does_not_listen",
        ["PERM-SEPARATE", "LST-PERM"],
        Must,
        LISTEN,
        Worlds::Both,
        "a bare --allow-net does not grant listening: tcp_listen raises PermissionDenied",
        perm_allow_net_does_not_listen
    ),
    case!(
        "listener.perm.denied_binds_nothing",
        ["PERM-BEFORE-IO", "LST-PERM"],
        Must,
        LISTEN,
        Worlds::Both,
        "a denied tcp_listen on a free port binds nothing: another engine can then listen on that port",
        perm_denied_binds_nothing
    ),
    case!(
        "listener.perm.port_zero_grants",
        ["LST-PERM", "PERM-GRAMMAR", "PERM-ALLOW-ALL"],
        Should,
        LISTEN,
        Worlds::Both,
        "D10: --allow-listen=0, =HOST:0, =0-65535 and a bare --allow-listen each grant tcp_listen(host, 0)",
        perm_port_zero_grants
    ),
    case!(
        "listener.perm.port_zero_needs_zero",
        ["LST-PERM"],
        Should,
        LISTEN,
        Worlds::Both,
        "D10: --allow-listen=1-65535 does not cover port 0: tcp_listen(host, 0) raises PermissionDenied",
        perm_port_zero_needs_zero
    ),
    case!(
        "listener.example.echo",
        ["LST-EXAMPLE-ECHO", "LST-ACCEPT"],
        Must,
        LISTEN,
        Worlds::Both,
        "the spec's echo server (accept, recv_line, send_all(line), close) serves two clients in turn: each sends \"hi\\n\" and reads exactly \"hi\\n\" then end of stream",
        example_echo
    ),
    case!(
        "listener.example.echo_dribbled",
        ["LST-EXAMPLE-ECHO", "TCP-RECV-LINE"],
        Must,
        LISTEN,
        Worlds::Both,
        "the spec's echo server with a client that sends \"hello\\n\" one byte at a time: the client reads exactly \"hello\\n\"",
        example_echo_dribbled
    ),
];

/// Where the peers reach the engine's listener on `port`.
fn dial_addr(ctx: &Ctx, port: i64) -> PeerAddr {
    PeerAddr { host: ctx.peers.engine_host().to_string(), port: u16::try_from(port).unwrap_or(0) }
}

async fn listen_ephemeral(ctx: &Ctx, engine: &mut Script) -> Result<(Handle, i64), Failure> {
    let listener = engine.handle(Request::tcp_listen(ctx.bind_host(), 0)).await?;
    let port = engine.int(Request::Get { handle: listener, property: Property::LocalPort }).await?;
    expect((1..=65535).contains(&port), || format!(".local_port: expected 1..65535, got {port}"))?;
    Ok((listener, port))
}

/// The outcome of a dialing peer, which must have succeeded.
fn dialed(outcome: Result<Vec<u8>, String>) -> Result<Vec<u8>, Failure> {
    outcome.map_err(|e| Failure::new(format!("the dialing peer failed: {e}")))
}

/// Runs `first` and `second` concurrently; returns early (without `second`'s outcome) when
/// `first` fails, else both outcomes once both are done.
async fn join_unless_failed<T, U>(
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

/// A port that was free a moment ago: bound to port 0, read, closed.
async fn free_port(ctx: &Ctx, engine: &mut Script) -> Result<i64, Failure> {
    let (listener, port) = listen_ephemeral(ctx, engine).await?;
    engine.close(listener).await?;
    Ok(port)
}

async fn open_ephemeral(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let listener = engine.handle(Request::tcp_listen(ctx.bind_host(), 0)).await?;
    engine.close(listener).await
}

async fn local_host_as_bound(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let host = ctx.bind_host();
    let listener = engine.handle(Request::tcp_listen(host, 0)).await?;
    expect_eq(".local_host", engine.get(listener, Property::LocalHost).await?, Value::Str(host.into()))?;
    engine.close(listener).await
}

async fn local_port_ephemeral(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    expect_eq(".local_port read again", engine.get(listener, Property::LocalPort).await?, Value::Int(port))?;
    let dialer = ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"x\n".to_vec()), Step::RecvToEnd]);
    let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    expect_bytes("the line read", engine.recv_line(sock).await?, b"x\n")?;
    engine.close(sock).await?;
    dialed(dialer.await)?;
    engine.close(listener).await
}

async fn accept_receives_dialer_bytes(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let dialer = ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"ping\n".to_vec()), Step::RecvToEnd]);
    let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    expect(sock != listener, || format!("accept returned the listener's own handle {sock}"))?;
    expect_bytes("the dialer's line", engine.recv_line(sock).await?, b"ping\n")?;
    engine.send_all(sock, b"pong\n").await?;
    engine.close(sock).await?;
    expect_bytes("what the dialer read", dialed(dialer.await)?, b"pong\n")?;
    engine.close(listener).await
}

async fn accept_peer_host(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let dialer = ctx.peers.dial(dial_addr(&ctx, port), vec![Step::RecvToEnd]);
    let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    let host = engine.get(sock, Property::Host).await?;
    let ip = match &host {
        Value::Str(text) => text.parse::<std::net::IpAddr>().ok(),
        _ => None,
    };
    let Some(ip) = ip else {
        return Err(Failure::mismatch(
            ".host of the accepted socket",
            "the dialer's IP",
            format!("{host:?}"),
        ));
    };
    if ctx.peers.is_simulated() {
        // The dialer is another simulated host: its address is neither unspecified, loopback,
        // nor the engine's own.
        let local = engine.get(sock, Property::LocalHost).await?;
        expect(!ip.is_unspecified() && !ip.is_loopback() && Value::Str(ip.to_string()) != local, || {
            format!(
                ".host of the accepted socket: expected the dialing host's IP, got {ip} (local {local:?})"
            )
        })?;
    } else {
        expect_eq(".host of the accepted socket", host, Value::Str("127.0.0.1".into()))?;
    }
    let remote_port = engine.get(sock, Property::Port).await?;
    expect(matches!(remote_port, Value::Int(1..=65535)), || {
        format!(".port of the accepted socket: expected 1..65535, got {remote_port:?}")
    })?;
    if !ctx.peers.is_simulated() {
        // On one IP, the dialer's port cannot be the listener's. (Simulated hosts each number
        // their ephemeral ports from the same start, so there it may coincide.)
        expect(remote_port != Value::Int(port), || {
            format!(".port of the accepted socket is the listener's port {port}, not the dialer's")
        })?;
    }
    expect_eq(
        ".local_port of the accepted socket",
        engine.get(sock, Property::LocalPort).await?,
        Value::Int(port),
    )?;
    expect_eq(".connected?", engine.get(sock, Property::Connected).await?, Value::Bool(true))?;
    engine.close(sock).await?;
    dialed(dialer.await)?;
    engine.close(listener).await
}

async fn accept_default_timeout(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let dialer = ctx.peers.dial(dial_addr(&ctx, port), vec![Step::RecvToEnd]);
    // accept's own wait is forever (IO-ACCEPT-TIMEOUT); the socket it returns has the default.
    let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    expect_eq(
        ".timeout of the accepted socket",
        engine.get(sock, Property::Timeout).await?,
        Value::Float(30.0),
    )?;
    engine.close(sock).await?;
    dialed(dialer.await)?;
    engine.close(listener).await
}

async fn accept_full_socket(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let dialer = ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"12345".to_vec()), Step::RecvToEnd]);
    let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    expect_bytes(
        "recv_exact(5)",
        engine.bytes(Request::recv_exact(sock, 5, CallOpts::default())).await?,
        b"12345",
    )?;
    expect_eq("send's count", engine.int(Request::send(sock, b"ok")).await?, 2)?;
    engine.nil(Request::shutdown(sock, ":send")).await?;
    // The dialer reads to end of stream while the socket is still open: shutdown sent the FIN.
    expect_bytes("what the dialer read", dialed(dialer.await)?, b"ok")?;
    engine.close(sock).await?;
    engine.close(listener).await
}

async fn accept_dialer_closes_halfway(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let dialer = ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"half".to_vec()), Step::Close]);
    let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    dialed(dialer.await)?;
    engine.raises(Request::recv_line(sock, CallOpts::default()), "EndOfStream").await?;
    expect_bytes("recv after the failed recv_line", engine.bytes(Request::recv(sock, 100)).await?, b"half")?;
    expect_bytes("recv at end of stream", engine.bytes(Request::recv(sock, 100)).await?, b"")?;
    engine.close(sock).await?;
    engine.close(listener).await
}

async fn accept_two_dialers(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let first = ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"first\n".to_vec()), Step::RecvToEnd]);
    let second =
        ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"second\n".to_vec()), Step::RecvToEnd]);
    let a = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    let b = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    expect(a != b && a != listener && b != listener, || {
        format!("two accepts should give two new handles, got {a} and {b} (listener {listener})")
    })?;
    let mut lines = Vec::new();
    for sock in [a, b] {
        let line = engine.recv_line(sock).await?;
        let mut reply = b"got ".to_vec();
        reply.extend_from_slice(&line);
        engine.send_all(sock, &reply).await?;
        engine.close(sock).await?;
        lines.push(line);
    }
    lines.sort();
    expect_eq("the lines of the two sockets", lines, vec![b"first\n".to_vec(), b"second\n".to_vec()])?;
    expect_bytes("what the first dialer read", dialed(first.await)?, b"got first\n")?;
    expect_bytes("what the second dialer read", dialed(second.await)?, b"got second\n")?;
    engine.close(listener).await
}

async fn accept_timeout(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let raised = engine.raises(Request::accept(listener, CallOpts::timeout(0.3)), "Timeout").await?;
    expect_mentions(&raised, &[&port.to_string()])?;
    let dialer =
        ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"later\n".to_vec()), Step::RecvToEnd]);
    let sock = engine.handle(Request::accept(listener, CallOpts::timeout(5.0))).await?;
    expect_bytes("the later dialer's line", engine.recv_line(sock).await?, b"later\n")?;
    engine.close(sock).await?;
    dialed(dialer.await)?;
    engine.close(listener).await
}

async fn accept_waits_forever(ctx: Ctx) -> CaseResult {
    // Past the 30 s default in sim (virtual time); in real, a short wait that still shows accept
    // does not return or raise before a late dialer.
    let delay = if ctx.peers.is_simulated() { Duration::from_secs(120) } else { Duration::from_millis(1200) };
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    // A timer the peers run: a peer that holds a connection for `delay`, then closes it.
    let timer = ctx.peers.tcp(Peer::Script(vec![Step::Pause(delay), Step::Close])).await;
    let peers = ctx.peers.clone();
    let target = dial_addr(&ctx, port);
    let late_dialer = async move {
        peers.dial(timer, vec![Step::RecvToEnd]).await.map_err(|e| format!("the timer peer failed: {e}"))?;
        // Only a send: the dial must end without the engine's help, which comes after the join.
        peers.dial(target, vec![Step::Send(b"late\n".to_vec())]).await
    };
    let (sock, outcome) =
        join_unless_failed(engine.handle(Request::accept(listener, CallOpts::default())), late_dialer)
            .await?;
    expect_bytes("the late dialer's line", engine.recv_line(sock).await?, b"late\n")?;
    engine.close(sock).await?;
    dialed(outcome)?;
    engine.close(listener).await
}

async fn accept_negative_timeout(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, _) = listen_ephemeral(&ctx, &mut engine).await?;
    let raised = engine.raises(Request::accept(listener, CallOpts::timeout(-1.0)), "ArgumentError").await?;
    expect_mentions(&raised, &["timeout"])?;
    engine.close(listener).await
}

async fn close_accept_raises_closed(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, _) = listen_ephemeral(&ctx, &mut engine).await?;
    engine.close(listener).await?;
    engine.close(listener).await?;
    engine.raises(Request::accept(listener, CallOpts::timeout(0.5)), "Closed").await?;
    Ok(())
}

async fn close_refuses_dialers(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    engine.close(listener).await?;
    // No steps: a dialer that gets connected returns at once.
    let outcome = ctx.peers.dial(dial_addr(&ctx, port), Vec::new()).await;
    expect(outcome.is_err(), || format!("a dialer connected to the closed listener's port {port}"))
}

async fn close_accepted_socket_survives(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (listener, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let dialer =
        ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"still here\n".to_vec()), Step::RecvToEnd]);
    let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    engine.close(listener).await?;
    let line = engine.recv_line(sock).await?;
    expect_bytes("the line read after the listener closed", line.clone(), b"still here\n")?;
    engine.send_all(sock, &line).await?;
    engine.close(sock).await?;
    expect_bytes("what the dialer read", dialed(dialer.await)?, b"still here\n")
}

async fn close_frees_port(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("")).await?;
    let (first, port) = listen_ephemeral(&ctx, &mut engine).await?;
    engine.close(first).await?;
    let second = engine.handle(Request::tcp_listen(ctx.bind_host(), port)).await?;
    expect_eq(
        ".local_port of the new listener",
        engine.get(second, Property::LocalPort).await?,
        Value::Int(port),
    )?;
    engine.close(second).await
}

async fn open_address_in_use(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("")).await?;
    let (first, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let raised = engine.raises(Request::tcp_listen(ctx.bind_host(), port), "AddressInUse").await?;
    expect_mentions(&raised, &[&port.to_string()])?;
    engine.close(first).await
}

async fn open_bad_port(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("")).await?;
    for port in [-1, 65536] {
        let raised = engine.raises(Request::tcp_listen(ctx.bind_host(), port), "ArgumentError").await?;
        expect_mentions(&raised, &["port"])?;
    }
    Ok(())
}

async fn perm_denied(ctx: Ctx) -> CaseResult {
    let host = ctx.bind_host();
    for grant in [None, Some("8081"), Some("127.0.0.2:8080")] {
        let mut engine = ctx.engine(None, grant).await?;
        let raised = engine.raises(Request::tcp_listen(host, 8080), "PermissionDenied").await?;
        expect_mentions(&raised, &[&format!("{host}:8080"), "--allow-listen"])
            .map_err(|f| Failure::new(format!("with --allow-listen={grant:?}: {f}")))?;
    }
    Ok(())
}

async fn perm_allow_net_does_not_listen(ctx: Ctx) -> CaseResult {
    let host = ctx.bind_host();
    let mut engine = ctx.engine(Some(""), None).await?;
    let raised = engine.raises(Request::tcp_listen(host, 0), "PermissionDenied").await?;
    expect_mentions(&raised, &["--allow-listen"])
}

async fn perm_denied_binds_nothing(ctx: Ctx) -> CaseResult {
    let host = ctx.bind_host();
    let mut granted = ctx.engine(None, Some("")).await?;
    let port = free_port(&ctx, &mut granted).await?;
    let mut denied = ctx.engine(None, Some("0")).await?;
    denied.raises(Request::tcp_listen(host, port), "PermissionDenied").await?;
    let listener = granted.handle(Request::tcp_listen(host, port)).await?;
    granted.close(listener).await
}

async fn perm_port_zero_grants(ctx: Ctx) -> CaseResult {
    let host = ctx.bind_host();
    let host_zero = format!("{host}:0");
    for grant in ["0", host_zero.as_str(), "0-65535", ""] {
        let mut engine = ctx.engine(None, Some(grant)).await?;
        let listener = engine
            .handle(Request::tcp_listen(host, 0))
            .await
            .map_err(|f| Failure::new(format!("with --allow-listen={grant}: {f}")))?;
        engine.close(listener).await?;
    }
    Ok(())
}

async fn perm_port_zero_needs_zero(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("1-65535")).await?;
    let raised = engine.raises(Request::tcp_listen(ctx.bind_host(), 0), "PermissionDenied").await?;
    expect_mentions(&raised, &["--allow-listen"])
}

/// The spec's echo server, for one client: accept, recv_line, send_all(line), close.
async fn serve_one(engine: &mut Script, listener: Handle) -> CaseResult {
    let client = engine.handle(Request::accept(listener, CallOpts::default())).await?;
    let line = engine.recv_line(client).await?;
    engine.send_all(client, &line).await?;
    engine.close(client).await
}

async fn example_echo(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (server, port) = listen_ephemeral(&ctx, &mut engine).await?;
    for client in ["first", "second"] {
        let dialer =
            ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"hi\n".to_vec()), Step::RecvToEnd]);
        serve_one(&mut engine, server).await?;
        let read = dialed(dialer.await)?;
        expect(read == b"hi\n", || format!("the {client} client read {}, expected \"hi\\n\"", show(&read)))?;
    }
    engine.close(server).await
}

async fn example_echo_dribbled(ctx: Ctx) -> CaseResult {
    let mut engine = ctx.engine(None, Some("0")).await?;
    let (server, port) = listen_ephemeral(&ctx, &mut engine).await?;
    let dialer = ctx.peers.dial(
        dial_addr(&ctx, port),
        vec![Step::Dribble(b"hello\n".to_vec(), Duration::from_millis(20)), Step::RecvToEnd],
    );
    serve_one(&mut engine, server).await?;
    expect_bytes("what the client read", dialed(dialer.await)?, b"hello\n")?;
    engine.close(server).await
}

async fn listen_on_foreign_address(ctx: Ctx) -> CaseResult {
    // An address on the simulated network that no host has.
    let foreign = "192.168.0.250";
    let mut engine = ctx.engine(None, Some("")).await?;
    let raised = engine.raises(Request::tcp_listen(foreign, 0), "ArgumentError").await?;
    expect_mentions(&raised, &[foreign])
}
