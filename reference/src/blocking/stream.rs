//! The blocking stream socket shared by tcp and ssl: every operation of TCP-* and SSL-SURFACE,
//! as the sans-IO [`StreamState`] plans it, driven by blocking I/O over a [`Channel`].

use std::io;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::wire::{Wire, stalled};
use crate::error::{ErrorClass, NetError, NetResult};
use crate::framing::Frame;
use crate::options::CallOpts;
use crate::stream_state::{CLOSE_GRACE, Link, Receive, Step, StreamState};

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Wire {}
    impl Sealed for super::super::tls::TlsWire {}
}

/// The blocking I/O beneath a stream socket: plain TCP ([`Wire`]) or TLS over it
/// ([`TlsWire`](super::tls::TlsWire)). Every operation waits within the budget of the call
/// begun last, and fails with `WouldBlock` when it runs out.
pub trait Channel: sealed::Sealed {
    /// Starts a call that may wait `wait` in all (`None`: forever).
    fn begin(&mut self, wait: Option<Duration>);
    /// Appends at most `want` received bytes to `buf`; zero is end of stream. With `all`, the
    /// read may wait until all `want` bytes are there (or the stream ends, or time runs out).
    fn read_into(&mut self, buf: &mut BytesMut, want: usize, all: bool) -> io::Result<usize>;
    /// Writes some of `bytes` (at least one unless empty) and returns how many.
    fn write_some(&mut self, bytes: &[u8]) -> io::Result<usize>;
    /// Writes all of `bytes`.
    fn write_every(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Ends our sending side.
    fn shutdown_send(&mut self) -> io::Result<()>;
}

impl Channel for Wire {
    fn begin(&mut self, wait: Option<Duration>) {
        Wire::begin(self, wait);
    }

    fn read_into(&mut self, buf: &mut BytesMut, want: usize, all: bool) -> io::Result<usize> {
        Wire::read_into(self, buf, want, all)
    }

    fn write_some(&mut self, bytes: &[u8]) -> io::Result<usize> {
        io::Write::write(self, bytes)
    }

    fn write_every(&mut self, bytes: &[u8]) -> io::Result<()> {
        io::Write::write_all(self, bytes)
    }

    fn shutdown_send(&mut self) -> io::Result<()> {
        Wire::shutdown_send(self)
    }
}

/// A connected stream socket: send, send_all, recv, recv_line, recv_exact, close, shutdown, and
/// the properties of [`StreamState`] (through `Deref`). Each call blocks until it completes, with
/// the same checks, errors and timeouts as the async [`crate::stream::StreamSocket`].
#[derive(Debug)]
pub struct StreamSocket<C> {
    state: StreamState,
    channel: Option<C>,
}

impl<C: Channel> StreamSocket<C> {
    /// A socket over a channel, with what the socket knows about it.
    pub(crate) fn attach(channel: C, link: Link) -> Self {
        Self { state: StreamState::new(link), channel: Some(channel) }
    }

    /// TCP-SEND: writes some of `bytes` (at least one unless `bytes` is empty) and returns how
    /// many were written.
    pub fn send(&mut self, bytes: &[u8]) -> NetResult<usize> {
        let (state, channel) = self.begin_send("send")?;
        channel.write_some(bytes).map_err(|e| failure(state, "send", &e))
    }

    /// TCP-SEND-ALL: writes every byte of `bytes`, or raises.
    pub fn send_all(&mut self, bytes: &[u8]) -> NetResult<()> {
        let (state, channel) = self.begin_send("send_all")?;
        channel.write_every(bytes).map_err(|e| failure(state, "send_all", &e))
    }

    /// TCP-RECV, IO-EOF: 1..=max_bytes bytes as soon as any arrive; empty only at end of stream.
    #[inline]
    pub fn recv(&mut self, max_bytes: i64, opts: CallOpts) -> NetResult<Bytes> {
        let call = self.state.plan_recv(max_bytes, opts)?;
        self.receive(call)
    }

    /// TCP-RECV-LINE: the bytes up to and including the next `\n`. IO-LINE-EOF, IO-LINE-MAX.
    #[inline]
    pub fn recv_line(&mut self, opts: CallOpts) -> NetResult<Bytes> {
        let call = self.state.plan_recv_line(opts)?;
        self.receive(call)
    }

    /// TCP-RECV-EXACT, IO-EXACT-ZERO: exactly `n` bytes, or raises.
    #[inline]
    pub fn recv_exact(&mut self, n: i64, opts: CallOpts) -> NetResult<Bytes> {
        let call = self.state.plan_recv_exact(n, opts)?;
        self.receive(call)
    }

    /// TCP-CLOSE, IO-CLOSE-IDEMPOTENT: closes; closing again does nothing. D14: a polite end
    /// (a TLS close_notify) waits at most a second.
    pub fn close(&mut self) {
        let polite = self.state.plan_close();
        if let Some(mut channel) = self.channel.take()
            && polite
        {
            channel.begin(Some(CLOSE_GRACE));
            let _ = channel.shutdown_send();
        }
    }

    /// TCP-SHUTDOWN, IO-SHUTDOWN-READ: `:send` ends our side (the peer reads end of stream and
    /// can still reply); `:recv` makes every later recv return end of stream; `:both` does both.
    pub fn shutdown(&mut self, direction: &str) -> NetResult<()> {
        if let Some(send) = self.state.plan_shutdown(direction)? {
            let (state, channel) = self.open("shutdown")?;
            channel.begin(send.wait);
            channel.shutdown_send().map_err(|e| failure(state, "shutdown", &e))?;
            self.state.mark_send_shut();
        }
        Ok(())
    }

    /// Hands the channel over (for starttls), as [`StreamState::plan_detach`] allows.
    pub(crate) fn detach(&mut self) -> NetResult<(C, Link)> {
        let link = self.state.plan_detach()?;
        let channel = self.channel.take().ok_or_else(|| self.state.closed("starttls"))?;
        Ok((channel, link))
    }

    /// Runs a receive call: a frame already buffered returns at once, without a clock reading or
    /// a system call; otherwise the call's wait bounds all its reads. An exact frame cannot
    /// complete with fewer bytes than it asks for, so its reads wait for all of them: one wake-up
    /// per read instead of one per arriving segment.
    #[inline]
    fn receive(&mut self, call: Receive) -> NetResult<Bytes> {
        let all = matches!(call.frame, Frame::Exact { .. });
        let mut begun = false;
        loop {
            let want = match self.state.step(&call) {
                Step::Done(outcome) => return outcome,
                Step::Read(want) => want,
            };
            let (state, channel) = self.open(call.operation)?;
            if !begun {
                channel.begin(call.wait);
                begun = true;
            }
            match channel.read_into(state.read_space(want).0, want, all) {
                Err(e) if stalled(&e) => return Err(failure(state, call.operation, &e)),
                read => state.record_read(call.operation, read)?,
            }
        }
    }

    /// Checks a send and begins it: the state and the channel, or the error it raises.
    fn begin_send(&mut self, operation: &str) -> NetResult<(&StreamState, &mut C)> {
        let wait = self.state.plan_send(operation)?;
        let (state, channel) = self.open(operation)?;
        channel.begin(wait);
        Ok((state, channel))
    }

    /// The state and the channel of an open socket, or the Closed error of `operation`.
    fn open(&mut self, operation: &str) -> NetResult<(&mut StreamState, &mut C)> {
        match self.channel.as_mut() {
            Some(channel) => Ok((&mut self.state, channel)),
            None => Err(self.state.closed(operation)),
        }
    }
}

/// An I/O failure of `operation`, as the async surface raises it: out of time is a Timeout
/// naming the operation and the remote end.
fn failure(state: &StreamState, operation: &str, error: &io::Error) -> NetError {
    if stalled(error) {
        NetError::new(ErrorClass::Timeout, state.timed_out(operation))
    } else {
        state.io_error(operation, error)
    }
}

impl<C> Deref for StreamSocket<C> {
    type Target = StreamState;
    fn deref(&self) -> &StreamState {
        &self.state
    }
}

impl<C> DerefMut for StreamSocket<C> {
    fn deref_mut(&mut self) -> &mut StreamState {
        &mut self.state
    }
}
