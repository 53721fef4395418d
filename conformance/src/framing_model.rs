//! The framing model: what `recv`, `recv_line` and `recv_exact` answer, given the bytes a peer
//! has sent and not yet read and whether it has ended the stream. It is the standard the
//! generated framing cases hold an engine to (TCP-RECV, TCP-RECV-LINE, TCP-RECV-EXACT, IO-EOF,
//! IO-LINE-EOF, IO-LINE-MAX, IO-EXACT-ZERO, IO-NOTHING-LOST).
//!
//! The model knows what was sent, not what has arrived: an answer that needs bytes not sent yet
//! is a [`Answer::Timeout`]; every other answer is what the engine gives once the bytes sent
//! have arrived.

use std::fmt;

/// `recv_line`'s `max_length` when the call gives none (IO-LINE-MAX): 1 MiB.
pub const DEFAULT_MAX_LENGTH: usize = 1 << 20;

/// One read of a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// `recv(max_bytes)`; `max_bytes` is at least 1.
    Recv { max_bytes: usize },
    /// `recv_line(max_length:)`; `None` leaves the option out. `max_length` is at least 1.
    Line { max_length: Option<usize> },
    /// `recv_exact(n)`.
    Exact { n: usize },
}

impl fmt::Display for Read {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Read::Recv { max_bytes } => write!(f, "recv({max_bytes})"),
            Read::Line { max_length: None } => write!(f, "recv_line"),
            Read::Line { max_length: Some(max) } => write!(f, "recv_line(max_length: {max})"),
            Read::Exact { n } => write!(f, "recv_exact({n})"),
        }
    }
}

/// What a read answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Exactly these bytes, consumed.
    Bytes(Vec<u8>),
    /// `recv`: at least one and at most all of these bytes, a prefix, consumed (TCP-RECV: as
    /// many as have arrived, up to `max_bytes`).
    Prefix(Vec<u8>),
    /// The read needs bytes the peer has not sent: it waits, and raises Timeout when its
    /// timeout passes, consuming nothing.
    Timeout,
    /// The stream ended before the frame completed: EndOfStream, consuming nothing.
    EndOfStream,
    /// No newline within `max_length` bytes: raises (line_too_long), consuming nothing.
    LineTooLong,
}

impl Answer {
    /// True for the answers that raise.
    pub fn raises(&self) -> bool {
        matches!(self, Answer::Timeout | Answer::EndOfStream | Answer::LineTooLong)
    }
}

/// The bytes sent and not yet read, and whether the stream has ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FramingModel {
    unread: Vec<u8>,
    ended: bool,
}

impl FramingModel {
    pub fn new() -> Self {
        Self::default()
    }

    /// The peer sent `bytes`.
    pub fn sent(&mut self, bytes: &[u8]) {
        self.unread.extend_from_slice(bytes);
    }

    /// The peer ended the stream: nothing follows what was sent.
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// The bytes sent and not read yet.
    pub fn unread(&self) -> &[u8] {
        &self.unread
    }

    /// True once the peer has ended the stream.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// What `read` answers now. A raising answer consumes nothing (IO-NOTHING-LOST).
    pub fn answer(&self, read: Read) -> Answer {
        match read {
            Read::Recv { max_bytes } => self.recv(max_bytes),
            Read::Line { max_length } => self.line(max_length.unwrap_or(DEFAULT_MAX_LENGTH)),
            Read::Exact { n } => self.exact(n),
        }
    }

    /// Removes the first `n` unread bytes (what a read returned).
    pub fn consume(&mut self, n: usize) {
        self.unread.drain(..n.min(self.unread.len()));
    }

    /// TCP-RECV, IO-EOF: some bytes as soon as any are there; empty only at end of stream.
    fn recv(&self, max_bytes: usize) -> Answer {
        if !self.unread.is_empty() {
            let n = self.unread.len().min(max_bytes.max(1));
            return Answer::Prefix(self.unread[..n].to_vec());
        }
        if self.ended { Answer::Bytes(Vec::new()) } else { Answer::Timeout }
    }

    /// TCP-RECV-LINE, IO-LINE-MAX, IO-LINE-EOF: up to and including the first newline, which
    /// must lie within `max_length` bytes.
    fn line(&self, max_length: usize) -> Answer {
        let window = &self.unread[..self.unread.len().min(max_length)];
        if let Some(newline) = window.iter().position(|&byte| byte == b'\n') {
            return Answer::Bytes(self.unread[..=newline].to_vec());
        }
        if self.unread.len() >= max_length {
            Answer::LineTooLong
        } else if self.ended {
            Answer::EndOfStream
        } else {
            Answer::Timeout
        }
    }

    /// TCP-RECV-EXACT, IO-EXACT-ZERO: exactly `n` bytes.
    fn exact(&self, n: usize) -> Answer {
        if self.unread.len() >= n {
            Answer::Bytes(self.unread[..n].to_vec())
        } else if self.ended {
            Answer::EndOfStream
        } else {
            Answer::Timeout
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(bytes: &[u8], ended: bool) -> FramingModel {
        let mut model = FramingModel::new();
        model.sent(bytes);
        if ended {
            model.end();
        }
        model
    }

    #[test]
    fn recv_gives_a_prefix_and_empty_only_at_the_end() {
        assert_eq!(
            model(b"hello", false).answer(Read::Recv { max_bytes: 3 }),
            Answer::Prefix(b"hel".to_vec())
        );
        assert_eq!(model(b"", false).answer(Read::Recv { max_bytes: 3 }), Answer::Timeout);
        assert_eq!(model(b"", true).answer(Read::Recv { max_bytes: 3 }), Answer::Bytes(Vec::new()));
    }

    #[test]
    fn lines_keep_their_carriage_return_and_respect_max_length() {
        let crlf = model(b"a\r\nb", false);
        assert_eq!(crlf.answer(Read::Line { max_length: None }), Answer::Bytes(b"a\r\n".to_vec()));
        assert_eq!(crlf.answer(Read::Line { max_length: Some(3) }), Answer::Bytes(b"a\r\n".to_vec()));
        assert_eq!(crlf.answer(Read::Line { max_length: Some(2) }), Answer::LineTooLong);
        assert_eq!(model(b"ab", false).answer(Read::Line { max_length: Some(3) }), Answer::Timeout);
        assert_eq!(model(b"ab", true).answer(Read::Line { max_length: Some(3) }), Answer::EndOfStream);
    }

    #[test]
    fn exact_waits_for_every_byte_and_zero_is_empty() {
        assert_eq!(model(b"abc", false).answer(Read::Exact { n: 4 }), Answer::Timeout);
        assert_eq!(model(b"abc", true).answer(Read::Exact { n: 4 }), Answer::EndOfStream);
        assert_eq!(model(b"", false).answer(Read::Exact { n: 0 }), Answer::Bytes(Vec::new()));
        let mut two_lines = model(b"abcd", false);
        assert_eq!(two_lines.answer(Read::Exact { n: 2 }), Answer::Bytes(b"ab".to_vec()));
        two_lines.consume(2);
        assert_eq!(two_lines.unread(), b"cd");
    }
}
