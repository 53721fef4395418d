//! Why a certificate was rejected: the reason a CertificateError carries (TLS-REJECT-ZOO), and
//! the sentence its message gives, both read from one rustls verdict.

use std::fmt;

use rustls::CertificateError;
use rustls::pki_types::UnixTime;
use x509_parser::time::ASN1Time;

use super::tls_failure::identifier_words;
use crate::peer_cert::rfc3339;

/// The reasons of CONFORMANCE.md "Exception classes", in its order. [`CertificateReason::id`] is
/// the string reports and the driver protocol carry; it never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CertificateReason {
    Expired,
    NotYetValid,
    /// Self-signed, untrusted root, missing intermediate.
    UnknownIssuer,
    /// Wrong host, DNS-only SAN reached by IP, CN without SAN, wildcard too deep or at the apex.
    NameMismatch,
    /// Wrong EKU, CA used as end entity, end entity used as CA.
    BadUsage,
    PathLength,
    NameConstraint,
    Revoked,
    BadEncoding,
    BadSignature,
    /// Every other failure.
    Other,
}

impl CertificateReason {
    /// Every reason, in the order of CONFORMANCE.md.
    pub const ALL: [CertificateReason; 11] = [
        Self::Expired,
        Self::NotYetValid,
        Self::UnknownIssuer,
        Self::NameMismatch,
        Self::BadUsage,
        Self::PathLength,
        Self::NameConstraint,
        Self::Revoked,
        Self::BadEncoding,
        Self::BadSignature,
        Self::Other,
    ];

    /// The stable ID: `expired`, `not_yet_valid`, `unknown_issuer`, …
    pub fn id(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::UnknownIssuer => "unknown_issuer",
            Self::NameMismatch => "name_mismatch",
            Self::BadUsage => "bad_usage",
            Self::PathLength => "path_length",
            Self::NameConstraint => "name_constraint",
            Self::Revoked => "revoked",
            Self::BadEncoding => "bad_encoding",
            Self::BadSignature => "bad_signature",
            Self::Other => "other",
        }
    }

    /// The reason with this ID, if any.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.id() == id)
    }

    /// TLS-REJECT-ZOO: the reason rustls's verdict on a certificate maps to.
    pub fn of(error: &CertificateError) -> Self {
        Rejection::of(error).reason
    }
}

impl fmt::Display for CertificateReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A rustls verdict on a certificate, as a script reads it: its reason and a sentence (no
/// library debug text) saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub reason: CertificateReason,
    pub words: String,
}

impl Rejection {
    fn new(reason: CertificateReason, words: impl Into<String>) -> Self {
        Self { reason, words: words.into() }
    }

    /// TLS-REJECT-ZOO: the one mapping from rustls's certificate errors to reasons and words.
    #[allow(deprecated)] // rustls still reports UnsupportedSignatureAlgorithm for old webpki verdicts
    pub fn of(error: &CertificateError) -> Self {
        use CertificateError as E;
        use CertificateReason as R;
        match error {
            E::Expired => Self::new(R::Expired, "the certificate has expired"),
            E::ExpiredContext { not_after, .. } => {
                Self::new(R::Expired, format!("the certificate expired at {}", time_text(*not_after)))
            }
            E::NotValidYet => Self::new(R::NotYetValid, "the certificate is not valid yet"),
            E::NotValidYetContext { not_before, .. } => Self::new(
                R::NotYetValid,
                format!("the certificate is not valid before {}", time_text(*not_before)),
            ),
            E::UnknownIssuer => Self::new(
                R::UnknownIssuer,
                "the certificate was not issued by a trusted CA (it is self-signed, its root is not \
                 trusted, or an intermediate certificate is missing)",
            ),
            E::NotValidForName => {
                Self::new(R::NameMismatch, "the certificate is not valid for the name connected to")
            }
            E::NotValidForNameContext { expected, presented } => Self::new(
                R::NameMismatch,
                format!(
                    "the certificate is not valid for {}: {}",
                    expected.to_str(),
                    presented_names(presented)
                ),
            ),
            E::InvalidPurpose => {
                Self::new(R::BadUsage, "the certificate's extended key usage does not allow this use")
            }
            E::InvalidPurposeContext { required, presented } => Self::new(
                R::BadUsage,
                format!(
                    "the certificate is not for {}: it is for {}",
                    purpose_words(required),
                    list_or(presented.iter().map(purpose_words), "no purpose")
                ),
            ),
            E::Revoked => Self::new(R::Revoked, "the certificate has been revoked"),
            E::BadEncoding => Self::new(R::BadEncoding, "the certificate is not well-formed DER"),
            E::BadSignature => Self::new(R::BadSignature, "a signature in the certificate chain is invalid"),
            E::UnsupportedSignatureAlgorithm | E::UnsupportedSignatureAlgorithmContext { .. } => Self::new(
                R::BadSignature,
                "the certificate chain is signed with an algorithm this client does not accept",
            ),
            E::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => Self::new(
                R::BadSignature,
                "a signature in the certificate chain uses an algorithm that does not fit the signer's key",
            ),
            E::UnhandledCriticalExtension => Self::new(
                R::Other,
                "the certificate has a critical extension this client does not understand",
            ),
            E::UnknownRevocationStatus => {
                Self::new(R::Other, "the certificate's revocation status is unknown")
            }
            E::ExpiredRevocationList | E::ExpiredRevocationListContext { .. } => {
                Self::new(R::Other, "the certificate revocation list has expired")
            }
            E::InvalidOcspResponse => Self::new(R::Other, "the server's OCSP response is invalid"),
            E::ApplicationVerificationFailure => {
                Self::new(R::Other, "the certificate is valid but the application refused it")
            }
            E::Other(other) => webpki_verdict(&other.to_string()),
            _ => Self::new(R::Other, "the certificate was rejected for a reason this client cannot name"),
        }
    }
}

/// The verdicts of webpki (rustls's verifier) that rustls passes on as
/// `CertificateError::Other`, by the name webpki's `Display` gives them. rustls does not expose
/// webpki's error type, so this table is the one place that reads the name.
const WEBPKI_VERDICTS: &[(&str, CertificateReason, &str)] = &[
    (
        "CaUsedAsEndEntity",
        CertificateReason::BadUsage,
        "a CA certificate was presented as the server's certificate",
    ),
    (
        "EndEntityUsedAsCa",
        CertificateReason::BadUsage,
        "a certificate of the chain was issued by a certificate that is not a CA",
    ),
    (
        "PathLenConstraintViolated",
        CertificateReason::PathLength,
        "the chain is longer than an issuing CA's path length constraint allows",
    ),
    (
        "NameConstraintViolation",
        CertificateReason::NameConstraint,
        "the certificate names a host outside the names its issuing CA may certify",
    ),
    (
        "MalformedNameConstraint",
        CertificateReason::NameConstraint,
        "an issuing CA's name constraints are malformed",
    ),
    (
        "MaximumNameConstraintComparisonsExceeded",
        CertificateReason::NameConstraint,
        "checking the chain's name constraints took too many comparisons",
    ),
    (
        "UnsupportedCriticalExtension",
        CertificateReason::Other,
        "the certificate has a critical extension this client does not understand",
    ),
    ("MaximumPathDepthExceeded", CertificateReason::Other, "the chain is longer than this client accepts"),
];

/// A webpki verdict by its name (the text before any parenthesis); an unknown one is `other`,
/// its name spelled out in words.
fn webpki_verdict(text: &str) -> Rejection {
    let name = text.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or_default();
    match WEBPKI_VERDICTS.iter().find(|(known, _, _)| *known == name) {
        Some(&(_, reason, words)) => Rejection::new(reason, words),
        None if name.is_empty() => Rejection::new(CertificateReason::Other, "the verifier gave no reason"),
        None => Rejection::new(
            CertificateReason::Other,
            format!("the verifier rejected it: {}", identifier_words(name, ' ')),
        ),
    }
}

/// An instant of a certificate's validity, as `peer_cert` reports it (RFC 3339, UTC).
fn time_text(time: UnixTime) -> String {
    let secs = time.as_secs();
    i64::try_from(secs)
        .ok()
        .and_then(|secs| ASN1Time::from_timestamp(secs).ok())
        .map_or_else(|| format!("{secs} seconds after 1970"), rfc3339)
}

/// The names a certificate presents, from webpki's rendering of each subjectAltName entry
/// (`DnsName("a.test")`, `IpAddress(127.0.0.1)`); entries that are not host names are left out.
fn presented_names(presented: &[String]) -> String {
    let hosts: Vec<&str> = presented
        .iter()
        .filter_map(|entry| {
            let inner = entry.strip_prefix("DnsName(").or_else(|| entry.strip_prefix("IpAddress("))?;
            Some(inner.strip_suffix(')')?.trim_matches('"'))
        })
        .collect();
    if hosts.is_empty() {
        "it names no host (no DNS or IP subject alternative name)".to_string()
    } else {
        format!("it names only {}", hosts.join(", "))
    }
}

fn purpose_words(purpose: &rustls::ExtendedKeyPurpose) -> String {
    match purpose {
        rustls::ExtendedKeyPurpose::ServerAuth => "server authentication".to_string(),
        rustls::ExtendedKeyPurpose::ClientAuth => "client authentication".to_string(),
        rustls::ExtendedKeyPurpose::Other(arcs) => {
            let oid: Vec<String> = arcs.iter().map(usize::to_string).collect();
            format!("the purpose {}", oid.join("."))
        }
    }
}

/// `a, b and c`, or `none` when there is nothing.
fn list_or(items: impl Iterator<Item = String>, none: &str) -> String {
    let items: Vec<String> = items.collect();
    match items.split_last() {
        None => none.to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_distinct() {
        for reason in CertificateReason::ALL {
            assert_eq!(CertificateReason::from_id(reason.id()), Some(reason));
            assert_eq!(reason.to_string(), reason.id());
        }
        let ids: std::collections::BTreeSet<&str> = CertificateReason::ALL.map(CertificateReason::id).into();
        assert_eq!(ids.len(), CertificateReason::ALL.len());
        assert_eq!(CertificateReason::from_id("unmapped"), None);
    }

    /// TLS-REJECT-ZOO: the zoo's webpki verdicts keep their reasons.
    #[test]
    fn webpki_verdicts_map_by_name_only() {
        assert_eq!(webpki_verdict("CaUsedAsEndEntity").reason, CertificateReason::BadUsage);
        assert_eq!(webpki_verdict("PathLenConstraintViolated").reason, CertificateReason::PathLength);
        assert_eq!(webpki_verdict("NameConstraintViolation").reason, CertificateReason::NameConstraint);
        // A longer name that merely contains a known one is not that verdict.
        assert_eq!(webpki_verdict("NotCaUsedAsEndEntity").reason, CertificateReason::Other);
        let unknown = webpki_verdict("UnsupportedNameType");
        assert_eq!(
            unknown,
            Rejection::new(CertificateReason::Other, "the verifier rejected it: unsupported name type")
        );
    }

    #[test]
    fn presented_names_are_read_from_webpki_entries() {
        let presented =
            ["DnsName(\"other.example.org\")", "IpAddress(127.0.0.1)", "DirectoryName"].map(String::from);
        assert_eq!(presented_names(&presented), "it names only other.example.org, 127.0.0.1");
        assert_eq!(presented_names(&[]), "it names no host (no DNS or IP subject alternative name)");
    }

    #[test]
    fn validity_instants_read_as_rfc3339() {
        let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_609_459_200));
        assert_eq!(time_text(time), "2021-01-01T00:00:00Z");
        let far = UnixTime::since_unix_epoch(std::time::Duration::from_secs(u64::MAX));
        assert_eq!(time_text(far), format!("{} seconds after 1970", u64::MAX));
    }
}
