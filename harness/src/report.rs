//! What a run produced: one [`CaseReport`] per case and world, gathered in a [`RunReport`].
//! The reporters (`reporters`) render it; this module only holds the data.

use serde::{Deserialize, Serialize};

/// The outcome of one case in one world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Every expectation held.
    Pass,
    /// An expectation failed (or the case found the engine wanting).
    Fail,
    /// Not run in this world, for a stated reason (or skipped by the expectation file).
    Skip,
    /// The engine does not implement what the case needs.
    Unimplemented,
    /// Failed, as the port's expectation file says it will.
    ExpectedFail,
    /// Passed, although the port's expectation file says it fails: update the file.
    UnexpectedPass,
    /// The engine process died during the case.
    Crash,
    /// The case, or one request of it, ran past its deadline.
    Timeout,
    /// The engine answered something that is not the driver protocol.
    ProtocolError,
}

impl Status {
    /// True when the run must fail because of this outcome.
    pub fn is_unexpected(self) -> bool {
        matches!(
            self,
            Status::Fail | Status::UnexpectedPass | Status::Crash | Status::Timeout | Status::ProtocolError
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
            Status::Unimplemented => "UNIMPLEMENTED",
            Status::ExpectedFail => "EXPECTED_FAIL",
            Status::UnexpectedPass => "UNEXPECTED_PASS",
            Status::Crash => "CRASH",
            Status::Timeout => "TIMEOUT",
            Status::ProtocolError => "PROTOCOL_ERROR",
        }
    }

    pub const ALL: [Status; 9] = [
        Status::Pass,
        Status::Fail,
        Status::Skip,
        Status::Unimplemented,
        Status::ExpectedFail,
        Status::UnexpectedPass,
        Status::Crash,
        Status::Timeout,
        Status::ProtocolError,
    ];
}

/// One case run in one world.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseReport {
    pub id: String,
    pub clauses: Vec<String>,
    pub level: String,
    pub description: String,
    /// `sim` or `real`.
    pub world: String,
    pub status: Status,
    /// Why it did not pass: expected against actual, or the skip reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The exchange with the engine, and what it wrote to stderr.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<String>,
    /// The seed of the simulated world (absent for the real world).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The command that runs this case alone, in this world, with this seed.
    pub replay: String,
    pub duration_ms: f64,
}

/// Everything a run produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// The engine's name and version.
    pub engine: String,
    pub cases: Vec<CaseReport>,
    /// Expectation-file entries that matched no case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale_expectations: Vec<String>,
    pub duration_ms: f64,
}

impl RunReport {
    /// How many cases ended with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.cases.iter().filter(|c| c.status == status).count()
    }

    /// True when no case ended unexpectedly.
    pub fn succeeded(&self) -> bool {
        !self.cases.iter().any(|c| c.status.is_unexpected())
    }

    /// `312 passed, 0 failed, 4 skipped` and the other statuses that occurred.
    pub fn summary_line(&self) -> String {
        let failed = self.cases.iter().filter(|c| c.status.is_unexpected()).count();
        let mut line = format!("{} passed, {failed} failed", self.count(Status::Pass));
        for status in [Status::Skip, Status::Unimplemented, Status::ExpectedFail] {
            let n = self.count(status);
            if n > 0 {
                line.push_str(&format!(", {n} {}", status.name().to_lowercase().replace('_', " ")));
            }
        }
        line
    }
}
