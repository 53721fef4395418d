//! TLS bulk throughput: the reference's blocking ssl socket (rustls's synchronous client) against
//! raw tokio-rustls, side by side in one run, on loopback, printed as a ratio (target: at least
//! 0.95x the baseline).
//!
//! Both clients send the same 16 MiB in 64 KiB blocks to the same kind of server (tokio-rustls,
//! on its own thread), which reads to the end and answers one byte; the time runs from the first
//! write to that byte. Each side runs 11 times, alternating; the median is reported.
//!
//! Run: `cargo bench -p caspian-reference --bench tls`

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use caspian_reference::blocking::Net;
use caspian_reference::permissions::Permissions;
use caspian_reference::{CallOpts, TimeoutOpt, TlsOptions};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use common::{BLOCK, BLOCKS, alternate, row};

/// Runs per side: each is short, and the machine may be shared.
const RUNS: usize = 11;

struct Identity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
    ca_file: PathBuf,
}

fn identity() -> Identity {
    let minted =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("mint a certificate");
    let ca_file = std::env::temp_dir().join(format!("caspian-bench-tls-{}.pem", std::process::id()));
    std::fs::write(&ca_file, minted.cert.pem()).expect("write the CA file");
    Identity {
        cert: minted.cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(minted.signing_key.serialize_der()),
        ca_file,
    }
}

/// A tokio-rustls server on its own thread: for each connection, reads to the end, answers one
/// byte. Returns its port.
fn start_server(identity: &Identity) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![identity.cert.clone()], PrivateKeyDer::Pkcs8(identity.key.clone_key()))
        .expect("server certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind((common::HOST, 0)).expect("bind");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            listener.set_nonblocking(true).expect("nonblocking");
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            while let Ok((tcp, _)) = listener.accept().await {
                tcp.set_nodelay(true).expect("nodelay");
                let mut tls = acceptor.accept(tcp).await.expect("handshake");
                let mut buf = vec![0u8; BLOCK];
                while tls.read(&mut buf).await.expect("read") > 0 {}
                tls.write_all(b"k").await.expect("ack");
                tls.shutdown().await.expect("shutdown");
            }
        });
    });
    port
}

fn reference_run(net: &Net, port: u16, options: &TlsOptions, block: &[u8]) -> Duration {
    let mut sock = net.ssl("localhost", i64::from(port), TimeoutOpt::Inherit, options).expect("ssl connect");
    let start = Instant::now();
    for _ in 0..BLOCKS {
        sock.send_all(block).expect("send_all");
    }
    sock.shutdown(":send").expect("shutdown");
    assert_eq!(sock.recv_exact(1, CallOpts::default()).expect("ack"), &b"k"[..]);
    let elapsed = start.elapsed();
    sock.close();
    elapsed
}

fn baseline_run(
    runtime: &tokio::runtime::Runtime,
    port: u16,
    ca: &CertificateDer<'static>,
    block: &[u8],
) -> Duration {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone()).expect("root");
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    runtime.block_on(async {
        let tcp = tokio::net::TcpStream::connect((common::HOST, port)).await.expect("connect");
        tcp.set_nodelay(true).expect("nodelay");
        let name = ServerName::try_from("localhost").expect("name");
        let mut tls = connector.connect(name, tcp).await.expect("handshake");
        let start = Instant::now();
        for _ in 0..BLOCKS {
            tls.write_all(block).await.expect("write");
        }
        tls.shutdown().await.expect("shutdown");
        let mut ack = [0u8; 1];
        tls.read_exact(&mut ack).await.expect("ack");
        start.elapsed()
    })
}

fn main() {
    let identity = identity();
    let port = start_server(&identity);
    let block = vec![0x5a_u8; BLOCK];
    let net = Net::new(Permissions::allow_all());
    let options = TlsOptions { ca_bundle: Some(identity.ca_file.clone()), ..TlsOptions::default() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let medians = alternate(
        RUNS,
        || reference_run(&net, port, &options, &block),
        || baseline_run(&runtime, port, &identity.cert, &block),
    );
    let (reference, baseline) = (medians.reference, medians.baseline);
    let mib = (BLOCK as u64 * BLOCKS) as f64 / (1024.0 * 1024.0);
    let rate = |d: Duration| mib / d.as_secs_f64();
    let ratio = rate(reference) / rate(baseline);
    println!();
    println!("tls ratios (loopback 127.0.0.1, median of {RUNS} runs per side, alternating)");
    row(
        "tls bulk",
        format!("{:.0} MiB/s", rate(reference)),
        format!("{:.0} MiB/s", rate(baseline)),
        ratio,
        Some(medians.cpu_ratio()),
        Some((">= 0.95x", ratio >= 0.95)),
    );
    let _ = std::fs::remove_file(&identity.ca_file);
}
