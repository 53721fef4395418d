//! The property of the `tls_loading` target: whatever a `ca_bundle`, `client_cert` or
//! `client_key` file holds, preparing a TLS connection never panics, and a file it cannot use is
//! an ArgumentError naming that option (SSL-OPT-CA-BUNDLE, SSL-OPT-CLIENT-CERT,
//! TLS-CLIENT-PAIR), raised before any I/O.
//!
//! Input: a selector byte, then the file's bytes. The selector picks the option the bytes are
//! written to; the other files are the good fixtures of `fixtures/certs`. The connection is
//! made under `--allow-net` denying everything, so a usable file ends in PermissionDenied
//! before any socket exists (PERM-BEFORE-IO).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use caspian_reference::blocking::Net;
use caspian_reference::permissions::Permissions;
use caspian_reference::{ErrorClass, TimeoutOpt, TlsOptions};

/// The option the fuzzed file is given as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileOption {
    CaBundle,
    ClientCert,
    ClientKey,
}

impl FileOption {
    fn name(self) -> &'static str {
        match self {
            Self::CaBundle => "ca_bundle",
            Self::ClientCert => "client_cert",
            Self::ClientKey => "client_key",
        }
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/certs").join(name)
}

thread_local! {
    static NET: Net = Net::new(Permissions::deny_all());
    static SCRATCH: PathBuf = std::env::temp_dir().join(format!(
        "caspian-tls-loading-{}-{}.pem",
        std::process::id(),
        NEXT_SCRATCH.fetch_add(1, Ordering::Relaxed)
    ));
}

static NEXT_SCRATCH: AtomicUsize = AtomicUsize::new(0);

/// Runs the property on one input; panics on a violation.
pub fn check(data: &[u8]) {
    let Some((selector, contents)) = data.split_first() else { return };
    let option =
        [FileOption::CaBundle, FileOption::ClientCert, FileOption::ClientKey][usize::from(*selector % 3)];
    SCRATCH.with(|scratch| {
        std::fs::write(scratch, contents).expect("the scratch file is writable");
        let pick = |which: FileOption, good: &str| {
            Some(if which == option { scratch.clone() } else { fixture(good) })
        };
        let options = TlsOptions {
            ca_bundle: pick(FileOption::CaBundle, "root-ca.pem"),
            client_cert: pick(FileOption::ClientCert, "client.chain.pem"),
            client_key: pick(FileOption::ClientKey, "client.key.pem"),
            ..TlsOptions::default()
        };
        let outcome = NET.with(|net| net.ssl("127.0.0.1", 443, TimeoutOpt::Inherit, &options));
        let _ = std::fs::remove_file(scratch);
        let Err(error) = outcome else { panic!("a connection under deny-all was made") };
        match error.class {
            ErrorClass::PermissionDenied => {}
            ErrorClass::ArgumentError => {
                let named = error.message.starts_with(&format!("argument {}:", option.name()));
                // A readable certificate and key that are not a pair: either may be at fault.
                let mismatch = option != FileOption::CaBundle && error.message.contains("does not match");
                assert!(named || mismatch, "the error does not name {}: {error}", option.name());
            }
            _ => panic!("{} file: unexpected {error}", option.name()),
        }
    });
}
