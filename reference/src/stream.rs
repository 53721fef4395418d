//! The async stream socket shared by tcp and ssl: every operation of TCP-* and SSL-SURFACE, as
//! the sans-IO [`StreamState`] plans it, driven over a [`BoxedStream`] of either transport.

use std::ops::{Deref, DerefMut};

use bytes::{BufMut, Bytes};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use crate::error::NetResult;
use crate::options::CallOpts;
use crate::transport::BoxedStream;
use crate::wait;

use crate::stream_state::{CLOSE_GRACE, Link, Receive, Step, StreamState, timed_out};

/// A connected stream socket: send, send_all, recv, recv_line, recv_exact, close, shutdown, and
/// the properties of [`StreamState`] (through `Deref`). A raised error never consumes received
/// data (IO-NOTHING-LOST).
pub struct StreamSocket {
    state: StreamState,
    stream: Option<BoxedStream>,
}

impl StreamSocket {
    /// A socket over a stream, with what the socket knows about it.
    pub(crate) fn attach(stream: BoxedStream, link: Link) -> Self {
        Self { state: StreamState::new(link), stream: Some(stream) }
    }

    /// TCP-SEND, DEC-SEND-COUNT: writes some of `bytes` (at least one unless `bytes` is empty)
    /// and returns how many the socket took; waits for room within the timeout.
    pub async fn send(&mut self, bytes: &[u8]) -> NetResult<usize> {
        let deadline = wait::deadline(self.state.plan_send("send")?);
        let (state, stream) = self.open("send")?;
        within(state, deadline, "send", async {
            let n = stream.write(bytes).await?;
            stream.flush().await?;
            Ok(n)
        })
        .await
    }

    /// TCP-SEND-ALL: writes every byte of `bytes`, or raises.
    pub async fn send_all(&mut self, bytes: &[u8]) -> NetResult<()> {
        let deadline = wait::deadline(self.state.plan_send("send_all")?);
        let (state, stream) = self.open("send_all")?;
        within(state, deadline, "send_all", async {
            stream.write_all(bytes).await?;
            stream.flush().await
        })
        .await
    }

    /// TCP-RECV, IO-EOF: 1..=max_bytes bytes as soon as any arrive; empty only at end of stream.
    pub async fn recv(&mut self, max_bytes: i64, opts: CallOpts) -> NetResult<Bytes> {
        let call = self.state.plan_recv(max_bytes, opts)?;
        self.receive(call).await
    }

    /// TCP-RECV-LINE: the bytes up to and including the next `\n`. IO-LINE-EOF, IO-LINE-MAX; a line
    /// past `max_length` is an ArgumentError with reason `line_too_long` (DEC-LINE-TOO-LONG).
    pub async fn recv_line(&mut self, opts: CallOpts) -> NetResult<Bytes> {
        let call = self.state.plan_recv_line(opts)?;
        self.receive(call).await
    }

    /// TCP-RECV-EXACT, IO-EXACT-ZERO: exactly `n` bytes, or raises.
    pub async fn recv_exact(&mut self, n: i64, opts: CallOpts) -> NetResult<Bytes> {
        let call = self.state.plan_recv_exact(n, opts)?;
        self.receive(call).await
    }

    /// TCP-CLOSE, IO-CLOSE-IDEMPOTENT: closes; closing again does nothing. A polite end (a TLS
    /// close_notify) waits at most a second (DEC-CLOSE-NOTIFY).
    pub async fn close(&mut self) {
        let polite = self.state.plan_close();
        if let Some(mut stream) = self.stream.take()
            && polite
        {
            let _ = tokio::time::timeout(CLOSE_GRACE, stream.shutdown()).await;
        }
    }

    /// TCP-SHUTDOWN, IO-SHUTDOWN-READ, DEC-SSL-HALF-CLOSE: `:send` ends our side (on TLS a
    /// close_notify, then the FIN; the peer reads end of stream and can still reply); `:recv` makes every later recv return end of stream; `:both` does both.
    pub async fn shutdown(&mut self, direction: &str) -> NetResult<()> {
        if let Some(send) = self.state.plan_shutdown(direction)? {
            let (state, stream) = self.open("shutdown")?;
            within(state, wait::deadline(send.wait), "shutdown", stream.shutdown()).await?;
            self.state.mark_send_shut();
        }
        Ok(())
    }

    /// Hands the stream over (for starttls), as [`StreamState::plan_detach`] allows.
    pub(crate) fn detach(&mut self) -> NetResult<(BoxedStream, Link)> {
        let link = self.state.plan_detach()?;
        let stream = self.stream.take().ok_or_else(|| self.state.closed("starttls"))?;
        Ok((stream, link))
    }

    /// Runs a receive call: a frame already buffered returns at once, without a clock reading;
    /// otherwise the deadline (`wait` from the first read) bounds every read of the call.
    async fn receive(&mut self, call: Receive) -> NetResult<Bytes> {
        let mut deadline: Option<Option<Instant>> = None;
        loop {
            let want = match self.state.step(&call) {
                Step::Done(outcome) => return outcome,
                Step::Read(want) => want,
            };
            let deadline = *deadline.get_or_insert_with(|| wait::deadline(call.wait));
            let (state, stream) = self.open(call.operation)?;
            let (space, remote) = state.read_space(want);
            let mut space = space.limit(want);
            let read = stream.read_buf(&mut space);
            let read = wait::until(deadline, || timed_out(call.operation, remote), read).await?;
            self.state.record_read(call.operation, read)?;
        }
    }

    /// The state and the stream of an open socket, or the Closed error of `operation`.
    fn open(&mut self, operation: &str) -> NetResult<(&mut StreamState, &mut BoxedStream)> {
        match self.stream.as_mut() {
            Some(stream) => Ok((&mut self.state, stream)),
            None => Err(self.state.closed(operation)),
        }
    }
}

impl Deref for StreamSocket {
    type Target = StreamState;
    fn deref(&self) -> &StreamState {
        &self.state
    }
}

impl DerefMut for StreamSocket {
    fn deref_mut(&mut self) -> &mut StreamState {
        &mut self.state
    }
}

/// Runs an I/O future against an optional deadline, mapping its failure to the exception class.
async fn within<T>(
    state: &StreamState,
    deadline: Option<Instant>,
    operation: &str,
    io: impl Future<Output = std::io::Result<T>>,
) -> NetResult<T> {
    wait::until(deadline, || state.timed_out(operation), io).await?.map_err(|e| state.io_error(operation, &e))
}
