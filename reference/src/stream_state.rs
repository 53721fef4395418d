//! The sans-IO half of a stream socket, shared by tcp and ssl and by both surfaces: what a
//! socket knows about its connection, the received bytes ([`RecvBuffer`]), every check an
//! operation makes before its I/O, and every error it raises. A surface drives it with a small
//! I/O loop (`stream.rs` async, `blocking::stream` blocking) and adds nothing of its own.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::error::{Endpoint, ErrorClass, NetError, NetResult};
use crate::framing::{Frame, FrameError, Framed, RecvBuffer};
use crate::options::{self, CallOpts, Direction};

/// D14: how long `close` waits for a polite end (a TLS close_notify) before dropping the stream.
pub(crate) const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// DEC-ADDRESS-TEXT: the text form of an IP as properties and datagrams report it (canonical;
/// an IPv4-mapped IPv6 address as IPv4).
pub fn ip_text(ip: IpAddr) -> String {
    ip.to_canonical().to_string()
}

/// What a socket knows about its connection, kept across starttls.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    /// The remote end as the script named it (for an accepted socket, the peer's address).
    pub remote: Endpoint,
    pub local: SocketAddr,
    /// The socket's `.timeout`; `None` waits forever.
    pub timeout: Option<Duration>,
}

/// Where a stream socket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    Open,
    Closed,
    /// Handed to starttls: this handle is invalid, the TLS socket owns the stream.
    Upgraded,
}

/// A receive call, checked: its name for messages, its frame, and how long it may wait in all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Receive {
    pub operation: &'static str,
    pub frame: Frame,
    pub wait: Option<Duration>,
}

/// The end of our sending side, still to do: the surface ends it within `wait`, then calls
/// [`StreamState::mark_send_shut`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SendShutdown {
    pub wait: Option<Duration>,
}

/// What a receive call needs next.
pub(crate) enum Step {
    /// The call is over: its frame, or the error it raises (nothing consumed).
    Done(NetResult<Bytes>),
    /// Read at most this many bytes into [`StreamState::read_space`], then step again.
    Read(usize),
}

/// The state of one stream socket and its properties. A raised error never consumes received
/// data (IO-NOTHING-LOST).
#[derive(Debug)]
pub struct StreamState {
    buffer: RecvBuffer,
    link: Link,
    life: Life,
    send_shut: bool,
}

impl StreamState {
    pub(crate) fn new(link: Link) -> Self {
        Self { buffer: RecvBuffer::new(), link, life: Life::Open, send_shut: false }
    }

    /// TCP-PROP-HOST, DEC-HOST-AS-NAMED: the remote host as the script named it (an accepted
    /// socket's: the peer's IP).
    pub fn host(&self) -> &str {
        &self.link.remote.host
    }

    /// TCP-PROP-PORT: the remote port.
    pub fn port(&self) -> u16 {
        self.link.remote.port
    }

    /// The remote end, for messages.
    pub fn endpoint(&self) -> &Endpoint {
        &self.link.remote
    }

    /// TCP-PROP-LOCAL-HOST: the local IP.
    pub fn local_host(&self) -> String {
        ip_text(self.link.local.ip())
    }

    /// TCP-PROP-LOCAL-PORT: the local port.
    pub fn local_port(&self) -> u16 {
        self.link.local.port()
    }

    /// Bytes received and not yet returned (IO-LINE-MAX: at most `max_length` plus one read).
    pub fn buffered(&self) -> usize {
        self.buffer.buffered()
    }

    /// TCP-PROP-CONNECTED, DEC-CONNECTED-UNTIL-CLOSE: true until close (or, for a tcp socket,
    /// starttls); shutdown and the peer's close leave it true.
    pub fn is_connected(&self) -> bool {
        self.life == Life::Open
    }

    /// TCP-PROP-TIMEOUT: the timeout in seconds; `None` waits forever.
    pub fn timeout(&self) -> Option<f64> {
        self.link.timeout.map(|t| t.as_secs_f64())
    }

    /// Sets `.timeout`; a negative or NaN value is an ArgumentError and changes nothing.
    pub fn set_timeout(&mut self, seconds: Option<f64>) -> NetResult<()> {
        self.link.timeout = options::timeout_seconds("timeout", seconds)?;
        Ok(())
    }

    /// TCP-RECV, IO-EOF: checks `recv(max_bytes, opts)` (arguments first, D16).
    #[inline(always)]
    pub(crate) fn plan_recv(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Receive> {
        let max_bytes =
            options::count("max_bytes", max_bytes).and_then(|n| options::positive("max_bytes", n))?;
        self.plan_receive("recv", Frame::Chunk { max_bytes }, opts)
    }

    /// TCP-RECV-LINE, IO-LINE-MAX: checks `recv_line(opts)`.
    #[inline(always)]
    pub(crate) fn plan_recv_line(&self, opts: CallOpts) -> NetResult<Receive> {
        let max_length = opts.max_line()?;
        self.plan_receive("recv_line", Frame::Line { max_length }, opts)
    }

    /// TCP-RECV-EXACT, IO-EXACT-ZERO: checks `recv_exact(n, opts)`.
    #[inline(always)]
    pub(crate) fn plan_recv_exact(&self, n: i64, opts: CallOpts) -> NetResult<Receive> {
        let n = options::count("n", n)?;
        self.plan_receive("recv_exact", Frame::Exact { n }, opts)
    }

    #[inline(always)]
    fn plan_receive(&self, operation: &'static str, frame: Frame, opts: CallOpts) -> NetResult<Receive> {
        let wait = opts.wait(self.link.timeout)?;
        self.usable(operation)?;
        Ok(Receive { operation, frame, wait })
    }

    /// One step of a receive call. After `shutdown(:recv)` the buffer is empty and at end of
    /// stream, so no step asks for a read.
    #[inline(always)]
    pub(crate) fn step(&mut self, call: &Receive) -> Step {
        match call.frame.take(&mut self.buffer) {
            Ok(Framed::Frame(frame)) => Step::Done(Ok(frame)),
            Ok(Framed::Need(want)) => Step::Read(want),
            Err(error) => Step::Done(Err(self.frame_error(call.operation, error))),
        }
    }

    /// Where a read of at most `want` bytes goes: the spare capacity of the returned buffer. The
    /// remote end comes with it, for the message of a read that times out.
    #[inline]
    pub(crate) fn read_space(&mut self, want: usize) -> (&mut BytesMut, &Endpoint) {
        (self.buffer.read_space(want), &self.link.remote)
    }

    /// Records the outcome of a read into [`StreamState::read_space`]: zero bytes is end of
    /// stream, and so is a TLS peer that closes without close_notify (DEC-TLS-EOF).
    pub(crate) fn record_read(&mut self, operation: &str, read: io::Result<usize>) -> NetResult<()> {
        match read {
            Ok(0) => self.buffer.mark_eof(),
            Ok(_) => {}
            Err(e) => {
                let error = self.io_error(operation, &e);
                if error.class != ErrorClass::EndOfStream {
                    return Err(error);
                }
                self.buffer.mark_eof();
            }
        }
        Ok(())
    }

    /// TCP-SEND, TCP-SEND-ALL: checks a send; returns how long it may wait in all.
    #[inline]
    pub(crate) fn plan_send(&self, operation: &str) -> NetResult<Option<Duration>> {
        let wait = CallOpts::default().wait(self.link.timeout)?;
        self.writable(operation)?;
        Ok(wait)
    }

    /// TCP-SHUTDOWN, IO-SHUTDOWN-READ: `:recv` drops what is buffered and makes every later
    /// receive see end of stream, now; `:send` (and `:both`) leave the end of our sending side
    /// to the surface, when it is still to do. A shut half raises Closed on use; shutting twice is
    /// nil (DEC-SHUTDOWN-HALVES).
    pub(crate) fn plan_shutdown(&mut self, direction: &str) -> NetResult<Option<SendShutdown>> {
        let direction = Direction::parse(direction)?;
        let wait = CallOpts::default().wait(self.link.timeout)?;
        self.usable("shutdown")?;
        if matches!(direction, Direction::Recv | Direction::Both) {
            self.buffer.discard();
        }
        if matches!(direction, Direction::Send | Direction::Both) && !self.send_shut {
            self.writable("shutdown")?;
            return Ok(Some(SendShutdown { wait }));
        }
        Ok(None)
    }

    /// Our sending side has ended (after `shutdown(:send)`).
    pub(crate) fn mark_send_shut(&mut self) {
        self.send_shut = true;
    }

    /// TCP-CLOSE, IO-CLOSE-IDEMPOTENT: marks the socket closed (an upgraded handle stays
    /// upgraded). Returns whether the stream still owes the peer a polite end of our side.
    pub(crate) fn plan_close(&mut self) -> bool {
        if self.life == Life::Open {
            self.life = Life::Closed;
        }
        !self.send_shut
    }

    /// Checks a starttls hand-over: refuses after `shutdown(:send)` (DEC-STARTTLS-AFTER-SHUTDOWN)
    /// and while unread bytes are buffered (IO-STARTTLS-BUFFER); afterwards this handle raises
    /// Closed. Returns what the TLS socket inherits.
    pub(crate) fn plan_detach(&mut self) -> NetResult<Link> {
        self.usable("starttls")?;
        if self.send_shut {
            return Err(NetError::new(
                ErrorClass::Closed,
                format!(
                    "starttls with {} after shutdown(:send): the handshake cannot be written",
                    self.link.remote
                ),
            ));
        }
        if self.buffer.buffered() > 0 {
            return Err(NetError::new(
                ErrorClass::TlsError,
                format!(
                    "starttls with {}: {} unread plaintext bytes are buffered; refusing to upgrade",
                    self.link.remote,
                    self.buffer.buffered()
                ),
            ));
        }
        self.life = Life::Upgraded;
        Ok(self.link.clone())
    }

    /// The Closed error of `operation` on this socket.
    #[cold]
    pub(crate) fn closed(&self, operation: &str) -> NetError {
        NetError::closed(operation, &self.link.remote)
    }

    /// The message of an operation that waited past its deadline.
    pub(crate) fn timed_out(&self, operation: &str) -> String {
        timed_out(operation, &self.link.remote)
    }

    /// An I/O failure of `operation`, as its exception class.
    pub(crate) fn io_error(&self, operation: &str, error: &io::Error) -> NetError {
        NetError::from_io(error, operation, &self.link.remote)
    }

    #[inline(always)]
    fn usable(&self, operation: &str) -> NetResult<()> {
        match self.life {
            Life::Open => Ok(()),
            Life::Closed => Err(self.closed(operation)),
            Life::Upgraded => Err(NetError::new(
                ErrorClass::Closed,
                format!(
                    "{operation} on a tcp socket upgraded by starttls ({}): use the ssl socket",
                    self.link.remote
                ),
            )),
        }
    }

    #[inline]
    fn writable(&self, operation: &str) -> NetResult<()> {
        self.usable(operation)?;
        if self.send_shut {
            return Err(NetError::new(
                ErrorClass::Closed,
                format!("{operation} to {} after shutdown(:send)", self.link.remote),
            ));
        }
        Ok(())
    }

    #[cold]
    fn frame_error(&self, operation: &str, error: FrameError) -> NetError {
        match error {
            FrameError::EndOfStream { buffered } => NetError::new(
                ErrorClass::EndOfStream,
                format!(
                    "{operation} from {}: the peer closed the stream ({buffered} bytes left unread)",
                    self.link.remote
                ),
            ),
            FrameError::LineTooLong { max_length } => NetError::new(
                ErrorClass::ArgumentError,
                format!(
                    "{operation} from {}: no newline within max_length {max_length} bytes",
                    self.link.remote
                ),
            )
            .with_reason("line_too_long"),
        }
    }
}

/// The message of an operation with `remote` that waited past its deadline.
pub(crate) fn timed_out(operation: &str, remote: &Endpoint) -> String {
    format!("{operation} with {remote} timed out")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::TimeoutOpt;

    fn state() -> StreamState {
        let link = Link {
            remote: Endpoint::new("example.test", 7),
            local: "127.0.0.1:40000".parse().expect("an address"),
            timeout: Some(Duration::from_secs(30)),
        };
        StreamState::new(link)
    }

    fn received(state: &mut StreamState, bytes: &[u8]) {
        state.read_space(bytes.len()).0.extend_from_slice(bytes);
    }

    #[test]
    fn arguments_are_checked_before_the_socket_state() {
        let mut state = state();
        state.plan_close();
        assert_eq!(state.plan_recv(0, CallOpts::default()).unwrap_err().class, ErrorClass::ArgumentError);
        assert_eq!(
            state.plan_recv_exact(-1, CallOpts::default()).unwrap_err().class,
            ErrorClass::ArgumentError
        );
        let bad_wait = CallOpts::timeout(-1.0);
        assert_eq!(state.plan_recv_line(bad_wait).unwrap_err().class, ErrorClass::ArgumentError);
        assert_eq!(state.plan_recv(1, CallOpts::default()).unwrap_err().class, ErrorClass::Closed);
        assert_eq!(state.plan_send("send").unwrap_err().class, ErrorClass::Closed);
    }

    #[test]
    fn a_receive_waits_its_own_timeout_or_the_sockets() {
        let state = state();
        let inherited = state.plan_recv(10, CallOpts::default()).expect("recv");
        assert_eq!(inherited.wait, Some(Duration::from_secs(30)));
        let forever = CallOpts { timeout: TimeoutOpt::Forever, ..CallOpts::default() };
        assert_eq!(state.plan_recv_line(forever).expect("recv_line").wait, None);
        assert_eq!(
            state.plan_recv_exact(3, CallOpts::timeout(2.0)).expect("exact").wait,
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn steps_frame_what_is_buffered_and_ask_for_the_rest() {
        let mut state = state();
        received(&mut state, b"one\ntw");
        let line = state.plan_recv_line(CallOpts::default()).expect("recv_line");
        assert!(matches!(state.step(&line), Step::Done(Ok(frame)) if frame == b"one\n"[..]));
        assert!(matches!(state.step(&line), Step::Read(_)));
        state.record_read("recv_line", Ok(0)).expect("end of stream is recorded");
        let Step::Done(Err(error)) = state.step(&line) else { panic!("a partial line at the end raises") };
        assert_eq!(error.class, ErrorClass::EndOfStream);
        assert!(error.message.contains("example.test:7") && error.message.contains("2 bytes"), "{error}");
    }

    #[test]
    fn a_tls_end_without_close_notify_is_end_of_stream_and_other_failures_raise() {
        let mut state = state();
        let unclean = io::Error::new(io::ErrorKind::UnexpectedEof, "no close_notify");
        state.record_read("recv", Err(unclean)).expect("D11: not an error");
        let end = state.plan_recv(5, CallOpts::default()).expect("recv");
        assert!(matches!(state.step(&end), Step::Done(Ok(frame)) if frame.is_empty()));
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(state.record_read("recv", Err(reset)).unwrap_err().class, ErrorClass::ConnectionReset);
    }

    #[test]
    fn shutdown_and_starttls_follow_the_send_side() {
        let mut state = state();
        assert_eq!(state.plan_shutdown(":sideways").unwrap_err().class, ErrorClass::ArgumentError);
        let wait = Some(Duration::from_secs(30));
        assert_eq!(state.plan_shutdown(":send").expect("shutdown"), Some(SendShutdown { wait }));
        state.mark_send_shut();
        assert_eq!(state.plan_shutdown(":send").expect("again"), None);
        assert_eq!(state.plan_send("send").unwrap_err().class, ErrorClass::Closed);
        assert_eq!(state.plan_detach().unwrap_err().class, ErrorClass::Closed);
        assert!(!state.plan_close(), "no polite end is owed after shutdown(:send)");
        assert!(!state.is_connected());
    }

    #[test]
    fn starttls_refuses_buffered_plaintext_then_invalidates_the_handle() {
        let mut state = state();
        received(&mut state, b"x");
        assert_eq!(state.plan_detach().unwrap_err().class, ErrorClass::TlsError);
        let _ = state.plan_recv(1, CallOpts::default()).map(|call| state.step(&call));
        let link = state.plan_detach().expect("nothing buffered");
        assert_eq!(link.remote, Endpoint::new("example.test", 7));
        let error = state.plan_recv(1, CallOpts::default()).unwrap_err();
        assert_eq!(error.class, ErrorClass::Closed);
        assert!(error.message.contains("starttls"), "{error}");
        assert!(!state.is_connected());
    }
}
