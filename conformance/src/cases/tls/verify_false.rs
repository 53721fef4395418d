//! TLS-VERIFY-FALSE: one case per entry of `crate::zoo::REJECTIONS`, accepted with verify: false.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::TlsArgs;
use crate::peers::TlsPeer;
use crate::script::{CaseResult, Ctx, expect_eq};

use super::{
    TLS, TLS13_SUITES, echoes_line, expect_cipher_in, expect_protocol, leaf_fingerprint, peer_cert,
    rejection, ssl_to, tls_peer, trusting,
};

pub const EXPIRED: Case = Case {
    id: "tls.verify_false.expired",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the expired leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, peer_cert's \
        fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "expired").await),
};

pub const NOT_YET_VALID: Case = Case {
    id: "tls.verify_false.not_yet_valid",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the not-yet-valid leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
        peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "not_yet_valid").await),
};

pub const WRONG_HOST: Case = Case {
    id: "tls.verify_false.wrong_host",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the wrong-host leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, peer_cert's \
        fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "wrong_host").await),
};

pub const SELF_SIGNED: Case = Case {
    id: "tls.verify_false.self_signed",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the self-signed leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, peer_cert's \
        fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "self_signed").await),
};

pub const UNTRUSTED_ROOT: Case = Case {
    id: "tls.verify_false.untrusted_root",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the leaf under an untrusted root: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
        peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "untrusted_root").await),
};

pub const MISSING_INTERMEDIATE: Case = Case {
    id: "tls.verify_false.missing_intermediate",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the leaf sent without its intermediate: TLSv1.3 with a TLS 1.3 suite, a line \
        echoes, peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "missing_intermediate").await),
};

pub const DNS_ONLY_BY_IP: Case = Case {
    id: "tls.verify_false.dns_only_by_ip",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the DNS-only leaf verified as 127.0.0.1: TLSv1.3 with a TLS 1.3 suite, a line \
        echoes, peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "dns_only_by_ip").await),
};

pub const IP_IN_DNS_SAN: Case = Case {
    id: "tls.verify_false.ip_in_dns_san",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the leaf whose only SAN is DNS \"127.0.0.1\", verified as 127.0.0.1: TLSv1.3 \
        with a TLS 1.3 suite, a line echoes, peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "ip_in_dns_san").await),
};

pub const CN_WITHOUT_SAN: Case = Case {
    id: "tls.verify_false.cn_without_san",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the CN-only leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, peer_cert's \
        fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "cn_without_san").await),
};

pub const WILDCARD_TOO_DEEP: Case = Case {
    id: "tls.verify_false.wildcard_too_deep",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts *.example.test as a.b.example.test: TLSv1.3 with a TLS 1.3 suite, a line \
        echoes, peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "wildcard_too_deep").await),
};

pub const WILDCARD_APEX: Case = Case {
    id: "tls.verify_false.wildcard_apex",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts *.example.test as example.test: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
        peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "wildcard_apex").await),
};

pub const CA_AS_END_ENTITY: Case = Case {
    id: "tls.verify_false.ca_as_end_entity",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts a CA certificate used as the leaf: TLSv1.3 with a TLS 1.3 suite, a line \
        echoes, peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "ca_as_end_entity").await),
};

pub const END_ENTITY_AS_CA: Case = Case {
    id: "tls.verify_false.end_entity_as_ca",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts a leaf issued by an end entity: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
        peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "end_entity_as_ca").await),
};

pub const PATH_LENGTH_EXCEEDED: Case = Case {
    id: "tls.verify_false.path_length_exceeded",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the leaf past the path length: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
        peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "path_length_exceeded").await),
};

pub const NAME_CONSTRAINT_VIOLATION: Case = Case {
    id: "tls.verify_false.name_constraint_violation",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the leaf violating a name constraint: TLSv1.3 with a TLS 1.3 suite, a line \
        echoes, peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "name_constraint_violation").await),
};

pub const CLIENT_ONLY_EKU: Case = Case {
    id: "tls.verify_false.client_only_eku",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the clientAuth-only leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
        peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "client_only_eku").await),
};

pub const BAD_SIGNATURE: Case = Case {
    id: "tls.verify_false.bad_signature",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the leaf whose issuer's signature is broken: TLSv1.3 with a TLS 1.3 suite, \
        a line echoes, peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "bad_signature").await),
};

pub const UNSUPPORTED_ALGORITHM: Case = Case {
    id: "tls.verify_false.unsupported_algorithm",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the leaf claiming an Ed448 signature from its P-256 issuer: TLSv1.3 with \
        a TLS 1.3 suite, a line echoes, peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "unsupported_algorithm").await),
};

pub const ALGORITHM_KEY_MISMATCH: Case = Case {
    id: "tls.verify_false.algorithm_key_mismatch",
    clauses: &["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "verify: false accepts the leaf claiming an Ed25519 signature from its P-256 issuer: \
        TLSv1.3 with a TLS 1.3 suite, a line echoes, peer_cert's fingerprint is the leaf's",
    run: body!(async |ctx| accepted_unverified(ctx, "algorithm_key_mismatch").await),
};

/// With verify: false the server of the TLS-REJECT-ZOO entry `name` is accepted, TLS 1.3
/// negotiated, a line echoes and peer_cert is the presented leaf.
async fn accepted_unverified(ctx: Ctx, name: &str) -> CaseResult {
    let entry = rejection(name)?;
    let peer = tls_peer(&ctx, TlsPeer::new(entry.leaf)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let tls = TlsArgs { verify: Some(false), ..trusting(&ctx, Some(entry.connect_name)) };
    let sock = engine.handle(ssl_to(&peer, tls)).await?;
    expect_protocol(&mut engine, sock, "TLSv1.3").await?;
    expect_cipher_in(&mut engine, sock, TLS13_SUITES).await?;
    echoes_line(&ctx, &mut engine, sock, b"unverified\n").await?;
    expect_eq(
        "peer_cert's fingerprint",
        peer_cert(&mut engine, sock).await?.fingerprint,
        leaf_fingerprint(&ctx, entry.leaf)?,
    )?;
    engine.close(sock).await
}
