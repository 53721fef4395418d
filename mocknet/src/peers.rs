//! The peers a case talks to, served: small servers (and a dialing client) written once over
//! [`Transport`], so that they run unchanged on loopback and in the simulated network. What they
//! do is described by [`Peer`], [`Step`] and [`TlsPeer`]; TLS peers present the leaves of
//! [`crate::certs`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use caspian_reference::tokio_rustls;
use caspian_reference::transport::{BoxedStream, Transport};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub use caspian_peers::{Peer, PeerAddr, Step, TlsPeer, UdpPeer};

use crate::certs;

/// What the connections of one peer share: how the last TLS session ended, for
/// [`TlsPeer::report_close`]. `None` until a session has ended; `Some(true)` when the client
/// sent close_notify before the end.
pub type Endings = tokio::sync::watch::Sender<Option<bool>>;

/// Serves one accepted connection as `peer` describes; `index` counts the peer's connections
/// from 0.
pub async fn serve(
    peer: &Peer,
    mut stream: BoxedStream,
    index: usize,
    endings: &Endings,
) -> std::io::Result<()> {
    match peer {
        Peer::Echo => echo(stream).await,
        Peer::Script(steps) => {
            if run_steps(steps, &mut stream, &mut Vec::new()).await? == Ending::Closed {
                return Ok(());
            }
            // Hold the connection until the client is done with it.
            let mut sink = [0u8; 4096];
            while stream.read(&mut sink).await? > 0 {}
            Ok(())
        }
        Peer::Tls(tls) => serve_tls(tls, stream, index, endings).await,
    }
}

/// How a run of steps ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every step ran; the connection is still open.
    Open,
    /// A `Close` step ended it: the caller must drop the stream now.
    Closed,
}

/// Runs `steps` over `stream`, appending every byte read to `received`. Stops at a `Close` step.
pub async fn run_steps(
    steps: &[Step],
    stream: &mut BoxedStream,
    received: &mut Vec<u8>,
) -> std::io::Result<Ending> {
    for step in steps {
        match step {
            Step::Send(bytes) => stream.write_all(bytes).await?,
            Step::Dribble(bytes, pause) => {
                for byte in bytes {
                    stream.write_all(&[*byte]).await?;
                    tokio::time::sleep(*pause).await;
                }
            }
            Step::Pause(pause) => tokio::time::sleep(*pause).await,
            Step::Recv(n) => {
                let start = received.len();
                received.resize(start + n, 0);
                stream.read_exact(&mut received[start..]).await?;
            }
            Step::RecvToEnd => {
                stream.read_to_end(received).await?;
            }
            Step::RecvExpect(expected) => {
                let start = received.len();
                received.resize(start + expected.len(), 0);
                stream.read_exact(&mut received[start..]).await?;
                if received[start..] != expected[..] {
                    return Ok(Ending::Closed);
                }
            }
            Step::ShutdownWrite => stream.shutdown().await?,
            Step::Close => return Ok(Ending::Closed),
            Step::Flood(pattern, bytes) => {
                let mut left = *bytes;
                while left > 0 && !pattern.is_empty() {
                    let copy = &pattern[..pattern.len().min(left)];
                    stream.write_all(copy).await?;
                    left -= copy.len();
                }
            }
        }
    }
    Ok(Ending::Open)
}

/// Echoes every byte back until the client ends its side, then ends ours.
async fn echo(stream: impl AsyncRead + AsyncWrite) -> std::io::Result<()> {
    let (mut reader, mut writer) = tokio::io::split(stream);
    tokio::io::copy(&mut reader, &mut writer).await?;
    writer.shutdown().await
}

/// The server configuration of a TLS peer, from the certificate zoo. Built once per thread for
/// each kind of peer: every connection of every case shares it.
pub fn tls_config(peer: &TlsPeer) -> std::io::Result<Arc<rustls::ServerConfig>> {
    thread_local! {
        static CONFIGS: RefCell<HashMap<TlsPeer, Arc<rustls::ServerConfig>>> = RefCell::default();
    }
    if let Some(config) = CONFIGS.with_borrow(|configs| configs.get(peer).cloned()) {
        return Ok(config);
    }
    let config = build_tls_config(peer)?;
    CONFIGS.with_borrow_mut(|configs| configs.insert(peer.clone(), config.clone()));
    Ok(config)
}

fn build_tls_config(peer: &TlsPeer) -> std::io::Result<Arc<rustls::ServerConfig>> {
    let invalid =
        |e: &dyn std::fmt::Display| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string());
    let (mut chain, key) = certs::leaf(&peer.leaf)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] =
        if peer.tls12_only { &[&rustls::version::TLS12] } else { rustls::ALL_VERSIONS };
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| invalid(&e))?;
    let builder = if peer.client_auth {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(certs::root_der()?).map_err(|e| invalid(&e))?;
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| invalid(&e))?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    chain.extend(std::iter::repeat_n(certs::intermediate_der()?, peer.chain_padding));
    // Not `with_single_cert`: it refuses a chain that does not parse, which a hostile peer sends.
    let key = provider.key_provider.load_private_key(key).map_err(|e| invalid(&e))?;
    let certified = rustls::sign::CertifiedKey::new(chain, key);
    let mut config = builder.with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(certified)));
    // Shared by connections, yet none resumes another's session: every handshake is a full one.
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(Arc::new(config))
}

/// Serves one connection as a TLS peer: the optional STARTTLS exchange, the handshake, echo.
async fn serve_tls(
    peer: &TlsPeer,
    mut stream: BoxedStream,
    index: usize,
    endings: &Endings,
) -> std::io::Result<()> {
    if let Some(reply) = &peer.starttls_reply {
        let mut byte = [0u8; 1];
        while stream.read(&mut byte).await? == 1 && byte[0] != b'\n' {}
        stream.write_all(reply).await?;
    }
    let acceptor = tokio_rustls::TlsAcceptor::from(tls_config(peer)?);
    match acceptor.accept(stream).into_fallible().await {
        Ok(mut tls) if peer.abrupt_close => {
            let mut line = Vec::new();
            let mut byte = [0u8; 1];
            while tls.read(&mut byte).await? == 1 {
                line.push(byte[0]);
                if byte[0] == b'\n' {
                    break;
                }
            }
            tls.write_all(&line).await?;
            tls.flush().await?;
            // Drop the TCP connection under the session: no close_notify is sent.
            drop(tls.into_inner());
            Ok(())
        }
        Ok(mut tls) => {
            if peer.report_close && index > 0 {
                tls.write_all(last_ending(endings).await).await?;
            }
            if peer.report_sni {
                let line = match tls.get_ref().1.server_name() {
                    Some(name) => format!("sni {name}\n"),
                    None => "no sni\n".to_string(),
                };
                tls.write_all(line.as_bytes()).await?;
            }
            let (mut reader, mut writer) = tokio::io::split(tls);
            let echoed = tokio::io::copy(&mut reader, &mut writer).await;
            endings.send_replace(Some(echoed.is_ok()));
            if peer.report_end {
                let how: &[u8] = if echoed.is_ok() { b"close_notify\n" } else { b"no close_notify\n" };
                writer.write_all(how).await?;
                return writer.shutdown().await;
            }
            echoed?;
            if peer.ignore_close_notify {
                // No close_notify back and no FIN: hold the connection until the client drops it.
                let (mut raw, _) = reader.unsplit(writer).into_inner();
                let _ = tokio::io::copy(&mut raw, &mut tokio::io::sink()).await;
                return Ok(());
            }
            writer.shutdown().await?;
            // The client's close_notify arrived; its FIN may still be on its way. Read it
            // before dropping the socket, so that closing does not reset the connection.
            let (mut raw, _) = reader.unsplit(writer).into_inner();
            let _ = tokio::io::copy(&mut raw, &mut tokio::io::sink()).await;
            Ok(())
        }
        // Refused (the alert is sent): read until the client hangs up, so that closing does not
        // reset the connection before the client has read the alert.
        Err((error, mut stream)) => {
            let mut sink = Vec::new();
            let _ = stream.read_to_end(&mut sink).await;
            Err(error)
        }
    }
}

/// How the last TLS session of a peer ended, as a line; waits for the session to end (at most
/// ten seconds: a client still connected is reported as such).
async fn last_ending(endings: &Endings) -> &'static [u8] {
    let mut watch = endings.subscribe();
    let ended =
        tokio::time::timeout(std::time::Duration::from_secs(10), watch.wait_for(Option::is_some)).await;
    match ended.ok().and_then(Result::ok).and_then(|ending| *ending) {
        Some(true) => b"close_notify\n",
        Some(false) => b"no close_notify\n",
        None => b"still connected\n",
    }
}

/// Accepts connections forever, serving each as `peer` describes on its own task.
pub async fn serve_tcp<T: Transport>(listener: T::TcpListener, peer: Peer) {
    let endings = std::sync::Arc::new(Endings::new(None));
    let mut index = 0;
    while let Ok(connected) = T::accept(&listener).await {
        let (peer, endings) = (peer.clone(), endings.clone());
        tokio::spawn(async move {
            let _ = serve(&peer, connected.stream, index, &endings).await;
        });
        index += 1;
    }
}

/// Answers every datagram as `peer` describes, forever.
pub async fn serve_udp<T: Transport>(socket: T::UdpSocket, peer: UdpPeer) {
    let mut buf = vec![0u8; 65_536];
    while let Ok((n, from)) = T::recv_from(&socket, &mut buf).await {
        match peer {
            UdpPeer::Echo => {
                let _ = T::send_to(&socket, &buf[..n], from).await;
            }
            UdpPeer::Flood { datagrams, bytes } => {
                let datagram = vec![b'f'; bytes];
                for _ in 0..datagrams {
                    let _ = T::send_to(&socket, &datagram, from).await;
                }
            }
        }
    }
}

/// Connects to `addr` (an engine's listener), runs `steps`, and returns every byte read.
pub async fn dial<T: Transport>(transport: T, addr: PeerAddr, steps: Vec<Step>) -> Result<Vec<u8>, String> {
    let target = format!("{}:{}", addr.host, addr.port);
    let resolved =
        transport.lookup_host(&addr.host, addr.port).await.map_err(|e| format!("resolve {target}: {e}"))?;
    let first = resolved.first().ok_or_else(|| format!("resolve {target}: no address"))?;
    let mut connected = transport.connect(*first).await.map_err(|e| format!("connect to {target}: {e}"))?;
    let mut received = Vec::new();
    run_steps(&steps, &mut connected.stream, &mut received)
        .await
        .map_err(|e| format!("with {target}: {e}"))?;
    Ok(received)
}
