//! The real world: the network's services on loopback, each behind a relay of
//! [`crate::relays`] (the same relays, and the same crash, as the catalog's real world), its
//! host names resolved by the client's transport to those relays' ports, and faults applied by
//! the relays when the client next waits or within a tick of their time.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::net::{Ipv4Addr, SocketAddr};

use caspian_peers::Fault;
use caspian_reference::transport::os::OsTransport;

use super::ready::{self, Clients, Ready, Records};
use super::transcript::{Clock, Failed, SimOnly, Transcript};
use super::transport::Names;
use super::{ClientTask, Cues, MockNet, NetFault, SIM_TICK, recorded};
use crate::connections::Connections;
use crate::relays::crash::{self, StandIn, full_backlog_listener};
use crate::relays::toxics::for_datagrams;
use crate::relays::{LinkHandle, link_seed, relay, udp};

/// Why a run failed, and whether it asked for something only the simulation does.
type Failure = (String, Option<SimOnly>);

/// Runs the client on loopback until it returns or its time limit passes.
pub(super) fn run<T: 'static, E: std::fmt::Display + 'static>(
    net: &MockNet,
    client: String,
    task: ClientTask<T, E>,
) -> Result<T, Failed<E>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failed::Run(format!("cannot start a tokio runtime: {e}"), None))?;
    tokio::task::LocalSet::new().block_on(&runtime, async {
        net.clock.start();
        let ran = async {
            let loopback = Loopback::start(net, &client).await?;
            loopback.apply_due(&net.cues).await?;
            Ok(loopback)
        };
        let loopback = ran.await.map_err(|(failure, sim_only)| Failed::Run(failure, sim_only))?;
        let limit = net.limit;
        tokio::select! {
            done = tokio::time::timeout(limit, recorded(client, task, net.transcript.clone())) => match done {
                Ok(result) => result,
                Err(_) => Err(Failed::Run(format!("the client was still running after {} s", limit.as_secs_f64()), None)),
            },
            (failure, sim_only) = loopback.apply_faults(&net.cues) => Err(Failed::Run(failure, sim_only)),
        }
    })
}

/// The network's hosts on loopback.
struct Loopback {
    /// Every host faults may name, the client's included.
    hosts: BTreeSet<String>,
    client: String,
    /// Each host's services behind relays, by name.
    relayed: RefCell<HashMap<String, Relayed>>,
    /// Black holes' listeners, kept for the run.
    _black_holes: Vec<StandIn>,
    names: Names,
    seed: u64,
    /// How many relays have started: each draws its seed from its number.
    started: Cell<usize>,
    clock: Clock,
    transcript: Transcript,
    connections: Connections,
}

/// One host's relayed services.
#[derive(Default)]
struct Relayed {
    /// Each relay, with the port it stands for and the address it relays to.
    links: Vec<(LinkHandle, u16, SocketAddr)>,
    /// The relay faults applied so far, in order: a restarted host's new relays apply them too.
    standing: Vec<Fault>,
    /// While the host is down: the listeners holding its relays' ports.
    down: Option<Vec<StandIn>>,
}

impl Relayed {
    fn handles(&self) -> Vec<LinkHandle> {
        self.links.iter().map(|(link, _, _)| link.clone()).collect()
    }

    /// Applies `fault` to the relays of its kind (datagram faults to UDP relays, the others to
    /// TCP relays), and keeps it for relays to come.
    fn apply(&mut self, fault: Fault) -> Result<(), String> {
        let mut links = self.links.iter().filter(|(link, _, _)| link.is_udp() == for_datagrams(fault));
        links.try_for_each(|(link, _, _)| link.apply(fault))?;
        self.standing.push(fault);
        Ok(())
    }
}

impl Loopback {
    /// Starts every host's services behind their relays, and names them.
    async fn start(net: &MockNet, client: &str) -> Result<Self, Failure> {
        let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let records = Records {
            transcript: net.transcript.clone(),
            connections: net.connections.clone(),
            clients: Clients::Only(client.to_string()),
        };
        // A port nothing listens on, for the ports no service is named for.
        let closed = ready::start(&OsTransport, any, "", Ready::ClosedPort(0), &records)
            .await
            .map_err(|e| io_failure("find a closed port", e))?;
        let mut hosts: BTreeSet<String> = net.hosts.iter().map(|(host, _)| host.clone()).collect();
        hosts.insert(client.to_string());
        let mut loopback = Self {
            hosts,
            client: client.to_string(),
            relayed: RefCell::default(),
            _black_holes: Vec::new(),
            names: net.names.clone(),
            seed: net.seed,
            started: Cell::new(0),
            clock: net.clock.clone(),
            transcript: net.transcript.clone(),
            connections: net.connections.clone(),
        };
        for (host, plan) in &net.hosts {
            if plan.software.is_some() {
                let sim_only = SimOnly::HostSoftware(host.clone());
                return Err((sim_only.to_string(), Some(sim_only)));
            }
            net.transcript.record(format!("{host} starts"));
            if plan.black_hole {
                let no_port = || (format!("cannot hold a loopback port for black hole {host}"), None);
                let (port, stand_in) = full_backlog_listener(0).await.ok_or_else(no_port)?;
                net.names.otherwise(host, SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
                loopback._black_holes.push(stand_in);
                continue;
            }
            net.names.otherwise(host, closed);
            let mut relayed = Relayed::default();
            for service in &plan.ready {
                let (port, udp) = (service.port(), service.is_udp());
                let served = ready::start(&OsTransport, any, host, service.clone(), &records)
                    .await
                    .map_err(|e| io_failure("serve", e))?;
                if matches!(service, Ready::ClosedPort(_)) {
                    net.names.insert(host, port, served);
                    continue;
                }
                let link = loopback.relay(host, port, served, udp).await?;
                relayed.links.push((link, port, served));
            }
            loopback.relayed.borrow_mut().insert(host.clone(), relayed);
        }
        Ok(loopback)
    }

    /// Starts a relay standing for `host:port` in front of `served`, and names it.
    async fn relay(
        &self,
        host: &str,
        port: u16,
        served: SocketAddr,
        udp: bool,
    ) -> Result<LinkHandle, Failure> {
        let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let seed = link_seed(self.seed, self.started.replace(self.started.get() + 1));
        let link = if udp {
            udp::start_udp(&OsTransport, any, served, seed).await
        } else {
            relay::start_tcp(&OsTransport, any, served, seed).await
        };
        let link = link.map_err(|e| io_failure("start a relay", e))?;
        self.names.insert(host, port, SocketAddr::from((Ipv4Addr::LOCALHOST, link.port)));
        Ok(link)
    }

    /// Applies the faults as they fall due; returns only when one fails the run.
    async fn apply_faults(&self, cues: &Cues) -> Failure {
        loop {
            if let Err(failure) = self.apply_due(cues).await {
                return failure;
            }
            tokio::select! {
                _ = tokio::time::sleep(SIM_TICK) => {}
                _ = cues.added() => {}
            }
        }
    }

    /// Applies every fault due now, recording each.
    async fn apply_due(&self, cues: &Cues) -> Result<(), Failure> {
        let now = self.clock.now();
        for fault in cues.take_due(now) {
            fault.check(&self.hosts).map_err(|failure| (failure, None))?;
            self.transcript.record_at(now, format!("fault: {fault}"));
            if !fault.apply_to_connections(&self.connections) {
                self.apply(&fault).await?;
            }
        }
        Ok(())
    }

    async fn apply(&self, fault: &NetFault) -> Result<(), Failure> {
        let sim_only = |why: &'static str| {
            let sim_only = SimOnly::Fault(fault.to_string(), why);
            (sim_only.to_string(), Some(sim_only))
        };
        let failed = |e: String| (format!("fault `{fault}`: {e}"), None);
        let (a, b, relay_fault) = match fault {
            NetFault::Crash(host) => {
                self.crash(host).await;
                return Ok(());
            }
            NetFault::Restart(host) => return self.restart(host).await,
            NetFault::MaxLatency(max) => {
                let mut relayed = self.relayed.borrow_mut();
                let applied = relayed.values_mut().try_for_each(|host| host.apply(Fault::Latency(*max)));
                return applied.map_err(failed);
            }
            NetFault::Hold(a, b) => (a, b, Fault::Hold),
            NetFault::Heal(a, b) => (a, b, Fault::Heal),
            NetFault::Loss(a, b, rate) => (a, b, Fault::Lose(*rate)),
            NetFault::Cut(..) | NetFault::Reset { .. } => return Ok(()),
            NetFault::Partition(..) | NetFault::Repair(..) | NetFault::LinkLatency(..) => {
                return Err(sim_only("the relays cannot drop or time every message of a link"));
            }
        };
        let host = match (a == &self.client, b == &self.client) {
            (true, false) => b,
            (false, true) => a,
            _ => return Err(sim_only("the relays stand between the client and a host, not elsewhere")),
        };
        let mut relayed = self.relayed.borrow_mut();
        let Some(relayed) = relayed.get_mut(host) else { return Ok(()) };
        if !for_datagrams(relay_fault) && relayed.links.iter().any(|(link, _, _)| link.is_udp()) {
            return Err(sim_only("a relay cannot hold datagrams, only lose them"));
        }
        relayed.apply(relay_fault).map_err(failed)
    }

    /// Crashes `host` as the catalog's real world does: its relays go silent and their ports
    /// stop answering, so that its connections hang and a connect to it times out.
    async fn crash(&self, host: &str) {
        let links = match self.relayed.borrow().get(host) {
            Some(relayed) if relayed.down.is_none() => relayed.handles(),
            _ => return,
        };
        let stand_ins = crash::crash(&links).await;
        if let Some(relayed) = self.relayed.borrow_mut().get_mut(host) {
            relayed.down = Some(stand_ins);
        }
    }

    /// Restarts `host` (crashing it first if it is up): the connections the crash left are
    /// reset, and its services answer again behind new relays, with the faults in force.
    async fn restart(&self, host: &str) -> Result<(), Failure> {
        self.crash(host).await;
        let taken = self.relayed.borrow_mut().get_mut(host).map(|relayed| {
            (
                relayed.down.take().unwrap_or_default(),
                std::mem::take(&mut relayed.links),
                relayed.standing.clone(),
            )
        });
        let Some((stand_ins, old, standing)) = taken else { return Ok(()) };
        let handles: Vec<LinkHandle> = old.iter().map(|(link, _, _)| link.clone()).collect();
        crash::restart(stand_ins, &handles);
        self.transcript.record(format!("{host} starts"));
        let mut links = Vec::new();
        for (old, port, served) in old {
            let link = self.relay(host, port, served, old.is_udp()).await?;
            for fault in standing.iter().filter(|fault| for_datagrams(**fault) == link.is_udp()) {
                let _ = link.apply(*fault);
            }
            links.push((link, port, served));
        }
        if let Some(relayed) = self.relayed.borrow_mut().get_mut(host) {
            relayed.links = links;
        }
        Ok(())
    }
}

fn io_failure(what: &str, e: std::io::Error) -> Failure {
    (format!("cannot {what} on loopback: {e}"), None)
}
