//! Handshakes broken on purpose (DEC-HANDSHAKE-BROKEN): a peer that resets, hangs up, or
//! answers the ClientHello with bytes that are not TLS, an alert, a record longer than TLS
//! allows, or a chain of thousands of certificates. Each fails with its class within the call's
//! timeout (a Timeout would be a wrong class), and a good session still opens afterwards. The
//! reference holds at most one record (rustls caps a handshake message at 65,535 bytes).

use crate::body;
use crate::cases::tls::{TLS, echoes, good_args, good_peer, open_good, raises_exactly};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, Wait};
use crate::peers::{Peer, Step, TlsPeer};
use crate::script::{CaseResult, Ctx, expect_names};
use crate::waits::Waits;

/// A TLS alert record: fatal handshake_failure.
const ALERT: &[u8] = &[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];

/// `ssl` (with the ok timeout) to a peer that reads the ClientHello's first five bytes, then
/// does `then`, must raise exactly `class` naming host:port; a good session then still opens.
async fn broken_by(ctx: &Ctx, then: Vec<Step>, class: &str) -> CaseResult {
    let mut steps = vec![Step::Recv(5)];
    steps.extend(then);
    broken_handshake(ctx, Peer::Script(steps), class).await
}

/// `ssl` (with the ok timeout) to `hostile` must raise exactly `class` naming host:port; a good
/// session then still opens and echoes.
async fn broken_handshake(ctx: &Ctx, hostile: Peer, class: &str) -> CaseResult {
    let hostile = ctx.peers.tcp(hostile).await;
    let mut engine = ctx.engine_for_peers().await?;
    let request = Request::Ssl {
        host: hostile.host.clone(),
        port: hostile.port.into(),
        timeout: Some(Wait::Seconds(Waits::of(ctx).ok())),
        tls: good_args(ctx),
    };
    let raised = raises_exactly(&mut engine, request, class).await?;
    expect_names(&raised, &hostile.host, hostile.port)?;
    let good = good_peer(ctx).await;
    let sock = open_good(ctx, &mut engine, &good).await?;
    echoes(ctx, &mut engine, sock).await?;
    engine.close(sock).await
}

pub const RESET: Case = Case {
    id: "hostile.handshake.reset",
    clauses: &["SSL-OPEN", "DEC-HANDSHAKE-BROKEN", "DEC-OS-ERRORS"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a peer that reads five bytes of the ClientHello and resets the connection: ssl raises \
        ConnectionReset naming host:port; a good session then opens",
    run: body!(async |ctx| broken_by(&ctx, vec![Step::Close], "ConnectionReset").await),
};

pub const HANG_UP: Case = Case {
    id: "hostile.handshake.hang_up",
    clauses: &["SSL-OPEN", "DEC-HANDSHAKE-BROKEN"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a peer that reads five bytes of the ClientHello and ends its side: ssl raises TlsError (not \
        EndOfStream, not Timeout) naming host:port; a good session then opens",
    run: body!(async |ctx| broken_by(&ctx, vec![Step::ShutdownWrite], "TlsError").await),
};

pub const GARBAGE: Case = Case {
    id: "hostile.handshake.garbage",
    clauses: &["SSL-OPEN", "DEC-HANDSHAKE-BROKEN"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a peer that answers the ClientHello with 4 KiB of binary garbage: ssl raises TlsError naming \
        host:port; a good session then opens",
    run: body!(async |ctx| {
        let garbage = (0..4096u32).map(|i| (i.wrapping_mul(151) ^ 0x80) as u8).collect();
        broken_by(&ctx, vec![Step::Send(garbage)], "TlsError").await
    }),
};

pub const ALERT_REPLY: Case = Case {
    id: "hostile.handshake.alert",
    clauses: &["SSL-OPEN", "DEC-HANDSHAKE-BROKEN"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a peer that answers the ClientHello with a fatal handshake_failure alert: ssl raises TlsError \
        (not CertificateError) naming host:port; a good session then opens",
    run: body!(async |ctx| broken_by(&ctx, vec![Step::Send(ALERT.to_vec())], "TlsError").await),
};

pub const OVERSIZED_RECORD: Case = Case {
    id: "hostile.handshake.oversized_record",
    clauses: &["SSL-OPEN", "DEC-HANDSHAKE-BROKEN"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a peer that answers the ClientHello with a record header announcing 65,535 bytes (over TLS's \
        2^14 + 2048), then 1 KiB, then silence: ssl raises TlsError naming host:port at once, not Timeout \
        waiting for the rest; a good session then opens",
    run: body!(async |ctx| {
        let mut record = vec![0x16, 0x03, 0x03, 0xFF, 0xFF];
        record.extend(std::iter::repeat_n(0u8, 1024));
        broken_by(&ctx, vec![Step::Send(record)], "TlsError").await
    }),
};

pub const HUGE_CHAIN: Case = Case {
    id: "hostile.handshake.huge_chain",
    clauses: &["SSL-OPEN", "DEC-HANDSHAKE-BROKEN"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a TLS server presenting the good leaf with 3,000 more certificates in its chain (over 1 MiB): \
        ssl raises TlsError (not CertificateError, not Timeout) naming host:port; a good session then opens",
    run: body!(async |ctx| {
        let peer = TlsPeer { chain_padding: 3000, ..TlsPeer::new("good") };
        broken_handshake(&ctx, Peer::Tls(peer), "TlsError").await
    }),
};
