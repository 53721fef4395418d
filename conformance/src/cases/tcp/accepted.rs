//! TCP-ACCEPTED: the sockets a listener accepts.

use crate::body;
use crate::cases::support::{dial_addr, dialed, listening, local_ip, recv_opts, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Property, Request, Value};
use crate::peers::Step;
use crate::script::{Failure, expect, expect_bytes, expect_eq, quoted};
use crate::waits::Waits;

use super::TCP_LISTEN;

pub const FULL_SOCKET: Case = Case {
    id: "tcp.accepted.full_socket",
    clauses: &[
        "TCP-ACCEPTED",
        "TCP-PROP-LOCAL-PORT",
        "TCP-PROP-CONNECTED",
        "IO-TIMEOUT-DEFAULT",
        "DEC-ACCEPTED-TIMEOUT",
    ],
    level: Must,
    needs: TCP_LISTEN,
    worlds: Both,
    description: "a socket accepted from a dialing peer has timeout 30, connected? true, the listener's local port, and does recv_line, recv_exact, send, send_all, shutdown and recv",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, listener, port) = listening(&ctx, "").await?;
        let addr = dial_addr(&ctx, port);
        let dialer =
            ctx.peers.dial(addr, vec![send(b"hello server\r\nand more"), Step::Recv(13), Step::RecvToEnd]);
        let sock = engine.handle(Request::accept(listener, waits.ok_opts())).await?;
        expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Float(30.0))?;
        expect_eq(".connected?", engine.get(sock, Property::Connected).await?, Value::Bool(true))?;
        expect_eq(".local_port", engine.get(sock, Property::LocalPort).await?, Value::Int(port.into()))?;
        engine
            .expect_bytes("recv_line", Request::recv_line(sock, waits.ok_opts()), b"hello server\r\n")
            .await?;
        engine
            .expect_bytes("recv_exact(8)", Request::recv_exact(sock, 8, waits.ok_opts()), b"and more")
            .await?;
        let reply = b"hello client\n";
        let n = engine.int(Request::send(sock, reply)).await?;
        expect((1..=13).contains(&n), || format!("send returned {n} for 13 bytes"))?;
        engine.send_all(sock, &reply[n as usize..]).await?;
        engine.nil(Request::shutdown(sock, ":send")).await?;
        // The dialer reads our end of stream, then hangs up: we read its end of stream.
        engine
            .expect_bytes("recv after the dialer hung up", recv_opts(sock, 100, waits.ok_opts()), b"")
            .await?;
        engine.close(sock).await?;
        let read = dialed(dialer.await)?;
        expect_bytes("what the dialer read", read, reply)
    }),
};

pub const PROPERTIES: Case = Case {
    id: "tcp.accepted.properties",
    clauses: &["TCP-ACCEPTED", "TCP-PROP-HOST", "TCP-PROP-PORT", "TCP-PROP-LOCAL-HOST", "DEC-HOST-AS-NAMED"],
    level: Should,
    needs: TCP_LISTEN,
    worlds: Both,
    description: "an accepted socket's .host is the dialer's IP (D2), .port the dialer's port, .local_host an IP",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, listener, port) = listening(&ctx, "").await?;
        let addr = dial_addr(&ctx, port);
        let dialer = ctx.peers.dial(addr, vec![send(b"x"), Step::RecvToEnd]);
        let sock = engine.handle(Request::accept(listener, waits.ok_opts())).await?;
        let local_host = local_ip(&mut engine, sock).await?;
        let host = match engine.get(sock, Property::Host).await? {
            Value::Str(host) => host,
            other => return Err(Failure::mismatch(".host", "a string", other)),
        };
        match ctx.peers.host().parse::<std::net::IpAddr>() {
            // The dialer runs on the peers' host: when that is an IP, it is the dialer's IP.
            Ok(peers_ip) => expect_eq(".host (the dialer's IP)", host.clone(), peers_ip.to_string())?,
            // In sim the dialer's host has a name, which .host must not report, and another IP.
            Err(_) => {
                expect(host.parse::<std::net::IpAddr>().is_ok(), || {
                    format!(".host: expected the dialer's IP address, got {}", quoted(&host))
                })?;
                expect(host != local_host, || {
                    format!(".host {} is the engine's own IP, not the dialer's", quoted(&host))
                })?;
            }
        }
        // Any port: in sim, every host numbers its ephemeral ports from the same start.
        let remote_port = engine.get(sock, Property::Port).await?;
        expect(matches!(remote_port, Value::Int(1..=65535)), || {
            format!(".port: expected the dialer's port in 1..65535, got {remote_port}")
        })?;
        engine.expect_bytes("recv_exact(1)", Request::recv_exact(sock, 1, waits.ok_opts()), b"x").await?;
        engine.close(sock).await?;
        dialed(dialer.await)?;
        Ok(())
    }),
};
