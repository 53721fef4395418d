use super::*;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use caspian_reference::error::CertificateReason;
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;

/// 2026-06-01T00:00:00Z.
const NOW: u64 = 1_780_272_000;

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(trusted: &[CertificateDer<'static>]) -> Arc<RootCertStore> {
    let mut store = RootCertStore::empty();
    for cert in trusted {
        store.add(cert.clone()).expect("trust anchor parses");
    }
    Arc::new(store)
}

fn server_verifier(trusted: &[CertificateDer<'static>]) -> Arc<WebPkiServerVerifier> {
    WebPkiServerVerifier::builder_with_provider(roots(trusted), provider())
        .build()
        .expect("server verifier builds")
}

fn verify_chain(
    trusted: &[CertificateDer<'static>],
    chain: &[CertificateDer<'static>],
    name: &str,
    now: u64,
) -> Result<(), rustls::Error> {
    let server_name = ServerName::try_from(name).expect("valid server name");
    server_verifier(trusted)
        .verify_server_cert(&chain[0], &chain[1..], &server_name, &[], at(now))
        .map(|_| ())
}

fn verify(zoo: &CertZoo, leaf: &str, name: &str) -> Result<(), rustls::Error> {
    let leaf = zoo.leaf(leaf).expect("leaf exists");
    verify_chain(&[zoo.root_der()], &leaf.chain, name, NOW)
}

/// The reason the reference gives a certificate verdict (TLS-REJECT-ZOO), or what else `err` is.
fn reason_of_error(err: &rustls::Error) -> Result<CertificateReason, String> {
    match err {
        rustls::Error::InvalidCertificate(verdict) => Ok(CertificateReason::of(verdict)),
        other => Err(format!("not a certificate error: {other}")),
    }
}

fn assert_same(a: &CertZoo, b: &CertZoo) {
    assert_eq!(a.root, b.root);
    assert_eq!(a.intermediate, b.intermediate);
    assert_eq!(a.other_root, b.other_root);
    assert_eq!(a.leaves.len(), b.leaves.len());
    for (x, y) in a.leaves.iter().zip(&b.leaves) {
        assert_eq!(x.name, y.name);
        assert_eq!(x.chain, y.chain, "chain of {}", x.name);
        assert_eq!(x.chain_pem, y.chain_pem, "chain PEM of {}", x.name);
        assert_eq!(x.key.secret_pkcs8_der(), y.key.secret_pkcs8_der());
        assert_eq!(x.key_pem, y.key_pem);
    }
}

#[test]
fn certs_minting_is_byte_identical() {
    let a = CertZoo::mint();
    assert_same(&a, &CertZoo::mint());
    assert_same(&a, CertZoo::shared());
    // Distinct entities really are distinct certificates.
    let ders: BTreeSet<&[u8]> = a
        .leaves()
        .map(|l| l.end_entity().as_ref())
        .chain([a.root.der.as_ref(), a.intermediate.der.as_ref(), a.other_root.der.as_ref()])
        .collect();
    assert_eq!(ders.len(), a.leaves.len() + 3);
}

#[test]
fn certs_rejection_table_is_consistent() {
    let zoo = CertZoo::shared();
    let mut names = BTreeSet::new();
    for r in CertZoo::rejections() {
        assert!(names.insert(r.name), "duplicate rejection {}", r.name);
        assert!(zoo.leaf(r.leaf).is_some(), "{}: no leaf {}", r.name, r.leaf);
        assert!(!r.reasons.is_empty(), "{}: no accepted reason", r.name);
        for reason in r.reasons {
            assert!(CertificateReason::from_id(reason).is_some(), "{}: bad reason {reason}", r.name);
        }
        assert!(ServerName::try_from(r.connect_name).is_ok(), "{}", r.name);
        assert_eq!(CertZoo::rejection(r.name), Some(r));
    }
    assert_eq!(names.len(), 19);
    assert!(zoo.leaf("bad_encoding").is_some(), "the leaf of tls.bad_encoding.refused");
    let leaf_names: BTreeSet<&str> = zoo.leaves().map(|l| l.name).collect();
    assert_eq!(leaf_names.len(), zoo.leaves().count(), "leaf names are unique");
}

#[test]
fn certs_every_rejection_is_rejected_with_an_accepted_reason() {
    let zoo = CertZoo::shared();
    let mut wrong = Vec::new();
    for r in CertZoo::rejections() {
        match verify(zoo, r.leaf, r.connect_name) {
            Ok(()) => wrong.push(format!("{}: accepted", r.name)),
            Err(err) => {
                let seen = reason_of_error(&err).map(CertificateReason::id);
                if !seen.as_ref().is_ok_and(|reason| r.reasons.contains(reason)) {
                    wrong.push(format!("{}: want one of {:?}, got {seen:?} ({err:?})", r.name, r.reasons));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn certs_good_and_wildcard_verify() {
    let zoo = CertZoo::shared();
    for (leaf, algorithm) in [("good", "ECDSA P-256"), ("good_rsa", "RSA-2048"), ("good_ed25519", "Ed25519")]
    {
        assert_eq!(zoo.leaf(leaf).map(Leaf::key_algorithm), Some(algorithm));
        for name in ["localhost", "127.0.0.1", "::1", "server.example.test"] {
            verify(zoo, leaf, name).unwrap_or_else(|e| panic!("{leaf} for {name}: {e:?}"));
        }
    }
    verify(zoo, "wildcard", "a.example.test").expect("wildcard covers one label");
    // The verifier is not a no-op: the good leaf does not cover other names.
    assert!(verify(zoo, "good", "other.example.org").is_err());
}

/// Each rejection leaf is sound apart from its one flaw: fixing that flaw makes it verify.
#[test]
fn certs_rejection_leaves_fail_only_for_their_flaw() {
    let zoo = CertZoo::shared();
    let chain = |name: &str| zoo.leaf(name).expect("leaf").chain.clone();
    let check = |trusted: CertificateDer<'static>, chain: &[CertificateDer<'static>], host| {
        verify_chain(&[trusted], chain, host, NOW).map_err(|e| format!("{host}: {e:?}"))
    };
    let root = || zoo.root_der();
    // Validity failures name the leaf's own dates (the CAs are valid 2025..2036).
    let err = check(root(), &chain("expired"), "localhost").expect_err("expired");
    assert!(err.contains("ExpiredContext") && err.contains("UnixTime(1609459200)"), "{err}");
    let err = check(root(), &chain("not_yet_valid"), "localhost").expect_err("nyv");
    assert!(err.contains("NotValidYetContext") && err.contains("UnixTime(2208988800)"), "{err}");
    check(root(), &chain("wrong_host"), "other.example.org").expect("wrong_host");
    check(root(), &chain("dns_only_by_ip"), "localhost").expect("dns_only_by_ip");
    let self_signed = chain("self_signed");
    check(self_signed[0].clone(), &self_signed, "127.0.0.1").expect("self_signed in bundle");
    check(zoo.other_root_der(), &chain("untrusted_root"), "localhost")
        .expect("untrusted_root when other_root is trusted");
    let mut completed = chain("missing_intermediate");
    completed.push(zoo.intermediate_der());
    check(root(), &completed, "localhost").expect("missing_intermediate completed");
}

#[test]
fn certs_client_cert_verifies_with_client_verifier() {
    let zoo = CertZoo::shared();
    let verifier = WebPkiClientVerifier::builder_with_provider(roots(&[zoo.root_der()]), provider())
        .build()
        .expect("client verifier builds");
    let verify_client = |name: &str| {
        let leaf = zoo.leaf(name).expect("leaf");
        verifier.verify_client_cert(leaf.end_entity(), leaf.intermediates(), at(NOW))
    };
    verify_client("client").expect("client cert accepted");
    verify_client("client_only_eku").expect("clientAuth-only leaf is a valid client cert");
    // serverAuth-only leaves are not client certificates.
    let err = verify_client("good").expect_err("server leaf rejected as client cert");
    assert_eq!(reason_of_error(&err), Ok(CertificateReason::BadUsage));
}

#[test]
fn certs_write_pem_round_trips() {
    let zoo = CertZoo::shared();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    let dir =
        std::env::temp_dir().join(format!("caspian-certs-{}-{nanos}", std::process::id())).join("nested");
    let written = zoo.write_pem(&dir).expect("write_pem");

    let mut expected: BTreeSet<String> =
        ["root-ca.pem", "other-root-ca.pem", "intermediate.pem", "index.txt"].map(String::from).into();
    for leaf in zoo.leaves() {
        expected.insert(format!("{}.chain.pem", leaf.name));
        expected.insert(format!("{}.key.pem", leaf.name));
    }
    let got: BTreeSet<String> = written
        .iter()
        .map(|p| {
            assert_eq!(p.parent(), Some(dir.as_path()));
            p.file_name().expect("file name").to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(written.len(), expected.len());
    let on_disk = fs::read_dir(&dir).expect("read_dir").count();
    assert_eq!(on_disk, expected.len(), "no stray files (e.g. CA keys)");

    let read_certs = |file: &str| -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_file_iter(dir.join(file))
            .expect("open")
            .collect::<Result<_, _>>()
            .expect("parse PEM")
    };
    assert_eq!(read_certs("root-ca.pem"), vec![zoo.root_der()]);
    assert_eq!(read_certs("other-root-ca.pem"), vec![zoo.other_root_der()]);
    assert_eq!(read_certs("intermediate.pem"), vec![zoo.intermediate_der()]);
    for leaf in zoo.leaves() {
        assert_eq!(read_certs(&format!("{}.chain.pem", leaf.name)), leaf.chain);
        let key = PrivateKeyDer::from_pem_file(dir.join(format!("{}.key.pem", leaf.name))).expect("key PEM");
        assert_eq!(key.secret_der(), leaf.private_key().secret_der(), "{}", leaf.name);
    }
    let index = fs::read_to_string(dir.join("index.txt")).expect("index");
    for r in CertZoo::rejections() {
        assert!(index.contains(&format!("rejection\t{}\t", r.name)), "{}", r.name);
    }

    fs::remove_dir_all(dir.parent().expect("parent")).expect("cleanup");
}
