//! A generated scenario: a byte stream, how the peer writes it (segments released one by one,
//! writes, pauses), and the reads a script makes between releases. Drawn from proptest
//! strategies, so that a failing scenario shrinks.

use std::fmt;

use proptest::collection::vec;
use proptest::prelude::*;

use crate::framing_model::Read;
use crate::script::show;

/// What a generated case draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// recv, recv_line (with and without max_length) and recv_exact, in any order.
    Mixed,
    /// Mostly recv_line with a max_length near the line lengths: lines too long, often.
    LineTooLong,
}

/// One write of the peer: up to `len` bytes of what remains of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Write {
    pub len: usize,
    /// Pauses after the write, in dribble pauses (0 to 2).
    pub pause: u8,
    /// The write starts a segment: the peer waits for a go byte before it.
    pub starts_segment: bool,
}

/// A step of the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A read. When the model expects it to time out it is made with the brief wait if `brief`,
    /// else with timeout 0 (a poll, which costs no time: what shrinking moves toward).
    Read { read: Read, brief: bool },
    /// Sends a go byte: the peer writes its next segment, or ends the stream after the last one.
    Go,
}

/// A bounded piece of the stream, written in one write, with the pause after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub bytes: Vec<u8>,
    pub pause: u8,
}

/// One generated scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub stream: Vec<u8>,
    pub writes: Vec<Write>,
    pub actions: Vec<Action>,
}

impl Scenario {
    /// The stream cut into segments of chunks. The writes carve the stream in order; the bytes
    /// they leave go in one more write of the last segment. Empty stream: no segment.
    pub fn segments(&self) -> Vec<Vec<Chunk>> {
        let mut segments: Vec<Vec<Chunk>> = Vec::new();
        let mut rest = self.stream.as_slice();
        for write in &self.writes {
            if rest.is_empty() {
                break;
            }
            let (bytes, after) = rest.split_at(write.len.clamp(1, rest.len()));
            rest = after;
            let chunk = Chunk { bytes: bytes.to_vec(), pause: write.pause };
            match segments.last_mut() {
                Some(segment) if !write.starts_segment => segment.push(chunk),
                _ => segments.push(vec![chunk]),
            }
        }
        if !rest.is_empty() {
            let chunk = Chunk { bytes: rest.to_vec(), pause: 0 };
            match segments.last_mut() {
                Some(segment) => segment.push(chunk),
                None => segments.push(vec![chunk]),
            }
        }
        segments
    }
}

impl fmt::Display for Scenario {
    /// The peer's side, then the script's: what a failure message shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  stream ({} bytes): {}", self.stream.len(), show(&self.stream))?;
        let segments: Vec<String> = self
            .segments()
            .iter()
            .map(|segment| {
                let chunks: Vec<String> = segment
                    .iter()
                    .map(|chunk| match chunk.pause {
                        0 => show(&chunk.bytes),
                        pause => format!("{} pause {pause}", show(&chunk.bytes)),
                    })
                    .collect();
                format!("go, {}", chunks.join(", "))
            })
            .collect();
        writeln!(
            f,
            "  peer: {}",
            segments.into_iter().chain(["go, end".to_string()]).collect::<Vec<_>>().join("; ")
        )?;
        let actions: Vec<String> = self
            .actions
            .iter()
            .map(|action| match action {
                Action::Go => "go".to_string(),
                Action::Read { read, brief: true } => read.to_string(),
                Action::Read { read, brief: false } => format!("{read} (timeout 0 if it must wait)"),
            })
            .collect();
        write!(f, "  script: {}; then go until the end, and recv to the end", actions.join("; "))
    }
}

/// The scenarios of `profile`.
pub fn scenarios(profile: Profile) -> BoxedStrategy<Scenario> {
    let longest_body = match profile {
        Profile::Mixed => 20,
        Profile::LineTooLong => 30,
    };
    let write = (1usize..=12, 0u8..=2, prop::bool::weighted(0.5))
        .prop_map(|(len, pause, starts_segment)| Write { len, pause, starts_segment });
    let writes = vec(write, 0..=12);
    let actions = vec(action(profile), 1..=16);
    // Shrinking simplifies the script first: fewer reads make every later attempt quicker.
    (actions, writes, stream(longest_body))
        .prop_map(|(actions, writes, stream)| Scenario { stream, writes, actions })
        .boxed()
}

/// Lines (empty, `\n` or `\r\n` ended, the last maybe unended) of bytes of every value, mostly
/// letters.
fn stream(longest_body: usize) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![6 => b'a'..=b'z', 1 => Just(b'\r'), 1 => any::<u8>()];
    let ending = prop_oneof![2 => Just(&b"\n"[..]), 2 => Just(&b"\r\n"[..]), 1 => Just(&b""[..])];
    vec((vec(byte, 0..=longest_body), ending), 1..=8).prop_map(|lines| {
        lines.into_iter().flat_map(|(body, ending)| body.into_iter().chain(ending.iter().copied())).collect()
    })
}

/// A script step of `profile`: mostly reads.
fn action(profile: Profile) -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (read(profile), any::<bool>()).prop_map(|(read, brief)| Action::Read { read, brief }),
        2 => Just(Action::Go),
    ]
}

fn read(profile: Profile) -> BoxedStrategy<Read> {
    let recv = (1usize..=24).prop_map(|max_bytes| Read::Recv { max_bytes });
    let exact = (0usize..=24).prop_map(|n| Read::Exact { n });
    match profile {
        Profile::Mixed => {
            let max_length = prop_oneof![2 => Just(None), 3 => (1usize..=32).prop_map(Some)];
            let line = max_length.prop_map(|max_length| Read::Line { max_length });
            prop_oneof![2 => recv, 3 => line, 2 => exact].boxed()
        }
        Profile::LineTooLong => {
            let line = (1usize..=12).prop_map(|max| Read::Line { max_length: Some(max) });
            prop_oneof![1 => recv, 4 => line, 1 => exact].boxed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(len: usize, starts_segment: bool) -> Write {
        Write { len, pause: 0, starts_segment }
    }

    #[test]
    fn writes_carve_the_stream_into_segments_and_the_rest_joins_the_last() {
        let scenario = Scenario {
            stream: b"abcdefgh".to_vec(),
            writes: vec![write(2, false), write(3, false), write(1, true)],
            actions: Vec::new(),
        };
        let bytes: Vec<Vec<Vec<u8>>> = scenario
            .segments()
            .into_iter()
            .map(|segment| segment.into_iter().map(|chunk| chunk.bytes).collect())
            .collect();
        assert_eq!(bytes, vec![vec![b"ab".to_vec(), b"cde".to_vec()], vec![b"f".to_vec(), b"gh".to_vec()]]);
    }

    #[test]
    fn an_empty_stream_has_no_segment_and_no_writes_make_one() {
        let empty = Scenario { stream: Vec::new(), writes: vec![write(3, true)], actions: Vec::new() };
        assert!(empty.segments().is_empty());
        let unwritten = Scenario { stream: b"xy".to_vec(), writes: Vec::new(), actions: Vec::new() };
        assert_eq!(unwritten.segments(), vec![vec![Chunk { bytes: b"xy".to_vec(), pause: 0 }]]);
    }
}
