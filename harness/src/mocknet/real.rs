//! The real world: the network's services on loopback, each behind a relay of
//! [`crate::faults`] (the same relays as the catalog's real world), its host names resolved by
//! the client's transport to those relays' ports, and faults applied by the relays, within a
//! tick of their time.

use std::collections::{BTreeSet, HashMap};
use std::net::{Ipv4Addr, SocketAddr};

use caspian_conformance::peers::Fault;
use caspian_reference::transport::os::OsTransport;

use super::ready::{self, Ready};
use super::transcript::{Clock, SimOnly, Transcript};
use super::{ClientTask, Cues, MockNet, MockNetError, NetFault, SIM_TICK, recorded};
use crate::faults::crash::{StandIn, full_backlog_listener};
use crate::faults::{LinkHandle, link_seed, relay, udp};

/// Why a run failed, and whether it asked for something only the simulation does.
type Failure = (String, Option<SimOnly>);

/// Runs the client on loopback until it returns or its time limit passes.
pub(super) fn run<T: 'static>(net: MockNet, client: String, task: ClientTask<T>) -> Result<T, MockNetError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| net.error(format!("cannot start a tokio runtime: {e}"), None))?;
    let outcome = tokio::task::LocalSet::new().block_on(&runtime, async {
        net.clock.start();
        let loopback = Loopback::start(&net, &client).await?;
        loopback.apply_due(&net.cues)?;
        let limit = net.limit;
        tokio::select! {
            done = tokio::time::timeout(limit, recorded(client, task, net.transcript.clone())) => match done {
                Ok(result) => result.map_err(|failure| (failure, None)),
                Err(_) => Err((format!("the client was still running after {limit:?}"), None)),
            },
            failure = loopback.apply_faults(&net.cues) => Err(failure),
        }
    });
    outcome.map_err(|(failure, sim_only)| net.error(failure, sim_only))
}

/// The network's hosts on loopback.
struct Loopback {
    /// Every host faults may name, the client's included.
    hosts: BTreeSet<String>,
    client: String,
    /// The relays in front of each host's services.
    links: HashMap<String, Vec<LinkHandle>>,
    /// Black holes' listeners, kept for the run.
    _black_holes: Vec<StandIn>,
    clock: Clock,
    transcript: Transcript,
}

impl Loopback {
    /// Starts every host's services behind their relays, and names them.
    async fn start(net: &MockNet, client: &str) -> Result<Self, Failure> {
        let io = |what: &str, e: std::io::Error| (format!("cannot {what} on loopback: {e}"), None);
        let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        // A port nothing listens on, for the ports no service is named for.
        let closed = ready::start(&OsTransport, any, "", Ready::ClosedPort(0), &net.transcript)
            .await
            .map_err(|e| io("find a closed port", e))?;
        let (mut links, mut black_holes) = (HashMap::<_, Vec<_>>::new(), Vec::new());
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
                black_holes.push(stand_in);
                continue;
            }
            net.names.otherwise(host, closed);
            for service in &plan.ready {
                let (port, udp) = (service.port(), service.is_udp());
                let served = ready::start(&OsTransport, any, host, service.clone(), &net.transcript)
                    .await
                    .map_err(|e| io("serve", e))?;
                if matches!(service, Ready::ClosedPort(_)) {
                    net.names.insert(host, port, served);
                    continue;
                }
                let host_links = links.entry(host.clone()).or_default();
                let seed = link_seed(net.seed, host_links.len());
                let link = if udp {
                    udp::start_udp(&OsTransport, any, served, seed).await
                } else {
                    relay::start_tcp(&OsTransport, any, served, seed).await
                };
                let link = link.map_err(|e| io("start a relay", e))?;
                net.names.insert(host, port, SocketAddr::from((Ipv4Addr::LOCALHOST, link.port)));
                host_links.push(link);
            }
        }
        let mut hosts: BTreeSet<String> = net.hosts.iter().map(|(host, _)| host.clone()).collect();
        hosts.insert(client.to_string());
        let (client, clock, transcript) = (client.to_string(), net.clock.clone(), net.transcript.clone());
        Ok(Self { hosts, client, links, _black_holes: black_holes, clock, transcript })
    }

    /// Applies the faults as they fall due; returns only when one fails the run.
    async fn apply_faults(&self, cues: &Cues) -> Failure {
        loop {
            if let Err(failure) = self.apply_due(cues) {
                return failure;
            }
            tokio::select! {
                _ = tokio::time::sleep(SIM_TICK) => {}
                _ = cues.added() => {}
            }
        }
    }

    /// Applies every fault due now, recording each.
    fn apply_due(&self, cues: &Cues) -> Result<(), Failure> {
        let now = self.clock.now();
        for fault in cues.take_due(now) {
            fault.check_hosts(&self.hosts).map_err(|failure| (failure, None))?;
            self.apply(&fault)?;
            self.transcript.record_at(now, format!("fault: {fault}"));
        }
        Ok(())
    }

    fn apply(&self, fault: &NetFault) -> Result<(), Failure> {
        let sim_only = |why: &'static str| {
            let sim_only = SimOnly::Fault(fault.to_string(), why);
            (sim_only.to_string(), Some(sim_only))
        };
        let between_client_and = |a: &String, b: &String| {
            let host = if *a == self.client {
                b
            } else if *b == self.client {
                a
            } else {
                return None;
            };
            Some(self.links.get(host).map(Vec::as_slice).unwrap_or_default())
        };
        let two_hosts = "the relays stand between the client and a host, not between two hosts";
        let applied = match fault {
            NetFault::Hold(a, b) | NetFault::Heal(a, b) => {
                let links = between_client_and(a, b).ok_or_else(|| sim_only(two_hosts))?;
                if links.iter().any(LinkHandle::is_udp) {
                    return Err(sim_only("a relay cannot hold datagrams, only lose them"));
                }
                let fault = if matches!(fault, NetFault::Hold(..)) { Fault::Hold } else { Fault::Heal };
                links.iter().try_for_each(|link| link.apply(fault))
            }
            NetFault::Crash(_) | NetFault::Restart(_) => {
                return Err(sim_only("a host's software and state belong to the simulation"));
            }
            NetFault::MaxLatency(max) => {
                let mut tcp = self.links.values().flatten().filter(|link| !link.is_udp());
                tcp.try_for_each(|link| link.apply(Fault::Latency(*max)))
            }
            NetFault::Loss(a, b, rate) => {
                let links = between_client_and(a, b).ok_or_else(|| sim_only(two_hosts))?;
                links.iter().filter(|link| link.is_udp()).try_for_each(|link| link.apply(Fault::Lose(*rate)))
            }
        };
        applied.map_err(|e| (format!("fault `{fault}`: {e}"), None))
    }
}
