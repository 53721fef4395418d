//! One client body in both worlds of the mock network: a held link that heals, a closed port, a
//! black hole, an unknown name; and what the real world refuses (with [`SimOnly`], not a panic).

use std::time::Duration;

use caspian_mocknet::{CLIENT_HOST, Cues, Flags, MockNet, MockTransport, NetFault, SimOnly, World};
use caspian_reference::{CallOpts, ErrorClass, Net, NetError, NetResult, TimeoutOpt};

const ECHO_HOST: &str = "echo.example.test";
const WORLDS: [World; 2] = [World::Sim, World::Real];

/// Connects, holds the link (healed a second later), sends a line and reads the echo twice:
/// once within half a second, once within ten.
async fn held_echo(net: Net<MockTransport>, cues: Cues) -> NetResult<(Option<ErrorClass>, Vec<u8>)> {
    let mut sock = net.tcp(ECHO_HOST, 7).await?;
    cues.now(NetFault::Hold(CLIENT_HOST.into(), ECHO_HOST.into()));
    cues.after(Duration::from_secs(1), NetFault::Heal(CLIENT_HOST.into(), ECHO_HOST.into()));
    sock.send_all(b"held\n").await?;
    let early = sock.recv_line(CallOpts::timeout(0.5)).await.err().map(|e| e.class);
    let late = sock.recv_line(CallOpts::timeout(10.0)).await?;
    Ok((early, late.to_vec()))
}

#[test]
fn a_held_link_delays_the_echo_until_it_heals_in_both_worlds() {
    for world in WORLDS {
        let net = MockNet::new(world, 3).echo(ECHO_HOST, 7);
        let cues = net.cues();
        let run = net.client(Flags::allow_net("echo.example.test:7"), |net| held_echo(net, cues));
        let transcript = run.transcript();
        let (early, late) = run.run().unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!((early, late), (Some(ErrorClass::Timeout), b"held\n".to_vec()), "{world}");
        let events: Vec<String> = transcript.events().into_iter().map(|event| event.what).collect();
        assert!(
            events.contains(&"fault: heal client <-> echo.example.test".to_string()),
            "{world}: {events:#?}"
        );
    }
}

#[test]
fn a_closed_port_refuses_and_a_black_hole_times_out_in_both_worlds() {
    for world in WORLDS {
        let classes = MockNet::new(world, 1)
            .echo(ECHO_HOST, 7)
            .closed_port(ECHO_HOST, 8)
            .black_hole("void.example.test")
            .client(
                Flags::allow_net("echo.example.test,void.example.test,nowhere.example.test"),
                |net| async move {
                    let closed = net.tcp(ECHO_HOST, 8).await.err().map(|e| e.class);
                    let unnamed = net.tcp(ECHO_HOST, 9).await.err().map(|e| e.class);
                    let void = net.tcp_new("void.example.test", 80, TimeoutOpt::Seconds(0.5)).await;
                    let unknown = net.tcp("nowhere.example.test", 7).await.err().map(|e| e.class);
                    Ok::<_, NetError>((closed, unnamed, void.err().map(|e| e.class), unknown))
                },
            )
            .run()
            .unwrap_or_else(|failure| panic!("{failure}"));
        let refused = Some(ErrorClass::ConnectionRefused);
        assert_eq!(
            classes,
            (refused, refused, Some(ErrorClass::Timeout), Some(ErrorClass::HostNotFound)),
            "{world}"
        );
    }
}

#[test]
fn the_real_world_refuses_host_software_with_a_typed_error() {
    let failure = MockNet::real(4)
        .host(ECHO_HOST, || async { Ok(()) })
        .client(Flags::allow_net("echo.example.test:7"), |_net| async { Ok::<_, NetError>(()) })
        .run()
        .expect_err("host software is simulated-world only");
    assert_eq!(failure.sim_only, Some(SimOnly::HostSoftware(ECHO_HOST.into())));
    assert_eq!((failure.world, failure.seed), (World::Real, 4));
}

#[test]
fn the_real_world_refuses_a_hold_between_two_hosts_a_hold_of_datagrams_and_turmoils_link_faults() {
    let faults = [
        NetFault::Hold(ECHO_HOST.into(), "other.example.test".into()),
        NetFault::Hold(CLIENT_HOST.into(), "other.example.test".into()),
        NetFault::Partition(CLIENT_HOST.into(), ECHO_HOST.into()),
        NetFault::Repair(CLIENT_HOST.into(), ECHO_HOST.into()),
        NetFault::LinkLatency(CLIENT_HOST.into(), ECHO_HOST.into(), Duration::from_secs(1)),
    ];
    for fault in faults {
        let failure = MockNet::real(5)
            .echo(ECHO_HOST, 7)
            .udp_echo("other.example.test", 7)
            .fault_at(Duration::ZERO, fault.clone())
            .client(Flags::allow_net("echo.example.test:7"), |_net| async { Ok::<_, NetError>(()) })
            .run()
            .expect_err("simulated-world only");
        let Some(SimOnly::Fault(named, _why)) = &failure.sim_only else { panic!("{failure}") };
        assert_eq!(named, &fault.to_string());
        assert!(failure.to_string().contains("simulated-world only"), "{failure}");
    }
}

/// Connects and echoes a line, crashes the echo host (restarted a second later), and sends on
/// the old connection; then connects again after the restart. What the old connection read, and the
/// new echo.
async fn crash_and_restart(net: Net<MockTransport>, cues: Cues) -> NetResult<(Option<ErrorClass>, Vec<u8>)> {
    let mut before = net.tcp(ECHO_HOST, 7).await?;
    // One echo first, so that the host has taken the connection before it crashes.
    before.send_all(b"first\n").await?;
    before.recv_line(CallOpts::timeout(10.0)).await?;
    cues.now(NetFault::Crash(ECHO_HOST.into()));
    cues.after(Duration::from_secs(1), NetFault::Restart(ECHO_HOST.into()));
    tokio::time::sleep(Duration::from_millis(100)).await;
    before.send_all(b"lost\n").await?;
    let ended = before.recv_line(CallOpts::timeout(0.5)).await.err().map(|e| e.class);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut after = net.tcp(ECHO_HOST, 7).await?;
    after.send_all(b"back\n").await?;
    Ok((ended, after.recv_line(CallOpts::timeout(10.0)).await?.to_vec()))
}

#[test]
fn a_crashed_host_serves_again_after_its_restart_in_both_worlds() {
    for world in WORLDS {
        let net = MockNet::new(world, 6).echo(ECHO_HOST, 7);
        let cues = net.cues();
        let run = net.client(Flags::allow_net("echo.example.test:7"), |net| crash_and_restart(net, cues));
        let transcript = run.transcript();
        let (ended, echoed) = run.run().unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!(echoed, b"back\n", "{world}");
        // The simulation closes a crashed host's sockets; on loopback its connections hang.
        let expected: &[ErrorClass] = match world {
            World::Sim => &[ErrorClass::EndOfStream, ErrorClass::ConnectionReset],
            World::Real => &[ErrorClass::Timeout],
        };
        assert!(ended.is_some_and(|class| expected.contains(&class)), "{world}: {ended:?}");
        let events: Vec<String> = transcript.events().into_iter().map(|event| event.what).collect();
        let starts = events.iter().filter(|event| *event == "echo.example.test starts").count();
        assert_eq!(starts, 2, "{world}: {events:#?}");
    }
}
