//! SSL-OPT-SNI and TLS-SNI-NAME.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Property, Request, Value};
use crate::peers::{PeerAddr, TlsPeer};
use crate::script::expect_eq;

use super::{TLS, echoes, good_peer, rejected, ssl_to, tls_peer, trusting};

pub const ALTERNATE_NAME: Case = Case {
    id: "tls.sni.alternate_name",
    clauses: &["SSL-OPT-SNI", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "sni server.example.test (a SAN of the good leaf) is accepted, .host stays the connect host, and the \
        socket echoes",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(ssl_to(&good, trusting(&ctx, Some("server.example.test")))).await?;
        expect_eq(".host", engine.get(sock, Property::Host).await?, Value::Str(good.host.clone()))?;
        echoes(&ctx, &mut engine, sock).await
    }),
};

pub const MISMATCH: Case = Case {
    id: "tls.sni.mismatch",
    clauses: &["SSL-OPT-SNI", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "sni other.example.org (in no SAN of the good leaf) is refused: CertificateError name_mismatch naming \
        host:port",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        rejected(
            &mut engine,
            ssl_to(&good, trusting(&ctx, Some("other.example.org"))),
            &good,
            "name_mismatch",
        )
        .await
    }),
};

pub const IP_LITERAL: Case = Case {
    id: "tls.sni.ip_literal",
    clauses: &["SSL-OPT-SNI", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "an IP-literal sni is verified against the IP SANs: 127.0.0.1 and ::1 are accepted by the good leaf",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        for ip in ["127.0.0.1", "::1"] {
            let sock = engine.handle(ssl_to(&good, trusting(&ctx, Some(ip)))).await?;
            echoes(&ctx, &mut engine, sock).await?;
            engine.close(sock).await?;
        }
        Ok(())
    }),
};

pub const IP_HOST: Case = Case {
    id: "tls.sni.ip_host",
    clauses: &["SSL-OPT-SNI", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: RealOnly("the simulated peers are reached by name only; no certificate holds their address"),
    description: "connecting to 127.0.0.1 without sni verifies the IP SANs: the good leaf is accepted and echoes, the \
        DNS-only leaf is refused with CertificateError name_mismatch",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let dns_only = tls_peer(&ctx, TlsPeer::new("dns_only_by_ip")).await;
        let mut engine = ctx.engine(Some("127.0.0.1"), None).await?;
        let sock = engine.handle(Request::ssl("127.0.0.1", good.port, trusting(&ctx, None))).await?;
        echoes(&ctx, &mut engine, sock).await?;
        let target = PeerAddr { host: "127.0.0.1".into(), port: dns_only.port };
        rejected(&mut engine, ssl_to(&target, trusting(&ctx, None)), &target, "name_mismatch").await
    }),
};

pub const DEFAULT_IS_CONNECT_HOST: Case = Case {
    id: "tls.sni.default_is_connect_host",
    clauses: &["SSL-OPT-SNI", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "without sni the connect host is the verified name: sim `server` on the good leaf gives \
        CertificateError name_mismatch; real `localhost` is accepted by the good leaf and refused \
        (name_mismatch) by the wrong_host leaf",
    run: body!(async |ctx| {
        if ctx.peers.is_simulated() {
            // `server`, the connect host, is the name verified, and no certificate holds it.
            let good = good_peer(&ctx).await;
            let mut engine = ctx.engine_for_peers().await?;
            return rejected(&mut engine, ssl_to(&good, trusting(&ctx, None)), &good, "name_mismatch").await;
        }
        let good = good_peer(&ctx).await;
        let wrong_host = tls_peer(&ctx, TlsPeer::new("wrong_host")).await;
        let mut engine = ctx.engine(Some("127.0.0.1,localhost"), None).await?;
        let by_name = PeerAddr { host: "localhost".into(), port: good.port };
        let sock = engine.handle(ssl_to(&by_name, trusting(&ctx, None))).await?;
        echoes(&ctx, &mut engine, sock).await?;
        let by_name = PeerAddr { host: "localhost".into(), port: wrong_host.port };
        rejected(&mut engine, ssl_to(&by_name, trusting(&ctx, None)), &by_name, "name_mismatch").await
    }),
};
