use super::*;

#[test]
fn io_errors_map_to_their_classes_and_name_the_endpoint() {
    let endpoint = Endpoint::new("example.test", 443);
    let cases = [
        (io::ErrorKind::ConnectionRefused, ErrorClass::ConnectionRefused),
        (io::ErrorKind::TimedOut, ErrorClass::Timeout),
        (io::ErrorKind::AddrInUse, ErrorClass::AddressInUse),
        (io::ErrorKind::NotFound, ErrorClass::HostNotFound),
        (io::ErrorKind::UnexpectedEof, ErrorClass::EndOfStream),
        (io::ErrorKind::BrokenPipe, ErrorClass::ConnectionReset),
        (io::ErrorKind::ConnectionReset, ErrorClass::ConnectionReset),
    ];
    for (kind, class) in cases {
        let error = NetError::from_io(&io::Error::from(kind), "connect to", &endpoint);
        assert_eq!(error.class, class, "{kind:?}");
        assert!(error.message.contains("example.test:443"), "{error}");
    }
}

#[test]
fn errors_display_their_class_id_message_and_reason() {
    let error = NetError::new(ErrorClass::CertificateError, "rejected").with_reason("expired");
    assert_eq!(error.to_string(), "CertificateError: rejected (reason: expired)");
    assert_eq!(
        NetError::argument("port", "must be in 1..65535").to_string(),
        "ArgumentError: argument port: must be in 1..65535"
    );
    assert_eq!(Endpoint::new("::1", 80).to_string(), "[::1]:80");
    assert_eq!(Endpoint::new("a.test", 80).to_string(), "a.test:80");
}

/// A webpki verdict as rustls passes it on: an `OtherError` whose text is the verdict's name.
#[derive(Debug)]
struct WebpkiVerdict(&'static str);

impl fmt::Display for WebpkiVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for WebpkiVerdict {}

fn other(name: &'static str) -> rustls::OtherError {
    rustls::OtherError(std::sync::Arc::new(WebpkiVerdict(name)))
}

fn at(secs: u64) -> rustls::pki_types::UnixTime {
    rustls::pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs))
}

/// Every kind of certificate verdict the reference maps.
#[allow(deprecated)]
fn certificate_verdicts() -> Vec<rustls::CertificateError> {
    use rustls::CertificateError as E;
    use rustls::ExtendedKeyPurpose as Purpose;
    let expected = rustls::pki_types::ServerName::try_from("a.test").expect("a valid name");
    let mut verdicts = vec![
        E::BadEncoding,
        E::Expired,
        E::ExpiredContext { time: at(1_780_272_000), not_after: at(1_609_459_200) },
        E::NotValidYet,
        E::NotValidYetContext { time: at(1_780_272_000), not_before: at(2_208_988_800) },
        E::Revoked,
        E::UnhandledCriticalExtension,
        E::UnknownIssuer,
        E::UnknownRevocationStatus,
        E::ExpiredRevocationList,
        E::ExpiredRevocationListContext { time: at(1_780_272_000), next_update: at(1_609_459_200) },
        E::BadSignature,
        E::UnsupportedSignatureAlgorithm,
        E::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id: vec![1, 2, 3],
            supported_algorithms: Vec::new(),
        },
        E::UnsupportedSignatureAlgorithmForPublicKeyContext {
            signature_algorithm_id: vec![1, 2, 3],
            public_key_algorithm_id: vec![4, 5, 6],
        },
        E::NotValidForName,
        E::NotValidForNameContext {
            expected: expected.clone(),
            presented: vec!["DnsName(\"b.test\")".into(), "IpAddress(::1)".into()],
        },
        E::NotValidForNameContext { expected, presented: Vec::new() },
        E::InvalidPurpose,
        E::InvalidPurposeContext { required: Purpose::ServerAuth, presented: vec![Purpose::ClientAuth] },
        E::InvalidPurposeContext {
            required: Purpose::ServerAuth,
            presented: vec![Purpose::ClientAuth, Purpose::Other(vec![1, 3, 6, 1])],
        },
        E::InvalidPurposeContext { required: Purpose::ServerAuth, presented: Vec::new() },
        E::InvalidOcspResponse,
        E::ApplicationVerificationFailure,
    ];
    for name in [
        "CaUsedAsEndEntity",
        "EndEntityUsedAsCa",
        "PathLenConstraintViolated",
        "NameConstraintViolation",
        "MalformedNameConstraint",
        "MaximumNameConstraintComparisonsExceeded",
        "UnsupportedCriticalExtension",
        "MaximumPathDepthExceeded",
        "TrailingData(Certificate)",
        "",
    ] {
        verdicts.push(E::Other(other(name)));
    }
    verdicts
}

/// Every other kind of TLS failure the reference describes.
fn tls_failures() -> Vec<rustls::Error> {
    use rustls::{AlertDescription as A, Error as E, InvalidMessage as M, PeerIncompatible as P};
    let mut failures = vec![
        E::InappropriateMessage {
            expect_types: vec![rustls::ContentType::Handshake],
            got_type: rustls::ContentType::Alert,
        },
        E::InappropriateHandshakeMessage {
            expect_types: vec![rustls::HandshakeType::ServerHello],
            got_type: rustls::HandshakeType::Finished,
        },
        E::InvalidEncryptedClientHello(rustls::EncryptedClientHelloError::InvalidConfigList),
        E::InvalidMessage(M::InvalidContentType),
        E::InvalidMessage(M::MissingData("ServerHello")),
        E::NoCertificatesPresented,
        E::UnsupportedNameType,
        E::DecryptError,
        E::EncryptError,
        E::PeerMisbehaved(rustls::PeerMisbehaved::SelectedUnofferedCipherSuite),
        E::InvalidCertRevocationList(rustls::CertRevocationListError::BadSignature),
        E::General("the general failure".into()),
        E::FailedToGetCurrentTime,
        E::FailedToGetRandomBytes,
        E::HandshakeNotComplete,
        E::PeerSentOversizedRecord,
        E::NoApplicationProtocol,
        E::BadMaxFragmentSize,
        E::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch),
        E::InconsistentKeys(rustls::InconsistentKeys::Unknown),
        E::Other(other("the key store is locked")),
    ];
    for why in [
        P::NoCipherSuitesInCommon,
        P::NoKxGroupsInCommon,
        P::NoSignatureSchemesInCommon,
        P::ServerDoesNotSupportTls12Or13,
        P::ServerTlsVersionIsDisabledByOurConfig,
        P::ExtendedMasterSecretExtensionRequired,
        P::ServerRejectedEncryptedClientHello(None),
    ] {
        failures.push(E::PeerIncompatible(why));
    }
    for alert in [A::CertificateRequired, A::HandshakeFailure, A::UnknownCA, A::ProtocolVersion, A::from(200)]
    {
        failures.push(E::AlertReceived(alert));
    }
    failures
}

/// Fails if `message` carries library debug text: braces, `Some(`, type names, CamelCase.
#[track_caller]
fn assert_reads_as_words(message: &str) {
    for debug in
        ["{", "}", "Some(", "None", "Context", "OtherError", "Unknown(", "UnixTime", "DnsName", "Vec"]
    {
        assert!(!message.contains(debug), "{debug:?} in {message:?}");
    }
    let camel_case = message.split(|c: char| !c.is_ascii_alphanumeric()).find(|word| {
        word.as_bytes().windows(2).any(|pair| pair[0].is_ascii_lowercase() && pair[1].is_ascii_uppercase())
    });
    assert_eq!(camel_case, None, "an identifier in {message:?}");
}

#[test]
fn every_certificate_verdict_reads_as_words_and_every_reason_is_reachable() {
    let endpoint = Endpoint::new("a.test", 443);
    let mut reasons = std::collections::BTreeSet::new();
    for verdict in certificate_verdicts() {
        let wrapped = io::Error::new(io::ErrorKind::InvalidData, rustls::Error::InvalidCertificate(verdict));
        let error = NetError::from_io(&wrapped, "connect to", &endpoint);
        assert_eq!(error.class, ErrorClass::CertificateError, "{error}");
        assert!(error.message.starts_with("connect to a.test:443: certificate rejected: "), "{error}");
        assert_reads_as_words(&error.message);
        let reason = error.reason.as_deref().and_then(CertificateReason::from_id);
        reasons.insert(reason.unwrap_or_else(|| panic!("no known reason: {error}")));
    }
    assert_eq!(reasons, CertificateReason::ALL.into(), "a reason no verdict maps to");
}

#[test]
fn certificate_messages_name_the_dates_and_names_involved() {
    let endpoint = Endpoint::new("a.test", 443);
    let message = |verdict: rustls::CertificateError| {
        let wrapped = io::Error::new(io::ErrorKind::InvalidData, rustls::Error::InvalidCertificate(verdict));
        NetError::from_io(&wrapped, "connect to", &endpoint).message
    };
    let expired = message(rustls::CertificateError::ExpiredContext {
        time: at(1_780_272_000),
        not_after: at(1_609_459_200),
    });
    assert!(expired.ends_with("the certificate expired at 2021-01-01T00:00:00Z"), "{expired}");
    let ca = message(rustls::CertificateError::Other(other("CaUsedAsEndEntity")));
    assert!(ca.ends_with("a CA certificate was presented as the server's certificate"), "{ca}");
    let names = certificate_verdicts().into_iter().find(|v| {
        matches!(v, rustls::CertificateError::NotValidForNameContext { presented, .. } if !presented.is_empty())
    });
    let wrong_host = message(names.expect("a name verdict"));
    assert!(wrong_host.ends_with("not valid for a.test: it names only b.test, ::1"), "{wrong_host}");
}

#[test]
fn every_tls_failure_reads_as_words() {
    let endpoint = Endpoint::new("a.test", 443);
    for failure in tls_failures() {
        let wrapped = io::Error::new(io::ErrorKind::InvalidData, failure);
        let error = NetError::from_io(&wrapped, "TLS handshake with", &endpoint);
        assert_eq!(error.class, ErrorClass::TlsError, "{error}");
        assert!(error.message.starts_with("TLS handshake with a.test:443: "), "{error}");
        assert_reads_as_words(&error.message);
    }
    let refused = io::Error::new(
        io::ErrorKind::InvalidData,
        rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired),
    );
    assert_eq!(
        NetError::from_io(&refused, "TLS handshake with", &endpoint).message,
        "TLS handshake with a.test:443: the server refused the connection: alert certificate_required"
    );
}

#[test]
fn key_bundle_and_pem_failures_read_as_words() {
    use rustls::pki_types::pem::Error as Pem;
    let pem_failures = [
        Pem::MissingSectionEnd { end_marker: b"-----END CERTIFICATE-----".to_vec() },
        Pem::IllegalSectionStart { line: b"-----BEGIN".to_vec() },
        Pem::Base64Decode("bad padding".into()),
        Pem::Io(io::Error::from(io::ErrorKind::NotFound)),
        Pem::NoItemsFound,
        Pem::SectionTooLarge,
    ];
    for failure in &pem_failures {
        assert_reads_as_words(&pem_error_words(failure));
    }
    let no_anchor = rustls::client::VerifierBuilderError::NoRootAnchors;
    assert_reads_as_words(bundle_error_words(&no_anchor));
}
