//! SSL-OPT-CA-BUNDLE, TLS-CA-REPLACES, SSL-DEFAULT-SAFE and TLS-SYSTEM-BUNDLE: which roots are trusted.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Session, TlsArgs};
use crate::script::{Ctx, Failure, Script, expect_mentions};

use super::{TLS, echoes, good_args, good_peer, good_sni, rejected, ssl_to};

pub const OTHER_ROOT: Case = Case {
    id: "tls.ca_bundle.other_root",
    clauses: &["SSL-OPT-CA-BUNDLE", "TLS-CA-REPLACES", "SSL-OPT-VERIFY"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "with ca_bundle other-root-ca.pem the good server is refused: CertificateError unknown_issuer naming \
        host:port",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        rejected(&mut engine, ssl_to(&good, other_root(&ctx)), &good, "unknown_issuer").await
    }),
};

pub const REPLACES_SYSTEM: Case = Case {
    id: "tls.ca_bundle.replaces_system",
    clauses: &["TLS-CA-REPLACES", "SSL-OPT-CA-BUNDLE", "TLS-SYSTEM-BUNDLE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "with SSL_CERT_FILE = root-ca.pem the good server is accepted with default options, yet a ca_bundle \
        of other-root-ca.pem replaces that bundle: CertificateError unknown_issuer",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = engine_with_env(&ctx, &[("SSL_CERT_FILE", ctx.cert("root-ca.pem"))]).await?;
        let sock = engine.handle(ssl_to(&good, defaults(&ctx))).await?;
        echoes(&ctx, &mut engine, sock).await?;
        rejected(&mut engine, ssl_to(&good, other_root(&ctx)), &good, "unknown_issuer").await
    }),
};

pub const SEVERAL_ROOTS: Case = Case {
    id: "tls.ca_bundle.several_roots",
    clauses: &["SSL-OPT-CA-BUNDLE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "a ca_bundle file holding the other root then the zoo's root trusts both: the good server is \
        accepted and echoes",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let scratch = Scratch::new(&ctx, "bundle")?;
        let mut pem = zoo_bytes(&ctx, "other-root-ca.pem")?;
        pem.extend(zoo_bytes(&ctx, "root-ca.pem")?);
        let bundle = scratch.write("both-roots.pem", &pem)?;
        let mut engine = ctx.engine_for_peers().await?;
        let sock =
            engine.handle(ssl_to(&good, TlsArgs { ca_bundle: Some(bundle), ..good_args(&ctx) })).await?;
        echoes(&ctx, &mut engine, sock).await
    }),
};

pub const UNUSABLE: Case = Case {
    id: "tls.ca_bundle.unusable",
    clauses: &["SSL-OPT-CA-BUNDLE", "DEC-TLS-FILES"],
    level: Should,
    needs: TLS,
    worlds: Both,
    description: "D12: a ca_bundle that does not exist, or holds no certificate (a key file, index.txt), raises \
        ArgumentError naming ca_bundle, before any I/O (to a closed port: not ConnectionRefused)",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let mut engine = ctx.engine_for_peers().await?;
        for bundle in [ctx.cert("no-such-bundle.pem"), ctx.cert("good.key.pem"), ctx.cert("index.txt")] {
            let request = ssl_to(&closed, TlsArgs { ca_bundle: Some(bundle.clone()), ..good_args(&ctx) });
            let raised = engine
                .raises(request, "ArgumentError")
                .await
                .map_err(|f| Failure::new(format!("ca_bundle {bundle}: {f}")))?;
            expect_mentions(&raised, &["ca_bundle"])?;
        }
        Ok(())
    }),
};

pub const DEFAULT_UNKNOWN_ROOT_REJECTED: Case = Case {
    id: "tls.default.unknown_root_rejected",
    clauses: &["SSL-DEFAULT-SAFE", "SSL-OPT-VERIFY", "SSL-OPT-CA-BUNDLE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "with default options and no SSL_CERT_FILE / SSL_CERT_DIR the good server (zoo root not in the \
        platform bundle) is refused: CertificateError unknown_issuer naming host:port",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        rejected(&mut engine, ssl_to(&good, defaults(&ctx)), &good, "unknown_issuer").await
    }),
};

pub const SYSTEM_BUNDLE_SSL_CERT_FILE: Case = Case {
    id: "tls.system_bundle.ssl_cert_file",
    clauses: &["TLS-SYSTEM-BUNDLE", "SSL-DEFAULT-SAFE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "SSL_CERT_FILE = root-ca.pem: default options accept the good server and echo; SSL_CERT_FILE = \
        other-root-ca.pem: CertificateError unknown_issuer",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let mut engine = engine_with_env(&ctx, &[("SSL_CERT_FILE", ctx.cert("root-ca.pem"))]).await?;
        let sock = engine.handle(ssl_to(&good, defaults(&ctx))).await?;
        echoes(&ctx, &mut engine, sock).await?;

        let mut other = engine_with_env(&ctx, &[("SSL_CERT_FILE", ctx.cert("other-root-ca.pem"))]).await?;
        rejected(&mut other, ssl_to(&good, defaults(&ctx)), &good, "unknown_issuer").await
    }),
};

pub const SYSTEM_BUNDLE_SSL_CERT_DIR: Case = Case {
    id: "tls.system_bundle.ssl_cert_dir",
    clauses: &["TLS-SYSTEM-BUNDLE"],
    level: Must,
    needs: TLS,
    worlds: Both,
    description: "SSL_CERT_DIR naming a folder holding the zoo's root under its OpenSSL hash name (c3c21822.0) \
        accepts the good server; as the second entry of a colon-separated list too",
    run: body!(async |ctx| {
        let good = good_peer(&ctx).await;
        let hashed = Scratch::new(&ctx, "certdir")?;
        hashed.write(ROOT_HASH_NAME, &zoo_bytes(&ctx, "root-ca.pem")?)?;
        let empty = Scratch::new(&ctx, "certdir-empty")?;

        let mut engine = engine_with_env(&ctx, &[("SSL_CERT_DIR", hashed.path(""))]).await?;
        let sock = engine.handle(ssl_to(&good, defaults(&ctx))).await?;
        echoes(&ctx, &mut engine, sock).await?;

        let list = format!("{}:{}", empty.path(""), hashed.path(""));
        let mut listed = engine_with_env(&ctx, &[("SSL_CERT_DIR", list)]).await?;
        let sock = listed.handle(ssl_to(&good, defaults(&ctx))).await?;
        echoes(&ctx, &mut listed, sock).await
    }),
};

/// The name OpenSSL looks the zoo's root up by in an `SSL_CERT_DIR` folder: the hash of its
/// subject (`openssl x509 -hash -noout -in root-ca.pem`) and `.0`. The zoo is deterministic.
const ROOT_HASH_NAME: &str = "c3c21822.0";

/// The default options but for the sni that makes the good leaf match (no ca_bundle).
fn defaults(ctx: &Ctx) -> TlsArgs {
    TlsArgs { sni: good_sni(ctx), ..TlsArgs::default() }
}

/// Options with a ca_bundle of the other (untrusted) root.
fn other_root(ctx: &Ctx) -> TlsArgs {
    TlsArgs { ca_bundle: Some(ctx.cert("other-root-ca.pem")), ..good_args(ctx) }
}

/// An engine allowed to reach the peers, whose environment holds `env`.
async fn engine_with_env(ctx: &Ctx, env: &[(&str, String)]) -> Result<Script, Failure> {
    let session = Session {
        allow_net: Some(ctx.peers.host().to_string()),
        env: env.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect::<BTreeMap<_, _>>(),
        ..Session::default()
    };
    ctx.start(session).await.map_err(|e| Failure::new(format!("the engine did not start: {e}")))
}

/// Reads a zoo file.
fn zoo_bytes(ctx: &Ctx, file: &str) -> Result<Vec<u8>, Failure> {
    let path = ctx.cert(file);
    std::fs::read(&path).map_err(|e| Failure::new(format!("read {path}: {e}")))
}

/// A fresh folder of this case's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(ctx: &Ctx, what: &str) -> Result<Self, Failure> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let world = if ctx.peers.is_simulated() { "sim" } else { "real" };
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("caspian-tls-{}-{what}-{world}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| Failure::new(format!("create {}: {e}", dir.display())))?;
        Ok(Self(dir))
    }

    /// Writes `contents` as `name` in the folder and returns its path.
    fn write(&self, name: &str, contents: &[u8]) -> Result<String, Failure> {
        let path = self.0.join(name);
        std::fs::write(&path, contents)
            .map_err(|e| Failure::new(format!("write {}: {e}", path.display())))?;
        Ok(path.to_string_lossy().into_owned())
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
