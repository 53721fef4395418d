//! Conformance of the reference's ssl sockets (and tcp `starttls`) to the SSL-* and TLS-*
//! clauses of CONFORMANCE.md. Every case body is written once and runs in both worlds:
//! `real` (loopback, real time: every wait is short) and `sim` (turmoil, virtual time).
//!
//! Names: the zoo's `good` leaf holds DNS `localhost`, `server.example.test` and IPs 127.0.0.1
//! and ::1. In the sim world the peers' host is `server`, which no certificate names, so cases
//! connect to the peer's host and give the name to verify as `sni` (TLS-SNI-NAME: the sni is
//! both the name sent and the name verified); the real world does the same with `127.0.0.1`.

// The clause IDs of each case are a doc comment above its `in_both_worlds!`, for readers and
// for grep; rustdoc does not document macro invocations, hence the allow.
#![allow(unused_doc_comments)]

#[macro_use]
mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use caspian_conformance::waits::Waits;
use caspian_harness::certs::CertZoo;
use caspian_harness::world::{CLIENT_HOST, PeerAddr, Peers};
use caspian_mocknet::{Peer, Step, TlsPeer};
use caspian_reference::net::Net;
use caspian_reference::peer_cert::PeerCert;
use caspian_reference::permissions::Permissions;
use caspian_reference::tls::{CertEnv, SslSocket, TlsContext, TlsOptions};
use caspian_reference::transport::Transport;
use caspian_reference::transport::sim::SimClock;
use caspian_reference::{CallOpts, ErrorClass, NetError, NetResult, TimeoutOpt};
use tokio::io::AsyncWriteExt;

// ---------------------------------------------------------------------------------------------
// Helpers

/// `%net` for a case: every target allowed, and a TLS context whose clock is the world's (the
/// simulation's virtual clock in sim, the real one on loopback) and whose system bundle comes
/// from `env` (never from this process's environment).
fn net<T: Transport>(transport: T, peers: &Peers, env: CertEnv) -> Net<T> {
    let clock: Arc<dyn rustls::time_provider::TimeProvider> = if peers.is_simulated() {
        Arc::new(SimClock)
    } else {
        Arc::new(rustls::time_provider::DefaultTimeProvider)
    };
    Net::new(transport, Permissions::allow_all()).with_tls(TlsContext::new(clock, env))
}

/// The folder holding the zoo's PEM files (written once per process).
fn zoo_dir() -> &'static Path {
    CertZoo::shared_dir().unwrap_or_else(|e| panic!("cannot write the certificate zoo: {e}"))
}

/// A file of the zoo's folder.
fn zoo_file(name: &str) -> PathBuf {
    zoo_dir().join(name)
}

/// Options trusting only the zoo's root, verifying (and sending) `sni` when given.
fn trusting_root(sni: Option<&str>) -> TlsOptions {
    TlsOptions {
        ca_bundle: Some(zoo_file("root-ca.pem")),
        sni: sni.map(str::to_owned),
        ..TlsOptions::default()
    }
}

/// [`trusting_root`] with these protocols.
fn with_protocols(sni: &str, protocols: &[&str]) -> TlsOptions {
    TlsOptions {
        protocols: Some(protocols.iter().map(|p| (*p).to_owned()).collect()),
        ..trusting_root(Some(sni))
    }
}

/// A STARTTLS peer for the `good` leaf that answers the plaintext line with `reply`.
fn starttls_peer(reply: &[u8]) -> TlsPeer {
    TlsPeer { starttls_reply: Some(reply.to_vec()), ..TlsPeer::new("good") }
}

/// Opens an ssl socket to `peer`, which must succeed.
async fn ssl_to<T: Transport>(
    net: &Net<T>,
    peer: &PeerAddr,
    timeout: TimeoutOpt,
    opts: &TlsOptions,
) -> SslSocket {
    net.ssl(&peer.host, peer.port.into(), timeout, opts)
        .await
        .unwrap_or_else(|e| panic!("ssl to {}:{} with {opts:?}: {e}", peer.host, peer.port))
}

/// The error of `result`, which must be of `class`.
#[track_caller]
fn expect_err<V>(result: NetResult<V>, class: ErrorClass) -> NetError {
    match result {
        Ok(_) => panic!("expected {class}, got a success"),
        Err(e) => {
            assert_eq!(e.class, class, "wrong class: {e}");
            e
        }
    }
}

/// The error of `result`, which must be a CertificateError with `reason`.
#[track_caller]
fn expect_cert_err<V>(result: NetResult<V>, reason: &str) -> NetError {
    let err = expect_err(result, ErrorClass::CertificateError);
    assert_eq!(err.reason.as_deref(), Some(reason), "wrong reason: {err}");
    err
}

/// Asserts that an error's message contains `text`.
#[track_caller]
fn assert_mentions(err: &NetError, text: &str) {
    assert!(err.message.contains(text), "message does not mention {text:?}: {err}");
}

/// Asserts that an error's message names `host:port`.
#[track_caller]
fn assert_names(err: &NetError, peer: &PeerAddr) {
    assert_mentions(err, &format!("{}:{}", peer.host, peer.port));
}

/// One line round trip over `sock`.
async fn echo_line(sock: &mut SslSocket, line: &[u8], waits: Waits) -> NetResult<Vec<u8>> {
    sock.send_all(line).await?;
    sock.recv_line(CallOpts::timeout(waits.ok())).await.map(Vec::from)
}

/// Asserts that `sock` echoes a line.
async fn assert_echoes(sock: &mut SslSocket, waits: Waits) {
    let reply = echo_line(sock, b"ping over tls\n", waits).await.unwrap_or_else(|e| panic!("echo: {e}"));
    assert_eq!(reply, b"ping over tls\n");
}

/// SHA-256 of `bytes` in lowercase hex, computed independently of the reference.
fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The DER of a zoo leaf's end-entity certificate.
fn leaf_der(name: &str) -> Vec<u8> {
    CertZoo::shared().leaf(name).unwrap_or_else(|| panic!("no zoo leaf {name}")).end_entity().to_vec()
}

/// A fresh, empty folder for this case and world.
fn scratch_dir(case: &str, peers: &Peers) -> PathBuf {
    let world = if peers.is_simulated() { "sim" } else { "real" };
    let dir = std::env::temp_dir().join(format!("caspian-tls-{}-{case}-{world}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// The name OpenSSL looks the zoo's root up by in an `SSL_CERT_DIR` folder: its subject hash
/// (`openssl x509 -hash -noout -in fixtures/certs/root-ca.pem`) and `.0`. The zoo is
/// deterministic, so the hash is fixed.
const ROOT_HASH_NAME: &str = "c3c21822.0";

// ---------------------------------------------------------------------------------------------
// SSL-OPEN, SSL-SURFACE

/// SSL-OPEN, SSL-SURFACE, SSL-OPT-CA-BUNDLE, IO-TIMEOUT-DEFAULT, IO-EOF, IO-SHUTDOWN-READ,
/// IO-CLOSE-IDEMPOTENT, IO-NOTHING-LOST
in_both_worlds!(ssl_open_full_surface, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let net = net(transport, &peers, CertEnv::default());
    let mut sock = ssl_to(&net, &good, TimeoutOpt::Inherit, &trusting_root(Some("localhost"))).await;

    // Properties.
    assert_eq!(sock.host(), good.host, "host is the name given");
    assert_eq!(sock.port(), good.port);
    let local: IpAddr = sock.local_host().parse().expect("local_host is an IP");
    let client_ip =
        if peers.is_simulated() { turmoil::lookup(CLIENT_HOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
    assert_eq!(local, client_ip);
    assert_ne!(sock.local_port(), 0);
    assert!(sock.is_connected());
    assert_eq!(sock.timeout(), Some(30.0), "the default timeout");
    sock.set_timeout(Some(waits.ok())).expect("set timeout");
    assert_eq!(sock.timeout(), Some(waits.ok()));

    // A recv that times out over TLS consumes nothing and leaves the session usable.
    let err = expect_err(sock.recv(10, CallOpts::timeout(waits.brief())).await, ErrorClass::Timeout);
    assert_names(&err, &good);

    // send_all, recv_line, recv_exact, recv.
    sock.send_all(b"hello\nworld!rest").await.expect("send_all");
    assert_eq!(sock.recv_line(CallOpts::timeout(waits.ok())).await.expect("recv_line"), &b"hello\n"[..]);
    assert_eq!(sock.recv_exact(6, CallOpts::timeout(waits.ok())).await.expect("recv_exact"), &b"world!"[..]);
    let mut rest = Vec::new();
    while rest.len() < 4 {
        let chunk = sock.recv(100, CallOpts::timeout(waits.ok())).await.expect("recv");
        assert!(!chunk.is_empty() && chunk.len() <= 100, "recv returns 1..=max bytes: {chunk:?}");
        rest.extend_from_slice(&chunk);
    }
    assert_eq!(rest, b"rest");
    assert_eq!(sock.recv_exact(0, CallOpts::timeout(waits.ok())).await.expect("recv_exact(0)"), &b""[..]);

    // send returns how many bytes it wrote.
    let n = sock.send(b"x").await.expect("send");
    assert_eq!(n, 1);
    assert_eq!(sock.recv_exact(1, CallOpts::timeout(waits.ok())).await.expect("recv_exact"), &b"x"[..]);

    // shutdown(:send): the echo peer reads end of stream, ends its side, and we read the end.
    sock.send_all(b"tail").await.expect("send_all");
    sock.shutdown(":send").await.expect("shutdown(:send)");
    let mut tail = Vec::new();
    loop {
        let chunk = sock.recv(100, CallOpts::timeout(waits.ok())).await.expect("recv after shutdown(:send)");
        if chunk.is_empty() {
            break;
        }
        tail.extend_from_slice(&chunk);
    }
    assert_eq!(tail, b"tail", "this side still receives after shutdown(:send)");
    assert_eq!(
        sock.recv(100, CallOpts::timeout(waits.ok())).await.expect("recv at end"),
        &b""[..],
        "the end stays the end"
    );
    expect_err(sock.recv_line(CallOpts::timeout(waits.ok())).await, ErrorClass::EndOfStream);
    expect_err(sock.send_all(b"late").await, ErrorClass::Closed);
    assert!(sock.is_connected(), "a half-closed socket is still open");

    // close, twice; then every operation raises Closed.
    sock.close().await;
    assert!(!sock.is_connected());
    sock.close().await;
    expect_err(sock.recv(1, CallOpts::timeout(waits.ok())).await, ErrorClass::Closed);
    expect_err(sock.send(b"x").await, ErrorClass::Closed);
    expect_err(sock.recv_line(CallOpts::timeout(waits.ok())).await, ErrorClass::Closed);
});

/// SSL-OPEN, SSL-SURFACE: `shutdown(:recv)` and `shutdown(:both)` over TLS.
in_both_worlds!(ssl_shutdown_recv_and_both, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let net = net(transport, &peers, CertEnv::default());
    let opts = trusting_root(Some("localhost"));

    let mut sock = ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &opts).await;
    assert_echoes(&mut sock, waits).await;
    sock.shutdown(":recv").await.expect("shutdown(:recv)");
    assert_eq!(
        sock.recv(10, CallOpts::timeout(waits.ok())).await.expect("recv after shutdown(:recv)"),
        &b""[..]
    );
    sock.send_all(b"still sending\n").await.expect("send after shutdown(:recv)");
    expect_err(sock.shutdown(":sideways").await, ErrorClass::ArgumentError);
    sock.close().await;

    let mut both = ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &opts).await;
    both.shutdown(":both").await.expect("shutdown(:both)");
    assert_eq!(
        both.recv(10, CallOpts::timeout(waits.ok())).await.expect("recv after shutdown(:both)"),
        &b""[..]
    );
    expect_err(both.send(b"x").await, ErrorClass::Closed);
    both.close().await;
    assert!(!both.is_connected());
});

// ---------------------------------------------------------------------------------------------
// SSL-UPGRADE, TCP-STARTTLS, IO-STARTTLS-BUFFER

/// SSL-UPGRADE, TCP-STARTTLS, TLS-PROTOCOLS-VALID
in_both_worlds!(starttls_upgrades_and_invalidates_tcp, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tls(starttls_peer(b"220 go ahead\r\n")).await;
    let net = net(transport, &peers, CertEnv::default());
    let mut tcp =
        net.tcp_new(&peer.host, peer.port.into(), TimeoutOpt::Seconds(waits.ok())).await.expect("tcp");
    tcp.send_all(b"STARTTLS\r\n").await.expect("send_all");
    assert_eq!(
        tcp.recv_line(CallOpts::timeout(waits.ok())).await.expect("recv_line"),
        &b"220 go ahead\r\n"[..]
    );

    // Bad options are refused before the stream is handed over: the tcp socket stays usable.
    let bad = TlsOptions { protocols: Some(vec![]), ..trusting_root(Some("localhost")) };
    let err = expect_err(tcp.starttls(bad).await, ErrorClass::ArgumentError);
    assert_mentions(&err, "protocols");
    assert!(tcp.is_connected(), "a refused starttls leaves the tcp socket open");

    let mut tls = tcp.starttls(trusting_root(Some("localhost"))).await.expect("starttls");
    assert_eq!(tls.protocol(), "TLSv1.3");
    assert_eq!(tls.host(), peer.host);
    assert_eq!(tls.port(), peer.port);
    assert_eq!(tls.timeout(), Some(waits.ok()), "the ssl socket keeps the tcp socket's timeout");
    assert!(tls.is_connected());
    assert_eq!(tls.peer_cert().expect("peer_cert").fingerprint, sha256_hex(&leaf_der("good")));
    assert_echoes(&mut tls, waits).await;

    // The old handle is invalid.
    assert!(!tcp.is_connected());
    let err = expect_err(tcp.send(b"x").await, ErrorClass::Closed);
    assert_names(&err, &peer);
    expect_err(tcp.send_all(b"x").await, ErrorClass::Closed);
    expect_err(tcp.recv(1, CallOpts::timeout(waits.ok())).await, ErrorClass::Closed);
    expect_err(tcp.recv_line(CallOpts::timeout(waits.ok())).await, ErrorClass::Closed);
    expect_err(tcp.recv_exact(1, CallOpts::timeout(waits.ok())).await, ErrorClass::Closed);
    expect_err(tcp.shutdown(":send").await, ErrorClass::Closed);
    expect_err(tcp.starttls(trusting_root(Some("localhost"))).await, ErrorClass::Closed);

    // Closing it does not touch the TLS socket.
    tcp.close().await;
    tcp.close().await;
    assert!(!tcp.is_connected());
    assert!(tls.is_connected());
    assert_echoes(&mut tls, waits).await;
    tls.close().await;
    assert!(!tls.is_connected());
});

/// IO-STARTTLS-BUFFER, TCP-STARTTLS
in_both_worlds!(starttls_refuses_buffered_plaintext, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let peer = peers.tls(starttls_peer(b"220 go\r\nINJECTED")).await;
    let net = net(transport, &peers, CertEnv::default());
    let mut tcp =
        net.tcp_new(&peer.host, peer.port.into(), TimeoutOpt::Seconds(waits.ok())).await.expect("tcp");
    tcp.send_all(b"STARTTLS\r\n").await.expect("send_all");
    assert_eq!(tcp.recv_line(CallOpts::timeout(waits.ok())).await.expect("recv_line"), &b"220 go\r\n"[..]);
    // The reply came in one write: its 8 extra bytes are buffered, unread.
    assert_eq!(tcp.buffered(), 8, "the injected bytes are buffered");

    let err = expect_err(tcp.starttls(trusting_root(Some("localhost"))).await, ErrorClass::TlsError);
    assert_names(&err, &peer);
    assert!(tcp.is_connected(), "no upgrade: the tcp socket is still the live one");
    assert_eq!(
        tcp.recv(100, CallOpts::timeout(waits.ok())).await.expect("recv"),
        &b"INJECTED"[..],
        "nothing was lost"
    );

    // With the plaintext drained, the same connection can still be upgraded.
    let mut tls = tcp.starttls(trusting_root(Some("localhost"))).await.expect("starttls after draining");
    assert!(!tcp.is_connected());
    assert_echoes(&mut tls, waits).await;
});

// ---------------------------------------------------------------------------------------------
// SSL-PEER-CERT, TLS-PEER-CERT-FORMAT

/// Checks the formats of TLS-PEER-CERT-FORMAT that do not depend on the certificate.
#[track_caller]
fn assert_cert_formats(cert: &PeerCert, der: &[u8]) {
    assert_eq!(cert.fingerprint.len(), 64, "SHA-256 is 64 hex digits: {}", cert.fingerprint);
    assert!(
        cert.fingerprint.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
        "lowercase hex: {}",
        cert.fingerprint
    );
    assert_eq!(cert.fingerprint, sha256_hex(der), "the SHA-256 of the leaf's DER");
    for time in [&cert.validfrom, &cert.validuntil] {
        let b = time.as_bytes();
        let shape = b.len() == 20
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'Z';
        assert!(shape, "RFC 3339 UTC to the second: {time}");
    }
}

/// SSL-PEER-CERT, TLS-PEER-CERT-FORMAT
///
/// RFC 4514 writes a name's RDNs last to first. The zoo's certificates encode the subject as
/// the sequence (CN, O) (`openssl asn1parse`), so the RFC 4514 string is `O=...,CN=...`, as
/// `openssl x509 -noout -subject -nameopt RFC2253` prints it.
in_both_worlds!(peer_cert_formats_and_snapshots, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let wildcard = peers.tls(TlsPeer::new("wildcard")).await;
    let net = net(transport, &peers, CertEnv::default());

    let mut sock =
        ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some("localhost"))).await;
    let cert = sock.peer_cert().expect("peer_cert").clone();
    assert_cert_formats(&cert, &leaf_der("good"));
    assert_eq!(cert.subject, "O=Caspian Conformance,CN=caspian-good");
    assert_eq!(cert.issuer, "O=Caspian Conformance,CN=Caspian Test Intermediate CA");
    assert_eq!(cert.validfrom, "2025-01-01T00:00:00Z");
    assert_eq!(cert.validuntil, "2036-01-01T00:00:00Z");
    assert_eq!(cert.sans, ["localhost", "server.example.test", "127.0.0.1", "::1"]);
    insta::assert_debug_snapshot!("good_peer_cert", cert);
    // Reading it does not disturb the session.
    assert_echoes(&mut sock, waits).await;
    assert_eq!(sock.peer_cert().expect("peer_cert again"), &cert);
    sock.close().await;

    let sock =
        ssl_to(&net, &wildcard, TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some("a.example.test")))
            .await;
    let cert = sock.peer_cert().expect("peer_cert").clone();
    assert_cert_formats(&cert, &leaf_der("wildcard"));
    assert_eq!(cert.subject, "O=Caspian Conformance,CN=caspian-wildcard");
    assert_eq!(cert.sans, ["*.example.test"], "DNS names as written");
    insta::assert_debug_snapshot!("wildcard_peer_cert", cert);
});

// ---------------------------------------------------------------------------------------------
// SSL-CIPHER, SSL-PROTOCOL, SSL-OPT-PROTOCOLS, TLS-CIPHER-NAME, TLS-PROTOCOLS-VALID

/// The IANA names of the TLS 1.3 suites.
const TLS13_SUITES: &[&str] =
    &["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

/// The IANA names of the TLS 1.2 suites the zoo's ECDSA P-256 good leaf can use.
const TLS12_ECDSA_SUITES: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// SSL-CIPHER, SSL-PROTOCOL, SSL-OPT-PROTOCOLS, TLS-CIPHER-NAME
in_both_worlds!(cipher_and_protocol_names, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let tls12 = peers.tls(TlsPeer { tls12_only: true, ..TlsPeer::new("good") }).await;
    let net = net(transport, &peers, CertEnv::default());

    // Default protocols: TLS 1.3 is chosen when the server offers it.
    let mut sock =
        ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some("localhost"))).await;
    assert_eq!(sock.protocol(), "TLSv1.3");
    let cipher = sock.cipher().to_owned();
    assert!(cipher.starts_with("TLS_") && !cipher.starts_with("TLS13_"), "IANA name: {cipher}");
    assert!(TLS13_SUITES.contains(&cipher.as_str()), "a TLS 1.3 suite by its IANA name: {cipher}");
    assert_echoes(&mut sock, waits).await;

    // Default protocols include TLS 1.2: a 1.2-only server is reached.
    let mut sock =
        ssl_to(&net, &tls12, TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some("localhost"))).await;
    assert_eq!(sock.protocol(), "TLSv1.2");
    let cipher = sock.cipher().to_owned();
    assert!(TLS12_ECDSA_SUITES.contains(&cipher.as_str()), "a TLS 1.2 suite by its IANA name: {cipher}");
    assert_echoes(&mut sock, waits).await;
});

/// SSL-OPT-PROTOCOLS, SSL-PROTOCOL
in_both_worlds!(protocols_option_restricts_versions, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let tls12 = peers.tls(TlsPeer { tls12_only: true, ..TlsPeer::new("good") }).await;
    let net = net(transport, &peers, CertEnv::default());

    let mut sock =
        ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &with_protocols("localhost", &["TLSv1.2"]))
            .await;
    assert_eq!(sock.protocol(), "TLSv1.2");
    assert!(TLS12_ECDSA_SUITES.contains(&sock.cipher()), "{}", sock.cipher());
    assert_echoes(&mut sock, waits).await;

    let sock =
        ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &with_protocols("localhost", &["TLSv1.3"]))
            .await;
    assert_eq!(sock.protocol(), "TLSv1.3");
    let both = with_protocols("localhost", &["TLSv1.3", "TLSv1.2"]);
    assert_eq!(ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &both).await.protocol(), "TLSv1.3");
    assert_eq!(ssl_to(&net, &tls12, TimeoutOpt::Seconds(waits.ok()), &both).await.protocol(), "TLSv1.2");

    // No version in common: a TlsError, not a certificate failure.
    let only13 = with_protocols("localhost", &["TLSv1.3"]);
    let err = expect_err(
        net.ssl(&tls12.host, tls12.port.into(), TimeoutOpt::Seconds(waits.ok()), &only13).await,
        ErrorClass::TlsError,
    );
    assert_eq!(err.reason, None, "{err}");
    assert_names(&err, &tls12);
});

/// TLS-PROTOCOLS-VALID, SSL-OPT-PROTOCOLS
in_both_worlds!(protocols_invalid_is_argument_error_before_io, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let closed = peers.closed_port().await;
    let net = net(transport, &peers, CertEnv::default());

    // The closed port really refuses: a valid call reaches the network and fails there.
    let valid = with_protocols("localhost", &["TLSv1.2"]);
    expect_err(
        net.ssl(&closed.host, closed.port.into(), TimeoutOpt::Seconds(waits.ok()), &valid).await,
        ErrorClass::ConnectionRefused,
    );

    let invalid: &[&[&str]] =
        &[&["TLSv1.1"], &["SSLv3"], &[], &["TLSv1.0"], &["TLSv1.2", "TLSv1.1"], &["tlsv1.3"], &["TLSv1.3 "]];
    for protocols in invalid {
        let opts = with_protocols("localhost", protocols);
        for target in [&good, &closed] {
            let err = expect_err(
                net.ssl(&target.host, target.port.into(), TimeoutOpt::Seconds(waits.ok()), &opts).await,
                ErrorClass::ArgumentError,
            );
            assert_mentions(&err, "protocols");
        }
    }
});

// ---------------------------------------------------------------------------------------------
// SSL-OPT-VERIFY, TLS-REJECT-ZOO, TLS-VERIFY-FALSE

/// SSL-OPT-VERIFY, TLS-REJECT-ZOO, TLS-VERIFY-FALSE, TLS-SNI-NAME
///
/// Every entry of the zoo's rejection table, trusting only the zoo's root: refused with its
/// reason; with `verify: false` accepted, negotiated, echoing, its peer_cert readable. Every
/// mismatch is collected and reported at the end.
in_both_worlds!(reject_zoo_and_verify_false, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let net = net(transport, &peers, CertEnv::default());
    assert!(TlsOptions::default().verify, "verify defaults to true");
    let mut wrong = Vec::new();
    for rejection in CertZoo::rejections() {
        let peer = peers.tls(TlsPeer::new(rejection.leaf)).await;
        let name = rejection.name;
        let opts = trusting_root(Some(rejection.connect_name));
        match net.ssl(&peer.host, peer.port.into(), TimeoutOpt::Seconds(waits.ok()), &opts).await {
            Ok(_) => wrong.push(format!("{name}: accepted with verify on")),
            Err(e) if e.class != ErrorClass::CertificateError => {
                wrong.push(format!("{name}: want CertificateError, got {e}"));
            }
            Err(e) if !e.reason.as_deref().is_some_and(|reason| rejection.reasons.contains(&reason)) => {
                wrong.push(format!("{name}: want a reason of {:?}, got {e}", rejection.reasons));
            }
            Err(e) if !e.message.contains(&format!("{}:{}", peer.host, peer.port)) => {
                wrong.push(format!("{name}: the message does not name the peer: {e}"));
            }
            Err(_) => {}
        }

        let unverified = TlsOptions { verify: false, ..opts };
        let mut sock =
            match net.ssl(&peer.host, peer.port.into(), TimeoutOpt::Seconds(waits.ok()), &unverified).await {
                Ok(sock) => sock,
                Err(e) => {
                    wrong.push(format!("{name}: refused with verify: false: {e}"));
                    continue;
                }
            };
        if sock.protocol() != "TLSv1.3" || !TLS13_SUITES.contains(&sock.cipher()) {
            wrong.push(format!("{name}: verify: false negotiated {} {}", sock.protocol(), sock.cipher()));
        }
        match echo_line(&mut sock, b"unverified\n", waits).await {
            Ok(line) if line == b"unverified\n" => {}
            other => wrong.push(format!("{name}: echo with verify: false: {other:?}")),
        }
        match sock.peer_cert() {
            Ok(cert) if cert.fingerprint == sha256_hex(&leaf_der(rejection.leaf)) => {}
            Ok(cert) => wrong.push(format!("{name}: peer_cert is not the presented leaf: {cert:?}")),
            Err(e) => wrong.push(format!("{name}: peer_cert with verify: false: {e}")),
        }
        sock.close().await;
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rejections wrong:\n{}",
        wrong.len(),
        CertZoo::rejections().len(),
        wrong.join("\n")
    );
});

// ---------------------------------------------------------------------------------------------
// SSL-OPT-CA-BUNDLE, TLS-CA-REPLACES, SSL-DEFAULT-SAFE, TLS-SYSTEM-BUNDLE

/// SSL-OPT-CA-BUNDLE, TLS-CA-REPLACES
in_both_worlds!(ca_bundle_replaces_the_system_bundle, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let port = i64::from(good.port);
    let other_root =
        TlsOptions { ca_bundle: Some(zoo_file("other-root-ca.pem")), ..trusting_root(Some("localhost")) };

    // A bundle without the issuing root: unknown_issuer.
    let plain = net(transport, &peers, CertEnv::default());
    let err = expect_cert_err(
        plain.ssl(&good.host, port, TimeoutOpt::Seconds(waits.ok()), &other_root).await,
        "unknown_issuer",
    );
    assert_names(&err, &good);

    // The engine's system bundle trusts the root, yet a ca_bundle replaces it: still refused.
    let root_system = CertEnv { ssl_cert_file: Some(zoo_file("root-ca.pem")), ssl_cert_dir: None };
    let trusting_system = net(transport, &peers, root_system);
    let no_bundle = TlsOptions { sni: Some("localhost".into()), ..TlsOptions::default() };
    ssl_to(&trusting_system, &good, TimeoutOpt::Seconds(waits.ok()), &no_bundle).await;
    expect_cert_err(
        trusting_system.ssl(&good.host, port, TimeoutOpt::Seconds(waits.ok()), &other_root).await,
        "unknown_issuer",
    );

    // A bundle of several certificates: each one is trusted.
    let dir = scratch_dir("bundle", &peers);
    let both = dir.join("both.pem");
    let pem = [zoo_file("other-root-ca.pem"), zoo_file("root-ca.pem")]
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read the zoo"))
        .collect::<String>();
    std::fs::write(&both, pem).expect("write the bundle");
    let opts = TlsOptions { ca_bundle: Some(both), ..trusting_root(Some("localhost")) };
    let mut sock = ssl_to(&plain, &good, TimeoutOpt::Seconds(waits.ok()), &opts).await;
    assert_echoes(&mut sock, waits).await;
    let _ = std::fs::remove_dir_all(&dir);
});

/// SSL-OPT-CA-BUNDLE: an unusable ca_bundle is an ArgumentError naming it, before any I/O.
in_both_worlds!(ca_bundle_unusable_is_argument_error, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let closed = peers.closed_port().await;
    let net = net(transport, &peers, CertEnv::default());
    let missing = zoo_file("no-such-bundle.pem");
    let unusable = [missing, zoo_file("good.key.pem"), zoo_file("index.txt")];
    for bundle in unusable {
        let opts = TlsOptions { ca_bundle: Some(bundle.clone()), ..trusting_root(Some("localhost")) };
        for target in [&good, &closed] {
            let err = expect_err(
                net.ssl(&target.host, target.port.into(), TimeoutOpt::Seconds(waits.ok()), &opts).await,
                ErrorClass::ArgumentError,
            );
            assert_mentions(&err, "ca_bundle");
            assert_mentions(&err, &bundle.display().to_string());
        }
    }
});

/// SSL-DEFAULT-SAFE, SSL-OPT-CA-BUNDLE, SSL-OPT-VERIFY, TLS-SYSTEM-BUNDLE
in_both_worlds!(default_options_use_the_system_bundle, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let port = i64::from(good.port);
    let defaults = TlsOptions { sni: Some("localhost".into()), ..TlsOptions::default() };
    assert_eq!(defaults.ca_bundle, None);
    assert!(defaults.verify);

    // The platform's store does not hold the zoo's root.
    let platform = net(transport, &peers, CertEnv::default());
    let err = expect_cert_err(
        platform.ssl(&good.host, port, TimeoutOpt::Seconds(waits.ok()), &defaults).await,
        "unknown_issuer",
    );
    assert_names(&err, &good);

    // SSL_CERT_FILE, as this engine sees it.
    let file_env = CertEnv { ssl_cert_file: Some(zoo_file("root-ca.pem")), ssl_cert_dir: None };
    let mut sock =
        ssl_to(&net(transport, &peers, file_env), &good, TimeoutOpt::Seconds(waits.ok()), &defaults).await;
    assert_echoes(&mut sock, waits).await;
    sock.close().await;

    // SSL_CERT_DIR: a folder holding the root under its OpenSSL hash name.
    let dir = scratch_dir("certdir", &peers);
    let hashed = dir.join("hashed");
    let empty = dir.join("empty");
    std::fs::create_dir_all(&hashed).expect("mkdir");
    std::fs::create_dir_all(&empty).expect("mkdir");
    std::fs::copy(zoo_file("root-ca.pem"), hashed.join(ROOT_HASH_NAME)).expect("copy the root");
    let dir_env = CertEnv { ssl_cert_file: None, ssl_cert_dir: Some(hashed.display().to_string()) };
    let mut sock =
        ssl_to(&net(transport, &peers, dir_env), &good, TimeoutOpt::Seconds(waits.ok()), &defaults).await;
    assert_echoes(&mut sock, waits).await;
    sock.close().await;

    // SSL_CERT_DIR is a colon-separated list, searched in full.
    let list = format!("{}:{}", empty.display(), hashed.display());
    let list_env = CertEnv { ssl_cert_file: None, ssl_cert_dir: Some(list) };
    ssl_to(&net(transport, &peers, list_env), &good, TimeoutOpt::Seconds(waits.ok()), &defaults).await;

    // A system bundle without the root still refuses.
    let empty_env = CertEnv { ssl_cert_file: Some(zoo_file("other-root-ca.pem")), ssl_cert_dir: None };
    let other = net(transport, &peers, empty_env);
    expect_cert_err(
        other.ssl(&good.host, port, TimeoutOpt::Seconds(waits.ok()), &defaults).await,
        "unknown_issuer",
    );
    let _ = std::fs::remove_dir_all(&dir);
});

/// TLS-SYSTEM-BUNDLE: OpenSSL looks certificates up in each `SSL_CERT_DIR` entry by hash name,
/// so an entry that does not exist contributes nothing and is not an error.
in_both_worlds!(system_bundle_cert_dir_skips_missing_entries, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let dir = scratch_dir("certdir-missing", &peers);
    std::fs::copy(zoo_file("root-ca.pem"), dir.join(ROOT_HASH_NAME)).expect("copy the root");
    let list = format!("{}:{}", dir.join("does-not-exist").display(), dir.display());
    let env = CertEnv { ssl_cert_file: None, ssl_cert_dir: Some(list) };
    let defaults = TlsOptions { sni: Some("localhost".into()), ..TlsOptions::default() };
    let result = net(transport, &peers, env)
        .ssl(&good.host, good.port.into(), TimeoutOpt::Seconds(waits.ok()), &defaults)
        .await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        panic!("SSL_CERT_DIR with a missing entry before the root's folder: {e}");
    }
});

/// TLS-SYSTEM-BUNDLE: an engine whose `CertEnv` names neither variable uses the platform's
/// store, whatever this process's own `SSL_CERT_FILE` says. Shown without touching this
/// process's environment: `default_options_use_the_system_bundle` (which expects the platform
/// store to refuse `good`) runs again in a child process of this test binary whose
/// `SSL_CERT_FILE` is the zoo's root.
#[test]
fn system_bundle_ignores_the_process_environment() {
    let exe = std::env::current_exe().expect("this test binary");
    let output = std::process::Command::new(exe)
        .args(["default_options_use_the_system_bundle::", "--include-ignored", "--test-threads=1"])
        .env_remove("SSL_CERT_DIR")
        .env("SSL_CERT_FILE", zoo_file("root-ca.pem"))
        .output()
        .expect("run the child test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("2 passed"),
        "with SSL_CERT_FILE set in the process only, an engine given CertEnv::default() \
         changed its trust:\n{stdout}\n{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// SSL-OPT-CLIENT-CERT, TLS-CLIENT-PAIR

/// Options for the client_auth peer, with the zoo's client pair when `with_pair`.
fn mutual(protocol: &str, with_pair: bool) -> TlsOptions {
    let (client_cert, client_key) = if with_pair {
        (Some(zoo_file("client.chain.pem")), Some(zoo_file("client.key.pem")))
    } else {
        (None, None)
    };
    TlsOptions { client_cert, client_key, ..with_protocols("localhost", &[protocol]) }
}

/// SSL-OPT-CLIENT-CERT: with the pair, a server that requires a client certificate accepts.
in_both_worlds!(client_cert_pair_is_accepted, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let server = peers.tls(TlsPeer { client_auth: true, ..TlsPeer::new("good") }).await;
    let net = net(transport, &peers, CertEnv::default());
    for protocol in ["TLSv1.2", "TLSv1.3"] {
        let mut sock = ssl_to(&net, &server, TimeoutOpt::Seconds(waits.ok()), &mutual(protocol, true)).await;
        assert_eq!(sock.protocol(), protocol);
        assert_echoes(&mut sock, waits).await;
        sock.close().await;
    }
});

/// The first error of a handshake, then (if it completed) a recv: the refusal of a client
/// without a certificate may surface at either (under TLS 1.3, on the first read).
async fn refusal<T: Transport>(net: &Net<T>, server: &PeerAddr, opts: &TlsOptions, waits: Waits) -> NetError {
    match net.ssl(&server.host, server.port.into(), TimeoutOpt::Seconds(waits.ok()), opts).await {
        Err(e) => e,
        Ok(mut sock) => match sock.recv_line(CallOpts::timeout(waits.ok())).await {
            Err(e) => e,
            Ok(line) => panic!("a server requiring a client certificate answered {line:?}"),
        },
    }
}

/// The servers that require a client certificate: the test's own [`lingering_mtls_server`]
/// in both worlds, and the harness's `client_auth` peer on loopback.
///
/// Not the harness peer in sim: after refusing a client it drops the connection with the
/// client's last flight unread, which resets it, and turmoil's RST carries no sequence number:
/// with turmoil's random per-message latency it can overtake the alert sent just before it,
/// and the client then sees only a reset (a real TCP stack never delivers the reset first).
async fn mtls_servers<T: Transport>(transport: &T, peers: &Peers) -> Vec<PeerAddr> {
    let mut servers =
        vec![PeerAddr { host: "127.0.0.1".into(), port: lingering_mtls_server(transport).await }];
    if !peers.is_simulated() {
        servers.push(peers.tls(TlsPeer { client_auth: true, ..TlsPeer::new("good") }).await);
    }
    servers
}

/// SSL-OPT-CLIENT-CERT: without a client certificate, TLS 1.2 refuses in the handshake, with a
/// TlsError (the server's alert), not a ConnectionReset.
in_both_worlds!(client_cert_missing_refused_tls12, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let servers = mtls_servers(&transport, &peers).await;
    let net = net(transport, &peers, CertEnv::default());
    for server in &servers {
        let err = refusal(&net, server, &mutual("TLSv1.2", false), waits).await;
        assert_eq!(err.class, ErrorClass::TlsError, "want a TlsError, got {err}");
        assert_names(&err, server);
        // The same server accepts the pair.
        let mut sock = ssl_to(&net, server, TimeoutOpt::Seconds(waits.ok()), &mutual("TLSv1.2", true)).await;
        assert_echoes(&mut sock, waits).await;
    }
});

/// SSL-OPT-CLIENT-CERT: without a client certificate, TLS 1.3 refuses with an alert that the
/// client reads after its side of the handshake: still a TlsError, not a ConnectionReset.
in_both_worlds!(client_cert_missing_refused_tls13, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let servers = mtls_servers(&transport, &peers).await;
    let net = net(transport, &peers, CertEnv::default());
    for server in &servers {
        let err = refusal(&net, server, &mutual("TLSv1.3", false), waits).await;
        assert_eq!(err.class, ErrorClass::TlsError, "want a TlsError, got {err}");
        assert_names(&err, server);
        let mut sock = ssl_to(&net, server, TimeoutOpt::Seconds(waits.ok()), &mutual("TLSv1.3", true)).await;
        assert_echoes(&mut sock, waits).await;
    }
});

/// TLS-CLIENT-PAIR, SSL-OPT-CLIENT-CERT: half a pair (or a broken one) is an ArgumentError
/// naming the argument, before any I/O.
in_both_worlds!(client_cert_half_pair_is_argument_error_before_io, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let server = peers.tls(TlsPeer { client_auth: true, ..TlsPeer::new("good") }).await;
    let closed = peers.closed_port().await;
    let net = net(transport, &peers, CertEnv::default());
    let base = trusting_root(Some("localhost"));
    let cases = [
        ("client_key", TlsOptions { client_cert: Some(zoo_file("client.chain.pem")), ..base.clone() }),
        ("client_cert", TlsOptions { client_key: Some(zoo_file("client.key.pem")), ..base.clone() }),
        (
            "client_cert",
            TlsOptions {
                client_cert: Some(zoo_file("no-such-client.pem")),
                client_key: Some(zoo_file("client.key.pem")),
                ..base.clone()
            },
        ),
        (
            "client_key",
            TlsOptions {
                client_cert: Some(zoo_file("client.chain.pem")),
                client_key: Some(zoo_file("no-such-client.key.pem")),
                ..base.clone()
            },
        ),
        (
            "client_key",
            TlsOptions {
                client_cert: Some(zoo_file("client.chain.pem")),
                client_key: Some(zoo_file("good.key.pem")),
                ..base.clone()
            },
        ),
    ];
    for (argument, opts) in &cases {
        for target in [&server, &closed] {
            let err = expect_err(
                net.ssl(&target.host, target.port.into(), TimeoutOpt::Seconds(waits.ok()), opts).await,
                ErrorClass::ArgumentError,
            );
            assert_mentions(&err, argument);
        }
    }
});

// ---------------------------------------------------------------------------------------------
// SSL-OPT-SNI, TLS-SNI-NAME

/// SSL-OPT-SNI, TLS-SNI-NAME: the sni is the name verified, and defaults to the connect host.
in_both_worlds!(sni_is_the_verified_name, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let dns_only = peers.tls(TlsPeer::new("dns_only_by_ip")).await;
    let net = net(transport, &peers, CertEnv::default());
    let port = i64::from(good.port);

    let mut sock =
        ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some("server.example.test")))
            .await;
    assert_eq!(sock.host(), good.host, "host stays the connect host");
    assert_echoes(&mut sock, waits).await;
    let err = expect_cert_err(
        net.ssl(&good.host, port, TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some("other.example.org")))
            .await,
        "name_mismatch",
    );
    assert_names(&err, &good);
    // An IP-literal sni is verified against the IP SANs.
    ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some("127.0.0.1"))).await;
    ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some("::1"))).await;
    expect_cert_err(
        net.ssl(
            &dns_only.host,
            dns_only.port.into(),
            TimeoutOpt::Seconds(waits.ok()),
            &trusting_root(Some("127.0.0.1")),
        )
        .await,
        "name_mismatch",
    );
    ssl_to(&net, &dns_only, TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some("localhost"))).await;

    if peers.is_simulated() {
        // No sni: the connect host `server` is the verified name, and no certificate holds it.
        expect_cert_err(
            net.ssl(&good.host, port, TimeoutOpt::Seconds(waits.ok()), &trusting_root(None)).await,
            "name_mismatch",
        );
    } else {
        // No sni: the connect host is verified, as a name or as an IP literal.
        ssl_to(
            &net,
            &PeerAddr { host: "localhost".into(), port: good.port },
            TimeoutOpt::Seconds(waits.ok()),
            &trusting_root(None),
        )
        .await;
        let mut sock = ssl_to(&net, &good, TimeoutOpt::Seconds(waits.ok()), &trusting_root(None)).await;
        assert_eq!(sock.host(), "127.0.0.1");
        assert_echoes(&mut sock, waits).await;
        expect_cert_err(
            net.ssl("127.0.0.1", dns_only.port.into(), TimeoutOpt::Seconds(waits.ok()), &trusting_root(None))
                .await,
            "name_mismatch",
        );
        ssl_to(
            &net,
            &PeerAddr { host: "localhost".into(), port: dns_only.port },
            TimeoutOpt::Seconds(waits.ok()),
            &trusting_root(None),
        )
        .await;
    }
});

/// A rustls server config for the `good` leaf, for the test's own servers; with `client_auth`
/// it requires a client certificate issued under the zoo's root.
fn good_server_config(client_auth: bool) -> Arc<rustls::ServerConfig> {
    let zoo = CertZoo::shared();
    let leaf = zoo.leaf("good").expect("the good leaf");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("protocol versions");
    let builder = if client_auth {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(zoo.root_der()).expect("the zoo's root");
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .expect("client verifier");
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    Arc::new(
        builder.with_single_cert(leaf.chain.clone(), leaf.private_key()).expect("the good leaf and its key"),
    )
}

/// Binds a listener on loopback in the engine's own host (the test's own servers live there).
async fn bind_loopback<T: Transport>(transport: &T) -> (T::TcpListener, u16) {
    let listener = transport
        .bind_listener(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0))
        .await
        .expect("bind on loopback");
    let port = T::listener_addr(&listener).expect("the listener's address").port();
    (listener, port)
}

/// Echoes over a server-side TLS stream until the client ends its side.
async fn tls_echo<IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    tls: tokio_rustls::server::TlsStream<IO>,
) {
    let (mut reader, mut writer) = tokio::io::split(tls);
    let _ = tokio::io::copy(&mut reader, &mut writer).await;
    let _ = writer.shutdown().await;
}

/// A TLS echo server on loopback in the engine's host that requires a client certificate and,
/// after refusing a client, reads until the client closes before closing itself (a lingering
/// close: its alert is never chased by a reset).
async fn lingering_mtls_server<T: Transport>(transport: &T) -> u16 {
    let (listener, port) = bind_loopback(transport).await;
    let acceptor = tokio_rustls::TlsAcceptor::from(good_server_config(true));
    tokio::spawn(async move {
        while let Ok(connected) = T::accept(&listener).await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                match acceptor.accept(connected.stream).into_fallible().await {
                    Ok(tls) => tls_echo(tls).await,
                    Err((_, mut stream)) => {
                        let _ = tokio::io::copy(&mut stream, &mut tokio::io::sink()).await;
                    }
                }
            });
        }
    });
    port
}

/// A TLS echo server of the test's own, on loopback in the engine's host, that reports the SNI
/// of every ClientHello it reads (`None` when the client sent none).
async fn sni_probe<T: Transport>(
    transport: &T,
) -> (u16, tokio::sync::mpsc::UnboundedReceiver<Option<String>>) {
    let (listener, port) = bind_loopback(transport).await;
    let (seen, receiver) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok(connected) = T::accept(&listener).await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let acceptor = tokio_rustls::LazyConfigAcceptor::new(
                    rustls::server::Acceptor::default(),
                    connected.stream,
                );
                let Ok(start) = acceptor.await else { return };
                let _ = seen.send(start.client_hello().server_name().map(str::to_owned));
                if let Ok(tls) = start.into_stream(good_server_config(false)).await {
                    tls_echo(tls).await;
                }
            });
        }
    });
    (port, receiver)
}

/// TLS-SNI-NAME, SSL-OPT-SNI: the name sent is the sni (or the connect host), and none is sent
/// for an IP literal.
in_both_worlds!(sni_sent_on_the_wire, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let (port, mut seen) = sni_probe(&transport).await;
    let net = net(transport, &peers, CertEnv::default());
    let cases: [(&str, Option<&str>, Option<&str>); 5] = [
        ("localhost", None, Some("localhost")),
        ("127.0.0.1", None, None),
        ("127.0.0.1", Some("server.example.test"), Some("server.example.test")),
        ("localhost", Some("server.example.test"), Some("server.example.test")),
        ("localhost", Some("127.0.0.1"), None),
    ];
    for (host, sni, sent) in cases {
        let target = PeerAddr { host: host.into(), port };
        let mut sock = ssl_to(&net, &target, TimeoutOpt::Seconds(waits.ok()), &trusting_root(sni)).await;
        assert_echoes(&mut sock, waits).await;
        let got = seen.recv().await.expect("the probe saw a ClientHello");
        assert_eq!(got.as_deref(), sent, "SNI sent connecting to {host} with sni {sni:?}");
        sock.close().await;
    }
});

/// SSL-OPT-SNI: an sni that is no host name is an ArgumentError naming it.
in_both_worlds!(sni_invalid_is_argument_error, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let good = peers.tls(TlsPeer::new("good")).await;
    let net = net(transport, &peers, CertEnv::default());
    for bad in ["bad name", "", "a..b"] {
        let err = expect_err(
            net.ssl(&good.host, good.port.into(), TimeoutOpt::Seconds(waits.ok()), &trusting_root(Some(bad)))
                .await,
            ErrorClass::ArgumentError,
        );
        assert_mentions(&err, "sni");
    }
});

/// SSL-OPT-SNI: like every other bad option, a bad sni is refused before any I/O.
in_both_worlds!(sni_invalid_is_argument_error_before_io, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let closed = peers.closed_port().await;
    let net = net(transport, &peers, CertEnv::default());
    let err = expect_err(
        net.ssl(
            &closed.host,
            closed.port.into(),
            TimeoutOpt::Seconds(waits.ok()),
            &trusting_root(Some("bad name")),
        )
        .await,
        ErrorClass::ArgumentError,
    );
    assert_mentions(&err, "sni");
});

// ---------------------------------------------------------------------------------------------
// Handshake failures that are not about certificates

/// SSL-OPEN, IO-TIMEOUT-DEFAULT: a server that accepts and never answers stalls the handshake
/// until the timeout.
in_both_worlds!(handshake_stall_times_out, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let silent = peers.tcp(Peer::Script(vec![])).await;
    let net = net(transport, &peers, CertEnv::default());
    let started = tokio::time::Instant::now();
    let result = net
        .ssl(
            &silent.host,
            silent.port.into(),
            TimeoutOpt::Seconds(waits.stall()),
            &trusting_root(Some("localhost")),
        )
        .await;
    let elapsed = started.elapsed();
    let err = expect_err(result, ErrorClass::Timeout);
    assert_names(&err, &silent);
    let stall = Duration::from_secs_f64(waits.stall());
    assert!(elapsed >= stall, "gave up after {elapsed:?}, before the {stall:?} timeout");
    assert!(elapsed < stall * 2 + Duration::from_secs(1), "waited {elapsed:?} for a {stall:?} timeout");
});

/// SSL-OPEN: a peer that does not speak TLS fails the handshake with a TlsError.
in_both_worlds!(plaintext_peer_is_tls_error, |transport, peers| {
    let waits = Waits::new(peers.is_simulated());
    let echo = peers.tcp(Peer::Echo).await;
    let banner =
        peers.tcp(Peer::Script(vec![Step::Send(b"220 smtp.example ESMTP ready\r\n".to_vec())])).await;
    let net = net(transport, &peers, CertEnv::default());
    for peer in [&echo, &banner] {
        let err = expect_err(
            net.ssl(
                &peer.host,
                peer.port.into(),
                TimeoutOpt::Seconds(waits.ok()),
                &trusting_root(Some("localhost")),
            )
            .await,
            ErrorClass::TlsError,
        );
        assert_eq!(err.reason, None, "{err}");
        assert_names(&err, peer);
    }
});
