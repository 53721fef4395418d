//! Sans-IO receive framing: the semantics of `recv`, `recv_line` and `recv_exact`.
//!
//! [`RecvBuffer`] holds the bytes received from a stream and not yet returned to the script. It
//! does no I/O: a driver appends what it reads ([`RecvBuffer::read_space`], then
//! [`RecvBuffer::mark_eof`] at end of stream) and asks for a frame. Each `take_*` operation
//! returns one of three outcomes:
//! - `Ok(Some(bytes))`: a frame, removed from the buffer without a copy (it shares the buffer's
//!   allocation until dropped; copy it, e.g. with `Vec::from`, to keep it long);
//! - `Ok(None)`: more bytes are needed; nothing was consumed;
//! - `Err(FrameError)`: the frame can never complete; nothing was consumed (IO-NOTHING-LOST).
//!
//! Every stream of every transport and both surfaces, plain or TLS, frames through this one
//! type; [`Frame`] names the operation a call frames with.

use bytes::{Bytes, BytesMut};

/// Default `max_length` of `recv_line` (IO-LINE-MAX): 1 MiB.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

/// How many bytes a driver reads at a time when no operation needs more.
pub const READ_CHUNK: usize = 64 * 1024;

/// Why a frame cannot complete. The buffer is left untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// The stream ended before the frame was complete (IO-LINE-EOF, TCP-RECV-EXACT).
    EndOfStream { buffered: usize },
    /// No `\n` within the first `max_length` bytes (IO-LINE-MAX).
    LineTooLong { max_length: usize },
}

/// The bytes received and not yet returned. See the module docs for the protocol.
#[derive(Debug, Default)]
pub struct RecvBuffer {
    data: BytesMut,
    eof: bool,
}

impl RecvBuffer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes held and not yet returned.
    pub fn buffered(&self) -> usize {
        self.data.len()
    }

    /// Records that the stream has ended: no byte will be appended after this.
    pub fn mark_eof(&mut self) {
        self.eof = true;
    }

    /// The buffer a driver reads into, with room reserved for at least `want` more bytes. The
    /// driver appends by writing into the spare capacity (for example with `read_buf`).
    #[inline]
    pub fn read_space(&mut self, want: usize) -> &mut BytesMut {
        self.data.reserve(want.max(1));
        &mut self.data
    }

    /// TCP-RECV, IO-EOF: between 1 and `max_bytes` bytes as soon as any are buffered; the empty
    /// frame only at end of stream. `max_bytes` must be at least 1.
    #[inline(always)]
    pub fn take_some(&mut self, max_bytes: usize) -> Option<Bytes> {
        if self.data.is_empty() {
            return self.eof.then(Bytes::new);
        }
        let n = self.data.len().min(max_bytes.max(1));
        Some(self.data.split_to(n).freeze())
    }

    /// TCP-RECV-LINE: the bytes up to and including the next `\n` (a `\r` before it is kept).
    /// A line longer than `max_length` bytes, newline included, is [`FrameError::LineTooLong`];
    /// a stream that ends before the newline is [`FrameError::EndOfStream`] (IO-LINE-EOF).
    #[inline(always)]
    pub fn take_line(&mut self, max_length: usize) -> Result<Option<Bytes>, FrameError> {
        let window = &self.data[..self.data.len().min(max_length)];
        if let Some(pos) = memchr::memchr(b'\n', window) {
            return Ok(Some(self.data.split_to(pos + 1).freeze()));
        }
        if self.data.len() >= max_length {
            return Err(FrameError::LineTooLong { max_length });
        }
        if self.eof {
            return Err(FrameError::EndOfStream { buffered: self.data.len() });
        }
        Ok(None)
    }

    /// TCP-RECV-EXACT, IO-EXACT-ZERO: exactly `n` bytes, or [`FrameError::EndOfStream`] when
    /// the stream ends first.
    #[inline(always)]
    pub fn take_exact(&mut self, n: usize) -> Result<Option<Bytes>, FrameError> {
        if self.data.len() >= n {
            return Ok(Some(self.data.split_to(n).freeze()));
        }
        if self.eof {
            return Err(FrameError::EndOfStream { buffered: self.data.len() });
        }
        Ok(None)
    }

    /// How many more bytes the next read should ask for, so that a line search reads no further
    /// than `max_length` and an exact read no further than it needs (memory stays bounded).
    #[inline(always)]
    pub fn want_for_line(&self, max_length: usize) -> usize {
        max_length.saturating_sub(self.data.len()).clamp(1, READ_CHUNK)
    }

    /// How many more bytes `take_exact(n)` needs, capped at one read's worth.
    #[inline(always)]
    pub fn want_for_exact(&self, n: usize) -> usize {
        n.saturating_sub(self.data.len()).clamp(1, READ_CHUNK)
    }

    /// Drops everything buffered and marks end of stream (after `shutdown(:recv)`).
    pub fn discard(&mut self) {
        self.data.clear();
        self.eof = true;
    }
}

/// The framing of one receive call: what `recv`, `recv_line` and `recv_exact` take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// `recv(max_bytes)`: [`RecvBuffer::take_some`].
    Chunk { max_bytes: usize },
    /// `recv_line(max_length:)`: [`RecvBuffer::take_line`].
    Line { max_length: usize },
    /// `recv_exact(n)`: [`RecvBuffer::take_exact`].
    Exact { n: usize },
}

/// What one framing attempt gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framed {
    /// The frame, removed from the buffer.
    Frame(Bytes),
    /// Nothing was consumed; read at most this many more bytes and try again.
    Need(usize),
}

impl Frame {
    /// Takes this frame from `buf`, or says how much to read for it. An error consumes nothing.
    #[inline(always)]
    pub fn take(self, buf: &mut RecvBuffer) -> Result<Framed, FrameError> {
        let taken = match self {
            Self::Chunk { max_bytes } => buf.take_some(max_bytes),
            Self::Line { max_length } => buf.take_line(max_length)?,
            Self::Exact { n } => buf.take_exact(n)?,
        };
        Ok(match taken {
            Some(frame) => Framed::Frame(frame),
            None => Framed::Need(self.want(buf)),
        })
    }

    /// How many more bytes to read for this frame.
    fn want(self, buf: &RecvBuffer) -> usize {
        match self {
            Self::Chunk { .. } => READ_CHUNK,
            Self::Line { max_length } => buf.want_for_line(max_length),
            Self::Exact { n } => buf.want_for_exact(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(slice: &'static [u8]) -> Bytes {
        Bytes::from_static(slice)
    }

    fn buffer(bytes: &[u8], eof: bool) -> RecvBuffer {
        let mut buf = RecvBuffer::new();
        buf.read_space(bytes.len()).extend_from_slice(bytes);
        if eof {
            buf.mark_eof();
        }
        buf
    }

    #[test]
    fn some_returns_at_most_max_bytes_and_empty_only_at_eof() {
        let mut buf = buffer(b"hello", false);
        assert_eq!(buf.take_some(3), Some(bytes(b"hel")));
        assert_eq!(buf.take_some(10), Some(bytes(b"lo")));
        assert_eq!(buf.take_some(10), None);
        buf.mark_eof();
        assert_eq!(buf.take_some(10), Some(Bytes::new()));
    }

    #[test]
    fn line_keeps_newline_and_carriage_return() {
        let mut buf = buffer(b"a\r\nb\nrest", false);
        assert_eq!(buf.take_line(100), Ok(Some(bytes(b"a\r\n"))));
        assert_eq!(buf.take_line(100), Ok(Some(bytes(b"b\n"))));
        assert_eq!(buf.take_line(100), Ok(None));
        assert_eq!(buf.buffered(), 4);
    }

    #[test]
    fn partial_line_at_eof_is_end_of_stream_and_stays_readable() {
        let mut buf = buffer(b"partial", true);
        assert_eq!(buf.take_line(100), Err(FrameError::EndOfStream { buffered: 7 }));
        assert_eq!(buf.take_some(100), Some(bytes(b"partial")));
    }

    #[test]
    fn line_of_exactly_max_length_passes_and_one_more_fails_without_consuming() {
        let mut buf = buffer(b"abc\n", false);
        assert_eq!(buf.take_line(4), Ok(Some(bytes(b"abc\n"))));
        let mut buf = buffer(b"abcd\n", false);
        assert_eq!(buf.take_line(4), Err(FrameError::LineTooLong { max_length: 4 }));
        assert_eq!(buf.buffered(), 5);
        assert_eq!(buf.take_line(5), Ok(Some(bytes(b"abcd\n"))));
    }

    #[test]
    fn exact_waits_for_all_bytes_and_fails_at_eof_without_consuming() {
        let mut buf = buffer(b"abc", false);
        assert_eq!(buf.take_exact(4), Ok(None));
        assert_eq!(buf.take_exact(0), Ok(Some(Bytes::new())));
        buf.mark_eof();
        assert_eq!(buf.take_exact(4), Err(FrameError::EndOfStream { buffered: 3 }));
        assert_eq!(buf.take_exact(3), Ok(Some(bytes(b"abc"))));
    }

    #[test]
    fn frames_take_what_their_operation_takes_or_say_what_to_read() {
        let mut buf = buffer(b"ab\ncd", false);
        assert_eq!(Frame::Line { max_length: 100 }.take(&mut buf), Ok(Framed::Frame(bytes(b"ab\n"))));
        assert_eq!(Frame::Line { max_length: 100 }.take(&mut buf), Ok(Framed::Need(98)));
        assert_eq!(Frame::Exact { n: 5 }.take(&mut buf), Ok(Framed::Need(3)));
        assert_eq!(Frame::Chunk { max_bytes: 1 }.take(&mut buf), Ok(Framed::Frame(bytes(b"c"))));
        assert_eq!(
            Frame::Line { max_length: 1 }.take(&mut buf),
            Err(FrameError::LineTooLong { max_length: 1 })
        );
        buf.mark_eof();
        assert_eq!(Frame::Exact { n: 2 }.take(&mut buf), Err(FrameError::EndOfStream { buffered: 1 }));
        assert_eq!(Frame::Chunk { max_bytes: 9 }.take(&mut buf), Ok(Framed::Frame(bytes(b"d"))));
        assert_eq!(Frame::Chunk { max_bytes: 9 }.take(&mut buf), Ok(Framed::Frame(Bytes::new())));
    }

    #[test]
    fn wants_are_bounded_by_the_frame() {
        let buf = buffer(b"ab", false);
        assert_eq!(buf.want_for_line(10), 8);
        assert_eq!(buf.want_for_line(2), 1);
        assert_eq!(buf.want_for_exact(5), 3);
        assert_eq!(buf.want_for_exact(1 << 30), READ_CHUNK);
    }
}
