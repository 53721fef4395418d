//! The certificate zoo: every certificate, chain and private key the TLS conformance tests
//! need, minted in memory from pinned Ed25519 keys (`keys/*.key.pem`).
//!
//! Guarantees:
//! - Minting is deterministic: pinned keys, fixed serial numbers, fixed dates and Ed25519
//!   (deterministic signatures) give byte-identical DER and PEM on every call and in every
//!   process, for a given rcgen version.
//! - Only [`CertZoo::root_der`] is meant to be trusted. `other_root` is never part of a
//!   trust bundle; CA private keys are never exposed or written out (they are test-only
//!   pinned keys in `keys/`, like the leaf keys).
//! - "Good" certificates are valid from 2025-01-01 to 2036-01-01, "expired" ones from
//!   2020-01-01 to 2021-01-01, "not yet valid" ones from 2040-01-01 to 2050-01-01.
//! - Every entry of [`CertZoo::rejections`] (TLS-REJECT-ZOO) is rejected by rustls' WebPKI
//!   server verifier with default options, trusting only `root`, with the recorded reason;
//!   this module's tests check that at 2026-06-01.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, GeneralSubtree,
    IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SerialNumber, date_time_ymd,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The organisation (O) of every distinguished name in the zoo.
pub const ORGANIZATION: &str = "Caspian Conformance";

/// Loads a pinned Ed25519 key from `keys/<name>.key.pem` (checked to exist at compile time).
macro_rules! pinned_key {
    ($name:literal) => {
        KeyPair::from_pem(include_str!(concat!("keys/", $name, ".key.pem")))
    };
}

/// One minted certificate, in both encodings.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Cert {
    der: CertificateDer<'static>,
    pem: String,
}

impl From<rcgen::Certificate> for Cert {
    fn from(cert: rcgen::Certificate) -> Self {
        Cert { pem: cert.pem(), der: cert.der().clone() }
    }
}

/// A CA while minting: its certificate and the issuer (params + key) that signs with it.
struct Ca {
    cert: Cert,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    fn self_signed(params: CertificateParams, key: KeyPair) -> Result<Ca, rcgen::Error> {
        let cert = params.self_signed(&key)?.into();
        Ok(Ca { cert, issuer: Issuer::new(params, key) })
    }

    fn signed_by(params: CertificateParams, key: KeyPair, by: &Ca) -> Result<Ca, rcgen::Error> {
        let cert = params.signed_by(&key, &by.issuer)?.into();
        Ok(Ca { cert, issuer: Issuer::new(params, key) })
    }
}

#[derive(Clone, Copy)]
enum Validity {
    Current,
    Expired,
    NotYetValid,
}

#[derive(Clone, Copy)]
enum Usage {
    Server,
    Client,
}

/// Base parameters: DN (CN + O), SANs (IP literals become IP SANs), serial and validity.
fn base_params(
    cn: &str,
    sans: &[&str],
    serial: u8,
    validity: Validity,
) -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(sans.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn.push(DnType::OrganizationName, ORGANIZATION);
    params.distinguished_name = dn;
    params.serial_number = Some(SerialNumber::from_slice(&[serial]));
    let (from, to) = match validity {
        Validity::Current => (2025, 2036),
        Validity::Expired => (2020, 2021),
        Validity::NotYetValid => (2040, 2050),
    };
    params.not_before = date_time_ymd(from, 1, 1);
    params.not_after = date_time_ymd(to, 1, 1);
    Ok(params)
}

fn ca_params(cn: &str, serial: u8, constraint: BasicConstraints) -> Result<CertificateParams, rcgen::Error> {
    let mut params = base_params(cn, &[], serial, Validity::Current)?;
    params.is_ca = IsCa::Ca(constraint);
    params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    Ok(params)
}

/// A CA:false end-entity certificate with the given EKU.
fn leaf_params(
    cn: &str,
    sans: &[&str],
    serial: u8,
    validity: Validity,
    usage: Usage,
) -> Result<CertificateParams, rcgen::Error> {
    let mut params = base_params(cn, sans, serial, validity)?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![match usage {
        Usage::Server => ExtendedKeyUsagePurpose::ServerAuth,
        Usage::Client => ExtendedKeyUsagePurpose::ClientAuth,
    }];
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

/// The names of the `good` leaf (and of every rejection leaf that differs from it in one flaw).
const GOOD_NAMES: &[&str] = &["localhost", "server.example.test", "127.0.0.1", "::1"];

/// A certificate chain as a server (or client) sends it, leaf first, plus the leaf's key.
pub struct Leaf {
    /// Stable name; also the file stem used by [`CertZoo::write_pem`].
    pub name: &'static str,
    /// What this leaf is for.
    pub description: &'static str,
    /// The chain as sent on the wire, leaf first. Never empty.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's Ed25519 private key (PKCS#8).
    pub key: PrivatePkcs8KeyDer<'static>,
    chain_pem: String,
    key_pem: String,
}

impl Leaf {
    fn new(name: &'static str, description: &'static str, key: &KeyPair, leaf: Cert, rest: &[&Cert]) -> Leaf {
        let certs: Vec<&Cert> = std::iter::once(&leaf).chain(rest.iter().copied()).collect();
        Leaf {
            name,
            description,
            chain: certs.iter().map(|c| c.der.clone()).collect(),
            chain_pem: certs.iter().map(|c| c.pem.as_str()).collect(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
            key_pem: key.serialize_pem(),
        }
    }

    /// The end-entity certificate (first in the chain).
    pub fn end_entity(&self) -> &CertificateDer<'static> {
        &self.chain[0]
    }

    /// The certificates sent after the end entity (possibly none).
    pub fn intermediates(&self) -> &[CertificateDer<'static>] {
        self.chain.get(1..).unwrap_or(&[])
    }

    /// A fresh copy of the private key, ready for rustls configs.
    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.clone_key())
    }

    /// The chain as concatenated PEM `CERTIFICATE` blocks, leaf first.
    pub fn chain_pem(&self) -> String {
        self.chain_pem.clone()
    }

    /// The private key as a PEM `PRIVATE KEY` (PKCS#8) block.
    pub fn key_pem(&self) -> String {
        self.key_pem.clone()
    }
}

impl Clone for Leaf {
    fn clone(&self) -> Self {
        Leaf {
            name: self.name,
            description: self.description,
            chain: self.chain.clone(),
            key: self.key.clone_key(),
            chain_pem: self.chain_pem.clone(),
            key_pem: self.key_pem.clone(),
        }
    }
}

impl fmt::Debug for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Leaf")
            .field("name", &self.name)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

pub use caspian_conformance::zoo::{REJECTIONS, Rejection};

/// All certificates of the zoo. Build with [`CertZoo::mint`] or share with [`CertZoo::shared`].
#[derive(Clone, Debug)]
pub struct CertZoo {
    root: Cert,
    intermediate: Cert,
    other_root: Cert,
    leaves: Vec<Leaf>,
}

impl CertZoo {
    /// Mints the whole zoo. Deterministic: every call returns byte-identical certificates.
    ///
    /// # Panics
    /// Only if the pinned key material is corrupt (a build invariant covered by the tests);
    /// see [`CertZoo::try_mint`] for the fallible form.
    pub fn mint() -> CertZoo {
        match Self::try_mint() {
            Ok(zoo) => zoo,
            Err(e) => panic!("minting the certificate zoo from pinned keys failed: {e}"),
        }
    }

    /// Like [`CertZoo::mint`], reporting rcgen errors instead of panicking.
    pub fn try_mint() -> Result<CertZoo, rcgen::Error> {
        use BasicConstraints::{Constrained, Unconstrained};
        use Usage::{Client, Server};
        use Validity::{Current, Expired, NotYetValid};

        // Certificate authorities.
        let root =
            Ca::self_signed(ca_params("Caspian Test Root CA", 0x01, Unconstrained)?, pinned_key!("root")?)?;
        let mut intermediate_params = ca_params("Caspian Test Intermediate CA", 0x02, Constrained(0))?;
        intermediate_params.use_authority_key_identifier_extension = true;
        let intermediate = Ca::signed_by(intermediate_params, pinned_key!("intermediate")?, &root)?;
        let other_root = Ca::self_signed(
            ca_params("Caspian Untrusted Root CA", 0x03, Unconstrained)?,
            pinned_key!("other_root")?,
        )?;
        let mut constrained_params =
            ca_params("Caspian Name-Constrained Intermediate CA", 0x04, Constrained(0))?;
        constrained_params.use_authority_key_identifier_extension = true;
        constrained_params.name_constraints = Some(NameConstraints {
            permitted_subtrees: vec![GeneralSubtree::DnsName("allowed.test".to_owned())],
            excluded_subtrees: Vec::new(),
        });
        let constrained = Ca::signed_by(constrained_params, pinned_key!("constrained_intermediate")?, &root)?;
        // Issued by the pathlen-0 intermediate: any leaf below it exceeds the path length.
        let mut sub_params = ca_params("Caspian Sub-Intermediate CA", 0x05, Unconstrained)?;
        sub_params.use_authority_key_identifier_extension = true;
        let sub_intermediate = Ca::signed_by(sub_params, pinned_key!("sub_intermediate")?, &intermediate)?;
        // A CA:false certificate that nevertheless issues a leaf.
        let bogus_params = leaf_params("Bogus Issuer", &[], 0x06, Current, Server)?;
        let bogus = Ca::signed_by(bogus_params, pinned_key!("bogus_issuer")?, &intermediate)?;

        let mut leaves = Vec::new();
        let mut add = |name: &'static str,
                       description: &'static str,
                       key: KeyPair,
                       params: CertificateParams,
                       issuer: Option<&Ca>,
                       rest: &[&Cert]|
         -> Result<(), rcgen::Error> {
            let cert: Cert = match issuer {
                Some(ca) => params.signed_by(&key, &ca.issuer)?.into(),
                None => params.self_signed(&key)?.into(),
            };
            leaves.push(Leaf::new(name, description, &key, cert, rest));
            Ok(())
        };
        let via_intermediate = [&intermediate.cert];

        add(
            "good",
            "server leaf for localhost, server.example.test, 127.0.0.1, ::1",
            pinned_key!("good")?,
            leaf_params("caspian-good", GOOD_NAMES, 0x10, Current, Server)?,
            Some(&intermediate),
            &via_intermediate,
        )?;
        add(
            "wildcard",
            "server leaf for *.example.test only",
            pinned_key!("wildcard")?,
            leaf_params("caspian-wildcard", &["*.example.test"], 0x11, Current, Server)?,
            Some(&intermediate),
            &via_intermediate,
        )?;
        add(
            "client",
            "client-auth leaf (CN caspian-client) for mutual TLS",
            pinned_key!("client")?,
            leaf_params("caspian-client", &[], 0x12, Current, Client)?,
            Some(&intermediate),
            &via_intermediate,
        )?;
        add(
            "expired",
            "good names, valid 2020-01-01..2021-01-01",
            pinned_key!("expired")?,
            leaf_params("caspian-expired", GOOD_NAMES, 0x13, Expired, Server)?,
            Some(&intermediate),
            &via_intermediate,
        )?;
        add(
            "not_yet_valid",
            "good names, valid 2040-01-01..2050-01-01",
            pinned_key!("not_yet_valid")?,
            leaf_params("caspian-not-yet-valid", GOOD_NAMES, 0x14, NotYetValid, Server)?,
            Some(&intermediate),
            &via_intermediate,
        )?;
        add(
            "wrong_host",
            "SAN DNS other.example.org only",
            pinned_key!("wrong_host")?,
            leaf_params("other.example.org", &["other.example.org"], 0x15, Current, Server)?,
            Some(&intermediate),
            &via_intermediate,
        )?;
        add(
            "self_signed",
            "self-signed CA:false leaf for localhost and 127.0.0.1",
            pinned_key!("self_signed")?,
            {
                let mut p =
                    leaf_params("caspian-self-signed", &["localhost", "127.0.0.1"], 0x16, Current, Server)?;
                p.use_authority_key_identifier_extension = false;
                p
            },
            None,
            &[],
        )?;
        add(
            "untrusted_root",
            "good names, issued by the untrusted other root",
            pinned_key!("untrusted_root")?,
            leaf_params("caspian-untrusted-root", GOOD_NAMES, 0x17, Current, Server)?,
            Some(&other_root),
            &[],
        )?;
        add(
            "missing_intermediate",
            "good names, issued by the intermediate, sent without it",
            pinned_key!("missing_intermediate")?,
            leaf_params("caspian-missing-intermediate", GOOD_NAMES, 0x18, Current, Server)?,
            Some(&intermediate),
            &[],
        )?;
        add(
            "dns_only_by_ip",
            "SAN DNS localhost only",
            pinned_key!("dns_only_by_ip")?,
            leaf_params("caspian-dns-only", &["localhost"], 0x19, Current, Server)?,
            Some(&intermediate),
            &via_intermediate,
        )?;
        add(
            "cn_without_san",
            "CN=localhost and no subjectAltName extension",
            pinned_key!("cn_without_san")?,
            leaf_params("localhost", &[], 0x1a, Current, Server)?,
            Some(&intermediate),
            &via_intermediate,
        )?;
        add(
            "ca_as_end_entity",
            "CA:true certificate for the good names, issued by the root, sent alone",
            pinned_key!("ca_as_end_entity")?,
            {
                let mut p = leaf_params("caspian-ca-as-end-entity", GOOD_NAMES, 0x1b, Current, Server)?;
                p.is_ca = IsCa::Ca(Unconstrained);
                p.key_usages.push(KeyUsagePurpose::KeyCertSign);
                p
            },
            Some(&root),
            &[],
        )?;
        add(
            "end_entity_as_ca",
            "good names, issued by the CA:false Bogus Issuer",
            pinned_key!("end_entity_as_ca")?,
            leaf_params("caspian-end-entity-as-ca", GOOD_NAMES, 0x1c, Current, Server)?,
            Some(&bogus),
            &[&bogus.cert, &intermediate.cert],
        )?;
        add(
            "path_length_exceeded",
            "good names, under a sub-intermediate of the pathlen-0 intermediate",
            pinned_key!("path_length_exceeded")?,
            leaf_params("caspian-path-length", GOOD_NAMES, 0x1d, Current, Server)?,
            Some(&sub_intermediate),
            &[&sub_intermediate.cert, &intermediate.cert],
        )?;
        add(
            "name_constraint_violation",
            "localhost and 127.0.0.1, under an intermediate permitted only allowed.test",
            pinned_key!("name_constraint_violation")?,
            leaf_params("caspian-name-constraint", &["localhost", "127.0.0.1"], 0x1e, Current, Server)?,
            Some(&constrained),
            &[&constrained.cert],
        )?;
        add(
            "client_only_eku",
            "good names with EKU clientAuth only",
            pinned_key!("client_only_eku")?,
            leaf_params("caspian-client-only-eku", GOOD_NAMES, 0x1f, Current, Client)?,
            Some(&intermediate),
            &via_intermediate,
        )?;

        Ok(CertZoo { root: root.cert, intermediate: intermediate.cert, other_root: other_root.cert, leaves })
    }

    /// The zoo minted once per process.
    pub fn shared() -> &'static CertZoo {
        static ZOO: OnceLock<CertZoo> = OnceLock::new();
        ZOO.get_or_init(CertZoo::mint)
    }

    /// The trusted root CA ("Caspian Test Root CA") as PEM.
    pub fn root_pem(&self) -> String {
        self.root.pem.clone()
    }

    /// The trusted root CA as DER; the only certificate a trust bundle should hold.
    pub fn root_der(&self) -> CertificateDer<'static> {
        self.root.der.clone()
    }

    /// The intermediate CA (issued by root, pathlen 0) as PEM.
    pub fn intermediate_pem(&self) -> String {
        self.intermediate.pem.clone()
    }

    /// The intermediate CA as DER.
    pub fn intermediate_der(&self) -> CertificateDer<'static> {
        self.intermediate.der.clone()
    }

    /// The untrusted root CA as PEM; never put it in a trust bundle.
    pub fn other_root_pem(&self) -> String {
        self.other_root.pem.clone()
    }

    /// The untrusted root CA as DER.
    pub fn other_root_der(&self) -> CertificateDer<'static> {
        self.other_root.der.clone()
    }

    /// The leaf with the given name, if any.
    pub fn leaf(&self, name: &str) -> Option<&Leaf> {
        self.leaves.iter().find(|leaf| leaf.name == name)
    }

    /// All leaves, in a fixed order.
    pub fn leaves(&self) -> impl Iterator<Item = &Leaf> {
        self.leaves.iter()
    }

    /// The TLS-REJECT-ZOO table; every `leaf` named there exists in every zoo.
    pub fn rejections() -> &'static [Rejection] {
        REJECTIONS
    }

    /// The TLS-REJECT-ZOO entry with the given name, if any.
    pub fn rejection(name: &str) -> Option<&'static Rejection> {
        REJECTIONS.iter().find(|r| r.name == name)
    }

    /// The shared zoo written once per process into a fresh temporary folder, for engines that
    /// take certificate paths (ca_bundle, client_cert, client_key, SSL_CERT_FILE).
    pub fn shared_dir() -> io::Result<&'static Path> {
        static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        let dir = DIR.get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("caspian-zoo-{}", std::process::id()));
            Self::shared().write_pem(&dir).map(|_| dir).map_err(|e| e.to_string())
        });
        dir.as_deref().map_err(|e| io::Error::other(e.clone()))
    }

    /// Writes `root-ca.pem`, `other-root-ca.pem`, `intermediate.pem`, `<leaf>.chain.pem` and
    /// `<leaf>.key.pem` for every leaf, and `index.txt`, into `dir` (created if missing,
    /// existing files overwritten). Returns the paths written. CA keys are never written.
    pub fn write_pem(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        fs::create_dir_all(dir)?;
        let mut written = Vec::new();
        let mut index = String::from(
            "# Caspian certificate zoo (deterministic; trust only root-ca.pem)\n\
             # file\tdescription\n",
        );
        let mut put = |file: String, contents: &str, description: &str| -> io::Result<()> {
            let path = dir.join(&file);
            fs::write(&path, contents)?;
            index.push_str(&format!("{file}\t{description}\n"));
            written.push(path);
            Ok(())
        };
        put("root-ca.pem".into(), &self.root.pem, "trusted root CA: Caspian Test Root CA")?;
        put(
            "other-root-ca.pem".into(),
            &self.other_root.pem,
            "untrusted root CA: Caspian Untrusted Root CA (never trust)",
        )?;
        put("intermediate.pem".into(), &self.intermediate.pem, "intermediate CA issued by root, pathlen 0")?;
        for leaf in &self.leaves {
            put(
                format!("{}.chain.pem", leaf.name),
                &leaf.chain_pem,
                &format!("chain ({} certs, leaf first): {}", leaf.chain.len(), leaf.description),
            )?;
            put(
                format!("{}.key.pem", leaf.name),
                &leaf.key_pem,
                &format!("Ed25519 PKCS#8 key of {}", leaf.name),
            )?;
        }
        index.push_str("# rejection\tname\tchain\tconnect_name\treason\n");
        for r in REJECTIONS {
            index.push_str(&format!(
                "rejection\t{}\t{}.chain.pem\t{}\t{}\n",
                r.name, r.leaf, r.connect_name, r.reason
            ));
        }
        let index_path = dir.join("index.txt");
        fs::write(&index_path, index)?;
        written.push(index_path);
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::time::Duration;

    use rustls::client::WebPkiServerVerifier;
    use rustls::client::danger::ServerCertVerifier;
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{ServerName, UnixTime};
    use rustls::server::WebPkiClientVerifier;
    use rustls::{CertificateError, RootCertStore};

    /// 2026-06-01T00:00:00Z.
    const NOW: u64 = 1_780_272_000;
    const REASONS: &[&str] = &[
        "expired",
        "not_yet_valid",
        "name_mismatch",
        "unknown_issuer",
        "bad_usage",
        "path_length",
        "name_constraint",
    ];

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

    /// rustls error -> TLS-REJECT-ZOO reason (mirrors the mapping the reference crate owns).
    fn reason_of(err: &rustls::Error) -> String {
        let rustls::Error::InvalidCertificate(cert_err) = err else {
            return format!("not a certificate error: {err:?}");
        };
        match cert_err {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => "expired".into(),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "not_yet_valid".into()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "name_mismatch".into()
            }
            CertificateError::UnknownIssuer => "unknown_issuer".into(),
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                "bad_usage".into()
            }
            other => {
                let text = format!("{other:?}");
                if text.contains("CaUsedAsEndEntity") || text.contains("EndEntityUsedAsCa") {
                    "bad_usage".into()
                } else if text.contains("PathLen") {
                    "path_length".into()
                } else if text.contains("NameConstraint") {
                    "name_constraint".into()
                } else {
                    format!("unmapped: {text}")
                }
            }
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
            assert!(REASONS.contains(&r.reason), "{}: bad reason {}", r.name, r.reason);
            assert!(ServerName::try_from(r.connect_name).is_ok(), "{}", r.name);
            assert_eq!(CertZoo::rejection(r.name), Some(r));
        }
        assert_eq!(names.len(), 15);
        let leaf_names: BTreeSet<&str> = zoo.leaves().map(|l| l.name).collect();
        assert_eq!(leaf_names.len(), zoo.leaves().count(), "leaf names are unique");
    }

    #[test]
    fn certs_every_rejection_is_rejected_with_recorded_reason() {
        let zoo = CertZoo::shared();
        let mut wrong = Vec::new();
        for r in CertZoo::rejections() {
            match verify(zoo, r.leaf, r.connect_name) {
                Ok(()) => wrong.push(format!("{}: accepted", r.name)),
                Err(err) => {
                    let seen = reason_of(&err);
                    if seen != r.reason {
                        wrong.push(format!("{}: want {}, got {seen} ({err:?})", r.name, r.reason));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn certs_good_and_wildcard_verify() {
        let zoo = CertZoo::shared();
        for name in ["localhost", "127.0.0.1", "::1", "server.example.test"] {
            verify(zoo, "good", name).unwrap_or_else(|e| panic!("good for {name}: {e:?}"));
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
        assert_eq!(reason_of(&err), "bad_usage");
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
            let key =
                PrivateKeyDer::from_pem_file(dir.join(format!("{}.key.pem", leaf.name))).expect("key PEM");
            assert_eq!(key.secret_der(), leaf.private_key().secret_der(), "{}", leaf.name);
        }
        let index = fs::read_to_string(dir.join("index.txt")).expect("index");
        for r in CertZoo::rejections() {
            assert!(index.contains(&format!("rejection\t{}\t", r.name)), "{}", r.name);
        }

        fs::remove_dir_all(dir.parent().expect("parent")).expect("cleanup");
    }
}
