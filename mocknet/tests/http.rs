//! An HTTP/1.1 request over `ssl` on the mock network, to a slow server that answers in
//! chunks, with a timeout on every read: swept over seeds with proptest. `MOCKNET_CASES` raises
//! the number of seeds tried (default 4); `MOCKNET_SEED` replays one.

use std::net::Ipv4Addr;
use std::time::Duration;

use caspian_mocknet::{
    Flags, HostResult, MockNet, MockNetError, MockTransport, NetFault, turmoil, zoo_acceptor,
};
use caspian_reference::tls::SslSocket;
use caspian_reference::{CallOpts, ErrorClass, Net, NetError, NetResult, TimeoutOpt, TlsOptions};
use proptest::prelude::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const WEB_HOST: &str = "server.example.test";
const HTTPS_PORT: u16 = 443;
const CHUNKS: &[&str] = &["Hello, ", "chunked ", "world", "!"];

/// Reads one CRLF-terminated line, waiting at most `timeout` seconds.
async fn line(sock: &mut SslSocket, timeout: f64) -> NetResult<String> {
    let line = sock.recv_line(CallOpts::timeout(timeout)).await?;
    Ok(String::from_utf8_lossy(&line).trim_end().to_string())
}

/// GETs `/` over TLS and returns the status line and the de-chunked body; every read waits at
/// most `timeout` seconds.
async fn get(net: Net<MockTransport>, timeout: f64) -> NetResult<(String, String)> {
    let options = TlsOptions::default();
    let mut sock = net.ssl(WEB_HOST, HTTPS_PORT.into(), TimeoutOpt::Seconds(timeout), &options).await?;
    sock.send_all(b"GET / HTTP/1.1\r\nHost: server.example.test\r\nConnection: close\r\n\r\n").await?;
    let status = line(&mut sock, timeout).await?;
    while !line(&mut sock, timeout).await?.is_empty() {}
    let mut body = Vec::new();
    loop {
        let size = line(&mut sock, timeout).await?;
        let size = usize::from_str_radix(&size, 16)
            .map_err(|_| NetError::new(ErrorClass::ArgumentError, format!("bad chunk size {size:?}")))?;
        if size == 0 {
            break;
        }
        body.extend(sock.recv_exact(size as i64, CallOpts::timeout(timeout)).await?);
        sock.recv_exact(2, CallOpts::timeout(timeout)).await?;
    }
    sock.close().await;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// A web server that waits `pause` before each chunk of its answer.
async fn slow_server(pause: Duration) -> HostResult {
    let listener = turmoil::net::TcpListener::bind((Ipv4Addr::UNSPECIFIED, HTTPS_PORT)).await?;
    let acceptor = zoo_acceptor("good")?;
    loop {
        let (stream, _) = listener.accept().await?;
        let Ok(secure) = acceptor.accept(stream).await else { continue };
        let mut secure = BufReader::new(secure);
        let mut header = String::new();
        while secure.read_line(&mut header).await? > 2 {
            header.clear();
        }
        secure.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").await?;
        for chunk in CHUNKS {
            tokio::time::sleep(pause).await;
            secure.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes()).await?;
        }
        secure.write_all(b"0\r\n\r\n").await?;
        secure.shutdown().await?;
        let _ = secure.read_to_end(&mut Vec::new()).await;
    }
}

fn fetch(
    seed: u64,
    pause: Duration,
    timeout: f64,
) -> Result<NetResult<(String, String)>, MockNetError<std::convert::Infallible>> {
    MockNet::sim(seed)
        .fault_at(Duration::ZERO, NetFault::MaxLatency(Duration::from_millis(100)))
        .host(WEB_HOST, move || slow_server(pause))
        .client(Flags::allow_net("server.example.test:443"), move |net| async move {
            Ok::<_, std::convert::Infallible>(get(net, timeout).await)
        })
        .run()
}

fn config() -> ProptestConfig {
    let cases = std::env::var("MOCKNET_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(4);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// The seeds swept: 200, or only `MOCKNET_SEED` when it is set.
fn seed() -> impl Strategy<Value = u64> {
    match std::env::var("MOCKNET_SEED").ok().and_then(|seed| seed.parse().ok()) {
        Some(seed) => Just(seed).boxed(),
        None => (0u64..200).boxed(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_slow_chunked_answer_within_the_timeout_arrives_whole(seed in seed()) {
        let outcome = fetch(seed, Duration::from_millis(400), 2.0).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (status, body) = outcome.map_err(|e| TestCaseError::fail(format!("seed {seed}: {e}")))?;
        prop_assert_eq!(status, "HTTP/1.1 200 OK");
        prop_assert_eq!(body, CHUNKS.concat());
    }

    #[test]
    fn a_server_slower_than_the_timeout_raises_timeout(seed in seed()) {
        let outcome = fetch(seed, Duration::from_secs(5), 2.0).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let error = outcome.err().map(|e| e.class);
        prop_assert_eq!(error, Some(ErrorClass::Timeout), "seed {}", seed);
    }
}
