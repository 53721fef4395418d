//! Faults on cue in the mock network: a held link that heals, a host that crashes and
//! restarts, a partitioned link repaired, a link's fixed latency, and a fault that names no
//! host.

use std::time::Duration;

use caspian_mocknet::{CLIENT_HOST, Flags, MockNet, NetFault};
use caspian_reference::{CallOpts, ErrorClass, NetError};

const ECHO_HOST: &str = "echo.example.test";

#[test]
fn a_held_link_delays_the_reply_until_it_heals() {
    let net = MockNet::sim(3).echo(ECHO_HOST, 7);
    let cues = net.cues();
    let classes = net
        .client(Flags::allow_net("echo.example.test:7"), move |net| async move {
            let mut sock = net.tcp(ECHO_HOST, 7).await?;
            cues.now(NetFault::Hold(CLIENT_HOST.into(), ECHO_HOST.into()));
            cues.after(Duration::from_secs(3), NetFault::Heal(CLIENT_HOST.into(), ECHO_HOST.into()));
            sock.send_all(b"held\n").await?;
            let early = sock.recv_line(CallOpts::timeout(1.0)).await.map_err(|e| e.class);
            let late = sock.recv_line(CallOpts::timeout(10.0)).await.map_err(|e| e.class);
            Ok::<_, NetError>((early, late))
        })
        .run()
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(classes, (Err(ErrorClass::Timeout), Ok(caspian_reference::Bytes::from_static(b"held\n"))));
}

#[test]
fn a_crashed_host_drops_its_connections_and_serves_again_after_its_restart() {
    let net = MockNet::sim(5).echo(ECHO_HOST, 7);
    let cues = net.cues();
    let run = net.client(Flags::allow_net("echo.example.test:7"), move |net| async move {
        let mut before = net.tcp(ECHO_HOST, 7).await?;
        cues.now(NetFault::Crash(ECHO_HOST.into()));
        cues.after(Duration::from_secs(2), NetFault::Restart(ECHO_HOST.into()));
        tokio::time::sleep(Duration::from_secs(1)).await;
        before.send_all(b"lost\n").await?;
        let ended = before.recv_line(CallOpts::timeout(1.0)).await.map_err(|e| e.class);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let mut after = net.tcp(ECHO_HOST, 7).await?;
        after.send_all(b"back\n").await?;
        Ok::<_, NetError>((ended, after.recv_line(CallOpts::timeout(5.0)).await?))
    });
    let transcript = run.transcript();
    let (ended, echoed) = run.run().unwrap_or_else(|failure| panic!("{failure}"));
    assert!(matches!(ended, Err(ErrorClass::EndOfStream | ErrorClass::ConnectionReset)), "{ended:?}");
    assert_eq!(echoed, &b"back\n"[..]);
    let events: Vec<String> = transcript.events().into_iter().map(|e| e.what).collect();
    let starts = events.iter().filter(|e| *e == "echo.example.test starts").count();
    assert_eq!(starts, 2, "{events:#?}");
    assert!(events.contains(&"fault: crash echo.example.test".to_string()), "{events:#?}");
}

#[test]
fn a_fault_naming_no_host_fails_the_run_with_its_seed() {
    let failure = MockNet::sim(9)
        .echo(ECHO_HOST, 7)
        .fault_at(Duration::ZERO, NetFault::Crash("nowhere.example.test".into()))
        .client(Flags::allow_net("echo.example.test:7"), |_net| async { Ok::<_, NetError>(()) })
        .run()
        .expect_err("no such host");
    assert_eq!(failure.seed, 9);
    assert!(failure.failure.contains("\"nowhere.example.test\""), "{failure}");
}

#[test]
fn a_partition_drops_datagrams_until_it_is_repaired() {
    let net = MockNet::sim(2).udp_echo(ECHO_HOST, 53);
    let cues = net.cues();
    let answers = net
        .client(Flags::allow_net("echo.example.test:53"), move |net| async move {
            let sock = net.udp_peer(ECHO_HOST, 53).await?;
            cues.now(NetFault::Partition(CLIENT_HOST.into(), ECHO_HOST.into()));
            tokio::time::sleep(Duration::from_millis(100)).await;
            sock.send(b"dropped").await?;
            let during = sock.recv(512, CallOpts::timeout(1.0)).await.map_err(|e| e.class);
            cues.now(NetFault::Repair(CLIENT_HOST.into(), ECHO_HOST.into()));
            tokio::time::sleep(Duration::from_millis(100)).await;
            sock.send(b"delivered").await?;
            Ok::<_, NetError>((during, sock.recv(512, CallOpts::timeout(1.0)).await?))
        })
        .run()
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(answers.0, Err(ErrorClass::Timeout));
    assert_eq!(answers.1, &b"delivered"[..]);
}

#[test]
fn a_links_latency_delays_every_message_by_exactly_that() {
    let net = MockNet::sim(3).echo(ECHO_HOST, 7);
    let cues = net.cues();
    let elapsed = net
        .client(Flags::allow_net("echo.example.test:7"), move |net| async move {
            let mut sock = net.tcp(ECHO_HOST, 7).await?;
            cues.now(NetFault::LinkLatency(CLIENT_HOST.into(), ECHO_HOST.into(), Duration::from_secs(2)));
            tokio::time::sleep(Duration::from_millis(100)).await;
            let start = tokio::time::Instant::now();
            sock.send_all(b"slow\n").await?;
            sock.recv_line(CallOpts::timeout(10.0)).await?;
            Ok::<_, NetError>(start.elapsed())
        })
        .run()
        .unwrap_or_else(|failure| panic!("{failure}"));
    // There and back, each way two seconds, within a clock step.
    assert!(elapsed >= Duration::from_secs(4) && elapsed < Duration::from_millis(4200), "{elapsed:?}");
}
