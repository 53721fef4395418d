//! The certificate zoo the mock network serves and trusts, as PEM files built into the crate
//! (`certs/`, a copy of the suite's zoo: minted deterministically by `caspian-conform certs`,
//! checked equal to the minted zoo by the suite's tests). Clients of [`crate::MockNet::client`]
//! trust [`ROOT_CA_PEM`] alone; `good` serves `localhost`, `server.example.test`, `127.0.0.1`
//! and `::1`, `wildcard` serves `*.example.test`. These are test keys: never use them for
//! anything else.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The trusted root CA ("Caspian Test Root CA").
pub const ROOT_CA_PEM: &str = include_str!("../certs/root-ca.pem");

/// The intermediate CA under the root (pathlen 0) that issues the good leaves.
pub const INTERMEDIATE_PEM: &str = include_str!("../certs/intermediate.pem");

/// A root CA nothing trusts ("Caspian Untrusted Root CA").
pub const OTHER_ROOT_CA_PEM: &str = include_str!("../certs/other-root-ca.pem");

/// Each leaf's name, chain (leaf first, as its server sends it) and PKCS#8 key, as PEM.
macro_rules! leaves {
    ($($name:literal),* $(,)?) => {
        &[$((
            $name,
            include_str!(concat!("../certs/", $name, ".chain.pem")),
            include_str!(concat!("../certs/", $name, ".key.pem")),
        )),*]
    };
}

/// Every leaf of the zoo: the good ones, and one per certificate a client must refuse.
pub const LEAVES: &[(&str, &str, &str)] = leaves![
    "algorithm_key_mismatch",
    "bad_encoding",
    "bad_signature",
    "ca_as_end_entity",
    "client",
    "client_only_eku",
    "cn_without_san",
    "dns_only_by_ip",
    "end_entity_as_ca",
    "escaped_subject",
    "expired",
    "good",
    "good_ed25519",
    "good_rsa",
    "ip_in_dns_san",
    "missing_intermediate",
    "name_constraint_violation",
    "not_yet_valid",
    "path_length_exceeded",
    "self_signed",
    "unsupported_algorithm",
    "untrusted_root",
    "wildcard",
    "wrong_host",
];

/// Every PEM file of the zoo by its file name (`root-ca.pem`, `good.chain.pem`,
/// `good.key.pem`, ...), as `caspian-conform certs` writes them.
pub fn pem_files() -> Vec<(String, &'static str)> {
    let mut files = vec![
        ("root-ca.pem".to_string(), ROOT_CA_PEM),
        ("other-root-ca.pem".to_string(), OTHER_ROOT_CA_PEM),
        ("intermediate.pem".to_string(), INTERMEDIATE_PEM),
    ];
    for (name, chain, key) in LEAVES {
        files.push((format!("{name}.chain.pem"), chain));
        files.push((format!("{name}.key.pem"), key));
    }
    files
}

/// The certificates of a PEM text, in order.
fn certificates(pem: &str) -> io::Result<Vec<CertificateDer<'static>>> {
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

/// The trusted root CA as DER.
pub fn root_der() -> io::Result<CertificateDer<'static>> {
    first(ROOT_CA_PEM, "root-ca.pem")
}

/// The intermediate CA as DER.
pub fn intermediate_der() -> io::Result<CertificateDer<'static>> {
    first(INTERMEDIATE_PEM, "intermediate.pem")
}

fn first(pem: &str, file: &str) -> io::Result<CertificateDer<'static>> {
    let missing = || io::Error::new(io::ErrorKind::InvalidData, format!("no certificate in {file}"));
    certificates(pem)?.into_iter().next().ok_or_else(missing)
}

/// The chain (leaf first) and private key of the leaf `name`; an error names an unknown leaf.
pub fn leaf(name: &str) -> io::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let Some((_, chain, key)) = LEAVES.iter().find(|(leaf, _, _)| *leaf == name) else {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no zoo leaf {name:?}")));
    };
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{name}.key.pem: {e}")))?;
    Ok((certificates(chain)?, key))
}

/// [`ROOT_CA_PEM`] written once per process to a file of the temporary folder, for a `%net`
/// whose trust comes from a path (`SSL_CERT_FILE`). The file is removed when the process exits
/// normally.
pub fn root_ca_file() -> io::Result<&'static Path> {
    static FILE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    extern "C" fn remove_root_ca_file() {
        if let Some(Ok(file)) = FILE.get() {
            let _ = std::fs::remove_file(file);
        }
    }
    let file = FILE.get_or_init(|| {
        let file = std::env::temp_dir().join(format!("caspian-mocknet-root-ca-{}.pem", std::process::id()));
        // SAFETY: `remove_root_ca_file` takes no arguments and touches only the static, through
        // `OnceLock::get`; atexit runs it once, after `main`.
        unsafe { libc::atexit(remove_root_ca_file) };
        std::fs::write(&file, ROOT_CA_PEM).map(|()| file).map_err(|e| e.to_string())
    });
    file.as_deref().map_err(|e| io::Error::other(format!("cannot write the zoo's root CA: {e}")))
}
