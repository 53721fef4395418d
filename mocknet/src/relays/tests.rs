//! The relay's toxics on loopback: what each does to the bytes and to the ends of a connection.

use std::net::SocketAddr;
use std::time::Duration;

use caspian_peers::Fault;
use caspian_reference::transport::os::OsTransport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{LinkHandle, local_peer, relay, udp};

/// A loopback peer that sends `reply` to the one connection it accepts, then reads and returns
/// everything the client sends until it ends its half.
async fn peer(reply: Vec<u8>) -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let task = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        stream.write_all(&reply).await.expect("reply");
        let mut got = Vec::new();
        let _ = stream.read_to_end(&mut got).await;
        got
    });
    (port, task)
}

/// A relay in front of a peer that sends `reply`, with `faults` applied before anyone connects.
async fn relayed(
    reply: &[u8],
    faults: &[Fault],
) -> (LinkHandle, TcpStream, tokio::task::JoinHandle<Vec<u8>>) {
    let (port, task) = peer(reply.to_vec()).await;
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let link = relay::start_tcp(&OsTransport, any, local_peer(port), 7).await.expect("relay");
    for fault in faults {
        link.apply(*fault).expect("a TCP fault");
    }
    let client = TcpStream::connect(("127.0.0.1", link.port)).await.expect("connect");
    (link, client, task)
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn slices_bandwidth_latency_and_a_slow_close_keep_every_byte_in_order() {
    let faults = [
        Fault::Slice { bytes: 7, gap: Duration::from_millis(1) },
        Fault::Bandwidth(1 << 20),
        Fault::Latency(Duration::from_millis(5)),
        Fault::SlowClose(Duration::from_millis(10)),
    ];
    let (_link, mut client, peer) = relayed(&data(3000), &faults).await;
    client.write_all(b"upstream bytes").await.expect("send");
    client.shutdown().await.expect("shutdown");
    let mut got = Vec::new();
    client.read_to_end(&mut got).await.expect("read to the end");
    assert_eq!(got, data(3000));
    assert_eq!(peer.await.expect("peer"), b"upstream bytes");
}

#[tokio::test]
async fn a_hold_keeps_the_bytes_until_it_heals() {
    let (link, mut client, peer) = relayed(b"", &[Fault::Hold]).await;
    client.write_all(b"held").await.expect("send");
    client.shutdown().await.expect("shutdown");
    tokio::task::yield_now().await;
    assert!(!peer.is_finished(), "the peer read to the end during the hold");
    link.apply(Fault::Heal).expect("heal");
    assert_eq!(peer.await.expect("peer"), b"held");
}

#[tokio::test]
async fn stop_reading_then_resume_delivers_everything_once() {
    let (link, mut client, peer) = relayed(b"", &[Fault::StopReading]).await;
    let sent = data(4 << 20);
    let writer = {
        let sent = sent.clone();
        tokio::spawn(async move {
            client.write_all(&sent).await.expect("send");
            client.shutdown().await.expect("shutdown");
            client
        })
    };
    tokio::task::yield_now().await;
    link.apply(Fault::ResumeReading).expect("resume");
    let _client = writer.await.expect("writer");
    assert!(peer.await.expect("peer") == sent, "the peer read other bytes");
}

#[tokio::test]
async fn limit_data_closes_after_the_bytes() {
    let (_link, mut client, _peer) = relayed(&data(100), &[Fault::LimitData(40)]).await;
    let mut got = Vec::new();
    let _ = client.read_to_end(&mut got).await;
    assert_eq!(got, data(40));
}

#[tokio::test]
async fn a_cut_resets_and_a_close_ends_the_engine_side() {
    let (link, mut client, _peer) = relayed(b"x", &[]).await;
    let mut byte = [0u8; 1];
    client.read_exact(&mut byte).await.expect("the first byte");
    link.apply(Fault::Cut).expect("cut");
    let outcome = client.read(&mut byte).await;
    assert_eq!(outcome.map_err(|e| e.kind()), Err(std::io::ErrorKind::ConnectionReset));

    let (link, mut client, _peer) = relayed(b"x", &[]).await;
    client.read_exact(&mut byte).await.expect("the first byte");
    link.apply(Fault::Close).expect("close");
    assert_eq!(client.read(&mut byte).await.expect("end of stream"), 0);
}

#[tokio::test]
async fn faults_of_the_other_kind_or_out_of_range_are_refused() {
    let (link, _client, _peer) = relayed(b"", &[]).await;
    assert!(link.apply(Fault::Lose(0.5)).is_err());
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let datagrams = udp::start_udp(&OsTransport, any, local_peer(9), 7).await.expect("relay");
    assert!(datagrams.apply(Fault::Hold).is_err());
    assert!(datagrams.apply(Fault::Duplicate(1.5)).is_err());
    assert!(datagrams.apply(Fault::Duplicate(1.0)).is_ok());
}
