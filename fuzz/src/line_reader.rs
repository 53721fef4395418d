//! The property of the `line_reader` target: [`read_line`] splits any byte stream, read in any
//! chunk size, into the lines a plain split on `\n` gives, and never holds more than
//! [`MAX_LINE`] bytes of a line: a longer one is reported with its length and dropped.
//!
//! Input: a header byte, then the stream. The header's low six bits pick the reader's buffer
//! size; its high bit asks for a long line first: the stream's bytes, newlines removed, cycled
//! to `MAX_LINE` plus 0 to 3 bytes (the second byte), then a newline and the stream. The long
//! line is generated as it is read, so only the reader under test ever holds it.

use std::io::{BufRead, BufReader, Read};

use caspian_harness::engines::lines::{Line, MAX_LINE, read_line};

/// Runs the property on one input; panics on a violation.
pub fn check(data: &[u8]) {
    let Some((&header, rest)) = data.split_first() else { return };
    let chunk = 1 + usize::from(header & 63);
    if header & 0x80 == 0 {
        expect_lines(&mut BufReader::with_capacity(chunk, rest), model(rest));
        return;
    }
    let extra = usize::from(rest.first().copied().unwrap_or(0) % 4);
    let mut pattern: Vec<u8> = rest.iter().copied().filter(|&b| b != b'\n').collect();
    if pattern.is_empty() {
        pattern.push(b'x');
    }
    // Whole cycles of at least 4 KiB, so that the long line is served in large reads.
    let pattern = pattern.repeat(4096_usize.div_ceil(pattern.len()));
    let long = MAX_LINE + extra;
    let mut expected = vec![judge_long(&pattern, long)];
    expected.extend(model(rest));
    let mut reader = LongLineFirst { pattern: &pattern, long, tail: rest, served: 0, chunk: chunk * 1024 };
    expect_lines(&mut reader, expected);
}

fn expect_lines(reader: &mut impl BufRead, expected: Vec<Expected<'_>>) {
    let mut line = Vec::new();
    for expected in expected {
        let found = read_line(reader, &mut line).expect("reading from memory never fails");
        assert!(line.len() <= MAX_LINE && line.capacity() <= 2 * MAX_LINE, "a line held past MAX_LINE");
        match (found, expected) {
            (Line::Read, Expected::Read(text)) => assert!(line == text, "line content differs"),
            (Line::Read, Expected::Cycle { pattern, len }) => {
                assert_eq!(line.len(), len, "long line length");
                assert!(
                    line.chunks(pattern.len()).all(|c| c == &pattern[..c.len()]),
                    "long line content differs"
                );
            }
            (found, Expected::Other(kind)) => assert_eq!(found, kind),
            (found, _) => panic!("read {found:?}, expected a line of {} bytes", line.len()),
        }
    }
    assert_eq!(read_line(reader, &mut line).expect("reading from memory never fails"), Line::End);
}

/// The first line of a long-line input: `long` bytes of `pattern` cycled.
fn judge_long(pattern: &[u8], long: usize) -> Expected<'_> {
    if long > MAX_LINE {
        return Expected::Other(Line::TooLong(long));
    }
    if pattern.iter().all(u8::is_ascii_whitespace) {
        return Expected::Other(Line::Blank);
    }
    let ends_in_cr = pattern[(long - 1) % pattern.len()] == b'\r';
    Expected::Cycle { pattern, len: long - usize::from(ends_in_cr) }
}

/// `pattern` cycled to `long` bytes, a newline, then `tail`, served `chunk` bytes at a time
/// without ever being held whole.
struct LongLineFirst<'a> {
    pattern: &'a [u8],
    long: usize,
    tail: &'a [u8],
    served: usize,
    chunk: usize,
}

impl Read for LongLineFirst<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for LongLineFirst<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let slice = if self.served < self.long {
            let at = self.served % self.pattern.len();
            &self.pattern[at..self.pattern.len().min(at + self.long - self.served)]
        } else if self.served == self.long {
            &b"\n"[..]
        } else {
            &self.tail[(self.served - self.long - 1).min(self.tail.len())..]
        };
        Ok(&slice[..slice.len().min(self.chunk)])
    }

    fn consume(&mut self, n: usize) {
        self.served += n;
    }
}

/// What one call should find.
enum Expected<'a> {
    Read(&'a [u8]),
    /// A line of `len` bytes of `pattern` cycled.
    Cycle {
        pattern: &'a [u8],
        len: usize,
    },
    Other(Line),
}

/// The lines of `stream`: split on `\n`, a final newline ends the last line rather than
/// starting an empty one, and one `\r` before a newline is dropped.
fn model(stream: &[u8]) -> Vec<Expected<'_>> {
    let mut pieces: Vec<&[u8]> = stream.split(|&b| b == b'\n').collect();
    if pieces.last().is_some_and(|last| last.is_empty()) {
        pieces.pop();
    }
    pieces
        .into_iter()
        .map(|piece| {
            if piece.len() > MAX_LINE {
                return Expected::Other(Line::TooLong(piece.len()));
            }
            let text = piece.strip_suffix(b"\r").unwrap_or(piece);
            if text.iter().all(u8::is_ascii_whitespace) {
                Expected::Other(Line::Blank)
            } else {
                Expected::Read(text)
            }
        })
        .collect()
}
