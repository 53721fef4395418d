//! Connections reset on cue and cut in both worlds, the handlers' view of their connections,
//! and the client's own error type.

use std::time::Duration;

use caspian_mocknet::tokio::io::AsyncWriteExt;
use caspian_mocknet::{Accepted, CLIENT_HOST, Flags, MockNet, NetFault, World};
use caspian_reference::{CallOpts, ErrorClass, NetError};

const HOST: &str = "server.example.test";
const PORT: i64 = 7;
const WORLDS: [World; 2] = [World::Sim, World::Real];

fn flags() -> Flags {
    Flags::allow_net("server.example.test:7")
}

/// The events of a transcript, without their times.
fn events(transcript: &caspian_mocknet::Transcript) -> Vec<String> {
    transcript.events().into_iter().map(|event| event.what).collect()
}

#[test]
fn a_connection_reset_on_cue_fails_the_clients_wait_with_connection_reset_in_both_worlds() {
    for world in WORLDS {
        // A server that accepts and never says a word.
        let net = MockNet::new(world, 2).script(HOST, PORT, vec![]);
        let cues = net.cues();
        let run = net.client(flags(), move |net| async move {
            let mut sock = net.tcp(HOST, PORT).await?;
            cues.after(
                Duration::from_millis(200),
                NetFault::Reset { host: HOST.into(), port: PORT, connection: 0 },
            );
            Ok::<_, NetError>(sock.recv_line(CallOpts::timeout(5.0)).await.map_err(|e| e.class))
        });
        let transcript = run.transcript();
        let waited = run.run().unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!(waited, Err(ErrorClass::ConnectionReset), "{world}");
        let events = events(&transcript);
        for expected in [
            "fault: reset connection 0 to server.example.test:7",
            "client's connection 0 to server.example.test:7 was reset",
            "server.example.test:7's connection 0 from client was reset",
        ] {
            assert!(events.iter().any(|event| event == expected), "{world}: no {expected:?} in {events:#?}");
        }
        assert!(!events.iter().any(|event| event.contains("closes connection 0")), "{world}: {events:#?}");
    }
}

#[test]
fn a_reset_of_the_first_connection_leaves_the_second_alone_in_both_worlds() {
    for world in WORLDS {
        let outcome = MockNet::new(world, 4)
            .echo(HOST, PORT)
            .fault_at(Duration::ZERO, NetFault::Reset { host: HOST.into(), port: PORT, connection: 0 })
            .client(flags(), |net| async move {
                let mut first = net.tcp(HOST, PORT).await?;
                let sent = first.send_all(b"lost\n").await.map_err(|e| e.class);
                let read = first.recv_line(CallOpts::timeout(5.0)).await.map_err(|e| e.class);
                let mut second = net.tcp(HOST, PORT).await?;
                second.send_all(b"kept\n").await?;
                Ok::<_, NetError>((sent.and(read), second.recv_line(CallOpts::timeout(5.0)).await?))
            })
            .run()
            .unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!(outcome.0.map(|_| ()), Err(ErrorClass::ConnectionReset), "{world}");
        assert_eq!(outcome.1, &b"kept\n"[..], "{world}");
    }
}

#[test]
fn a_cut_resets_every_open_connection_between_two_hosts_in_both_worlds() {
    for world in WORLDS {
        let net = MockNet::new(world, 5).echo(HOST, PORT);
        let cues = net.cues();
        let run = net.client(flags(), move |net| async move {
            let mut a = net.tcp(HOST, PORT).await?;
            let mut b = net.tcp(HOST, PORT).await?;
            cues.now(NetFault::Cut(CLIENT_HOST.into(), HOST.into()));
            let a_read = a.recv_line(CallOpts::timeout(5.0)).await.map_err(|e| e.class);
            let b_read = b.recv_line(CallOpts::timeout(5.0)).await.map_err(|e| e.class);
            let mut after = net.tcp(HOST, PORT).await?;
            after.send_all(b"after\n").await?;
            let reads = (a_read.map(|_| ()), b_read.map(|_| ()));
            Ok::<_, NetError>((reads, after.recv_line(CallOpts::timeout(5.0)).await?))
        });
        let transcript = run.transcript();
        let (reads, echoed) = run.run().unwrap_or_else(|failure| panic!("{failure}"));
        let reset = Err(ErrorClass::ConnectionReset);
        assert_eq!(reads, (reset, reset), "{world}");
        assert_eq!(echoed, &b"after\n"[..], "{world}");
        let events = events(&transcript);
        for index in [0, 1] {
            let reset = format!("client's connection {index} to server.example.test:7 was reset");
            assert!(events.contains(&reset), "{world}: no {reset:?} in {events:#?}");
        }
        let clean = "client closes connection 2 to server.example.test:7".to_string();
        assert!(events.contains(&clean), "{world}: {events:#?}");
    }
}

#[test]
fn a_handler_learns_which_connection_it_serves_in_both_worlds() {
    for world in WORLDS {
        let greetings = MockNet::new(world, 6)
            .serve(HOST, PORT, |mut stream, accepted: Accepted| async move {
                let line = format!("connection {} from {}\n", accepted.index, accepted.client);
                stream.write_all(line.as_bytes()).await?;
                stream.shutdown().await
            })
            .client(flags(), |net| async move {
                let mut lines = Vec::new();
                for _ in 0..2 {
                    let mut sock = net.tcp(HOST, PORT).await?;
                    lines.push(sock.recv_line(CallOpts::timeout(5.0)).await?);
                }
                Ok::<_, NetError>(lines)
            })
            .run()
            .unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!(
            greetings,
            [&b"connection 0 from client\n"[..], &b"connection 1 from client\n"[..]],
            "{world}"
        );
    }
}

#[test]
fn a_failed_client_keeps_its_own_error_and_says_so_once() {
    let failure = MockNet::sim(8)
        .closed_port(HOST, PORT)
        .client(flags(), |net| async move { net.tcp(HOST, PORT).await.map(|_| ()) })
        .run()
        .expect_err("the port is closed");
    assert_eq!(failure.client.as_ref().map(|e| e.class), Some(ErrorClass::ConnectionRefused), "{failure}");
    let fails: Vec<String> = failure
        .transcript
        .iter()
        .map(|event| event.what.clone())
        .filter(|what| what.contains("fail"))
        .collect();
    assert_eq!(fails.len(), 1, "{fails:#?}");
    assert!(fails[0].starts_with("client fails: ") && !fails[0].contains("the client failed"), "{fails:#?}");
}

#[test]
fn a_port_out_of_range_fails_the_run_naming_it() {
    for port in [0, 70_000, -1] {
        let failure = MockNet::sim(1)
            .echo(HOST, port)
            .client(flags(), |_net| async { Ok::<_, NetError>(()) })
            .run()
            .expect_err("no such port");
        assert!(failure.failure.contains(&format!("server.example.test:{port}")), "{failure}");
    }
}
