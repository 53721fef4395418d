//! TCP-OPEN, TCP-OPEN-NEW and the properties of a new socket: opening a tcp socket.

use crate::body;
use crate::cases::support::{expect_fresh_properties, local_ip};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Property, Request, Value, Wait};
use crate::peers::Peer;
use crate::script::{expect_argument, expect_eq, expect_names};
use crate::waits::Waits;

use super::TCP;

pub const ECHO: Case = Case {
    id: "tcp.open.echo",
    clauses: &["TCP-OPEN"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "%net.tcp(host, port) connects; a line sent to an echo peer comes back unchanged",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&echo.host, echo.port).await?;
        engine.send_all(sock, b"hello\n").await?;
        expect_eq("the echoed line", engine.recv_line(sock).await?, b"hello\n".to_vec())?;
        engine.close(sock).await
    }),
};

pub const PROPERTIES: Case = Case {
    id: "tcp.open.properties",
    clauses: &[
        "TCP-PROP-HOST",
        "TCP-PROP-PORT",
        "TCP-PROP-LOCAL-HOST",
        "TCP-PROP-LOCAL-PORT",
        "TCP-PROP-CONNECTED",
        "IO-TIMEOUT-DEFAULT",
    ],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a new socket reports the host as named, the port, a local IP and port, connected? true and timeout 30",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.tcp(&echo.host, echo.port).await?;
        expect_fresh_properties(&mut engine, sock, &echo).await
    }),
};

pub const HOST_AS_NAMED: Case = Case {
    id: "tcp.open.host_as_named",
    clauses: &["TCP-PROP-HOST", "TCP-PROP-LOCAL-HOST", "DEC-HOST-AS-NAMED"],
    level: Should,
    needs: TCP,
    worlds: RealOnly("in the simulated world localhost is the engine's own host, where no peer runs"),
    description: "tcp('localhost', port) reports .host \"localhost\" (the name as given, D2) and .local_host an IP address",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine(Some("localhost"), None).await?;
        let sock = engine.handle(Request::tcp_new("localhost", echo.port, Wait::Seconds(waits.ok()))).await?;
        expect_eq(".host", engine.get(sock, Property::Host).await?, Value::Str("localhost".into()))?;
        local_ip(&mut engine, sock).await?;
        engine.send_all(sock, b"named\n").await?;
        engine.expect_bytes("the echoed line", Request::recv_line(sock, waits.ok_opts()), b"named\n").await?;
        engine.close(sock).await
    }),
};

pub const OPEN_NEW_TIMEOUT: Case = Case {
    id: "tcp.open_new.timeout",
    clauses: &["TCP-OPEN-NEW", "TCP-PROP-TIMEOUT", "TCP-PROP-HOST", "TCP-PROP-PORT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: ".new(host:, port:, timeout: 5.0) connects with .timeout 5.0, .host and .port as given; timeout: 30 gives 30",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(Request::tcp_new(&echo.host, echo.port, Wait::Seconds(5.0))).await?;
        expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Float(5.0))?;
        expect_eq(".host", engine.get(sock, Property::Host).await?, Value::Str(echo.host.clone()))?;
        expect_eq(".port", engine.get(sock, Property::Port).await?, Value::Int(echo.port.into()))?;
        engine.send_all(sock, b"five\n").await?;
        engine.expect_bytes("the echoed line", Request::recv_line(sock, waits.ok_opts()), b"five\n").await?;
        engine.close(sock).await?;
        // The spec's own form: timeout: 30.
        let sock = engine.handle(Request::tcp_new(&echo.host, echo.port, Wait::Seconds(30.0))).await?;
        expect_eq(
            ".timeout of .new(timeout: 30)",
            engine.get(sock, Property::Timeout).await?,
            Value::Float(30.0),
        )?;
        engine.close(sock).await
    }),
};

pub const OPEN_NEW_TIMEOUT_NIL: Case = Case {
    id: "tcp.open_new.timeout_nil",
    clauses: &["TCP-OPEN-NEW", "TCP-PROP-TIMEOUT", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: ".new(host:, port:, timeout: nil) connects and the socket's .timeout is nil; an echo round trip works",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(Request::tcp_new(&echo.host, echo.port, Wait::Forever)).await?;
        expect_eq(".timeout", engine.get(sock, Property::Timeout).await?, Value::Nil)?;
        engine.send_all(sock, b"forever\n").await?;
        engine
            .expect_bytes("the echoed line", Request::recv_line(sock, waits.ok_opts()), b"forever\n")
            .await?;
        engine.close(sock).await
    }),
};

pub const OPEN_NEW_NEGATIVE_TIMEOUT: Case = Case {
    id: "tcp.open_new.negative_timeout",
    clauses: &["TCP-OPEN-NEW", "IO-TIMEOUT-DEFAULT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: ".new with timeout -1 or -0.001 raises ArgumentError naming timeout instead of connecting",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let mut engine = ctx.engine_for_peers().await?;
        for bad in [-1.0, -0.001] {
            let raised = engine
                .raises(Request::tcp_new(&echo.host, echo.port, Wait::Seconds(bad)), "ArgumentError")
                .await?;
            expect_argument(&raised, "timeout")?;
        }
        Ok(())
    }),
};

pub const BAD_PORT: Case = Case {
    id: "tcp.open.bad_port",
    clauses: &["TCP-OPEN", "TCP-OPEN-NEW"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "port 0, 65536 and -1 raise ArgumentError naming port and the host:port given, with tcp and with .new",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let host = ctx.peers.host().to_string();
        let mut engine = ctx.engine_for_peers().await?;
        for port in [0, 65536, -1] {
            let raised = engine.raises(Request::tcp(&host, port), "ArgumentError").await?;
            expect_argument(&raised, "port")?;
            // The message names the argument, the host and the port, as the script gave them.
            expect_names(&raised, &host, port)?;
            let raised = engine
                .raises(Request::tcp_new(&host, port, Wait::Seconds(waits.ok())), "ArgumentError")
                .await?;
            expect_argument(&raised, "port")?;
        }
        Ok(())
    }),
};

pub const BAD_HOST: Case = Case {
    id: "tcp.open.bad_host",
    clauses: &["TCP-OPEN", "DEC-HOST-SYNTAX"],
    level: Should,
    needs: TCP,
    worlds: Both,
    description: "an empty host, a host holding a NUL or a trailing space raise ArgumentError naming host (D13), even under a bare --allow-net",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        // A bare --allow-net: only the argument check can stop these.
        let mut engine = ctx.engine(Some(""), None).await?;
        let nul = format!("{}\0.invalid", echo.host);
        let space = format!("{} ", echo.host);
        for host in ["", nul.as_str(), space.as_str()] {
            let raised = engine.raises(Request::tcp(host, echo.port), "ArgumentError").await?;
            expect_argument(&raised, "host")?;
        }
        Ok(())
    }),
};
