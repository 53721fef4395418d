//! The connected byte-stream socket shared by tcp and ssl: every operation of TCP-* and
//! SSL-SURFACE, written once over a [`BoxedStream`] and the sans-IO [`RecvBuffer`].

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::BufMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use crate::error::{Endpoint, ErrorClass, NetError, NetResult};
use crate::framing::{FrameError, READ_CHUNK, RecvBuffer};
use crate::options::{self, CallOpts, Direction};
use crate::transport::{BoxedStream, Connected};
use crate::wait;

/// How long `close` waits for a polite end (a TLS close_notify) before dropping the stream.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Where a stream socket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    Closed,
    /// Handed to starttls: this handle is invalid, the TLS socket owns the stream.
    Upgraded,
}

/// A connected stream socket: send, send_all, recv, recv_line, recv_exact, close, shutdown and
/// the properties. A raised error never consumes received data (IO-NOTHING-LOST).
pub struct StreamSocket {
    stream: Option<BoxedStream>,
    buffer: RecvBuffer,
    remote: Endpoint,
    local: SocketAddr,
    timeout: Option<Duration>,
    state: State,
    send_shut: bool,
}

/// A stream taken out of a socket, with what the socket knew about it.
pub(crate) struct Detached {
    pub stream: BoxedStream,
    pub remote: Endpoint,
    pub local: SocketAddr,
    pub timeout: Option<Duration>,
}

/// The text form of an IP as properties report it (an IPv4-mapped IPv6 address as IPv4).
pub fn ip_text(ip: IpAddr) -> String {
    ip.to_canonical().to_string()
}

impl StreamSocket {
    /// A socket over a connected stream. `remote_host` is the host as the script named it (for
    /// an accepted socket, the peer's address).
    pub(crate) fn new(connected: Connected, remote_host: String, timeout: Option<Duration>) -> Self {
        Self::attach(Detached {
            stream: connected.stream,
            remote: Endpoint::new(remote_host, connected.peer.port()),
            local: connected.local,
            timeout,
        })
    }

    /// A socket over a stream detached from another one (or wrapped in TLS since).
    pub(crate) fn attach(detached: Detached) -> Self {
        Self {
            stream: Some(detached.stream),
            buffer: RecvBuffer::new(),
            remote: detached.remote,
            local: detached.local,
            timeout: detached.timeout,
            state: State::Open,
            send_shut: false,
        }
    }

    /// TCP-PROP-HOST, DEC-HOST-AS-NAMED: the remote host as the script named it (an accepted
    /// socket's: the peer's IP).
    pub fn host(&self) -> &str {
        &self.remote.host
    }

    /// TCP-PROP-PORT: the remote port.
    pub fn port(&self) -> u16 {
        self.remote.port
    }

    /// The remote end, for messages.
    pub fn endpoint(&self) -> &Endpoint {
        &self.remote
    }

    /// TCP-PROP-LOCAL-HOST: the local IP.
    pub fn local_host(&self) -> String {
        ip_text(self.local.ip())
    }

    /// TCP-PROP-LOCAL-PORT: the local port.
    pub fn local_port(&self) -> u16 {
        self.local.port()
    }

    /// Bytes received and not yet returned (IO-LINE-MAX: at most `max_length` plus one read).
    pub fn buffered(&self) -> usize {
        self.buffer.buffered()
    }

    /// TCP-PROP-CONNECTED, DEC-CONNECTED-UNTIL-CLOSE: true until close (or, for a tcp socket,
    /// starttls); shutdown and the peer's close leave it true.
    pub fn is_connected(&self) -> bool {
        self.state == State::Open
    }

    /// TCP-PROP-TIMEOUT: the timeout in seconds; `None` waits forever.
    pub fn timeout(&self) -> Option<f64> {
        self.timeout.map(|t| t.as_secs_f64())
    }

    /// Sets `.timeout`; a negative or NaN value is an ArgumentError and changes nothing.
    pub fn set_timeout(&mut self, seconds: Option<f64>) -> NetResult<()> {
        self.timeout = options::timeout_seconds("timeout", seconds)?;
        Ok(())
    }

    /// TCP-SEND: writes some of `bytes` (at least one unless `bytes` is empty) and returns how
    /// many were written.
    pub async fn send(&mut self, bytes: &[u8]) -> NetResult<usize> {
        let deadline = self.deadline(&CallOpts::default())?;
        let (remote, stream) = self.writable("send")?;
        let written = within(deadline, "send", remote, async {
            let n = stream.write(bytes).await?;
            stream.flush().await?;
            Ok(n)
        })
        .await?;
        Ok(written)
    }

    /// TCP-SEND-ALL: writes every byte of `bytes`, or raises.
    pub async fn send_all(&mut self, bytes: &[u8]) -> NetResult<()> {
        let deadline = self.deadline(&CallOpts::default())?;
        let (remote, stream) = self.writable("send_all")?;
        within(deadline, "send_all", remote, async {
            stream.write_all(bytes).await?;
            stream.flush().await
        })
        .await
    }

    /// TCP-RECV, IO-EOF: 1..=max_bytes bytes as soon as any arrive; empty only at end of stream.
    pub async fn recv(&mut self, max_bytes: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        let max_bytes =
            options::count("max_bytes", max_bytes).and_then(|n| options::positive("max_bytes", n))?;
        let wait = opts.wait(self.timeout)?;
        self.frame("recv", wait, |buf| (Ok(buf.take_some(max_bytes)), READ_CHUNK)).await
    }

    /// TCP-RECV-LINE: the bytes up to and including the next `\n`. IO-LINE-EOF, IO-LINE-MAX; a line
    /// past `max_length` is an ArgumentError with reason `line_too_long` (DEC-LINE-TOO-LONG).
    pub async fn recv_line(&mut self, opts: CallOpts) -> NetResult<Vec<u8>> {
        let max_length = opts.max_line()?;
        let wait = opts.wait(self.timeout)?;
        self.frame("recv_line", wait, |buf| (buf.take_line(max_length), buf.want_for_line(max_length))).await
    }

    /// TCP-RECV-EXACT, IO-EXACT-ZERO: exactly `n` bytes, or raises.
    pub async fn recv_exact(&mut self, n: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        let n = options::count("n", n)?;
        let wait = opts.wait(self.timeout)?;
        self.frame("recv_exact", wait, |buf| (buf.take_exact(n), buf.want_for_exact(n))).await
    }

    /// TCP-CLOSE, IO-CLOSE-IDEMPOTENT: closes; closing again does nothing. A TLS stream sends
    /// close_notify first, waiting at most [`CLOSE_GRACE`] (DEC-CLOSE-NOTIFY).
    pub async fn close(&mut self) {
        if let Some(mut stream) = self.stream.take()
            && !self.send_shut
        {
            let _ = tokio::time::timeout(CLOSE_GRACE, stream.shutdown()).await;
        }
        if self.state == State::Open {
            self.state = State::Closed;
        }
    }

    /// TCP-SHUTDOWN, IO-SHUTDOWN-READ: `:send` ends our side (the peer reads end of stream and
    /// can still reply); `:recv` makes every later recv return end of stream; `:both` does both.
    /// Afterwards send on a shut half raises Closed; shutting twice is nil (DEC-SHUTDOWN-HALVES).
    pub async fn shutdown(&mut self, direction: &str) -> NetResult<()> {
        let direction = Direction::parse(direction)?;
        let deadline = self.deadline(&CallOpts::default())?;
        self.usable("shutdown")?;
        if matches!(direction, Direction::Recv | Direction::Both) {
            self.buffer.discard();
        }
        if matches!(direction, Direction::Send | Direction::Both) && !self.send_shut {
            let (remote, stream) = self.writable("shutdown")?;
            within(deadline, "shutdown", remote, stream.shutdown()).await?;
            self.send_shut = true;
        }
        Ok(())
    }

    /// Hands the stream over (for starttls): refuses while unread bytes are buffered
    /// (IO-STARTTLS-BUFFER); afterwards this handle raises Closed and `close` on it does nothing.
    /// After shutdown(:send) it raises Closed and keeps the stream (DEC-STARTTLS-AFTER-SHUTDOWN).
    pub(crate) fn detach(&mut self) -> NetResult<Detached> {
        self.usable("starttls")?;
        if self.send_shut {
            return Err(NetError::new(
                ErrorClass::Closed,
                format!(
                    "starttls with {} after shutdown(:send): the handshake cannot be written",
                    self.remote
                ),
            ));
        }
        if self.buffer.buffered() > 0 {
            return Err(NetError::new(
                ErrorClass::TlsError,
                format!(
                    "starttls with {}: {} unread plaintext bytes are buffered; refusing to upgrade",
                    self.remote,
                    self.buffer.buffered()
                ),
            ));
        }
        let stream = self.stream.take().ok_or_else(|| NetError::closed("starttls", &self.remote))?;
        self.state = State::Upgraded;
        Ok(Detached { stream, remote: self.remote.clone(), local: self.local, timeout: self.timeout })
    }

    fn usable(&self, operation: &str) -> NetResult<()> {
        match self.state {
            State::Open => Ok(()),
            State::Closed => Err(NetError::closed(operation, &self.remote)),
            State::Upgraded => Err(NetError::new(
                ErrorClass::Closed,
                format!(
                    "{operation} on a tcp socket upgraded by starttls ({}): use the ssl socket",
                    self.remote
                ),
            )),
        }
    }

    fn writable(&mut self, operation: &str) -> NetResult<(&Endpoint, &mut BoxedStream)> {
        self.usable(operation)?;
        if self.send_shut {
            return Err(NetError::new(
                ErrorClass::Closed,
                format!("{operation} to {} after shutdown(:send)", self.remote),
            ));
        }
        match self.stream.as_mut() {
            Some(stream) => Ok((&self.remote, stream)),
            None => Err(NetError::closed(operation, &self.remote)),
        }
    }

    fn deadline(&self, opts: &CallOpts) -> NetResult<Option<Instant>> {
        Ok(wait::deadline(opts.wait(self.timeout)?))
    }

    /// Runs a framing step until it yields: each step returns its outcome and how many more bytes
    /// to read if it needs more. The deadline (`wait` from now) starts at the first read, so a
    /// frame already buffered costs no clock reading.
    async fn frame<T>(
        &mut self,
        operation: &str,
        wait: Option<Duration>,
        mut step: impl FnMut(&mut RecvBuffer) -> (Result<Option<T>, FrameError>, usize),
    ) -> NetResult<T> {
        self.usable(operation)?;
        // After shutdown(:recv) the buffer is empty and at end of stream: no step needs a read.
        let mut deadline = None;
        loop {
            let (outcome, want) = step(&mut self.buffer);
            match outcome {
                Ok(Some(value)) => return Ok(value),
                Err(e) => return Err(self.frame_error(operation, e)),
                Ok(None) => {
                    let deadline = *deadline.get_or_insert_with(|| wait::deadline(wait));
                    self.fill(operation, want, deadline).await?
                }
            }
        }
    }

    /// Reads at most `want` bytes into the buffer, or records end of stream; a TLS peer that ends
    /// without close_notify has ended the stream too (DEC-TLS-EOF).
    async fn fill(&mut self, operation: &str, want: usize, deadline: Option<Instant>) -> NetResult<()> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(NetError::closed(operation, &self.remote));
        };
        let space = self.buffer.read_space(want);
        let read = within(deadline, operation, &self.remote, stream.read_buf(&mut space.limit(want))).await;
        match read {
            Ok(0) => self.buffer.mark_eof(),
            Ok(_) => {}
            // A TLS peer that closes without close_notify has still ended the stream.
            Err(e) if e.class == ErrorClass::EndOfStream => self.buffer.mark_eof(),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn frame_error(&self, operation: &str, error: FrameError) -> NetError {
        match error {
            FrameError::EndOfStream { buffered } => NetError::new(
                ErrorClass::EndOfStream,
                format!(
                    "{operation} from {}: the peer closed the stream ({buffered} bytes left unread)",
                    self.remote
                ),
            ),
            FrameError::LineTooLong { max_length } => NetError::new(
                ErrorClass::ArgumentError,
                format!("{operation} from {}: no newline within max_length {max_length} bytes", self.remote),
            )
            .with_reason("line_too_long"),
        }
    }
}

/// Runs an I/O future against an optional deadline, mapping its failure to the exception class.
async fn within<T>(
    deadline: Option<Instant>,
    operation: &str,
    remote: &Endpoint,
    io: impl std::future::Future<Output = std::io::Result<T>>,
) -> NetResult<T> {
    wait::until(deadline, || format!("{operation} with {remote} timed out"), io)
        .await?
        .map_err(|e| NetError::from_io(&e, operation, remote))
}
