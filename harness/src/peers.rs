//! The peers a case talks to: small servers written once over [`Transport`], so that they run
//! unchanged on loopback and in the simulated network.

use std::time::Duration;

use caspian_reference::transport::{BoxedStream, Transport};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What a TCP peer does with each connection it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// Echoes every byte back until the client ends its side, then closes.
    Echo,
    /// Runs these steps on every connection, then holds it open until the client closes.
    Script(Vec<Step>),
    /// A TLS server (after an optional plaintext STARTTLS exchange) that echoes.
    Tls(TlsPeer),
}

/// One step of a scripted peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Writes these bytes in one write.
    Send(Vec<u8>),
    /// Writes these bytes one at a time, with a pause between bytes.
    Dribble(Vec<u8>, Duration),
    /// Waits.
    Pause(Duration),
    /// Reads exactly this many bytes (waiting for them) and discards them.
    Recv(usize),
    /// Reads until the client ends its side, and discards what it read.
    RecvToEnd,
    /// Ends our side (the client reads end of stream) but keeps reading.
    ShutdownWrite,
    /// Closes the connection now. Closing with unread bytes resets it.
    Close,
}

impl Peer {
    /// Serves one accepted connection.
    pub async fn serve(&self, mut stream: BoxedStream) -> std::io::Result<()> {
        match self {
            Peer::Echo => echo(stream).await,
            Peer::Script(steps) => {
                for step in steps {
                    if !run_step(step, &mut stream).await? {
                        return Ok(());
                    }
                }
                // Hold the connection until the client is done with it.
                let mut sink = [0u8; 4096];
                while stream.read(&mut sink).await? > 0 {}
                Ok(())
            }
            Peer::Tls(tls) => tls.serve(stream).await,
        }
    }
}

/// Echoes every byte back until the client ends its side, then ends ours.
async fn echo(stream: impl AsyncRead + AsyncWrite) -> std::io::Result<()> {
    let (mut reader, mut writer) = tokio::io::split(stream);
    tokio::io::copy(&mut reader, &mut writer).await?;
    writer.shutdown().await
}

/// Runs one step; false when the connection is gone.
async fn run_step(step: &Step, stream: &mut BoxedStream) -> std::io::Result<bool> {
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
            let mut buf = vec![0u8; *n];
            stream.read_exact(&mut buf).await?;
        }
        Step::RecvToEnd => {
            let mut sink = Vec::new();
            stream.read_to_end(&mut sink).await?;
        }
        Step::ShutdownWrite => stream.shutdown().await?,
        Step::Close => return Ok(false),
    }
    Ok(true)
}

/// Accepts connections forever, serving each with `peer` on its own task.
pub async fn serve_tcp<T: Transport>(listener: T::TcpListener, peer: Peer) {
    while let Ok(connected) = T::accept(&listener).await {
        let peer = peer.clone();
        tokio::spawn(async move {
            let _ = peer.serve(connected.stream).await;
        });
    }
}

/// Echoes every datagram to its sender, forever.
pub async fn serve_udp_echo<T: Transport>(socket: T::UdpSocket) {
    let mut buf = vec![0u8; 65_536];
    while let Ok((n, from)) = T::recv_from(&socket, &mut buf).await {
        let _ = T::send_to(&socket, &buf[..n], from).await;
    }
}

/// A TLS server presenting a leaf of the certificate zoo, echoing what it decrypts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPeer {
    /// The zoo leaf it presents (its chain as the zoo sends it).
    pub leaf: String,
    /// Offers TLS 1.2 only.
    pub tls12_only: bool,
    /// Requires a client certificate issued under the zoo's root.
    pub client_auth: bool,
    /// STARTTLS: before the handshake, reads one plaintext line and answers with these bytes.
    pub starttls_reply: Option<Vec<u8>>,
}

impl TlsPeer {
    /// A TLS 1.2 and 1.3 server for `leaf`, without client authentication or STARTTLS.
    pub fn new(leaf: &str) -> Self {
        Self { leaf: leaf.into(), tls12_only: false, client_auth: false, starttls_reply: None }
    }

    fn config(&self) -> std::io::Result<std::sync::Arc<rustls::ServerConfig>> {
        use std::sync::Arc;
        let invalid =
            |e: &dyn std::fmt::Display| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string());
        let zoo = crate::certs::CertZoo::shared();
        let leaf = zoo.leaf(&self.leaf).ok_or_else(|| invalid(&format!("no zoo leaf {:?}", self.leaf)))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let versions: &[&rustls::SupportedProtocolVersion] =
            if self.tls12_only { &[&rustls::version::TLS12] } else { rustls::ALL_VERSIONS };
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .map_err(|e| invalid(&e))?;
        let builder = if self.client_auth {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(zoo.root_der()).map_err(|e| invalid(&e))?;
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| invalid(&e))?;
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let config =
            builder.with_single_cert(leaf.chain.clone(), leaf.private_key()).map_err(|e| invalid(&e))?;
        Ok(Arc::new(config))
    }

    /// Serves one accepted connection: the optional STARTTLS exchange, the handshake, then echo.
    pub async fn serve(&self, mut stream: BoxedStream) -> std::io::Result<()> {
        if let Some(reply) = &self.starttls_reply {
            let mut byte = [0u8; 1];
            while stream.read(&mut byte).await? == 1 && byte[0] != b'\n' {}
            stream.write_all(reply).await?;
        }
        let acceptor = tokio_rustls::TlsAcceptor::from(self.config()?);
        match acceptor.accept(stream).into_fallible().await {
            Ok(tls) => echo(tls).await,
            // Refused (the alert is sent): read until the client hangs up, so that closing does
            // not reset the connection before the client has read the alert.
            Err((error, mut stream)) => {
                let mut sink = Vec::new();
                let _ = stream.read_to_end(&mut sink).await;
                Err(error)
            }
        }
    }
}
