//! A real engine under test: the Caspian port on Go's standard library (`ports/go`), built with
//! `go build` and checked by the suite out of process, and its naive switches (Go's own
//! semantics passed straight through) each caught as failures of the clauses they break.
//!
//! The port needs Go 1.19 or newer and nothing else (no module is downloaded). Without `go` these
//! tests print why and pass, unless `CASPIAN_REQUIRE_GO` is set, as CI sets it, in which case a
//! missing Go is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

mod port_run;
use port_run::{Port, root, status};

/// The port's binary, built once for every test of this file; `None` when Go is missing (and
/// may be: panics when CASPIAN_REQUIRE_GO is set).
fn go_port() -> Option<&'static Path> {
    static BINARY: OnceLock<Option<PathBuf>> = OnceLock::new();
    let binary = BINARY.get_or_init(|| {
        let present = Command::new("go").arg("version").output().is_ok_and(|output| output.status.success());
        if !present {
            return None;
        }
        let binary = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("caspian-go-port");
        let output = Command::new("go")
            .current_dir(root().join("ports/go"))
            .args(["build", "-o"])
            .arg(&binary)
            .arg(".")
            .output()
            .expect("run go build");
        assert!(output.status.success(), "go build failed: {}", String::from_utf8_lossy(&output.stderr));
        Some(binary)
    });
    if binary.is_none() {
        assert!(
            std::env::var_os("CASPIAN_REQUIRE_GO").is_none(),
            "CASPIAN_REQUIRE_GO is set but go is not installed"
        );
        eprintln!("skipped: install Go 1.19 or newer to check the Go port");
    }
    binary.as_deref()
}

/// The port behind its built binary.
fn port(binary: &Path) -> Port<'_> {
    Port {
        label: "go-port",
        engine_cmd: binary.to_str().expect("a UTF-8 path"),
        switch_variable: "CASPIAN_GO_NAIVE",
    }
}

/// The quick catalog (the long lane's 30 s waits left out, as `.ci/run`'s full run covers them).
#[test]
fn the_port_passes_the_catalog_with_its_expectations() {
    let Some(binary) = go_port() else {
        return;
    };
    let (ok, statuses) =
        port(binary).run("full", "", &["--quick", "--expectations", "ports/go/expectations.toml"], &[]);
    let unexpected: Vec<_> = statuses
        .iter()
        .filter(|(_, s)| !matches!(s.as_str(), "PASS" | "SKIP" | "EXPECTED_FAIL" | "UNIMPLEMENTED"))
        .collect();
    assert!(ok && unexpected.is_empty(), "unexpected results: {unexpected:?}");
    assert!(statuses.iter().any(|(_, s)| s == "PASS"), "no case passed: {statuses:?}");
}

/// Each naive switch fails the cases of the clause it breaks, and only those: the cases listed
/// as still passing belong to other clauses.
#[test]
fn each_naive_switch_is_caught_by_the_clauses_it_breaks() {
    let Some(binary) = go_port() else {
        return;
    };
    let table: [(&str, &[&str], &[&str]); 5] = [
        // recv_line as bufio.Scanner's lines: the newline and a '\r' before it stripped, a
        // partial line dropped on timeout (TCP-RECV-LINE).
        (
            "newline",
            &["tcp.recv_line.crlf", "tcp.recv_line.dribble", "io.nothing_lost.recv_line_timeout"],
            &["perm.default_deny.tcp", "tls.reject.expired"],
        ),
        // No host-name check, as tls.Config{InsecureSkipVerify} with a chain check of one's own
        // (TLS-REJECT-ZOO, TLS-SNI-NAME).
        (
            "hostcheck",
            &["tls.reject.wrong_host", "tls.reject.wildcard_apex"],
            &["tls.reject.expired", "tcp.recv_line.crlf"],
        ),
        // InsecureSkipVerify: no verification at all (SSL-OPT-VERIFY, SSL-DEFAULT-SAFE).
        ("verify", &["tls.default.unknown_root_rejected", "tls.reject.expired"], &["tcp.recv_line.crlf"]),
        // Permissions ignored (PERM-DEFAULT-DENY, TCP-OPEN-DENIED, PERM-BEFORE-IO).
        ("permissions", &["perm.default_deny.tcp", "tcp.open.denied_before_dns"], &["tcp.recv_line.crlf"]),
        // tls.Config.ServerName taken from the connect host, the sni option ignored (SSL-OPT-SNI).
        (
            "sni",
            &["tls.sni.mismatch", "tls.peer_cert.wildcard"],
            &["tls.reject.wrong_host", "tcp.recv_line.crlf"],
        ),
    ];
    for (switch, broken, intact) in table {
        let cases: Vec<&str> = broken.iter().chain(intact.iter()).copied().collect();
        let (ok, statuses) = port(binary).run(switch, switch, &[], &cases);
        assert!(!ok, "{switch}: the run must fail: {statuses:?}");
        for id in broken {
            assert_eq!(status(&statuses, id), "FAIL", "{switch}: {id} must catch it");
        }
        for id in intact {
            assert_eq!(status(&statuses, id), "PASS", "{switch}: {id} checks another clause");
        }
    }
}
