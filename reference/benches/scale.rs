//! How the reference's cost grows, each figure against its baseline in the same run:
//!
//! - `echo`: 1, 100, 1,000 and 10,000 concurrent connections, each echoing 16-byte messages
//!   (`send_all`, then `recv_exact(16)`) `max(30000 / n, 3)` times, all at once. The reference
//!   (async surface) on both ends against raw tokio on both ends, over loopback; and in the
//!   simulated world, the reference over turmoil against raw turmoil sockets. Reported: time per
//!   round trip (flat when the total grows linearly; in the simulation, the wall time of the
//!   whole simulation, connects included) and, over loopback, the time to open one connection
//!   (connect and a first round trip). Over loopback the echo servers run in a child process (this binary with
//!   `--serve`), so that each process holds one end of each connection: 10,000 descriptors per
//!   side, within `ulimit -n` 20000. Every run opens fresh connections (the ports of closed ones
//!   wait in TIME_WAIT, which Linux reuses for loopback); at most 64 connects are in flight.
//! - `idle socket`: the heap (counted by this binary's allocator) one idle, connected client
//!   socket holds, handle included: 10,000 of them open at once, async reference against a tokio
//!   `TcpStream`, blocking reference against a std `TcpStream`. Kernel memory is the same on
//!   both sides and not counted.
//! - `1 GiB`: one blocking connection, the bulk workload of `sockets` (`send_all` of 64 KiB
//!   blocks, `recv_exact(65536)` on the other end) until 1 GiB has passed, against std.
//!
//! Timings are medians of 5 runs per side, alternating. It is a report, never an assertion.
//! Under `cargo test --benches` (no `--bench` argument) it runs a small smoke version.
//!
//! Run: `cargo bench -p caspian-reference --bench scale`

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use caspian_reference::permissions::Permissions;
use caspian_reference::transport::Transport;
use caspian_reference::transport::os::OsTransport;
use caspian_reference::transport::sim::SimTransport;
use caspian_reference::{CallOpts, Net, TimeoutOpt, blocking};
use common::{HOST, alternate, bulk_baseline, bulk_reference, row};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinSet;

const MESSAGE: usize = 16;
/// Runs per side.
const RUNS: usize = 5;
/// Round trips per run, shared among the connections (each makes at least MIN_TRIPS).
const TOTAL_TRIPS: u64 = 30_000;
const MIN_TRIPS: u64 = 3;
/// Connections being opened at once. A connection counts as open after its first round trip, so
/// the server has accepted it: the accept queue (128, as std and tokio listen) never overflows,
/// and no connect waits for a SYN to be sent again.
const CONNECTS_IN_FLIGHT: usize = 64;
/// Idle sockets held open to measure the memory of one.
const IDLE_SOCKETS: usize = 10_000;
/// 16 MiB bulk workloads per transfer: 64 of them are 1 GiB.
const GIB_REPS: u64 = 64;

/// What one run covers; the smoke version is small.
struct Sizes {
    connections: &'static [usize],
    total_trips: u64,
    idle_sockets: usize,
    bulk_reps: u64,
}

const FULL: Sizes = Sizes {
    connections: &[1, 100, 1_000, 10_000],
    total_trips: TOTAL_TRIPS,
    idle_sockets: IDLE_SOCKETS,
    bulk_reps: GIB_REPS,
};
const SMOKE: Sizes = Sizes { connections: &[1, 10], total_trips: 100, idle_sockets: 10, bulk_reps: 1 };

// ---------------------------------------------------------------------------------------------
// Counting allocator: the heap a socket holds

/// The system allocator, counting the bytes live.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

// ---------------------------------------------------------------------------------------------
// Echo servers (in the child process over loopback, in a host of the simulation)

/// Which end a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Reference,
    Baseline,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Reference => "reference",
            Side::Baseline => "baseline",
        }
    }
}

/// The reference's echo server over any transport, on `host:port`: every accepted connection
/// echoes 16-byte messages until the peer leaves. `ready` learns the port bound.
async fn serve_reference<T: Transport>(transport: T, host: &str, port: u16, ready: impl FnOnce(u16)) {
    let net = Net::new(transport, Permissions::allow_all());
    let listener = net.tcp_listen(host, i64::from(port)).await.expect("server: tcp_listen");
    ready(listener.local_port());
    let forever = CallOpts { timeout: TimeoutOpt::Forever, ..CallOpts::default() };
    loop {
        let mut sock = listener.accept(forever).await.expect("server: accept");
        tokio::spawn(async move {
            while let Ok(message) = sock.recv_exact(MESSAGE as i64, forever).await {
                if sock.send_all(&message).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// The child process: an echo server of `side` on a multi-threaded runtime. Prints its port,
/// then serves until its standard input closes.
fn child_server(side: &str) {
    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let announce = |port: u16| println!("{port}");
    runtime.block_on(async {
        match side {
            "reference" => serve_reference(OsTransport, HOST, 0, announce).await,
            _ => {
                let listener = tokio::net::TcpListener::bind((HOST, 0)).await.expect("server: bind");
                announce(listener.local_addr().expect("server: address").port());
                loop {
                    let (stream, _) = listener.accept().await.expect("server: accept");
                    stream.set_nodelay(true).expect("server: TCP_NODELAY");
                    tokio::spawn(echo_raw(stream));
                }
            }
        }
    });
}

/// A raw echo loop over a tokio-compatible stream.
async fn echo_raw(mut stream: impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin) {
    let mut message = [0_u8; MESSAGE];
    while stream.read_exact(&mut message).await.is_ok() {
        if stream.write_all(&message).await.is_err() {
            break;
        }
    }
}

/// An echo server of `side` in a child process.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn spawn(side: Side) -> Self {
        let exe = std::env::current_exe().expect("this benchmark's path");
        let mut child = Command::new(exe)
            .args(["--serve", side.name()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the echo server");
        let stdout = child.stdout.take().expect("the server's output");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the server's port");
        let port = line.trim().parse().expect("a port number");
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Clients

/// Opens `n` connections with at most CONNECTS_IN_FLIGHT connects at a time.
async fn connect_all<S, F>(n: usize, connect: impl Fn() -> F) -> Vec<S>
where
    S: Send + 'static,
    F: Future<Output = S> + Send + 'static,
{
    let mut all = Vec::with_capacity(n);
    let mut pending = JoinSet::new();
    for _ in 0..n {
        if pending.len() >= CONNECTS_IN_FLIGHT {
            all.push(pending.join_next().await.expect("a pending connect").expect("connect task"));
        }
        pending.spawn(connect());
    }
    while let Some(done) = pending.join_next().await {
        all.push(done.expect("connect task"));
    }
    all
}

/// Runs `echo` on every connection at once; returns the time until all are done.
async fn echo_all<S, F>(connections: Vec<S>, echo: impl Fn(S) -> F) -> Duration
where
    F: Future<Output = ()> + Send + 'static,
{
    let start = Instant::now();
    let mut running = JoinSet::new();
    for connection in connections {
        running.spawn(echo(connection));
    }
    while let Some(done) = running.join_next().await {
        done.expect("echo task");
    }
    start.elapsed()
}

/// `trips` round trips of the reference's client.
async fn echo_reference(sock: &mut caspian_reference::tcp::TcpSocket, trips: u64) {
    let message = [0x42_u8; MESSAGE];
    for _ in 0..trips {
        sock.send_all(&message).await.expect("client: send_all");
        let reply = sock.recv_exact(MESSAGE as i64, CallOpts::default()).await.expect("client: recv_exact");
        assert!(*reply == message, "echo: the reply differs");
    }
}

/// `trips` round trips of a raw client.
async fn echo_baseline(stream: &mut (impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin), trips: u64) {
    let message = [0x42_u8; MESSAGE];
    let mut reply = [0_u8; MESSAGE];
    for _ in 0..trips {
        stream.write_all(&message).await.expect("client: write_all");
        stream.read_exact(&mut reply).await.expect("client: read_exact");
        assert!(reply == message, "echo: the reply differs");
    }
}

/// One loopback run: connects `n` clients of `side` to its server, then echoes; returns the
/// connect time and the echo time.
async fn real_run(side: Side, port: u16, n: usize, trips: u64) -> (Duration, Duration) {
    let start = Instant::now();
    match side {
        Side::Reference => {
            let net = Net::new(OsTransport, Permissions::allow_all());
            let socks = connect_all(n, || {
                let net = net.clone();
                async move {
                    let mut sock = net.tcp(HOST, i64::from(port)).await.expect("client: tcp");
                    echo_reference(&mut sock, 1).await;
                    sock
                }
            })
            .await;
            let connected = start.elapsed();
            (
                connected,
                echo_all(socks, |mut sock| async move { echo_reference(&mut sock, trips).await }).await,
            )
        }
        Side::Baseline => {
            let streams = connect_all(n, move || async move {
                let mut stream = tokio::net::TcpStream::connect((HOST, port)).await.expect("client: connect");
                stream.set_nodelay(true).expect("client: TCP_NODELAY");
                echo_baseline(&mut stream, 1).await;
                stream
            })
            .await;
            let connected = start.elapsed();
            (
                connected,
                echo_all(streams, |mut stream| async move { echo_baseline(&mut stream, trips).await }).await,
            )
        }
    }
}

/// The raw echo server of the simulation.
async fn serve_raw_sim(port: u16) -> turmoil::Result {
    let listener = turmoil::net::TcpListener::bind(("0.0.0.0", port)).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(echo_raw(stream));
    }
}

/// One simulated run: a server host and a client host with `n` connections; returns the wall
/// time of the whole simulation.
fn sim_run(side: Side, n: usize, trips: u64) -> Duration {
    const PORT: u16 = 7;
    let mut sim = turmoil::Builder::new()
        .simulation_duration(Duration::from_secs(24 * 3600))
        .min_message_latency(Duration::from_micros(100))
        .max_message_latency(Duration::from_millis(1))
        .tcp_capacity(n + CONNECTS_IN_FLIGHT)
        .build();
    match side {
        Side::Reference => sim.host("server", || async {
            serve_reference(SimTransport, "0.0.0.0", PORT, |_| {}).await;
            Ok(())
        }),
        Side::Baseline => sim.host("server", || serve_raw_sim(PORT)),
    }
    sim.client("client", async move {
        match side {
            Side::Reference => {
                let net = Net::new(SimTransport, Permissions::allow_all());
                let socks = connect_all(n, || {
                    let net = net.clone();
                    async move { net.tcp("server", i64::from(PORT)).await.expect("client: tcp") }
                })
                .await;
                echo_all(socks, |mut sock| async move { echo_reference(&mut sock, trips).await }).await;
            }
            Side::Baseline => {
                let streams = connect_all(n, || async {
                    turmoil::net::TcpStream::connect(("server", PORT)).await.expect("client: connect")
                })
                .await;
                echo_all(streams, |mut stream| async move { echo_baseline(&mut stream, trips).await }).await;
            }
        }
        Ok(())
    });
    let start = Instant::now();
    sim.run().expect("the simulation");
    start.elapsed()
}

// ---------------------------------------------------------------------------------------------
// Idle sockets

/// Heap bytes per item while `n` items made by `open` are held.
fn heap_per<T>(n: usize, open: impl FnMut(usize) -> T) -> f64 {
    let before = LIVE.load(Ordering::Relaxed);
    let held: Vec<T> = (0..n).map(open).collect();
    let per_item = LIVE.load(Ordering::Relaxed).saturating_sub(before) as f64 / n as f64;
    drop(held);
    per_item
}

// ---------------------------------------------------------------------------------------------
// The table

fn per_trip(d: Duration, n: usize, trips: u64) -> f64 {
    d.as_secs_f64() * 1e6 / (n as u64 * trips) as f64
}

fn echo_rows(runtime: &tokio::runtime::Runtime, servers: &[Server; 2], sizes: &Sizes) {
    for &n in sizes.connections {
        let trips = (sizes.total_trips / n as u64).max(MIN_TRIPS);
        let connects = std::cell::RefCell::new([Vec::new(), Vec::new()]);
        let run = |side: Side| {
            let port = servers[side as usize].port;
            let (connect, echo) = runtime.block_on(real_run(side, port, n, trips));
            connects.borrow_mut()[side as usize].push(connect);
            echo
        };
        let echo = alternate(RUNS, || run(Side::Reference), || run(Side::Baseline));
        let (r, b) = (echo.reference, echo.baseline);
        let label = format!("echo real n={n} x{trips}");
        let (rt, bt) = (per_trip(r, n, trips), per_trip(b, n, trips));
        // The servers' CPU time is in the child processes: no CPU ratio.
        row(&label, format!("{rt:.2} us/rt"), format!("{bt:.2} us/rt"), rt / bt, None, None);
        let [rc, bc] = connects.into_inner().map(common::median);
        let (rc, bc) = (rc.as_secs_f64() * 1e6 / n as f64, bc.as_secs_f64() * 1e6 / n as f64);
        row(
            &format!("connect real n={n}"),
            format!("{rc:.1} us/conn"),
            format!("{bc:.1} us/conn"),
            rc / bc,
            None,
            None,
        );
    }
    for &n in sizes.connections {
        let trips = (sizes.total_trips / n as u64).max(MIN_TRIPS);
        let sim =
            alternate(RUNS, || sim_run(Side::Reference, n, trips), || sim_run(Side::Baseline, n, trips));
        let (r, b) = (sim.reference, sim.baseline);
        let (rt, bt) = (per_trip(r, n, trips), per_trip(b, n, trips));
        row(
            &format!("echo sim n={n} x{trips}"),
            format!("{rt:.2} us/rt"),
            format!("{bt:.2} us/rt"),
            rt / bt,
            Some(sim.cpu_ratio()),
            None,
        );
    }
}

fn memory_rows(runtime: &tokio::runtime::Runtime, servers: &[Server; 2], n: usize) {
    let [reference_port, baseline_port] = [servers[0].port, servers[1].port];
    let net = Net::new(OsTransport, Permissions::allow_all());
    let tcp = |port: u16| runtime.block_on(net.tcp(HOST, i64::from(port))).expect("tcp");
    let reference = heap_per(n, |_| tcp(reference_port));
    let connect =
        |port: u16| runtime.block_on(tokio::net::TcpStream::connect((HOST, port))).expect("connect");
    let baseline = heap_per(n, |_| connect(baseline_port));
    row(
        &format!("idle async n={n}"),
        format!("{reference:.0} B/sock"),
        format!("{baseline:.0} B/sock"),
        reference / baseline,
        None,
        None,
    );
    let blocking_net = blocking::Net::new(Permissions::allow_all());
    let reference = heap_per(n, |_| blocking_net.tcp(HOST, i64::from(reference_port)).expect("tcp"));
    let baseline = heap_per(n, |_| std::net::TcpStream::connect((HOST, baseline_port)).expect("connect"));
    row(
        &format!("idle blocking n={n}"),
        format!("{reference:.0} B/sock"),
        format!("{baseline:.0} B/sock"),
        reference / baseline,
        None,
        None,
    );
}

fn transfer_row(reps: u64) {
    let (mut reference, mut baseline) = (bulk_reference(), bulk_baseline());
    reference(1);
    baseline(1);
    let transfer = alternate(RUNS, || reference(reps), || baseline(reps));
    let (r, b) = (transfer.reference, transfer.baseline);
    let bytes = (reps * common::BLOCKS * common::BLOCK as u64) as f64;
    let rate = |d: Duration| bytes / d.as_secs_f64() / 1e6;
    let label = format!("transfer {} MiB", bytes as u64 >> 20);
    let (rs, bs) = (format!("{:.0} MB/s", rate(r)), format!("{:.0} MB/s", rate(b)));
    row(&label, rs, bs, rate(r) / rate(b), Some(transfer.cpu_ratio()), None);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--serve") {
        child_server(args.get(at + 1).map_or("", String::as_str));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let sizes = if args.iter().any(|a| a == "--bench") { FULL } else { SMOKE };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let servers = [Server::spawn(Side::Reference), Server::spawn(Side::Baseline)];
    println!();
    println!(
        "scale (loopback 127.0.0.1 and turmoil; median of {} runs per side, alternating; ratio = reference / baseline)",
        RUNS
    );
    memory_rows(&runtime, &servers, sizes.idle_sockets);
    echo_rows(&runtime, &servers, &sizes);
    transfer_row(sizes.bulk_reps);
}
