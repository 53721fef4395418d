//! Faults a mock network applies between steps of the simulation, at a virtual time or on cue.
//! They are turmoil's own: held links, crashed hosts, message latency and message loss.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::transcript::Transcript;

/// A change to the simulated network.
#[derive(Debug, Clone, PartialEq)]
pub enum NetFault {
    /// Messages between the two hosts are held (not lost) until the link heals.
    Hold(String, String),
    /// Held messages between the two hosts flow again.
    Heal(String, String),
    /// The host stops: its software stops and its sockets close as they are dropped.
    Crash(String),
    /// The host starts its software again, from the beginning.
    Restart(String),
    /// Every message takes a random time up to this to arrive.
    MaxLatency(Duration),
    /// This fraction of messages between the two hosts is lost. TCP does not retransmit in
    /// the simulation, so use it for UDP.
    Loss(String, String, f64),
}

impl NetFault {
    /// The hosts the fault names.
    fn hosts(&self) -> Vec<&str> {
        match self {
            Self::Hold(a, b) | Self::Heal(a, b) | Self::Loss(a, b, _) => vec![a, b],
            Self::Crash(host) | Self::Restart(host) => vec![host],
            Self::MaxLatency(_) => Vec::new(),
        }
    }
}

impl fmt::Display for NetFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hold(a, b) => write!(f, "hold {a} <-> {b}"),
            Self::Heal(a, b) => write!(f, "heal {a} <-> {b}"),
            Self::Crash(host) => write!(f, "crash {host}"),
            Self::Restart(host) => write!(f, "restart {host}"),
            Self::MaxLatency(max) => write!(f, "max latency {max:?}"),
            Self::Loss(a, b, rate) => write!(f, "lose {:.0}% of {a} <-> {b}", rate * 100.0),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Scheduled {
    at: Duration,
    fault: NetFault,
}

/// A handle for applying faults from inside the run (a client or a host) or before it. Faults
/// take effect at the simulation's next step at or after their time; those due together apply
/// in the order they were given. Cloning shares the same queue.
#[derive(Debug, Clone, Default)]
pub struct Cues {
    pending: Arc<Mutex<Vec<Scheduled>>>,
}

impl Cues {
    /// Applies `fault` now (at the next step).
    pub fn now(&self, fault: NetFault) {
        self.after(Duration::ZERO, fault);
    }

    /// Applies `fault` once `delay` of virtual time has passed from now.
    pub fn after(&self, delay: Duration, fault: NetFault) {
        self.at(turmoil::sim_elapsed().unwrap_or_default() + delay, fault);
    }

    /// Applies `fault` at virtual time `at` since the run began (at once if it has passed).
    pub fn at(&self, at: Duration, fault: NetFault) {
        self.lock().push(Scheduled { at, fault });
    }

    /// Removes and returns the faults due at virtual time `now`, in order.
    fn take_due(&self, now: Duration) -> Vec<NetFault> {
        let mut pending = self.lock();
        let (due, later): (Vec<_>, Vec<_>) = pending.drain(..).partition(|s| s.at <= now);
        *pending = later;
        due.into_iter().map(|s| s.fault).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Scheduled>> {
        self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Applies to `sim` every fault due now, recording each in `transcript`. A fault naming a
    /// host that is not in `hosts` fails the run.
    pub(super) fn apply_due(
        &self,
        sim: &mut turmoil::Sim<'_>,
        hosts: &BTreeSet<String>,
        transcript: &Transcript,
    ) -> Result<(), String> {
        let now = sim.elapsed();
        for fault in self.take_due(now) {
            if let Some(unknown) = fault.hosts().into_iter().find(|host| !hosts.contains(*host)) {
                return Err(format!(
                    "fault `{fault}` names {unknown:?}, which is not a host of this network"
                ));
            }
            match &fault {
                NetFault::Hold(a, b) => sim.hold(a.as_str(), b.as_str()),
                NetFault::Heal(a, b) => sim.release(a.as_str(), b.as_str()),
                NetFault::Crash(host) => sim.crash(host.as_str()),
                NetFault::Restart(host) => sim.bounce(host.as_str()),
                NetFault::MaxLatency(max) => sim.set_max_message_latency(*max),
                NetFault::Loss(a, b, rate) => sim.set_link_fail_rate(a.as_str(), b.as_str(), *rate),
            }
            transcript.record_at(now, format!("fault: {fault}"));
        }
        Ok(())
    }
}
