//! SSL-OPEN failures: a stalled handshake, a plaintext peer, a refused or denied connect.

use crate::body;
use crate::cases::support::Stopwatch;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, Wait};
use crate::peers::{Peer, Step};
use crate::script::{expect, expect_names};
use crate::waits::Waits;

use super::{TLS, good_args, good_peer, raises_exactly, ssl_to, trusting};

pub const HANDSHAKE_STALL: Case = Case {
    id: "tls.open.handshake_stall",
    clauses: &["SSL-OPEN", "IO-TIMEOUT-DEFAULT", "DEC-SSL-TIMEOUT-SPANS"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a server that accepts and never answers the ClientHello: ssl with timeout 0.5 s (5 s in sim) raises \
        Timeout naming host:port, not before the timeout",
    run: body!(async |ctx| {
        let silent = ctx.peers.tcp(Peer::Script(vec![])).await;
        let mut engine = ctx.engine_for_peers().await?;
        let stall = Waits::of(&ctx).stall();
        let request = Request::Ssl {
            host: silent.host.clone(),
            port: silent.port.into(),
            timeout: Some(Wait::Seconds(stall)),
            tls: good_args(&ctx),
        };
        let started = Stopwatch::start(&ctx);
        let raised = engine.raises(request, "Timeout").await?;
        let elapsed = started.seconds(&ctx);
        expect_names(&raised, &silent.host, silent.port)?;
        expect(elapsed >= stall * 0.9, || {
            format!("Timeout after {elapsed:.3}s, before the {stall}s timeout")
        })?;
        expect(elapsed < stall + 5.0, || format!("Timeout after {elapsed:.3}s for a {stall}s timeout"))?;
        Ok(())
    }),
};

pub const PLAINTEXT_PEER: Case = Case {
    id: "tls.open.plaintext_peer",
    clauses: &["SSL-OPEN"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "ssl to a plaintext echo peer, and to one sending an SMTP banner, raises TlsError (not \
        CertificateError) naming host:port",
    run: body!(async |ctx| {
        let echo = ctx.peers.tcp(Peer::Echo).await;
        let banner =
            ctx.peers.tcp(Peer::Script(vec![Step::Send(b"220 smtp.example ESMTP ready\r\n".to_vec())])).await;
        let mut engine = ctx.engine_for_peers().await?;
        for peer in [&echo, &banner] {
            let raised = raises_exactly(&mut engine, ssl_to(peer, good_args(&ctx)), "TlsError").await?;
            expect_names(&raised, &peer.host, peer.port)?;
        }
        Ok(())
    }),
};

pub const REFUSED: Case = Case {
    id: "tls.open.refused",
    clauses: &["SSL-OPEN", "TCP-OPEN-REFUSED"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "ssl to a port where nothing listens raises ConnectionRefused (not TlsError) naming host:port",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let mut engine = ctx.engine_for_peers().await?;
        let raised = engine.raises(ssl_to(&closed, good_args(&ctx)), "ConnectionRefused").await?;
        expect_names(&raised, &closed.host, closed.port)
    }),
};

pub const DENIED: Case = Case {
    id: "tls.open.denied",
    clauses: &["SSL-OPEN", "PERM-DEFAULT-DENY", "PERM-BEFORE-IO", "PERM-ERROR"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "without --allow-net, ssl raises PermissionDenied naming host:port, before any I/O (to a closed port: \
        not ConnectionRefused; to the good server: no handshake)",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine(None, None).await?;
        for target in [&closed, &good] {
            let raised = engine.raises(ssl_to(target, good_args(&ctx)), "PermissionDenied").await?;
            expect_names(&raised, &target.host, target.port)?;
        }
        Ok(())
    }),
};

pub const SNI_GRANTS_NOTHING: Case = Case {
    id: "tls.open.sni_grants_nothing",
    clauses: &["SSL-OPEN", "SSL-OPT-SNI", "PERM-LITERAL", "PERM-ERROR"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "--allow-net=localhost does not let ssl reach the peers' host with sni localhost: PermissionDenied \
        naming the connect host and port (permissions check the connect host, not the sni)",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine(Some("localhost"), None).await?;
        let raised =
            engine.raises(ssl_to(&good, trusting(&ctx, Some("localhost"))), "PermissionDenied").await?;
        expect_names(&raised, &good.host, good.port)
    }),
};
