//! Blocking I/O within a deadline, on std sockets.
//!
//! A call's wait becomes socket timeouts (SO_RCVTIMEO, SO_SNDTIMEO), set only when their value
//! changes. The deadline bounds the whole call: its first blocking operation may wait the whole
//! `wait` (the value a socket keeps from call to call, so a run of calls with the same timeout
//! sets it once), every further one only what is left, never a fresh timeout. A wait of zero,
//! or one used up, is one non-blocking attempt (IO-TIMEOUT-DEFAULT: timeout 0 is a poll). An
//! operation that runs out of time fails with `WouldBlock` ([`stalled`]).

use std::cell::Cell;
use std::io::{self, IoSlice, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use socket2::SockRef;

/// Whether an I/O error means the operation ran out of time.
pub(crate) fn stalled(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::WouldBlock
}

/// How long one call may still wait.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Budget {
    Forever,
    /// Nothing has waited yet: the first operation may wait all of it.
    Unstarted(Duration),
    Until(Instant),
}

/// How long the next operation of a call may block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slice {
    /// Block at most this long (`None`: forever).
    Block(Option<Duration>),
    /// No time left: one non-blocking attempt.
    Spent,
}

impl Budget {
    /// A call that may wait `wait` in all (`None`: forever), from its first operation.
    pub(crate) fn new(wait: Option<Duration>) -> Self {
        wait.map_or(Self::Forever, Self::Unstarted)
    }

    /// The time the next operation may block; the deadline starts with the first.
    pub(crate) fn next(&mut self) -> Slice {
        match *self {
            Self::Forever => Slice::Block(None),
            Self::Unstarted(wait) => {
                // A wait too long to represent is forever.
                *self = Instant::now().checked_add(wait).map_or(Self::Forever, Self::Until);
                if wait.is_zero() { Slice::Spent } else { Slice::Block(Some(wait)) }
            }
            Self::Until(deadline) => match deadline.saturating_duration_since(Instant::now()) {
                left if left.is_zero() => Slice::Spent,
                left => Slice::Block(Some(left)),
            },
        }
    }
}

/// Which timeout an operation waits under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

/// The timeouts set on one socket, remembered so that each is set only when it changes. Both
/// start unknown (an accepted socket inherits its listener's), so the first use sets them.
#[derive(Debug, Default)]
pub(crate) struct Timeouts {
    read: Cell<Option<Option<Duration>>>,
    write: Cell<Option<Option<Duration>>>,
}

impl Timeouts {
    /// Runs the blocking operation `io` on `socket` within the time `budget` has left; retries it
    /// when a signal interrupts it.
    pub(crate) fn run<R>(
        &self,
        socket: &impl AsFd,
        direction: Direction,
        budget: &mut Budget,
        mut io: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        let socket = SockRef::from(socket);
        loop {
            let outcome = match budget.next() {
                Slice::Block(limit) => {
                    self.set(&socket, direction, limit)?;
                    io()
                }
                Slice::Spent => {
                    socket.set_nonblocking(true)?;
                    let outcome = io();
                    socket.set_nonblocking(false)?;
                    outcome
                }
            };
            if !matches!(&outcome, Err(e) if e.kind() == io::ErrorKind::Interrupted) {
                return outcome;
            }
        }
    }

    fn set(&self, socket: &SockRef<'_>, direction: Direction, limit: Option<Duration>) -> io::Result<()> {
        let current = match direction {
            Direction::Read => &self.read,
            Direction::Write => &self.write,
        };
        if current.get() != Some(limit) {
            match direction {
                Direction::Read => socket.set_read_timeout(limit)?,
                Direction::Write => socket.set_write_timeout(limit)?,
            }
            current.set(Some(limit));
        }
        Ok(())
    }
}

/// A connected TCP stream doing blocking I/O within the budget of the current call.
#[derive(Debug)]
pub struct Wire {
    tcp: TcpStream,
    timeouts: Timeouts,
    budget: Budget,
}

impl Wire {
    pub(crate) fn new(tcp: TcpStream) -> Self {
        Self { tcp, timeouts: Timeouts::default(), budget: Budget::Forever }
    }

    /// Starts a call that may wait `wait` in all (`None`: forever).
    pub(crate) fn begin(&mut self, wait: Option<Duration>) {
        self.budget = Budget::new(wait);
    }

    /// Reads at most `want` bytes straight into the spare capacity of `buf`; zero is end of
    /// stream.
    pub(crate) fn read_into(&mut self, buf: &mut BytesMut, want: usize) -> io::Result<usize> {
        let Self { tcp, timeouts, budget } = self;
        let spare = buf.spare_capacity_mut();
        let room = spare.len().min(want);
        let spare = &mut spare[..room];
        let read = timeouts.run(tcp, Direction::Read, budget, || SockRef::from(&*tcp).recv(spare))?;
        // SAFETY: `recv` initialized the first `read` bytes of the spare capacity, and `read`
        // is at most its length.
        unsafe { buf.set_len(buf.len() + read) };
        Ok(read)
    }

    /// Ends our sending side (the peer reads end of stream).
    pub(crate) fn shutdown_send(&self) -> io::Result<()> {
        self.tcp.shutdown(Shutdown::Write)
    }
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Self { tcp, timeouts, budget } = self;
        timeouts.run(tcp, Direction::Read, budget, || (&*tcp).read(buf))
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Self { tcp, timeouts, budget } = self;
        timeouts.run(tcp, Direction::Write, budget, || (&*tcp).write(buf))
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let Self { tcp, timeouts, budget } = self;
        timeouts.run(tcp, Direction::Write, budget, || (&*tcp).write_vectored(bufs))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_operation_gets_the_whole_wait_and_the_rest_what_is_left() {
        let mut budget = Budget::new(Some(Duration::from_secs(30)));
        assert_eq!(budget.next(), Slice::Block(Some(Duration::from_secs(30))));
        let Slice::Block(Some(left)) = budget.next() else { panic!("30 s cannot be spent already") };
        assert!(left <= Duration::from_secs(30));
        assert!(matches!(budget, Budget::Until(_)));
    }

    #[test]
    fn zero_is_one_attempt_and_forever_never_ends() {
        let mut zero = Budget::new(Some(Duration::ZERO));
        assert_eq!(zero.next(), Slice::Spent);
        assert_eq!(zero.next(), Slice::Spent);
        let mut forever = Budget::new(None);
        assert_eq!(forever.next(), Slice::Block(None));
        let mut huge = Budget::new(Some(Duration::MAX));
        assert_eq!(huge.next(), Slice::Block(Some(Duration::MAX)));
        assert_eq!(huge.next(), Slice::Block(None), "a deadline past the clock's range is forever");
    }

    #[test]
    fn a_spent_budget_polls_and_reports_a_stall() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let client = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
        let (_server, _) = listener.accept().expect("accept");
        let mut wire = Wire::new(client);
        wire.begin(Some(Duration::ZERO));
        let mut buf = BytesMut::with_capacity(16);
        let error = wire.read_into(&mut buf, 16).expect_err("nothing was sent");
        assert!(stalled(&error), "{error}");
        assert!(buf.is_empty());
    }

    #[test]
    fn timeouts_are_set_once_per_value() {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        let timeouts = Timeouts::default();
        let mut budget = Budget::new(Some(Duration::from_secs(5)));
        timeouts.run(&socket, Direction::Read, &mut budget, || Ok(())).expect("set");
        assert_eq!(socket.read_timeout().expect("read back"), Some(Duration::from_secs(5)));
        socket.set_read_timeout(None).expect("clear behind its back");
        let mut again = Budget::new(Some(Duration::from_secs(5)));
        timeouts.run(&socket, Direction::Read, &mut again, || Ok(())).expect("unchanged");
        assert_eq!(socket.read_timeout().expect("read back"), None, "the same value is not set again");
    }
}
