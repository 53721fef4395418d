//! Blocking I/O within a deadline, on std sockets.
//!
//! A call's wait becomes socket timeouts (SO_RCVTIMEO, SO_SNDTIMEO), set only when their value
//! changes. The deadline, taken at the call's first operation, bounds the whole call: an
//! operation blocks at most half the call's wait, never past the deadline, and one whose time
//! ran out is tried again within what is left, never with a fresh timeout. Half the wait is one
//! value from call to call and from read to read, so a run of calls with the same timeout sets
//! it once; only a call that has waited half its time sets another. A wait of zero, or one used
//! up, is one non-blocking attempt (IO-TIMEOUT-DEFAULT: timeout 0 is a poll). An operation that
//! runs out of time fails with `WouldBlock` ([`stalled`]).

use std::cell::Cell;
use std::io::{self, IoSlice, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use socket2::SockRef;

/// The shortest time one operation blocks while any is left.
const MIN_SLICE: Duration = Duration::from_millis(1);

/// The largest write tried without blocking first. A small write's clock reading is a share of
/// its cost worth saving; a large one would be split in two system calls when the socket has room
/// for only part of it.
const SMALL_WRITE: usize = 16 * 1024;

/// Whether an I/O error means the operation ran out of time.
pub(crate) fn stalled(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::WouldBlock
}

/// How long one call may still wait.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Budget {
    Forever,
    /// Nothing has waited yet: the deadline starts with the first operation.
    Unstarted(Duration),
    /// The deadline, and the longest one operation blocks.
    Until {
        deadline: Instant,
        slice: Duration,
    },
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

    /// All that is left of the wait, for an operation that cannot be tried again (a connect).
    pub(crate) fn left(&mut self) -> Slice {
        self.take(|left, _| left)
    }

    /// How long the next operation may block: half the call's wait, or what is left if less.
    pub(crate) fn next_slice(&mut self) -> Slice {
        self.take(Duration::min)
    }

    /// Whether no operation of the call has looked at the clock yet.
    fn unstarted(&self) -> bool {
        matches!(self, Self::Unstarted(_))
    }

    /// What `pick` makes of the time left and the slice. The deadline starts at the first look,
    /// which reads the clock once: all the wait is left then. A wait too long to represent is
    /// forever.
    fn take(&mut self, pick: impl FnOnce(Duration, Duration) -> Duration) -> Slice {
        let (left, slice) = match *self {
            Self::Forever => return Slice::Block(None),
            Self::Unstarted(wait) => {
                let Some(deadline) = Instant::now().checked_add(wait) else {
                    *self = Self::Forever;
                    return Slice::Block(None);
                };
                let slice = (wait / 2).max(MIN_SLICE);
                *self = Self::Until { deadline, slice };
                (wait, slice)
            }
            Self::Until { deadline, slice } => (deadline.saturating_duration_since(Instant::now()), slice),
        };
        if left.is_zero() { Slice::Spent } else { Slice::Block(Some(pick(left, slice))) }
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
    /// Runs the blocking operation `io` on `socket` within the time `budget` has left: again
    /// when its slice runs out or a signal interrupts it, and once more without blocking when the
    /// deadline has passed (whose `WouldBlock` is the stall).
    pub(crate) fn run<R>(
        &self,
        socket: &impl AsFd,
        direction: Direction,
        budget: &mut Budget,
        mut io: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        let socket = SockRef::from(socket);
        loop {
            let Slice::Block(limit) = budget.next_slice() else {
                socket.set_nonblocking(true)?;
                let outcome = io();
                socket.set_nonblocking(false)?;
                return outcome;
            };
            self.set(&socket, direction, limit)?;
            match io() {
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => {}
                outcome => return outcome,
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
    /// stream. With `all`, the kernel waits for all of them (MSG_WAITALL) before it wakes the
    /// reader, unless the stream ends or the time slice runs out.
    pub(crate) fn read_into(&mut self, buf: &mut BytesMut, want: usize, all: bool) -> io::Result<usize> {
        let Self { tcp, timeouts, budget } = self;
        let spare = buf.spare_capacity_mut();
        let room = spare.len().min(want);
        let spare = &mut spare[..room];
        let flags = if all { libc::MSG_WAITALL } else { 0 };
        let socket = SockRef::from(&*tcp);
        let read = timeouts.run(tcp, Direction::Read, budget, || socket.recv_with_flags(spare, flags))?;
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

impl Wire {
    /// One write of `len` bytes. The first of a call, if small, is tried without blocking: a
    /// socket with room for it needs no deadline, hence no clock reading. What does not fit then
    /// waits within the call's budget, which starts there.
    fn write_with(
        &mut self,
        len: usize,
        mut send: impl FnMut(&SockRef<'_>, libc::c_int) -> io::Result<usize>,
    ) -> io::Result<usize> {
        let Self { tcp, timeouts, budget } = self;
        let socket = SockRef::from(&*tcp);
        if len <= SMALL_WRITE && budget.unstarted() {
            match send(&socket, libc::MSG_DONTWAIT) {
                Ok(sent) if sent == len => return Ok(sent),
                Ok(sent) => {
                    budget.left();
                    return Ok(sent);
                }
                Err(e) if stalled(&e) => {}
                Err(e) => return Err(e),
            }
        }
        timeouts.run(tcp, Direction::Write, budget, || send(&socket, 0))
    }
}

/// Writes never raise SIGPIPE: a peer that has gone is an error.
impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_with(buf.len(), |socket, flags| socket.send_with_flags(buf, flags | libc::MSG_NOSIGNAL))
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let len = bufs.iter().map(|buf| buf.len()).sum();
        self.write_with(len, |socket, flags| {
            socket.send_vectored_with_flags(bufs, flags | libc::MSG_NOSIGNAL)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_block_half_the_wait_and_never_past_the_deadline() {
        let mut budget = Budget::new(Some(Duration::from_secs(30)));
        assert_eq!(budget.next_slice(), Slice::Block(Some(Duration::from_secs(15))));
        assert_eq!(budget.next_slice(), Slice::Block(Some(Duration::from_secs(15))), "one value");
        let Slice::Block(Some(left)) = budget.left() else { panic!("30 s cannot be spent already") };
        assert!(left > Duration::from_secs(15) && left <= Duration::from_secs(30), "{left:?}");
        let mut short = Budget::new(Some(Duration::from_micros(10)));
        let Slice::Block(Some(slice)) = short.next_slice() else { panic!("10 us cannot be spent already") };
        assert!(slice <= Duration::from_micros(10), "never past the deadline: {slice:?}");
    }

    #[test]
    fn zero_is_one_attempt_and_forever_never_ends() {
        let mut zero = Budget::new(Some(Duration::ZERO));
        assert_eq!(zero.next_slice(), Slice::Spent);
        assert_eq!(zero.left(), Slice::Spent);
        let mut forever = Budget::new(None);
        assert_eq!(forever.next_slice(), Slice::Block(None));
        let mut huge = Budget::new(Some(Duration::MAX));
        assert_eq!(huge.next_slice(), Slice::Block(None), "a deadline past the clock's range is forever");
        assert_eq!(huge.left(), Slice::Block(None));
    }

    #[test]
    fn a_read_that_runs_out_of_time_stalls_and_one_that_gets_data_returns_it() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let client = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
        let (mut server, _) = listener.accept().expect("accept");
        let mut wire = Wire::new(client);
        let mut buf = BytesMut::with_capacity(16);
        for wait in [Duration::ZERO, Duration::from_millis(5)] {
            wire.begin(Some(wait));
            let error = wire.read_into(&mut buf, 16, true).expect_err("nothing was sent");
            assert!(stalled(&error), "{error}");
            assert!(buf.is_empty());
        }
        server.write_all(b"late").expect("send");
        wire.begin(Some(Duration::from_secs(30)));
        assert_eq!(wire.read_into(&mut buf, 16, false).expect("the bytes sent"), 4);
        assert_eq!(&buf[..], b"late");
        server.write_all(b"end").expect("send");
        server.shutdown(Shutdown::Write).expect("end the stream");
        buf.reserve(16);
        wire.begin(Some(Duration::from_secs(30)));
        assert_eq!(wire.read_into(&mut buf, 16, true).expect("what came before the end"), 3);
        assert_eq!(wire.read_into(&mut buf, 16, true).expect("the end"), 0);
        assert_eq!(&buf[..], b"lateend");
    }

    #[test]
    fn a_write_the_peer_does_not_take_stalls_after_what_fits() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let client = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
        let (_server, _) = listener.accept().expect("accept");
        let mut wire = Wire::new(client);
        wire.begin(Some(Duration::from_millis(5)));
        let big = vec![0_u8; 64 << 20];
        let first = wire.write(&big).expect("the socket buffers take some");
        assert!(first > 0 && first < big.len(), "{first}");
        let error = wire.write_all(&big[first..]).expect_err("the peer reads nothing");
        assert!(stalled(&error), "{error}");
    }

    #[test]
    fn timeouts_are_set_once_per_value() {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        let timeouts = Timeouts::default();
        let mut budget = Budget::new(Some(Duration::from_secs(5)));
        timeouts.run(&socket, Direction::Read, &mut budget, || Ok(())).expect("set");
        assert_eq!(socket.read_timeout().expect("read back"), Some(Duration::from_millis(2500)));
        socket.set_read_timeout(None).expect("clear behind its back");
        let mut again = Budget::new(Some(Duration::from_secs(5)));
        timeouts.run(&socket, Direction::Read, &mut again, || Ok(())).expect("unchanged");
        assert_eq!(socket.read_timeout().expect("read back"), None, "the same value is not set again");
    }
}
