//! The certificate zoo as the catalog sees it: the files a case may name and the
//! TLS-REJECT-ZOO table. The harness mints the certificates (`caspian-harness`'s `certs`) and
//! writes them as `<leaf>.chain.pem` / `<leaf>.key.pem` beside `root-ca.pem`.

/// One TLS-REJECT-ZOO entry: with default options a client must refuse this server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// Entry name.
    pub name: &'static str,
    /// The leaf (by name) whose chain the server presents.
    pub leaf: &'static str,
    /// The server name the client connects with (DNS name for SNI, or an IP literal).
    pub connect_name: &'static str,
    /// The reasons the standard accepts: every reason a mainstream stack (rustls, OpenSSL, Go
    /// crypto/x509, Java PKIX) gives this chain, read through the map of CONFORMANCE.md's "TLS
    /// across stacks", once the engine computes what that section says it must.
    pub reasons: &'static [&'static str],
    /// What is wrong with the presented chain.
    pub description: &'static str,
}

/// The TLS-REJECT-ZOO table. The reference (rustls 0.23 / webpki 0.103) and OpenSSL 3 each give
/// a reason of every entry's set (tested: the harness's certs module and `openssl_verdicts`).
pub static REJECTIONS: &[Rejection] = &[
    Rejection {
        name: "expired",
        leaf: "expired",
        connect_name: "localhost",
        reasons: &["expired"],
        description: "leaf validity 2020-01-01..2021-01-01",
    },
    Rejection {
        name: "not_yet_valid",
        leaf: "not_yet_valid",
        connect_name: "localhost",
        reasons: &["not_yet_valid"],
        description: "leaf validity 2040-01-01..2050-01-01",
    },
    Rejection {
        name: "wrong_host",
        leaf: "wrong_host",
        connect_name: "localhost",
        reasons: &["name_mismatch"],
        description: "leaf SAN is only DNS other.example.org",
    },
    Rejection {
        name: "self_signed",
        leaf: "self_signed",
        connect_name: "localhost",
        reasons: &["unknown_issuer"],
        description: "self-signed CA:false leaf that is not in the trust bundle",
    },
    Rejection {
        name: "untrusted_root",
        leaf: "untrusted_root",
        connect_name: "localhost",
        reasons: &["unknown_issuer"],
        description: "leaf for the good names issued by an untrusted root",
    },
    Rejection {
        name: "missing_intermediate",
        leaf: "missing_intermediate",
        connect_name: "localhost",
        reasons: &["unknown_issuer"],
        description: "leaf issued by the intermediate, but the intermediate is not sent",
    },
    Rejection {
        name: "dns_only_by_ip",
        leaf: "dns_only_by_ip",
        connect_name: "127.0.0.1",
        reasons: &["name_mismatch"],
        description: "leaf SAN is only DNS localhost; reached by IP address",
    },
    Rejection {
        name: "ip_in_dns_san",
        leaf: "ip_in_dns_san",
        connect_name: "127.0.0.1",
        reasons: &["name_mismatch"],
        description: "leaf SAN is only DNS 127.0.0.1 (the address's text, no IP SAN); reached by IP address",
    },
    Rejection {
        name: "cn_without_san",
        leaf: "cn_without_san",
        connect_name: "localhost",
        reasons: &["name_mismatch"],
        description: "CN=localhost with no subjectAltName extension at all",
    },
    Rejection {
        name: "wildcard_too_deep",
        leaf: "wildcard",
        connect_name: "a.b.example.test",
        reasons: &["name_mismatch"],
        description: "*.example.test does not cover two labels",
    },
    Rejection {
        name: "wildcard_apex",
        leaf: "wildcard",
        connect_name: "example.test",
        reasons: &["name_mismatch"],
        description: "*.example.test does not cover the apex",
    },
    Rejection {
        name: "ca_as_end_entity",
        leaf: "ca_as_end_entity",
        connect_name: "localhost",
        reasons: &["bad_usage"],
        description: "a CA:true certificate for the good names, issued by the root, used as server cert",
    },
    Rejection {
        name: "end_entity_as_ca",
        leaf: "end_entity_as_ca",
        connect_name: "localhost",
        reasons: &["bad_usage", "unknown_issuer"],
        description: "leaf issued by a CA:false certificate (Bogus Issuer)",
    },
    Rejection {
        name: "path_length_exceeded",
        leaf: "path_length_exceeded",
        connect_name: "localhost",
        reasons: &["path_length"],
        description: "leaf under a sub-intermediate below the pathlen-0 intermediate",
    },
    Rejection {
        name: "name_constraint_violation",
        leaf: "name_constraint_violation",
        connect_name: "localhost",
        reasons: &["name_constraint"],
        description: "leaf for localhost under an intermediate permitted only DNS allowed.test",
    },
    Rejection {
        name: "client_only_eku",
        leaf: "client_only_eku",
        connect_name: "localhost",
        reasons: &["bad_usage"],
        description: "leaf for the good names with EKU clientAuth only",
    },
    Rejection {
        name: "bad_signature",
        leaf: "bad_signature",
        connect_name: "localhost",
        reasons: &["bad_signature", "unknown_issuer"],
        description: "the good leaf with one bit of its issuer's signature flipped",
    },
    Rejection {
        name: "unsupported_algorithm",
        leaf: "unsupported_algorithm",
        connect_name: "localhost",
        reasons: &["bad_signature", "unknown_issuer"],
        description: "the good leaf claiming an Ed448 signature from its P-256 issuer",
    },
    Rejection {
        name: "algorithm_key_mismatch",
        leaf: "algorithm_key_mismatch",
        connect_name: "localhost",
        reasons: &["bad_signature", "unknown_issuer"],
        description: "the good leaf claiming an Ed25519 signature from its P-256 issuer",
    },
];
