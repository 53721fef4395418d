//! Everything a port author reads says what went wrong in plain words: run against a port that
//! answers wrongly in many ways (a missing or wrong reason, nil where an exception belongs, a
//! certificate without its SANs, a refused start), the terminal output and the JSON, HTML and
//! JUnit reports hold no Rust debug text (`Some(..)`, `None`, `Ok(..)`, `Err(..)`, `Type { .. }`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The first piece of Rust debug text in `text`, with what surrounds it: an `Option` or `Result`
/// shown as one, or a struct or tuple variant in its debug form (`StartError { `,
/// `InvalidFlags("`, `Bytes([`, `Handle(3`).
fn debug_text(text: &str) -> Option<String> {
    // The line around `at` (the start of an ASCII marker), at most 200 characters of it.
    let context = |at: usize| {
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        text[start..end].chars().take(200).collect::<String>()
    };
    for marker in ["Some(", "None", "Ok(", "Err("] {
        if let Some(at) = text.find(marker) {
            return Some(context(at));
        }
    }
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for (at, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_uppercase() || (at > 0 && is_word(bytes[at - 1])) {
            continue;
        }
        let end = (at..bytes.len()).find(|&i| !is_word(bytes[i])).unwrap_or(bytes.len());
        let rest = &text[end..];
        let tuple = rest.starts_with("(\"")
            || rest.starts_with("([")
            || rest.strip_prefix('(').is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        if rest.starts_with(" { ") || tuple {
            return Some(context(at));
        }
    }
    None
}

#[test]
fn the_detector_finds_debug_text_and_passes_plain_words() {
    for debug in [
        "the reason: expected Some(\"expired\"), got None",
        "the engine did not start: StartError { message: \"x\" }",
        "the engine did not start: InvalidFlags(\"a..b\")",
        "got Bytes([104, 105])",
        "got Handle(3)",
        "got Ok(Nil)",
    ] {
        assert!(debug_text(debug).is_some(), "{debug}");
    }
    for plain in [
        "the CertificateError's reason: expected \"expired\", got no reason",
        "ssl's outcome: expected Timeout raised, got nil",
        "sans: expected [\"a.test\"], got []",
        "`%net.tcp(host, port)` opens a connection",
        "Timeout: recv timed out (reason: x)",
    ] {
        assert_eq!(debug_text(plain), None, "{plain}");
    }
}

#[test]
fn failures_read_in_plain_words_in_every_report() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plain-reports");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let (json, html, junit) = (dir.join("r.json"), dir.join("r.html"), dir.join("r.xml"));
    let port = format!(
        "python3 fixtures/engines/faulty_engine.py misreport -- {}",
        env!("CARGO_BIN_EXE_caspian-ref-driver")
    );
    let output = Command::new(env!("CARGO_BIN_EXE_caspian-conform"))
        .current_dir(root())
        .args(["run", "--quiet", "--engine-cmd", &port, "--json"])
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .arg("--junit")
        .arg(&junit)
        .arg("--transcript-dir")
        .arg(dir.join("transcripts"))
        .args([
            "tls.reject.expired",
            "tls.peer_cert.good",
            "tls.ca_bundle.replaces_system",
            "tls.recv.timeout_nothing_lost",
            "tls.open.refused",
            "io.line_max.line_too_long",
            "io.timeout.zero_is_a_poll",
        ])
        .output()
        .expect("run caspian-conform");
    let terminal = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(!output.status.success(), "the port fails:\n{terminal}");

    // Each kind of wrong answer is caught, and said in words.
    for said in [
        "the CertificateError's reason: expected \"expired\", got no reason",
        "the ArgumentError's reason: expected \"line_too_long\", got \"bad_usage\"",
        "recv's outcome: expected Timeout raised, got nil",
        "sans: expected [\"localhost\", \"server.example.test\", \"127.0.0.1\", \"::1\"], got []",
        "the engine did not start: it refused its permission flags: this port sets no environment variable",
        "recv_line's outcome: expected Timeout raised, got nil",
    ] {
        assert!(terminal.contains(said), "{said:?} missing from:\n{terminal}");
    }
    assert!(terminal.contains("1 passed, 6 failed"), "{terminal}");

    let read =
        |path: &Path| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut outputs = vec![("the terminal".to_string(), terminal)];
    for path in [&json, &html, &junit] {
        outputs.push((path.display().to_string(), read(path)));
    }
    for log in std::fs::read_dir(dir.join("transcripts/real")).expect("the transcripts") {
        let path = log.expect("a transcript").path();
        outputs.push((path.display().to_string(), read(&path)));
    }
    for (name, text) in &outputs {
        assert_eq!(debug_text(text), None, "Rust debug text in {name}");
    }
}
