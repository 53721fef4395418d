//! SSL-PROTOCOL, SSL-CIPHER, SSL-OPT-PROTOCOLS, TLS-CIPHER-NAME and TLS-PROTOCOLS-VALID.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::peers::{PeerAddr, TlsPeer};
use crate::script::{CaseResult, Ctx, Failure, Plain, Script, expect_mentions, expect_names};

use super::{
    TLS, TLS13_SUITES, echoes, expect_cipher_in, expect_protocol, good_args, good_peer, open_good,
    raises_exactly, session, ssl_to, tls_peer, with_protocols,
};

pub const NEGOTIATED_DEFAULT_TLS13: Case = Case {
    id: "tls.negotiated.default_tls13",
    clauses: &["SSL-PROTOCOL", "SSL-CIPHER", "TLS-CIPHER-NAME", "SSL-OPT-PROTOCOLS"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "with default protocols against a 1.2+1.3 server: protocol \"TLSv1.3\", cipher one of the TLS 1.3 \
        suites by IANA name (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256)",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = session(&ctx, TlsPeer::new("good")).await?;
        expect_protocol(&mut engine, sock, "TLSv1.3").await?;
        expect_cipher_in(&mut engine, sock, TLS13_SUITES).await?;
        echoes(&ctx, &mut engine, sock).await
    }),
};

pub const NEGOTIATED_TLS12_ONLY_PEER: Case = Case {
    id: "tls.negotiated.tls12_only_peer",
    clauses: &["SSL-PROTOCOL", "SSL-CIPHER", "TLS-CIPHER-NAME", "SSL-OPT-PROTOCOLS"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "default protocols include TLS 1.2: a 1.2-only server is reached with protocol \"TLSv1.2\" and a \
        TLS_ECDHE_ECDSA_WITH_* IANA cipher name, and echoes",
    run: body!(async |ctx| {
        let tls12 = tls12_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = open_good(&ctx, &mut engine, &tls12).await?;
        expect_protocol(&mut engine, sock, "TLSv1.2").await?;
        expect_cipher_in(&mut engine, sock, TLS12_ECDSA_SUITES).await?;
        echoes(&ctx, &mut engine, sock).await
    }),
};

pub const ONLY_TLS12: Case = Case {
    id: "tls.protocols.only_tls12",
    clauses: &["SSL-OPT-PROTOCOLS", "SSL-PROTOCOL", "TLS-CIPHER-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "protocols [\"TLSv1.2\"] against a 1.2+1.3 server negotiates \"TLSv1.2\" with a TLS 1.2 IANA cipher \
        name, and echoes",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(ssl_to(&good, with_protocols(good_args(&ctx), &["TLSv1.2"]))).await?;
        expect_protocol(&mut engine, sock, "TLSv1.2").await?;
        expect_cipher_in(&mut engine, sock, TLS12_ECDSA_SUITES).await?;
        echoes(&ctx, &mut engine, sock).await
    }),
};

pub const ONLY_TLS13: Case = Case {
    id: "tls.protocols.only_tls13",
    clauses: &["SSL-OPT-PROTOCOLS", "SSL-PROTOCOL"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "protocols [\"TLSv1.3\"] negotiates \"TLSv1.3\"; [\"TLSv1.3\", \"TLSv1.2\"] reaches a 1.2-only \
        server with \"TLSv1.2\"",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let tls12 = tls12_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(ssl_to(&good, with_protocols(good_args(&ctx), &["TLSv1.3"]))).await?;
        expect_protocol(&mut engine, sock, "TLSv1.3").await?;
        echoes(&ctx, &mut engine, sock).await?;
        let both = with_protocols(good_args(&ctx), &["TLSv1.3", "TLSv1.2"]);
        let sock = engine.handle(ssl_to(&tls12, both)).await?;
        expect_protocol(&mut engine, sock, "TLSv1.2").await
    }),
};

pub const NO_COMMON_VERSION: Case = Case {
    id: "tls.protocols.no_common_version",
    clauses: &["SSL-OPT-PROTOCOLS", "TLS-PROTOCOLS-VALID"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "protocols [\"TLSv1.3\"] against a 1.2-only server raises TlsError (not CertificateError) naming \
        host:port",
    run: body!(async |ctx| {
        let tls12 = tls12_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        let request = ssl_to(&tls12, with_protocols(good_args(&ctx), &["TLSv1.3"]));
        let raised = raises_exactly(&mut engine, request, "TlsError").await?;
        expect_names(&raised, &tls12.host, tls12.port)
    }),
};

pub const INVALID_NAMES: Case = Case {
    id: "tls.protocols.invalid_names",
    clauses: &["TLS-PROTOCOLS-VALID", "SSL-OPT-PROTOCOLS"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "protocols [TLSv1.1], [SSLv3], [TLSv1.0], [tlsv1.3], [TLSv1.3, TLSv1.1] each raise ArgumentError \
        naming protocols, before any I/O: to a closed port, not ConnectionRefused",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let mut engine = ctx.engine_for_peers().await?;
        let invalid: [&[&str]; 5] =
            [&["TLSv1.1"], &["SSLv3"], &["TLSv1.0"], &["tlsv1.3"], &["TLSv1.3", "TLSv1.1"]];
        for protocols in invalid {
            protocols_refused(&ctx, &mut engine, &closed, protocols).await?;
        }
        Ok(())
    }),
};

pub const INVALID_EMPTY: Case = Case {
    id: "tls.protocols.invalid_empty",
    clauses: &["TLS-PROTOCOLS-VALID", "SSL-OPT-PROTOCOLS"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "protocols [] raises ArgumentError naming protocols before any I/O (to a closed port: not \
        ConnectionRefused) and against the good server (no connection made)",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        protocols_refused(&ctx, &mut engine, &closed, &[]).await?;
        protocols_refused(&ctx, &mut engine, &good, &[]).await
    }),
};

pub const REPEATED: Case = Case {
    id: "tls.protocols.repeated",
    clauses: &["SSL-OPT-PROTOCOLS", "TLS-PROTOCOLS-VALID", "DEC-TLS-FILES"],
    level: Should,
    needs: TLS,
    worlds: Both,
    description: "D12: protocols [\"TLSv1.3\", \"TLSv1.3\"] is valid and negotiates \"TLSv1.3\"",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock =
            engine.handle(ssl_to(&good, with_protocols(good_args(&ctx), &["TLSv1.3", "TLSv1.3"]))).await?;
        expect_protocol(&mut engine, sock, "TLSv1.3").await
    }),
};

/// The IANA names of the TLS 1.2 suites the zoo's ECDSA P-256 good leaf can use.
const TLS12_ECDSA_SUITES: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// Starts a TLS 1.2-only peer presenting the good leaf.
async fn tls12_peer(ctx: &Ctx) -> PeerAddr {
    tls_peer(ctx, TlsPeer { tls12_only: true, ..TlsPeer::new("good") }).await
}

/// `protocols` must raise ArgumentError naming protocols, to a closed port (before any I/O).
async fn protocols_refused(
    ctx: &Ctx,
    engine: &mut Script,
    target: &PeerAddr,
    protocols: &[&str],
) -> CaseResult {
    let request = ssl_to(target, with_protocols(good_args(ctx), protocols));
    let raised = engine
        .raises(request, "ArgumentError")
        .await
        .map_err(|f| Failure::new(format!("protocols {}: {f}", protocols.plain())))?;
    expect_mentions(&raised, &["protocols"])
}
