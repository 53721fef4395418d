//! TLS-REJECT-ZOO: one case per entry of `crate::zoo::REJECTIONS`, refused by default.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::peers::TlsPeer;
use crate::script::{CaseResult, Ctx};

use super::{TLS, refused, rejection, ssl_to, tls_peer, trusting};

pub const EXPIRED: Case = Case {
    id: "tls.reject.expired",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "the expired leaf (2020-01-01..2021-01-01) is refused: CertificateError, reason expired, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "expired").await),
};

pub const NOT_YET_VALID: Case = Case {
    id: "tls.reject.not_yet_valid",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "the not-yet-valid leaf (2040..2050) is refused: CertificateError, reason not_yet_valid, naming \
        host:port",
    run: body!(async |ctx| rejected_by(ctx, "not_yet_valid").await),
};

pub const WRONG_HOST: Case = Case {
    id: "tls.reject.wrong_host",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a leaf for other.example.org only, reached as localhost, is refused: CertificateError, reason \
        name_mismatch, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "wrong_host").await),
};

pub const SELF_SIGNED: Case = Case {
    id: "tls.reject.self_signed",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a self-signed leaf is refused: CertificateError, reason unknown_issuer, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "self_signed").await),
};

pub const UNTRUSTED_ROOT: Case = Case {
    id: "tls.reject.untrusted_root",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a leaf for the good names under an untrusted root is refused: CertificateError, reason \
        unknown_issuer, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "untrusted_root").await),
};

pub const MISSING_INTERMEDIATE: Case = Case {
    id: "tls.reject.missing_intermediate",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a leaf sent without its intermediate is refused: CertificateError, reason unknown_issuer, naming \
        host:port",
    run: body!(async |ctx| rejected_by(ctx, "missing_intermediate").await),
};

pub const DNS_ONLY_BY_IP: Case = Case {
    id: "tls.reject.dns_only_by_ip",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a leaf with only DNS localhost, verified as 127.0.0.1, is refused: CertificateError, reason \
        name_mismatch, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "dns_only_by_ip").await),
};

pub const IP_IN_DNS_SAN: Case = Case {
    id: "tls.reject.ip_in_dns_san",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a leaf whose only SAN is DNS \"127.0.0.1\", verified as the address 127.0.0.1, is refused: an IP \
        matches IP SANs only (RFC 9525 6.2): CertificateError, reason name_mismatch, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "ip_in_dns_san").await),
};

pub const CN_WITHOUT_SAN: Case = Case {
    id: "tls.reject.cn_without_san",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a leaf with CN=localhost and no subjectAltName is refused: CertificateError, reason name_mismatch, \
        naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "cn_without_san").await),
};

pub const WILDCARD_TOO_DEEP: Case = Case {
    id: "tls.reject.wildcard_too_deep",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "*.example.test verified as a.b.example.test is refused: CertificateError, reason name_mismatch, \
        naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "wildcard_too_deep").await),
};

pub const WILDCARD_APEX: Case = Case {
    id: "tls.reject.wildcard_apex",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "*.example.test verified as example.test is refused: CertificateError, reason name_mismatch, naming \
        host:port",
    run: body!(async |ctx| rejected_by(ctx, "wildcard_apex").await),
};

pub const CA_AS_END_ENTITY: Case = Case {
    id: "tls.reject.ca_as_end_entity",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a CA:true certificate for the good names used as the server's leaf is refused: CertificateError, \
        reason bad_usage, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "ca_as_end_entity").await),
};

pub const END_ENTITY_AS_CA: Case = Case {
    id: "tls.reject.end_entity_as_ca",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a leaf issued by a CA:false certificate is refused: CertificateError, reason bad_usage or \
        unknown_issuer, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "end_entity_as_ca").await),
};

pub const PATH_LENGTH_EXCEEDED: Case = Case {
    id: "tls.reject.path_length_exceeded",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a leaf below a sub-intermediate of the pathlen-0 intermediate is refused: CertificateError, reason \
        path_length, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "path_length_exceeded").await),
};

pub const NAME_CONSTRAINT_VIOLATION: Case = Case {
    id: "tls.reject.name_constraint_violation",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a leaf for localhost under an intermediate permitted only allowed.test is refused: CertificateError, \
        reason name_constraint, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "name_constraint_violation").await),
};

pub const CLIENT_ONLY_EKU: Case = Case {
    id: "tls.reject.client_only_eku",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a server leaf whose EKU is clientAuth only is refused: CertificateError, reason bad_usage, naming \
        host:port",
    run: body!(async |ctx| rejected_by(ctx, "client_only_eku").await),
};

pub const BAD_SIGNATURE: Case = Case {
    id: "tls.reject.bad_signature",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "the good leaf with one bit of its issuer's signature flipped is refused: CertificateError, reason \
        bad_signature or unknown_issuer, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "bad_signature").await),
};

pub const UNSUPPORTED_ALGORITHM: Case = Case {
    id: "tls.reject.unsupported_algorithm",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "the good leaf claiming an Ed448 signature from its P-256 issuer is refused: CertificateError, \
        reason bad_signature or unknown_issuer, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "unsupported_algorithm").await),
};

pub const ALGORITHM_KEY_MISMATCH: Case = Case {
    id: "tls.reject.algorithm_key_mismatch",
    clauses: &["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "the good leaf claiming an Ed25519 signature from its P-256 issuer is refused: \
        CertificateError, reason bad_signature or unknown_issuer, naming host:port",
    run: body!(async |ctx| rejected_by(ctx, "algorithm_key_mismatch").await),
};

/// A server whose certificate is not DER is refused whatever the options: a TlsError, and if a
/// CertificateError, reason bad_encoding (OpenSSL, Go and Java fail the Certificate message while
/// decoding it, before any verification; rustls verifies and says bad_encoding). Not a
/// TLS-REJECT-ZOO entry, since `verify: false` cannot accept it: the handshake's signature is
/// checked with the certificate's key, which cannot be read.
pub const BAD_ENCODING: Case = Case {
    id: "tls.bad_encoding.refused",
    clauses: &["SSL-OPEN", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a server presenting the good leaf with its outer SEQUENCE tagged as a SET (not DER) is refused: \
        TlsError (a CertificateError with reason bad_encoding, or a TlsError from decoding the message), naming \
        host:port",
    run: body!(async |ctx| {
        let peer = tls_peer(&ctx, TlsPeer::new("bad_encoding")).await;
        let mut engine = ctx.engine_for_peers().await?;
        let request = ssl_to(&peer, trusting(&ctx, Some("localhost")));
        refused(&mut engine, request, &peer, "TlsError", &["bad_encoding"]).await
    }),
};

/// With default options but a ca_bundle of the zoo's root and sni the entry's connect name, the
/// server of the TLS-REJECT-ZOO entry `name` is refused with CertificateError and one of the
/// entry's accepted reasons.
async fn rejected_by(ctx: Ctx, name: &str) -> CaseResult {
    let entry = rejection(name)?;
    let peer = tls_peer(&ctx, TlsPeer::new(entry.leaf)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let request = ssl_to(&peer, trusting(&ctx, Some(entry.connect_name)));
    refused(&mut engine, request, &peer, "CertificateError", entry.reasons).await
}
