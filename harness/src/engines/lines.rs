//! Reading JSON Lines with bounded memory, for both sides of the driver protocol.
//!
//! Guarantee: [`read_line`] holds at most [`MAX_LINE`] bytes of a line, whatever arrives (a
//! line of 100 MB, a binary blob without a newline); a longer line is read through, dropped and
//! reported with its length.

use std::io::BufRead;

pub use caspian_conformance::driver::MAX_LINE;

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// A line is in the buffer, without its newline (or carriage return and newline).
    Read,
    /// An empty line, or one of white space only: nothing to answer.
    Blank,
    /// A line longer than [`MAX_LINE`], read through and dropped: its length.
    TooLong(usize),
    /// The input ended.
    End,
}

/// Reads one `\n`-terminated line into `line`. A last line without a newline counts as a line.
pub fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<Line> {
    line.clear();
    let mut seen = 0usize;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if seen == 0 { Line::End } else { judge(seen, line) });
        }
        let (chunk, used) = match memchr::memchr(b'\n', available) {
            Some(end) => (&available[..end], end + 1),
            None => (available, available.len()),
        };
        seen += chunk.len();
        if seen <= MAX_LINE {
            line.extend_from_slice(chunk);
        } else if !line.is_empty() {
            *line = Vec::new();
        }
        let complete = used > chunk.len();
        input.consume(used);
        if complete {
            return Ok(judge(seen, line));
        }
    }
}

fn judge(seen: usize, line: &mut Vec<u8>) -> Line {
    if seen > MAX_LINE {
        return Line::TooLong(seen);
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.iter().all(u8::is_ascii_whitespace) { Line::Blank } else { Line::Read }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<(Line, Vec<u8>)> {
        let mut reader = std::io::BufReader::with_capacity(7, input);
        let (mut out, mut line) = (Vec::new(), Vec::new());
        loop {
            match read_line(&mut reader, &mut line).unwrap() {
                Line::End => return out,
                found => out.push((found, line.clone())),
            }
        }
    }

    #[test]
    fn lines_are_split_and_blank_ones_marked() {
        let read = lines(b"{\"a\":1}\n\n\r\nlast");
        let expected = [
            (Line::Read, b"{\"a\":1}".to_vec()),
            (Line::Blank, vec![]),
            (Line::Blank, vec![]),
            (Line::Read, b"last".to_vec()),
        ];
        assert_eq!(read, expected);
    }

    #[test]
    fn a_line_past_the_bound_is_dropped_and_the_next_one_read() {
        let mut long = vec![b'x'; MAX_LINE + 10];
        long.extend_from_slice(b"\nnext\n");
        let mut reader = std::io::BufReader::with_capacity(1 << 16, &long[..]);
        let mut line = Vec::new();
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), Line::TooLong(MAX_LINE + 10));
        assert!(line.capacity() <= 2 * MAX_LINE, "memory grew past the bound");
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), Line::Read);
        assert_eq!(line, b"next");
    }
}
