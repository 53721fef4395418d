//! Property tests of the sans-IO receive buffer [`RecvBuffer`]: TCP-RECV, TCP-RECV-LINE,
//! TCP-RECV-EXACT, IO-EOF, IO-NOTHING-LOST, IO-LINE-EOF, IO-LINE-MAX, IO-EXACT-ZERO.
//!
//! CI runs the default; run ten times more locally with
//! PROPTEST_CASES=2560 cargo test -p caspian-reference --test framing_props
//!
//! The default is 256 cases per property (`PROPTEST_CASES` overrides it). The RNG seed is fixed
//! (`SEED`) so every run checks the same cases and a failure reproduces as is; set
//! `PROPTEST_RNG_SEED=<u64>` to explore other cases. No regression files are written.
//!
//! The buffer is driven the way `stream.rs` drives it: an operation is tried; when it answers
//! `Ok(None)` the driver reads once (one peer write, or at most the operation's `want` bytes of
//! it, as the real driver does) and tries again; an empty read is end of stream. A timeout is an
//! operation abandoned after `Ok(None)`.
//!
//! Each property is a plain function of the implementation under test ([`Subject`]), so the
//! planted-bug tests at the end run the same property against a deliberately broken variant and
//! show, through [`TestRunner`], that the property fails and what the minimal failing input is.
//! Run them with `-- --nocapture` to see the shrunk examples.

use std::collections::VecDeque;
use std::fmt;

use caspian_reference::Bytes as Received;
use caspian_reference::framing::{DEFAULT_MAX_LINE, FrameError, READ_CHUNK, RecvBuffer};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

mod common;
use common::{config, expect_caught};

// ---------------------------------------------------------------------------------------------
// The implementation under test

/// The buffer operations a driver uses. Every method defaults to the real [`RecvBuffer`]; a
/// planted bug overrides one of them.
trait Framer {
    fn buffer(&self) -> &RecvBuffer;
    fn buffer_mut(&mut self) -> &mut RecvBuffer;

    /// Appends what one read returned, through `read_space` as the real driver does.
    fn append(&mut self, bytes: &[u8]) {
        self.buffer_mut().read_space(bytes.len()).extend_from_slice(bytes);
    }
    fn mark_eof(&mut self) {
        self.buffer_mut().mark_eof();
    }
    fn buffered(&self) -> usize {
        self.buffer().buffered()
    }
    fn take_some(&mut self, max_bytes: usize) -> Option<Received> {
        self.buffer_mut().take_some(max_bytes)
    }
    fn take_line(&mut self, max_length: usize) -> Result<Option<Received>, FrameError> {
        self.buffer_mut().take_line(max_length)
    }
    fn take_exact(&mut self, n: usize) -> Result<Option<Received>, FrameError> {
        self.buffer_mut().take_exact(n)
    }
    fn want_for_line(&self, max_length: usize) -> usize {
        self.buffer().want_for_line(max_length)
    }
    fn want_for_exact(&self, n: usize) -> usize {
        self.buffer().want_for_exact(n)
    }
}

impl Framer for RecvBuffer {
    fn buffer(&self) -> &RecvBuffer {
        self
    }
    fn buffer_mut(&mut self) -> &mut RecvBuffer {
        self
    }
}

/// A buffer implementation plus what the driver does when it abandons an operation (a timeout).
struct Subject {
    new_buffer: fn() -> Box<dyn Framer>,
    on_timeout: fn(&mut dyn Framer),
}

const REAL: Subject = Subject { new_buffer: real_buffer, on_timeout: keep_buffered };

fn real_buffer() -> Box<dyn Framer> {
    Box::new(RecvBuffer::new())
}

fn keep_buffered(_: &mut dyn Framer) {}

// ---------------------------------------------------------------------------------------------
// The driver

/// Bytes, shown as an escaped byte string in failure reports.
#[derive(Clone, PartialEq, Eq)]
struct Bytes(Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// One script call: `recv(max_bytes)`, `recv_line(max_length:)` or `recv_exact(n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Recv(usize),
    Line(usize),
    Exact(usize),
}

/// How much one read returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadMode {
    /// At most the operation's `want` bytes of the next peer write (the real driver).
    UpToWant,
    /// The whole next peer write, whatever `want` says.
    WholeWrite,
}

/// What an operation gave the script.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Frame(Bytes),
    Raised(FrameError),
    /// Abandoned after `Ok(None)` (the script's Timeout).
    Timeout,
    /// `Ok(None)` at end of stream: the operation could wait forever. Always a bug.
    Stuck,
    /// The buffer outgrew the driver's memory limit (property 4 only).
    OverLimit(usize),
}

/// The other end of the stream: answers reads.
trait Peer {
    /// One read of at most `want` bytes (in [`ReadMode::UpToWant`]); empty = end of stream.
    fn read(&mut self, want: usize, mode: ReadMode) -> Vec<u8>;
    /// Everything written and not read yet.
    fn unread(&self) -> Vec<u8>;
}

/// A peer that writes `stream` in writes of the given sizes (cycled; none = one write), then
/// closes.
struct FinitePeer {
    writes: VecDeque<Vec<u8>>,
}

impl FinitePeer {
    fn new(stream: &[u8], sizes: &[usize]) -> Self {
        let mut writes = VecDeque::new();
        let mut rest = stream;
        let mut sizes = sizes.iter().copied().cycle();
        while !rest.is_empty() {
            let size = sizes.next().unwrap_or(rest.len()).clamp(1, rest.len());
            let (write, after) = rest.split_at(size);
            writes.push_back(write.to_vec());
            rest = after;
        }
        Self { writes }
    }
}

impl Peer for FinitePeer {
    fn read(&mut self, want: usize, mode: ReadMode) -> Vec<u8> {
        let Some(front) = self.writes.front_mut() else { return Vec::new() };
        let n = match mode {
            ReadMode::UpToWant => want.min(front.len()),
            ReadMode::WholeWrite => front.len(),
        };
        let bytes: Vec<u8> = front.drain(..n).collect();
        if front.is_empty() {
            self.writes.pop_front();
        }
        bytes
    }

    fn unread(&self) -> Vec<u8> {
        self.writes.iter().flatten().copied().collect()
    }
}

/// A peer that sends one endless line (no `\n`, ever) in writes of the given sizes, cycled.
struct EndlessLinePeer {
    sizes: Vec<usize>,
    next: usize,
    left_in_write: usize,
}

impl Peer for EndlessLinePeer {
    fn read(&mut self, want: usize, mode: ReadMode) -> Vec<u8> {
        if self.left_in_write == 0 {
            self.left_in_write = self.sizes[self.next % self.sizes.len()].max(1);
            self.next += 1;
        }
        let n = match mode {
            ReadMode::UpToWant => want.min(self.left_in_write),
            ReadMode::WholeWrite => self.left_in_write,
        };
        self.left_in_write -= n;
        vec![b'x'; n]
    }

    fn unread(&self) -> Vec<u8> {
        unreachable!("an endless stream is never drained")
    }
}

/// Drives a buffer over a peer: the loop of `StreamSocket::frame` and `fill`, without the clock.
struct Driver<'s, P> {
    subject: &'s Subject,
    buf: Box<dyn Framer>,
    peer: P,
    mode: ReadMode,
    /// Reads done so far, over all operations.
    reads: usize,
    /// The most bytes the buffer held after any read.
    high_water: usize,
    /// An operation stops with [`Outcome::OverLimit`] when a read leaves more buffered.
    memory_limit: usize,
    /// The peer's end of stream has been read (and marked in the buffer).
    eof: bool,
}

impl<'s, P: Peer> Driver<'s, P> {
    fn new(subject: &'s Subject, peer: P, mode: ReadMode) -> Self {
        Self {
            subject,
            buf: (subject.new_buffer)(),
            peer,
            mode,
            reads: 0,
            high_water: 0,
            memory_limit: usize::MAX,
            eof: false,
        }
    }

    /// Runs one operation. `patience` = how many reads it may do before it is abandoned at its
    /// next `Ok(None)` (a Timeout); `None` waits forever.
    fn run(&mut self, op: Op, patience: Option<usize>) -> Outcome {
        let mut reads = 0;
        loop {
            let (result, want) = match op {
                Op::Recv(max_bytes) => (Ok(self.buf.take_some(max_bytes)), READ_CHUNK),
                Op::Line(max_length) => (self.buf.take_line(max_length), self.buf.want_for_line(max_length)),
                Op::Exact(n) => (self.buf.take_exact(n), self.buf.want_for_exact(n)),
            };
            match result {
                Ok(Some(frame)) => return Outcome::Frame(Bytes(frame.into())),
                Err(error) => return Outcome::Raised(error),
                Ok(None) if self.eof => return Outcome::Stuck,
                Ok(None) if patience == Some(reads) => {
                    (self.subject.on_timeout)(&mut *self.buf);
                    return Outcome::Timeout;
                }
                Ok(None) => {}
            }
            let bytes = self.peer.read(want, self.mode);
            reads += 1;
            self.reads += 1;
            if bytes.is_empty() {
                self.eof = true;
                self.buf.mark_eof();
            } else {
                self.buf.append(&bytes);
            }
            self.high_water = self.high_water.max(self.buf.buffered());
            if self.buf.buffered() > self.memory_limit {
                return Outcome::OverLimit(self.buf.buffered());
            }
        }
    }

    /// What is left: everything buffered (drained with `take_some`), then what the peer wrote
    /// and nobody read yet.
    fn remainder(mut self) -> Vec<u8> {
        let mut rest = Vec::from(self.buf.take_some(usize::MAX).unwrap_or_default());
        rest.extend(self.peer.unread());
        rest
    }
}

/// One operation of a scenario and how long the script waits for it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Step {
    op: Op,
    /// `Some(n)`: a Timeout after `n` reads; `None`: no timeout.
    patience: Option<usize>,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patience {
            None => write!(f, "{:?}", self.op),
            Some(reads) => write!(f, "{:?}+timeout_after_{reads}_reads", self.op),
        }
    }
}

/// A stream, how the peer writes it, how the driver reads it, and the script's calls.
#[derive(Clone, Debug)]
struct Scenario {
    stream: Bytes,
    write_sizes: Vec<usize>,
    mode: ReadMode,
    steps: Vec<Step>,
}

/// What one step saw.
#[derive(Debug)]
struct Record {
    step: Step,
    outcome: Outcome,
    /// Bytes of the stream returned by earlier steps.
    consumed_before: usize,
    buffered_after: usize,
    at_eof_after: bool,
}

/// Runs every step; returns what each saw and the remainder.
fn run_scenario(subject: &Subject, scenario: &Scenario) -> (Vec<Record>, Vec<u8>) {
    let peer = FinitePeer::new(&scenario.stream.0, &scenario.write_sizes);
    let mut driver = Driver::new(subject, peer, scenario.mode);
    let mut consumed = 0;
    let mut records = Vec::new();
    for &step in &scenario.steps {
        let outcome = driver.run(step.op, step.patience);
        records.push(Record {
            step,
            consumed_before: consumed,
            buffered_after: driver.buf.buffered(),
            at_eof_after: driver.eof,
            outcome: outcome.clone(),
        });
        if let Outcome::Frame(frame) = &outcome {
            consumed += frame.0.len();
        }
    }
    (records, driver.remainder())
}

// ---------------------------------------------------------------------------------------------
// Strategies

fn stream_bytes(len: std::ops::Range<usize>) -> impl Strategy<Value = Bytes> {
    vec(prop_oneof![6 => b'a'..=b'c', 2 => Just(b'\n'), 1 => Just(b'\r')], len).prop_map(Bytes)
}

fn line_bytes(len: std::ops::Range<usize>) -> impl Strategy<Value = Bytes> {
    vec(prop_oneof![4 => b'a'..=b'c', 1 => Just(b'\r')], len).prop_map(Bytes)
}

/// Peer write sizes, cycled over the stream; empty = the whole stream in one write.
fn write_sizes() -> impl Strategy<Value = Vec<usize>> {
    vec(prop_oneof![1usize..=4, 1usize..=32], 0..6)
}

fn read_mode() -> impl Strategy<Value = ReadMode> {
    prop_oneof![Just(ReadMode::UpToWant), Just(ReadMode::WholeWrite)]
}

fn line_max() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 1usize..=12, 1 => Just(DEFAULT_MAX_LINE)]
}

/// recv_line and recv_exact: the operations whose result is a function of the stream alone.
fn framed_op() -> impl Strategy<Value = Op> {
    prop_oneof![line_max().prop_map(Op::Line), (0usize..=12).prop_map(Op::Exact)]
}

fn any_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => prop_oneof![1usize..=8, Just(usize::MAX)].prop_map(Op::Recv),
        2 => framed_op(),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (any_op(), prop_oneof![3 => Just(None), 1 => (0usize..=2).prop_map(Some)])
        .prop_map(|(op, patience)| Step { op, patience })
}

/// Any stream, any writes, any reads, any calls, with timeouts.
fn scenario() -> impl Strategy<Value = Scenario> {
    // Proptest shrinks a tuple's parts in order, each in the context of the others: the
    // chunking first (towards one-byte writes, which expose the most), then the script, then
    // the stream, gives the shortest shrunk examples.
    (write_sizes(), read_mode(), vec(step(), 0..12), stream_bytes(0..96))
        .prop_map(|(write_sizes, mode, steps, stream)| Scenario { stream, write_sizes, mode, steps })
}

// ---------------------------------------------------------------------------------------------
// Property 1: chunking invariance

/// One stream, one script of recv_line / recv_exact calls, two ways the bytes arrive.
#[derive(Clone, Debug)]
struct TwoChunkings {
    stream: Bytes,
    ops: Vec<Op>,
    first: (Vec<usize>, ReadMode),
    second: (Vec<usize>, ReadMode),
}

fn two_chunkings() -> impl Strategy<Value = TwoChunkings> {
    (vec(framed_op(), 0..10), stream_bytes(0..48), (write_sizes(), read_mode()), (write_sizes(), read_mode()))
        .prop_map(|(ops, stream, first, second)| TwoChunkings { stream, ops, first, second })
}

/// recv_line and recv_exact return the same values and raise the same errors however the
/// stream was cut into writes and reads, and leave the same remainder.
///
/// `recv` is left out on purpose: TCP-RECV returns what has arrived (1..=max_bytes bytes), so
/// its result depends on the chunking by design (see `recv_depends_on_the_chunking_by_design`).
fn check_chunking_invariance(subject: &Subject, input: &TwoChunkings) -> Result<(), TestCaseError> {
    let run = |(sizes, mode): &(Vec<usize>, ReadMode)| {
        let steps = input.ops.iter().map(|&op| Step { op, patience: None }).collect();
        let scenario =
            Scenario { stream: input.stream.clone(), write_sizes: sizes.clone(), mode: *mode, steps };
        let (records, remainder) = run_scenario(subject, &scenario);
        (records.into_iter().map(|r| r.outcome).collect::<Vec<_>>(), Bytes(remainder))
    };
    let (first, first_rest) = run(&input.first);
    let (second, second_rest) = run(&input.second);
    prop_assert_eq!(first, second, "chunking invariance: the outcomes differ");
    prop_assert_eq!(first_rest, second_rest, "chunking invariance: the remainders differ");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Property 2: nothing lost

/// IO-NOTHING-LOST: whatever raises (LineTooLong, EndOfStream) or times out in between, the
/// frames returned, then what stays buffered, then what was never read, are the stream: in
/// order, nothing missing, nothing twice.
fn check_nothing_lost(subject: &Subject, scenario: &Scenario) -> Result<(), TestCaseError> {
    let (records, remainder) = run_scenario(subject, scenario);
    let mut seen = Vec::new();
    for record in &records {
        match &record.outcome {
            Outcome::Frame(frame) => seen.extend_from_slice(&frame.0),
            Outcome::Raised(_) | Outcome::Timeout => {}
            outcome => {
                return Err(TestCaseError::fail(format!("nothing lost: {:?} gave {outcome:?}", record.step)));
            }
        }
    }
    let returned = seen.len();
    seen.extend(remainder);
    prop_assert_eq!(
        Bytes(seen),
        scenario.stream.clone(),
        "nothing lost: frames ({} bytes) + remainder != stream; steps: {:?}",
        returned,
        records
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Property 3: the shape of every frame and error

/// TCP-RECV-LINE, IO-LINE-EOF, IO-LINE-MAX, TCP-RECV-EXACT, IO-EXACT-ZERO, TCP-RECV, IO-EOF:
/// - a line ends in `\n`, has no earlier `\n`, and is at most `max_length` bytes;
/// - recv_line raises EndOfStream only at end of stream with no `\n` left, LineTooLong only
///   with `max_length` bytes buffered and no `\n` among them;
/// - recv_exact(n) returns exactly n bytes or raises EndOfStream at end of stream, short;
/// - recv returns 1..=max_bytes bytes, and the empty string only at end of stream;
/// - no operation is ever stuck waiting at end of stream.
fn check_frame_shapes(subject: &Subject, scenario: &Scenario) -> Result<(), TestCaseError> {
    let stream = &scenario.stream.0;
    let (records, _) = run_scenario(subject, scenario);
    for record in &records {
        let Record { step, outcome, consumed_before, buffered_after, at_eof_after } = record;
        let left = &stream[(*consumed_before).min(stream.len())..];
        let context = format!("{step:?} after {consumed_before} bytes gave {outcome:?}");
        match (step.op, outcome) {
            (Op::Line(max_length), Outcome::Frame(Bytes(line))) => {
                prop_assert!(line.last() == Some(&b'\n'), "line shape: no final newline: {context}");
                prop_assert!(
                    !line[..line.len() - 1].contains(&b'\n'),
                    "line shape: an earlier newline: {context}"
                );
                prop_assert!(line.len() <= max_length, "line shape: longer than max_length: {context}");
            }
            (Op::Line(max_length), Outcome::Raised(FrameError::EndOfStream { buffered })) => {
                prop_assert!(*at_eof_after, "line EndOfStream before end of stream: {context}");
                prop_assert_eq!(*buffered, *buffered_after, "line EndOfStream miscounts: {}", context);
                prop_assert_eq!(
                    *buffered,
                    left.len(),
                    "line EndOfStream: not all left is buffered: {}",
                    context
                );
                prop_assert!(
                    !left.contains(&b'\n') && left.len() < max_length,
                    "line EndOfStream although a line was there: {context}"
                );
            }
            (Op::Line(max_length), Outcome::Raised(FrameError::LineTooLong { max_length: reported })) => {
                prop_assert_eq!(*reported, max_length, "LineTooLong names another max: {}", context);
                prop_assert!(*buffered_after >= max_length, "LineTooLong too early: {context}");
                prop_assert!(
                    left.len() >= max_length && !left[..max_length].contains(&b'\n'),
                    "LineTooLong with a newline within max_length: {context}"
                );
            }
            (Op::Exact(n), Outcome::Frame(Bytes(frame))) => {
                prop_assert_eq!(frame.len(), n, "exact: wrong length: {}", context);
            }
            (Op::Exact(n), Outcome::Raised(FrameError::EndOfStream { buffered })) => {
                prop_assert!(*at_eof_after, "exact EndOfStream before end of stream: {context}");
                prop_assert!(*buffered < n, "exact EndOfStream with enough bytes: {context}");
                prop_assert_eq!(*buffered, *buffered_after, "exact EndOfStream miscounts: {}", context);
                prop_assert_eq!(
                    *buffered,
                    left.len(),
                    "exact EndOfStream: not all left is buffered: {}",
                    context
                );
            }
            (Op::Recv(max_bytes), Outcome::Frame(Bytes(frame))) => {
                prop_assert!(frame.len() <= max_bytes, "recv: more than max_bytes: {context}");
                prop_assert!(
                    !frame.is_empty() || (*at_eof_after && left.is_empty()),
                    "recv: empty before end of stream: {context}"
                );
            }
            (_, Outcome::Timeout) => {
                prop_assert!(
                    step.patience.is_some() && !at_eof_after,
                    "timeout without a deadline: {context}"
                );
            }
            _ => return Err(TestCaseError::fail(format!("impossible outcome: {context}"))),
        }
    }
    Ok(())
}

/// Full lines, then a partial line, then end of stream.
#[derive(Clone, Debug)]
struct PartialLastLine {
    lines: Vec<Bytes>,
    tail: Bytes,
    write_sizes: Vec<usize>,
    mode: ReadMode,
}

fn partial_last_line() -> impl Strategy<Value = PartialLastLine> {
    (vec(line_bytes(0..6), 0..4), line_bytes(1..6), write_sizes(), read_mode())
        .prop_map(|(lines, tail, write_sizes, mode)| PartialLastLine { lines, tail, write_sizes, mode })
}

/// IO-LINE-EOF: each full line comes back with its newline; at the partial last line recv_line
/// raises EndOfStream (again if called again), and the partial line stays readable by recv;
/// then recv returns the empty string (IO-EOF).
fn check_partial_last_line(subject: &Subject, input: &PartialLastLine) -> Result<(), TestCaseError> {
    let mut stream = Vec::new();
    for line in &input.lines {
        stream.extend_from_slice(&line.0);
        stream.push(b'\n');
    }
    stream.extend_from_slice(&input.tail.0);
    let mut driver = Driver::new(subject, FinitePeer::new(&stream, &input.write_sizes), input.mode);
    for line in &input.lines {
        let mut expected = line.0.clone();
        expected.push(b'\n');
        prop_assert_eq!(driver.run(Op::Line(DEFAULT_MAX_LINE), None), Outcome::Frame(Bytes(expected)));
    }
    let end = Outcome::Raised(FrameError::EndOfStream { buffered: input.tail.0.len() });
    prop_assert_eq!(driver.run(Op::Line(DEFAULT_MAX_LINE), None), end.clone(), "partial line at end");
    prop_assert_eq!(driver.run(Op::Line(DEFAULT_MAX_LINE), None), end, "partial line at end, again");
    prop_assert_eq!(driver.run(Op::Recv(DEFAULT_MAX_LINE), None), Outcome::Frame(input.tail.clone()));
    prop_assert_eq!(driver.run(Op::Recv(1), None), Outcome::Frame(Bytes(Vec::new())), "recv at end");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Property 4: bounded memory on an endless line

/// A script that calls recv_line in a loop on a peer that sends one endless line, maybe
/// skipping part of it with recv between calls.
#[derive(Clone, Debug)]
struct EndlessLine {
    max_length: usize,
    /// Per round: an optional recv(max_bytes) first, then recv_line(max_length:).
    rounds: Vec<Option<usize>>,
    /// Peer write sizes, cycled (raised to `max_length / 16` at least, to keep cases fast).
    write_sizes: Vec<usize>,
}

fn endless_line() -> impl Strategy<Value = EndlessLine> {
    (
        prop_oneof![3 => 1usize..=256, 2 => 257usize..=8192, 1 => 8193usize..=3 * READ_CHUNK],
        vec(prop_oneof![Just(None), (1usize..=4096).prop_map(Some)], 1..4),
        vec(prop_oneof![1usize..=16, 17usize..=4096, 4097usize..=2 * READ_CHUNK], 1..4),
    )
        .prop_map(|(max_length, rounds, write_sizes)| EndlessLine { max_length, rounds, write_sizes })
}

/// IO-LINE-MAX: with the driver reading at most `want_for_line(max_length)` bytes at a time,
/// every recv_line raises LineTooLong within `max_length + 1` reads, and the buffer never holds
/// more than `max_length + READ_CHUNK` bytes. (The buffer in fact promises the tighter bound
/// `max(max_length, what was already buffered)`: a line search reads no further than
/// `max_length`; the driver stops an operation as soon as a read breaks that bound.)
fn check_bounded_line_memory(subject: &Subject, input: &EndlessLine) -> Result<(), TestCaseError> {
    let max_length = input.max_length;
    let min_write = (max_length / 16).max(1);
    let sizes = input.write_sizes.iter().map(|&size| size.max(min_write)).collect();
    let peer = EndlessLinePeer { sizes, next: 0, left_in_write: 0 };
    let mut driver = Driver::new(subject, peer, ReadMode::UpToWant);
    for (round, recv) in input.rounds.iter().enumerate() {
        if let Some(max_bytes) = *recv {
            driver.memory_limit = usize::MAX;
            let outcome = driver.run(Op::Recv(max_bytes), None);
            prop_assert!(matches!(outcome, Outcome::Frame(_)), "round {round}: recv gave {outcome:?}");
        }
        let before = driver.buf.buffered();
        let tight = max_length.max(before);
        driver.memory_limit = tight;
        driver.high_water = before;
        let outcome = driver.run(Op::Line(max_length), Some(max_length + 1));
        prop_assert!(
            driver.high_water <= max_length + READ_CHUNK,
            "memory: round {round}: {} bytes buffered > max_length + READ_CHUNK ({outcome:?})",
            driver.high_water
        );
        prop_assert!(
            driver.high_water <= tight,
            "memory: round {round}: {} bytes buffered > max(max_length, {before} already buffered) \
             ({outcome:?})",
            driver.high_water
        );
        prop_assert_eq!(
            outcome,
            Outcome::Raised(FrameError::LineTooLong { max_length }),
            "memory: round {}: recv_line on an endless line must raise within max_length + 1 reads",
            round
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The properties against the real buffer and driver

proptest! {
    #![proptest_config(config())]

    #[test]
    fn line_and_exact_do_not_depend_on_the_chunking(input in two_chunkings()) {
        check_chunking_invariance(&REAL, &input)?;
    }

    #[test]
    fn nothing_is_lost_by_errors_or_timeouts(scenario in scenario()) {
        check_nothing_lost(&REAL, &scenario)?;
    }

    #[test]
    fn every_frame_and_error_has_its_shape(scenario in scenario()) {
        check_frame_shapes(&REAL, &scenario)?;
    }

    #[test]
    fn a_partial_last_line_raises_end_of_stream_and_stays_readable(input in partial_last_line()) {
        check_partial_last_line(&REAL, &input)?;
    }

    #[test]
    fn an_endless_line_keeps_memory_bounded(input in endless_line()) {
        check_bounded_line_memory(&REAL, &input)?;
    }
}

/// Why `recv` is not in the chunking-invariance property: it returns what has arrived.
#[test]
fn recv_depends_on_the_chunking_by_design() {
    let run = |sizes: &[usize]| {
        let mut driver = Driver::new(&REAL, FinitePeer::new(b"abc", sizes), ReadMode::UpToWant);
        driver.run(Op::Recv(10), None)
    };
    assert_eq!(run(&[1]), Outcome::Frame(Bytes(b"a".to_vec())));
    assert_eq!(run(&[]), Outcome::Frame(Bytes(b"abc".to_vec())));
}

// ---------------------------------------------------------------------------------------------
// Planted bugs: each property, run against a broken variant, must fail.

/// (a) recv_line strips the newline it should keep.
struct StripsNewline(RecvBuffer);

impl Framer for StripsNewline {
    fn buffer(&self) -> &RecvBuffer {
        &self.0
    }
    fn buffer_mut(&mut self) -> &mut RecvBuffer {
        &mut self.0
    }
    fn take_line(&mut self, max_length: usize) -> Result<Option<Received>, FrameError> {
        Ok(self.0.take_line(max_length)?.map(|line| line.slice(..line.len() - 1)))
    }
}

const STRIPS_NEWLINE: Subject =
    Subject { new_buffer: || Box::new(StripsNewline(RecvBuffer::new())), on_timeout: keep_buffered };

#[test]
fn planted_bug_a_line_without_its_newline_fails_the_shape_property() {
    expect_caught("(a) take_line strips the newline", scenario(), "line shape", |scenario| {
        check_frame_shapes(&STRIPS_NEWLINE, &scenario)
    });
}

/// (b) The driver throws the buffered bytes away when it abandons an operation on a timeout.
const DROPS_ON_TIMEOUT: Subject = Subject {
    new_buffer: real_buffer,
    on_timeout: |buf| {
        let _discarded = buf.take_some(usize::MAX);
    },
};

#[test]
fn planted_bug_b_dropping_the_buffer_on_timeout_fails_nothing_lost() {
    expect_caught("(b) the driver drops the buffer on a timeout", scenario(), "nothing lost", |scenario| {
        check_nothing_lost(&DROPS_ON_TIMEOUT, &scenario)
    });
}

/// (c) recv_line searches the whole buffer for the newline, not just its first `max_length`
/// bytes: whether a long line raises then depends on how much happened to arrive.
struct SearchesWholeBuffer(RecvBuffer);

impl Framer for SearchesWholeBuffer {
    fn buffer(&self) -> &RecvBuffer {
        &self.0
    }
    fn buffer_mut(&mut self) -> &mut RecvBuffer {
        &mut self.0
    }
    fn take_line(&mut self, max_length: usize) -> Result<Option<Received>, FrameError> {
        // The longest line the buffer holds is at most `buffered` bytes long.
        let window = self.0.buffered().max(max_length);
        match self.0.take_line(window) {
            Err(FrameError::LineTooLong { .. }) => Err(FrameError::LineTooLong { max_length }),
            other => other,
        }
    }
}

const SEARCHES_WHOLE_BUFFER: Subject =
    Subject { new_buffer: || Box::new(SearchesWholeBuffer(RecvBuffer::new())), on_timeout: keep_buffered };

#[test]
fn planted_bug_c_an_unbounded_line_search_fails_chunking_invariance() {
    expect_caught(
        "(c) take_line searches past max_length",
        two_chunkings(),
        "chunking invariance",
        |input| check_chunking_invariance(&SEARCHES_WHOLE_BUFFER, &input),
    );
}

/// (d) The naive line reader: reads a whole chunk at a time and, until end of stream, takes a
/// line past `max_length` for a line not complete yet, so an endless line grows the buffer
/// without end.
struct NaiveLineReader(RecvBuffer, bool);

impl Framer for NaiveLineReader {
    fn buffer(&self) -> &RecvBuffer {
        &self.0
    }
    fn buffer_mut(&mut self) -> &mut RecvBuffer {
        &mut self.0
    }
    fn mark_eof(&mut self) {
        self.1 = true;
        self.0.mark_eof();
    }
    fn take_line(&mut self, max_length: usize) -> Result<Option<Received>, FrameError> {
        match self.0.take_line(max_length) {
            // "No newline yet, so the line is not complete": keep reading.
            Err(FrameError::LineTooLong { .. }) if !self.1 => Ok(None),
            other => other,
        }
    }
    fn want_for_line(&self, _max_length: usize) -> usize {
        READ_CHUNK
    }
}

const NAIVE_LINE_READER: Subject =
    Subject { new_buffer: || Box::new(NaiveLineReader(RecvBuffer::new(), false)), on_timeout: keep_buffered };

#[test]
fn planted_bug_d_a_line_reader_without_a_bound_fails_the_memory_property() {
    expect_caught("(d) take_line reads on past max_length", endless_line(), "memory", |input| {
        check_bounded_line_memory(&NAIVE_LINE_READER, &input)
    });
}

/// (e) recv_exact, at end of stream, discards the short remainder before raising EndOfStream.
struct ExactConsumesAtEnd(RecvBuffer);

impl Framer for ExactConsumesAtEnd {
    fn buffer(&self) -> &RecvBuffer {
        &self.0
    }
    fn buffer_mut(&mut self) -> &mut RecvBuffer {
        &mut self.0
    }
    fn take_exact(&mut self, n: usize) -> Result<Option<Received>, FrameError> {
        let result = self.0.take_exact(n);
        if result.is_err() {
            let _discarded = self.0.take_some(usize::MAX).unwrap_or_default();
        }
        result
    }
}

const EXACT_CONSUMES_AT_END: Subject =
    Subject { new_buffer: || Box::new(ExactConsumesAtEnd(RecvBuffer::new())), on_timeout: keep_buffered };

#[test]
fn planted_bug_e_recv_exact_consuming_at_end_of_stream_fails_nothing_lost() {
    expect_caught("(e) take_exact consumes on EndOfStream", scenario(), "nothing lost", |scenario| {
        check_nothing_lost(&EXACT_CONSUMES_AT_END, &scenario)
    });
}

/// (f) recv_line treats end of stream as a line end and returns the partial last line.
struct EndOfStreamEndsALine(RecvBuffer);

impl Framer for EndOfStreamEndsALine {
    fn buffer(&self) -> &RecvBuffer {
        &self.0
    }
    fn buffer_mut(&mut self) -> &mut RecvBuffer {
        &mut self.0
    }
    fn take_line(&mut self, max_length: usize) -> Result<Option<Received>, FrameError> {
        match self.0.take_line(max_length) {
            Err(FrameError::EndOfStream { buffered }) if buffered > 0 => {
                Ok(Some(self.0.take_some(usize::MAX).unwrap_or_default()))
            }
            other => other,
        }
    }
}

const EOF_ENDS_A_LINE: Subject =
    Subject { new_buffer: || Box::new(EndOfStreamEndsALine(RecvBuffer::new())), on_timeout: keep_buffered };

#[test]
fn planted_bug_f_a_partial_last_line_returned_as_a_line_fails_the_end_of_stream_property() {
    expect_caught(
        "(f) take_line returns the partial last line",
        partial_last_line(),
        "partial line at end",
        |input| check_partial_last_line(&EOF_ENDS_A_LINE, &input),
    );
}
