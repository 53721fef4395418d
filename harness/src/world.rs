//! The two worlds a case runs in: `real` (loopback sockets, real time) and `sim` (turmoil:
//! named hosts, virtual time, a seeded schedule). A case body is written once, generic over the
//! transport, and receives a [`Peers`] handle that starts the peers it needs in its world.
//!
//! Faults on a [`Link`] are the relays' of [`caspian_mocknet::relays`] in both worlds, except where
//! turmoil has the fault itself: in the simulated world a hold, latency, UDP loss and a crash
//! of the peers' host are turmoil's. The simulated world is a [`MockNet`] with three hosts.

use std::cell::RefCell;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use caspian_reference::transport::os::OsTransport;
use caspian_reference::transport::sim::SimTransport;
use tokio::sync::{mpsc, oneshot, watch};

use caspian_conformance::contract::LocalFuture;
use caspian_conformance::peers::{Fault, Link, MachineNeed, PeerControl};

pub use caspian_mocknet::PeerAddr;
use caspian_mocknet::peers::{dial, serve_tcp, serve_udp};
use caspian_mocknet::relays::toxics::Toxics;
use caspian_mocknet::relays::{LinkHandle, RelayTransport, crash, link_seed, local_peer, relay, udp};
pub use caspian_mocknet::{CLIENT_HOST, SIM_DURATION, SIM_EPOCH_UNIX_SECS, SIM_LONG_WAIT_TICK, SIM_TICK};
use caspian_mocknet::{Cues, MockNet, NetFault};
use caspian_mocknet::{Peer, Step, TlsPeer, UdpPeer};

/// The name of the simulated host the peers run in.
pub const SERVER_HOST: &str = "server";
/// A simulated host that never answers: every packet to it is held.
pub const BLACK_HOLE_HOST: &str = "blackhole";

/// A request to the peer supervisor of a world.
enum Command {
    Tcp(Peer, oneshot::Sender<u16>),
    Udp(UdpPeer, oneshot::Sender<u16>),
    ClosedPort(oneshot::Sender<u16>),
    Dial(PeerAddr, Vec<Step>, oneshot::Sender<Result<Vec<u8>, String>>),
    /// A TCP peer behind a relay whose random choices come from the seed.
    Link(Peer, u64, oneshot::Sender<LinkHandle>),
    /// A UDP echo peer behind a relay, likewise.
    UdpLink(u64, oneshot::Sender<LinkHandle>),
}

/// Starts peers in the world the case runs in. Peers live until the case ends.
pub struct Peers {
    commands: mpsc::UnboundedSender<Command>,
    host: String,
    simulated: bool,
    /// Simulated world only: the faults the network applies between steps.
    cues: Cues,
    /// The run's seed, from which each link draws its own.
    seed: u64,
    /// Every link started, in order: a [`Link`]'s ID is its index.
    links: RefCell<Vec<LinkHandle>>,
    /// Real world only: true while the peers' host is down (starting a peer waits).
    down: Arc<watch::Sender<bool>>,
}

impl Peers {
    fn new(
        commands: mpsc::UnboundedSender<Command>,
        host: &str,
        simulated: bool,
        cues: Cues,
        seed: u64,
    ) -> Self {
        let (down, _) = watch::channel(false);
        let (host, links, down) = (host.to_string(), RefCell::default(), Arc::new(down));
        Self { commands, host, simulated, cues, seed, links, down }
    }

    /// The host name the peers are reached at (`127.0.0.1`, or the simulated server's name).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// True in the sim world.
    pub fn is_simulated(&self) -> bool {
        self.simulated
    }

    /// Starts a TCP peer and returns its address.
    pub async fn tcp(&self, peer: Peer) -> PeerAddr {
        self.ask(|reply| Command::Tcp(peer, reply)).await
    }

    /// Starts a TLS peer and returns its address.
    pub async fn tls(&self, peer: TlsPeer) -> PeerAddr {
        self.tcp(Peer::Tls(peer)).await
    }

    /// Starts a UDP peer and returns its address.
    pub async fn udp(&self, peer: UdpPeer) -> PeerAddr {
        self.ask(|reply| Command::Udp(peer, reply)).await
    }

    /// Starts a UDP peer that echoes every datagram to its sender.
    pub async fn udp_echo(&self) -> PeerAddr {
        self.udp(UdpPeer::Echo).await
    }

    /// An address where nothing listens: connecting is refused.
    pub async fn closed_port(&self) -> PeerAddr {
        self.ask(Command::ClosedPort).await
    }

    /// An address whose host never answers: a connect waits until its timeout.
    pub async fn black_hole(&self) -> PeerAddr {
        if self.simulated {
            turmoil::hold(CLIENT_HOST, BLACK_HOLE_HOST);
            return PeerAddr { host: BLACK_HOLE_HOST.into(), port: 9 };
        }
        let Some((port, stand_in)) = crash::full_backlog_listener(0).await else {
            return PeerAddr { host: "127.0.0.1".into(), port: 0 };
        };
        // Keep the listener and its queued connections for the case.
        tokio::spawn(async move {
            let _keep = stand_in;
            std::future::pending::<()>().await;
        });
        PeerAddr { host: "127.0.0.1".into(), port }
    }

    /// Starts a peer behind a relay: a TCP `peer`, or (`None`) a UDP echo.
    async fn start_link(&self, peer: Option<Peer>) -> Link {
        self.wait_until_up().await;
        let id = self.links.borrow().len();
        let seed = link_seed(self.seed, id);
        let (reply, handle) = oneshot::channel();
        let _ = self.commands.send(match peer {
            Some(peer) => Command::Link(peer, seed, reply),
            None => Command::UdpLink(seed, reply),
        });
        // A relay that could not start has port 0: the case fails with a clear connect error.
        let handle = handle.await.unwrap_or_else(|_| LinkHandle::new(0, false));
        let addr = PeerAddr { host: self.host.clone(), port: handle.port };
        self.links.borrow_mut().push(handle);
        Link { addr, id }
    }

    /// Waits while the real world's peers' host is down.
    async fn wait_until_up(&self) {
        let _ = self.down.subscribe().wait_for(|down| !down).await;
    }

    /// Connects to `addr` from the peers' host, runs `steps`, and returns every byte read.
    pub fn dial(
        &self,
        addr: PeerAddr,
        steps: Vec<Step>,
    ) -> impl Future<Output = Result<Vec<u8>, String>> + 'static {
        let (reply, outcome) = oneshot::channel();
        let sent = self.commands.send(Command::Dial(addr, steps, reply));
        async move {
            sent.map_err(|_| "the peer supervisor is gone".to_string())?;
            outcome.await.map_err(|_| "the dialing peer vanished".to_string())?
        }
    }

    async fn ask(&self, command: impl FnOnce(oneshot::Sender<u16>) -> Command) -> PeerAddr {
        self.wait_until_up().await;
        let (reply, port) = oneshot::channel();
        // The supervisor lives as long as the world: a send or reply cannot fail while the case
        // runs, and a port of 0 would make the case fail with a clear connect error.
        let _ = self.commands.send(command(reply));
        PeerAddr { host: self.host.clone(), port: port.await.unwrap_or(0) }
    }
}

/// Where the peers and relays of a world listen: every interface, on an ephemeral port.
fn any_port() -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0)
}

/// Starts a TCP peer on the current runtime: its port.
async fn start_tcp_peer<T: RelayTransport>(transport: &T, peer: Peer) -> Option<u16> {
    let listener = transport.bind_listener(any_port()).await.ok()?;
    let port = T::listener_addr(&listener).ok()?.port();
    tokio::spawn(serve_tcp::<T>(listener, peer));
    Some(port)
}

/// Starts a UDP peer on the current runtime: its port.
async fn start_udp_peer<T: RelayTransport>(transport: &T, peer: UdpPeer) -> Option<u16> {
    let socket = transport.bind_udp(any_port()).await.ok()?;
    let port = T::udp_addr(&socket).ok()?.port();
    tokio::spawn(serve_udp::<T>(socket, peer));
    Some(port)
}

/// Serves the peer commands of one world, spawning each peer on the current runtime.
async fn supervise<T: RelayTransport>(transport: T, commands: &mut mpsc::UnboundedReceiver<Command>) {
    while let Some(command) = commands.recv().await {
        match command {
            Command::Tcp(peer, reply) => {
                if let Some(port) = start_tcp_peer(&transport, peer).await {
                    let _ = reply.send(port);
                }
            }
            Command::Udp(peer, reply) => {
                if let Some(port) = start_udp_peer(&transport, peer).await {
                    let _ = reply.send(port);
                }
            }
            Command::Link(peer, seed, reply) => {
                if let Some(port) = start_tcp_peer(&transport, peer).await
                    && let Ok(link) = relay::start_tcp(&transport, any_port(), local_peer(port), seed).await
                {
                    let _ = reply.send(link);
                }
            }
            Command::UdpLink(seed, reply) => {
                if let Some(port) = start_udp_peer(&transport, UdpPeer::Echo).await
                    && let Ok(link) = udp::start_udp(&transport, any_port(), local_peer(port), seed).await
                {
                    let _ = reply.send(link);
                }
            }
            Command::Dial(addr, steps, reply) => {
                let transport = transport.clone();
                tokio::spawn(async move {
                    let _ = reply.send(dial(transport, addr, steps).await);
                });
            }
            Command::ClosedPort(reply) => {
                if let Ok(port) = transport.unused_port().await {
                    let _ = reply.send(port);
                }
            }
        }
    }
}

/// Runs a case body on loopback, with real time, and returns what it returns.
///
/// # Panics
/// When the OS refuses a runtime; [`try_run_real`] returns that as an error instead.
pub fn run_real<F, Fut>(body: F) -> Fut::Output
where
    F: FnOnce(OsTransport, Peers) -> Fut,
    Fut: Future,
{
    try_run_real(1, body).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a case body on loopback, with real time; the links' random choices come from `seed`.
pub fn try_run_real<F, Fut>(seed: u64, body: F) -> Result<Fut::Output, String>
where
    F: FnOnce(OsTransport, Peers) -> Fut,
    Fut: Future,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a tokio runtime: {e}"))?;
    Ok(runtime.block_on(async {
        let (commands, receiver) = mpsc::unbounded_channel();
        tokio::spawn(async move { supervise(OsTransport, &mut { receiver }).await });
        let peers = Peers::new(commands, "127.0.0.1", false, Cues::default(), seed);
        body(OsTransport, peers).await
    }))
}

/// Runs a case body in a turmoil simulation seeded with `seed`, and returns what it returns.
/// Time is virtual: a 30 second timeout costs milliseconds.
///
/// # Panics
/// When the simulation fails (a body still running after an hour of virtual time);
/// [`try_run_sim`] returns that as an error instead.
pub fn run_sim<F, Fut>(seed: u64, body: F) -> Fut::Output
where
    F: FnOnce(SimTransport, Peers) -> Fut + 'static,
    Fut: Future + 'static,
    Fut::Output: 'static,
{
    try_run_sim(seed, SIM_DURATION, SIM_TICK, body).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a case body in a turmoil simulation seeded with `seed` and stepped `tick` at a time,
/// failing when the body is still running after `limit` of virtual time.
pub fn try_run_sim<F, Fut>(seed: u64, limit: Duration, tick: Duration, body: F) -> Result<Fut::Output, String>
where
    F: FnOnce(SimTransport, Peers) -> Fut + 'static,
    Fut: Future + 'static,
    Fut::Output: 'static,
{
    let (commands, receiver) = mpsc::unbounded_channel();
    // Shared across restarts of the peers' host: a crash drops the supervisor, not the queue.
    let receiver = Rc::new(tokio::sync::Mutex::new(receiver));
    let net = MockNet::sim(seed)
        .limit(limit)
        .tick(tick)
        .host(SERVER_HOST, move || {
            let receiver = receiver.clone();
            async move {
                supervise(SimTransport, &mut *receiver.lock().await).await;
                Ok(())
            }
        })
        // Only a name: every packet to it is held, so no software need run there (a running
        // host would cost a runtime's turn at every step of every case).
        .host(BLACK_HOLE_HOST, || async { Ok(()) });
    let cues = net.cues();
    let client = async move {
        let peers = Peers::new(commands, SERVER_HOST, true, cues, seed);
        Ok::<_, std::convert::Infallible>(body(SimTransport, peers).await)
    };
    net.client_on(CLIENT_HOST, client).run().map_err(|e| e.failure)
}

impl PeerControl for Peers {
    fn host(&self) -> &str {
        &self.host
    }

    fn engine_host(&self) -> &str {
        if self.simulated { CLIENT_HOST } else { "127.0.0.1" }
    }

    fn is_simulated(&self) -> bool {
        self.simulated
    }

    fn lacks(&self, need: MachineNeed) -> Option<String> {
        if self.simulated { None } else { crate::machine::lacks(need) }
    }

    fn virtual_time(&self) -> Option<Duration> {
        self.simulated.then(turmoil::sim_elapsed).flatten()
    }

    fn link(&self, peer: Peer) -> LocalFuture<'_, Link> {
        Box::pin(self.start_link(Some(peer)))
    }

    fn udp_link(&self) -> LocalFuture<'_, Link> {
        Box::pin(self.start_link(None))
    }

    fn fault(&self, link: &Link, fault: Fault, after: Duration) -> Result<(), String> {
        let handle =
            self.links.borrow().get(link.id).cloned().ok_or_else(|| format!("no link {}", link.id))?;
        // Checks the fault now, so that the case learns of a mistake at once.
        Toxics::default().apply(fault, handle.is_udp())?;
        if self.simulated {
            let at = turmoil::sim_elapsed().unwrap_or_default() + after;
            match fault {
                Fault::Hold | Fault::Heal => {
                    return at_time(after, move || {
                        if fault == Fault::Hold {
                            turmoil::hold(CLIENT_HOST, SERVER_HOST);
                        } else {
                            turmoil::release(CLIENT_HOST, SERVER_HOST);
                        }
                        Ok(())
                    });
                }
                Fault::Latency(max) => {
                    self.cues.at(at, NetFault::MaxLatency(max));
                    return Ok(());
                }
                Fault::Lose(rate) => {
                    self.cues.at(at, NetFault::Loss(CLIENT_HOST.into(), SERVER_HOST.into(), rate));
                    return Ok(());
                }
                _ => {}
            }
        }
        at_time(after, move || handle.apply(fault))
    }

    fn crash_peers(
        &self,
        after: Duration,
        restart_after: Option<Duration>,
    ) -> LocalFuture<'_, Result<(), String>> {
        Box::pin(async move {
            if self.simulated {
                let now = turmoil::sim_elapsed().unwrap_or_default();
                self.cues.at(now + after, NetFault::Crash(SERVER_HOST.into()));
                if let Some(restart) = restart_after {
                    self.cues.at(now + after + restart, NetFault::Restart(SERVER_HOST.into()));
                }
                return Ok(());
            }
            let links = self.links.borrow().clone();
            let down = self.down.clone();
            let crashed = async move {
                tokio::time::sleep(after).await;
                down.send_replace(true);
                (crash::crash(&links).await, links, down)
            };
            let restarted = move |(stand_ins, links, down): (
                Vec<crash::StandIn>,
                Vec<LinkHandle>,
                Arc<watch::Sender<bool>>,
            )| async move {
                let Some(restart) = restart_after else {
                    let _keep = stand_ins;
                    return std::future::pending::<()>().await;
                };
                tokio::time::sleep(restart).await;
                crash::restart(stand_ins, &links);
                down.send_replace(false);
            };
            // A crash due at once is in place when this returns.
            if after.is_zero() {
                tokio::spawn(restarted(crashed.await));
            } else {
                tokio::spawn(async move { restarted(crashed.await).await });
            }
            Ok(())
        })
    }

    fn tcp(&self, peer: Peer) -> LocalFuture<'_, PeerAddr> {
        Box::pin(Peers::tcp(self, peer))
    }

    fn udp(&self, peer: UdpPeer) -> LocalFuture<'_, PeerAddr> {
        Box::pin(Peers::udp(self, peer))
    }

    fn closed_port(&self) -> LocalFuture<'_, PeerAddr> {
        Box::pin(Peers::closed_port(self))
    }

    fn black_hole(&self) -> LocalFuture<'_, PeerAddr> {
        Box::pin(Peers::black_hole(self))
    }

    fn dial(&self, addr: PeerAddr, steps: Vec<Step>) -> LocalFuture<'static, Result<Vec<u8>, String>> {
        Box::pin(Peers::dial(self, addr, steps))
    }
}

/// Runs `apply` now (its error is the caller's), or `after` from now on the current runtime.
fn at_time(
    after: Duration,
    apply: impl FnOnce() -> Result<(), String> + Send + 'static,
) -> Result<(), String> {
    if after.is_zero() {
        return apply();
    }
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let _ = apply();
    });
    Ok(())
}
