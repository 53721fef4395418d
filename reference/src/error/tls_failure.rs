//! The TLS library's failures in words: refused and failed handshakes, alerts, unusable keys,
//! bundles and PEM files. No message carries a library's debug text.

use rustls::pki_types::pem;
use rustls::{AlertDescription, InconsistentKeys, InvalidMessage, PeerIncompatible};

use super::certificate::Rejection;

/// A failed TLS exchange (or TLS configuration) in words, for a TlsError's message.
pub(crate) fn tls_error_words(error: &rustls::Error) -> String {
    use rustls::Error as E;
    match error {
        E::AlertReceived(alert) => format!("the server refused the connection: alert {}", alert_name(*alert)),
        E::InvalidCertificate(verdict) => format!("certificate rejected: {}", Rejection::of(verdict).words),
        E::PeerIncompatible(why) => format!("the server is incompatible: {}", incompatibility(why)),
        E::PeerMisbehaved(_) => "the server broke the TLS protocol".to_string(),
        E::InvalidMessage(InvalidMessage::InvalidContentType) => {
            "the server did not answer in TLS (is it a TLS server?)".to_string()
        }
        E::InvalidMessage(InvalidMessage::MessageTooLarge) => {
            "the server sent a TLS record over the protocol's size limit".to_string()
        }
        E::InvalidMessage(
            InvalidMessage::HandshakePayloadTooLarge | InvalidMessage::CertificatePayloadTooLarge,
        ) => "the server sent a handshake message over the size limit (65,535 bytes)".to_string(),
        E::InvalidMessage(_) => "the server sent a malformed TLS message".to_string(),
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            "the server sent a TLS message out of order".to_string()
        }
        E::NoCertificatesPresented => "the server presented no certificate".to_string(),
        E::UnsupportedNameType => "the server name is of a kind TLS cannot send".to_string(),
        E::DecryptError => "a record from the server could not be decrypted".to_string(),
        E::EncryptError => "a record could not be encrypted".to_string(),
        E::PeerSentOversizedRecord => "the server sent a record larger than TLS allows".to_string(),
        E::HandshakeNotComplete => "the handshake has not completed".to_string(),
        E::NoApplicationProtocol => {
            "the server supports none of the application protocols offered".to_string()
        }
        E::FailedToGetCurrentTime => "the current time could not be read".to_string(),
        E::FailedToGetRandomBytes => "no random bytes could be drawn".to_string(),
        E::BadMaxFragmentSize => "the maximum fragment size is out of range".to_string(),
        E::InconsistentKeys(InconsistentKeys::KeyMismatch) => {
            "the private key does not match the certificate".to_string()
        }
        E::InconsistentKeys(_) => "the private key cannot be checked against the certificate".to_string(),
        E::InvalidCertRevocationList(_) => "a certificate revocation list is invalid".to_string(),
        E::InvalidEncryptedClientHello(_) => "encrypted client hello failed".to_string(),
        E::General(text) => text.clone(),
        E::Other(other) => format!("the TLS library failed: {other}"),
        _ => "the TLS exchange failed".to_string(),
    }
}

/// A TLS alert by its RFC name, e.g. `certificate_required`, `unknown_ca`.
fn alert_name(alert: AlertDescription) -> String {
    match alert.as_str() {
        Some(name) => identifier_words(name, '_'),
        None => format!("number {}", u8::from(alert)),
    }
}

fn incompatibility(why: &PeerIncompatible) -> &'static str {
    use PeerIncompatible as P;
    match why {
        P::NoCipherSuitesInCommon => "no cipher suite in common",
        P::NoKxGroupsInCommon => "no key exchange group in common",
        P::NoSignatureSchemesInCommon | P::NoCertificateRequestSignatureSchemesInCommon => {
            "no signature scheme in common"
        }
        P::ServerDoesNotSupportTls12Or13 | P::SupportedVersionsExtensionRequired => {
            "it supports neither TLSv1.2 nor TLSv1.3"
        }
        P::ServerTlsVersionIsDisabledByOurConfig | P::Tls12NotOffered | P::Tls12NotOfferedOrEnabled => {
            "it chose a TLS version the protocols option does not allow"
        }
        P::ExtendedMasterSecretExtensionRequired => "it lacks the extended master secret TLSv1.2 requires",
        _ => "it lacks a TLS feature this client requires",
    }
}

/// Why a `ca_bundle` (or the system bundle) cannot verify anything.
pub(crate) fn bundle_error_words(error: &rustls::client::VerifierBuilderError) -> &'static str {
    match error {
        rustls::client::VerifierBuilderError::NoRootAnchors => "it holds no trust anchor",
        _ => "a certificate revocation list in it is invalid",
    }
}

/// Why a PEM file could not be read.
pub(crate) fn pem_error_words(error: &pem::Error) -> String {
    match error {
        pem::Error::MissingSectionEnd { .. } => "a PEM section has no END line".to_string(),
        pem::Error::IllegalSectionStart { .. } => "a PEM BEGIN line is malformed".to_string(),
        pem::Error::Base64Decode(why) => format!("a PEM section is not valid base64: {why}"),
        pem::Error::Io(io) => io.to_string(),
        pem::Error::NoItemsFound => "no PEM section found".to_string(),
        pem::Error::SectionTooLarge => "a PEM section is too large".to_string(),
        _ => "the PEM file cannot be read".to_string(),
    }
}

/// An identifier such as `CertificateRequired` or `UnknownCA` as lower-case words joined by
/// `separator`: `certificate_required`, `unknown_ca`.
pub(crate) fn identifier_words(name: &str, separator: char) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut words = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let starts_word = c.is_ascii_uppercase()
            && i > 0
            && (!chars[i - 1].is_ascii_uppercase()
                || chars.get(i + 1).is_some_and(|next| next.is_ascii_lowercase()));
        if starts_word {
            words.push(separator);
        }
        words.push(c.to_ascii_lowercase());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split_into_words() {
        assert_eq!(identifier_words("CertificateRequired", '_'), "certificate_required");
        assert_eq!(identifier_words("UnknownCA", '_'), "unknown_ca");
        assert_eq!(identifier_words("UnknownPSKIdentity", '_'), "unknown_psk_identity");
        assert_eq!(identifier_words("UnsupportedNameType", ' '), "unsupported name type");
        assert_eq!(identifier_words("", ' '), "");
    }

    #[test]
    fn alerts_read_as_their_rfc_names() {
        assert_eq!(alert_name(AlertDescription::CertificateRequired), "certificate_required");
        assert_eq!(alert_name(AlertDescription::ProtocolVersion), "protocol_version");
        assert_eq!(alert_name(AlertDescription::from(200)), "number 200");
    }
}
