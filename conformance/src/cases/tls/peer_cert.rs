//! SSL-PEER-CERT and TLS-PEER-CERT-FORMAT.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::peers::TlsPeer;
use crate::script::expect_eq;

use super::{TLS, echoes, leaf_fingerprint, peer_cert, session, ssl_to, tls_peer, trusting};

pub const GOOD: Case = Case {
    id: "tls.peer_cert.good",
    clauses: &["SSL-PEER-CERT", "TLS-PEER-CERT-FORMAT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "peer_cert of the good leaf: subject \"O=Caspian Conformance,CN=caspian-good\", issuer \"O=Caspian \
        Conformance,CN=Caspian Test Intermediate CA\", lowercase hex SHA-256 of the DER, validfrom \
        2025-01-01T00:00:00Z, validuntil 2036-01-01T00:00:00Z, sans [localhost, server.example.test, \
        127.0.0.1, ::1]; reading it twice gives the same and the session still echoes",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = session(&ctx, TlsPeer::new("good")).await?;
        let cert = peer_cert(&mut engine, sock).await?;
        expect_eq("subject", cert.subject.as_str(), "O=Caspian Conformance,CN=caspian-good")?;
        expect_eq("issuer", cert.issuer.as_str(), "O=Caspian Conformance,CN=Caspian Test Intermediate CA")?;
        expect_eq("fingerprint", cert.fingerprint.clone(), leaf_fingerprint(&ctx, "good")?)?;
        expect_eq("validfrom", cert.validfrom.as_str(), "2025-01-01T00:00:00Z")?;
        expect_eq("validuntil", cert.validuntil.as_str(), "2036-01-01T00:00:00Z")?;
        expect_eq("sans", cert.sans.clone(), GOOD_SANS.map(String::from).to_vec())?;
        echoes(&ctx, &mut engine, sock).await?;
        expect_eq("peer_cert read again", peer_cert(&mut engine, sock).await?, cert)?;
        engine.close(sock).await
    }),
};

pub const WILDCARD: Case = Case {
    id: "tls.peer_cert.wildcard",
    clauses: &["SSL-PEER-CERT", "TLS-PEER-CERT-FORMAT", "SSL-OPT-SNI"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "peer_cert of the wildcard leaf (sni a.example.test): subject \"O=Caspian Conformance,\
        CN=caspian-wildcard\", its fingerprint, and sans exactly [\"*.example.test\"] as written",
    run: body!(async |ctx| {
        let wildcard = tls_peer(&ctx, TlsPeer::new("wildcard")).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(ssl_to(&wildcard, trusting(&ctx, Some("a.example.test")))).await?;
        let cert = peer_cert(&mut engine, sock).await?;
        expect_eq("subject", cert.subject.as_str(), "O=Caspian Conformance,CN=caspian-wildcard")?;
        expect_eq("issuer", cert.issuer.as_str(), "O=Caspian Conformance,CN=Caspian Test Intermediate CA")?;
        expect_eq("fingerprint", cert.fingerprint.clone(), leaf_fingerprint(&ctx, "wildcard")?)?;
        expect_eq("validfrom", cert.validfrom.as_str(), "2025-01-01T00:00:00Z")?;
        expect_eq("validuntil", cert.validuntil.as_str(), "2036-01-01T00:00:00Z")?;
        expect_eq("sans", cert.sans, vec!["*.example.test".to_string()])?;
        echoes(&ctx, &mut engine, sock).await
    }),
};

pub const ESCAPED_SUBJECT: Case = Case {
    id: "tls.peer_cert.escaped_subject",
    clauses: &["SSL-PEER-CERT", "TLS-PEER-CERT-FORMAT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "peer_cert of a leaf whose CN is `#1 Caspian, \"Escaped\" + <Test>; a\\b ` (a leading #, every \
        special character, a trailing space): the subject escapes each as RFC 4514 section 2.4 says",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = session(&ctx, TlsPeer::new("escaped_subject")).await?;
        let cert = peer_cert(&mut engine, sock).await?;
        let expected = r#"O=Caspian Conformance,CN=\#1 Caspian\, \"Escaped\" \+ \<Test\>\; a\\b\ "#;
        expect_eq("subject", cert.subject.as_str(), expected)?;
        expect_eq("fingerprint", cert.fingerprint, leaf_fingerprint(&ctx, "escaped_subject")?)?;
        engine.close(sock).await
    }),
};

/// The SANs of the good leaf, as TLS-PEER-CERT-FORMAT writes them.
const GOOD_SANS: [&str; 4] = ["localhost", "server.example.test", "127.0.0.1", "::1"];
