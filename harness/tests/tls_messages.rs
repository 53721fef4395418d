//! TlsError and CertificateError messages, from real handshakes, read as words a script author
//! understands: they name the host and port and carry no library debug text.

use std::sync::Arc;

use caspian_harness::certs::CertZoo;
use caspian_harness::world::{PeerAddr, run_sim};
use caspian_mocknet::{Peer, Step, TlsPeer};
use caspian_reference::net::Net;
use caspian_reference::permissions::Permissions;
use caspian_reference::tls::{CertEnv, TlsContext, TlsOptions};
use caspian_reference::transport::Transport;
use caspian_reference::transport::sim::SimClock;
use caspian_reference::{ErrorClass, NetError, TimeoutOpt};

/// Fails if `error`'s message does not name `peer` or carries debug text: braces, `Some(`,
/// library type names, CamelCase identifiers.
#[track_caller]
fn assert_reads_as_words(error: &NetError, peer: &PeerAddr) {
    let message = &error.message;
    assert!(message.contains(&format!("{}:{}", peer.host, peer.port)), "does not name the peer: {error}");
    for debug in ["{", "}", "Some(", "None", "Context", "OtherError", "UnixTime", "DnsName", "Vec"] {
        assert!(!message.contains(debug), "{debug:?} in {message:?}");
    }
    let camel_case = message.split(|c: char| !c.is_ascii_alphanumeric()).find(|word| {
        word.as_bytes().windows(2).any(|pair| pair[0].is_ascii_lowercase() && pair[1].is_ascii_uppercase())
    });
    assert_eq!(camel_case, None, "an identifier in {message:?}");
}

fn options(sni: &str, protocols: Option<&[&str]>) -> TlsOptions {
    let bundle = CertZoo::shared_dir().map(|dir| dir.join("root-ca.pem"));
    TlsOptions {
        ca_bundle: Some(bundle.unwrap_or_else(|e| panic!("cannot write the certificate zoo: {e}"))),
        sni: Some(sni.to_owned()),
        protocols: protocols.map(|list| list.iter().map(|p| (*p).to_owned()).collect()),
        ..TlsOptions::default()
    }
}

async fn refusal<T: Transport>(net: &Net<T>, peer: &PeerAddr, options: &TlsOptions) -> NetError {
    match net.ssl(&peer.host, peer.port.into(), TimeoutOpt::Seconds(60.0), options).await {
        Ok(_) => panic!("{}:{} accepted {options:?}", peer.host, peer.port),
        Err(error) => error,
    }
}

#[test]
fn every_zoo_rejection_reads_as_words() {
    run_sim(7, |transport, peers| async move {
        let tls = TlsContext::new(Arc::new(SimClock), CertEnv::default());
        let net = Net::new(transport, Permissions::allow_all()).with_tls(tls);
        for rejection in CertZoo::rejections() {
            let peer = peers.tls(TlsPeer::new(rejection.leaf)).await;
            let error = refusal(&net, &peer, &options(rejection.connect_name, None)).await;
            assert_eq!(error.class, ErrorClass::CertificateError, "{}: {error}", rejection.name);
            assert!(error.message.contains(": certificate rejected: "), "{}: {error}", rejection.name);
            assert_reads_as_words(&error, &peer);
        }
    });
}

#[test]
fn handshake_failures_read_as_words() {
    run_sim(7, |transport, peers| async move {
        let tls = TlsContext::new(Arc::new(SimClock), CertEnv::default());
        let net = Net::new(transport, Permissions::allow_all()).with_tls(tls);
        let tls12 = peers.tls(TlsPeer { tls12_only: true, ..TlsPeer::new("good") }).await;
        let mutual = peers.tls(TlsPeer { client_auth: true, ..TlsPeer::new("good") }).await;
        let banner =
            peers.tcp(Peer::Script(vec![Step::Send(b"220 smtp.example ESMTP ready\r\n".to_vec())])).await;
        let failures = [
            (&tls12, options("localhost", Some(&["TLSv1.3"]))),
            (&mutual, options("localhost", Some(&["TLSv1.2"]))),
            (&banner, options("localhost", None)),
        ];
        for (peer, options) in &failures {
            let error = refusal(&net, peer, options).await;
            assert_eq!(error.class, ErrorClass::TlsError, "{error}");
            assert_reads_as_words(&error, peer);
        }
    });
}
