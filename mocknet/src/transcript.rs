//! What a mock network run leaves behind: a transcript of its network events, and the error a
//! failed run returns, carrying its seed and that transcript.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use caspian_reference::turmoil;

/// Which network a run uses: turmoil's simulation (virtual time, every choice from the seed) or
/// the machine's loopback (real sockets, real time, the relays' choices from the seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum World {
    Sim,
    Real,
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sim => "sim",
            Self::Real => "real",
        })
    }
}

/// The time since a run began: virtual inside a simulation, real in the real world (from the
/// moment the run starts its clock), else zero. Cloning shares the same start.
#[derive(Debug, Clone, Default)]
pub(super) struct Clock {
    started: Arc<OnceLock<Instant>>,
}

impl Clock {
    /// Starts the real clock (the first call counts).
    pub(super) fn start(&self) {
        self.started.get_or_init(Instant::now);
    }

    pub(super) fn now(&self) -> Duration {
        turmoil::sim_elapsed().or_else(|| self.started.get().map(Instant::elapsed)).unwrap_or_default()
    }
}

/// One network event: when it happened (time since the run began) and what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: Duration,
    pub what: String,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{:>9.3}s] {}", self.at.as_secs_f64(), self.what)
    }
}

/// The events of one run, in the order they happened. Cloning shares the same record, so that
/// peers, hosts and the client may all add to it. In the simulated world the same seed gives
/// the same transcript; in the real world the OS decides the order of concurrent events.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    events: Arc<Mutex<Vec<Event>>>,
    clock: Clock,
}

impl Transcript {
    pub(super) fn with_clock(clock: Clock) -> Self {
        Self { events: Arc::default(), clock }
    }

    /// Records `what` at the run's current time.
    pub fn record(&self, what: impl Into<String>) {
        self.record_at(self.clock.now(), what);
    }

    /// Records `what` at time `at`.
    pub fn record_at(&self, at: Duration, what: impl Into<String>) {
        let event = Event { at, what: what.into() };
        // A poisoned record still holds every event pushed before the panic.
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(event);
    }

    /// Every event recorded so far.
    pub fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

/// What the real world cannot do: a run that asks for it fails with this, before or when it
/// would happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimOnly {
    /// `.host` software runs on turmoil's sockets; serve with `.serve` to run in both worlds.
    HostSoftware(String),
    /// A fault loopback relays cannot apply: the fault, and why.
    Fault(String, &'static str),
}

impl fmt::Display for SimOnly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HostSoftware(host) => write!(
                f,
                "host \"{host}\" runs `.host` software, which uses turmoil's sockets: the simulated \
                 world only (serve it with `.serve` to run in both worlds)"
            ),
            Self::Fault(fault, why) => write!(f, "fault `{fault}` is simulated-world only: {why}"),
        }
    }
}

/// How a run failed: the client's own error, or the network's failure (with what the real
/// world lacked, if that was it).
pub(crate) enum Failed<E> {
    Client(E),
    Run(String, Option<SimOnly>),
}

/// A run that failed: the world and seed that replay it, what went wrong, and the network
/// events that led there. `E` is the client's error type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockNetError<E> {
    pub world: World,
    pub seed: u64,
    /// What went wrong, in one line.
    pub failure: String,
    /// The client's own error, when the client returned one.
    pub client: Option<Box<E>>,
    /// Set when the run asked the real world for something only the simulation does.
    pub sim_only: Option<SimOnly>,
    pub transcript: Vec<Event>,
}

impl<E> fmt::Display for MockNetError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (world, seed) = (self.world, self.seed);
        writeln!(f, "mock network run ({world} world) with seed {seed} failed: {}", self.failure)?;
        writeln!(
            f,
            "replay it with MockNet::{world}({seed}) (or MOCKNET_SEED={seed} where a test sweeps seeds)"
        )?;
        if world == World::Real {
            writeln!(f, "(in the real world the seed fixes the relays' choices; the OS schedules the rest)")?;
        }
        writeln!(f, "network events:")?;
        for event in &self.transcript {
            writeln!(f, "  {event}")?;
        }
        Ok(())
    }
}

impl<E: fmt::Debug> std::error::Error for MockNetError<E> {}
