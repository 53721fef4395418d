//! The certificate zoo: every certificate, chain and private key the TLS conformance tests
//! need, minted in memory from pinned keys (`keys/*.key.pem`): ECDSA P-256 for every CA and
//! every leaf but `good_rsa` (RSA-2048) and `good_ed25519` (Ed25519).
//!
//! Guarantees:
//! - Minting is deterministic: pinned keys, fixed serial numbers, fixed dates and deterministic
//!   signatures (RFC 6979 ECDSA, Ed25519) give byte-identical DER and PEM on every call and in
//!   every process, for a given rcgen version.
//! - Only [`CertZoo::root_der`] is meant to be trusted. `other_root` is never part of a
//!   trust bundle; CA private keys are never exposed or written out (they are test-only
//!   pinned keys in `keys/`, like the leaf keys).
//! - "Good" certificates are valid from 2025-01-01 to 2036-01-01, "expired" ones from
//!   2020-01-01 to 2021-01-01, "not yet valid" ones from 2040-01-01 to 2050-01-01.
//! - Every entry of [`CertZoo::rejections`] (TLS-REJECT-ZOO) is rejected by rustls' WebPKI
//!   server verifier with default options, trusting only `root`, with one of the entry's
//!   accepted reasons; this module's tests check that at 2026-06-01.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rcgen::string::Ia5String;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, GeneralSubtree,
    IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, PublicKeyData, SanType, SerialNumber,
    SigningKey, date_time_ymd,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The organisation (O) of every distinguished name in the zoo.
pub const ORGANIZATION: &str = "Caspian Conformance";

/// Loads a pinned key from `keys/<name>.key.pem` (checked to exist at compile time).
macro_rules! pinned_key {
    ($name:literal) => {
        PinnedKey::from_pem(include_str!(concat!("keys/", $name, ".key.pem")))
    };
}

/// A pinned PKCS#8 key that signs deterministically: P-256 with RFC 6979 ECDSA (ring's ECDSA
/// draws a random nonce), RSA (PKCS#1 v1.5) and Ed25519 through ring, which are deterministic.
struct PinnedKey {
    pair: KeyPair,
    ecdsa: Option<p256::ecdsa::SigningKey>,
}

impl PinnedKey {
    fn from_pem(pem: &str) -> Result<PinnedKey, rcgen::Error> {
        use p256::pkcs8::DecodePrivateKey as _;
        let pair = KeyPair::from_pem(pem)?;
        let ecdsa = if pair.algorithm() == &rcgen::PKCS_ECDSA_P256_SHA256 {
            let key = p256::ecdsa::SigningKey::from_pkcs8_pem(pem)
                .map_err(|_| rcgen::Error::CouldNotParseKeyPair)?;
            Some(key)
        } else {
            None
        };
        Ok(PinnedKey { pair, ecdsa })
    }

    /// The key's algorithm in words.
    fn algorithm_name(&self) -> &'static str {
        match self.pair.algorithm() {
            alg if alg == &rcgen::PKCS_ECDSA_P256_SHA256 => "ECDSA P-256",
            alg if alg == &rcgen::PKCS_ED25519 => "Ed25519",
            _ => "RSA-2048",
        }
    }
}

impl PublicKeyData for PinnedKey {
    fn der_bytes(&self) -> &[u8] {
        self.pair.der_bytes()
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.pair.algorithm()
    }
}

impl SigningKey for PinnedKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        use p256::ecdsa::signature::Signer as _;
        match &self.ecdsa {
            Some(key) => {
                let signature: p256::ecdsa::Signature = key.sign(msg);
                Ok(signature.to_der().as_bytes().to_vec())
            }
            None => self.pair.sign(msg),
        }
    }
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
    issuer: Issuer<'static, PinnedKey>,
}

impl Ca {
    fn self_signed(params: CertificateParams, key: PinnedKey) -> Result<Ca, rcgen::Error> {
        let cert = params.self_signed(&key)?.into();
        Ok(Ca { cert, issuer: Issuer::new(params, key) })
    }

    fn signed_by(params: CertificateParams, key: PinnedKey, by: &Ca) -> Result<Ca, rcgen::Error> {
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

/// The CN of the `escaped_subject` leaf: a leading `#`, every character RFC 4514 section 2.4
/// escapes anywhere, and a trailing space.
const ESCAPED_CN: &str = "#1 Caspian, \"Escaped\" + <Test>; a\\b ";

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
    /// The leaf's private key (PKCS#8): P-256, RSA-2048 (`good_rsa`) or Ed25519 (`good_ed25519`).
    pub key: PrivatePkcs8KeyDer<'static>,
    chain_pem: String,
    key_pem: String,
    key_algorithm: &'static str,
}

impl Leaf {
    fn new(
        name: &'static str,
        description: &'static str,
        key: &PinnedKey,
        leaf: Cert,
        rest: &[&Cert],
    ) -> Leaf {
        let certs: Vec<&Cert> = std::iter::once(&leaf).chain(rest.iter().copied()).collect();
        Leaf {
            name,
            description,
            chain: certs.iter().map(|c| c.der.clone()).collect(),
            chain_pem: certs.iter().map(|c| c.pem.as_str()).collect(),
            key: PrivatePkcs8KeyDer::from(key.pair.serialize_der()),
            key_pem: key.pair.serialize_pem(),
            key_algorithm: key.algorithm_name(),
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

    /// The algorithm of the leaf's key: `ECDSA P-256`, `RSA-2048` or `Ed25519`.
    pub fn key_algorithm(&self) -> &'static str {
        self.key_algorithm
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
            key_algorithm: self.key_algorithm,
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
                       key: PinnedKey,
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
            "good_rsa",
            "the good names under an RSA-2048 key",
            pinned_key!("good_rsa")?,
            leaf_params("caspian-good-rsa", GOOD_NAMES, 0x21, Current, Server)?,
            Some(&intermediate),
            &via_intermediate,
        )?;
        add(
            "good_ed25519",
            "the good names under an Ed25519 key",
            pinned_key!("good_ed25519")?,
            leaf_params("caspian-good-ed25519", GOOD_NAMES, 0x22, Current, Server)?,
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
            "escaped_subject",
            "the good names, under a CN holding every character RFC 4514 escapes",
            pinned_key!("good")?,
            leaf_params(ESCAPED_CN, GOOD_NAMES, 0x20, Current, Server)?,
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
            "ip_in_dns_san",
            "SAN DNS 127.0.0.1 only: the address's text as a DNS name, no IP SAN",
            pinned_key!("ip_in_dns_san")?,
            {
                let mut p = leaf_params("caspian-ip-in-dns-san", &[], 0x21, Current, Server)?;
                p.subject_alt_names = vec![SanType::DnsName(Ia5String::try_from("127.0.0.1")?)];
                p
            },
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

        let good = leaves.iter().find(|leaf| leaf.name == "good").cloned();
        leaves.extend(good.iter().flat_map(spoiled::leaves));

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
    /// take certificate paths (ca_bundle, client_cert, client_key, SSL_CERT_FILE). The folder is
    /// removed when the process exits normally (returning from `main` or `std::process::exit`).
    pub fn shared_dir() -> io::Result<&'static Path> {
        static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        extern "C" fn remove_shared_dir() {
            if let Some(Ok(dir)) = DIR.get() {
                let _ = fs::remove_dir_all(dir);
            }
        }
        let dir = DIR.get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("caspian-zoo-{}", std::process::id()));
            // SAFETY: `remove_shared_dir` takes no arguments and touches only the static, through
            // `OnceLock::get`; atexit runs it once, after `main`.
            unsafe { libc::atexit(remove_shared_dir) };
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
                &format!("{} PKCS#8 key of {}", leaf.key_algorithm(), leaf.name),
            )?;
        }
        index.push_str("# rejection\tname\tchain\tconnect_name\taccepted reasons\n");
        for r in REJECTIONS {
            index.push_str(&format!(
                "rejection\t{}\t{}.chain.pem\t{}\t{}\n",
                r.name,
                r.leaf,
                r.connect_name,
                r.reasons.join(",")
            ));
        }
        let index_path = dir.join("index.txt");
        fs::write(&index_path, index)?;
        written.push(index_path);
        Ok(written)
    }
}

mod spoiled;

#[cfg(test)]
mod tests;
