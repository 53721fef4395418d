//! A real engine under test: the Caspian port on LuaSocket and LuaSec (`ports/luasocket`),
//! checked by the suite out of process, and its naive switches (LuaSocket's and LuaSec's
//! semantics passed straight through) each caught as failures of the clauses they break.
//!
//! The port needs `lua5.4 lua-socket lua-sec lua-cjson` (Debian packages; `.ci/run` installs
//! them). Without them these tests print why and pass, unless `CASPIAN_REQUIRE_LUA` is set, as
//! CI sets it, in which case a missing Lua is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// True when the port can run here; panics when it cannot but must (CASPIAN_REQUIRE_LUA).
fn lua_ready() -> bool {
    let ready = Command::new("lua5.4")
        .args(["-e", "require 'socket'; require 'ssl'; require 'cjson'"])
        .status()
        .is_ok_and(|status| status.success());
    if !ready {
        assert!(
            std::env::var_os("CASPIAN_REQUIRE_LUA").is_none(),
            "CASPIAN_REQUIRE_LUA is set but lua5.4 with lua-socket, lua-sec and lua-cjson is not installed"
        );
        eprintln!("skipped: install lua5.4 lua-socket lua-sec lua-cjson to check the Lua port");
    }
    ready
}

/// Runs the catalog (or `cases`) against the port with the naive `switch` (empty: none);
/// returns the exit success and each case's status.
fn run_port(name: &str, switch: &str, extra: &[&str], cases: &[&str]) -> (bool, Vec<(String, String)>) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("lua-port-{name}"));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let json = dir.join("report.json");
    let output = Command::new(env!("CARGO_BIN_EXE_caspian-conform"))
        .current_dir(root())
        .env("CASPIAN_LUA_NAIVE", switch)
        .args(["run", "--quiet", "--engine-cmd", "lua5.4 ports/luasocket/driver.lua", "--json"])
        .arg(&json)
        .args(extra)
        .args(cases)
        .output()
        .expect("run caspian-conform");
    let report: Value = std::fs::read_to_string(&json)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| panic!("no report; stderr: {}", String::from_utf8_lossy(&output.stderr)));
    let statuses = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| (c["id"].as_str().unwrap_or("").to_string(), c["status"].as_str().unwrap_or("").to_string()))
        .collect();
    (output.status.success(), statuses)
}

fn status<'a>(statuses: &'a [(String, String)], id: &str) -> &'a str {
    statuses.iter().find(|(case, _)| case == id).map_or("absent", |(_, status)| status.as_str())
}

#[test]
fn the_port_passes_the_catalog_with_its_expectations() {
    if !lua_ready() {
        return;
    }
    let (ok, statuses) = run_port("full", "", &["--expectations", "ports/luasocket/expectations.toml"], &[]);
    let unexpected: Vec<_> = statuses
        .iter()
        .filter(|(_, s)| !matches!(s.as_str(), "PASS" | "SKIP" | "EXPECTED_FAIL" | "UNIMPLEMENTED"))
        .collect();
    assert!(ok && unexpected.is_empty(), "unexpected results: {unexpected:?}");
}

/// Each naive switch fails the cases of the clause it breaks, and only those: the cases listed
/// as still passing belong to other clauses.
#[test]
fn each_naive_switch_is_caught_by_the_clauses_it_breaks() {
    if !lua_ready() {
        return;
    }
    let table: [(&str, &[&str], &[&str]); 4] = [
        // recv_line through receive('*l'): the newline and '\r' are stripped (TCP-RECV-LINE).
        (
            "newline",
            &["tcp.recv_line.crlf", "tcp.recv_line.dribble"],
            &["perm.default_deny.tcp", "tls.reject.expired"],
        ),
        // No host-name check, as LuaSec 1.2 (TLS-REJECT-ZOO, TLS-SNI-NAME).
        (
            "hostcheck",
            &["tls.reject.wrong_host", "tls.reject.wildcard_apex"],
            &["tls.reject.expired", "tcp.recv_line.crlf"],
        ),
        // verify off unless asked, as LuaSec (SSL-OPT-VERIFY, SSL-DEFAULT-SAFE).
        ("verify", &["tls.default.unknown_root_rejected", "tls.reject.expired"], &["tcp.recv_line.crlf"]),
        // Permissions ignored (PERM-DEFAULT-DENY, TCP-OPEN-DENIED, PERM-BEFORE-IO).
        ("permissions", &["perm.default_deny.tcp", "tcp.open.denied_before_dns"], &["tcp.recv_line.crlf"]),
    ];
    for (switch, broken, intact) in table {
        let cases: Vec<&str> = broken.iter().chain(intact.iter()).copied().collect();
        let (ok, statuses) = run_port(switch, switch, &[], &cases);
        assert!(!ok, "{switch}: the run must fail: {statuses:?}");
        for id in broken {
            assert_eq!(status(&statuses, id), "FAIL", "{switch}: {id} must catch it");
        }
        for id in intact {
            assert_eq!(status(&statuses, id), "PASS", "{switch}: {id} checks another clause");
        }
    }
}
