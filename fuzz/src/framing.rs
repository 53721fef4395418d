//! The property of the `framing` target: [`RecvBuffer`] under any chunking and any sequence of
//! operations answers as a plain byte queue would (TCP-RECV, TCP-RECV-LINE, TCP-RECV-EXACT,
//! IO-EOF, IO-LINE-MAX, IO-LINE-EOF, IO-NOTHING-LOST): every byte appended comes out once, in
//! order, unless discarded, and nothing is held beyond what was appended and not yet taken.
//!
//! Input: a sequence of operations, each an opcode byte and its argument bytes (see [`Op`]).

use std::collections::VecDeque;

use caspian_reference::framing::{FrameError, READ_CHUNK, RecvBuffer};

/// One operation on the buffer.
#[derive(Debug)]
enum Op<'a> {
    /// A driver read: reserve `want`, then append the chunk.
    Append {
        want: usize,
        chunk: &'a [u8],
    },
    Some(usize),
    Line(usize),
    Exact(usize),
    Eof,
    Discard,
}

/// Reads operations off the input; a missing byte reads as 0.
struct Ops<'a> {
    data: &'a [u8],
}

impl<'a> Ops<'a> {
    fn byte(&mut self) -> usize {
        let (first, rest) = self.data.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.data = rest;
        usize::from(first)
    }

    /// A size: mostly small, sometimes past a read chunk.
    fn size(&mut self) -> usize {
        let low = self.byte();
        if low < 0xf0 { low } else { (low - 0xf0) * READ_CHUNK / 4 + self.byte() }
    }

    fn next(&mut self) -> Option<Op<'a>> {
        let opcode = self.data.first()?;
        self.data = &self.data[1..];
        Some(match opcode % 6 {
            0 => {
                let (want, len) = (self.size(), self.byte().min(self.data.len()));
                let (chunk, rest) = self.data.split_at(len);
                self.data = rest;
                Op::Append { want, chunk }
            }
            1 => Op::Some(self.size().max(1)),
            2 => Op::Line(self.size()),
            3 => Op::Exact(self.size()),
            4 => Op::Eof,
            _ => Op::Discard,
        })
    }
}

/// The model: the bytes not yet taken, and whether the stream ended.
#[derive(Default)]
struct Queue {
    bytes: VecDeque<u8>,
    eof: bool,
}

impl Queue {
    fn take(&mut self, n: usize) -> Vec<u8> {
        self.bytes.drain(..n).collect()
    }

    fn some(&mut self, max: usize) -> Option<Vec<u8>> {
        match self.bytes.len() {
            0 if self.eof => Some(Vec::new()),
            0 => None,
            len => Some(self.take(len.min(max))),
        }
    }

    fn line(&mut self, max_length: usize) -> Result<Option<Vec<u8>>, FrameError> {
        match self.bytes.iter().position(|&b| b == b'\n') {
            Some(newline) if newline < max_length => Ok(Some(self.take(newline + 1))),
            _ if self.bytes.len() >= max_length => Err(FrameError::LineTooLong { max_length }),
            _ if self.eof => Err(FrameError::EndOfStream { buffered: self.bytes.len() }),
            _ => Ok(None),
        }
    }

    fn exact(&mut self, n: usize) -> Result<Option<Vec<u8>>, FrameError> {
        if self.bytes.len() >= n {
            Ok(Some(self.take(n)))
        } else if self.eof {
            Err(FrameError::EndOfStream { buffered: self.bytes.len() })
        } else {
            Ok(None)
        }
    }
}

/// Runs the property on one input; panics on a violation.
pub fn check(data: &[u8]) {
    let (mut buffer, mut model) = (RecvBuffer::new(), Queue::default());
    // The most a single read ever asked room for: memory stays within a small multiple of it.
    let mut peak = 0;
    let mut ops = Ops { data };
    while let Some(op) = ops.next() {
        match op {
            // A driver never reads past end of stream.
            Op::Append { .. } if model.eof => {}
            Op::Append { want, chunk } => {
                let space = buffer.read_space(want);
                let need = space.len() + want.max(1);
                peak = peak.max(need);
                assert!(space.capacity() >= need, "read_space reserved too little");
                assert!(
                    space.capacity() <= 2 * peak + 2 * READ_CHUNK,
                    "read_space reserved {}",
                    space.capacity()
                );
                space.extend_from_slice(chunk);
                model.bytes.extend(chunk);
            }
            Op::Some(max) => {
                assert_eq!(buffer.take_some(max).map(Vec::from), model.some(max), "take_some({max})")
            }
            Op::Line(max) => assert_eq!(frame(buffer.take_line(max)), model.line(max), "take_line({max})"),
            Op::Exact(n) => assert_eq!(frame(buffer.take_exact(n)), model.exact(n), "take_exact({n})"),
            Op::Eof => {
                buffer.mark_eof();
                model.eof = true;
            }
            Op::Discard => {
                buffer.discard();
                model = Queue { eof: true, ..Queue::default() };
            }
        }
        let held = model.bytes.len();
        assert_eq!(buffer.buffered(), held, "bytes held");
        let line_want = buffer.want_for_line(LINE_PROBE);
        assert_eq!(line_want, LINE_PROBE.saturating_sub(held).clamp(1, READ_CHUNK), "want_for_line");
        assert_eq!(buffer.want_for_exact(held + 3), 3, "want_for_exact");
    }
    // IO-NOTHING-LOST: what is left comes out whole.
    buffer.mark_eof();
    model.eof = true;
    let rest = model.bytes.len();
    assert_eq!(frame(buffer.take_exact(rest)), model.exact(rest), "the bytes left");
}

/// A frame of the buffer as the model writes it.
fn frame(
    outcome: Result<Option<caspian_reference::Bytes>, FrameError>,
) -> Result<Option<Vec<u8>>, FrameError> {
    outcome.map(|bytes| bytes.map(Vec::from))
}

/// The `max_length` the wants are probed with after each operation.
const LINE_PROBE: usize = 100;
