//! Plain TCP over loopback (127.0.0.1 only): the reference's blocking sockets
//! (`caspian_reference::blocking`) against `std::net`, side by side in one run.
//!
//! Three workloads, each a criterion group with two functions, `reference` and `baseline`:
//!
//! - `bulk_64KiB`: the client sends 256 blocks of 64 KiB (16 MiB) with `send_all`; a server
//!   thread receives them with `recv_exact(65536)` and writes nothing back (it reports the end
//!   over an in-process channel). Baseline: `TcpStream::write_all` / `read_exact` into a reused
//!   buffer. Throughput in bytes.
//! - `recv_line`: a server thread writes 1,000,000 lines of 64 bytes (63 bytes and `\n`) from a
//!   pre-built buffer with `write_all`; the client reads them one by one with `recv_line`. The
//!   server is the same `std::net` writer for both sides, so only the reader differs. Baseline:
//!   `BufReader::new(TcpStream)` (its default 8 KiB buffer) and `read_line` into a reused
//!   `String`. Throughput in lines.
//! - `echo_16B`: the client sends 16 bytes and waits for the 16-byte reply; a server thread echoes
//!   with the same API as the client (`recv_exact(16)` + `send_all`, or `read_exact` +
//!   `write_all`). Time per iteration is the round-trip latency.
//!
//! Every socket, reference and baseline, has TCP_NODELAY set (the reference sets it on connect
//! and accept). Servers and connections are set up once per function, outside the timing
//! (`iter_custom`); the reference calls use `CallOpts::default()`, so the socket's default
//! 30 second timeout applies, as it does in a script.
//!
//! After the criterion groups, the same workloads are timed again with `Instant` (after a
//! warm-up, 11 runs per side, alternating, median; a bulk run is 4 x 16 MiB) and a table of
//! ratios is printed. It is a report, never an assertion. Targets: bulk and recv_line at least 1.0x the
//! baseline's throughput; the echo round trip at most 1.05x the baseline's latency.
//!
//! Run: `cargo bench -p caspian-reference --bench sockets`

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

use caspian_reference::{CallOpts, ErrorClass};
use common::{
    BLOCK, BLOCKS, Medians, Workload, alternate, bulk_baseline, bulk_reference, reference_client,
    reference_server, row, std_client, std_server,
};
use criterion::{Criterion, SamplingMode, Throughput};

const LINE_LEN: usize = 64;
const LINES: u64 = 1_000_000;
/// Lines per `write_all` of the line server (LINES is a multiple of it).
const CHUNK_LINES: u64 = 1_000;

const MESSAGE: usize = 16;

/// Runs per side in the ratio table: each is short, and the machine may be shared.
const RUNS: usize = 11;
/// 16 MiB workloads per timed bulk run in the ratio table (one alone takes only a few ms).
const BULK_REPS: u64 = 4;
/// Untimed 16 MiB workloads per side before the timed bulk runs.
const BULK_WARM_UP: u64 = 16;
/// Round trips per timed echo run in the ratio table.
const ECHO_TRIPS: u64 = 10_000;

// ---------------------------------------------------------------------------------------------
// Workload 1, bulk, is in `common`. Workload 2: recv_line

/// The line writer both sides read from: for each request of `reps` on the returned channel,
/// writes `reps * LINES` lines of LINE_LEN bytes as fast as the reader takes them.
fn line_server() -> (u16, Sender<u64>) {
    let (start, start_rx) = mpsc::channel::<u64>();
    let port = std_server(move |mut stream| {
        let line: Vec<u8> = (0..LINE_LEN - 1).map(|i| b'a' + (i % 26) as u8).chain([b'\n']).collect();
        let chunk = line.repeat(CHUNK_LINES as usize);
        for reps in start_rx {
            for _ in 0..reps * (LINES / CHUNK_LINES) {
                stream.write_all(&chunk).expect("line server: write_all");
            }
        }
    });
    (port, start)
}

fn recv_line_reference() -> Workload {
    let (port, start) = line_server();
    let mut client = reference_client(port);
    Box::new(move |reps| {
        let begin = Instant::now();
        start.send(reps).expect("line server thread is gone");
        let mut bytes = 0;
        for _ in 0..reps * LINES {
            bytes += client.recv_line(CallOpts::default()).expect("client: recv_line").len();
        }
        let elapsed = begin.elapsed();
        assert_eq!(bytes as u64, reps * LINES * LINE_LEN as u64, "recv_line: wrong byte count");
        elapsed
    })
}

fn recv_line_baseline() -> Workload {
    let (port, start) = line_server();
    let mut reader = BufReader::new(std_client(port));
    let mut line = String::with_capacity(LINE_LEN);
    Box::new(move |reps| {
        let begin = Instant::now();
        start.send(reps).expect("line server thread is gone");
        let mut bytes = 0;
        for _ in 0..reps * LINES {
            line.clear();
            bytes += reader.read_line(&mut line).expect("client: read_line");
        }
        let elapsed = begin.elapsed();
        assert_eq!(bytes as u64, reps * LINES * LINE_LEN as u64, "read_line: wrong byte count");
        elapsed
    })
}

// ---------------------------------------------------------------------------------------------
// Workload 3: echo round trip

/// True when a reference error means the peer has gone away (the end of a server's loop).
fn peer_gone(class: ErrorClass) -> bool {
    matches!(class, ErrorClass::EndOfStream | ErrorClass::ConnectionReset | ErrorClass::Closed)
}

fn echo_reference() -> Workload {
    let port = reference_server(|mut sock| {
        loop {
            match sock.recv_exact(MESSAGE as i64, CallOpts::default()) {
                Ok(message) => sock.send_all(&message).expect("echo server: send_all"),
                // Idle past the socket's timeout: nothing was consumed, wait again.
                Err(e) if e.class == ErrorClass::Timeout => continue,
                Err(e) if peer_gone(e.class) => break,
                Err(e) => panic!("echo server: recv_exact: {e}"),
            }
        }
    });
    let mut client = reference_client(port);
    let message = [0x42_u8; MESSAGE];
    Box::new(move |reps| {
        let begin = Instant::now();
        for _ in 0..reps {
            client.send_all(&message).expect("client: send_all");
            let reply = client.recv_exact(MESSAGE as i64, CallOpts::default()).expect("client: recv_exact");
            assert!(*reply == message, "echo: the reply differs from the message");
        }
        begin.elapsed()
    })
}

fn echo_baseline() -> Workload {
    let port = std_server(|mut stream| {
        let mut message = [0_u8; MESSAGE];
        // read_exact fails at end of stream: the client has gone.
        while stream.read_exact(&mut message).is_ok() {
            stream.write_all(&message).expect("echo server: write_all");
        }
    });
    let mut client = std_client(port);
    let message = [0x42_u8; MESSAGE];
    let mut reply = [0_u8; MESSAGE];
    Box::new(move |reps| {
        let begin = Instant::now();
        for _ in 0..reps {
            client.write_all(&message).expect("client: write_all");
            client.read_exact(&mut reply).expect("client: read_exact");
            assert!(reply == message, "echo: the reply differs from the message");
        }
        begin.elapsed()
    })
}

// ---------------------------------------------------------------------------------------------
// Criterion groups

/// One group: `reference` then `baseline`, each with its own server set up once.
fn group(
    c: &mut Criterion,
    name: &str,
    configure: impl Fn(&mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>),
    reference: fn() -> Workload,
    baseline: fn() -> Workload,
) {
    let mut group = c.benchmark_group(name);
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    configure(&mut group);
    for (function, make) in [("reference", reference), ("baseline", baseline)] {
        let mut workload = make();
        group.bench_function(function, |b| b.iter_custom(&mut workload));
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    group(
        c,
        "bulk_64KiB",
        |g| {
            g.sample_size(10).throughput(Throughput::Bytes(BLOCKS * BLOCK as u64));
        },
        bulk_reference,
        bulk_baseline,
    );
    group(
        c,
        "recv_line",
        |g| {
            // One iteration is a whole million lines: flat sampling keeps it to ~10 iterations.
            g.sample_size(10).sampling_mode(SamplingMode::Flat).throughput(Throughput::Elements(LINES));
        },
        recv_line_reference,
        recv_line_baseline,
    );
    group(
        c,
        "echo_16B",
        |g| {
            g.sample_size(20);
        },
        echo_reference,
        echo_baseline,
    );
}

// ---------------------------------------------------------------------------------------------
// Ratio table

/// Times `reps` repetitions on each side, alternating, after `warm_up` untimed repetitions each
/// (a fresh loopback connection needs some traffic before its socket buffers have grown); returns
/// the medians.
fn time_pair(reference: fn() -> Workload, baseline: fn() -> Workload, warm_up: u64, reps: u64) -> Medians {
    let (mut reference, mut baseline) = (reference(), baseline());
    reference(warm_up);
    baseline(warm_up);
    alternate(RUNS, || reference(reps), || baseline(reps))
}

fn ratios() {
    println!();
    println!("sockets ratios (loopback 127.0.0.1, median of {RUNS} runs per side, alternating)");

    let bulk = time_pair(bulk_reference, bulk_baseline, BULK_WARM_UP, BULK_REPS);
    let (r, b) = (bulk.reference, bulk.baseline);
    let mb_s = |d: Duration| (BULK_REPS * BLOCKS * BLOCK as u64) as f64 / d.as_secs_f64() / 1e6;
    let ratio = mb_s(r) / mb_s(b);
    row(
        "bulk 64KiB",
        format!("{:.0} MB/s", mb_s(r)),
        format!("{:.0} MB/s", mb_s(b)),
        ratio,
        Some(bulk.cpu_ratio()),
        Some((">= 1.0x", ratio >= 1.0)),
    );

    let lines = time_pair(recv_line_reference, recv_line_baseline, 1, 1);
    let (r, b) = (lines.reference, lines.baseline);
    let mlines_s = |d: Duration| LINES as f64 / d.as_secs_f64() / 1e6;
    let (rs, bs) = (format!("{:.2} Mlines/s", mlines_s(r)), format!("{:.2} Mlines/s", mlines_s(b)));
    let ratio = mlines_s(r) / mlines_s(b);
    row("recv_line", rs, bs, ratio, Some(lines.cpu_ratio()), Some((">= 1.0x", ratio >= 1.0)));

    let echo = time_pair(echo_reference, echo_baseline, ECHO_TRIPS, ECHO_TRIPS);
    let (r, b) = (echo.reference, echo.baseline);
    let rtt_us = |d: Duration| d.as_secs_f64() * 1e6 / ECHO_TRIPS as f64;
    let ratio = rtt_us(r) / rtt_us(b);
    row(
        "echo rtt",
        format!("{:.1} us", rtt_us(r)),
        format!("{:.1} us", rtt_us(b)),
        ratio,
        Some(echo.cpu_ratio()),
        Some(("<= 1.05x", ratio <= 1.05)),
    );
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    // `cargo bench` passes --bench; `cargo test --benches` does not (criterion then runs each
    // function once as a smoke test), and --list only lists. The table is for real runs only.
    let args: Vec<String> = std::env::args().collect();
    let benchmarking =
        args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test" || a == "--list");
    if benchmarking {
        ratios();
    }
    criterion.final_summary();
}
