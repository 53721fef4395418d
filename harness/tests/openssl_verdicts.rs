//! OpenSSL's verdicts on the zoo, read through the stack map of CONFORMANCE.md ("TLS across
//! stacks"), fall in every TLS-REJECT-ZOO entry's accepted reasons: a port on OpenSSL (LuaSec,
//! Python `ssl`, Node `tls`) can meet TLS-REJECT-ZOO without re-implementing verification.
//! The two chains OpenSSL accepts by design are refused by the remedy the standard names.
//!
//! Needs the `openssl` command (and `python3` for the CN remedy). Without them these tests
//! print why and pass, unless `CASPIAN_REQUIRE_OPENSSL` is set, in which case they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use caspian_conformance::stack_verdicts::openssl_reason;
use caspian_harness::certs::CertZoo;

/// 2026-06-01T00:00:00Z, inside every good certificate's validity.
const NOW: &str = "1780272000";

/// True when `program` runs here; panics when it cannot but must (CASPIAN_REQUIRE_OPENSSL).
fn available(program: &str, version_arg: &str) -> bool {
    let ready = Command::new(program).arg(version_arg).output().is_ok_and(|out| out.status.success());
    if !ready {
        assert!(
            std::env::var_os("CASPIAN_REQUIRE_OPENSSL").is_none(),
            "CASPIAN_REQUIRE_OPENSSL is set but {program} cannot run"
        );
        eprintln!("skipped: {program} is not installed, so OpenSSL's verdicts on the zoo are not checked");
    }
    ready
}

/// The zoo written once per process into this test's scratch folder.
fn zoo_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("openssl-verdicts");
        CertZoo::shared().write_pem(&dir).expect("write the zoo");
        dir
    })
}

fn run(command: &mut Command) -> Output {
    command.output().unwrap_or_else(|e| panic!("run {command:?}: {e}"))
}

/// `openssl verify` of `leaf`'s chain as a TLS server's for `name`, trusting only the zoo's
/// root: `None` when it verifies, else the first `(error code, depth)` it reports, the one a
/// TLS handshake stops at. The whole chain is also the untrusted pool (the leaf in it is harmless).
fn verify(dir: &Path, leaf: &str, name: &str) -> Option<(u32, u32)> {
    let chain = dir.join(format!("{leaf}.chain.pem"));
    let check = if name.parse::<std::net::IpAddr>().is_ok() { "-verify_ip" } else { "-verify_hostname" };
    let out = run(Command::new("openssl")
        .args(["verify", "-attime", NOW, "-purpose", "sslserver", check, name, "-CAfile"])
        .arg(dir.join("root-ca.pem"))
        .arg("-untrusted")
        .arg(&chain)
        .arg(&chain));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let first_error = text.lines().find_map(|line| {
        let rest = line.split("error ").nth(1)?;
        let mut words = rest.split_whitespace();
        let code = words.next()?.parse().ok()?;
        let depth = words.nth(1)?.parse().ok()?;
        Some((code, depth))
    });
    assert_eq!(out.status.success(), first_error.is_none(), "{leaf} for {name}: {text}");
    first_error
}

#[test]
fn openssl_verdicts_fall_in_the_accepted_reasons() {
    if !available("openssl", "version") {
        return;
    }
    let dir = zoo_dir();
    let mut wrong = Vec::new();
    let mut table = Vec::new();
    for entry in CertZoo::rejections() {
        let verdict = verify(dir, entry.leaf, entry.connect_name);
        table.push(format!("{:28} {verdict:?}", entry.name));
        match (entry.name, verdict) {
            // Accepted by design; the remedies are checked below.
            ("ca_as_end_entity" | "cn_without_san", None) => {}
            (_, None) => wrong.push(format!("{}: OpenSSL accepts it", entry.name)),
            (_, Some((code, depth))) => {
                let reason = openssl_reason(code);
                if !entry.reasons.contains(&reason) {
                    wrong.push(format!(
                        "{}: OpenSSL's error {code} at depth {depth} reads as {reason}, not one of {:?}",
                        entry.name, entry.reasons
                    ));
                }
            }
        }
    }
    eprintln!("OpenSSL's verdicts (code, depth):\n{}", table.join("\n"));
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn openssl_accepts_the_good_leaves() {
    if !available("openssl", "version") {
        return;
    }
    let dir = zoo_dir();
    for leaf in ["good", "good_rsa", "good_ed25519"] {
        for name in ["localhost", "server.example.test", "127.0.0.1", "::1"] {
            assert_eq!(verify(dir, leaf, name), None, "{leaf} for {name}");
        }
    }
    assert_eq!(verify(dir, "wildcard", "a.example.test"), None, "the wildcard for one label");
    // The check is not a no-op: the good leaf does not cover another name.
    assert_eq!(verify(dir, "good", "other.example.org"), Some((62, 0)));
}

/// The standard's remedy for a CA:true leaf, which OpenSSL accepts: the engine reads the leaf's
/// basicConstraints and refuses CA:TRUE with bad_usage.
#[test]
fn a_ca_leaf_is_told_by_its_basic_constraints() {
    if !available("openssl", "version") {
        return;
    }
    let dir = zoo_dir();
    let basic_constraints = |leaf: &str| {
        let out = run(Command::new("openssl")
            .args(["x509", "-noout", "-ext", "basicConstraints", "-in"])
            .arg(dir.join(format!("{leaf}.chain.pem"))));
        assert!(out.status.success(), "{leaf}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(basic_constraints("ca_as_end_entity").contains("CA:TRUE"));
    assert!(basic_constraints("good").contains("CA:FALSE"));
}

/// OpenSSL fails a certificate that is not DER while decoding it, before any verification: the
/// reason `tls.bad_encoding.refused` accepts any TlsError.
#[test]
fn openssl_cannot_decode_the_bad_encoding_leaf() {
    if !available("openssl", "version") {
        return;
    }
    let decode = |leaf: &str| {
        // The end-entity certificate alone: OpenSSL would read the next block of the chain.
        let der = &CertZoo::shared().leaf(leaf).expect("the leaf").chain[0];
        let file = zoo_dir().join(format!("{leaf}.end-entity.der"));
        std::fs::write(&file, der).expect("write the end entity");
        run(Command::new("openssl").args(["x509", "-noout", "-inform", "DER", "-in"]).arg(file))
            .status
            .success()
    };
    assert!(!decode("bad_encoding"));
    assert!(decode("good"));
}

/// Python's `ssl` (OpenSSL) connecting to `leaf`'s server as `name`, trusting only the zoo's
/// root, with `hostname_checks_common_name` as given: `OK`, or the OpenSSL verify code.
const PYTHON_HANDSHAKE: &str = r#"
import ssl, sys
root, chain, key, name, checks_cn = sys.argv[1:6]
server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server.load_cert_chain(chain, key)
client = ssl.create_default_context(cafile=root)
client.hostname_checks_common_name = checks_cn == "1"
to_server, to_client, from_server, from_client = (ssl.MemoryBIO() for _ in range(4))
c = client.wrap_bio(to_client, from_client, server_hostname=name)
s = server.wrap_bio(to_server, from_server, server_side=True)
for _ in range(10):
    try:
        c.do_handshake()
        print("OK")
        sys.exit(0)
    except ssl.SSLWantReadError:
        pass
    except ssl.SSLCertVerificationError as e:
        print(e.verify_code)
        sys.exit(0)
    to_server.write(from_client.read())
    try:
        s.do_handshake()
    except ssl.SSLWantReadError:
        pass
    to_client.write(from_server.read())
sys.exit("no verdict after 10 rounds")
"#;

/// The standard's remedy for a CN without SAN, which OpenSSL accepts by default: never check the
/// subject (`X509_CHECK_FLAG_NEVER_CHECK_SUBJECT`; Python's `hostname_checks_common_name =
/// False`) turns it into a hostname mismatch, name_mismatch.
#[test]
fn a_cn_without_san_fails_when_the_subject_is_never_checked() {
    if !available("openssl", "version") || !available("python3", "--version") {
        return;
    }
    let dir = zoo_dir();
    let handshake = |leaf: &str, checks_cn: &str| {
        let out = run(Command::new("python3")
            .args(["-c", PYTHON_HANDSHAKE])
            .arg(dir.join("root-ca.pem"))
            .arg(dir.join(format!("{leaf}.chain.pem")))
            .arg(dir.join(format!("{leaf}.key.pem")))
            .args(["localhost", checks_cn]));
        assert!(out.status.success(), "{leaf}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let code = handshake("cn_without_san", "0");
    let reason = code.parse().map(openssl_reason);
    assert_eq!(reason, Ok("name_mismatch"), "verify code {code}");
    assert_eq!(handshake("cn_without_san", "1"), "OK", "OpenSSL's default falls back to the CN");
    assert_eq!(handshake("good", "0"), "OK", "a SAN still matches");
}
