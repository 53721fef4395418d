//! The out-of-process path end to end: the reference behind the driver protocol, and ports that
//! break it in every way a port can. Each run completes, reports the right status, and exits
//! non-zero when anything went wrong.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn driver() -> &'static str {
    env!("CARGO_BIN_EXE_caspian-ref-driver")
}

/// Runs `caspian-conform run` with `args`; returns its exit success and the JSON report.
fn conform(name: &str, args: &[&str]) -> (bool, Value) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("out-of-process-{name}"));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let json = dir.join("report.json");
    let output = Command::new(env!("CARGO_BIN_EXE_caspian-conform"))
        .current_dir(root())
        .args(["run", "--quiet", "--json"])
        .arg(&json)
        .args(args)
        .output()
        .expect("run caspian-conform");
    let report = std::fs::read_to_string(&json).unwrap_or_else(|e| {
        panic!(
            "no report ({e}); stdout: {}; stderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.success(), serde_json::from_str(&report).expect("a JSON report"))
}

fn faulty(mode: &str) -> String {
    format!("python3 fixtures/engines/faulty_engine.py {mode} -- {}", driver())
}

fn statuses(report: &Value) -> Vec<String> {
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["status"].as_str().unwrap_or("").to_string())
        .collect()
}

fn status_of<'a>(report: &'a Value, id: &str) -> &'a str {
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["status"].as_str())
        .unwrap_or("")
}

/// Each case's id and status, in catalog order.
fn case_statuses(report: &Value) -> Vec<(String, String)> {
    let cases = report["cases"].as_array().expect("cases");
    let text = |value: &Value| value.as_str().unwrap_or("").to_string();
    cases.iter().map(|c| (text(&c["id"]), text(&c["status"]))).collect()
}

#[test]
fn both_surfaces_of_the_reference_pass_the_whole_catalog_out_of_process_alike() {
    let (async_ok, async_report) = conform("reference-async", &["--engine-cmd", driver()]);
    let blocking = format!("{} --blocking", driver());
    let (blocking_ok, blocking_report) = conform("reference-blocking", &["--engine-cmd", &blocking]);
    let (async_cases, blocking_cases) = (case_statuses(&async_report), case_statuses(&blocking_report));
    assert!(async_ok && blocking_ok, "async: {async_cases:?}\nblocking: {blocking_cases:?}");
    assert_eq!(blocking_cases, async_cases, "the same cases pass and the same skip");
    let passed = blocking_cases.iter().filter(|(_, status)| status == "PASS").count();
    assert!(passed * 10 >= blocking_cases.len() * 9, "{blocking_cases:?}");
    let engines = [&async_report["engine"], &blocking_report["engine"]].map(|e| e.as_str().unwrap_or(""));
    assert!(engines[0].starts_with("caspian-ref-driver "), "{engines:?}");
    assert!(engines[1].starts_with("caspian-ref-driver --blocking "), "{engines:?}");
}

/// The catalog through the blocking surface without the 30 s waits: the test of the mutation run
/// over `reference/src/blocking` (CONTRIBUTING.md). The test above runs the whole catalog.
#[test]
#[ignore = "the test of a mutation run; the test above covers it"]
fn the_blocking_surface_passes_the_quick_catalog() {
    let blocking = format!("{} --blocking", driver());
    let (ok, report) = conform("blocking-quick", &["--quick", "--engine-cmd", &blocking]);
    assert!(ok, "{:?}", case_statuses(&report));
}

#[test]
fn a_crashing_port_is_a_crash_and_the_run_goes_on() {
    let (ok, report) = conform("crash", &["--engine-cmd", &faulty("crash"), "tcp.*"]);
    let statuses = statuses(&report);
    assert!(!ok);
    assert!(statuses.iter().any(|s| s == "CRASH"), "{statuses:?}");
    assert!(
        statuses.iter().any(|s| s == "PASS"),
        "cases that stop before the 3rd call still pass: {statuses:?}"
    );
}

#[test]
fn a_hanging_port_is_a_timeout() {
    let (ok, report) =
        conform("hang", &["--engine-cmd", &faulty("hang"), "--request-timeout", "1", "tcp.open.echo"]);
    assert!(!ok);
    assert_eq!(status_of(&report, "tcp.open.echo"), "TIMEOUT", "{report}");
}

#[test]
fn a_port_writing_garbage_is_a_protocol_error_with_its_transcript() {
    let (ok, report) = conform("garbage", &["--engine-cmd", &faulty("garbage"), "tcp.open.echo"]);
    assert!(!ok);
    let case = &report["cases"][0];
    assert_eq!(case["status"], "PROTOCOL_ERROR", "{report}");
    assert!(case["message"].as_str().unwrap_or("").contains("this is not the driver protocol"), "{case}");
    assert!(case["transcript"].as_array().is_some_and(|t| !t.is_empty()), "{case}");
}

#[test]
fn a_wrong_exception_class_is_a_failure_naming_both_classes() {
    let (ok, report) = conform("wrong-class", &["--engine-cmd", &faulty("wrong-class"), "tcp.open.refused"]);
    assert!(!ok);
    let case = &report["cases"][0];
    assert_eq!(case["status"], "FAIL", "{report}");
    let message = case["message"].as_str().unwrap_or("");
    assert!(message.contains("ConnectionRefused") && message.contains("ConnectionError"), "{message}");
}

#[test]
fn a_tcp_only_port_reports_the_rest_as_unimplemented() {
    let (ok, report) =
        conform("tcp-only", &["--engine-cmd", &faulty("tcp-only"), "tcp.open.echo", "udp.*", "tls.*"]);
    let statuses = statuses(&report);
    assert!(ok, "unimplemented is not a failure: {statuses:?}");
    assert_eq!(status_of(&report, "tcp.open.echo"), "PASS");
    let unimplemented = statuses.iter().filter(|s| *s == "UNIMPLEMENTED").count();
    assert_eq!(unimplemented, statuses.len() - 1, "{statuses:?}");
    let cases = report["cases"].as_array().expect("cases");
    let tls = cases.iter().find(|c| c["id"] == "tls.open.refused").expect("tls.open.refused");
    assert_eq!(tls["message"], "the engine does not implement: tls", "the feature by its protocol name");
}

#[test]
fn stray_stderr_is_kept_in_the_case_log() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("out-of-process-transcripts");
    let (ok, _) = conform(
        "chatty",
        &[
            "--engine-cmd",
            &faulty("chatty"),
            "--transcript-dir",
            dir.to_str().expect("utf-8"),
            "tcp.open.echo",
        ],
    );
    assert!(ok);
    let log = std::fs::read_to_string(dir.join("real/tcp.open.echo.log")).expect("the case log");
    assert!(log.contains("stderr: relaying send_all"), "{log}");
    assert!(log.contains("> {\"op\":\"send_all\""), "{log}");
}

#[test]
fn expectation_files_turn_failures_into_expected_ones_and_flag_the_rest() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("out-of-process-expectations");
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let file = dir.join("expectations.toml");
    std::fs::write(
        &file,
        "[[expected_fail]]\ncase = \"tcp.open.refused\"\nreason = \"renames the class\"\n\n\
         [[expected_fail]]\ncase = \"tcp.open.echo\"\nreason = \"claimed broken\"\n\n\
         [[skip]]\ncase = \"no.such.case\"\nreason = \"stale\"\n",
    )
    .expect("write the file");
    let (ok, report) = conform(
        "expectations",
        &[
            "--engine-cmd",
            &faulty("wrong-class"),
            "--expectations",
            file.to_str().expect("utf-8"),
            "tcp.open.*",
        ],
    );
    assert_eq!(status_of(&report, "tcp.open.refused"), "EXPECTED_FAIL", "{report}");
    assert_eq!(status_of(&report, "tcp.open.echo"), "UNEXPECTED_PASS", "{report}");
    assert!(!ok, "an unexpected pass fails the run until the file is updated");
    let stale = report["stale_expectations"].as_array().expect("stale entries");
    assert_eq!(stale.len(), 1, "{stale:?}");
}

#[test]
fn every_kind_of_malformed_reply_is_a_protocol_error_naming_the_field() {
    // (mode, a case whose replies it breaks, what the message must name)
    let kinds = [
        ("null-nil", "tcp.example.echo_client", "field ok: null"),
        ("unpadded", "tcp.recv_line.crlf", "field ok.bytes"),
        ("urlsafe", "tcp.send_all.64k", "field ok.bytes"),
        ("string-id", "tcp.open.echo", "field id"),
        ("extra-field", "tcp.open.echo", "field note"),
        ("float-int", "tcp.open.properties", "field ok.int"),
        ("handle-string", "tcp.open.echo", "field ok.handle"),
        ("no-outcome", "tcp.open.echo", "neither"),
        ("refuse", "tcp.open.echo", "ProtocolError: cannot take it"),
    ];
    for (mode, case, named) in kinds {
        let (ok, report) = conform(&format!("reply-{mode}"), &["--engine-cmd", &faulty(mode), case]);
        assert!(!ok, "{mode}");
        let case = &report["cases"][0];
        assert_eq!(case["status"], "PROTOCOL_ERROR", "{mode}: {case}");
        let message = case["message"].as_str().unwrap_or("");
        assert!(message.contains(named), "{mode}: the message should name {named:?}: {message}");
    }
}

/// Runs `caspian-conform run` expecting it to stop before any case; returns its stderr.
fn refused_handshake(mode: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_caspian-conform"))
        .current_dir(root())
        .args(["run", "--quiet", "--engine-cmd", &faulty(mode), "tcp.open.echo"])
        .output()
        .expect("run caspian-conform");
    assert_eq!(output.status.code(), Some(2), "{mode}: the run must stop at the handshake");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn versions_are_negotiated_both_ways() {
    // The suite is newer: a 1.0 port gets 1.0's set_timeout form and passes.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("out-of-process-protocol-1.0");
    let (ok, report) = conform(
        "protocol-1.0",
        &[
            "--engine-cmd",
            &faulty("protocol-1.0"),
            "--transcript-dir",
            dir.to_str().expect("utf-8"),
            "tcp.prop.*",
        ],
    );
    assert!(ok, "{report}");
    assert_eq!(status_of(&report, "tcp.prop.set_timeout"), "PASS", "{report}");
    // The port is newer: a port of protocol 2 only, or one that claims a minor version the suite
    // never offered, fails the handshake with a message naming both sides.
    let newer = refused_handshake("protocol-2");
    assert!(newer.contains("protocol 2.0") && newer.contains("1.0 to 1.1"), "{newer}");
    let claimed = refused_handshake("minor-9");
    assert!(claimed.contains("minor version 9"), "{claimed}");
}

#[test]
fn a_port_of_one_session_per_process_gets_a_process_per_session() {
    let (ok, report) =
        conform("one-session", &["--engine-cmd", &faulty("one-session"), "perm.grammar_invalid.*"]);
    let statuses = statuses(&report);
    assert!(ok, "{statuses:?}");
    assert!(statuses.iter().all(|s| s == "PASS"), "{statuses:?}");
}

#[test]
fn a_port_of_many_sessions_is_started_once_per_worker() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("out-of-process-slow-start");
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let starts = dir.join("starts.txt");
    let _ = std::fs::remove_file(&starts);
    let port = format!("python3 fixtures/engines/slow_start_port.py -- {}", driver());
    let output = Command::new(env!("CARGO_BIN_EXE_caspian-conform"))
        .current_dir(root())
        .env("CASPIAN_PORT_STARTS", &starts)
        .args(["run", "--quiet", "--quick", "--jobs", "2", "--engine-cmd", &port, "tcp.*", "io.*"])
        .output()
        .expect("run caspian-conform");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    let started = std::fs::read_to_string(&starts).expect("the port's starts").lines().count();
    assert!((1..=2).contains(&started), "{started} processes for two workers");
}

#[test]
fn a_failure_replays_against_the_same_port_with_its_expectations() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("out-of-process-replay");
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let file = dir.join("expectations.toml");
    std::fs::write(&file, "[[skip]]\ncase = \"tcp.open.dns_unregistered\"\nreason = \"no resolver here\"\n")
        .expect("write the file");
    let (ok, report) = conform(
        "replay",
        &[
            "--engine-cmd",
            &faulty("wrong-class"),
            "--expectations",
            file.to_str().expect("utf-8"),
            "tcp.open.refused",
        ],
    );
    assert!(!ok);
    let replay = report["cases"][0]["replay"].as_str().expect("a replay command").to_string();
    assert!(
        replay.contains("--engine-cmd 'python3 fixtures/engines/faulty_engine.py wrong-class"),
        "{replay}"
    );
    assert!(replay.contains("--expectations"), "{replay}");
    let command = replay.replacen("caspian-conform", env!("CARGO_BIN_EXE_caspian-conform"), 1);
    let output =
        Command::new("sh").arg("-c").arg(&command).current_dir(root()).output().expect("run the replay");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("ConnectionError") && stdout.contains("tcp.open.refused"), "{stdout}");
}
