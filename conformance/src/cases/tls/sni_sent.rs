//! TLS-SNI-NAME as the server sees it: the name a ClientHello carries (none for an IP literal),
//! and names matched without case (RFC 6125 section 6.4.1).

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::peers::{PeerAddr, TlsPeer};
use crate::script::{CaseResult, Ctx, Script, expect, show};

use super::{TLS, echoes, good_peer, ssl_to, tls_peer, trusting};

pub const SENT: Case = Case {
    id: "tls.sni.sent",
    clauses: &["SSL-OPT-SNI", "TLS-SNI-NAME"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "the server sees the sni option's name in the ClientHello (sni server.example.test), no server_name \
        for an IP-literal sni (127.0.0.1), and in the real world the connect host without sni (localhost) and none \
        for an IP-literal host (127.0.0.1)",
    run: body!(async |ctx| {
        let peer = tls_peer(&ctx, TlsPeer { report_sni: true, ..TlsPeer::new("good") }).await;
        let mut engine = ctx.engine(Some(&format!("{},localhost", ctx.peers.host())), None).await?;
        sees(&ctx, &mut engine, &peer, Some("server.example.test"), "sni server.example.test").await?;
        sees(&ctx, &mut engine, &peer, Some("127.0.0.1"), "no sni").await?;
        if !ctx.peers.is_simulated() {
            sees(&ctx, &mut engine, &peer, None, "no sni").await?;
            let by_name = PeerAddr { host: "localhost".into(), port: peer.port };
            sees(&ctx, &mut engine, &by_name, None, "sni localhost").await?;
        }
        Ok(())
    }),
};

pub const NAMES_WITHOUT_CASE: Case = Case {
    id: "tls.sni.names_without_case",
    clauses: &["SSL-OPT-SNI", "TLS-SNI-NAME", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "host names match a certificate without regard to case (RFC 6125 6.4.1): sni SERVER.Example.Test \
        is accepted by the good leaf (DNS server.example.test), and in the real world so is the host LOCALHOST",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine(Some(&format!("{},localhost", ctx.peers.host())), None).await?;
        let sock = engine.handle(ssl_to(&good, trusting(&ctx, Some("SERVER.Example.Test")))).await?;
        echoes(&ctx, &mut engine, sock).await?;
        engine.close(sock).await?;
        if !ctx.peers.is_simulated() {
            let upper = PeerAddr { host: "LOCALHOST".into(), port: good.port };
            let sock = engine.handle(ssl_to(&upper, trusting(&ctx, None))).await?;
            echoes(&ctx, &mut engine, sock).await?;
            engine.close(sock).await?;
        }
        Ok(())
    }),
};

/// Opens an ssl socket to the reporting `peer` with `sni` and checks the first line it writes:
/// `expected` (`sni NAME`, compared without case, or `no sni`).
async fn sees(
    ctx: &Ctx,
    engine: &mut Script,
    peer: &PeerAddr,
    sni: Option<&str>,
    expected: &str,
) -> CaseResult {
    let sock = engine.handle(ssl_to(peer, trusting(ctx, sni))).await?;
    let line = engine.recv_line(sock).await?;
    let seen = String::from_utf8_lossy(&line);
    expect(seen.trim_end().eq_ignore_ascii_case(expected), || {
        format!(
            "the ClientHello to {}:{} with sni {}: the server saw {}, expected \"{expected}\"",
            peer.host,
            peer.port,
            sni.unwrap_or("(none)"),
            show(&line)
        )
    })?;
    echoes(ctx, engine, sock).await?;
    engine.close(sock).await
}
