//! Conformance of the reference's tcp, tcp_listener and udp sockets to the clauses of
//! CONFORMANCE.md. Every case body is written once and runs in both worlds: `real`
//! (loopback, real time: every wait is short) and `sim` (turmoil, virtual time: waits are cheap).

// The clause IDs of each case are a doc comment above its `in_both_worlds!`, for readers and
// for grep; rustdoc does not document macro invocations, hence the allow.
#![allow(unused_doc_comments)]

#[macro_use]
mod common;

use std::net::IpAddr;
use std::time::Duration;

use caspian_conformance::waits::Waits;
use caspian_harness::world::{CLIENT_HOST, PeerAddr, Peers, SERVER_HOST};
use caspian_mocknet::{Peer, Step};
use caspian_reference::net::Net;
use caspian_reference::permissions::Permissions;
use caspian_reference::tcp::TcpSocket;
use caspian_reference::transport::Transport;
use caspian_reference::{CallOpts, ErrorClass, NetError, NetResult, TimeoutOpt};

// ---------------------------------------------------------------------------------------------
// Helpers

/// Permissions from flag values, which must be valid.
fn perms(allow_net: Option<&str>, allow_listen: Option<&str>) -> Permissions {
    Permissions::from_flags(allow_net, allow_listen)
        .unwrap_or_else(|e| panic!("flags {allow_net:?} {allow_listen:?}: {e}"))
}

/// A `%net` allowed to connect to `host` (every port) and nothing else.
fn net_for<T: Transport>(transport: T, host: &str) -> Net<T> {
    Net::new(transport, perms(Some(host), None))
}

/// The IP the engine's host has: loopback in real, the simulated client's address in sim.
fn client_ip(peers: &Peers) -> String {
    if peers.is_simulated() { turmoil::lookup(CLIENT_HOST).to_string() } else { "127.0.0.1".into() }
}

/// The IP the peers' host has.
fn server_ip(peers: &Peers) -> String {
    if peers.is_simulated() { turmoil::lookup(SERVER_HOST).to_string() } else { "127.0.0.1".into() }
}

/// Connects to a peer with a socket timeout of [`Waits::ok`], so that a broken case fails fast.
async fn connect<T: Transport>(net: &Net<T>, peer: &PeerAddr, waits: Waits) -> TcpSocket {
    net.tcp_new(&peer.host, peer.port.into(), TimeoutOpt::Seconds(waits.ok()))
        .await
        .unwrap_or_else(|e| panic!("connect to {}:{}: {e}", peer.host, peer.port))
}

/// The error of `result`, which must be of `class`.
#[track_caller]
fn expect_err<V>(result: NetResult<V>, class: ErrorClass) -> NetError {
    match result {
        Ok(_) => panic!("expected {class}, got a success"),
        Err(e) => {
            assert_eq!(e.class, class, "wrong class: {e}");
            e
        }
    }
}

/// Asserts that an error's message names `host:port`.
#[track_caller]
fn assert_names(err: &NetError, host: &str, port: u16) {
    let endpoint = format!("{host}:{port}");
    assert!(err.message.contains(&endpoint), "message does not name {endpoint}: {err}");
}

/// Asserts that an error's message contains `text`.
#[track_caller]
fn assert_mentions(err: &NetError, text: &str) {
    assert!(err.message.contains(text), "message does not mention {text:?}: {err}");
}

/// Reads with `recv` until end of stream, asserting that every return before it is non-empty
/// and that the end is reported again on the next call (IO-EOF).
async fn recv_to_end(sock: &mut TcpSocket, waits: Waits) -> Vec<u8> {
    let mut all = Vec::new();
    loop {
        let chunk =
            sock.recv(4096, CallOpts::timeout(waits.ok())).await.unwrap_or_else(|e| panic!("recv: {e}"));
        if chunk.is_empty() {
            break;
        }
        all.extend_from_slice(&chunk);
    }
    let again = sock
        .recv(4096, CallOpts::timeout(waits.ok()))
        .await
        .unwrap_or_else(|e| panic!("recv after end: {e}"));
    assert!(again.is_empty(), "end of stream must stay the end");
    all
}

fn script(steps: Vec<Step>) -> Peer {
    Peer::Script(steps)
}

fn send(bytes: &[u8]) -> Step {
    Step::Send(bytes.to_vec())
}

// ---------------------------------------------------------------------------------------------
// TCP: opening

/// TCP-OPEN, TCP-PROP-HOST, TCP-PROP-PORT, TCP-PROP-LOCAL-HOST, TCP-PROP-LOCAL-PORT, TCP-PROP-CONNECTED, IO-TIMEOUT-DEFAULT
in_both_worlds!(tcp_open_round_trip_and_properties, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.tcp(Peer::Echo).await;
    let net = net_for(transport, &echo.host);
    let mut sock = net.tcp(&echo.host, echo.port.into()).await.expect("tcp to the echo peer");
    assert_eq!(sock.host(), echo.host, "host is the name given");
    assert_eq!(sock.port(), echo.port);
    let local: IpAddr = sock.local_host().parse().expect("local_host is an IP");
    assert_eq!(local.to_string(), client_ip(&peers));
    assert_ne!(sock.local_port(), 0);
    assert!(sock.is_connected());
    assert_eq!(sock.timeout(), Some(30.0));
    sock.send_all(b"hello, echo\n").await.expect("send_all");
    assert_eq!(
        sock.recv_line(CallOpts::timeout(waits.ok())).await.expect("recv_line"),
        &b"hello, echo\n"[..]
    );
    sock.close().await;
    assert!(!sock.is_connected());
});

/// TCP-OPEN-NEW, IO-TIMEOUT-DEFAULT
in_both_worlds!(tcp_open_new_timeout_option, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.tcp(Peer::Echo).await;
    let net = net_for(transport, &echo.host);
    let port = i64::from(echo.port);

    let mut five = net.tcp_new(&echo.host, port, TimeoutOpt::Seconds(5.0)).await.expect("timeout 5");
    assert_eq!(five.timeout(), Some(5.0));
    assert_eq!(five.host(), echo.host);
    assert_eq!(five.port(), echo.port);
    five.send_all(b"five\n").await.expect("send_all");
    assert_eq!(five.recv_line(CallOpts::timeout(waits.ok())).await.expect("recv_line"), &b"five\n"[..]);

    let forever = net.tcp_new(&echo.host, port, TimeoutOpt::Forever).await.expect("timeout nil");
    assert_eq!(forever.timeout(), None);
    let inherit = net.tcp_new(&echo.host, port, TimeoutOpt::Inherit).await.expect("no timeout given");
    assert_eq!(inherit.timeout(), Some(30.0));

    for bad in [-1.0, -0.001, f64::NAN] {
        let err = expect_err(
            net.tcp_new(&echo.host, port, TimeoutOpt::Seconds(bad)).await,
            ErrorClass::ArgumentError,
        );
        assert_mentions(&err, "timeout");
    }
});

/// TCP-OPEN-DENIED, PERM-BEFORE-IO, PERM-DEFAULT-DENY, PERM-ERROR
in_both_worlds!(tcp_open_denied_before_any_io, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.tcp(Peer::Echo).await;
    let port = i64::from(echo.port);

    // No flag at all: every target is denied, and the message names it and the grant.
    let none = Net::new(transport, Permissions::deny_all());
    let err = expect_err(none.tcp(&echo.host, port).await, ErrorClass::PermissionDenied);
    assert_names(&err, &echo.host, echo.port);
    assert_mentions(&err, "--allow-net");

    // A grant for another host, or another port of this host, does not grant this target.
    let other_host = Net::new(transport, perms(Some("example.com"), None));
    let err = expect_err(other_host.tcp(&echo.host, port).await, ErrorClass::PermissionDenied);
    assert_names(&err, &echo.host, echo.port);
    let other_port = if echo.port == 1 { 2 } else { 1 };
    let wrong_port = Net::new(transport, perms(Some(&format!("{}:{other_port}", echo.host)), None));
    let err = expect_err(wrong_port.tcp(&echo.host, port).await, ErrorClass::PermissionDenied);
    assert_names(&err, &echo.host, echo.port);

    // No lookup: a denied name that cannot resolve is PermissionDenied, not HostNotFound.
    let err = expect_err(other_host.tcp("denied.invalid", 80).await, ErrorClass::PermissionDenied);
    assert_names(&err, "denied.invalid", 80);
    let err = expect_err(
        other_host.tcp_new("denied.invalid", 80, TimeoutOpt::Seconds(waits.ok())).await,
        ErrorClass::PermissionDenied,
    );
    assert_names(&err, "denied.invalid", 80);

    // No packet: a listener of the engine itself sees no connection from a denied connect.
    let net = Net::new(transport, perms(Some("example.com"), Some("")));
    let listener = net.tcp_listen("127.0.0.1", 0).await.expect("tcp_listen");
    let lport = listener.local_port();
    let err = expect_err(net.tcp("127.0.0.1", lport.into()).await, ErrorClass::PermissionDenied);
    assert_names(&err, "127.0.0.1", lport);
    let accept_wait = if waits.simulated() { 5.0 } else { 0.5 };
    let err = expect_err(listener.accept(CallOpts::timeout(accept_wait)).await, ErrorClass::Timeout);
    assert_names(&err, "127.0.0.1", lport);
});

/// TCP-OPEN-REFUSED
in_both_worlds!(tcp_open_refused, |transport, peers| {
    let closed = peers.closed_port().await;
    let net = net_for(transport, &closed.host);
    let err = expect_err(net.tcp(&closed.host, closed.port.into()).await, ErrorClass::ConnectionRefused);
    assert_names(&err, &closed.host, closed.port);
});

/// TCP-OPEN-DNS
in_both_worlds!(tcp_open_dns_failure, |transport, peers| {
    let net = Net::new(transport, Permissions::allow_all());
    let err = expect_err(net.tcp("nothing.invalid", 80).await, ErrorClass::HostNotFound);
    assert_names(&err, "nothing.invalid", 80);
    if peers.is_simulated() {
        // A name that no simulated host registered.
        let err = expect_err(net.tcp("unregistered", 80).await, ErrorClass::HostNotFound);
        assert_names(&err, "unregistered", 80);
    }
});

/// TCP-OPEN-TIMEOUT, TCP-OPEN-NEW
in_both_worlds!(tcp_open_connect_timeout, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let hole = peers.black_hole().await;
    assert_ne!(hole.port, 0, "the world could not make a black hole");
    let net = net_for(transport, &hole.host);
    let seconds = if waits.simulated() { 10.0 } else { 0.5 };
    let started = tokio::time::Instant::now();
    let err = expect_err(
        net.tcp_new(&hole.host, hole.port.into(), TimeoutOpt::Seconds(seconds)).await,
        ErrorClass::Timeout,
    );
    let elapsed = started.elapsed().as_secs_f64();
    assert_names(&err, &hole.host, hole.port);
    assert!(elapsed >= seconds * 0.9, "timed out after {elapsed}s, before the {seconds}s timeout");
    assert!(elapsed < seconds * 3.0, "timed out after {elapsed}s, long after the {seconds}s timeout");
});

/// TCP-OPEN, TCP-OPEN-NEW, LST-OPEN, UDP-OPEN-PEER, UDP-SEND-TO (bad arguments are ArgumentErrors)
in_both_worlds!(tcp_open_bad_arguments, |transport, peers| {
    let _ = &peers;
    let net = Net::new(transport, Permissions::allow_all());
    for port in [0, -1, 65536, i64::MAX, i64::MIN] {
        let err = expect_err(net.tcp("127.0.0.1", port).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "port");
        let err = expect_err(net.udp_peer("127.0.0.1", port).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "port");
    }
    for port in [-1, 65536] {
        let err = expect_err(net.tcp_listen("127.0.0.1", port).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "port");
        let err = expect_err(net.udp_listen("127.0.0.1", port).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "port");
    }
    for host in ["", "a\0b", "a b"] {
        let err = expect_err(net.tcp(host, 80).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "host");
        let err = expect_err(net.tcp_listen(host, 0).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "host");
    }
    let udp = net.udp().await.expect("udp");
    for port in [0, -1, 65536] {
        let err = expect_err(udp.send_to(b"x", "127.0.0.1", port).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "port");
    }
    let err = expect_err(udp.send_to(b"x", "", 7).await, ErrorClass::ArgumentError);
    assert_mentions(&err, "host");
});

// ---------------------------------------------------------------------------------------------
// TCP: sending

/// TCP-SEND
in_both_worlds!(tcp_send_returns_count, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.tcp(Peer::Echo).await;
    let net = net_for(transport, &echo.host);
    let mut sock = connect(&net, &echo, waits).await;
    let message = b"partial writes allowed\n";
    let n = sock.send(message).await.expect("send");
    assert!((1..=message.len()).contains(&n), "send returned {n} for {} bytes", message.len());
    sock.send_all(&message[n..]).await.expect("send_all of the rest");
    assert_eq!(sock.send(b"").await.expect("send of nothing"), 0);
    assert_eq!(sock.recv_exact(message.len() as i64, CallOpts::default()).await.expect("echo"), &message[..]);
});

/// TCP-SEND-ALL
in_both_worlds!(tcp_send_all_64k_intact, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.tcp(Peer::Echo).await;
    let net = net_for(transport, &echo.host);
    let mut sock = connect(&net, &echo, waits).await;
    let data: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    sock.send_all(&data).await.expect("send_all");
    let back = sock.recv_exact(data.len() as i64, CallOpts::default()).await.expect("recv_exact");
    assert!(back == data, "the 64 KiB came back altered");
    sock.send_all(b"").await.expect("send_all of nothing");
    sock.shutdown(":send").await.expect("shutdown");
    assert_eq!(recv_to_end(&mut sock, waits).await, &b""[..]);
});

// ---------------------------------------------------------------------------------------------
// TCP: receiving

/// TCP-RECV, IO-EOF
in_both_worlds!(tcp_recv_at_most_max_bytes, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tcp(script(vec![send(b"hello world"), Step::Close])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    for bad in [0, -1] {
        let err = expect_err(sock.recv(bad, CallOpts::default()).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "max_bytes");
    }
    let first = sock.recv(5, CallOpts::default()).await.expect("recv");
    assert!((1..=5).contains(&first.len()), "recv(5) returned {} bytes", first.len());
    assert!(b"hello world".starts_with(&first), "recv returned {first:?}");
    let mut all = Vec::from(first);
    all.extend(recv_to_end(&mut sock, waits).await);
    assert_eq!(all, b"hello world");
});

/// IO-EOF
in_both_worlds!(io_eof_empty_only_at_end, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer =
        peers.tcp(script(vec![send(b"data"), Step::Pause(waits.pause()), send(b"more"), Step::Close])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    // The pause between the two sends is not an end of stream: recv waits through it.
    assert_eq!(recv_to_end(&mut sock, waits).await, &b"datamore"[..]);
});

/// TCP-RECV-LINE
in_both_worlds!(tcp_recv_line_keeps_newline, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tcp(script(vec![send(b"first\r\nsecond\n\nthird")])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    assert_eq!(sock.recv_line(CallOpts::default()).await.expect("line 1"), &b"first\r\n"[..]);
    assert_eq!(sock.recv_line(CallOpts::default()).await.expect("line 2"), &b"second\n"[..]);
    assert_eq!(sock.recv_line(CallOpts::default()).await.expect("empty line"), &b"\n"[..]);
    assert_eq!(sock.recv(100, CallOpts::default()).await.expect("rest"), &b"third"[..]);
});

/// TCP-RECV-LINE (a line arriving one byte at a time)
in_both_worlds!(tcp_recv_line_across_dribble, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tcp(script(vec![Step::Dribble(b"slow line\r\nnext\n".to_vec(), waits.dribble())])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    assert_eq!(sock.recv_line(CallOpts::default()).await.expect("line 1"), &b"slow line\r\n"[..]);
    assert_eq!(sock.recv_line(CallOpts::default()).await.expect("line 2"), &b"next\n"[..]);
});

/// TCP-RECV-EXACT, IO-EXACT-ZERO
in_both_worlds!(tcp_recv_exact_across_dribble, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tcp(script(vec![Step::Dribble(b"0123456789".to_vec(), waits.dribble())])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    assert_eq!(sock.recv_exact(0, CallOpts::default()).await.expect("recv_exact(0)"), &b""[..]);
    let err = expect_err(sock.recv_exact(-1, CallOpts::default()).await, ErrorClass::ArgumentError);
    assert_mentions(&err, "argument n");
    assert_eq!(sock.recv_exact(4, CallOpts::default()).await.expect("4 bytes"), &b"0123"[..]);
    assert_eq!(sock.recv_exact(6, CallOpts::default()).await.expect("6 bytes"), &b"456789"[..]);
    assert_eq!(sock.recv_exact(0, CallOpts::default()).await.expect("recv_exact(0) again"), &b""[..]);
});

/// TCP-RECV-EXACT, IO-NOTHING-LOST, IO-EOF (the peer closes before n bytes)
in_both_worlds!(tcp_recv_exact_end_of_stream_keeps_partial, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tcp(script(vec![send(b"abc"), Step::Close])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    let err = expect_err(sock.recv_exact(10, CallOpts::default()).await, ErrorClass::EndOfStream);
    assert_names(&err, &peer.host, peer.port);
    assert_eq!(sock.buffered(), 3);
    assert_eq!(sock.recv(100, CallOpts::default()).await.expect("partial bytes"), &b"abc"[..]);
    assert_eq!(sock.recv(100, CallOpts::default()).await.expect("end"), &b""[..]);
    let err = expect_err(sock.recv_exact(1, CallOpts::default()).await, ErrorClass::EndOfStream);
    assert_names(&err, &peer.host, peer.port);
    assert_eq!(sock.recv_exact(0, CallOpts::default()).await.expect("recv_exact(0) at end"), &b""[..]);
});

/// IO-LINE-EOF, IO-NOTHING-LOST
in_both_worlds!(io_line_eof_keeps_partial_line, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tcp(script(vec![send(b"whole\npartial"), Step::Close])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    assert_eq!(sock.recv_line(CallOpts::default()).await.expect("whole line"), &b"whole\n"[..]);
    let err = expect_err(sock.recv_line(CallOpts::default()).await, ErrorClass::EndOfStream);
    assert_names(&err, &peer.host, peer.port);
    let err = expect_err(sock.recv_line(CallOpts::default()).await, ErrorClass::EndOfStream);
    assert_names(&err, &peer.host, peer.port);
    assert_eq!(sock.recv(100, CallOpts::default()).await.expect("partial line"), &b"partial"[..]);
    assert_eq!(sock.recv(100, CallOpts::default()).await.expect("end"), &b""[..]);
});

/// IO-LINE-MAX, IO-NOTHING-LOST
in_both_worlds!(io_line_max_raises_without_consuming, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let hundred = vec![b'x'; 100];
    let peer = peers.tcp(script(vec![Step::Send(hundred.clone()), send(b"\n")])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    let opts = |max| CallOpts { max_length: Some(max), ..CallOpts::default() };
    for bad in [0, -1] {
        let err = expect_err(sock.recv_line(opts(bad)).await, ErrorClass::ArgumentError);
        assert_eq!(err.reason, None, "a bad max_length is not a long line: {err}");
        assert_mentions(&err, "max_length");
    }
    let err = expect_err(sock.recv_line(opts(10)).await, ErrorClass::ArgumentError);
    assert_eq!(err.reason.as_deref(), Some("line_too_long"), "{err}");
    assert_names(&err, &peer.host, peer.port);
    // The line is 101 bytes with its newline: 100 is one too few.
    let err = expect_err(sock.recv_line(opts(100)).await, ErrorClass::ArgumentError);
    assert_eq!(err.reason.as_deref(), Some("line_too_long"), "{err}");
    let mut line = hundred;
    line.push(b'\n');
    assert_eq!(sock.recv_line(CallOpts::default()).await.expect("the whole line"), line);
});

/// IO-LINE-MAX (memory stays bounded whatever the peer sends)
in_both_worlds!(io_line_max_bounds_memory, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tcp(script(vec![Step::Send(vec![b'y'; 3 << 20])])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    let err = expect_err(sock.recv_line(CallOpts::default()).await, ErrorClass::ArgumentError);
    assert_eq!(err.reason.as_deref(), Some("line_too_long"), "{err}");
    let buffered = sock.buffered();
    assert!(buffered <= (1 << 20) + (64 << 10), "{buffered} bytes buffered past a 1 MiB max_length");
    assert!(buffered >= 1 << 20, "raised with only {buffered} bytes buffered");
    let start = sock.recv_exact(1 << 20, CallOpts::default()).await.expect("the buffered bytes");
    assert!(start.iter().all(|&b| b == b'y'), "the buffered bytes were altered");
    sock.close().await;
});

/// IO-NOTHING-LOST (a timed-out recv_line or recv_exact keeps what it read)
in_both_worlds!(io_nothing_lost_on_timeout, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let steps = vec![send(b"abc"), Step::Pause(waits.pause()), send(b"def\n")];
    let peer = peers.tcp(script(steps)).await;
    let net = net_for(transport, &peer.host);

    let mut sock = connect(&net, &peer, waits).await;
    let err = expect_err(sock.recv_line(CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
    assert_names(&err, &peer.host, peer.port);
    assert_eq!(sock.buffered(), 3, "the timed-out recv_line should have buffered \"abc\"");
    assert_eq!(sock.recv_line(CallOpts::timeout(waits.ok())).await.expect("the line"), &b"abcdef\n"[..]);

    let mut sock = connect(&net, &peer, waits).await;
    let err = expect_err(sock.recv_exact(7, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
    assert_names(&err, &peer.host, peer.port);
    assert_eq!(sock.buffered(), 3, "the timed-out recv_exact should have buffered \"abc\"");
    assert_eq!(sock.recv_exact(7, CallOpts::timeout(waits.ok())).await.expect("7 bytes"), &b"abcdef\n"[..]);

    // A timed-out recv consumes nothing either.
    let mut sock = connect(&net, &peer, waits).await;
    assert_eq!(sock.recv_exact(3, CallOpts::timeout(waits.ok())).await.expect("abc"), &b"abc"[..]);
    let err = expect_err(sock.recv(10, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
    assert_names(&err, &peer.host, peer.port);
    assert_eq!(sock.recv_line(CallOpts::timeout(waits.ok())).await.expect("rest"), &b"def\n"[..]);
});

/// TCP-PROP-TIMEOUT, IO-TIMEOUT-DEFAULT
in_both_worlds!(tcp_prop_timeout, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let steps =
        vec![Step::Pause(waits.pause()), send(b"late\n"), Step::Pause(waits.pause()), send(b"later\n")];
    let peer = peers.tcp(script(steps)).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;

    sock.set_timeout(Some(2.5)).expect("set 2.5");
    assert_eq!(sock.timeout(), Some(2.5));
    sock.set_timeout(None).expect("set nil");
    assert_eq!(sock.timeout(), None);
    sock.set_timeout(Some(2.5)).expect("set 2.5 again");
    for bad in [-1.0, f64::NAN] {
        let err = expect_err(sock.set_timeout(Some(bad)), ErrorClass::ArgumentError);
        assert_mentions(&err, "timeout");
        assert_eq!(sock.timeout(), Some(2.5), "a rejected timeout changed the socket's");
    }
    for bad in [-1.0, f64::NAN] {
        let err = expect_err(sock.recv(10, CallOpts::timeout(bad)).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "timeout");
    }

    // The socket's own timeout applies to a call without one.
    sock.set_timeout(Some(waits.brief())).expect("set brief");
    let err = expect_err(sock.recv(10, CallOpts::default()).await, ErrorClass::Timeout);
    assert_names(&err, &peer.host, peer.port);
    // A per-call timeout overrides the socket's short one...
    assert_eq!(sock.recv_line(CallOpts::timeout(waits.ok())).await.expect("late line"), &b"late\n"[..]);
    // ...and so does a per-call nil (forever).
    let forever = CallOpts { timeout: TimeoutOpt::Forever, ..CallOpts::default() };
    assert_eq!(sock.recv_line(forever).await.expect("later line"), &b"later\n"[..]);
    // A per-call timeout also overrides a socket that waits forever.
    sock.set_timeout(None).expect("set nil");
    let err = expect_err(sock.recv(10, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
    assert_names(&err, &peer.host, peer.port);
});

// ---------------------------------------------------------------------------------------------
// TCP: closing, shutdown, reset

/// TCP-CLOSE, IO-CLOSE-IDEMPOTENT, TCP-PROP-CONNECTED
in_both_worlds!(tcp_close_idempotent_then_closed, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.tcp(Peer::Echo).await;
    let net = net_for(transport, &echo.host);
    let mut sock = connect(&net, &echo, waits).await;
    assert!(sock.is_connected());
    sock.close().await;
    assert!(!sock.is_connected());
    sock.close().await;
    assert!(!sock.is_connected());
    let errors = [
        expect_err(sock.send(b"x").await, ErrorClass::Closed),
        expect_err(sock.send_all(b"x").await, ErrorClass::Closed),
        expect_err(sock.recv(10, CallOpts::default()).await, ErrorClass::Closed),
        expect_err(sock.recv_line(CallOpts::default()).await, ErrorClass::Closed),
        expect_err(sock.recv_exact(1, CallOpts::default()).await, ErrorClass::Closed),
        expect_err(sock.recv_exact(0, CallOpts::default()).await, ErrorClass::Closed),
        expect_err(sock.shutdown(":send").await, ErrorClass::Closed),
        expect_err(sock.shutdown(":recv").await, ErrorClass::Closed),
        expect_err(sock.shutdown(":both").await, ErrorClass::Closed),
    ];
    for err in &errors {
        assert_names(err, &echo.host, echo.port);
    }
});

/// TCP-CLOSE (the peer sees the close as end of stream)
in_both_worlds!(tcp_close_ends_the_peers_stream, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let net = Net::new(transport, perms(Some("127.0.0.1"), Some("")));
    let listener = net.tcp_listen("127.0.0.1", 0).await.expect("tcp_listen");
    let (client, accepted) = tokio::join!(
        net.tcp_new("127.0.0.1", listener.local_port().into(), TimeoutOpt::Seconds(waits.ok())),
        listener.accept(CallOpts::timeout(waits.ok())),
    );
    let mut client = client.expect("connect");
    let mut accepted = accepted.expect("accept");
    client.send_all(b"bye").await.expect("send_all");
    client.close().await;
    assert_eq!(
        accepted.recv_exact(3, CallOpts::timeout(waits.ok())).await.expect("bytes before close"),
        &b"bye"[..]
    );
    assert_eq!(accepted.recv(10, CallOpts::timeout(waits.ok())).await.expect("end"), &b""[..]);
});

/// TCP-SHUTDOWN, IO-SHUTDOWN-READ (`:send`: the peer reads end of stream, this side still receives)
in_both_worlds!(tcp_shutdown_send_still_receives, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.tcp(Peer::Echo).await;
    let net = net_for(transport, &echo.host);
    let mut sock = connect(&net, &echo, waits).await;
    sock.send_all(b"ping\n").await.expect("send_all");
    sock.shutdown(":send").await.expect("shutdown(:send)");
    assert!(sock.is_connected(), "a half-closed socket is still open");
    // The echo peer reads end of stream, echoes, then closes: we still receive it all.
    assert_eq!(recv_to_end(&mut sock, waits).await, &b"ping\n"[..]);
    let err = expect_err(sock.send(b"x").await, ErrorClass::Closed);
    assert_names(&err, &echo.host, echo.port);
    let err = expect_err(sock.send_all(b"x").await, ErrorClass::Closed);
    assert_names(&err, &echo.host, echo.port);
    sock.shutdown(":send").await.expect("shutdown(:send) twice");
    sock.close().await;
});

/// TCP-SHUTDOWN, IO-SHUTDOWN-READ (`:recv`, `:both`, and a bad direction)
in_both_worlds!(tcp_shutdown_recv_and_both, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tcp(script(vec![send(b"unread\n")])).await;
    let net = net_for(transport, &peer.host);

    let mut sock = connect(&net, &peer, waits).await;
    for bad in ["sideways", ":sideways", "", "SEND"] {
        let err = expect_err(sock.shutdown(bad).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "direction");
    }
    assert!(sock.is_connected(), "a bad direction changed nothing");
    // Let the peer's bytes arrive and be buffered (recv reads a whole chunk and returns one
    // byte): shutdown(:recv) discards them too.
    assert_eq!(sock.recv(1, CallOpts::timeout(waits.ok())).await.expect("1 byte"), &b"u"[..]);
    assert_eq!(sock.buffered(), 6, "the rest of the peer's one write should be buffered");
    sock.shutdown(":recv").await.expect("shutdown(:recv)");
    assert_eq!(sock.recv(10, CallOpts::timeout(waits.ok())).await.expect("recv after :recv"), &b""[..]);
    assert_eq!(sock.recv(10, CallOpts::timeout(waits.ok())).await.expect("recv again"), &b""[..]);
    expect_err(sock.recv_line(CallOpts::timeout(waits.ok())).await, ErrorClass::EndOfStream);
    expect_err(sock.recv_exact(1, CallOpts::timeout(waits.ok())).await, ErrorClass::EndOfStream);
    // Sending still works after shutdown(:recv).
    sock.send_all(b"still sending").await.expect("send after shutdown(:recv)");
    sock.close().await;

    let mut sock = connect(&net, &peer, waits).await;
    sock.shutdown(":both").await.expect("shutdown(:both)");
    assert_eq!(sock.recv(10, CallOpts::timeout(waits.ok())).await.expect("recv after :both"), &b""[..]);
    let err = expect_err(sock.send(b"x").await, ErrorClass::Closed);
    assert_names(&err, &peer.host, peer.port);
    sock.close().await;
    sock.close().await;
});

/// TCP-RECV (ConnectionReset: the peer closes with our bytes unread)
in_both_worlds!(tcp_recv_connection_reset, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tcp(script(vec![Step::Recv(1), Step::Close])).await;
    let net = net_for(transport, &peer.host);
    let mut sock = connect(&net, &peer, waits).await;
    sock.send_all(b"0123456789").await.expect("send_all");
    let err = expect_err(sock.recv(100, CallOpts::timeout(waits.ok())).await, ErrorClass::ConnectionReset);
    assert_names(&err, &peer.host, peer.port);
});

// ---------------------------------------------------------------------------------------------
// Listener

/// LST-OPEN, LST-LOCAL-HOST, LST-LOCAL-PORT
in_both_worlds!(lst_open_local_host_and_port, |transport, peers| {
    let net = Net::new(transport, perms(None, Some("")));
    let mut listener = net.tcp_listen("127.0.0.1", 0).await.expect("tcp_listen");
    assert_eq!(listener.local_host(), "127.0.0.1");
    assert_ne!(listener.local_port(), 0);
    listener.close();
    if peers.is_simulated() {
        // Only in sim: in real this would listen on every interface of the machine.
        let any = net.tcp_listen("0.0.0.0", 0).await.expect("tcp_listen on 0.0.0.0");
        assert_eq!(any.local_host(), "0.0.0.0");
        assert_ne!(any.local_port(), 0);
    }
});

/// LST-ACCEPT, TCP-ACCEPTED, TCP-PROP-HOST, TCP-PROP-PORT, TCP-PROP-LOCAL-PORT, IO-TIMEOUT-DEFAULT
in_both_worlds!(lst_accept_returns_full_tcp_socket, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let net = Net::new(transport, perms(Some("127.0.0.1"), Some("")));
    let listener = net.tcp_listen("127.0.0.1", 0).await.expect("tcp_listen");
    let lport = listener.local_port();
    let (client, accepted) = tokio::join!(
        net.tcp_new("127.0.0.1", lport.into(), TimeoutOpt::Seconds(waits.ok())),
        listener.accept(CallOpts::default()),
    );
    let mut client = client.expect("connect to own listener");
    let mut accepted = accepted.expect("accept");
    assert_eq!(accepted.host(), "127.0.0.1");
    assert_eq!(accepted.port(), client.local_port());
    assert_eq!(accepted.local_port(), lport);
    assert_eq!(accepted.local_host(), "127.0.0.1");
    assert_eq!(accepted.timeout(), Some(30.0));
    assert!(accepted.is_connected());
    assert_eq!(client.port(), lport);

    client.send_all(b"hello server\nand more").await.expect("client send_all");
    assert_eq!(
        accepted.recv_line(CallOpts::timeout(waits.ok())).await.expect("server recv_line"),
        &b"hello server\n"[..]
    );
    assert_eq!(
        accepted.recv_exact(8, CallOpts::timeout(waits.ok())).await.expect("server recv_exact"),
        &b"and more"[..]
    );
    let n = accepted.send(b"hello client\n").await.expect("server send");
    assert!((1..=13).contains(&n));
    accepted.send_all(&b"hello client\n"[n..]).await.expect("server send_all");
    assert_eq!(
        client.recv_line(CallOpts::timeout(waits.ok())).await.expect("client recv_line"),
        &b"hello client\n"[..]
    );
    accepted.shutdown(":send").await.expect("server shutdown(:send)");
    assert_eq!(client.recv(10, CallOpts::timeout(waits.ok())).await.expect("client sees end"), &b""[..]);
    client.send_all(b"after").await.expect("client still sends");
    assert_eq!(
        accepted.recv_exact(5, CallOpts::timeout(waits.ok())).await.expect("server still receives"),
        &b"after"[..]
    );
    accepted.close().await;
    accepted.close().await;
    let err = expect_err(accepted.recv(1, CallOpts::default()).await, ErrorClass::Closed);
    assert_names(&err, "127.0.0.1", client.local_port());
    client.close().await;
});

/// IO-ACCEPT-TIMEOUT
in_both_worlds!(io_accept_timeout, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let net = Net::new(transport, perms(None, Some("")));
    let listener = net.tcp_listen("127.0.0.1", 0).await.expect("tcp_listen");
    let lport = listener.local_port();
    let err = expect_err(
        listener.accept(CallOpts::timeout(if waits.simulated() { 2.0 } else { 0.3 })).await,
        ErrorClass::Timeout,
    );
    assert_names(&err, "127.0.0.1", lport);
    for bad in [-1.0, f64::NAN] {
        let err = expect_err(listener.accept(CallOpts::timeout(bad)).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "timeout");
    }
    // With no timeout, accept waits forever: it is still waiting after a while (in sim, past
    // the 30 s default of the sockets, which accept must not inherit; simulated seconds cost
    // real time in turmoil's steps, so the waits stay below a minute).
    let patience = Duration::from_secs_f64(if waits.simulated() { 40.0 } else { 1.0 });
    let still_waiting = tokio::time::timeout(patience, listener.accept(CallOpts::default())).await;
    assert!(still_waiting.is_err(), "accept without a timeout returned");
    let forever = CallOpts { timeout: TimeoutOpt::Forever, ..CallOpts::default() };
    let patience = Duration::from_secs_f64(if waits.simulated() { 5.0 } else { 0.3 });
    let still_waiting = tokio::time::timeout(patience, listener.accept(forever)).await;
    assert!(still_waiting.is_err(), "accept with timeout nil returned");
});

/// LST-CLOSE, IO-CLOSE-IDEMPOTENT
in_both_worlds!(lst_close_refuses_further_connections, |transport, peers| {
    let _ = &peers;
    let net = Net::new(transport, perms(Some("127.0.0.1"), Some("")));
    let mut listener = net.tcp_listen("127.0.0.1", 0).await.expect("tcp_listen");
    let lport = listener.local_port();
    listener.close();
    listener.close();
    let err = expect_err(listener.accept(CallOpts::timeout(1.0)).await, ErrorClass::Closed);
    assert_names(&err, "127.0.0.1", lport);
    let err = expect_err(listener.accept(CallOpts::default()).await, ErrorClass::Closed);
    assert_names(&err, "127.0.0.1", lport);
    let err = expect_err(net.tcp("127.0.0.1", lport.into()).await, ErrorClass::ConnectionRefused);
    assert_names(&err, "127.0.0.1", lport);
    // Properties stay readable after close.
    assert_eq!(listener.local_host(), "127.0.0.1");
    assert_eq!(listener.local_port(), lport);
});

/// LST-PERM, PERM-SEPARATE, PERM-DEFAULT-DENY, PERM-ERROR
in_both_worlds!(lst_perm_needs_listen_grant, |transport, peers| {
    let echo = peers.tcp(Peer::Echo).await;

    let none = Net::new(transport, Permissions::deny_all());
    let err = expect_err(none.tcp_listen("127.0.0.1", 0).await, ErrorClass::PermissionDenied);
    assert_names(&err, "127.0.0.1", 0);
    assert_mentions(&err, "--allow-listen");

    // --allow-net, even bare, never allows listening.
    for net_flag in ["", "127.0.0.1", "*.example.com,127.0.0.1:1-65535"] {
        let net = Net::new(transport, perms(Some(net_flag), None));
        let err = expect_err(net.tcp_listen("127.0.0.1", 0).await, ErrorClass::PermissionDenied);
        assert_mentions(&err, "--allow-listen");
    }

    // --allow-listen, even bare, never allows connecting.
    let listen_only = Net::new(transport, perms(None, Some("")));
    let err = expect_err(listen_only.tcp(&echo.host, echo.port.into()).await, ErrorClass::PermissionDenied);
    assert_names(&err, &echo.host, echo.port);
    assert_mentions(&err, "--allow-net");
    let err = expect_err(listen_only.tcp("127.0.0.1", 1).await, ErrorClass::PermissionDenied);
    assert_mentions(&err, "--allow-net");
    let listener =
        listen_only.tcp_listen("127.0.0.1", 0).await.expect("a bare --allow-listen allows listening");
    let err = expect_err(
        listen_only.tcp("127.0.0.1", listener.local_port().into()).await,
        ErrorClass::PermissionDenied,
    );
    assert_names(&err, "127.0.0.1", listener.local_port());

    // A port entry grants that port only.
    let port_zero = Net::new(transport, perms(None, Some("0")));
    port_zero.tcp_listen("127.0.0.1", 0).await.expect("--allow-listen=0 allows port 0");
    let other = Net::new(transport, perms(None, Some("5000")));
    let err = expect_err(other.tcp_listen("127.0.0.1", 0).await, ErrorClass::PermissionDenied);
    assert_names(&err, "127.0.0.1", 0);
});

/// LST-OPEN (AddressInUse: listening twice on one port)
in_both_worlds!(lst_open_address_in_use, |transport, peers| {
    let _ = &peers;
    let net = Net::new(transport, perms(None, Some("")));
    let first = net.tcp_listen("127.0.0.1", 0).await.expect("tcp_listen");
    let port = first.local_port();
    let err = expect_err(net.tcp_listen("127.0.0.1", port.into()).await, ErrorClass::AddressInUse);
    assert_names(&err, "127.0.0.1", port);
    assert_eq!(first.local_port(), port, "the first listener is unharmed");
});

// ---------------------------------------------------------------------------------------------
// UDP

/// UDP-OPEN, UDP-SEND-TO, UDP-RECV-FROM, IO-TIMEOUT-DEFAULT
in_both_worlds!(udp_open_send_to_recv_from, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.udp_echo().await;
    let net = net_for(transport, &echo.host);
    let sock = net.udp().await.expect("udp");
    assert_ne!(sock.local_port(), 0);
    assert_eq!(sock.timeout(), Some(30.0));
    assert_eq!(sock.send_to(b"ping", &echo.host, echo.port.into()).await.expect("send_to"), 4);
    let datagram = sock.recv_from(100, CallOpts::timeout(waits.ok())).await.expect("recv_from");
    assert_eq!(datagram.bytes, b"ping");
    assert_eq!(datagram.port, echo.port);
    let ip: IpAddr = datagram.host.parse().expect("recv_from's host is an IP");
    assert_eq!(ip.to_string(), server_ip(&peers));
    for bad in [0, -1] {
        let err = expect_err(sock.recv_from(bad, CallOpts::default()).await, ErrorClass::ArgumentError);
        assert_mentions(&err, "max_bytes");
    }
    let err = expect_err(sock.recv_from(100, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
    assert_mentions(&err, &sock.local_port().to_string());
});

/// UDP-OPEN-PEER, UDP-SEND, UDP-RECV
in_both_worlds!(udp_open_peer_send_recv, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.udp_echo().await;
    let net = net_for(transport, &echo.host);
    let sock = net.udp_peer(&echo.host, echo.port.into()).await.expect("udp with a peer");
    assert_ne!(sock.local_port(), 0);
    assert_eq!(sock.send(b"hi there").await.expect("send"), 8);
    assert_eq!(sock.recv(100, CallOpts::timeout(waits.ok())).await.expect("recv"), &b"hi there"[..]);
    // send_to still works on a socket with a default peer.
    assert_eq!(sock.send_to(b"to", &echo.host, echo.port.into()).await.expect("send_to"), 2);
    let datagram = sock.recv_from(100, CallOpts::timeout(waits.ok())).await.expect("recv_from");
    assert_eq!(datagram.bytes, b"to");
    assert_eq!(datagram.port, echo.port);
});

/// UDP-SEND (send without a default peer is an ArgumentError)
in_both_worlds!(udp_send_needs_default_peer, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.udp_echo().await;
    let net = net_for(transport, &echo.host);
    let sock = net.udp().await.expect("udp");
    let err = expect_err(sock.send(b"nowhere").await, ErrorClass::ArgumentError);
    assert_mentions(&err, "peer");
    // Nothing was sent anywhere.
    expect_err(sock.recv(100, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
});

/// IO-UDP-PEER-FILTER
in_both_worlds!(io_udp_peer_filter, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.udp_echo().await;
    let net = Net::new(transport, perms(Some(&format!("{},127.0.0.1", echo.host)), None));
    let filtered = net.udp_peer(&echo.host, echo.port.into()).await.expect("udp with a peer");
    let intruder = net.udp().await.expect("udp");
    let n = intruder.send_to(b"intruder", "127.0.0.1", filtered.local_port().into()).await.expect("send_to");
    assert_eq!(n, 8);
    assert_eq!(filtered.send(b"from peer").await.expect("send"), 9);
    assert_eq!(
        filtered.recv(100, CallOpts::timeout(waits.ok())).await.expect("the peer's datagram"),
        &b"from peer"[..]
    );
    // The intruder's datagram was dropped, not kept for later.
    let err = expect_err(filtered.recv(100, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
    assert_mentions(&err, &filtered.local_port().to_string());
    // A socket without a default peer does receive from any sender.
    let open = net.udp().await.expect("udp");
    intruder.send_to(b"hello", "127.0.0.1", open.local_port().into()).await.expect("send_to");
    let datagram = open.recv_from(100, CallOpts::timeout(waits.ok())).await.expect("recv_from");
    assert_eq!(datagram.bytes, b"hello");
    assert_eq!(datagram.port, intruder.local_port());
});

/// UDP-DATAGRAM
in_both_worlds!(udp_datagram_boundaries_kept, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.udp_echo().await;
    let net = net_for(transport, &echo.host);
    let sock = net.udp().await.expect("udp");
    let port = i64::from(echo.port);
    assert_eq!(sock.send_to(b"one", &echo.host, port).await.expect("send_to one"), 3);
    assert_eq!(sock.send_to(b"second", &echo.host, port).await.expect("send_to second"), 6);
    let mut got = vec![
        sock.recv(100, CallOpts::timeout(waits.ok())).await.expect("first datagram"),
        sock.recv(100, CallOpts::timeout(waits.ok())).await.expect("second datagram"),
    ];
    got.sort();
    assert_eq!(got, vec![b"one".to_vec(), b"second".to_vec()]);
    expect_err(sock.recv(100, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
});

/// IO-UDP-TRUNCATE
in_both_worlds!(io_udp_truncate_discards_rest, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.udp_echo().await;
    let net = net_for(transport, &echo.host);
    let sock = net.udp().await.expect("udp");
    let datagram: Vec<u8> = (0..100).collect();
    assert_eq!(sock.send_to(&datagram, &echo.host, echo.port.into()).await.expect("send_to"), 100);
    assert_eq!(sock.recv(10, CallOpts::timeout(waits.ok())).await.expect("truncated"), &datagram[..10]);
    let err = expect_err(sock.recv(100, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
    assert_mentions(&err, &sock.local_port().to_string());
    // recv_from truncates the same way.
    sock.send_to(&datagram, &echo.host, echo.port.into()).await.expect("send_to again");
    let cut = sock.recv_from(1, CallOpts::timeout(waits.ok())).await.expect("recv_from");
    assert_eq!(cut.bytes, [0u8]);
    assert_eq!(cut.port, echo.port);
    expect_err(sock.recv_from(100, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
});

/// UDP-LISTEN, UDP-PERM-LISTEN, PERM-SEPARATE
in_both_worlds!(udp_listen_bound_and_permitted, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let none = Net::new(transport, Permissions::deny_all());
    let err = expect_err(none.udp_listen("127.0.0.1", 0).await, ErrorClass::PermissionDenied);
    assert_names(&err, "127.0.0.1", 0);
    assert_mentions(&err, "--allow-listen");
    let net_only = Net::new(transport, Permissions::from_flags(Some(""), None).expect("flags"));
    let err = expect_err(net_only.udp_listen("127.0.0.1", 0).await, ErrorClass::PermissionDenied);
    assert_mentions(&err, "--allow-listen");
    let wrong_port = Net::new(transport, perms(None, Some("5000")));
    expect_err(wrong_port.udp_listen("127.0.0.1", 0).await, ErrorClass::PermissionDenied);

    let net = Net::new(transport, perms(Some("127.0.0.1"), Some("")));
    let listening = net.udp_listen("127.0.0.1", 0).await.expect("udp_listen");
    let port = listening.local_port();
    assert_ne!(port, 0);
    assert_eq!(listening.local_host(), "127.0.0.1");
    let sender = net.udp().await.expect("udp");
    sender.send_to(b"to the listener", "127.0.0.1", port.into()).await.expect("send_to");
    let datagram = listening.recv_from(100, CallOpts::timeout(waits.ok())).await.expect("recv_from");
    assert_eq!(datagram.bytes, b"to the listener");
    assert_eq!(datagram.port, sender.local_port());
    assert_eq!(datagram.host, "127.0.0.1");
    // And it can answer the sender.
    listening.send_to(b"answer", &datagram.host, datagram.port.into()).await.expect("answer");
    assert_eq!(sender.recv(100, CallOpts::timeout(waits.ok())).await.expect("answer"), &b"answer"[..]);
    // A second bind of the same port is AddressInUse.
    let err = expect_err(net.udp_listen("127.0.0.1", port.into()).await, ErrorClass::AddressInUse);
    assert_names(&err, "127.0.0.1", port);
});

/// UDP-PERM-SEND, PERM-UDP-PEER, PERM-BEFORE-IO, PERM-ERROR
in_both_worlds!(udp_perm_send_and_peer, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.udp_echo().await;
    let port = i64::from(echo.port);
    let other_port = if echo.port == 1 { 2 } else { 1 };
    // The echo's host is granted, but on another port only.
    let net = Net::new(transport, perms(Some(&format!("{}:{other_port}", echo.host)), None));
    let sock = net.udp().await.expect("udp needs no grant");
    let err = expect_err(sock.send_to(b"denied", &echo.host, port).await, ErrorClass::PermissionDenied);
    assert_names(&err, &echo.host, echo.port);
    assert_mentions(&err, "--allow-net");
    // No packet left: the echo would have answered.
    expect_err(sock.recv(100, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
    // A denied name that cannot resolve: PermissionDenied, no lookup.
    let err = expect_err(sock.send_to(b"x", "denied.invalid", 53).await, ErrorClass::PermissionDenied);
    assert_names(&err, "denied.invalid", 53);

    // The default peer is checked at construction.
    let err = expect_err(net.udp_peer(&echo.host, port).await, ErrorClass::PermissionDenied);
    assert_names(&err, &echo.host, echo.port);
    let err = expect_err(net.udp_peer("denied.invalid", 53).await, ErrorClass::PermissionDenied);
    assert_names(&err, "denied.invalid", 53);
    let none = Net::new(transport, Permissions::deny_all());
    let err = expect_err(none.udp_peer(&echo.host, port).await, ErrorClass::PermissionDenied);
    assert_names(&err, &echo.host, echo.port);

    // A peer socket still checks each send_to target.
    let granted = Net::new(transport, perms(Some(&format!("{}:{}", echo.host, echo.port)), None));
    let peer_sock = granted.udp_peer(&echo.host, port).await.expect("granted peer");
    let err = expect_err(
        peer_sock.send_to(b"x", &echo.host, other_port.into()).await,
        ErrorClass::PermissionDenied,
    );
    assert_names(&err, &echo.host, other_port);
    assert_eq!(peer_sock.send(b"ok").await.expect("send to the granted peer"), 2);
    assert_eq!(peer_sock.recv(100, CallOpts::timeout(waits.ok())).await.expect("echo"), &b"ok"[..]);
});

/// UDP-CLOSE, IO-CLOSE-IDEMPOTENT
in_both_worlds!(udp_close_idempotent_then_closed, |transport, peers| {
    let echo = peers.udp_echo().await;
    let net = net_for(transport, &echo.host);
    let port = i64::from(echo.port);
    let mut sock = net.udp().await.expect("udp");
    sock.close();
    sock.close();
    expect_err(sock.send_to(b"x", &echo.host, port).await, ErrorClass::Closed);
    expect_err(sock.recv(10, CallOpts::default()).await, ErrorClass::Closed);
    expect_err(sock.recv_from(10, CallOpts::default()).await, ErrorClass::Closed);

    let mut peer_sock = net.udp_peer(&echo.host, port).await.expect("udp with a peer");
    peer_sock.close();
    peer_sock.close();
    expect_err(peer_sock.send(b"x").await, ErrorClass::Closed);
    expect_err(peer_sock.recv(10, CallOpts::default()).await, ErrorClass::Closed);
});
