//! SSL-OPEN and SSL-SURFACE: an ssl socket opens and streams like a tcp socket.

use crate::body;
use crate::cases::support::{expect_fresh_properties, recv_opts};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Property, Request, Value, Wait};
use crate::peers::TlsPeer;
use crate::script::{expect, expect_eq, expect_names, show};
use crate::waits::Waits;

use super::{TLS, echoes, echoes_line, good_args, session};

pub const OPEN_ECHO: Case = Case {
    id: "tls.open.echo",
    clauses: &["SSL-OPEN", "SSL-OPT-CA-BUNDLE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "ssl to the good server trusting the zoo's root connects; a line sent comes back unchanged over TLS",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = session(&ctx, TlsPeer::new("good")).await?;
        echoes_line(&ctx, &mut engine, sock, b"hello\n").await?;
        engine.close(sock).await
    }),
};

pub const OPEN_PROPERTIES: Case = Case {
    id: "tls.open.properties",
    clauses: &["SSL-SURFACE", "IO-TIMEOUT-DEFAULT", "TCP-PROP-TIMEOUT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "an ssl socket reports .host as named, .port, an IP .local_host, a .local_port, connected? true, \
        timeout 30 (settable); opened with timeout: 7 its .timeout is 7",
    run: body!(async |ctx| {
        let (mut engine, sock, good) = session(&ctx, TlsPeer::new("good")).await?;
        expect_fresh_properties(&mut engine, sock, &good).await?;
        engine.nil(Request::SetTimeout { handle: sock, timeout: Some(12.5) }).await?;
        expect_eq(
            ".timeout after setting it",
            engine.get(sock, Property::Timeout).await?,
            Value::Float(12.5),
        )?;
        echoes(&ctx, &mut engine, sock).await?;

        let request = Request::Ssl {
            host: good.host.clone(),
            port: good.port.into(),
            timeout: Some(Wait::Seconds(7.0)),
            tls: good_args(&ctx),
        };
        let given = engine.handle(request).await?;
        expect_eq(
            ".timeout of a socket opened with timeout: 7",
            engine.get(given, Property::Timeout).await?,
            Value::Float(7.0),
        )
    }),
};

pub const SEND_COUNT_AND_SEND_ALL: Case = Case {
    id: "tls.send.count_and_send_all",
    clauses: &["SSL-SURFACE", "TCP-SEND", "TCP-SEND-ALL"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "over TLS send returns 1..n bytes written and exactly those echo back; send_all of 40000 bytes \
        (several TLS records) returns nil and all of them echo back in order",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = session(&ctx, TlsPeer::new("good")).await?;

        expect_eq("send of one byte", engine.int(Request::send(sock, b"x")).await?, 1)?;
        engine.expect_bytes("the echoed byte", Request::recv_exact(sock, 1, waits.ok_opts()), b"x").await?;

        let message = b"hello over tls";
        let sent = engine.int(Request::send(sock, message)).await?;
        expect((1..=message.len() as i64).contains(&sent), || {
            format!("send of {} bytes: expected 1..={}, got {sent}", message.len(), message.len())
        })?;
        let back = engine.bytes(Request::recv_exact(sock, sent, waits.ok_opts())).await?;
        expect_eq("the echoed bytes", back.as_slice(), &message[..sent as usize])?;

        let large: Vec<u8> = (0..40_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        engine.send_all(sock, &large).await?;
        let back = engine.bytes(Request::recv_exact(sock, large.len() as i64, waits.ok_opts())).await?;
        expect(back == large, || {
            let first = back.iter().zip(&large).position(|(a, b)| a != b);
            format!(
                "40000 bytes sent with send_all came back different (length {}, {})",
                back.len(),
                first.map_or("one a prefix of the other".into(), |at| format!(
                    "first difference at byte {at}"
                ))
            )
        })?;
        engine.close(sock).await
    }),
};

pub const RECV_FRAMING: Case = Case {
    id: "tls.recv.framing",
    clauses: &["SSL-SURFACE", "TCP-RECV", "TCP-RECV-LINE", "TCP-RECV-EXACT", "IO-EXACT-ZERO"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "over TLS recv_line returns lines with their \\r\\n or \\n, recv(4) returns 1..4 bytes, recv_exact \
        returns exactly n bytes across writes, recv_exact(0) returns \"\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = session(&ctx, TlsPeer::new("good")).await?;
        let opts = waits.ok_opts();

        engine.send_all(sock, b"line one\r\nline two\nabcdefghij").await?;
        engine.expect_bytes("the first line", Request::recv_line(sock, opts), b"line one\r\n").await?;
        engine.expect_bytes("the second line", Request::recv_line(sock, opts), b"line two\n").await?;
        let chunk = engine.bytes(recv_opts(sock, 4, opts)).await?;
        expect((1..=4).contains(&chunk.len()) && b"abcdefghij".starts_with(&chunk), || {
            format!("recv(4): expected 1..4 bytes starting \"abcd\", got {}", show(&chunk))
        })?;
        let rest = 10 - chunk.len() as i64;
        let tail = engine.bytes(Request::recv_exact(sock, rest, opts)).await?;
        expect_eq("recv_exact of the rest", tail.as_slice(), &b"abcdefghij"[chunk.len()..])?;
        engine.expect_bytes("recv_exact(0)", Request::recv_exact(sock, 0, opts), b"").await?;

        // A line and an exact read spread over several writes (several TLS records).
        engine.send_all(sock, b"hel").await?;
        engine.send_all(sock, b"lo\nwor").await?;
        engine.send_all(sock, b"ld").await?;
        engine.expect_bytes("a line over two writes", Request::recv_line(sock, opts), b"hello\n").await?;
        engine
            .expect_bytes("recv_exact(5) over two writes", Request::recv_exact(sock, 5, opts), b"world")
            .await?;
        engine.close(sock).await
    }),
};

pub const RECV_TIMEOUT_NOTHING_LOST: Case = Case {
    id: "tls.recv.timeout_nothing_lost",
    clauses: &["SSL-SURFACE", "IO-NOTHING-LOST", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "over TLS a recv that times out raises Timeout naming host:port; a recv_line timing out on a partial \
        line loses nothing: once the newline comes it returns \"partial\\n\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, good) = session(&ctx, TlsPeer::new("good")).await?;
        let short = CallOpts::timeout(waits.brief());

        let raised = engine.raises(recv_opts(sock, 10, short), "Timeout").await?;
        expect_names(&raised, &good.host, good.port)?;
        echoes(&ctx, &mut engine, sock).await?;

        engine.send_all(sock, b"partial").await?;
        engine.raises(Request::recv_line(sock, short), "Timeout").await?;
        engine.send_all(sock, b"\n").await?;
        engine
            .expect_bytes(
                "recv_line after the timed-out one",
                Request::recv_line(sock, waits.ok_opts()),
                b"partial\n",
            )
            .await?;
        engine.close(sock).await
    }),
};
