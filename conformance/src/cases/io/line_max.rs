//! IO-LINE-MAX: recv_line's max_length.

use crate::body;
use crate::cases::support::{connected, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CLASSES, CallOpts, Request, Value};
use crate::peers::Step;
use crate::script::{Failure, Plain, expect, expect_argument, expect_names, expect_reason};
use crate::waits::Waits;

use super::TCP;

pub const NOTHING_CONSUMED: Case = Case {
    id: "io.line_max.nothing_consumed",
    clauses: &["IO-LINE-MAX", "IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_line(max_length: 10) on a 100-byte line raises, consuming nothing: recv_line then returns all 101 bytes",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let line = long_line();
        let (mut engine, sock, _) = connected(&ctx, script(vec![Step::Send(line.clone())])).await?;
        match engine.call(Request::recv_line(sock, max_length(10))).await {
            Err(raised) if CLASSES.contains(&raised.class.as_str()) => {}
            Err(raised) => {
                return Err(Failure::new(format!(
                    "recv_line raised {}, which is no exception class of the standard",
                    raised.class
                )));
            }
            Ok(value) => {
                return Err(Failure::mismatch(
                    "recv_line(max_length: 10) on a 101-byte line",
                    "an exception",
                    value,
                ));
            }
        }
        engine
            .expect_bytes(
                "recv_line after the refused line",
                Request::recv_line(sock, waits.ok_opts()),
                &line,
            )
            .await?;
        engine.close(sock).await
    }),
};

pub const LINE_TOO_LONG: Case = Case {
    id: "io.line_max.line_too_long",
    clauses: &["IO-LINE-MAX", "DEC-LINE-TOO-LONG"],
    level: Should,
    needs: TCP,
    worlds: Both,
    description: "recv_line(max_length: 10) on a 100-byte line raises ArgumentError with reason line_too_long, naming host:port (D1)",
    run: body!(async |ctx| {
        let (mut engine, sock, peer) = connected(&ctx, script(vec![Step::Send(long_line())])).await?;
        let raised = engine.raises(Request::recv_line(sock, max_length(10)), "ArgumentError").await?;
        expect_reason(&raised, "line_too_long")?;
        expect_names(&raised, &peer.host, peer.port)?;
        engine.close(sock).await
    }),
};

pub const EXACT_LENGTH: Case = Case {
    id: "io.line_max.exact_length",
    clauses: &["IO-LINE-MAX"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "with max_length 10 a 10-byte line (newline included) is returned; a 12-byte line then raises",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"123456789\n12345678901\n")])).await?;
        engine
            .expect_bytes(
                "recv_line(max_length: 10) of a 10-byte line",
                Request::recv_line(sock, max_length(10)),
                b"123456789\n",
            )
            .await?;
        let raised = engine.call(Request::recv_line(sock, max_length(10))).await;
        expect(raised.is_err(), || {
            format!(
                "recv_line(max_length: 10) of a 12-byte line: expected an exception, got {}",
                raised.plain()
            )
        })?;
        engine
            .expect_bytes(
                "recv_line of the 12-byte line with the default",
                Request::recv_line(sock, waits.ok_opts()),
                b"12345678901\n",
            )
            .await?;
        engine.close(sock).await
    }),
};

pub const DEFAULT_1MIB: Case = Case {
    id: "io.line_max.default_1mib",
    clauses: &["IO-LINE-MAX"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "with the default max_length a line of exactly 1 MiB (newline included) is returned intact",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let mut line = vec![b'z'; (1 << 20) - 1];
        line.push(b'\n');
        let (mut engine, sock, _) =
            connected(&ctx, script(vec![Step::Send(line.clone()), send(b"next\n")])).await?;
        let got = engine.bytes(Request::recv_line(sock, waits.ok_opts())).await?;
        expect(got == line, || {
            format!("the 1 MiB line: got {} bytes, expected {} z's and a newline", got.len(), line.len() - 1)
        })?;
        engine.expect_bytes("the next line", Request::recv_line(sock, waits.ok_opts()), b"next\n").await?;
        engine.close(sock).await
    }),
};

pub const BOUNDED: Case = Case {
    id: "io.line_max.bounded",
    clauses: &["IO-LINE-MAX", "IO-NOTHING-LOST"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a peer streaming 3 MiB without a newline: recv_line raises (not Timeout) instead of buffering it all; the first 1 MiB stays readable",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![Step::Send(vec![b'y'; 3 << 20])])).await?;
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
                    other => other.to_string(),
                };
                return Err(Failure::mismatch("recv_line on 3 MiB without a newline", "an exception", got));
            }
        }
        let start = engine.bytes(Request::recv_exact(sock, 1 << 20, waits.ok_opts())).await?;
        expect(start.len() == 1 << 20 && start.iter().all(|&b| b == b'y'), || {
            "the first 1 MiB came back altered after the refused line".into()
        })?;
        engine.close(sock).await
    }),
};

pub const BAD_MAX_LENGTH: Case = Case {
    id: "io.line_max.bad_max_length",
    clauses: &["IO-LINE-MAX", "DEC-MAX-LENGTH-POSITIVE"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "recv_line with max_length -1, and with 0 (no line fits: the newline counts), raises ArgumentError \
        naming max_length and consumes nothing",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, sock, _) = connected(&ctx, script(vec![send(b"short\n")])).await?;
        engine.expect_bytes("recv_exact(1)", Request::recv_exact(sock, 1, waits.ok_opts()), b"s").await?;
        for max in [-1, 0] {
            let raised = engine.raises(Request::recv_line(sock, max_length(max)), "ArgumentError").await?;
            expect_argument(&raised, "max_length")?;
        }
        engine
            .expect_bytes(
                "recv_line after the rejected call",
                Request::recv_line(sock, waits.ok_opts()),
                b"hort\n",
            )
            .await?;
        engine.close(sock).await
    }),
};

/// `recv_line` with a `max_length`.
fn max_length(max: i64) -> CallOpts {
    CallOpts { max_length: Some(max), ..CallOpts::default() }
}

/// A line of 100 `x` and its newline.
fn long_line() -> Vec<u8> {
    let mut line = vec![b'x'; 100];
    line.push(b'\n');
    line
}
