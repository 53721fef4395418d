//! The `peer_cert` hash of an ssl socket, in the formats of TLS-PEER-CERT-FORMAT.

use std::net::IpAddr;

use x509_parser::nom;
use x509_parser::oid_registry::{
    OID_DOMAIN_COMPONENT, OID_X509_COMMON_NAME, OID_X509_COUNTRY_NAME, OID_X509_LOCALITY_NAME,
    OID_X509_ORGANIZATION_NAME, OID_X509_ORGANIZATIONAL_UNIT, OID_X509_STATE_OR_PROVINCE_NAME,
};
use x509_parser::prelude::{ASN1Time, FromDer, GeneralName, X509Certificate, X509Name};

/// A peer certificate: subject and issuer as RFC 4514 strings, the SHA-256 fingerprint of the
/// DER in lowercase hex, validity as RFC 3339 UTC, and the subject alternative names (DNS names
/// as written, IPs in canonical text form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerCert {
    pub subject: String,
    pub issuer: String,
    pub fingerprint: String,
    pub validfrom: String,
    pub validuntil: String,
    pub sans: Vec<String>,
}

impl PeerCert {
    /// Reads the fields of a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| match e {
            nom::Err::Error(why) | nom::Err::Failure(why) => format!("unparsable certificate: {why}"),
            nom::Err::Incomplete(_) => "unparsable certificate: it is truncated".to_string(),
        })?;
        let sans = match cert.subject_alternative_name() {
            Ok(Some(ext)) => ext.value.general_names.iter().filter_map(san_text).collect(),
            Ok(None) => Vec::new(),
            Err(e) => return Err(format!("bad subjectAltName: {e}")),
        };
        Ok(Self {
            subject: rfc4514(cert.subject()),
            issuer: rfc4514(cert.issuer()),
            fingerprint: hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref()),
            validfrom: rfc3339(cert.validity().not_before),
            validuntil: rfc3339(cert.validity().not_after),
            sans,
        })
    }
}

fn san_text(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::DNSName(dns) => Some((*dns).to_string()),
        GeneralName::IPAddress(bytes) => {
            let ip = match bytes.len() {
                4 => IpAddr::from(<[u8; 4]>::try_from(*bytes).ok()?),
                16 => IpAddr::from(<[u8; 16]>::try_from(*bytes).ok()?),
                _ => return None,
            };
            Some(ip.to_string())
        }
        _ => None,
    }
}

/// RFC 4514: the RDNs last to first, joined by `,`; multi-valued RDNs joined by `+`.
fn rfc4514(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|attr| {
                    let oid = attr.attr_type();
                    let key = [
                        (&OID_X509_COMMON_NAME, "CN"),
                        (&OID_X509_LOCALITY_NAME, "L"),
                        (&OID_X509_STATE_OR_PROVINCE_NAME, "ST"),
                        (&OID_X509_ORGANIZATION_NAME, "O"),
                        (&OID_X509_ORGANIZATIONAL_UNIT, "OU"),
                        (&OID_X509_COUNTRY_NAME, "C"),
                        (&OID_DOMAIN_COMPONENT, "DC"),
                    ]
                    .iter()
                    .find(|(known, _)| *known == oid)
                    .map(|(_, short)| (*short).to_string())
                    .unwrap_or_else(|| oid.to_id_string());
                    let value = match attr.as_str() {
                        Ok(text) => escape_value(text),
                        Err(_) => format!("#{}", hex(attr.attr_value().data)),
                    };
                    format!("{key}={value}")
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(",")
}

/// RFC 4514 section 2.4 escaping.
fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\')
            || (i == 0 && matches!(c, '#' | ' '))
            || (i == last && c == ' ');
        if c == '\0' {
            out.push_str("\\00");
        } else {
            if special {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// RFC 3339 in UTC, to the second: `2025-01-01T00:00:00Z` (TLS-PEER-CERT-FORMAT).
pub(crate) fn rfc3339(time: ASN1Time) -> String {
    // X.509 times are UTC (UTCTime and GeneralizedTime with Z).
    let t = time.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_rfc4514_specials() {
        assert_eq!(escape_value("a,b"), "a\\,b");
        assert_eq!(escape_value(" lead"), "\\ lead");
        assert_eq!(escape_value("trail "), "trail\\ ");
        assert_eq!(escape_value("#x"), "\\#x");
        assert_eq!(escape_value("plain"), "plain");
    }

    #[test]
    fn rejects_garbage() {
        let error = PeerCert::from_der(b"not a certificate").expect_err("garbage is no certificate");
        assert!(error.starts_with("unparsable certificate: ") && !error.contains("Parsing"), "{error}");
    }
}
