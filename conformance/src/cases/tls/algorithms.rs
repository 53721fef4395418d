//! The key algorithms an engine completes a handshake with (CONFORMANCE.md, "TLS across
//! stacks"): ECDSA P-256 and RSA-2048 (MUST), Ed25519 (SHOULD). Each server presents the good
//! names under that key, issued by the zoo's P-256 intermediate.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::peers::TlsPeer;
use crate::script::{CaseResult, Ctx, expect, expect_eq};

use super::cert_format::dn_value;
use super::{TLS, echoes, leaf_fingerprint, peer_cert, session};

pub const ECDSA_P256: Case = Case {
    id: "tls.algorithms.ecdsa_p256",
    clauses: &["SSL-OPEN", "SSL-PEER-CERT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a server whose leaf has an ECDSA P-256 key (the good leaf) completes the handshake: a line \
        echoes, and peer_cert is that leaf (its fingerprint, CN=caspian-good)",
    run: body!(async |ctx| handshakes_with(ctx, "good", "caspian-good").await),
};

pub const RSA_2048: Case = Case {
    id: "tls.algorithms.rsa_2048",
    clauses: &["SSL-OPEN", "SSL-PEER-CERT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a server whose leaf has an RSA-2048 key completes the handshake: a line echoes, and peer_cert \
        is that leaf (its fingerprint, CN=caspian-good-rsa)",
    run: body!(async |ctx| handshakes_with(ctx, "good_rsa", "caspian-good-rsa").await),
};

pub const ED25519: Case = Case {
    id: "tls.algorithms.ed25519",
    clauses: &["SSL-OPEN", "SSL-PEER-CERT"],
    level: Should,
    needs: TLS,
    worlds: Both,
    description: "a server whose leaf has an Ed25519 key completes the handshake: a line echoes, and peer_cert \
        is that leaf (its fingerprint, CN=caspian-good-ed25519)",
    run: body!(async |ctx| handshakes_with(ctx, "good_ed25519", "caspian-good-ed25519").await),
};

/// Trusting the zoo's root, an ssl socket to a server presenting `leaf` opens, echoes a line,
/// and its peer_cert is that leaf: the fingerprint of its DER, and `CN=<cn>` in its subject.
async fn handshakes_with(ctx: Ctx, leaf: &str, cn: &str) -> CaseResult {
    let (mut engine, sock, _) = session(&ctx, TlsPeer::new(leaf)).await?;
    echoes(&ctx, &mut engine, sock).await?;
    let cert = peer_cert(&mut engine, sock).await?;
    expect_eq("peer_cert's fingerprint", cert.fingerprint, leaf_fingerprint(&ctx, leaf)?)?;
    let subject_cn = dn_value(&cert.subject, "CN");
    expect(subject_cn.as_deref() == Some(cn), || {
        format!("peer_cert's subject: expected CN={cn} in it, got {:?}", cert.subject)
    })?;
    engine.close(sock).await
}
