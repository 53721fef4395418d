//! An SMTP-style client doing STARTTLS on the mock network, against a server that behaves and
//! against three that do not; each misbehaviour raises the class a script would catch. The same
//! client and server run in both worlds, simulated and on loopback. Also: the same seed gives
//! the same transcript, and a transcript lists the client's connections.

use std::convert::Infallible;
use std::time::Duration;

use caspian_mocknet::TlsPeer;
use caspian_mocknet::{Flags, MockNet, MockTransport, NetFault, Run, World, zoo_acceptor};
use caspian_reference::transport::BoxedStream;
use caspian_reference::{CallOpts, ErrorClass, Net, NetError, TlsOptions};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// The mail server's name; the zoo's `good` leaf is issued for it.
const MAIL_HOST: &str = "server.example.test";
const SMTP_PORT: i64 = 25;

/// How a client's conversation went wrong.
#[derive(Debug)]
enum SmtpError {
    /// The socket raised.
    Net(NetError),
    /// The server answered something else than the protocol allows here.
    Protocol(String),
}

impl From<NetError> for SmtpError {
    fn from(error: NetError) -> Self {
        Self::Net(error)
    }
}

impl std::fmt::Display for SmtpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Net(error) => write!(f, "{error}"),
            Self::Protocol(problem) => write!(f, "protocol: {problem}"),
        }
    }
}

impl SmtpError {
    fn class(&self) -> Option<ErrorClass> {
        match self {
            Self::Net(error) => Some(error.class),
            Self::Protocol(_) => None,
        }
    }
}

/// Reads one reply (its continuation lines too) and checks its code.
async fn reply(
    sock: &mut caspian_reference::stream::StreamSocket,
    code: &[u8],
) -> Result<Vec<u8>, SmtpError> {
    loop {
        let line = sock.recv_line(CallOpts::timeout(10.0)).await?;
        if !line.starts_with(code) {
            return Err(SmtpError::Protocol(format!(
                "expected {:?}, got {:?}",
                code,
                String::from_utf8_lossy(&line)
            )));
        }
        if line.get(code.len()) != Some(&b'-') {
            return Ok(line.to_vec());
        }
    }
}

/// Greets, upgrades to TLS (verifying the server), greets again and quits: the server's last
/// reply.
async fn send_hello(net: Net<MockTransport>) -> Result<Vec<u8>, SmtpError> {
    let mut plain = net.tcp(MAIL_HOST, SMTP_PORT).await?;
    reply(&mut plain, b"220").await?;
    plain.send_all(b"EHLO client.example.test\r\n").await?;
    reply(&mut plain, b"250").await?;
    plain.send_all(b"STARTTLS\r\n").await?;
    reply(&mut plain, b"220").await?;
    let mut secure = plain.starttls(TlsOptions::default()).await?;
    secure.send_all(b"EHLO client.example.test\r\n").await?;
    reply(&mut secure, b"250").await?;
    secure.send_all(b"QUIT\r\n").await?;
    let bye = reply(&mut secure, b"221").await?;
    secure.close().await;
    Ok(bye)
}

/// How the mail server behaves.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Server {
    Honest,
    DropsAfterEhlo,
    PlaintextAfterStarttls,
    WrongHostCertificate,
}

async fn line(stream: &mut (impl AsyncBufReadExt + Unpin)) -> std::io::Result<String> {
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    Ok(line)
}

/// Serves one SMTP session as `server` behaves.
async fn session(server: Server, stream: BoxedStream) -> std::io::Result<()> {
    let mut stream = BufReader::new(stream);
    stream.write_all(b"220 mail ready\r\n").await?;
    line(&mut stream).await?;
    if server == Server::DropsAfterEhlo {
        return Ok(());
    }
    stream.write_all(b"250-mail\r\n250 STARTTLS\r\n").await?;
    line(&mut stream).await?;
    stream.write_all(b"220 go ahead\r\n").await?;
    if server == Server::PlaintextAfterStarttls {
        stream.write_all(b"250 still plaintext\r\n").await?;
        return drain(stream).await;
    }
    let leaf = if server == Server::WrongHostCertificate { "wrong_host" } else { "good" };
    let secure = match zoo_acceptor(leaf)?.accept(stream.into_inner()).into_fallible().await {
        Ok(secure) => secure,
        Err((_, stream)) => return drain(stream).await,
    };
    let mut secure = BufReader::new(secure);
    line(&mut secure).await?;
    secure.write_all(b"250 mail\r\n").await?;
    line(&mut secure).await?;
    secure.write_all(b"221 bye\r\n").await?;
    secure.shutdown().await?;
    drain(secure).await
}

/// Reads until the client hangs up, so that closing does not reset what it has yet to read.
async fn drain(mut stream: impl AsyncRead + AsyncWrite + Unpin) -> std::io::Result<()> {
    stream.read_to_end(&mut Vec::new()).await.map(|_| ())
}

/// A network in `world` where the mail server behaves as `server`, and the client says hello.
fn mail(world: World, server: Server, seed: u64) -> Run<Result<Vec<u8>, SmtpError>, Infallible> {
    MockNet::new(world, seed)
        .fault_at(Duration::ZERO, NetFault::MaxLatency(Duration::from_millis(50)))
        .serve(MAIL_HOST, SMTP_PORT, move |stream, _| session(server, stream))
        .client(Flags::allow_net("server.example.test:25"), |net| async move {
            Ok::<_, Infallible>(send_hello(net).await)
        })
}

/// The worlds and seeds each example runs in: five simulated seeds, two on loopback.
fn runs() -> impl Iterator<Item = (World, u64)> {
    (0..5).map(|seed| (World::Sim, seed)).chain((0..2).map(|seed| (World::Real, seed)))
}

fn outcome(world: World, server: Server, seed: u64) -> Result<Vec<u8>, SmtpError> {
    mail(world, server, seed).run().unwrap_or_else(|failure| panic!("{failure}"))
}

#[test]
fn an_honest_server_says_goodbye_over_tls() {
    for (world, seed) in runs() {
        let bye = outcome(world, Server::Honest, seed).unwrap_or_else(|e| panic!("{world} seed {seed}: {e}"));
        assert_eq!(bye, b"221 bye\r\n");
    }
}

#[test]
fn a_server_that_drops_after_ehlo_raises_end_of_stream() {
    for (world, seed) in runs() {
        let error = outcome(world, Server::DropsAfterEhlo, seed).expect_err("the server hung up");
        assert_eq!(error.class(), Some(ErrorClass::EndOfStream), "{world} seed {seed}: {error}");
    }
}

#[test]
fn plaintext_after_starttls_raises_tls_error() {
    for (world, seed) in runs() {
        let error = outcome(world, Server::PlaintextAfterStarttls, seed).expect_err("no handshake");
        assert_eq!(error.class(), Some(ErrorClass::TlsError), "{world} seed {seed}: {error}");
    }
}

#[test]
fn a_wrong_host_certificate_raises_certificate_error() {
    for (world, seed) in runs() {
        let error = outcome(world, Server::WrongHostCertificate, seed).expect_err("wrong name");
        assert_eq!(error.class(), Some(ErrorClass::CertificateError), "{world} seed {seed}: {error}");
    }
}

#[test]
fn the_transcript_lists_the_clients_connections_in_both_worlds() {
    for world in [World::Sim, World::Real] {
        let run = mail(world, Server::Honest, 3);
        let transcript = run.transcript();
        run.run().unwrap_or_else(|failure| panic!("{failure}")).unwrap_or_else(|e| panic!("{world}: {e}"));
        let events: Vec<String> = transcript.events().into_iter().map(|event| event.what).collect();
        // Both ends name each other by host name, and the connection by its number.
        for expected in [
            "client starts",
            "client connects to server.example.test:25 (connection 0)",
            "server.example.test:25 accepts connection 0 from client",
            "client closes connection 0 to server.example.test:25",
            "server.example.test:25 closes connection 0 from client",
            "client finishes",
        ] {
            assert!(events.iter().any(|event| event == expected), "{world}: no {expected:?} in {events:#?}");
        }
    }
}

/// The transcript of a run against the zoo's ready STARTTLS peer, with latency from the seed.
fn ready_peer_transcript(seed: u64) -> Vec<String> {
    let peer = TlsPeer { starttls_reply: Some(b"220 go ahead\r\n".to_vec()), ..TlsPeer::new("good") };
    let run = MockNet::sim(seed)
        .fault_at(Duration::ZERO, NetFault::MaxLatency(Duration::from_millis(80)))
        .tls(MAIL_HOST, SMTP_PORT, peer)
        .client(Flags::allow_net("server.example.test:25"), |net| async move {
            let mut plain = net.tcp(MAIL_HOST, SMTP_PORT).await?;
            plain.send_all(b"STARTTLS\r\n").await?;
            plain.recv_line(CallOpts::timeout(10.0)).await?;
            let mut secure = plain.starttls(TlsOptions::default()).await?;
            secure.send_all(b"ping\n").await?;
            let echoed = secure.recv_line(CallOpts::timeout(10.0)).await?;
            secure.close().await;
            // The run ends when the client returns: give the peer time to see the close.
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok::<_, NetError>(echoed)
        });
    let transcript = run.transcript();
    assert_eq!(run.run().unwrap_or_else(|failure| panic!("{failure}")), &b"ping\n"[..]);
    transcript.events().iter().map(ToString::to_string).collect()
}

#[test]
fn the_same_seed_gives_the_same_transcript() {
    let first = ready_peer_transcript(41);
    assert!(first.iter().any(|event| event.contains("accepts connection 0 from client")), "{first:#?}");
    assert!(
        first.iter().any(|event| event.contains("client connects to server.example.test:25")),
        "{first:#?}"
    );
    assert!(first.iter().any(|event| event.contains("closes connection 0 from client")), "{first:#?}");
    assert_eq!(first, ready_peer_transcript(41));
}
