//! TLS-SYSTEM-BUNDLE and SSL-DEFAULT-SAFE for `starttls`: a tcp socket upgrades against the same
//! system bundle as `%net.ssl`, the one the engine's own `SSL_CERT_FILE` names.

use std::collections::BTreeMap;

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, Session, TlsArgs};
use crate::peers::{PeerAddr, TlsPeer};
use crate::script::{Ctx, Failure, Script, expect, expect_names, expect_reason, show};
use crate::waits::Waits;

use super::{TLS, echoes, good_sni, tls_peer};

pub const SSL_CERT_FILE: Case = Case {
    id: "tls.system_bundle.starttls",
    clauses: &["TLS-SYSTEM-BUNDLE", "SSL-DEFAULT-SAFE", "SSL-UPGRADE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "starttls with default options (no ca_bundle) trusts the system bundle as ssl does: with \
        SSL_CERT_FILE = root-ca.pem it upgrades and echoes; with SSL_CERT_FILE = other-root-ca.pem it raises \
        CertificateError unknown_issuer naming host:port",
    run: body!(async |ctx| {
        let (mut engine, _, tcp) = starttls_ready(&ctx, "root-ca.pem").await?;
        let tls = engine.handle(Request::Starttls { handle: tcp, tls: defaults(&ctx) }).await?;
        echoes(&ctx, &mut engine, tls).await?;
        engine.close(tls).await?;

        let (mut other, peer, tcp) = starttls_ready(&ctx, "other-root-ca.pem").await?;
        let raised =
            other.raises(Request::Starttls { handle: tcp, tls: defaults(&ctx) }, "CertificateError").await?;
        expect_reason(&raised, "unknown_issuer")?;
        expect_names(&raised, &peer.host, peer.port)
    }),
};

/// The default options but for the sni that makes the good leaf match (no ca_bundle).
fn defaults(ctx: &Ctx) -> TlsArgs {
    TlsArgs { sni: good_sni(ctx), ..TlsArgs::default() }
}

/// An engine whose `SSL_CERT_FILE` is the zoo file `bundle`, with a tcp socket to a STARTTLS
/// peer for the good leaf, after the plaintext exchange.
async fn starttls_ready(
    ctx: &Ctx,
    bundle: &str,
) -> Result<(Script, PeerAddr, crate::contract::Handle), Failure> {
    const REPLY: &[u8] = b"220 go ahead\r\n";
    let peer = tls_peer(ctx, TlsPeer { starttls_reply: Some(REPLY.to_vec()), ..TlsPeer::new("good") }).await;
    let session = Session {
        allow_net: Some(ctx.peers.host().to_string()),
        env: BTreeMap::from([("SSL_CERT_FILE".to_string(), ctx.cert(bundle))]),
        ..Session::default()
    };
    let mut engine =
        ctx.start(session).await.map_err(|e| Failure::new(format!("the engine did not start: {e}")))?;
    let tcp = engine.tcp(&peer.host, peer.port).await?;
    engine.send_all(tcp, b"STARTTLS\r\n").await?;
    let line = engine.bytes(Request::recv_line(tcp, Waits::of(ctx).ok_opts())).await?;
    expect(line == REPLY, || format!("the STARTTLS reply: expected {}, got {}", show(REPLY), show(&line)))?;
    Ok((engine, peer, tcp))
}
