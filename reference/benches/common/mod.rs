//! What the benchmarks share: loopback connections, the bulk workload, timed runs that alternate
//! reference and baseline, and the rows they print.

// Each benchmark uses its own part of this module.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener as StdListener, TcpStream as StdStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use caspian_reference::CallOpts;
use caspian_reference::blocking::{Net, TcpSocket};
use caspian_reference::permissions::Permissions;

/// Loopback only: no bench socket ever names another address.
pub const HOST: &str = "127.0.0.1";

/// The bulk workload: blocks of 64 KiB, 256 of them (16 MiB) per repetition.
pub const BLOCK: usize = 64 * 1024;
pub const BLOCKS: u64 = 256;

/// A workload ready to run: `run(reps)` performs it `reps` times and returns the time taken.
/// Dropping it closes the client and lets the server thread end.
pub type Workload = Box<dyn FnMut(u64) -> Duration>;

// ---------------------------------------------------------------------------------------------
// Connections

/// A reference server on its own thread (its own `Net`): accepts one connection and hands it to
/// `serve`. Returns the port.
pub fn reference_server(serve: impl FnOnce(TcpSocket) + Send + 'static) -> u16 {
    let (port_tx, port_rx) = mpsc::channel();
    thread::spawn(move || {
        let net = Net::new(Permissions::allow_all());
        let listener = net.tcp_listen(HOST, 0).expect("server: tcp_listen on 127.0.0.1");
        port_tx.send(listener.local_port()).expect("server: report the port");
        let sock = listener.accept(CallOpts::default()).expect("server: accept");
        serve(sock);
    });
    port_rx.recv().expect("server thread died before listening")
}

/// A `std::net` server on its own thread, TCP_NODELAY set: accepts one connection and hands it
/// to `serve`. Returns the port.
pub fn std_server(serve: impl FnOnce(StdStream) + Send + 'static) -> u16 {
    let listener = StdListener::bind((HOST, 0)).expect("server: bind 127.0.0.1");
    let port = listener.local_addr().expect("server: local address").port();
    thread::spawn(move || {
        let (stream, _) = listener.accept().expect("server: accept");
        stream.set_nodelay(true).expect("server: TCP_NODELAY");
        serve(stream);
    });
    port
}

pub fn reference_client(port: u16) -> TcpSocket {
    Net::new(Permissions::allow_all()).tcp(HOST, i64::from(port)).expect("client: tcp connect to 127.0.0.1")
}

pub fn std_client(port: u16) -> StdStream {
    let stream = StdStream::connect((HOST, port)).expect("client: connect to 127.0.0.1");
    stream.set_nodelay(true).expect("client: TCP_NODELAY");
    stream
}

// ---------------------------------------------------------------------------------------------
// Bulk, one direction: the client sends `reps * BLOCKS` blocks with `send_all`; a server thread
// receives them with `recv_exact(BLOCK)` and reports the end over an in-process channel.
// Baseline: `write_all` / `read_exact` into a reused buffer.

pub fn bulk_reference() -> Workload {
    // The server receives `blocks` blocks for each request on `start`, then says so on `done`.
    let (start, start_rx) = mpsc::channel::<u64>();
    let (done_tx, done) = mpsc::channel::<()>();
    let port = reference_server(move |mut sock| {
        for blocks in start_rx {
            for _ in 0..blocks {
                let block = sock.recv_exact(BLOCK as i64, CallOpts::default()).expect("server: recv_exact");
                assert_eq!(block.len(), BLOCK, "server: recv_exact returned a short block");
            }
            done_tx.send(()).expect("server: report the blocks received");
        }
    });
    let mut client = reference_client(port);
    let block = vec![0xa5_u8; BLOCK];
    Box::new(move |reps| {
        let begin = Instant::now();
        start.send(reps * BLOCKS).expect("bulk server thread is gone");
        for _ in 0..reps * BLOCKS {
            client.send_all(&block).expect("client: send_all");
        }
        done.recv().expect("bulk server thread died while receiving");
        begin.elapsed()
    })
}

pub fn bulk_baseline() -> Workload {
    // The server receives `blocks` blocks for each request on `start`, then says so on `done`.
    let (start, start_rx) = mpsc::channel::<u64>();
    let (done_tx, done) = mpsc::channel::<()>();
    let port = std_server(move |mut stream| {
        let mut buf = vec![0_u8; BLOCK];
        for blocks in start_rx {
            for _ in 0..blocks {
                stream.read_exact(&mut buf).expect("server: read_exact");
            }
            done_tx.send(()).expect("server: report the blocks received");
        }
    });
    let mut client = std_client(port);
    let block = vec![0xa5_u8; BLOCK];
    Box::new(move |reps| {
        let begin = Instant::now();
        start.send(reps * BLOCKS).expect("bulk server thread is gone");
        for _ in 0..reps * BLOCKS {
            client.write_all(&block).expect("client: write_all");
        }
        done.recv().expect("bulk server thread died while receiving");
        begin.elapsed()
    })
}

// ---------------------------------------------------------------------------------------------
// Timing and the table

pub fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// The CPU time this process has used so far, user and system, all threads.
pub fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the rusage it is given for RUSAGE_SELF, or fails and fills nothing.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
        return Duration::ZERO;
    }
    // SAFETY: it succeeded, so it filled the struct.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.unsigned_abs()) + Duration::from_micros(t.tv_usec.unsigned_abs())
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The medians of alternating runs: wall time, and the CPU time the process spent meanwhile.
pub struct Medians {
    pub reference: Duration,
    pub baseline: Duration,
    reference_cpu: Duration,
    baseline_cpu: Duration,
}

impl Medians {
    /// CPU time of the reference over the baseline's (below 1: the reference costs less).
    pub fn cpu_ratio(&self) -> f64 {
        self.reference_cpu.as_secs_f64() / self.baseline_cpu.as_secs_f64().max(1e-9)
    }
}

/// Times `reference` and `baseline` `runs` times each, alternating (so that a change in the
/// machine's load falls on both); returns the medians. CPU time is counted for the whole
/// process: meaningful when both ends of the workload run in it.
pub fn alternate(
    runs: usize,
    mut reference: impl FnMut() -> Duration,
    mut baseline: impl FnMut() -> Duration,
) -> Medians {
    let timed = |run: &mut dyn FnMut() -> Duration, walls: &mut Vec<Duration>, cpus: &mut Vec<Duration>| {
        let cpu = cpu_time();
        walls.push(run());
        cpus.push(cpu_time().saturating_sub(cpu));
    };
    let (mut r, mut b, mut r_cpu, mut b_cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        timed(&mut reference, &mut r, &mut r_cpu);
        timed(&mut baseline, &mut b, &mut b_cpu);
    }
    Medians {
        reference: median(r),
        baseline: median(b),
        reference_cpu: median(r_cpu),
        baseline_cpu: median(b_cpu),
    }
}

/// One line of a table: both figures, their ratio, the CPU ratio when it means something, and
/// the target when there is one, e.g.
/// `echo rtt   reference 19.2 us  baseline 13.5 us  ratio 1.42x  cpu 1.01x (target <= 1.05x) MISSED`.
pub fn row(
    label: &str,
    reference: String,
    baseline: String,
    ratio: f64,
    cpu: Option<f64>,
    target: Option<(&str, bool)>,
) {
    let cpu = cpu.map(|cpu| format!("  cpu {cpu:.2}x")).unwrap_or_default();
    let verdict = match target {
        Some((target, met)) => format!(" (target {target}) {}", if met { "met" } else { "MISSED" }),
        None => String::new(),
    };
    println!(
        "{label:<24} reference {reference:>15}  baseline {baseline:>15}  ratio {ratio:.2}x{cpu}{verdict}"
    );
}
