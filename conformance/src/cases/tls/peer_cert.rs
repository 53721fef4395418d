//! SSL-PEER-CERT and TLS-PEER-CERT-FORMAT.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::CertValue;
use crate::peers::TlsPeer;
use crate::script::{CaseResult, expect_eq};

use super::cert_format::{expect_dn, expect_utc_instant};
use super::{TLS, echoes, leaf_fingerprint, peer_cert, session, ssl_to, tls_peer, trusting};

pub const GOOD: Case = Case {
    id: "tls.peer_cert.good",
    clauses: &["SSL-PEER-CERT", "TLS-PEER-CERT-FORMAT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "peer_cert of the good leaf: subject \"O=Caspian Conformance,CN=caspian-good\", issuer \"O=Caspian \
        Conformance,CN=Caspian Test Intermediate CA\", lowercase hex SHA-256 of the DER, validfrom \
        2025-01-01T00:00:00Z, validuntil 2036-01-01T00:00:00Z (as instants: Z or +00:00, any zero fraction), sans [localhost, server.example.test, \
        127.0.0.1, ::1]; reading it twice gives the same and the session still echoes",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = session(&ctx, TlsPeer::new("good")).await?;
        let cert = peer_cert(&mut engine, sock).await?;
        expect_dn("subject", &cert.subject, &[ORGANIZATION, ("CN", "caspian-good")])?;
        expect_dn("issuer", &cert.issuer, &INTERMEDIATE)?;
        expect_eq("fingerprint", cert.fingerprint.clone(), leaf_fingerprint(&ctx, "good")?)?;
        expect_good_validity(&cert)?;
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
        expect_dn("subject", &cert.subject, &[ORGANIZATION, ("CN", "caspian-wildcard")])?;
        expect_dn("issuer", &cert.issuer, &INTERMEDIATE)?;
        expect_eq("fingerprint", cert.fingerprint.clone(), leaf_fingerprint(&ctx, "wildcard")?)?;
        expect_good_validity(&cert)?;
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
        special character, a trailing space): the subject escapes each as RFC 4514 section 2.4 says (in either \
        spelling: `\\,` or `\\2C`), and unescapes to that CN",
    run: body!(async |ctx| {
        let (mut engine, sock, _) = session(&ctx, TlsPeer::new("escaped_subject")).await?;
        let cert = peer_cert(&mut engine, sock).await?;
        let cn = "#1 Caspian, \"Escaped\" + <Test>; a\\b ";
        expect_dn("subject", &cert.subject, &[ORGANIZATION, ("CN", cn)])?;
        expect_eq("fingerprint", cert.fingerprint, leaf_fingerprint(&ctx, "escaped_subject")?)?;
        engine.close(sock).await
    }),
};

/// The first RDN of every zoo name in RFC 4514 order (the last RDN of the name comes first).
const ORGANIZATION: (&str, &str) = ("O", "Caspian Conformance");

/// The issuer of the good leaves, in RFC 4514 order.
const INTERMEDIATE: [(&str, &str); 2] = [ORGANIZATION, ("CN", "Caspian Test Intermediate CA")];

/// validfrom and validuntil of the good leaves: 2025-01-01 and 2036-01-01, at midnight UTC.
fn expect_good_validity(cert: &CertValue) -> CaseResult {
    expect_utc_instant("validfrom", &cert.validfrom, "2025-01-01T00:00:00Z")?;
    expect_utc_instant("validuntil", &cert.validuntil, "2036-01-01T00:00:00Z")
}

/// The SANs of the good leaf, as TLS-PEER-CERT-FORMAT writes them (IPs in canonical text).
const GOOD_SANS: [&str; 4] = ["localhost", "server.example.test", "127.0.0.1", "::1"];
