//! SSL-SURFACE at the end of a stream: shutdown, close (with close_notify, DEC-CLOSE-NOTIFY), and an
//! end without close_notify.

use crate::body;
use crate::cases::support::{Stopwatch, recv_opts};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Property, Request, Value};
use crate::peers::TlsPeer;
use crate::script::{expect, expect_bytes, expect_eq, expect_mentions, expect_names, show};
use crate::waits::Waits;

use super::{TLS, echoes, good_peer, open_good, session};

pub const EOF_WITHOUT_CLOSE_NOTIFY: Case = Case {
    id: "tls.eof.without_close_notify",
    clauses: &["SSL-SURFACE", "IO-EOF", "IO-LINE-EOF", "DEC-TLS-EOF"],
    level: Should,
    needs: TLS,
    worlds: Both,
    description: "a TLS peer that closes without close_notify has ended the stream: recv returns \"\" and recv_line raises EndOfStream (D11)",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) =
            session(&ctx, TlsPeer { abrupt_close: true, ..TlsPeer::new("good") }).await?;
        engine.send_all(sock, b"last\n").await?;
        expect_bytes("the echoed line", engine.recv_line(sock).await?, b"last\n")?;
        engine.expect_bytes("recv at the abrupt end", recv_opts(sock, 10, waits.ok_opts()), b"").await?;
        engine.raises(Request::recv_line(sock, waits.ok_opts()), "EndOfStream").await?;
        engine.close(sock).await
    }),
};

pub const SHUTDOWN_SEND: Case = Case {
    id: "tls.shutdown.send",
    clauses: &["SSL-SURFACE", "TCP-SHUTDOWN", "IO-SHUTDOWN-READ", "IO-EOF", "IO-LINE-EOF"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "after shutdown(:send) on TLS the echo peer reads the end and ends its side: recv still returns \
        \"tail\", then \"\" (twice); recv_line raises EndOfStream",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = session(&ctx, TlsPeer::new("good")).await?;
        engine.send_all(sock, b"tail").await?;
        engine.nil(Request::shutdown(sock, ":send")).await?;
        let mut received = Vec::new();
        for _ in 0..100 {
            let chunk = engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?;
            if chunk.is_empty() {
                break;
            }
            received.extend_from_slice(&chunk);
        }
        expect_eq("what recv returned after shutdown(:send)", received.as_slice(), b"tail".as_slice())?;
        engine.expect_bytes("recv at end of stream", recv_opts(sock, 100, waits.ok_opts()), b"").await?;
        engine.raises(Request::recv_line(sock, waits.ok_opts()), "EndOfStream").await?;
        engine.close(sock).await
    }),
};

pub const SHUTDOWN_RECV_AND_BOTH: Case = Case {
    id: "tls.shutdown.recv_and_both",
    clauses: &["SSL-SURFACE", "TCP-SHUTDOWN", "IO-SHUTDOWN-READ"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "on TLS, after shutdown(:recv) recv returns \"\" and send_all still works; after shutdown(:both) recv \
        returns \"\"; shutdown(:sideways) raises ArgumentError",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        let opts = waits.ok_opts();

        let sock = open_good(&ctx, &mut engine, &good).await?;
        echoes(&ctx, &mut engine, sock).await?;
        engine.nil(Request::shutdown(sock, ":recv")).await?;
        engine.expect_bytes("recv after shutdown(:recv)", recv_opts(sock, 10, opts), b"").await?;
        engine.send_all(sock, b"still sending\n").await?;
        let raised = engine.raises(Request::shutdown(sock, ":sideways"), "ArgumentError").await?;
        expect_mentions(&raised, &["direction"])?;
        engine.close(sock).await?;

        let both = open_good(&ctx, &mut engine, &good).await?;
        engine.nil(Request::shutdown(both, ":both")).await?;
        engine.expect_bytes("recv after shutdown(:both)", recv_opts(both, 10, opts), b"").await?;
        engine.close(both).await
    }),
};

pub const IDEMPOTENT: Case = Case {
    id: "tls.close.idempotent",
    clauses: &["SSL-SURFACE", "TCP-CLOSE", "IO-CLOSE-IDEMPOTENT", "TCP-PROP-CONNECTED"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "closing an ssl socket twice returns nil both times; connected? is then false and send, send_all, \
        recv, recv_line raise Closed (send's message naming host:port)",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, good) = session(&ctx, TlsPeer::new("good")).await?;
        echoes(&ctx, &mut engine, sock).await?;
        engine.close(sock).await?;
        engine.close(sock).await?;
        expect_eq(
            ".connected? after close",
            engine.get(sock, Property::Connected).await?,
            Value::Bool(false),
        )?;
        let raised = engine.raises(Request::send(sock, b"x"), "Closed").await?;
        expect_names(&raised, &good.host, good.port)?;
        engine.raises(Request::send_all(sock, b"x"), "Closed").await?;
        engine.raises(recv_opts(sock, 1, waits.ok_opts()), "Closed").await?;
        engine.raises(Request::recv_line(sock, waits.ok_opts()), "Closed").await?;
        Ok(())
    }),
};

pub const SENDS_CLOSE_NOTIFY: Case = Case {
    id: "tls.close.sends_close_notify",
    clauses: &["SSL-SURFACE", "TCP-CLOSE", "DEC-CLOSE-NOTIFY"],
    level: Should,
    needs: TLS,
    worlds: Both,
    description: "close on an ssl socket sends close_notify before the connection ends: the peer, asked on a second \
        connection, saw \"close_notify\" (D14)",
    run: body!(async |ctx| {
        let reporting = TlsPeer { report_close: true, ..TlsPeer::new("good") };
        let (mut engine, sock, peer) = session(&ctx, reporting).await?;
        echoes(&ctx, &mut engine, sock).await?;
        engine.close(sock).await?;
        let next = open_good(&ctx, &mut engine, &peer).await?;
        let told = Request::recv_line(next, Waits::of(&ctx).ok_opts());
        engine.expect_bytes("how the peer saw the first connection end", told, b"close_notify\n").await?;
        engine.close(next).await
    }),
};

pub const SHUTDOWN_SEND_PEER_REPLIES_AFTER_END: Case = Case {
    id: "tls.shutdown.send_peer_replies_after_end",
    clauses: &["SSL-SURFACE", "TCP-SHUTDOWN", "IO-SHUTDOWN-READ", "DEC-SSL-HALF-CLOSE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "after shutdown(:send) on an ssl socket the peer reads the end of the stream (close_notify or a bare \
        FIN, D27) and only then answers: recv_line still reads the echo and the answer, then \"\"",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) =
            session(&ctx, TlsPeer { report_end: true, ..TlsPeer::new("good") }).await?;
        engine.send_all(sock, b"half\n").await?;
        engine.nil(Request::shutdown(sock, ":send")).await?;
        engine
            .expect_bytes(
                "the echo after shutdown(:send)",
                Request::recv_line(sock, waits.ok_opts()),
                b"half\n",
            )
            .await?;
        let answer = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
        expect(answer == b"close_notify\n" || answer == b"no close_notify\n", || {
            format!("the peer's answer once it read the end: expected how it ended, got {}", show(&answer))
        })?;
        engine.expect_bytes("recv at the peer's end", recv_opts(sock, 10, waits.ok_opts()), b"").await?;
        engine.close(sock).await
    }),
};

/// The longest `close` may take against a peer that never answers close_notify: D14's second,
/// and a margin a slow engine on a loaded machine keeps (a close that waits for an answer that
/// never comes runs into the request deadline).
const CLOSE_BOUND: f64 = 3.0;

pub const CLOSE_WAIT_IS_BOUNDED: Case = Case {
    id: "tls.close.wait_is_bounded",
    clauses: &["SSL-SURFACE", "TCP-CLOSE", "DEC-CLOSE-NOTIFY"],
    level: Should,
    needs: TLS,
    worlds: Both,
    description: "close on an ssl socket whose peer never answers close_notify (nor closes) returns nil within 3 s: \
        D14's wait is at most one second",
    run: body!(async |ctx| {
        let silent = TlsPeer { ignore_close_notify: true, ..TlsPeer::new("good") };
        let (mut engine, sock, _) = session(&ctx, silent).await?;
        echoes(&ctx, &mut engine, sock).await?;
        let watch = Stopwatch::start(&ctx);
        engine.close(sock).await?;
        let (took, bound) = (watch.seconds(&ctx), Waits::of(&ctx).secs(CLOSE_BOUND));
        expect(took <= bound, || {
            format!("close took {took:.2} s against a peer silent after close_notify (at most {bound} s)")
        })
    }),
};
