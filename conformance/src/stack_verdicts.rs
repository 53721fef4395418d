//! The port author's map from each mainstream TLS stack's certificate verdicts to the standard's
//! CertificateError reasons (CONFORMANCE.md, "TLS across stacks"; TLS-REJECT-ZOO). The accepted
//! reason sets of `crate::zoo::REJECTIONS` are what these stacks give the zoo's chains through
//! this map.

/// The verdicts each stack reports for one reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReasonSources {
    /// The CertificateError reason.
    pub reason: &'static str,
    /// OpenSSL 3's `X509_V_ERR_*` verify results (number, name without the prefix).
    pub openssl: &'static [(u32, &'static str)],
    /// Go crypto/x509's error types and `CertificateInvalidError` reasons.
    pub go: &'static str,
    /// Java PKIX's `CertPathValidatorException` BasicReason / PKIXReason, and JSSE's other
    /// certificate exceptions.
    pub java: &'static str,
    /// rustls's `CertificateError` variants (webpki's verdicts that rustls passes on as
    /// `Other`, by name).
    pub rustls: &'static str,
}

/// Every reason, in CONFORMANCE.md's order, with the verdicts that read as it. A verdict listed
/// nowhere is `other`.
pub static STACK_VERDICTS: &[ReasonSources] = &[
    ReasonSources {
        reason: "expired",
        openssl: &[(10, "CERT_HAS_EXPIRED")],
        go: "`CertificateInvalidError` `Expired`, the time after a certificate's NotAfter",
        java: "`EXPIRED`",
        rustls: "`Expired`, `ExpiredContext`",
    },
    ReasonSources {
        reason: "not_yet_valid",
        openssl: &[(9, "CERT_NOT_YET_VALID")],
        go: "`CertificateInvalidError` `Expired`, the time before a certificate's NotBefore",
        java: "`NOT_YET_VALID`",
        rustls: "`NotValidYet`, `NotValidYetContext`",
    },
    ReasonSources {
        reason: "unknown_issuer",
        openssl: &[
            (2, "UNABLE_TO_GET_ISSUER_CERT"),
            (18, "DEPTH_ZERO_SELF_SIGNED_CERT"),
            (19, "SELF_SIGNED_CERT_IN_CHAIN"),
            (20, "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"),
            (21, "UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
            (27, "CERT_UNTRUSTED"),
        ],
        go: "`UnknownAuthorityError` (also when a candidate issuer's signature fails), `SystemRootsError`",
        java: "`NO_TRUST_ANCHOR`, `NAME_CHAINING`; `SunCertPathBuilderException` (no path found)",
        rustls: "`UnknownIssuer`",
    },
    ReasonSources {
        reason: "name_mismatch",
        openssl: &[(62, "HOSTNAME_MISMATCH"), (64, "IP_ADDRESS_MISMATCH")],
        go: "`HostnameError`",
        java: "the `CertificateException` of endpoint identification (\"No subject alternative … found\")",
        rustls: "`NotValidForName`, `NotValidForNameContext`",
    },
    ReasonSources {
        reason: "bad_usage",
        openssl: &[
            (26, "INVALID_PURPOSE"),
            (32, "KEYUSAGE_NO_CERTSIGN"),
            (37, "INVALID_NON_CA"),
            (79, "INVALID_CA"),
        ],
        go: "`CertificateInvalidError` `NotAuthorizedToSign`, `IncompatibleUsage`, \
             `CANotAuthorizedForExtKeyUsage`; `ConstraintViolationError`",
        java: "`INVALID_KEY_USAGE`, `NOT_CA_CERT`; \"Extended key usage does not permit use for TLS server \
               authentication\"",
        rustls: "`InvalidPurpose`, `InvalidPurposeContext`; `Other`: `CaUsedAsEndEntity`, `EndEntityUsedAsCa`",
    },
    ReasonSources {
        reason: "path_length",
        openssl: &[(25, "PATH_LENGTH_EXCEEDED")],
        go: "`CertificateInvalidError` `TooManyIntermediates`",
        java: "`PATH_TOO_LONG`",
        rustls: "`Other`: `PathLenConstraintViolated`",
    },
    ReasonSources {
        reason: "name_constraint",
        openssl: &[
            (47, "PERMITTED_VIOLATION"),
            (48, "EXCLUDED_VIOLATION"),
            (49, "SUBTREE_MINMAX"),
            (51, "UNSUPPORTED_CONSTRAINT_TYPE"),
            (52, "UNSUPPORTED_CONSTRAINT_SYNTAX"),
            (53, "UNSUPPORTED_NAME_SYNTAX"),
        ],
        go: "`CertificateInvalidError` `CANotAuthorizedForThisName`, `NameConstraintsWithoutSANs`, \
             `UnconstrainedName`, `TooManyConstraints`",
        java: "`INVALID_NAME`",
        rustls: "`Other`: `NameConstraintViolation`, `MalformedNameConstraint`, \
                 `MaximumNameConstraintComparisonsExceeded`",
    },
    ReasonSources {
        reason: "revoked",
        openssl: &[(23, "CERT_REVOKED")],
        go: "(Go does not check revocation)",
        java: "`REVOKED`",
        rustls: "`Revoked`",
    },
    ReasonSources {
        reason: "bad_encoding",
        openssl: &[(13, "ERROR_IN_CERT_NOT_BEFORE_FIELD"), (14, "ERROR_IN_CERT_NOT_AFTER_FIELD")],
        go: "an error of `ParseCertificate`",
        java: "`CertificateParsingException`",
        rustls: "`BadEncoding`",
    },
    ReasonSources {
        reason: "bad_signature",
        openssl: &[
            (4, "UNABLE_TO_DECRYPT_CERT_SIGNATURE"),
            (6, "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY"),
            (7, "CERT_SIGNATURE_FAILURE"),
            (76, "UNSUPPORTED_SIGNATURE_ALGORITHM"),
            (77, "SIGNATURE_ALGORITHM_MISMATCH"),
        ],
        go: "`InsecureAlgorithmError`",
        java: "`INVALID_SIGNATURE`, `ALGORITHM_CONSTRAINED`; `UNSPECIFIED` from the signature check (a \
               `SignatureException` or `InvalidKeyException` cause)",
        rustls: "`BadSignature`, `UnsupportedSignatureAlgorithm`, `UnsupportedSignatureAlgorithmContext`, \
                 `UnsupportedSignatureAlgorithmForPublicKeyContext`",
    },
    ReasonSources {
        reason: "other",
        openssl: &[],
        go: "any other error",
        java: "any other reason",
        rustls: "any other variant",
    },
];

/// The reason OpenSSL's verify result `code` reads as.
pub fn openssl_reason(code: u32) -> &'static str {
    STACK_VERDICTS
        .iter()
        .find(|sources| sources.openssl.iter().any(|(number, _)| *number == code))
        .map_or("other", |sources| sources.reason)
}
