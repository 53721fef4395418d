//! DEC-TLS-FILES and TLS-CLIENT-PAIR: a `client_cert` file that is well-formed PEM but whose
//! CERTIFICATE section holds no certificate is the fault of `client_cert`, not of the key that
//! comes with it.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::TlsArgs;
use crate::script::{Ctx, Failure, expect_argument};

use super::{TLS, good_args, ssl_to};

/// A PEM CERTIFICATE section whose bytes are the words "not a certificate", not DER.
const GARBAGE_PEM: &str =
    "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";

pub const NOT_A_CERTIFICATE: Case = Case {
    id: "tls.client_cert.not_a_certificate",
    clauses: &["SSL-OPT-CLIENT-CERT", "TLS-CLIENT-PAIR", "DEC-TLS-FILES"],
    level: Should,
    needs: TLS,
    worlds: Both,
    description: "D12: a client_cert file holding a PEM CERTIFICATE section that is not a certificate, with the \
        zoo's client key, raises ArgumentError naming client_cert, before any I/O (to a closed port: not \
        ConnectionRefused)",
    run: body!(async |ctx| {
        let file = ScratchFile::write(&ctx, GARBAGE_PEM)?;
        let closed = ctx.peers.closed_port().await;
        let mut engine = ctx.engine_for_peers().await?;
        let tls = TlsArgs {
            client_cert: Some(file.path()),
            client_key: Some(ctx.cert("client.key.pem")),
            ..good_args(&ctx)
        };
        let raised = engine.raises(ssl_to(&closed, tls), "ArgumentError").await?;
        expect_argument(&raised, "client_cert")
    }),
};

/// A file of this case's own in the temporary directory, removed when dropped.
struct ScratchFile(std::path::PathBuf);

impl ScratchFile {
    fn write(ctx: &Ctx, contents: &str) -> Result<Self, Failure> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let world = if ctx.peers.is_simulated() { "sim" } else { "real" };
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir()
            .join(format!("caspian-tls-{}-not-a-cert-{world}-{n}.pem", std::process::id()));
        std::fs::write(&path, contents)
            .map_err(|e| Failure::new(format!("write {}: {e}", path.display())))?;
        Ok(Self(path))
    }

    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
