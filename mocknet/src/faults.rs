//! Faults a mock network applies at a time or on cue. In the simulated world they are turmoil's
//! own (held links, crashed hosts, message latency and message loss), applied between steps; the
//! real world applies those it can with its relays (`real.rs`). Both worlds reset connections
//! the same way, at their ends ([`crate::connections`]).

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use caspian_reference::turmoil;
use tokio::sync::Notify;

use super::transcript::{Clock, Transcript};
use crate::connections::Connections;

/// A change to the network. The real world applies a fault with the relays in front of the
/// host's services, so one of its hosts must be the client's; what it cannot do fails the run
/// with [`super::SimOnly`].
#[derive(Debug, Clone, PartialEq)]
pub enum NetFault {
    /// Messages between the two hosts are held (not lost) until the link heals. Real world: the
    /// bytes of the host's TCP services are held; a host serving UDP cannot be held.
    Hold(String, String),
    /// Held messages between the two hosts flow again.
    Heal(String, String),
    /// The host stops: its software stops and its sockets close as they are dropped. Real world:
    /// its relays go silent (its connections hang; a connect times out).
    Crash(String),
    /// The host starts its software again, from the beginning. Real world: the connections the
    /// crash left are reset, and its services answer again behind new relays.
    Restart(String),
    /// Every message takes a random time up to this to arrive. Real world: every chunk of
    /// every TCP service; datagrams are not delayed.
    MaxLatency(Duration),
    /// This fraction of messages between the two hosts is lost. TCP does not retransmit in
    /// the simulation, so use it for UDP. Real world: the client's datagrams to the host's UDP
    /// services (not the answers); TCP is not touched.
    Loss(String, String, f64),
    /// Every TCP connection open between the two hosts is reset at both ends: each end's next
    /// read or write (and one waiting now) fails with ConnectionReset. Connections opened later
    /// are not touched. The same in both worlds.
    Cut(String, String),
    /// The TCP connection numbered `connection` to `host:port` (from 0, in the order the
    /// connections to that service opened) is reset at both ends, as [`NetFault::Cut`] resets
    /// one; when it has not opened yet, it is reset as it opens. The same in both worlds.
    Reset { host: String, port: i64, connection: usize },
    /// Messages between the two hosts are dropped (lost, not held) until the link is repaired:
    /// a TCP stream across it breaks. Simulated world only.
    Partition(String, String),
    /// Messages between the two partitioned hosts flow again. Simulated world only.
    Repair(String, String),
    /// Every message between the two hosts takes exactly this long. Simulated world only.
    LinkLatency(String, String, Duration),
}

impl NetFault {
    /// The hosts the fault names.
    fn hosts(&self) -> Vec<&str> {
        match self {
            Self::Hold(a, b)
            | Self::Heal(a, b)
            | Self::Loss(a, b, _)
            | Self::Cut(a, b)
            | Self::Partition(a, b)
            | Self::Repair(a, b)
            | Self::LinkLatency(a, b, _) => vec![a, b],
            Self::Crash(host) | Self::Restart(host) | Self::Reset { host, .. } => vec![host],
            Self::MaxLatency(_) => Vec::new(),
        }
    }

    /// Fails when the fault names a host that is not in `hosts`, or a port out of range.
    pub(super) fn check(&self, hosts: &BTreeSet<String>) -> Result<(), String> {
        if let Some(unknown) = self.hosts().into_iter().find(|host| !hosts.contains(*host)) {
            return Err(format!("fault `{self}` names \"{unknown}\", which is not a host of this network"));
        }
        match self {
            Self::Reset { port, .. } if crate::tcp_port(*port).is_none() => {
                Err(format!("fault `{self}` names port {port}: a port is within 1..=65535"))
            }
            _ => Ok(()),
        }
    }

    /// Applies the fault when it is one on connections, the same in both worlds; returns
    /// false for the others.
    pub(super) fn apply_to_connections(&self, connections: &Connections) -> bool {
        match self {
            Self::Cut(a, b) => connections.cut(a, b),
            Self::Reset { host, port, connection } => {
                let Some(port) = crate::tcp_port(*port) else { return false };
                connections.reset(host, port, *connection);
            }
            _ => return false,
        }
        true
    }
}

impl fmt::Display for NetFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hold(a, b) => write!(f, "hold {a} <-> {b}"),
            Self::Heal(a, b) => write!(f, "heal {a} <-> {b}"),
            Self::Crash(host) => write!(f, "crash {host}"),
            Self::Restart(host) => write!(f, "restart {host}"),
            Self::MaxLatency(max) => write!(f, "max latency {} ms", max.as_secs_f64() * 1000.0),
            Self::Loss(a, b, rate) => write!(f, "lose {:.0}% of {a} <-> {b}", rate * 100.0),
            Self::Cut(a, b) => write!(f, "cut {a} <-> {b}"),
            Self::Reset { host, port, connection } => {
                write!(f, "reset connection {connection} to {host}:{port}")
            }
            Self::Partition(a, b) => write!(f, "partition {a} <-> {b}"),
            Self::Repair(a, b) => write!(f, "repair {a} <-> {b}"),
            Self::LinkLatency(a, b, latency) => {
                write!(f, "latency {} ms on {a} <-> {b}", latency.as_secs_f64() * 1000.0)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Scheduled {
    at: Duration,
    fault: NetFault,
}

/// A handle for applying faults from inside the run (a client or a host) or before it. Faults
/// take effect at the simulation's next step at or after their time (in the real world, when
/// the client next waits, or within a tick of their time); those due together apply in the
/// order they were given. Cloning shares the same queue.
#[derive(Debug, Clone, Default)]
pub struct Cues {
    pending: Arc<Mutex<Vec<Scheduled>>>,
    clock: Clock,
    /// Told of every new cue, so that the real world applies one due now without a tick's wait.
    added: Arc<Notify>,
}

impl Cues {
    /// Applies `fault` now (at the next step).
    pub fn now(&self, fault: NetFault) {
        self.after(Duration::ZERO, fault);
    }

    pub(super) fn with_clock(clock: Clock) -> Self {
        Self { pending: Arc::default(), clock, added: Arc::default() }
    }

    /// Applies `fault` once `delay` has passed from now (virtual time in the simulated world).
    pub fn after(&self, delay: Duration, fault: NetFault) {
        self.at(self.clock.now() + delay, fault);
    }

    /// Applies `fault` at time `at` since the run began (at once if it has passed).
    pub fn at(&self, at: Duration, fault: NetFault) {
        self.lock().push(Scheduled { at, fault });
        self.added.notify_one();
    }

    /// Waits until a cue is added (at once if one was added since the last wait).
    pub(super) async fn added(&self) {
        self.added.notified().await;
    }

    /// Removes and returns the faults due at time `now`, in order.
    pub(super) fn take_due(&self, now: Duration) -> Vec<NetFault> {
        let mut pending = self.lock();
        let (due, later): (Vec<_>, Vec<_>) = pending.drain(..).partition(|s| s.at <= now);
        *pending = later;
        due.into_iter().map(|s| s.fault).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Scheduled>> {
        self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Applies to `sim` (or to `connections`) every fault due now, recording each in
    /// `transcript` before it takes effect. A fault naming a host that is not in `hosts` fails
    /// the run.
    pub(super) fn apply_due(
        &self,
        sim: &mut turmoil::Sim<'_>,
        hosts: &BTreeSet<String>,
        transcript: &Transcript,
        connections: &Connections,
    ) -> Result<(), String> {
        let now = sim.elapsed();
        for fault in self.take_due(now) {
            fault.check(hosts)?;
            transcript.record_at(now, format!("fault: {fault}"));
            if fault.apply_to_connections(connections) {
                continue;
            }
            match &fault {
                NetFault::Hold(a, b) => sim.hold(a.as_str(), b.as_str()),
                NetFault::Heal(a, b) => sim.release(a.as_str(), b.as_str()),
                NetFault::Crash(host) => sim.crash(host.as_str()),
                NetFault::Restart(host) => sim.bounce(host.as_str()),
                NetFault::MaxLatency(max) => sim.set_max_message_latency(*max),
                NetFault::Loss(a, b, rate) => sim.set_link_fail_rate(a.as_str(), b.as_str(), *rate),
                NetFault::Partition(a, b) => sim.partition(a.as_str(), b.as_str()),
                NetFault::Repair(a, b) => sim.repair(a.as_str(), b.as_str()),
                NetFault::LinkLatency(a, b, latency) => {
                    sim.set_link_latency(a.as_str(), b.as_str(), *latency)
                }
                // Applied to the connections above.
                NetFault::Cut(..) | NetFault::Reset { .. } => {}
            }
        }
        Ok(())
    }
}
