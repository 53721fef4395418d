//! A deterministic network for tests: named hosts in a seeded turmoil simulation, in virtual
//! time, with the catalog's ready peers, certificates from the zoo, faults on cue or at a
//! virtual time, and a transcript of the run. The catalog's simulated world is built on it.
//!
//! ```
//! use caspian_harness::mocknet::{Flags, MockNet};
//! use caspian_reference::CallOpts;
//!
//! let reply = MockNet::sim(7)
//!     .echo("server.example.test", 7)
//!     .client(Flags::allow_net("server.example.test:7"), |net| async move {
//!         let mut sock = net.tcp("server.example.test", 7).await?;
//!         sock.send_all(b"hello\n").await?;
//!         sock.recv_line(CallOpts::default()).await
//!     })
//!     .run();
//! assert_eq!(reply.unwrap(), &b"hello\n"[..]);
//! ```
//!
//! Guarantees: the same seed gives the same run and the same transcript; a failed run's error
//! carries its seed and transcript; certificates are checked against the sim's clock, which
//! starts at [`SIM_EPOCH_UNIX_SECS`] (2026-06-01).

use std::future::Future;
use std::net::Ipv4Addr;
use std::ops::Range;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use caspian_reference::permissions::Permissions;
use caspian_reference::tls::CertEnv;
use caspian_reference::transport::Transport;
use caspian_reference::transport::sim::{SimClock, SimTransport};
use caspian_reference::{Net, TlsContext};

use crate::certs::CertZoo;
use crate::peers::{Endings, Peer, Step, TlsPeer, UdpPeer, serve, serve_udp, tls_config};

mod faults;
mod transcript;

pub use faults::{Cues, NetFault};
pub use transcript::{Event, MockNetError, Transcript};

/// The simulated clock starts here, so that certificates are checked against a fixed date.
pub const SIM_EPOCH_UNIX_SECS: u64 = 1_780_272_000; // 2026-06-01T00:00:00Z

/// One step of the simulated clock. Ten milliseconds keeps long virtual waits cheap (a 30 s
/// timeout costs about 0.1 s of real time) while message latencies stay finer than any timeout
/// a case uses.
pub const SIM_TICK: Duration = Duration::from_millis(50);

/// How long a simulation may run, in virtual time, before it fails.
pub const SIM_DURATION: Duration = Duration::from_secs(3600);

/// The host [`MockNet::client`] runs on.
pub const CLIENT_HOST: &str = "client";

/// What a host's software returns; an error fails the run.
pub type HostResult = turmoil::Result;

type Software = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = HostResult>>>>;
type ClientTask<T> = Pin<Box<dyn Future<Output = Result<T, String>>>>;

/// A ready peer a host serves, on a fixed port.
#[derive(Clone)]
enum Ready {
    Tcp(u16, Peer),
    UdpEcho(u16),
}

/// What runs on one host: the user's software (at most one) and ready peers.
#[derive(Clone, Default)]
struct HostPlan {
    software: Option<Software>,
    ready: Vec<Ready>,
}

/// A simulated network being described; [`MockNet::client`] completes it into a [`Run`].
pub struct MockNet {
    seed: u64,
    limit: Duration,
    /// In the order first named: turmoil gives addresses in that order.
    hosts: Vec<(String, HostPlan)>,
    cues: Cues,
    transcript: Transcript,
}

impl MockNet {
    /// A network whose every random choice (latencies, losses, scheduling) comes from `seed`.
    pub fn sim(seed: u64) -> Self {
        Self {
            seed,
            limit: SIM_DURATION,
            hosts: Vec::new(),
            cues: Cues::default(),
            transcript: Transcript::default(),
        }
    }

    /// Fails the run when the client is still running after `limit` of virtual time (default
    /// an hour).
    pub fn limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// Runs `software` on host `name`, with the simulated sockets of `turmoil::net` (or
    /// [`SimTransport`]). It starts again from the beginning when the host restarts. A second
    /// call for the same host replaces the first.
    pub fn host<F, Fut>(mut self, name: &str, software: F) -> Self
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = HostResult> + 'static,
    {
        self.plan(name).software = Some(Rc::new(move || Box::pin(software())));
        self
    }

    /// Serves a TCP echo on `name:port`: every byte back, until the client ends its side.
    pub fn echo(self, name: &str, port: u16) -> Self {
        self.ready(name, Ready::Tcp(port, Peer::Echo))
    }

    /// Serves `steps` to every connection to `name:port`.
    pub fn script(self, name: &str, port: u16, steps: Vec<Step>) -> Self {
        self.ready(name, Ready::Tcp(port, Peer::Script(steps)))
    }

    /// Serves TLS on `name:port` as `peer` says (the zoo leaf it presents, STARTTLS, ...).
    pub fn tls(self, name: &str, port: u16, peer: TlsPeer) -> Self {
        self.ready(name, Ready::Tcp(port, Peer::Tls(peer)))
    }

    /// Echoes every UDP datagram sent to `name:port` back to its sender.
    pub fn udp_echo(self, name: &str, port: u16) -> Self {
        self.ready(name, Ready::UdpEcho(port))
    }

    /// Applies `fault` at virtual time `at` since the run began.
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

    fn ready(mut self, name: &str, ready: Ready) -> Self {
        self.plan(name).ready.push(ready);
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

    /// Runs `body` on host [`CLIENT_HOST`] with a reference `%net` holding `flags` and
    /// trusting the zoo's root CA. The run ends when `body` returns.
    pub fn client<T, E, F, Fut>(self, flags: Flags, body: F) -> Run<T>
    where
        T: 'static,
        E: std::fmt::Display,
        F: FnOnce(Net<SimTransport>) -> Fut + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        self.client_on(CLIENT_HOST, async move {
            let net = flags.net()?;
            body(net).await.map_err(|e| format!("the client failed: {e}"))
        })
    }

    /// Runs `task` on host `name` as the client, with the simulated sockets alone. The run
    /// ends when `task` returns.
    pub fn client_on<T: 'static>(
        self,
        name: &str,
        task: impl Future<Output = Result<T, String>> + 'static,
    ) -> Run<T> {
        Run { net: self, client: name.to_string(), task: Box::pin(task) }
    }
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

    /// A `%net` with these flags, trusting the zoo's root CA, on the sim's clock.
    fn net(&self) -> Result<Net<SimTransport>, String> {
        let permissions = Permissions::from_flags(self.allow_net.as_deref(), self.allow_listen.as_deref())
            .map_err(|e| format!("bad flags: {}", e.message))?;
        let zoo = CertZoo::shared_dir().map_err(|e| format!("cannot write the certificate zoo: {e}"))?;
        let cert_env = CertEnv { ssl_cert_file: Some(zoo.join("root-ca.pem")), ssl_cert_dir: None };
        let tls = TlsContext::new(Arc::new(SimClock), cert_env);
        Ok(Net::new(SimTransport, permissions).with_tls(tls))
    }
}

/// A described network with its client, ready to run.
pub struct Run<T> {
    net: MockNet,
    client: String,
    task: ClientTask<T>,
}

impl<T: 'static> Run<T> {
    /// The run's transcript (the same as [`MockNet::transcript`]).
    pub fn transcript(&self) -> Transcript {
        self.net.transcript()
    }

    /// Runs the simulation until the client returns, and returns what it returned; a failure
    /// (the client's error, a host's error, the time limit, a bad fault) carries the seed and
    /// the transcript.
    pub fn run(self) -> Result<T, MockNetError> {
        let Run { net, client, task } = self;
        let fail =
            |failure: String| MockNetError { seed: net.seed, failure, transcript: net.transcript.events() };
        let mut sim = turmoil::Builder::new()
            .rng_seed(net.seed)
            .tcp_capacity(4096)
            .simulation_duration(net.limit)
            .tick_duration(SIM_TICK)
            .epoch(SystemTime::UNIX_EPOCH + Duration::from_secs(SIM_EPOCH_UNIX_SECS))
            .build();
        let mut names = std::collections::BTreeSet::new();
        for (name, plan) in &net.hosts {
            names.insert(name.clone());
            let (name, plan, transcript) = (name.clone(), plan.clone(), net.transcript.clone());
            sim.host(name.clone(), move || start_host(name.clone(), plan.clone(), transcript.clone()));
        }
        names.insert(client.clone());
        let outcome = Rc::new(std::cell::RefCell::new(None));
        let slot = outcome.clone();
        let transcript = net.transcript.clone();
        sim.client(client.clone(), async move {
            transcript.record(format!("{client} starts"));
            let result = task.await;
            match &result {
                Ok(_) => transcript.record(format!("{client} finishes")),
                Err(e) => transcript.record(format!("{client} fails: {e}")),
            }
            *slot.borrow_mut() = Some(result);
            Ok(())
        });
        loop {
            net.cues.apply_due(&mut sim, &names, &net.transcript).map_err(fail)?;
            match sim.step() {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => return Err(fail(format!("simulation failed: {e}"))),
            }
        }
        match outcome.take() {
            Some(Ok(value)) => Ok(value),
            Some(Err(e)) => Err(fail(e)),
            None => Err(fail("the simulated case did not finish".to_string())),
        }
    }
}

/// Starts host `name` as `plan` says: its ready peers, then its software (or nothing more).
async fn start_host(name: String, plan: HostPlan, transcript: Transcript) -> HostResult {
    transcript.record(format!("{name} starts"));
    for ready in plan.ready {
        start_ready(&name, ready, &transcript).await?;
    }
    match plan.software {
        Some(software) => software().await,
        None => std::future::pending().await,
    }
}

/// Binds a ready peer's port on the current host and serves it on its own task.
async fn start_ready(host: &str, ready: Ready, transcript: &Transcript) -> HostResult {
    match ready {
        Ready::Tcp(port, peer) => {
            let listener = SimTransport.bind_listener((Ipv4Addr::UNSPECIFIED, port).into()).await?;
            tokio::spawn(serve_recorded(format!("{host}:{port}"), listener, peer, transcript.clone()));
        }
        Ready::UdpEcho(port) => {
            let socket = SimTransport.bind_udp((Ipv4Addr::UNSPECIFIED, port).into()).await?;
            tokio::spawn(serve_udp::<SimTransport>(socket, UdpPeer::Echo));
        }
    }
    Ok(())
}

/// Accepts connections forever, serving each as `peer` says and recording when it is
/// accepted and when it ends.
async fn serve_recorded(at: String, listener: turmoil::net::TcpListener, peer: Peer, transcript: Transcript) {
    let endings = Arc::new(Endings::new(None));
    let mut index = 0;
    while let Ok(connected) = SimTransport::accept(&listener).await {
        let from = connected.peer;
        transcript.record(format!("{at} accepts a connection from {from}"));
        let (peer, endings, transcript, at) = (peer.clone(), endings.clone(), transcript.clone(), at.clone());
        tokio::spawn(async move {
            let ended = serve(&peer, connected.stream, index, &endings).await;
            let how = ended.err().map(|e| format!(" ({e})")).unwrap_or_default();
            transcript.record(format!("{at} closes the connection from {from}{how}"));
        });
        index += 1;
    }
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
