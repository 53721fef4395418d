//! LST-ACCEPT and TCP-ACCEPTED: accept and the sockets it returns.

use crate::body;
use crate::cases::support::{dial_addr, dialed, listening};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Property, Request, Value};
use crate::peers::Step;
use crate::script::{Failure, expect, expect_bytes, expect_eq};

use super::LISTEN;

pub const RECEIVES_DIALER_BYTES: Case = Case {
    id: "listener.accept.receives_dialer_bytes",
    clauses: &["LST-ACCEPT", "TCP-ACCEPTED"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "accept returns a tcp socket handle; recv_line on it returns the dialer's \"ping\\n\" and the dialer reads the \"pong\\n\" sent back",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        let dialer =
            ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"ping\n".to_vec()), Step::RecvToEnd]);
        let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
        expect(sock != listener, || format!("accept returned the listener's own handle {sock}"))?;
        expect_bytes("the dialer's line", engine.recv_line(sock).await?, b"ping\n")?;
        engine.send_all(sock, b"pong\n").await?;
        engine.close(sock).await?;
        expect_bytes("what the dialer read", dialed(dialer.await)?, b"pong\n")?;
        engine.close(listener).await
    }),
};

pub const PEER_HOST: Case = Case {
    id: "listener.accept.peer_host",
    clauses: &[
        "TCP-ACCEPTED",
        "TCP-PROP-HOST",
        "TCP-PROP-PORT",
        "TCP-PROP-LOCAL-PORT",
        "TCP-PROP-CONNECTED",
        "DEC-ADDRESS-TEXT",
    ],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "the accepted socket's .host is the dialer's IP (127.0.0.1 in real; another host's IP in sim), .port 1..65535, .local_port the listener's port, .connected? true",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        let dialer = ctx.peers.dial(dial_addr(&ctx, port), vec![Step::RecvToEnd]);
        let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
        let host = engine.get(sock, Property::Host).await?;
        let ip = match &host {
            Value::Str(text) => text.parse::<std::net::IpAddr>().ok(),
            _ => None,
        };
        let Some(ip) = ip else {
            return Err(Failure::mismatch(".host of the accepted socket", "the dialer's IP", host));
        };
        if ctx.peers.is_simulated() {
            // The dialer is another simulated host: its address is neither unspecified, loopback,
            // nor the engine's own.
            let local = engine.get(sock, Property::LocalHost).await?;
            expect(!ip.is_unspecified() && !ip.is_loopback() && Value::Str(ip.to_string()) != local, || {
                format!(
                    ".host of the accepted socket: expected the dialing host's IP, got {ip} (local {local})"
                )
            })?;
        } else {
            expect_eq(".host of the accepted socket", host, Value::Str("127.0.0.1".into()))?;
        }
        let remote_port = engine.get(sock, Property::Port).await?;
        expect(matches!(remote_port, Value::Int(1..=65535)), || {
            format!(".port of the accepted socket: expected 1..65535, got {remote_port}")
        })?;
        if !ctx.peers.is_simulated() {
            // On one IP, the dialer's port cannot be the listener's. (Simulated hosts each number
            // their ephemeral ports from the same start, so there it may coincide.)
            expect(remote_port != Value::Int(port.into()), || {
                format!(".port of the accepted socket is the listener's port {port}, not the dialer's")
            })?;
        }
        expect_eq(
            ".local_port of the accepted socket",
            engine.get(sock, Property::LocalPort).await?,
            Value::Int(port.into()),
        )?;
        expect_eq(".connected?", engine.get(sock, Property::Connected).await?, Value::Bool(true))?;
        engine.close(sock).await?;
        dialed(dialer.await)?;
        engine.close(listener).await
    }),
};

pub const DEFAULT_TIMEOUT: Case = Case {
    id: "listener.accept.default_timeout",
    clauses: &["IO-TIMEOUT-DEFAULT", "TCP-ACCEPTED", "DEC-ACCEPTED-TIMEOUT"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "a socket returned by accept starts with .timeout 30.0",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
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
    }),
};

pub const FULL_SOCKET: Case = Case {
    id: "listener.accept.full_socket",
    clauses: &["TCP-ACCEPTED", "TCP-RECV-EXACT", "TCP-SEND", "TCP-SHUTDOWN"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "the accepted socket supports recv_exact (\"12345\"), send (returns 1..=2 for \"ok\", the rest sent \
        again) and shutdown(:send) (the dialer then reads exactly \"ok\" and end of stream)",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        let dialer =
            ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"12345".to_vec()), Step::RecvToEnd]);
        let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
        engine
            .expect_bytes("recv_exact(5)", Request::recv_exact(sock, 5, CallOpts::default()), b"12345")
            .await?;
        // A send returns 1..=n (TCP-SEND): what it did not take is sent again.
        let count = engine.int(Request::send(sock, b"ok")).await?;
        expect((1..=2).contains(&count), || format!("send of 2 bytes returned {count}"))?;
        if count == 1 {
            expect_eq("the second send's count", engine.int(Request::send(sock, b"k")).await?, 1)?;
        }
        engine.nil(Request::shutdown(sock, ":send")).await?;
        // The dialer reads to end of stream while the socket is still open: shutdown sent the FIN.
        expect_bytes("what the dialer read", dialed(dialer.await)?, b"ok")?;
        engine.close(sock).await?;
        engine.close(listener).await
    }),
};

pub const DIALER_CLOSES_HALFWAY: Case = Case {
    id: "listener.accept.dialer_closes_halfway",
    clauses: &["TCP-ACCEPTED", "IO-LINE-EOF", "IO-EOF"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "a dialer that sends \"half\" and closes: recv_line on the accepted socket raises EndOfStream, recv then returns \"half\", then \"\"",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        let dialer = ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"half".to_vec()), Step::Close]);
        let sock = engine.handle(Request::accept(listener, CallOpts::default())).await?;
        dialed(dialer.await)?;
        engine.raises(Request::recv_line(sock, CallOpts::default()), "EndOfStream").await?;
        engine.expect_bytes("recv after the failed recv_line", Request::recv(sock, 100), b"half").await?;
        engine.expect_bytes("recv at end of stream", Request::recv(sock, 100), b"").await?;
        engine.close(sock).await?;
        engine.close(listener).await
    }),
};

pub const TWO_DIALERS: Case = Case {
    id: "listener.accept.two_dialers",
    clauses: &["LST-ACCEPT", "TCP-ACCEPTED"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "two dialers waiting at once are returned by two accepts as two distinct sockets, each reading only its own dialer's line",
    run: body!(async |ctx| {
        let (mut engine, listener, port) = listening(&ctx, "0").await?;
        let first =
            ctx.peers.dial(dial_addr(&ctx, port), vec![Step::Send(b"first\n".to_vec()), Step::RecvToEnd]);
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
    }),
};
