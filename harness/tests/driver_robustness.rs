//! The port side of the protocol never dies on bad input: caspian-ref-driver answers every line
//! of a corpus of malformed ones (and a 100 MB line, and a binary blob) with one reply each, keeps
//! serving with bounded memory, and exits 0 when stdin closes.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// The driver's peak resident memory, in KiB, from /proc.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn every_line_is_answered_memory_stays_bounded_and_stdin_closing_ends_it() {
    let corpus = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/transcripts/malformed.in.jsonl"),
    )
    .expect("the malformed corpus");
    let mut driver = Command::new(env!("CARGO_BIN_EXE_caspian-ref-driver"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start caspian-ref-driver");
    let pid = driver.id();
    let mut stdin = driver.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let mut lines = 0;
        for line in corpus.lines().filter(|l| !l.trim().is_empty()) {
            writeln!(stdin, "{line}").expect("write a line");
            lines += 1;
        }
        // A line of 100 MB, written in pieces: read through and dropped, never held.
        let piece = vec![b'x'; 1 << 20];
        for _ in 0..100 {
            stdin.write_all(&piece).expect("write the long line");
        }
        stdin.write_all(b"\n").expect("end the long line");
        // A binary blob, then one good command to show the port still serves.
        stdin.write_all(&[0xff, 0x00, 0xfe, 0x80, b'{', 0x01, b'\n']).expect("write the blob");
        stdin
            .write_all(b"{\"id\":99,\"op\":\"get\",\"handle\":1,\"property\":\"local_port\"}\n")
            .expect("write");
        stdin.flush().expect("flush");
        (stdin, lines + 3)
    });
    let (stdin, sent) = writer.join().expect("the writer");
    let mut reader = BufReader::new(driver.stdout.take().expect("stdout"));
    let replies: Vec<serde_json::Value> = (0..sent)
        .map(|_| {
            let mut line = String::new();
            reader.read_line(&mut line).expect("a reply line");
            serde_json::from_str(&line).expect("every reply is JSON")
        })
        .collect();
    let peak = peak_kib(pid);
    drop(stdin);
    let mut rest = String::new();
    reader.read_line(&mut rest).expect("the end of the replies");
    assert!(rest.is_empty(), "nothing after the last reply: {rest:?}");
    let status = driver.wait().expect("the driver's end");
    assert!(status.success(), "the driver must exit 0 when stdin closes: {status:?}");
    assert_eq!(replies.len(), sent, "one reply per line: {replies:#?}");
    let long = &replies[sent - 3];
    assert_eq!(long["error"]["class"], "ProtocolError", "{long}");
    assert!(long["error"]["message"].as_str().unwrap_or("").contains("104857600 bytes"), "{long}");
    assert_eq!(replies[sent - 2]["error"]["class"], "ProtocolError");
    assert_eq!(replies[sent - 1]["id"], 99);
    assert!(
        replies[sent - 1]["ok"]["int"].as_i64().is_some_and(|port| port > 0),
        "still serving: {}",
        replies[sent - 1]
    );
    let peak = peak.expect("the driver's peak memory, read from /proc while it runs");
    assert!(peak < 96 * 1024, "a 100 MB line must not be held: peak {peak} KiB");
}
