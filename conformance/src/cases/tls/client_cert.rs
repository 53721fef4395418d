//! SSL-OPT-CLIENT-CERT and TLS-CLIENT-PAIR.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, TlsArgs, Value, class_is_a};
use crate::peers::{PeerAddr, TlsPeer};
use crate::script::{CaseResult, Ctx, Failure, expect, expect_mentions, expect_names};
use crate::waits::Waits;

use super::{TLS, echoes, expect_protocol, good_args, ssl_to, tls_peer, with_protocols};

pub const PAIR_ACCEPTED: Case = Case {
    id: "tls.client_cert.pair_accepted",
    clauses: &["SSL-OPT-CLIENT-CERT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a server requiring a client certificate accepts the client pair over TLSv1.2 and TLSv1.3 (protocol \
        as asked) and echoes",
    run: body!(async |ctx| {
        let server = client_auth_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        for protocol in ["TLSv1.2", "TLSv1.3"] {
            let sock = engine.handle(ssl_to(&server, mutual(&ctx, protocol, true, true))).await?;
            expect_protocol(&mut engine, sock, protocol).await?;
            echoes(&ctx, &mut engine, sock).await?;
            engine.close(sock).await?;
        }
        Ok(())
    }),
};

pub const MISSING_TLS12: Case = Case {
    id: "tls.client_cert.missing_tls12",
    clauses: &["SSL-OPT-CLIENT-CERT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "without a client certificate, over TLSv1.2, the server's refusal raises TlsError from ssl itself \
        (in the handshake), naming host:port",
    run: body!(async |ctx| refused_without_cert(&ctx, "TLSv1.2", true).await),
};

pub const MISSING_TLS13: Case = Case {
    id: "tls.client_cert.missing_tls13",
    clauses: &["SSL-OPT-CLIENT-CERT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "without a client certificate, over TLSv1.3, the server's refusal raises TlsError (from ssl or from \
        the first recv_line), naming host:port, never a line nor ConnectionReset",
    run: body!(async |ctx| refused_without_cert(&ctx, "TLSv1.3", false).await),
};

pub const CERT_WITHOUT_KEY: Case = Case {
    id: "tls.client_cert.cert_without_key",
    clauses: &["TLS-CLIENT-PAIR", "SSL-OPT-CLIENT-CERT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "client_cert without client_key raises ArgumentError naming client_key, before any I/O (to a closed \
        port: not ConnectionRefused)",
    run: body!(async |ctx| {
        argument_error_before_io(&ctx, mutual(&ctx, "TLSv1.3", true, false), "client_key").await
    }),
};

pub const KEY_WITHOUT_CERT: Case = Case {
    id: "tls.client_cert.key_without_cert",
    clauses: &["TLS-CLIENT-PAIR", "SSL-OPT-CLIENT-CERT"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "client_key without client_cert raises ArgumentError naming client_cert, before any I/O (to a closed \
        port: not ConnectionRefused)",
    run: body!(async |ctx| {
        argument_error_before_io(&ctx, mutual(&ctx, "TLSv1.3", false, true), "client_cert").await
    }),
};

pub const UNUSABLE: Case = Case {
    id: "tls.client_cert.unusable",
    clauses: &["TLS-CLIENT-PAIR", "SSL-OPT-CLIENT-CERT", "DEC-TLS-FILES"],
    level: Should,
    needs: TLS,
    worlds: Both,
    description: "D12: a client_cert file that does not exist raises ArgumentError naming client_cert; a missing \
        client_key file, or a key that is not the certificate's, ArgumentError naming client_key; before \
        any I/O",
    run: body!(async |ctx| {
        let pair = mutual(&ctx, "TLSv1.3", true, true);
        let cases = [
            ("client_cert", TlsArgs { client_cert: Some(ctx.cert("no-such-client.pem")), ..pair.clone() }),
            ("client_key", TlsArgs { client_key: Some(ctx.cert("no-such-client.key.pem")), ..pair.clone() }),
            ("client_key", TlsArgs { client_key: Some(ctx.cert("good.key.pem")), ..pair.clone() }),
        ];
        for (argument, tls) in cases {
            argument_error_before_io(&ctx, tls, argument).await?;
        }
        Ok(())
    }),
};

/// Options for the client-auth peer over `protocol`, with the client pair's halves as asked.
fn mutual(ctx: &Ctx, protocol: &str, cert: bool, key: bool) -> TlsArgs {
    TlsArgs {
        client_cert: cert.then(|| ctx.cert("client.chain.pem")),
        client_key: key.then(|| ctx.cert("client.key.pem")),
        ..with_protocols(good_args(ctx), &[protocol])
    }
}

/// Starts a peer for the good leaf that requires a client certificate under the zoo's root.
async fn client_auth_peer(ctx: &Ctx) -> PeerAddr {
    tls_peer(ctx, TlsPeer { client_auth: true, ..TlsPeer::new("good") }).await
}

/// The server's refusal of a client without a certificate: from ssl, or (when `in_handshake`
/// is false) from the first recv_line. It must be a TlsError naming the server.
async fn refused_without_cert(ctx: &Ctx, protocol: &str, in_handshake: bool) -> CaseResult {
    let server = client_auth_peer(ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let raised = match engine.call(ssl_to(&server, mutual(ctx, protocol, false, false))).await {
        Err(raised) => raised,
        Ok(Value::Handle(sock)) if !in_handshake => {
            match engine.call(Request::recv_line(sock, Waits::of(ctx).ok_opts())).await {
                Err(raised) => raised,
                Ok(value) => {
                    return Err(Failure::mismatch(
                        "recv_line from a server requiring a client certificate",
                        "TlsError raised",
                        value,
                    ));
                }
            }
        }
        Ok(value) => {
            return Err(Failure::mismatch(
                &format!("ssl over {protocol} without a client certificate"),
                "TlsError raised",
                value,
            ));
        }
    };
    expect(class_is_a(&raised.class, "TlsError"), || {
        format!("expected TlsError (the server's refusal), got {}: {}", raised.class, raised.message)
    })?;
    expect_names(&raised, &server.host, server.port)
}

/// `tls` to a closed port must raise ArgumentError naming `argument`.
async fn argument_error_before_io(ctx: &Ctx, tls: TlsArgs, argument: &str) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = ctx.engine_for_peers().await?;
    let raised = engine.raises(ssl_to(&closed, tls), "ArgumentError").await?;
    expect_mentions(&raised, &[argument])
}
