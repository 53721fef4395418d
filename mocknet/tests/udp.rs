//! A UDP request/retry loop on the mock network, with 30 % of the datagrams between the
//! client and the resolver lost, in both worlds. The loop gets its answer under every seed; the
//! same client without its retry fails, and the failure names the world and seed that replay it.

use std::time::Duration;

use caspian_mocknet::{CLIENT_HOST, Flags, MockNet, MockNetError, MockTransport, NetFault, World};
use caspian_reference::{CallOpts, ErrorClass, Net, NetError, NetResult};

const RESOLVER: &str = "resolver.example.test";
const PORT: i64 = 53;
const QUERY: &[u8] = b"A? mail.example.test";

/// Sends `QUERY` and waits half a second for the answer, at most `attempts` times.
async fn ask(net: Net<MockTransport>, attempts: u32) -> NetResult<Vec<u8>> {
    let socket = net.udp_peer(RESOLVER, PORT).await?;
    let mut last = None;
    for _ in 0..attempts {
        socket.send(QUERY).await?;
        match socket.recv(512, CallOpts::timeout(0.5)).await {
            Ok(answer) => return Ok(answer),
            Err(error) if error.class == ErrorClass::Timeout => last = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last.unwrap_or_else(|| caspian_reference::NetError::new(ErrorClass::Timeout, "no attempt made")))
}

fn lossy_run(world: World, seed: u64, attempts: u32) -> Result<Vec<u8>, MockNetError<NetError>> {
    MockNet::new(world, seed)
        .udp_echo(RESOLVER, PORT)
        .fault_at(Duration::ZERO, NetFault::Loss(CLIENT_HOST.into(), RESOLVER.into(), 0.3))
        .client(Flags::allow_net("resolver.example.test:53"), move |net| ask(net, attempts))
        .run()
}

#[test]
fn retrying_gets_the_answer_under_thirty_percent_loss() {
    for seed in caspian_mocknet::seeds(0..30) {
        let answer = lossy_run(World::Sim, seed, 12).unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!(answer, QUERY);
    }
}

#[test]
fn retrying_gets_the_answer_on_loopback_too() {
    for seed in caspian_mocknet::seeds(0..4) {
        let answer = lossy_run(World::Real, seed, 12).unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!(answer, QUERY);
    }
}

/// The first seed under which one attempt fails in `world`, with its error.
fn first_failure(world: World) -> MockNetError<NetError> {
    (0..30)
        .find_map(|seed| lossy_run(world, seed, 1).err())
        .expect("one attempt under 30 % loss fails for some seed")
}

#[test]
fn without_retry_some_seed_fails_and_names_itself() {
    let first = first_failure(World::Sim);
    let shown = first.to_string();
    assert!(shown.contains(&format!("seed {}", first.seed)), "{shown}");
    assert!(shown.contains(&format!("MockNet::sim({})", first.seed)), "{shown}");
    assert!(shown.contains(&format!("MOCKNET_SEED={}", first.seed)), "{shown}");
    assert!(shown.contains("Timeout"), "{shown}");
    assert!(shown.contains("fault: lose 30% of client <-> resolver.example.test"), "{shown}");
    assert!(shown.contains("client sends 20 bytes to resolver.example.test:53"), "{shown}");
    // Replaying the seed fails the same way.
    assert_eq!(lossy_run(World::Sim, first.seed, 1).err().as_ref(), Some(&first));
}

#[test]
fn without_retry_some_seed_fails_on_loopback_and_replays() {
    let first = first_failure(World::Real);
    let shown = first.to_string();
    assert_eq!(first.world, World::Real);
    assert!(shown.contains(&format!("MockNet::real({})", first.seed)), "{shown}");
    assert!(shown.contains("Timeout"), "{shown}");
    assert!(shown.contains("fault: lose 30% of client <-> resolver.example.test"), "{shown}");
    assert!(shown.contains("client sends 20 bytes to resolver.example.test:53"), "{shown}");
    // The relay's losses come from the seed: replaying it loses the same datagram.
    let replayed = lossy_run(World::Real, first.seed, 1).expect_err("the replay fails too");
    assert_eq!((replayed.world, replayed.seed), (World::Real, first.seed));
    assert!(replayed.failure.contains("Timeout"), "{replayed}");
}
