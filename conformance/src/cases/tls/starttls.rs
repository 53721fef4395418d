//! SSL-UPGRADE, TCP-STARTTLS and IO-STARTTLS-BUFFER.

use crate::body;
use crate::cases::support::recv_opts;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Handle, Property, Request, TlsArgs, Value};
use crate::peers::{PeerAddr, TlsPeer};
use crate::script::{Ctx, Failure, Script, expect, expect_eq, expect_mentions, expect_names, show};
use crate::waits::Waits;

use super::{
    TLS, echoes, echoes_line, expect_protocol, good_args, leaf_fingerprint, peer_cert, raises_exactly,
    rejected, tls_peer, trusting, with_protocols,
};

pub const UPGRADES: Case = Case {
    id: "tls.starttls.upgrades",
    clauses: &["SSL-UPGRADE", "TCP-STARTTLS", "SSL-PROTOCOL", "SSL-PEER-CERT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "after a plaintext STARTTLS exchange, starttls returns a new ssl handle with the same host and port, \
        TLSv1.3, the good leaf as peer_cert, that echoes",
    run: body!(async |ctx| {
        let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
        let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
        expect(tls != tcp, || format!("starttls returned the tcp handle {tcp} itself"))?;
        expect_eq(
            ".host of the ssl socket",
            engine.get(tls, Property::Host).await?,
            Value::Str(peer.host.clone()),
        )?;
        expect_eq(
            ".port of the ssl socket",
            engine.get(tls, Property::Port).await?,
            Value::Int(peer.port.into()),
        )?;
        expect_eq(
            ".connected? of the ssl socket",
            engine.get(tls, Property::Connected).await?,
            Value::Bool(true),
        )?;
        expect_protocol(&mut engine, tls, "TLSv1.3").await?;
        expect_eq(
            ".peer_cert fingerprint",
            peer_cert(&mut engine, tls).await?.fingerprint,
            leaf_fingerprint(&ctx, "good")?,
        )?;
        echoes(&ctx, &mut engine, tls).await?;
        engine.close(tls).await
    }),
};

pub const OLD_HANDLE_CLOSED: Case = Case {
    id: "tls.starttls.old_handle_closed",
    clauses: &["SSL-UPGRADE", "TCP-STARTTLS", "TCP-PROP-CONNECTED"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "after starttls the tcp handle reports connected? false and send, send_all, recv, recv_line, \
        recv_exact, shutdown and starttls on it raise Closed (send's naming host:port)",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
        let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
        expect_eq(
            ".connected? of the old tcp handle",
            engine.get(tcp, Property::Connected).await?,
            Value::Bool(false),
        )?;
        let raised = engine.raises(Request::send(tcp, b"x"), "Closed").await?;
        expect_names(&raised, &peer.host, peer.port)?;
        engine.raises(Request::send_all(tcp, b"x"), "Closed").await?;
        engine.raises(recv_opts(tcp, 1, waits.ok_opts()), "Closed").await?;
        engine.raises(Request::recv_line(tcp, waits.ok_opts()), "Closed").await?;
        engine.raises(Request::recv_exact(tcp, 1, waits.ok_opts()), "Closed").await?;
        engine.raises(Request::shutdown(tcp, ":send"), "Closed").await?;
        engine.raises(starttls(tcp, good_args(&ctx)), "Closed").await?;
        // None of that touched the live session.
        echoes(&ctx, &mut engine, tls).await
    }),
};

pub const CLOSE_OLD_HANDLE: Case = Case {
    id: "tls.starttls.close_old_handle",
    clauses: &["SSL-UPGRADE", "TCP-STARTTLS", "IO-CLOSE-IDEMPOTENT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "closing the old tcp handle (twice) after starttls returns nil and leaves the ssl socket connected \
        and echoing",
    run: body!(async |ctx| {
        let (mut engine, _peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
        let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
        echoes(&ctx, &mut engine, tls).await?;
        engine.close(tcp).await?;
        engine.close(tcp).await?;
        expect_eq(
            ".connected? of the ssl socket",
            engine.get(tls, Property::Connected).await?,
            Value::Bool(true),
        )?;
        echoes_line(&ctx, &mut engine, tls, b"still alive\n").await?;
        engine.close(tls).await
    }),
};

pub const BAD_OPTIONS_KEEP_TCP: Case = Case {
    id: "tls.starttls.bad_options_keep_tcp",
    clauses: &["TCP-STARTTLS", "TLS-PROTOCOLS-VALID"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "starttls with protocols [] raises ArgumentError naming protocols and does not consume the tcp \
        socket: it stays connected and a correct starttls then upgrades it",
    run: body!(async |ctx| {
        let (mut engine, _peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
        let raised =
            engine.raises(starttls(tcp, with_protocols(good_args(&ctx), &[])), "ArgumentError").await?;
        expect_mentions(&raised, &["protocols"])?;
        expect_eq(
            ".connected? of the tcp socket",
            engine.get(tcp, Property::Connected).await?,
            Value::Bool(true),
        )?;
        let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
        echoes(&ctx, &mut engine, tls).await
    }),
};

pub const VERIFIES: Case = Case {
    id: "tls.starttls.verifies",
    clauses: &["TCP-STARTTLS", "SSL-OPT-VERIFY", "SSL-OPT-CA-BUNDLE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "starttls verifies like ssl: with a ca_bundle of the other root it raises CertificateError \
        unknown_issuer; with sni other.example.org, CertificateError name_mismatch",
    run: body!(async |ctx| {
        let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
        let other_root = TlsArgs { ca_bundle: Some(ctx.cert("other-root-ca.pem")), ..good_args(&ctx) };
        rejected(&mut engine, starttls(tcp, other_root), &peer, "unknown_issuer").await?;

        let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
        rejected(
            &mut engine,
            starttls(tcp, trusting(&ctx, Some("other.example.org"))),
            &peer,
            "name_mismatch",
        )
        .await
    }),
};

pub const BUFFERED_PLAINTEXT: Case = Case {
    id: "tls.starttls.buffered_plaintext",
    clauses: &["IO-STARTTLS-BUFFER", "TCP-STARTTLS"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a reply \"220 go\\r\\nINJECTED\" in one write: after recv_line, starttls raises TlsError (not \
        CertificateError) naming host:port, the tcp socket stays connected and recv_exact(8) returns INJECTED",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go\r\nINJECTED").await?;
        let raised = raises_exactly(&mut engine, starttls(tcp, good_args(&ctx)), "TlsError").await?;
        expect_names(&raised, &peer.host, peer.port)?;
        expect_eq(
            ".connected? of the tcp socket",
            engine.get(tcp, Property::Connected).await?,
            Value::Bool(true),
        )?;
        engine
            .expect_bytes("the buffered plaintext", Request::recv_exact(tcp, 8, waits.ok_opts()), b"INJECTED")
            .await
    }),
};

pub const BUFFER_DRAINED_THEN_UPGRADES: Case = Case {
    id: "tls.starttls.buffer_drained_then_upgrades",
    clauses: &["IO-STARTTLS-BUFFER", "TCP-STARTTLS", "SSL-UPGRADE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "after the refused starttls and reading the injected bytes, starttls on the same tcp socket succeeds \
        and the ssl socket echoes",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let (mut engine, _peer, tcp) = starttls_ready(&ctx, b"220 go\r\nINJECTED").await?;
        raises_exactly(&mut engine, starttls(tcp, good_args(&ctx)), "TlsError").await?;
        engine.bytes(Request::recv_exact(tcp, 8, waits.ok_opts())).await?;
        let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
        echoes(&ctx, &mut engine, tls).await?;
        engine.close(tls).await
    }),
};

/// `starttls` on `handle`.
fn starttls(handle: Handle, tls: TlsArgs) -> Request {
    Request::Starttls { handle, tls }
}

/// A tcp socket to a STARTTLS peer for the good leaf answering `reply`, after the plaintext
/// exchange (the reply's first line read).
async fn starttls_ready(ctx: &Ctx, reply: &[u8]) -> Result<(Script, PeerAddr, Handle), Failure> {
    let peer = tls_peer(ctx, TlsPeer { starttls_reply: Some(reply.to_vec()), ..TlsPeer::new("good") }).await;
    let mut engine = ctx.engine_for_peers().await?;
    let tcp = engine.tcp(&peer.host, peer.port).await?;
    engine.send_all(tcp, b"STARTTLS\r\n").await?;
    let line = engine.bytes(Request::recv_line(tcp, Waits::of(ctx).ok_opts())).await?;
    let first = reply.iter().position(|&b| b == b'\n').map_or(reply, |i| &reply[..=i]);
    expect(line == first, || format!("the STARTTLS reply: expected {}, got {}", show(first), show(&line)))?;
    Ok((engine, peer, tcp))
}
