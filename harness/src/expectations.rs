//! A port's expectation file: the cases it is known to fail, and the cases it skips, each with
//! its reason. A run reports an expected failure that now passes (UNEXPECTED_PASS, which fails
//! the run until the file is updated) and entries that match no case (stale).
//!
//! ```toml
//! [[expected_fail]]
//! case = "tls.reject.*"        # a case-ID glob
//! world = "real"               # optional: only in this world
//! reason = "LuaSec 1.2 does not check the host name (lunarmodules/luasec#161)"
//!
//! [[skip]]
//! case = "udp.recv.truncate"
//! reason = "LuaSocket cannot tell a truncated datagram"
//! ```

use std::path::Path;

use caspian_conformance::script::quoted;
use serde::Deserialize;

use crate::plan::glob_match;
use crate::report::Status;
use crate::runner::Job;

/// One entry: which cases, in which world, and why.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// A case-ID glob.
    pub case: String,
    /// `sim` or `real`; absent means both.
    pub world: Option<String>,
    pub reason: String,
}

impl Entry {
    fn matches(&self, job: &Job) -> bool {
        glob_match(&self.case, job.case.id) && self.world.as_deref().is_none_or(|w| w == job.world.name())
    }

    fn describe(&self, kind: &str) -> String {
        let world = self.world.as_deref().map(|w| format!(" [{w}]")).unwrap_or_default();
        format!("{kind} {}{world}: {}", self.case, self.reason)
    }
}

/// The parsed file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    #[serde(default)]
    pub expected_fail: Vec<Entry>,
    #[serde(default)]
    pub skip: Vec<Entry>,
}

impl Expectations {
    /// Reads and checks a file: every entry needs a non-empty reason and a world of `sim` or `real`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let parsed: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        for entry in parsed.expected_fail.iter().chain(&parsed.skip) {
            if entry.reason.trim().is_empty() {
                return Err(format!("the entry for {} has no reason", quoted(&entry.case)));
            }
            if let Some(world) = &entry.world
                && world != "sim"
                && world != "real"
            {
                return Err(format!(
                    "the entry for {} names world {}: use \"sim\" or \"real\"",
                    quoted(&entry.case),
                    quoted(world)
                ));
            }
        }
        Ok(parsed)
    }

    /// The skip entry for `job`, if any.
    pub fn skip_for(&self, job: &Job) -> Option<&Entry> {
        self.skip.iter().find(|entry| entry.matches(job))
    }

    /// The status and message `job` ends with, once its expected failure (if any) is applied.
    pub fn judge(&self, job: &Job, status: Status, message: Option<String>) -> (Status, Option<String>) {
        let Some(entry) = self.expected_fail.iter().find(|entry| entry.matches(job)) else {
            return (status, message);
        };
        match status {
            Status::Pass => (
                Status::UnexpectedPass,
                Some(format!(
                    "passes, but the expectation file says it fails ({}): remove the entry",
                    entry.reason
                )),
            ),
            Status::Fail | Status::Crash | Status::Timeout | Status::ProtocolError => {
                let detail = message.unwrap_or_default();
                (
                    Status::ExpectedFail,
                    Some(format!("expected: {} ({} {detail})", entry.reason, status.name())),
                )
            }
            other => (other, message),
        }
    }

    /// Entries that match none of `jobs`.
    pub fn stale(&self, jobs: &[Job]) -> Vec<String> {
        let unmatched = |kind: &'static str| {
            move |entry: &Entry| (!jobs.iter().any(|job| entry.matches(job))).then(|| entry.describe(kind))
        };
        self.expected_fail
            .iter()
            .filter_map(unmatched("expected_fail"))
            .chain(self.skip.iter().filter_map(unmatched("skip")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::World;
    use caspian_conformance::catalog::catalog;

    fn job(id: &str, world: World) -> Job {
        let case = catalog().into_iter().find(|c| c.id == id).expect("a case of the catalog");
        Job { case, world, seed: 1 }
    }

    const FILE: &str = r#"
[[expected_fail]]
case = "tcp.open.*"
world = "real"
reason = "the port cannot"

[[skip]]
case = "tcp.open.refused"
reason = "no refusals here"

[[expected_fail]]
case = "nothing.matches.*"
reason = "stale"
"#;

    #[test]
    fn expected_failures_pass_and_fail_as_the_file_says() {
        let expectations = Expectations::parse(FILE).unwrap();
        let real = job("tcp.open.echo", World::Real);
        let sim = job("tcp.open.echo", World::Sim);
        assert_eq!(expectations.judge(&real, Status::Fail, None).0, Status::ExpectedFail);
        assert_eq!(expectations.judge(&real, Status::Crash, None).0, Status::ExpectedFail);
        assert_eq!(expectations.judge(&real, Status::Pass, None).0, Status::UnexpectedPass);
        assert_eq!(
            expectations.judge(&sim, Status::Fail, None).0,
            Status::Fail,
            "the entry is for real only"
        );
        assert_eq!(
            expectations.skip_for(&job("tcp.open.refused", World::Sim)).map(|e| e.reason.as_str()),
            Some("no refusals here")
        );
        assert!(expectations.skip_for(&sim).is_none());
    }

    #[test]
    fn entries_that_match_no_case_are_stale() {
        let expectations = Expectations::parse(FILE).unwrap();
        let stale =
            expectations.stale(&[job("tcp.open.echo", World::Real), job("tcp.open.refused", World::Sim)]);
        assert_eq!(stale, vec!["expected_fail nothing.matches.*: stale".to_string()]);
    }

    #[test]
    fn bad_files_are_refused_with_the_entry_named() {
        let no_reason = "[[skip]]\ncase = \"tcp.*\"\nreason = \" \"\n";
        assert!(Expectations::parse(no_reason).unwrap_err().contains("tcp.*"));
        let bad_world = "[[skip]]\ncase = \"tcp.*\"\nworld = \"moon\"\nreason = \"r\"\n";
        assert!(Expectations::parse(bad_world).unwrap_err().contains("moon"));
        assert!(Expectations::parse("[[skip]]\ncase = \"x\"\nreason = \"r\"\ntypo = 1\n").is_err());
    }
}
