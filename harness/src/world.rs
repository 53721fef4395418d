//! The two worlds a case runs in: `real` (loopback sockets, real time) and `sim` (turmoil:
//! named hosts, virtual time, a seeded schedule). A case body is written once, generic over the
//! transport, and receives a [`Peers`] handle that starts the peers it needs in its world.

use std::cell::RefCell;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, SystemTime};

use caspian_reference::transport::Transport;
use caspian_reference::transport::os::OsTransport;
use caspian_reference::transport::sim::SimTransport;
use tokio::sync::{mpsc, oneshot};

use caspian_conformance::contract::LocalFuture;
use caspian_conformance::peers::PeerControl;

pub use crate::peers::PeerAddr;
use crate::peers::{Peer, Step, TlsPeer, dial, serve_tcp, serve_udp_echo};

/// The simulated clock starts here, so that certificates are checked against a fixed date.
pub const SIM_EPOCH_UNIX_SECS: u64 = 1_780_272_000; // 2026-06-01T00:00:00Z

/// The name of the simulated host the engine under test runs in.
pub const CLIENT_HOST: &str = "client";
/// The name of the simulated host the peers run in.
pub const SERVER_HOST: &str = "server";
/// A simulated host that never answers: every packet to it is held.
pub const BLACK_HOLE_HOST: &str = "blackhole";

/// A request to the peer supervisor of a world.
enum Command {
    Tcp(Peer, oneshot::Sender<u16>),
    UdpEcho(oneshot::Sender<u16>),
    ClosedPort(oneshot::Sender<u16>),
    Dial(PeerAddr, Vec<Step>, oneshot::Sender<Result<Vec<u8>, String>>),
}

/// Starts peers in the world the case runs in. Peers live until the case ends.
pub struct Peers {
    commands: mpsc::UnboundedSender<Command>,
    host: String,
    simulated: bool,
    /// Simulated world only: the faults the step loop applies (see [`try_run_sim`]).
    faults: Rc<RefCell<Vec<Scheduled>>>,
}

/// A change the simulated world applies at a virtual time.
#[derive(Debug, Clone, Copy, PartialEq)]
enum WorldFault {
    /// The peers' host stops: its software and every connection it held are gone, and it says
    /// nothing to anyone.
    Crash,
    /// The peers' host starts again, with no peer running.
    Restart,
    /// Every message takes a random time up to this to arrive.
    MaxLatency(Duration),
    /// This fraction of UDP datagrams between the engine and the peers is lost.
    UdpLoss(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Scheduled {
    at: Duration,
    fault: WorldFault,
}

impl Peers {
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

    /// Starts a UDP peer that echoes every datagram to its sender.
    pub async fn udp_echo(&self) -> PeerAddr {
        self.ask(Command::UdpEcho).await
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
        PeerAddr { host: "127.0.0.1".into(), port: real_black_hole().await }
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

    fn sim_only(&self, what: &str) -> Result<(), String> {
        if self.simulated { Ok(()) } else { Err(format!("{what} needs the simulated world")) }
    }

    /// Asks the step loop to apply `fault` at virtual time `at` (at once if it has passed).
    fn schedule(&self, at: Duration, fault: WorldFault) {
        self.faults.borrow_mut().push(Scheduled { at, fault });
    }

    async fn ask(&self, command: impl FnOnce(oneshot::Sender<u16>) -> Command) -> PeerAddr {
        let (reply, port) = oneshot::channel();
        // The supervisor lives as long as the world: a send or reply cannot fail while the case
        // runs, and a port of 0 would make the case fail with a clear connect error.
        let _ = self.commands.send(command(reply));
        PeerAddr { host: self.host.clone(), port: port.await.unwrap_or(0) }
    }
}

/// Serves the peer commands of one world, spawning each peer on the current runtime.
async fn supervise<T: Transport>(transport: T, commands: &mut mpsc::UnboundedReceiver<Command>) {
    let any = |port| SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
    while let Some(command) = commands.recv().await {
        match command {
            Command::Tcp(peer, reply) => {
                if let Ok(listener) = transport.bind_listener(any(0)).await {
                    let port = T::listener_addr(&listener).map(|a| a.port()).unwrap_or(0);
                    tokio::spawn(serve_tcp::<T>(listener, peer));
                    let _ = reply.send(port);
                }
            }
            Command::UdpEcho(reply) => {
                if let Ok(socket) = transport.bind_udp(any(0)).await {
                    let port = T::udp_addr(&socket).map(|a| a.port()).unwrap_or(0);
                    tokio::spawn(serve_udp_echo::<T>(socket));
                    let _ = reply.send(port);
                }
            }
            Command::Dial(addr, steps, reply) => {
                let transport = transport.clone();
                tokio::spawn(async move {
                    let _ = reply.send(dial(transport, addr, steps).await);
                });
            }
            Command::ClosedPort(reply) => {
                if let Ok(listener) = transport.bind_listener(any(0)).await {
                    let port = T::listener_addr(&listener).map(|a| a.port()).unwrap_or(0);
                    drop(listener);
                    let _ = reply.send(port);
                }
            }
        }
    }
}

/// A loopback port whose accept queue is full, so that the kernel drops new SYNs.
async fn real_black_hole() -> u16 {
    let Ok(socket) = tokio::net::TcpSocket::new_v4() else { return 0 };
    if socket.bind(SocketAddr::from(([127, 0, 0, 1], 0))).is_err() {
        return 0;
    }
    let Ok(listener) = socket.listen(0) else { return 0 };
    let Ok(addr) = listener.local_addr() else { return 0 };
    // Fill the queue, then keep the listener and its queued connections alive for the case.
    let mut fillers = Vec::new();
    for _ in 0..2 {
        if let Ok(Ok(stream)) =
            tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(addr)).await
        {
            fillers.push(stream);
        }
    }
    tokio::spawn(async move {
        let _keep = (listener, fillers);
        std::future::pending::<()>().await;
    });
    addr.port()
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
    try_run_real(body).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a case body on loopback, with real time.
pub fn try_run_real<F, Fut>(body: F) -> Result<Fut::Output, String>
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
        let peers = Peers { commands, host: "127.0.0.1".into(), simulated: false, faults: Rc::default() };
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
    try_run_sim(seed, SIM_DURATION, body).unwrap_or_else(|e| panic!("{e}"))
}

/// One step of the simulated clock. Ten milliseconds keeps long virtual waits cheap (a 30 s
/// timeout costs about 0.1 s of real time) while message latencies stay finer than any timeout
/// a case uses.
pub const SIM_TICK: Duration = Duration::from_millis(10);

/// How long a simulation may run, in virtual time, before it fails.
pub const SIM_DURATION: Duration = Duration::from_secs(3600);

/// Runs a case body in a turmoil simulation seeded with `seed`, failing when the body is still
/// running after `limit` of virtual time.
pub fn try_run_sim<F, Fut>(seed: u64, limit: Duration, body: F) -> Result<Fut::Output, String>
where
    F: FnOnce(SimTransport, Peers) -> Fut + 'static,
    Fut: Future + 'static,
    Fut::Output: 'static,
{
    let mut sim = turmoil::Builder::new()
        .rng_seed(seed)
        .tcp_capacity(4096)
        .simulation_duration(limit)
        .tick_duration(SIM_TICK)
        .epoch(SystemTime::UNIX_EPOCH + Duration::from_secs(SIM_EPOCH_UNIX_SECS))
        .build();
    let (commands, receiver) = mpsc::unbounded_channel();
    // Shared across restarts of the peers' host: a crash drops the supervisor, not the queue.
    let receiver = Rc::new(tokio::sync::Mutex::new(receiver));
    sim.host(SERVER_HOST, move || {
        let receiver = receiver.clone();
        async move {
            supervise(SimTransport, &mut *receiver.lock().await).await;
            Ok(())
        }
    });
    sim.host(BLACK_HOLE_HOST, || async {
        let _listener = turmoil::net::TcpListener::bind((Ipv4Addr::UNSPECIFIED, 9)).await?;
        std::future::pending::<()>().await;
        Ok(())
    });
    let outcome = Rc::new(RefCell::new(None));
    let slot = outcome.clone();
    let faults: Rc<RefCell<Vec<Scheduled>>> = Rc::default();
    let scheduled = faults.clone();
    sim.client(CLIENT_HOST, async move {
        let peers = Peers { commands, host: SERVER_HOST.into(), simulated: true, faults: scheduled };
        *slot.borrow_mut() = Some(body(SimTransport, peers).await);
        Ok(())
    });
    loop {
        let now = sim.elapsed();
        let due: Vec<Scheduled> = {
            let mut pending = faults.borrow_mut();
            let (due, later) = pending.drain(..).partition(|f| f.at <= now);
            *pending = later;
            due
        };
        for scheduled in due {
            match scheduled.fault {
                WorldFault::Crash => sim.crash(SERVER_HOST),
                WorldFault::Restart => sim.bounce(SERVER_HOST),
                WorldFault::MaxLatency(max) => sim.set_max_message_latency(max),
                WorldFault::UdpLoss(rate) => sim.set_link_fail_rate(CLIENT_HOST, SERVER_HOST, rate),
            }
        }
        if sim.step().map_err(|e| format!("simulation failed: {e}"))? {
            break;
        }
    }
    outcome.take().ok_or_else(|| "the simulated case did not finish".to_string())
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

    fn virtual_time(&self) -> Option<Duration> {
        self.simulated.then(turmoil::sim_elapsed).flatten()
    }

    fn hold_link(&self, duration: Duration) -> Result<(), String> {
        self.sim_only("hold_link")?;
        turmoil::hold(CLIENT_HOST, SERVER_HOST);
        tokio::spawn(async move {
            tokio::time::sleep(duration).await;
            turmoil::release(CLIENT_HOST, SERVER_HOST);
        });
        Ok(())
    }

    fn crash_peers(&self, after: Duration, restart_after: Option<Duration>) -> Result<(), String> {
        self.sim_only("crash_peers")?;
        let now = turmoil::sim_elapsed().unwrap_or_default();
        self.schedule(now + after, WorldFault::Crash);
        if let Some(restart) = restart_after {
            self.schedule(now + after + restart, WorldFault::Restart);
        }
        Ok(())
    }

    fn set_max_latency(&self, max: Duration) -> Result<(), String> {
        self.sim_only("set_max_latency")?;
        self.schedule(Duration::ZERO, WorldFault::MaxLatency(max));
        Ok(())
    }

    fn set_udp_loss(&self, rate: f64) -> Result<(), String> {
        self.sim_only("set_udp_loss")?;
        if !(0.0..=1.0).contains(&rate) {
            return Err(format!("a loss rate is between 0 and 1, got {rate}"));
        }
        self.schedule(Duration::ZERO, WorldFault::UdpLoss(rate));
        Ok(())
    }

    fn tcp(&self, peer: Peer) -> LocalFuture<'_, PeerAddr> {
        Box::pin(Peers::tcp(self, peer))
    }

    fn udp_echo(&self) -> LocalFuture<'_, PeerAddr> {
        Box::pin(Peers::udp_echo(self))
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
