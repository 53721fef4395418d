//! The property of the `line_reader` target: [`read_line`] splits any byte stream, read in any
//! chunk size, into the lines a plain split on `\n` gives, and never holds more than
//! [`MAX_LINE`] bytes of a line: a longer one is reported with its length and dropped.
//!
//! Input: a header byte, then the stream. The header's low six bits pick the reader's buffer
//! size; its high bit asks for a long line first: the stream's bytes, newlines removed, repeated
//! to `MAX_LINE` plus 0 to 3 bytes (the second byte), then a newline and the rest.

use std::io::BufReader;

use caspian_harness::engines::lines::{Line, MAX_LINE, read_line};

/// Runs the property on one input; panics on a violation.
pub fn check(data: &[u8]) {
    let Some((&header, rest)) = data.split_first() else { return };
    let mut capacity = 1 + usize::from(header & 63);
    let stream = if header & 0x80 == 0 {
        rest.to_vec()
    } else {
        capacity *= 1024;
        long_line_first(rest)
    };
    let mut reader = BufReader::with_capacity(capacity, &stream[..]);
    let mut line = Vec::new();
    for expected in model(&stream) {
        let found = read_line(&mut reader, &mut line).expect("reading a slice never fails");
        assert!(line.len() <= MAX_LINE && line.capacity() <= 2 * MAX_LINE, "a line held past MAX_LINE");
        match (found, expected) {
            (Line::Read, Expected::Read(text)) => assert!(line == text, "line content differs"),
            (found, Expected::Other(kind)) => assert_eq!(found, kind),
            (found, _) => panic!("read {found:?}, expected a line of {} bytes", line.len()),
        }
    }
    assert_eq!(read_line(&mut reader, &mut line).expect("reading a slice never fails"), Line::End);
}

fn long_line_first(rest: &[u8]) -> Vec<u8> {
    let extra = usize::from(rest.first().copied().unwrap_or(0) % 4);
    let mut pattern: Vec<u8> = rest.iter().copied().filter(|&b| b != b'\n').collect();
    if pattern.is_empty() {
        pattern.push(b'x');
    }
    let mut stream = pattern.repeat((MAX_LINE + extra).div_ceil(pattern.len()));
    stream.truncate(MAX_LINE + extra);
    stream.push(b'\n');
    stream.extend_from_slice(rest);
    stream
}

/// What one call should find.
enum Expected<'a> {
    Read(&'a [u8]),
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
