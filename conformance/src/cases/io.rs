//! IO-* (stream I/O model).

use std::time::Duration;

use super::tcp::{Waits, connect, mentions, names, recv_opts, recv_to_end, script, send};
use crate::case;
use crate::catalog::{Case, Worlds};
use crate::contract::{CLASSES, CallOpts, Feature, Property, Request, Value, Wait};
use crate::peers::{Peer, Step};
use crate::script::{CaseResult, Ctx, Failure, expect, expect_eq, show};

const TCP: &[Feature] = &[Feature::Tcp];

pub const CASES: &[Case] = &[
    // Timeouts.
    case!(
        "io.timeout.default_30s",
        ["IO-TIMEOUT-DEFAULT"],
        Must,
        TCP,
        Worlds::SimOnly("waits out the 30 s default, which costs nothing in virtual time only"),
        "with the default timeout recv_line waits through 25 s of silence but raises Timeout in a 35 s one; recv_line(timeout: nil) then gets the line",
        timeout_default_30s
    ),
    case!(
        "io.timeout.nil_waits_forever",
        ["IO-TIMEOUT-DEFAULT", "TCP-OPEN-NEW", "TCP-PROP-TIMEOUT"],
        Must,
        TCP,
        Worlds::SimOnly("waits 3 × 35 s, which costs little in virtual time only"),
        "a line sent after 35 s (past the 30 s default) is received by recv_line(timeout: nil), and by a bare recv_line on a socket whose .timeout is nil (set, or from .new)",
        timeout_nil_waits_forever
    ),
    case!(
        "io.timeout.per_call",
        ["IO-TIMEOUT-DEFAULT"],
        Must,
        TCP,
        Worlds::Both,
        "on a default socket recv_line(timeout: short) raises Timeout naming host:port, recv_line(timeout: long) gets the late line, .timeout stays 30",
        timeout_per_call
    ),
    case!(
        "io.timeout.zero_is_a_poll",
        ["IO-TIMEOUT-DEFAULT", "IO-NOTHING-LOST"],
        Must,
        TCP,
        Worlds::Both,
        "timeout: 0 is a valid wait (not an ArgumentError): Timeout when nothing is there, the line when it is, nothing lost",
        timeout_zero
    ),
    case!(
        "io.timeout.negative",
        ["IO-TIMEOUT-DEFAULT", "IO-NOTHING-LOST"],
        Must,
        TCP,
        Worlds::Both,
        "a per-call timeout of -1 on recv, recv_line and recv_exact raises ArgumentError naming timeout and consumes nothing",
        timeout_negative
    ),
    // End of stream.
    case!(
        "io.eof.empty_only_at_end",
        ["IO-EOF"],
        Must,
        TCP,
        Worlds::Both,
        "across a peer's pause every recv returns at least one byte; \"\" comes only after \"datamore\", at end of stream, and again after",
        eof_empty_only_at_end
    ),
    case!(
        "io.eof.data_before_end",
        ["IO-EOF"],
        Must,
        TCP,
        Worlds::Both,
        "a peer that writes and closes at once: recv returns its bytes first, then \"\"",
        eof_data_before_end
    ),
    case!(
        "io.line_eof.clean_end",
        ["IO-LINE-EOF", "TCP-RECV-LINE"],
        Must,
        TCP,
        Worlds::Both,
        "after the last whole line, recv_line raises EndOfStream naming host:port, and again; recv then returns \"\"",
        line_eof_clean_end
    ),
    // Nothing lost.
    case!(
        "io.nothing_lost.recv_line_timeout",
        ["IO-NOTHING-LOST"],
        Must,
        TCP,
        Worlds::Both,
        "\"abc\", a pause, \"def\\n\": recv_line with a short timeout raises Timeout, then recv_line returns \"abcdef\\n\"",
        nothing_lost_recv_line_timeout
    ),
    case!(
        "io.nothing_lost.recv_exact_timeout",
        ["IO-NOTHING-LOST"],
        Must,
        TCP,
        Worlds::Both,
        "\"abc\", a pause, \"def\\n\": recv_exact(7) with a short timeout raises Timeout, then recv_exact(7) returns \"abcdef\\n\"",
        nothing_lost_recv_exact_timeout
    ),
    case!(
        "io.nothing_lost.recv_timeout",
        ["IO-NOTHING-LOST"],
        Must,
        TCP,
        Worlds::Both,
        "a recv that times out between \"abc\" and \"def\\n\" consumes nothing: recv_line then returns \"def\\n\"",
        nothing_lost_recv_timeout
    ),
    case!(
        "io.nothing_lost.recv_exact_eof",
        ["IO-NOTHING-LOST", "TCP-RECV-EXACT"],
        Must,
        TCP,
        Worlds::Both,
        "recv_exact(10) raises EndOfStream when the peer sent \"abc\" and closed; recv then returns \"abc\", then \"\"",
        nothing_lost_recv_exact_eof
    ),
    // Line length.
    case!(
        "io.line_max.nothing_consumed",
        ["IO-LINE-MAX", "IO-NOTHING-LOST"],
        Must,
        TCP,
        Worlds::Both,
        "recv_line(max_length: 10) on a 100-byte line raises, consuming nothing: recv_line then returns all 101 bytes",
        line_max_nothing_consumed
    ),
    case!(
        "io.line_max.line_too_long",
        ["IO-LINE-MAX"],
        Should,
        TCP,
        Worlds::Both,
        "recv_line(max_length: 10) on a 100-byte line raises ArgumentError with reason line_too_long, naming host:port (D1)",
        line_max_line_too_long
    ),
    case!(
        "io.line_max.exact_length",
        ["IO-LINE-MAX"],
        Must,
        TCP,
        Worlds::Both,
        "with max_length 10 a 10-byte line (newline included) is returned; a 12-byte line then raises",
        line_max_exact_length
    ),
    case!(
        "io.line_max.default_1mib",
        ["IO-LINE-MAX"],
        Must,
        TCP,
        Worlds::Both,
        "with the default max_length a line of exactly 1 MiB (newline included) is returned intact",
        line_max_default_1mib
    ),
    case!(
        "io.line_max.bounded",
        ["IO-LINE-MAX", "IO-NOTHING-LOST"],
        Must,
        TCP,
        Worlds::Both,
        "a peer streaming 3 MiB without a newline: recv_line raises (not Timeout) instead of buffering it all; the first 1 MiB stays readable",
        line_max_bounded
    ),
    case!(
        "io.line_max.bad_max_length",
        ["IO-LINE-MAX"],
        Must,
        TCP,
        Worlds::Both,
        "recv_line(max_length: -1) raises ArgumentError naming max_length and consumes nothing",
        line_max_bad_max_length
    ),
    // recv_exact(0).
    case!(
        "io.exact_zero.empty",
        ["IO-EXACT-ZERO"],
        Must,
        TCP,
        Worlds::Both,
        "recv_exact(0) returns \"\" at once, while the peer is still silent and between bytes, and consumes nothing",
        exact_zero_empty
    ),
    case!(
        "io.exact_zero.negative",
        ["IO-EXACT-ZERO"],
        Must,
        TCP,
        Worlds::Both,
        "recv_exact(-1) raises ArgumentError naming n and consumes nothing",
        exact_zero_negative
    ),
    // Close.
    case!(
        "io.close.twice",
        ["IO-CLOSE-IDEMPOTENT", "TCP-CLOSE"],
        Must,
        TCP,
        Worlds::Both,
        "close twice returns nil both times",
        close_twice
    ),
    case!(
        "io.close.then_closed",
        ["IO-CLOSE-IDEMPOTENT", "TCP-CLOSE"],
        Must,
        TCP,
        Worlds::Both,
        "after close send, send(\"\"), send_all, recv, recv_line, recv_exact (even of 0) and shutdown raise Closed naming host:port",
        close_then_closed
    ),
    // Shutdown.
    case!(
        "io.shutdown_read.peer_replies_after_end",
        ["IO-SHUTDOWN-READ", "TCP-SHUTDOWN"],
        Must,
        TCP,
        Worlds::Both,
        "after shutdown(:send) a peer that answers only at end of stream is heard: recv_line returns its \"bye\\n\"",
        shutdown_read_peer_replies_after_end
    ),
    case!(
        "io.shutdown_read.recv_empty",
        ["IO-SHUTDOWN-READ"],
        Must,
        TCP,
        Worlds::Both,
        "after shutdown(:recv) recv returns \"\" at once, though the peer keeps sending",
        shutdown_read_recv_empty
    ),
    case!(
        "io.shutdown_read.line_and_exact",
        ["IO-SHUTDOWN-READ"],
        Should,
        TCP,
        Worlds::Both,
        "after shutdown(:recv), with a received line still unread, recv_line and recv_exact(1) raise EndOfStream (D4)",
        shutdown_read_line_and_exact
    ),
];

/// A peer that sends "abc", pauses, then sends "def\n".
fn abc_pause_def(waits: Waits) -> Peer {
    script(vec![send(b"abc"), Step::Pause(waits.pause()), send(b"def\n")])
}

/// `recv_line` with a `max_length`.
fn max_length(max: i64) -> CallOpts {
    CallOpts { max_length: Some(max), ..CallOpts::default() }
}

const FOREVER: CallOpts = CallOpts { timeout: Some(Wait::Forever), max_length: None };

// ---------------------------------------------------------------------------------------------
// Timeouts

async fn timeout_default_30s(ctx: Ctx) -> CaseResult {
    let steps = vec![
        Step::Pause(Duration::from_secs(25)),
        send(b"early\n"),
        Step::Pause(Duration::from_secs(35)),
        send(b"late\n"),
    ];
    let peer = ctx.peers.tcp(script(steps)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&peer.host, peer.port).await?;
    // 25 s of silence is within the default.
    expect_eq("recv_line after 25 s", show(&engine.recv_line(sock).await?), show(b"early\n"))?;
    // 35 s is not.
    let raised = engine.raises(Request::recv_line(sock, CallOpts::default()), "Timeout").await?;
    names(&raised, &peer.host, peer.port)?;
    expect_eq(
        "recv_line(timeout: nil)",
        show(&engine.bytes(Request::recv_line(sock, FOREVER)).await?),
        show(b"late\n"),
    )?;
    engine.close(sock).await
}

async fn timeout_nil_waits_forever(ctx: Ctx) -> CaseResult {
    let peer = ctx.peers.tcp(script(vec![Step::Pause(Duration::from_secs(35)), send(b"late\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;

    // Per call.
    let sock = engine.tcp(&peer.host, peer.port).await?;
    expect_eq(
        "recv_line(timeout: nil)",
        show(&engine.bytes(Request::recv_line(sock, FOREVER)).await?),
        show(b"late\n"),
    )?;
    engine.close(sock).await?;

    // .timeout = nil.
    let sock = engine.tcp(&peer.host, peer.port).await?;
    engine.nil(Request::SetTimeout { handle: sock, timeout: None }).await?;
    expect_eq(
        "recv_line on a socket with .timeout nil",
        show(&engine.recv_line(sock).await?),
        show(b"late\n"),
    )?;
    engine.close(sock).await?;

    // .new(timeout: nil).
    let sock = engine.handle(Request::tcp_new(&peer.host, peer.port, Wait::Forever)).await?;
    expect_eq(
        "recv_line on a socket from .new(timeout: nil)",
        show(&engine.recv_line(sock).await?),
        show(b"late\n"),
    )?;
    engine.close(sock).await
}

async fn timeout_per_call(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![Step::Pause(waits.pause()), send(b"late\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.tcp(&peer.host, peer.port).await?;
    let raised = engine.raises(Request::recv_line(sock, waits.brief_opts()), "Timeout").await?;
    names(&raised, &peer.host, peer.port)?;
    expect_eq(
        "recv_line with a longer per-call timeout",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"late\n"),
    )?;
    expect_eq(
        ".timeout after per-call timeouts",
        engine.get(sock, Property::Timeout).await?,
        Value::Float(30.0),
    )?;
    engine.close(sock).await
}

async fn timeout_negative(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"data\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    // Read the first byte, so that the rest is here (buffered) for a consuming check to lose.
    expect_eq(
        "recv_exact(1)",
        show(&engine.bytes(Request::recv_exact(sock, 1, waits.ok_opts())).await?),
        show(b"d"),
    )?;
    let bad = CallOpts::timeout(-1.0);
    for request in
        [recv_opts(sock, 100, bad), Request::recv_line(sock, bad), Request::recv_exact(sock, 5, bad)]
    {
        let raised = engine.raises(request, "ArgumentError").await?;
        mentions(&raised, "timeout")?;
    }
    expect_eq(
        "recv_line after the rejected calls",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"ata\n"),
    )?;
    engine.close(sock).await
}

// ---------------------------------------------------------------------------------------------
// End of stream

async fn eof_empty_only_at_end(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let steps = vec![send(b"data"), Step::Pause(waits.pause()), send(b"more"), Step::Close];
    let peer = ctx.peers.tcp(script(steps)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    // recv_to_end fails on an empty return before the end and wants "" again after it.
    expect_eq("everything received", show(&recv_to_end(&mut engine, sock, waits).await?), show(b"datamore"))?;
    engine.close(sock).await
}

async fn eof_data_before_end(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"last words"), Step::Close])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    let first = engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?;
    expect(!first.is_empty() && b"last words".starts_with(&first), || {
        format!("the first recv: expected the start of \"last words\", got {}", show(&first))
    })?;
    let rest = recv_to_end(&mut engine, sock, waits).await?;
    expect_eq("everything received", show(&[first, rest].concat()), show(b"last words"))?;
    engine.close(sock).await
}

async fn line_eof_clean_end(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"whole\n"), Step::Close])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    expect_eq("the last line", show(&engine.recv_line(sock).await?), show(b"whole\n"))?;
    for _ in 0..2 {
        let raised = engine.raises(Request::recv_line(sock, waits.ok_opts()), "EndOfStream").await?;
        names(&raised, &peer.host, peer.port)?;
    }
    expect_eq(
        "recv at end of stream",
        engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
        Vec::new(),
    )?;
    engine.close(sock).await
}

// ---------------------------------------------------------------------------------------------
// Nothing lost

async fn nothing_lost_recv_line_timeout(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(abc_pause_def(waits)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    let raised = engine.raises(Request::recv_line(sock, waits.brief_opts()), "Timeout").await?;
    names(&raised, &peer.host, peer.port)?;
    expect_eq(
        "recv_line after the timeout",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"abcdef\n"),
    )?;
    engine.close(sock).await
}

async fn nothing_lost_recv_exact_timeout(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(abc_pause_def(waits)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    let raised = engine.raises(Request::recv_exact(sock, 7, waits.brief_opts()), "Timeout").await?;
    names(&raised, &peer.host, peer.port)?;
    expect_eq(
        "recv_exact(7) after the timeout",
        show(&engine.bytes(Request::recv_exact(sock, 7, waits.ok_opts())).await?),
        show(b"abcdef\n"),
    )?;
    engine.close(sock).await
}

async fn nothing_lost_recv_timeout(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(abc_pause_def(waits)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    expect_eq(
        "recv_exact(3)",
        show(&engine.bytes(Request::recv_exact(sock, 3, waits.ok_opts())).await?),
        show(b"abc"),
    )?;
    let raised = engine.raises(recv_opts(sock, 10, waits.brief_opts()), "Timeout").await?;
    names(&raised, &peer.host, peer.port)?;
    expect_eq(
        "recv_line after the timeout",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"def\n"),
    )?;
    engine.close(sock).await
}

async fn nothing_lost_recv_exact_eof(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"abc"), Step::Close])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    let raised = engine.raises(Request::recv_exact(sock, 10, waits.ok_opts()), "EndOfStream").await?;
    names(&raised, &peer.host, peer.port)?;
    expect_eq(
        "recv after EndOfStream",
        show(&engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?),
        show(b"abc"),
    )?;
    expect_eq(
        "recv at end of stream",
        engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?,
        Vec::new(),
    )?;
    engine.close(sock).await
}

// ---------------------------------------------------------------------------------------------
// Line length

/// A line of 100 `x` and its newline.
fn long_line() -> Vec<u8> {
    let mut line = vec![b'x'; 100];
    line.push(b'\n');
    line
}

async fn line_max_nothing_consumed(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let line = long_line();
    let peer = ctx.peers.tcp(script(vec![Step::Send(line.clone())])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    match engine.call(Request::recv_line(sock, max_length(10))).await {
        Err(raised) if CLASSES.contains(&raised.class.as_str()) => {}
        Err(raised) => {
            return Err(Failure::new(format!(
                "recv_line raised {}, which is no class of clauses.md",
                raised.class
            )));
        }
        Ok(value) => {
            return Err(Failure::mismatch(
                "recv_line(max_length: 10) on a 101-byte line",
                "an exception",
                format!("{value:?}"),
            ));
        }
    }
    expect_eq(
        "recv_line after the refused line",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(&line),
    )?;
    engine.close(sock).await
}

async fn line_max_line_too_long(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![Step::Send(long_line())])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    let raised = engine.raises(Request::recv_line(sock, max_length(10)), "ArgumentError").await?;
    expect_eq("the reason", raised.reason.as_deref(), Some("line_too_long"))?;
    names(&raised, &peer.host, peer.port)?;
    engine.close(sock).await
}

async fn line_max_exact_length(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"123456789\n12345678901\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    expect_eq(
        "recv_line(max_length: 10) of a 10-byte line",
        show(&engine.bytes(Request::recv_line(sock, max_length(10))).await?),
        show(b"123456789\n"),
    )?;
    let raised = engine.call(Request::recv_line(sock, max_length(10))).await;
    expect(raised.is_err(), || {
        format!("recv_line(max_length: 10) of a 12-byte line: expected an exception, got {raised:?}")
    })?;
    expect_eq(
        "recv_line of the 12-byte line with the default",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"12345678901\n"),
    )?;
    engine.close(sock).await
}

async fn line_max_default_1mib(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let mut line = vec![b'z'; (1 << 20) - 1];
    line.push(b'\n');
    let peer = ctx.peers.tcp(script(vec![Step::Send(line.clone()), send(b"next\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    let got = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
    expect(got == line, || {
        format!("the 1 MiB line: got {} bytes, expected {} z's and a newline", got.len(), line.len() - 1)
    })?;
    expect_eq(
        "the next line",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"next\n"),
    )?;
    engine.close(sock).await
}

async fn line_max_bounded(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![Step::Send(vec![b'y'; 3 << 20])])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    // The peer holds the connection open: only the limit can end this call before its timeout.
    match engine.call(Request::recv_line(sock, waits.ok_opts())).await {
        Err(raised) if raised.class == "Timeout" => {
            return Err(Failure::new(format!(
                "recv_line waited for a newline past the 1 MiB limit until it timed out: {}",
                raised.message
            )));
        }
        Err(_) => {}
        Ok(value) => {
            let got = match &value {
                Value::Bytes(bytes) => format!("{} bytes", bytes.len()),
                other => format!("{other:?}"),
            };
            return Err(Failure::mismatch("recv_line on 3 MiB without a newline", "an exception", got));
        }
    }
    let start = engine.bytes(Request::recv_exact(sock, 1 << 20, waits.ok_opts())).await?;
    expect(start.len() == 1 << 20 && start.iter().all(|&b| b == b'y'), || {
        "the first 1 MiB came back altered after the refused line".into()
    })?;
    engine.close(sock).await
}

async fn line_max_bad_max_length(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"short\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    expect_eq(
        "recv_exact(1)",
        show(&engine.bytes(Request::recv_exact(sock, 1, waits.ok_opts())).await?),
        show(b"s"),
    )?;
    let raised = engine.raises(Request::recv_line(sock, max_length(-1)), "ArgumentError").await?;
    mentions(&raised, "max_length")?;
    expect_eq(
        "recv_line after the rejected call",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"hort\n"),
    )?;
    engine.close(sock).await
}

// ---------------------------------------------------------------------------------------------
// recv_exact(0)

async fn exact_zero_empty(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![Step::Pause(waits.pause()), send(b"abc\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    // A short timeout, and the peer still silent: recv_exact(0) must not wait for a byte.
    let first = engine.bytes(Request::recv_exact(sock, 0, waits.brief_opts())).await?;
    expect_eq("recv_exact(0) before any byte", show(&first), show(b""))?;
    let a = engine.bytes(Request::recv_exact(sock, 1, waits.ok_opts())).await?;
    expect_eq("recv_exact(1)", show(&a), show(b"a"))?;
    let between = engine.bytes(Request::recv_exact(sock, 0, waits.brief_opts())).await?;
    expect_eq("recv_exact(0) between bytes", show(&between), show(b""))?;
    let rest = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
    expect_eq("recv_line", show(&rest), show(b"bc\n"))?;
    engine.close(sock).await
}

async fn exact_zero_negative(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"kept\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    expect_eq(
        "recv_exact(2)",
        show(&engine.bytes(Request::recv_exact(sock, 2, waits.ok_opts())).await?),
        show(b"ke"),
    )?;
    let raised = engine.raises(Request::recv_exact(sock, -1, waits.ok_opts()), "ArgumentError").await?;
    mentions(&raised, "n")?;
    expect_eq(
        "recv_line after the rejected call",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"pt\n"),
    )?;
    engine.close(sock).await
}

// ---------------------------------------------------------------------------------------------
// Close

async fn close_twice(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    engine.nil(Request::close(sock)).await?;
    engine.nil(Request::close(sock)).await
}

async fn close_then_closed(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &echo, waits).await?;
    engine.close(sock).await?;
    let requests = [
        Request::send(sock, b"x"),
        Request::send(sock, b""),
        Request::send_all(sock, b"x"),
        recv_opts(sock, 10, waits.ok_opts()),
        Request::recv_line(sock, waits.ok_opts()),
        Request::recv_exact(sock, 1, waits.ok_opts()),
        Request::recv_exact(sock, 0, waits.ok_opts()),
        Request::shutdown(sock, ":send"),
        Request::shutdown(sock, ":recv"),
        Request::shutdown(sock, ":both"),
    ];
    for request in requests {
        let raised = engine.raises(request, "Closed").await?;
        names(&raised, &echo.host, echo.port)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Shutdown

async fn shutdown_read_peer_replies_after_end(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![Step::RecvToEnd, send(b"bye\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    engine.send_all(sock, b"all I have to say\n").await?;
    engine.nil(Request::shutdown(sock, ":send")).await?;
    expect_eq(
        "the peer's answer to our end of stream",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"bye\n"),
    )?;
    engine.close(sock).await
}

async fn shutdown_read_recv_empty(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let steps = vec![send(b"first\n"), Step::Pause(waits.pause()), send(b"second\n")];
    let peer = ctx.peers.tcp(script(steps)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    engine.nil(Request::shutdown(sock, ":recv")).await?;
    // A short timeout: the empty string comes at once, not after waiting for the peer.
    for attempt in ["recv", "recv again"] {
        let got = engine.bytes(recv_opts(sock, 100, waits.brief_opts())).await?;
        expect_eq(&format!("{attempt} after shutdown(:recv)"), show(&got), show(b""))?;
    }
    engine.close(sock).await
}

async fn shutdown_read_line_and_exact(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![send(b"read\nunread\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    // The second line arrived with the first: it is received, unread, when we shut down.
    expect_eq(
        "the first line",
        show(&engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?),
        show(b"read\n"),
    )?;
    engine.nil(Request::shutdown(sock, ":recv")).await?;
    engine.raises(Request::recv_line(sock, waits.ok_opts()), "EndOfStream").await?;
    engine.raises(Request::recv_exact(sock, 1, waits.ok_opts()), "EndOfStream").await?;
    engine.close(sock).await
}

async fn timeout_zero(ctx: Ctx) -> CaseResult {
    let waits = Waits::of(&ctx);
    let peer = ctx.peers.tcp(script(vec![Step::Pause(Duration::from_millis(300)), send(b"now\n")])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = connect(&mut engine, &peer, waits).await?;
    engine.raises(Request::recv_line(sock, CallOpts::timeout(0.0)), "Timeout").await?;
    let line = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
    expect_eq("the line after the zero wait", show(&line), show(b"now\n"))?;
    engine.close(sock).await
}
