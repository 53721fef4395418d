#![doc = include_str!("../README.md")]

use std::future::Future;
use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use caspian_reference::permissions::Permissions;
use caspian_reference::tls::CertEnv;
use caspian_reference::transport::sim::SimClock;
use caspian_reference::{Net, TlsContext};

use crate::peers::tls_config;

pub mod certs;
mod connections;
mod faults;
pub mod peers;
mod ready;
mod real;
pub mod relays;
mod sim;
mod transcript;
mod transport;

pub use caspian_peers::{Peer, PeerAddr, Step, TlsPeer, UdpPeer};
pub use caspian_reference;
use caspian_reference::tokio_rustls;
pub use caspian_reference::transport::BoxedStream;
pub use caspian_reference::turmoil;
pub use tokio;

pub use faults::{Cues, NetFault};
pub use ready::Accepted;
pub use transcript::{Event, MockNetError, SimOnly, Transcript, World};
pub use transport::{MockListener, MockTransport, MockUdpSocket};

use connections::Connections;
use ready::{Handler, Ready, Service};
use transcript::{Clock, Failed};
use transport::Names;

/// The simulated clock starts here, so that certificates are checked against a fixed date.
pub const SIM_EPOCH_UNIX_SECS: u64 = 1_780_272_000; // 2026-06-01T00:00:00Z

/// One step of the simulated clock: coarse enough that long virtual waits are cheap (a 30 s
/// timeout is 600 steps), fine enough that message latencies stay below any timeout a case
/// uses. The real world checks for due faults this often.
pub const SIM_TICK: Duration = Duration::from_millis(50);

/// The step of the simulated clock for a run that waits out tens of seconds (the 30 s
/// defaults): a fifth as many steps, still far finer than the seconds those cases measure.
pub const SIM_LONG_WAIT_TICK: Duration = Duration::from_millis(250);

/// The simulated message latency unless [`MockNet::latency`] says otherwise: turmoil's own.
pub const SIM_LATENCY: Range<Duration> = Duration::ZERO..Duration::from_millis(100);

/// How many connections a simulated listener queues unless [`MockNet::tcp_capacity`] says
/// otherwise.
pub const SIM_TCP_CAPACITY: usize = 4096;

/// How long a simulation may run, in virtual time, before it fails.
pub const SIM_DURATION: Duration = Duration::from_secs(3600);

/// How long a real-world run may take before it fails.
pub const REAL_DURATION: Duration = Duration::from_secs(60);

/// The host [`MockNet::client`] runs on.
pub const CLIENT_HOST: &str = "client";

/// What a host's software returns; an error fails the run.
pub type HostResult = turmoil::Result;

type Software = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = HostResult>>>>;
type ClientTask<T, E> = Pin<Box<dyn Future<Output = Result<T, Failed<E>>>>>;

/// What runs on one host: the user's software (at most one), services, or nothing ever.
#[derive(Clone, Default)]
struct HostPlan {
    software: Option<Software>,
    ready: Vec<Ready>,
    black_hole: bool,
}

/// A network being described; [`MockNet::client`] completes it into a [`Run`].
pub struct MockNet {
    world: World,
    seed: u64,
    limit: Duration,
    tick: Duration,
    /// The simulation's message latency, from the shortest to the longest.
    latency: Range<Duration>,
    tcp_capacity: usize,
    /// In the order first named: turmoil gives addresses in that order.
    hosts: Vec<(String, HostPlan)>,
    cues: Cues,
    transcript: Transcript,
    connections: Connections,
    clock: Clock,
    /// The real world's host names.
    names: Names,
    /// What is wrong with the description (a port out of range): the run fails with it.
    mistakes: Vec<String>,
}

impl MockNet {
    /// A network in `world` whose random choices come from `seed`.
    pub fn new(world: World, seed: u64) -> Self {
        let clock = Clock::default();
        let limit = if world == World::Sim { SIM_DURATION } else { REAL_DURATION };
        Self {
            world,
            seed,
            limit,
            tick: SIM_TICK,
            latency: SIM_LATENCY,
            tcp_capacity: SIM_TCP_CAPACITY,
            hosts: Vec::new(),
            cues: Cues::with_clock(clock.clone()),
            transcript: Transcript::with_clock(clock.clone()),
            connections: Connections::default(),
            clock,
            names: Names::default(),
            mistakes: Vec::new(),
        }
    }

    /// A simulated network whose every random choice (latencies, losses, scheduling) comes from
    /// `seed`, in virtual time.
    pub fn sim(seed: u64) -> Self {
        Self::new(World::Sim, seed)
    }

    /// The same network on loopback, in real time: each service listens on an ephemeral port
    /// behind a relay, and the client's `%net` resolves the network's names to those relays.
    /// The relays' random choices (latencies, losses) come from `seed`.
    pub fn real(seed: u64) -> Self {
        Self::new(World::Real, seed)
    }

    /// The world the network runs in.
    pub fn world(&self) -> World {
        self.world
    }

    /// Steps the simulated clock `tick` at a time (default [`SIM_TICK`]): a coarser step makes
    /// long virtual waits cheaper, and delivers messages on that step. No effect in the real
    /// world.
    pub fn tick(mut self, tick: Duration) -> Self {
        self.tick = tick;
        self
    }

    /// Every simulated message takes a random time within `latency` to arrive (default
    /// [`SIM_LATENCY`], 0 to 100 ms, most of them short: turmoil draws them from an
    /// exponential curve). No effect in the real world ([`NetFault::MaxLatency`] delays the
    /// relays' bytes there).
    pub fn latency(mut self, latency: Range<Duration>) -> Self {
        self.latency = latency;
        self
    }

    /// How many connections a simulated listener queues before it accepts them (default
    /// [`SIM_TCP_CAPACITY`]); one more fails the simulation (turmoil: "server socket buffer
    /// full"). No effect in the real world, whose backlogs are the OS's.
    pub fn tcp_capacity(mut self, segments: usize) -> Self {
        self.tcp_capacity = segments;
        self
    }

    /// Fails the run when the client is still running after `limit` (virtual time in the
    /// simulated world, default an hour; real time in the real world, default a minute).
    pub fn limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// Runs `software` on host `name`, with the simulated sockets of `turmoil::net` (or
    /// `SimTransport`). It starts again from the beginning when the host restarts. A second
    /// call for the same host replaces the first. Simulated world only: the real world fails
    /// the run with [`SimOnly::HostSoftware`]; [`MockNet::serve`] runs in both.
    pub fn host<F, Fut>(mut self, name: &str, software: F) -> Self
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = HostResult> + 'static,
    {
        self.plan(name).software = Some(Rc::new(move || Box::pin(software())));
        self
    }

    /// Serves every TCP connection to `name:port` with `handler`, on its own task, in either
    /// world: the stream is the world's (turmoil's or the OS's, behind its relay), and
    /// [`Accepted`] tells which connection it is. An error the handler returns ends that
    /// connection alone, and is recorded. Ports are `i64`, as the client's `net.tcp` takes
    /// them; one outside 1..=65535 fails the run.
    pub fn serve<F, Fut>(self, name: &str, port: i64, handler: F) -> Self
    where
        F: Fn(BoxedStream, Accepted) -> Fut + 'static,
        Fut: Future<Output = io::Result<()>> + 'static,
    {
        let handler: Handler = Rc::new(move |stream, accepted| Box::pin(handler(stream, accepted)));
        self.ready(name, port, |port| Ready::Tcp(port, Service::User(handler)))
    }

    /// Serves a TCP echo on `name:port`: every byte back, until the client ends its side.
    pub fn echo(self, name: &str, port: i64) -> Self {
        self.ready(name, port, |port| Ready::Tcp(port, Service::Peer(Peer::Echo)))
    }

    /// Serves `steps` to every connection to `name:port`, then holds the connection open until
    /// the client closes it: `vec![]` is a server that accepts and never says a word.
    pub fn script(self, name: &str, port: i64, steps: Vec<Step>) -> Self {
        self.ready(name, port, |port| Ready::Tcp(port, Service::Peer(Peer::Script(steps))))
    }

    /// Serves TLS on `name:port` as `peer` says (the zoo leaf it presents, STARTTLS, ...).
    pub fn tls(self, name: &str, port: i64, peer: TlsPeer) -> Self {
        self.ready(name, port, |port| Ready::Tcp(port, Service::Peer(Peer::Tls(peer))))
    }

    /// Echoes every UDP datagram sent to `name:port` back to its sender.
    pub fn udp_echo(self, name: &str, port: i64) -> Self {
        self.ready(name, port, Ready::UdpEcho)
    }

    /// Host `name` refuses connections to `port` (as it does on every port nothing serves).
    pub fn closed_port(self, name: &str, port: i64) -> Self {
        self.ready(name, port, Ready::ClosedPort)
    }

    /// Host `name` never answers: a connect to any of its ports waits until its timeout.
    pub fn black_hole(mut self, name: &str) -> Self {
        self.plan(name).black_hole = true;
        self
    }

    /// Applies `fault` at time `at` since the run began.
    pub fn fault_at(self, at: Duration, fault: NetFault) -> Self {
        self.cues.at(at, fault);
        self
    }

    /// A handle for applying faults on cue from inside the run.
    pub fn cues(&self) -> Cues {
        self.cues.clone()
    }

    /// The run's transcript, to add events to from inside the run.
    pub fn transcript(&self) -> Transcript {
        self.transcript.clone()
    }

    /// Adds the service `ready` makes of `port` to host `name`, or notes a port out of range.
    fn ready(mut self, name: &str, port: i64, ready: impl FnOnce(u16) -> Ready) -> Self {
        match tcp_port(port) {
            Some(port) => self.plan(name).ready.push(ready(port)),
            None => self.mistakes.push(format!("{name}:{port}: a port is within 1..=65535")),
        }
        self
    }

    fn plan(&mut self, name: &str) -> &mut HostPlan {
        let index = match self.hosts.iter().position(|(host, _)| host == name) {
            Some(index) => index,
            None => {
                self.hosts.push((name.to_string(), HostPlan::default()));
                self.hosts.len() - 1
            }
        };
        &mut self.hosts[index].1
    }

    /// The error of a failed run of this network.
    fn error<E: std::fmt::Display>(&self, failed: Failed<E>) -> MockNetError<E> {
        let (world, seed, transcript) = (self.world, self.seed, self.transcript.events());
        let (failure, client, sim_only) = match failed {
            Failed::Client(e) => (format!("the client failed: {e}"), Some(Box::new(e)), None),
            Failed::Run(failure, sim_only) => (failure, None, sim_only),
        };
        MockNetError { world, seed, failure, client, sim_only, transcript }
    }

    /// Runs `body` on host [`CLIENT_HOST`] with a reference `%net` holding `flags` and
    /// trusting the zoo's root CA, over the world's [`MockTransport`]. The run ends when `body`
    /// returns; its error is the run's [`MockNetError::client`].
    pub fn client<T, E, F, Fut>(self, flags: Flags, body: F) -> Run<T, E>
    where
        T: 'static,
        E: std::fmt::Display + 'static,
        F: FnOnce(Net<MockTransport>) -> Fut + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        let transport = MockTransport::new(
            self.world,
            self.names.clone(),
            self.transcript(),
            self.connections.clone(),
            CLIENT_HOST,
        );
        let world = self.world;
        let task = async move {
            let net = flags.net(world, transport).map_err(|e| Failed::Run(e, None))?;
            body(net).await.map_err(Failed::Client)
        };
        Run { net: self, client: CLIENT_HOST.to_string(), task: Box::pin(task) }
    }

    /// Runs `task` on host `name` as the client, with the world's sockets alone (in the
    /// simulated world, turmoil's). The run ends when `task` returns; its error is the run's
    /// [`MockNetError::client`].
    pub fn client_on<T, E>(self, name: &str, task: impl Future<Output = Result<T, E>> + 'static) -> Run<T, E>
    where
        T: 'static,
        E: std::fmt::Display + 'static,
    {
        let task = async move { task.await.map_err(Failed::Client) };
        Run { net: self, client: name.to_string(), task: Box::pin(task) }
    }
}

/// `port` as a TCP or UDP port a service can be named by: within 1..=65535.
fn tcp_port(port: i64) -> Option<u16> {
    u16::try_from(port).ok().filter(|port| *port != 0)
}

/// The `--allow-net` and `--allow-listen` flags of the client's `%net`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    pub allow_net: Option<String>,
    pub allow_listen: Option<String>,
}

impl Flags {
    /// `--allow-net=entries` alone.
    pub fn allow_net(entries: &str) -> Self {
        Self { allow_net: Some(entries.to_string()), allow_listen: None }
    }

    /// These flags, with `--allow-listen=entries`.
    pub fn with_listen(mut self, entries: &str) -> Self {
        self.allow_listen = Some(entries.to_string());
        self
    }

    /// A `%net` with these flags over `transport`, trusting the zoo's root CA, on the world's
    /// clock.
    fn net(&self, world: World, transport: MockTransport) -> Result<Net<MockTransport>, String> {
        let permissions = Permissions::from_flags(self.allow_net.as_deref(), self.allow_listen.as_deref())
            .map_err(|e| format!("bad flags: {}", e.message))?;
        let root = certs::root_ca_file().map_err(|e| e.to_string())?;
        let cert_env = CertEnv { ssl_cert_file: Some(root.to_path_buf()), ssl_cert_dir: None };
        let clock: Arc<dyn rustls::time_provider::TimeProvider> = match world {
            World::Sim => Arc::new(SimClock),
            World::Real => Arc::new(rustls::time_provider::DefaultTimeProvider),
        };
        Ok(Net::new(transport, permissions).with_tls(TlsContext::new(clock, cert_env)))
    }
}

/// A described network with its client, ready to run.
pub struct Run<T, E> {
    net: MockNet,
    client: String,
    task: ClientTask<T, E>,
}

impl<T: 'static, E: std::fmt::Display + 'static> Run<T, E> {
    /// The run's transcript (the same as [`MockNet::transcript`]).
    pub fn transcript(&self) -> Transcript {
        self.net.transcript()
    }

    /// Runs the network until the client returns, and returns what it returned; a failure
    /// (the client's error, a host's error, the time limit, a bad fault or port, a feature the
    /// real world lacks) carries the world, the seed and the transcript.
    pub fn run(self) -> Result<T, MockNetError<E>> {
        let Run { net, client, task } = self;
        if !net.mistakes.is_empty() {
            return Err(net.error(Failed::Run(net.mistakes.join("; "), None)));
        }
        let outcome = match net.world {
            World::Sim => sim::run(&net, client, task),
            World::Real => real::run(&net, client, task),
        };
        outcome.map_err(|failed| net.error(failed))
    }
}

/// Runs the client's `task`, recording its start and its end.
async fn recorded<T, E: std::fmt::Display>(
    client: String,
    task: ClientTask<T, E>,
    transcript: Transcript,
) -> Result<T, Failed<E>> {
    transcript.record(format!("{client} starts"));
    let result = task.await;
    match &result {
        Ok(_) => transcript.record(format!("{client} finishes")),
        Err(Failed::Client(e)) => transcript.record(format!("{client} fails: {e}")),
        Err(Failed::Run(failure, _)) => transcript.record(format!("{client} fails: {failure}")),
    }
    result
}

/// A TLS acceptor presenting the zoo leaf `leaf` (its chain as the zoo sends it), for a host's
/// own server; clients of [`MockNet::client`] trust it when the leaf is one the zoo issued
/// under its root for the name connected to (`good` covers `server.example.test`).
pub fn zoo_acceptor(leaf: &str) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    Ok(tokio_rustls::TlsAcceptor::from(tls_config(&TlsPeer::new(leaf))?))
}

/// The seeds a test sweeps: `MOCKNET_SEED` alone when it is set (to replay one failure),
/// else `default`.
pub fn seeds(default: Range<u64>) -> Vec<u64> {
    match std::env::var("MOCKNET_SEED").ok().and_then(|seed| seed.trim().parse().ok()) {
        Some(seed) => vec![seed],
        None => default.collect(),
    }
}
