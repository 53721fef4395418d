//! A real engine under test: the Caspian port on LuaSocket and LuaSec (`ports/luasocket`),
//! checked by the suite out of process, and its naive switches (LuaSocket's and LuaSec's
//! semantics passed straight through) each caught as failures of the clauses they break.
//!
//! The port needs `lua5.4 lua-socket lua-sec lua-cjson` (Debian packages; `.ci/run` installs
//! them). Without them these tests print why and pass, unless `CASPIAN_REQUIRE_LUA` is set, as
//! CI sets it, in which case a missing Lua is a failure.

use std::process::Command;

mod port_run;
use port_run::{Port, status};

/// The port, driven through its `driver.lua`.
const LUA: Port = Port {
    label: "lua-port",
    engine_cmd: "lua5.4 ports/luasocket/driver.lua",
    switch_variable: "CASPIAN_LUA_NAIVE",
};

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

#[test]
fn the_port_passes_the_catalog_with_its_expectations() {
    if !lua_ready() {
        return;
    }
    let (ok, statuses) = LUA.run("full", "", &["--expectations", "ports/luasocket/expectations.toml"], &[]);
    let unexpected: Vec<_> = statuses
        .iter()
        .filter(|(_, s)| !matches!(s.as_str(), "PASS" | "SKIP" | "EXPECTED_FAIL" | "UNIMPLEMENTED"))
        .collect();
    assert!(ok && unexpected.is_empty(), "unexpected results: {unexpected:?}");
}

/// One naive switch: the cases of the clause it breaks (each must end in one of `caught_as`),
/// cases of other clauses that must still pass, and the run's extra arguments.
struct Switch {
    name: &'static str,
    broken: &'static [&'static str],
    intact: &'static [&'static str],
    caught_as: &'static [&'static str],
    extra: &'static [&'static str],
}

const FAILS: &[&str] = &["FAIL"];

const fn switch(
    name: &'static str,
    broken: &'static [&'static str],
    intact: &'static [&'static str],
) -> Switch {
    Switch { name, broken, intact, caught_as: FAILS, extra: &[] }
}

const SWITCHES: &[Switch] = &[
    // recv_line through receive('*l'): the newline and '\r' are stripped (TCP-RECV-LINE).
    switch(
        "newline",
        &["tcp.recv_line.crlf", "tcp.recv_line.dribble"],
        &["perm.default_deny.tcp", "tls.reject.expired"],
    ),
    // No host-name check, as LuaSec 1.2 (TLS-REJECT-ZOO, TLS-SNI-NAME).
    switch(
        "hostcheck",
        &["tls.reject.wrong_host", "tls.reject.wildcard_apex"],
        &["tls.reject.expired", "tcp.recv_line.crlf"],
    ),
    // verify off unless asked, as LuaSec (SSL-OPT-VERIFY, SSL-DEFAULT-SAFE).
    switch("verify", &["tls.default.unknown_root_rejected", "tls.reject.expired"], &["tcp.recv_line.crlf"]),
    // Permissions ignored (PERM-DEFAULT-DENY, TCP-OPEN-DENIED, PERM-BEFORE-IO).
    switch("permissions", &["perm.default_deny.tcp", "tcp.open.denied_before_dns"], &["tcp.recv_line.crlf"]),
    // shutdown(:send) on ssl is LuaSec's close: nothing can be read after (DEC-SSL-HALF-CLOSE).
    switch(
        "tlsshutdown",
        &["tls.shutdown.send_peer_replies_after_end", "tls.shutdown.send"],
        &["tls.close.sends_close_notify"],
    ),
    // SNI is the connect host, even an IP literal; the sni option is not sent (SSL-OPT-SNI).
    switch("sniip", &["tls.sni.sent"], &["tls.sni.names_without_case"]),
    // Certificate names compared case-sensitively (RFC 6125 6.4.1, TLS-SNI-NAME).
    switch("hostcase", &["tls.sni.names_without_case"], &["tls.sni.sent"]),
    // send_all's deadline restarts with each chunk taken (DEC-TIMEOUT-WHOLE-CALL).
    switch(
        "deadline",
        &["fault.backpressure.send_all_deadline_on_a_slow_reader"],
        &["fault.backpressure.send_is_bounded"],
    ),
    // send queues in user space without bound and counts it sent (DEC-SEND-COUNT).
    switch(
        "sendqueue",
        &["fault.backpressure.send_is_bounded"],
        &["fault.backpressure.send_all_deadline_on_a_slow_reader"],
    ),
    // close on ssl waits for the peer's close_notify with no bound (DEC-CLOSE-NOTIFY): the
    // request deadline, kept short, may end the case first.
    Switch {
        name: "closewait",
        broken: &["tls.close.wait_is_bounded"],
        intact: &["tls.close.sends_close_notify"],
        caught_as: &["FAIL", "TIMEOUT"],
        extra: &["--request-timeout", "5"],
    },
    // shutdown(:both) keeps the bytes already received (IO-SHUTDOWN-READ).
    switch("bothkeeps", &["tcp.shutdown.both"], &["tcp.shutdown.recv"]),
    // An IP target also matched against DNS SANs as text (RFC 9525 6.2, TLS-REJECT-ZOO).
    switch("ipdnssan", &["tls.reject.ip_in_dns_san"], &["tls.reject.dns_only_by_ip"]),
    // accept without a timeout gives up at the socket default, 30 s (IO-ACCEPT-TIMEOUT): caught
    // by a dialer that comes later than that.
    switch("accept30", &["listener.accept.waits_forever"], &["listener.accept.timeout"]),
];

/// Each naive switch fails the cases of the behaviour it breaks, and only those: the cases
/// listed as still passing check other behaviour, often next to it (the switch is local).
#[test]
fn each_naive_switch_is_caught_by_the_clauses_it_breaks() {
    if !lua_ready() {
        return;
    }
    for Switch { name, broken, intact, caught_as, extra } in SWITCHES {
        let cases: Vec<&str> = broken.iter().chain(intact.iter()).copied().collect();
        let (ok, statuses) = LUA.run(name, name, extra, &cases);
        assert!(!ok, "{name}: the run must fail: {statuses:?}");
        for id in *broken {
            let got = status(&statuses, id);
            assert!(caught_as.contains(&got), "{name}: {id} must catch it ({caught_as:?}), got {got}");
        }
        for id in *intact {
            assert_eq!(status(&statuses, id), "PASS", "{name}: {id} checks another clause");
        }
    }
}
