//! Golden transcripts of the driver protocol: `fixtures/transcripts/NAME.in.jsonl` piped into
//! `caspian-ref-driver` must answer exactly `NAME.out.jsonl`, so that no change to the protocol
//! (field names, value shapes, error messages) goes unnoticed. After a deliberate change, run
//! with `UPDATE_GOLDEN=1` to rewrite the answers, and review the diff.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn the_reference_driver_answers_the_golden_transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/transcripts");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures/transcripts") {
        let path = entry.expect("a directory entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".in.jsonl"))
        else {
            continue;
        };
        let input = std::fs::read(&path).expect("read the commands");
        let mut driver = Command::new(env!("CARGO_BIN_EXE_caspian-ref-driver"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start caspian-ref-driver");
        driver.stdin.take().expect("stdin").write_all(&input).expect("write the commands");
        let output = driver.wait_with_output().expect("the driver's answers");
        let actual = String::from_utf8_lossy(&output.stdout).into_owned();
        let golden = dir.join(format!("{name}.out.jsonl"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &actual).expect("rewrite the golden answers");
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert_eq!(actual, expected, "{name}: the driver's answers differ from {}", golden.display());
        checked += 1;
    }
    assert!(checked >= 2, "expected golden transcripts in {}", dir.display());
}
