//! What a mock network run leaves behind: a transcript of its network events in virtual time,
//! and the error a failed run returns, carrying its seed and that transcript.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One network event: when it happened (virtual time since the run began) and what it was.
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
/// peers, hosts and the client may all add to it. The same seed gives the same transcript.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    events: Arc<Mutex<Vec<Event>>>,
}

impl Transcript {
    /// Records `what` at the current virtual time (0 outside a running simulation).
    pub fn record(&self, what: impl Into<String>) {
        self.record_at(turmoil::sim_elapsed().unwrap_or_default(), what);
    }

    /// Records `what` at virtual time `at`.
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

/// A run that failed: the seed that replays it, what went wrong, and the network events that
/// led there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockNetError {
    pub seed: u64,
    pub failure: String,
    pub transcript: Vec<Event>,
}

impl fmt::Display for MockNetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "mock network run with seed {} failed: {}", self.seed, self.failure)?;
        writeln!(
            f,
            "replay it with MockNet::sim({}) (or MOCKNET_SEED={} where a test sweeps seeds)",
            self.seed, self.seed
        )?;
        writeln!(f, "network events:")?;
        for event in &self.transcript {
            writeln!(f, "  {event}")?;
        }
        Ok(())
    }
}

impl std::error::Error for MockNetError {}
