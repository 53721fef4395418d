//! A model-based (state-machine) test of the reference engine, through the contract.
//!
//! CI runs 64 cases; run ten times more locally with
//! PROPTEST_CASES=640 cargo test -p caspian-harness --test state_machine
//!
//! Each case is a random sequence of 1..40 operations, run in order on one engine session
//! (`Script::call`) inside one turmoil simulation: the reference (`ReferenceFactory` over
//! `SimTransport`, certificates checked against `SimClock`), started with
//! `--allow-net=<the peers' host>` and a bare `--allow-listen`, talking to one echo TCP peer and
//! one UDP echo peer. Every reply is checked against a small model, and a mismatch names the
//! operation's index, the operation, the request, the expected and actual outcome, the model of
//! the handle and the end of the transcript. Time is virtual: the short timeouts cost nothing.
//!
//! The number of cases is `PROPTEST_CASES` (default 64). The RNG seed is fixed (`SEED`) so every
//! run checks the same sequences; `PROPTEST_RNG_SEED=<u64>` explores others. No regression files
//! are written. Each case also draws the simulation's seed, so the network's latencies vary.
//!
//! # The operations
//! An operation on a handle carries an index that picks among the handles of its kind opened so
//! far, modulo their count, counting back from the newest (mostly 0: the newest); with none, the
//! operation is skipped. Tcp sockets: `OpenTcp` (to the echo), `SendAll` (0..6 bytes, with and
//! without `\n`), `RecvLine`, `RecvExact(0..8)`, `Recv(1..=8)`, `Shutdown(:send | :recv | :both
//! | bogus)`, `Close`, `Starttls` (against the plain echo) and `Connected` (`.connected?`).
//! Listeners: `Listen` (127.0.0.1, port 0), `Accept` (timeout 0.1 s: nobody dials),
//! `CloseListener`. UDP: `Udp` (no default peer), `SendTo` (the UDP echo), `RecvFrom(1..=8)`,
//! `CloseUdp`. Receives wait at most 0.5 s, more than the simulated round trip.
//!
//! # The model
//! Per tcp socket: open, closed or upgraded (handed to starttls), whether each half is shut, and
//! the bytes the echo has sent back and the script has not consumed yet (`pending`: the echo
//! returns everything, in order). From it, exactly:
//! - `send_all` is nil and adds to `pending`; after `shutdown(:send)` it raises Closed.
//! - `recv_line` returns the next line when `pending` holds a `\n` (TCP-RECV-LINE); else raises
//!   EndOfStream once `:send` is shut (the echo ends its side after echoing: IO-LINE-EOF), else
//!   Timeout. Nothing raised consumes anything (IO-NOTHING-LOST).
//! - `recv_exact(n)`: `""` for n = 0 (IO-EXACT-ZERO); n bytes when `pending` holds them; else
//!   EndOfStream or Timeout as above.
//! - `recv(max)`: a non-empty prefix of `pending` of at most `max` bytes (TCP-RECV; the model
//!   consumes what came); `""` at end of stream (IO-EOF); else Timeout.
//! - After `shutdown(:recv)`, `recv` returns `""` and `recv_line`/`recv_exact(n > 0)` raise
//!   EndOfStream (IO-SHUTDOWN-READ); `send_all` still works. Shutting a half again is nil, and
//!   `.connected?` stays true until close.
//! - An unknown direction raises ArgumentError (TCP-SHUTDOWN) whatever the socket's state: the
//!   reference checks arguments before the socket, as it does for `recv_exact(-1)`.
//! - `close` is nil, twice too; everything else on a closed socket raises Closed
//!   (IO-CLOSE-IDEMPOTENT), and `.connected?` is false (TCP-PROP-CONNECTED).
//! - `starttls` (with `verify: false`, so that no CA bundle is involved) raises TlsError: the
//!   echo answers the ClientHello with itself. The reference detaches the stream before the
//!   handshake, so afterwards the tcp handle is upgraded: Closed on use, `.connected?` false
//!   (TCP-STARTTLS, SSL-UPGRADE). The one exception is IO-STARTTLS-BUFFER: with unread
//!   plaintext buffered in the engine it raises TlsError and does not upgrade. How much of
//!   `pending` the engine has buffered is not observable, so when `pending` is not empty the
//!   test asks `.connected?` to learn which happened (and when it is empty, nothing can be
//!   buffered, so the handle must be upgraded).
//! - `starttls` after `shutdown(:send)` cannot send its ClientHello: it raises Closed and does
//!   not upgrade (CONFORMANCE.md D15), before any check of buffered plaintext.
//! - Listeners: `accept(timeout: 0.1)` raises Timeout (LST-ACCEPT, IO-ACCEPT-TIMEOUT), Closed
//!   after close (LST-CLOSE); close is nil, twice too.
//! - UDP: `send_to` returns the datagram's length (UDP-SEND-TO); `recv_from(max)` returns one
//!   of the datagrams sent and not yet received, cut to `max` bytes (UDP-RECV-FROM,
//!   UDP-DATAGRAM, IO-UDP-TRUNCATE), from the echo's address and port; with none outstanding it
//!   raises Timeout. The simulated network may reorder datagrams, so the model keeps a set, and
//!   each datagram starts with a tag byte unique in its case so that a cut one is still known.
//!   After close, Closed (UDP-CLOSE).
//!
//! # Coverage
//! The property counts every outcome it met (run with `--nocapture` to see the table) and, with
//! the default seed and case count, fails if one of `MUST_COVER` was never met: a change to the
//! generator cannot quietly stop exercising a path.
//!
//! # The model can fail
//! `planted_bugs_are_caught` runs the same property against the reference wrapped in a faulty
//! engine (Closed answered as ConnectionReset; recv_line without its newline) and shows,
//! through proptest's `TestRunner`, that it fails, with the shrunk operation sequence.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use caspian_conformance::contract::{
    CallOpts, Engine, Handle, LocalFuture, Property, Reply, Request, TlsArgs, Value, class_is_a,
};
use caspian_conformance::peers::{Peer, PeerAddr, PeerControl};
use caspian_conformance::script::{Ctx, Script, show};
use caspian_harness::engines::planted::Planted;
use caspian_harness::engines::reference::ReferenceFactory;
use caspian_harness::world::{SERVER_HOST, run_sim};
use caspian_reference::transport::sim::{SimClock, SimTransport};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use proptest::test_runner::{RngSeed, TestCaseError, TestError, TestRunner};

/// The fixed seed of every run (overridden by `PROPTEST_RNG_SEED`).
const SEED: u64 = 0x5747_E0DE;

/// Cases per property: `PROPTEST_CASES`, or 64.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|value| value.parse().ok()).unwrap_or(64)
}

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(cases());
    config.failure_persistence = None;
    // Each shrink step runs a whole simulation: bound the work (a count, not a time, so that
    // the shrunk sequence is the same on every machine).
    config.max_shrink_iters = 256;
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    config
}

/// The timeout of every receive that the model expects either to succeed or to time out. It
/// exceeds the simulated network's round trip (at most 2 × 100 ms of latency), so that data the
/// model holds as pending has always arrived.
const RECV_TIMEOUT: f64 = 0.5;
/// The timeout of `accept`, which always times out.
const ACCEPT_TIMEOUT: f64 = 0.1;
/// The longest any single operation may take, in virtual time, before the case fails.
const OP_GUARD: Duration = Duration::from_secs(120);
/// How much of the transcript a failure shows.
const TRANSCRIPT_TAIL: usize = 16;

// ---------------------------------------------------------------------------------------------
// Operations

/// One generated operation. `usize` fields pick a handle of the operation's kind (see [`pick`]).
#[derive(Debug, Clone, PartialEq)]
enum Op {
    OpenTcp,
    SendAll(usize, Vec<u8>),
    RecvLine(usize),
    RecvExact(usize, i64),
    Recv(usize, i64),
    Shutdown(usize, &'static str),
    Close(usize),
    Starttls(usize),
    Connected(usize),
    Listen,
    Accept(usize),
    CloseListener(usize),
    Udp,
    /// The payload after the tag byte.
    SendTo(usize, Vec<u8>),
    RecvFrom(usize, i64),
    CloseUdp(usize),
}

/// One case: the simulation's seed and the operations.
#[derive(Debug, Clone)]
struct Input {
    sim_seed: u64,
    ops: Vec<Op>,
}

const DIRECTIONS: [&str; 4] = [":send", ":recv", ":both", "bogus"];

/// Small stream payloads, with and without newlines (and sometimes empty).
fn stream_bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(prop_oneof![4 => Just(b'a'), 2 => Just(b'b'), 3 => Just(b'\n'), 1 => Just(b'\r')], 0..6)
}

fn op() -> impl Strategy<Value = Op> {
    // Mostly the newest handle of the kind, so that one socket sees long runs of operations.
    let pick = || prop_oneof![3 => Just(0usize), 1 => 0usize..8];
    Union::new_weighted(vec![
        // Tcp sockets.
        (3, Just(Op::OpenTcp).boxed()),
        (7, (pick(), stream_bytes()).prop_map(|(i, b)| Op::SendAll(i, b)).boxed()),
        (4, pick().prop_map(Op::RecvLine).boxed()),
        (3, (pick(), 0i64..8).prop_map(|(i, n)| Op::RecvExact(i, n)).boxed()),
        (3, (pick(), 1i64..=8).prop_map(|(i, n)| Op::Recv(i, n)).boxed()),
        (2, (pick(), select(DIRECTIONS.to_vec())).prop_map(|(i, d)| Op::Shutdown(i, d)).boxed()),
        (2, pick().prop_map(Op::Close).boxed()),
        (1, pick().prop_map(Op::Starttls).boxed()),
        (1, pick().prop_map(Op::Connected).boxed()),
        // Listeners.
        (1, Just(Op::Listen).boxed()),
        (2, pick().prop_map(Op::Accept).boxed()),
        (1, pick().prop_map(Op::CloseListener).boxed()),
        // UDP sockets.
        (1, Just(Op::Udp).boxed()),
        (4, (pick(), vec(any::<u8>(), 0..7)).prop_map(|(i, b)| Op::SendTo(i, b)).boxed()),
        (4, (pick(), 1i64..=8).prop_map(|(i, n)| Op::RecvFrom(i, n)).boxed()),
        (1, pick().prop_map(Op::CloseUdp).boxed()),
    ])
}

fn input() -> impl Strategy<Value = Input> {
    (0u64..1 << 16, vec(op(), 1..40)).prop_map(|(sim_seed, ops)| Input { sim_seed, ops })
}

// ---------------------------------------------------------------------------------------------
// The model

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    Open,
    Closed,
    /// Handed to starttls: the tcp handle is invalid.
    Upgraded,
}

#[derive(Debug, Clone)]
struct TcpModel {
    handle: Handle,
    life: Life,
    send_shut: bool,
    recv_shut: bool,
    /// What the echo sent back (or will) and the script has not consumed.
    pending: Vec<u8>,
}

impl TcpModel {
    fn new(handle: Handle) -> Self {
        Self { handle, life: Life::Open, send_shut: false, recv_shut: false, pending: Vec::new() }
    }

    fn dead(&self) -> bool {
        self.life != Life::Open
    }

    /// True when no more bytes will come: after shutdown(:send) the echo returns what it got,
    /// then ends its side.
    fn peer_ends(&self) -> bool {
        self.send_shut
    }

    fn consume(&mut self, n: usize) {
        self.pending.drain(..n);
    }
}

impl fmt::Display for TcpModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let life = match self.life {
            Life::Open => "open",
            Life::Closed => "closed",
            Life::Upgraded => "upgraded by starttls",
        };
        write!(f, "tcp handle {}: {life}", self.handle)?;
        if self.send_shut {
            write!(f, ", send half shut")?;
        }
        if self.recv_shut {
            write!(f, ", recv half shut")?;
        }
        write!(f, ", pending {}", show(&self.pending))
    }
}

#[derive(Debug, Clone)]
struct ListenerModel {
    handle: Handle,
    open: bool,
}

#[derive(Debug, Clone)]
struct UdpModel {
    handle: Handle,
    open: bool,
    /// Datagrams sent to the echo and not yet received (in any order: the network may reorder).
    outstanding: Vec<Vec<u8>>,
}

#[derive(Debug, Default)]
struct Model {
    tcp: Vec<TcpModel>,
    listeners: Vec<ListenerModel>,
    udp: Vec<UdpModel>,
    /// Every handle the engine has returned: a new one must be fresh.
    handles: Vec<Handle>,
    /// The tag byte of the next datagram.
    next_tag: u8,
}

/// Picks among `len` handles, counting back from the newest: `index` modulo `len`.
fn pick(index: usize, len: usize) -> Option<usize> {
    (len > 0).then(|| len - 1 - index % len)
}

/// What the model expects of one operation.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Nil,
    /// A handle no earlier request returned.
    NewHandle,
    Int(i64),
    Bool(bool),
    Bytes(Vec<u8>),
    /// A non-empty prefix of these bytes (TCP-RECV returns what has arrived, 1..=max bytes).
    PrefixOf(Vec<u8>),
    /// One of these datagrams (already cut to max_bytes), from `host:port`.
    DatagramOf {
        candidates: Vec<Vec<u8>>,
        host: String,
        port: i64,
    },
    /// An exception of this class (or a subclass).
    Raises(&'static str),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Nil => write!(f, "nil"),
            Expected::NewHandle => write!(f, "a new handle"),
            Expected::Int(n) => write!(f, "{n}"),
            Expected::Bool(b) => write!(f, "{b}"),
            Expected::Bytes(b) => write!(f, "bytes {}", show(b)),
            Expected::PrefixOf(b) => write!(f, "a non-empty prefix of {}", show(b)),
            Expected::DatagramOf { candidates, host, port } => {
                let shown: Vec<String> = candidates.iter().map(|c| show(c)).collect();
                write!(f, "a datagram from {host}:{port}, one of [{}]", shown.join(", "))
            }
            Expected::Raises(class) => write!(f, "{class} raised"),
        }
    }
}

thread_local! {
    /// How often each outcome was met in this thread's cases (the simulation runs on the test's
    /// thread): what the generated sequences actually exercised.
    static COVERAGE: RefCell<BTreeMap<String, u32>> = RefCell::default();
}

/// Counts one outcome.
fn note(outcome: &str) {
    COVERAGE.with(|coverage| *coverage.borrow_mut().entry(outcome.to_string()).or_default() += 1);
}

/// A reply's kind, for the coverage counts.
fn outcome(reply: &Reply) -> String {
    match reply {
        Ok(Value::Bytes(bytes)) if bytes.is_empty() => "\"\"".into(),
        Ok(Value::Bytes(_)) => "bytes".into(),
        Ok(Value::Datagram { .. }) => "datagram".into(),
        Ok(Value::Nil) => "nil".into(),
        Ok(Value::Int(_)) => "count".into(),
        Ok(Value::Bool(b)) => b.to_string(),
        Ok(Value::Handle(_)) => "handle".into(),
        Ok(other) => format!("{other:?}"),
        Err(raised) => raised.class.clone(),
    }
}

/// A reply as a failure message shows it.
fn render(reply: &Reply) -> String {
    match reply {
        Ok(Value::Bytes(bytes)) => format!("bytes {}", show(bytes)),
        Ok(Value::Datagram { bytes, host, port }) => format!("a datagram {} from {host}:{port}", show(bytes)),
        Ok(Value::Nil) => "nil".into(),
        Ok(Value::Int(n)) => n.to_string(),
        Ok(Value::Bool(b)) => b.to_string(),
        Ok(Value::Handle(h)) => format!("handle {h}"),
        Ok(other) => format!("{other:?}"),
        Err(raised) => format!("{} raised: {}", raised.class, raised.message),
    }
}

impl Model {
    /// True when `reply` is what `expected` allows.
    fn agrees(&self, expected: &Expected, reply: &Reply) -> bool {
        match (expected, reply) {
            (Expected::Raises(class), Err(raised)) => class_is_a(&raised.class, class),
            (Expected::Nil, Ok(Value::Nil)) => true,
            (Expected::NewHandle, Ok(Value::Handle(h))) => !self.handles.contains(h),
            (Expected::Int(n), Ok(Value::Int(m))) => n == m,
            (Expected::Bool(a), Ok(Value::Bool(b))) => a == b,
            (Expected::Bytes(a), Ok(Value::Bytes(b))) => a == b,
            (Expected::PrefixOf(all), Ok(Value::Bytes(b))) => !b.is_empty() && all.starts_with(b),
            (
                Expected::DatagramOf { candidates, host, port },
                Ok(Value::Datagram { bytes, host: h, port: p }),
            ) => candidates.contains(bytes) && host == h && port == p,
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running a case

/// One case in progress: the engine session, the model, and the peers' addresses.
struct Run {
    ctx: Ctx,
    script: Script,
    model: Model,
    echo: PeerAddr,
    udp_echo: PeerAddr,
    /// The UDP echo's address as recv_from reports it (an IP, not the host name).
    server_ip: String,
}

/// Why a step failed: the message, before the transcript is appended.
type StepResult = Result<(), String>;

impl Run {
    /// Sends one request, failing the case if the engine does not answer in time.
    async fn call(&mut self, request: Request) -> Result<Reply, String> {
        let json = serde_json::to_string(&request).unwrap_or_default();
        tokio::time::timeout(OP_GUARD, self.script.call(request))
            .await
            .map_err(|_| format!("{json} did not answer within {OP_GUARD:?} of virtual time"))
    }

    /// Sends `request` and checks its reply against `expected`.
    async fn verify(
        &mut self,
        at: &str,
        request: Request,
        expected: Expected,
        state: Option<String>,
    ) -> StepResult {
        self.check(at, request, expected, state).await.map(drop)
    }

    /// Sends `request`, checks its reply against `expected`, and returns the reply.
    async fn check(
        &mut self,
        at: &str,
        request: Request,
        expected: Expected,
        state: Option<String>,
    ) -> Result<Reply, String> {
        let json = serde_json::to_string(&request).unwrap_or_default();
        let op = request.op();
        let reply = self.call(request).await?;
        if self.model.agrees(&expected, &reply) {
            note(&format!("{op} → {}", outcome(&reply)));
            return Ok(reply);
        }
        let state = state.map(|s| format!("\n  model before the op: {s}")).unwrap_or_default();
        Err(format!("{at}: {json}: expected {expected}, got {}{state}", render(&reply)))
    }

    async fn step(&mut self, index: usize, op: &Op) -> StepResult {
        let at = format!("op #{index} {op:?}");
        let tcp = |model: &Model, i: usize| pick(i, model.tcp.len());
        match op {
            Op::OpenTcp => {
                let request = Request::tcp(&self.echo.host, self.echo.port);
                let reply = self.check(&at, request, Expected::NewHandle, None).await?;
                let handle = handle_of(&reply);
                self.model.handles.push(handle);
                self.model.tcp.push(TcpModel::new(handle));
            }
            Op::SendAll(i, bytes) => {
                let Some(k) = tcp(&self.model, *i) else { return Ok(()) };
                let t = &self.model.tcp[k];
                let expected =
                    if t.dead() || t.send_shut { Expected::Raises("Closed") } else { Expected::Nil };
                let request = Request::send_all(t.handle, bytes);
                let state = t.to_string();
                let reply = self.check(&at, request, expected, Some(state)).await?;
                if reply.is_ok() {
                    self.model.tcp[k].pending.extend_from_slice(bytes);
                }
            }
            Op::RecvLine(i) => {
                let Some(k) = tcp(&self.model, *i) else { return Ok(()) };
                let t = &self.model.tcp[k];
                let line_end = t.pending.iter().position(|&b| b == b'\n');
                let expected = if t.dead() {
                    Expected::Raises("Closed")
                } else if t.recv_shut {
                    Expected::Raises("EndOfStream")
                } else if let Some(end) = line_end {
                    Expected::Bytes(t.pending[..=end].to_vec())
                } else if t.peer_ends() {
                    Expected::Raises("EndOfStream")
                } else {
                    Expected::Raises("Timeout")
                };
                let request = Request::recv_line(t.handle, CallOpts::timeout(RECV_TIMEOUT));
                let state = t.to_string();
                if let Ok(Value::Bytes(line)) = self.check(&at, request, expected, Some(state)).await? {
                    self.model.tcp[k].consume(line.len());
                }
            }
            Op::RecvExact(i, n) => {
                let Some(k) = tcp(&self.model, *i) else { return Ok(()) };
                let t = &self.model.tcp[k];
                let want = usize::try_from(*n).unwrap_or(usize::MAX);
                let expected = if t.dead() {
                    Expected::Raises("Closed")
                } else if want == 0 {
                    Expected::Bytes(Vec::new())
                } else if t.recv_shut {
                    Expected::Raises("EndOfStream")
                } else if t.pending.len() >= want {
                    Expected::Bytes(t.pending[..want].to_vec())
                } else if t.peer_ends() {
                    Expected::Raises("EndOfStream")
                } else {
                    Expected::Raises("Timeout")
                };
                let request = Request::recv_exact(t.handle, *n, CallOpts::timeout(RECV_TIMEOUT));
                let state = t.to_string();
                if let Ok(Value::Bytes(got)) = self.check(&at, request, expected, Some(state)).await? {
                    self.model.tcp[k].consume(got.len());
                }
            }
            Op::Recv(i, max) => {
                let Some(k) = tcp(&self.model, *i) else { return Ok(()) };
                let t = &self.model.tcp[k];
                let max_bytes = usize::try_from(*max).unwrap_or(1);
                let expected = if t.dead() {
                    Expected::Raises("Closed")
                } else if t.recv_shut {
                    Expected::Bytes(Vec::new())
                } else if !t.pending.is_empty() {
                    Expected::PrefixOf(t.pending[..t.pending.len().min(max_bytes)].to_vec())
                } else if t.peer_ends() {
                    Expected::Bytes(Vec::new())
                } else {
                    Expected::Raises("Timeout")
                };
                let request = Request::Recv {
                    handle: t.handle,
                    max_bytes: *max,
                    opts: CallOpts::timeout(RECV_TIMEOUT),
                };
                let state = t.to_string();
                if let Ok(Value::Bytes(got)) = self.check(&at, request, expected, Some(state)).await? {
                    self.model.tcp[k].consume(got.len());
                }
            }
            Op::Shutdown(i, direction) => {
                let Some(k) = tcp(&self.model, *i) else { return Ok(()) };
                let t = &self.model.tcp[k];
                let (recv, send) = match *direction {
                    ":send" => (false, true),
                    ":recv" => (true, false),
                    ":both" => (true, true),
                    _ => (false, false),
                };
                let expected = if !(recv || send) {
                    Expected::Raises("ArgumentError")
                } else if t.dead() {
                    Expected::Raises("Closed")
                } else {
                    Expected::Nil
                };
                let request = Request::shutdown(t.handle, direction);
                let state = t.to_string();
                let reply = self.check(&at, request, expected, Some(state)).await?;
                let t = &mut self.model.tcp[k];
                if reply.is_ok() && !t.dead() {
                    if recv {
                        t.recv_shut = true;
                        t.pending.clear();
                    }
                    t.send_shut |= send;
                }
            }
            Op::Close(i) => {
                let Some(k) = tcp(&self.model, *i) else { return Ok(()) };
                let t = &self.model.tcp[k];
                let request = Request::close(t.handle);
                let state = t.to_string();
                self.verify(&at, request, Expected::Nil, Some(state)).await?;
                let t = &mut self.model.tcp[k];
                if t.life == Life::Open {
                    t.life = Life::Closed;
                }
            }
            Op::Starttls(i) => {
                let Some(k) = tcp(&self.model, *i) else { return Ok(()) };
                let t = &self.model.tcp[k];
                // Nothing can be buffered in the engine unless the echo has bytes we did not read.
                let maybe_buffered = !t.recv_shut && !t.pending.is_empty();
                let expected = if t.dead() || t.send_shut {
                    // D15: the ClientHello cannot be sent after our FIN; nothing is upgraded.
                    Expected::Raises("Closed")
                } else {
                    Expected::Raises("TlsError")
                };
                // verify: false keeps the system CA bundle (and this machine) out of it.
                let tls = TlsArgs { verify: Some(false), ..TlsArgs::default() };
                let request = Request::Starttls { handle: t.handle, tls };
                let (handle, dead, state) = (t.handle, t.dead(), t.to_string());
                let (ambiguous, refused) = (maybe_buffered, t.send_shut);
                self.verify(&at, request, expected, Some(state.clone())).await?;
                if dead || refused {
                    return Ok(());
                }
                let upgraded = if ambiguous {
                    // Refused without upgrading (IO-STARTTLS-BUFFER, if the engine had read some
                    // of the pending bytes), or upgraded and failed: ask which happened.
                    let probe = Request::Get { handle, property: Property::Connected };
                    match self.call(probe).await? {
                        Ok(Value::Bool(connected)) => !connected,
                        other => {
                            return Err(format!(
                                "{at}: .connected? after the failed starttls: expected true (not \
                                 upgraded) or false (upgraded), got {}\n  model before the op: {state}",
                                render(&other)
                            ));
                        }
                    }
                } else {
                    true
                };
                if upgraded {
                    note("starttls: the tcp handle was upgraded");
                    self.model.tcp[k].life = Life::Upgraded;
                } else {
                    note("starttls: refused without upgrading");
                }
            }
            Op::Connected(i) => {
                let Some(k) = tcp(&self.model, *i) else { return Ok(()) };
                let t = &self.model.tcp[k];
                let request = Request::Get { handle: t.handle, property: Property::Connected };
                let state = t.to_string();
                self.verify(&at, request, Expected::Bool(!t.dead()), Some(state)).await?;
            }
            Op::Listen => {
                let request = Request::tcp_listen("127.0.0.1", 0);
                let reply = self.check(&at, request, Expected::NewHandle, None).await?;
                let handle = handle_of(&reply);
                self.model.handles.push(handle);
                self.model.listeners.push(ListenerModel { handle, open: true });
            }
            Op::Accept(i) => {
                let Some(k) = pick(*i, self.model.listeners.len()) else { return Ok(()) };
                let l = &self.model.listeners[k];
                let expected = if l.open { Expected::Raises("Timeout") } else { Expected::Raises("Closed") };
                let request = Request::accept(l.handle, CallOpts::timeout(ACCEPT_TIMEOUT));
                let state =
                    format!("listener handle {}, {}", l.handle, if l.open { "open" } else { "closed" });
                self.verify(&at, request, expected, Some(state)).await?;
            }
            Op::CloseListener(i) => {
                let Some(k) = pick(*i, self.model.listeners.len()) else { return Ok(()) };
                let handle = self.model.listeners[k].handle;
                self.verify(&at, Request::close(handle), Expected::Nil, None).await?;
                self.model.listeners[k].open = false;
            }
            Op::Udp => {
                let request = Request::Udp { host: None, port: None };
                let reply = self.check(&at, request, Expected::NewHandle, None).await?;
                let handle = handle_of(&reply);
                self.model.handles.push(handle);
                self.model.udp.push(UdpModel { handle, open: true, outstanding: Vec::new() });
            }
            Op::SendTo(i, payload) => {
                let Some(k) = pick(*i, self.model.udp.len()) else { return Ok(()) };
                let u = &self.model.udp[k];
                let mut datagram = vec![self.model.next_tag];
                datagram.extend_from_slice(payload);
                let expected =
                    if u.open { Expected::Int(datagram.len() as i64) } else { Expected::Raises("Closed") };
                let request = Request::SendTo {
                    handle: u.handle,
                    bytes: datagram.clone(),
                    host: self.udp_echo.host.clone(),
                    port: self.udp_echo.port.into(),
                };
                let state = udp_state(u);
                let reply = self.check(&at, request, expected, Some(state)).await?;
                self.model.next_tag = self.model.next_tag.wrapping_add(1);
                if reply.is_ok() {
                    self.model.udp[k].outstanding.push(datagram);
                }
            }
            Op::RecvFrom(i, max) => {
                let Some(k) = pick(*i, self.model.udp.len()) else { return Ok(()) };
                let u = &self.model.udp[k];
                let max_bytes = usize::try_from(*max).unwrap_or(1);
                let expected = if !u.open {
                    Expected::Raises("Closed")
                } else if u.outstanding.is_empty() {
                    Expected::Raises("Timeout")
                } else {
                    Expected::DatagramOf {
                        candidates: u
                            .outstanding
                            .iter()
                            .map(|d| d[..d.len().min(max_bytes)].to_vec())
                            .collect(),
                        host: self.server_ip.clone(),
                        port: self.udp_echo.port.into(),
                    }
                };
                let request = Request::RecvFrom {
                    handle: u.handle,
                    max_bytes: *max,
                    opts: CallOpts::timeout(RECV_TIMEOUT),
                };
                let state = udp_state(u);
                if let Ok(Value::Datagram { bytes, .. }) =
                    self.check(&at, request, expected, Some(state)).await?
                {
                    // The tag byte names the datagram, however short the cut.
                    let outstanding = &mut self.model.udp[k].outstanding;
                    if outstanding.iter().any(|d| d[0] == bytes[0] && d.len() > bytes.len()) {
                        note("recv_from: a datagram cut to max_bytes");
                    }
                    outstanding.retain(|d| d[0] != bytes[0]);
                }
            }
            Op::CloseUdp(i) => {
                let Some(k) = pick(*i, self.model.udp.len()) else { return Ok(()) };
                let u = &mut self.model.udp[k];
                let handle = u.handle;
                u.open = false;
                u.outstanding.clear();
                self.verify(&at, Request::close(handle), Expected::Nil, None).await?;
            }
        }
        Ok(())
    }

    /// The end of the transcript, for a failure message.
    fn transcript_tail(&self) -> String {
        let lines = self.ctx.transcript();
        let skip = lines.len().saturating_sub(TRANSCRIPT_TAIL);
        lines[skip..].iter().map(|line| format!("\n    {line}")).collect()
    }
}

fn udp_state(u: &UdpModel) -> String {
    let shown: Vec<String> = u.outstanding.iter().map(|d| show(d)).collect();
    format!(
        "udp handle {}: {}, outstanding [{}]",
        u.handle,
        if u.open { "open" } else { "closed" },
        shown.join(", ")
    )
}

/// The handle of a reply the model already checked to be one.
fn handle_of(reply: &Reply) -> Handle {
    match reply {
        Ok(Value::Handle(handle)) => *handle,
        _ => unreachable!("checked by the model"),
    }
}

// ---------------------------------------------------------------------------------------------
// The engine under test, and planted bugs

/// A deliberately wrong engine: the reference with one fault.
#[derive(Debug, Clone, Copy)]
enum Plant {
    /// Answers every Closed exception as ConnectionReset.
    ClosedAsReset,
    /// Strips the newline from what recv_line returns.
    StripsNewline,
}

/// The reference's engine with `plant`.
fn planted(inner: Box<dyn Engine>, plant: Plant) -> Box<dyn Engine> {
    Box::new(PlantedEngine { inner, plant })
}

/// An engine that delegates to `inner` and then spoils some replies.
struct PlantedEngine {
    inner: Box<dyn Engine>,
    plant: Plant,
}

impl Engine for PlantedEngine {
    fn call(&mut self, request: Request) -> LocalFuture<'_, Reply> {
        Box::pin(async move {
            let is_recv_line = matches!(request, Request::RecvLine { .. });
            let reply = self.inner.call(request).await;
            match (self.plant, reply) {
                (Plant::ClosedAsReset, Err(mut raised)) if raised.class == "Closed" => {
                    raised.class = "ConnectionReset".into();
                    Err(raised)
                }
                (Plant::StripsNewline, Ok(Value::Bytes(mut line))) if is_recv_line => {
                    if line.last() == Some(&b'\n') {
                        line.pop();
                    }
                    Ok(Value::Bytes(line))
                }
                (_, reply) => reply,
            }
        })
    }
}

/// Runs one case against the reference (or a planted bug), in its own simulation.
fn run_case(plant: Option<Plant>, input: &Input) -> Result<(), String> {
    let ops = input.ops.clone();
    run_sim(input.sim_seed, move |_transport, peers| async move {
        let peers: Rc<dyn PeerControl> = Rc::new(peers);
        let echo = peers.tcp(Peer::Echo).await;
        let udp_echo = peers.udp_echo().await;
        let server_ip = turmoil::lookup(SERVER_HOST).to_string();
        let reference = ReferenceFactory::new(SimTransport, Arc::new(SimClock));
        let factory = Rc::new(Planted::new(reference, plant, planted));
        let ctx = Ctx::new(peers, factory, PathBuf::new());
        let script = ctx
            .engine(Some(&echo.host), Some(""))
            .await
            .map_err(|failure| format!("the engine did not start: {failure}"))?;
        let mut run = Run { ctx, script, model: Model::default(), echo, udp_echo, server_ip };
        for (index, op) in ops.iter().enumerate() {
            if let Err(message) = run.step(index, op).await {
                return Err(format!("{message}\n  transcript (last lines):{}", run.transcript_tail()));
            }
        }
        Ok(())
    })
}

/// The property: every reply agrees with the model.
fn check(plant: Option<Plant>, input: &Input) -> Result<(), TestCaseError> {
    run_case(plant, input).map_err(|message| {
        TestCaseError::fail(format!("sim seed {}, {} ops: {message}", input.sim_seed, input.ops.len()))
    })
}

// ---------------------------------------------------------------------------------------------
// The tests

/// The outcomes the default run must meet at least once, so that a change to the generator
/// cannot quietly stop exercising them (checked with the default seed and at least the default
/// number of cases; run with `--nocapture` to see every outcome's count).
const MUST_COVER: &[&str] = &[
    "tcp → handle",
    "send_all → nil",
    "send_all → Closed",
    "recv_line → bytes",
    "recv_line → Timeout",
    "recv_line → EndOfStream",
    "recv_line → Closed",
    "recv_exact → bytes",
    "recv_exact → \"\"",
    "recv_exact → Timeout",
    "recv_exact → EndOfStream",
    "recv → bytes",
    "recv → \"\"",
    "recv → Timeout",
    "recv → Closed",
    "shutdown → nil",
    "shutdown → ArgumentError",
    "shutdown → Closed",
    "close → nil",
    "starttls → TlsError",
    "starttls → Closed",
    "starttls: the tcp handle was upgraded",
    "get → true",
    "get → false",
    "tcp_listen → handle",
    "accept → Timeout",
    "accept → Closed",
    "udp → handle",
    "send_to → count",
    "send_to → Closed",
    "recv_from → datagram",
    "recv_from: a datagram cut to max_bytes",
    "recv_from → Timeout",
    "recv_from → Closed",
];

#[test]
fn the_reference_agrees_with_the_model() {
    COVERAGE.with(|coverage| coverage.borrow_mut().clear());
    let outcome = TestRunner::new(config()).run(&input(), |input| check(None, &input));
    if let Err(error) = outcome {
        match error {
            TestError::Fail(reason, minimal) => {
                panic!("{reason}\nminimal failing input: {minimal:#?}")
            }
            TestError::Abort(reason) => panic!("the run aborted: {reason}"),
        }
    }
    let coverage = COVERAGE.with(|coverage| coverage.borrow().clone());
    let table: String = coverage.iter().map(|(outcome, n)| format!("\n  {n:>5}  {outcome}")).collect();
    eprintln!("outcomes met in {} cases:{table}", cases());
    if cases() >= 64 && config().rng_seed == RngSeed::Fixed(SEED) {
        let missed: Vec<&str> = MUST_COVER.iter().copied().filter(|o| !coverage.contains_key(*o)).collect();
        assert!(missed.is_empty(), "outcomes never met in {} cases: {missed:?}", cases());
    }
}

/// Each planted bug must make the property fail: the model is able to catch a wrong engine.
#[test]
fn planted_bugs_are_caught() {
    for (plant, symptom) in [
        (Plant::ClosedAsReset, "expected Closed raised, got ConnectionReset"),
        (Plant::StripsNewline, "recv_line"),
    ] {
        // At least the default number of cases, so that a small PROPTEST_CASES cannot hide it.
        let mut config = config();
        config.cases = config.cases.max(64);
        let outcome = TestRunner::new(config).run(&input(), |input| check(Some(plant), &input));
        match outcome {
            Err(TestError::Fail(reason, minimal)) => {
                assert!(
                    reason.message().contains(symptom),
                    "planted bug {plant:?}: failed for another reason than {symptom:?}: {reason}"
                );
                eprintln!("planted bug {plant:?}\n  shrunk input: {minimal:?}\n  failure: {reason}\n");
            }
            Err(TestError::Abort(reason)) => panic!("planted bug {plant:?}: the run aborted: {reason}"),
            Ok(()) => panic!("planted bug {plant:?}: not caught in {} cases: the model cannot fail", cases()),
        }
    }
}

/// IO-CLOSE-IDEMPOTENT as a plain sequence: shutdown(:send) after shutdown(:send) and close
/// raises Closed (a half already shut must not hide that the socket is closed).
#[test]
fn shutdown_send_after_close_is_closed() {
    let outcome = run_sim(1, |_transport, peers| async move {
        let echo = peers.tcp(Peer::Echo).await;
        let peers: Rc<dyn PeerControl> = Rc::new(peers);
        let reference = ReferenceFactory::new(SimTransport, Arc::new(SimClock));
        let ctx = Ctx::new(peers, Rc::new(reference), PathBuf::new());
        let mut script = ctx.engine(Some(&echo.host), Some("")).await.expect("the engine starts");
        let sock = script.tcp(&echo.host, echo.port).await.expect("tcp");
        script.nil(Request::shutdown(sock, ":send")).await.expect("shutdown(:send)");
        script.close(sock).await.expect("close");
        script.call(Request::shutdown(sock, ":send")).await
    });
    match outcome {
        Err(raised) if raised.class == "Closed" => {}
        other => panic!("shutdown(:send) after close: expected Closed raised, got {}", render(&other)),
    }
}
