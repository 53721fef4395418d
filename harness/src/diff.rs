//! Comparing two runs: what regressed, what was fixed, which cases are new and which are gone.
//! `caspian-conform diff OLD.json NEW.json…` prints it and fails on a regression, for CI; several
//! NEW reports (the shards of one run) are merged into one first.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use caspian_conformance::script::quoted;

use crate::report::{CaseReport, RunReport, Status};

/// A case in a world: the key two runs are compared by.
pub type Key = (String, String);

/// What changed between two runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Cases that did not fail the old run and fail the new one (new cases that fail, too).
    pub regressions: Vec<Change>,
    /// Cases that failed the old run and no longer fail.
    pub fixes: Vec<Change>,
    /// Other changes of status (a pass become a skip, …).
    pub changed: Vec<Change>,
    /// Cases only the new run has.
    pub added: Vec<Change>,
    /// Cases only the old run has.
    pub removed: Vec<Change>,
}

/// One case whose status differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    pub world: String,
    pub old: Option<Status>,
    pub new: Option<Status>,
    /// The new run's message (why it fails).
    pub message: Option<String>,
}

/// Merges the reports of the shards of one run. A case reported twice with different statuses
/// is an error naming it.
pub fn merge(reports: Vec<RunReport>) -> Result<RunReport, String> {
    let mut reports = reports.into_iter();
    let mut merged = reports.next().ok_or("no report to merge")?;
    let mut seen: BTreeMap<Key, Status> = merged.cases.iter().map(|c| (key(c), c.status)).collect();
    for report in reports {
        if report.engine != merged.engine {
            return Err(format!(
                "the reports are of two engines: {} and {}",
                quoted(&merged.engine),
                quoted(&report.engine)
            ));
        }
        for case in report.cases {
            match seen.insert(key(&case), case.status) {
                Some(status) if status != case.status => {
                    return Err(format!(
                        "{} [{}] is {} in one report and {} in another",
                        case.id,
                        case.world,
                        status.name(),
                        case.status.name()
                    ));
                }
                Some(_) => {}
                None => merged.cases.push(case),
            }
        }
        merged.stale_expectations.extend(report.stale_expectations);
        merged.duration_ms = merged.duration_ms.max(report.duration_ms);
    }
    merged.stale_expectations.sort();
    merged.stale_expectations.dedup();
    Ok(merged)
}

/// What changed from `old` to `new`.
pub fn diff(old: &RunReport, new: &RunReport) -> Diff {
    let old_cases: BTreeMap<Key, &CaseReport> = old.cases.iter().map(|c| (key(c), c)).collect();
    let new_cases: BTreeMap<Key, &CaseReport> = new.cases.iter().map(|c| (key(c), c)).collect();
    let mut result = Diff::default();
    for (k, case) in &new_cases {
        let change = Change {
            id: k.0.clone(),
            world: k.1.clone(),
            old: old_cases.get(k).map(|c| c.status),
            new: Some(case.status),
            message: case.message.clone(),
        };
        let fails_now = case.status.is_unexpected();
        match change.old {
            None if fails_now => result.regressions.push(change),
            None => result.added.push(change),
            Some(old) if old == case.status => {}
            Some(old) if fails_now && !old.is_unexpected() => result.regressions.push(change),
            Some(old) if old.is_unexpected() && !fails_now => result.fixes.push(change),
            Some(_) => result.changed.push(change),
        }
    }
    for (k, case) in &old_cases {
        if !new_cases.contains_key(k) {
            result.removed.push(Change {
                id: k.0.clone(),
                world: k.1.clone(),
                old: Some(case.status),
                new: None,
                message: None,
            });
        }
    }
    result
}

impl Diff {
    /// The text `caspian-conform diff` prints: one section per kind of change, then a summary.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let sections = [
            ("regressions", &self.regressions),
            ("fixes", &self.fixes),
            ("other changes", &self.changed),
            ("new cases", &self.added),
            ("removed cases", &self.removed),
        ];
        for (title, changes) in sections {
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}:");
            for change in changes {
                let status = |s: Option<Status>| s.map_or("-", Status::name);
                let _ = writeln!(
                    out,
                    "  {} [{}]: {} -> {}",
                    change.id,
                    change.world,
                    status(change.old),
                    status(change.new)
                );
                if let (true, Some(message)) = (title == "regressions", &change.message) {
                    let _ = writeln!(out, "    {}", message.lines().next().unwrap_or_default());
                }
            }
        }
        let _ = writeln!(
            out,
            "diff: {} regressions, {} fixes, {} other changes, {} new, {} removed",
            self.regressions.len(),
            self.fixes.len(),
            self.changed.len(),
            self.added.len(),
            self.removed.len()
        );
        out
    }
}

fn key(case: &CaseReport) -> Key {
    (case.id.clone(), case.world.clone())
}

/// Reads a JSON report written by `caspian-conform run --json`.
pub fn load(path: &std::path::Path) -> Result<RunReport, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a report of caspian-conform run --json: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, status: Status) -> CaseReport {
        CaseReport {
            id: id.into(),
            clauses: vec![],
            level: "MUST".into(),
            description: String::new(),
            world: "real".into(),
            status,
            message: None,
            transcript: vec![],
            seed: None,
            replay: String::new(),
            duration_ms: 0.0,
        }
    }

    fn report(cases: Vec<CaseReport>) -> RunReport {
        RunReport { engine: "e".into(), cases, stale_expectations: vec![], duration_ms: 0.0 }
    }

    #[test]
    fn regressions_fixes_and_membership_are_told_apart() {
        let old = report(vec![
            case("a", Status::Pass),
            case("b", Status::Fail),
            case("c", Status::Pass),
            case("gone", Status::Pass),
        ]);
        let new = report(vec![
            case("a", Status::Fail),
            case("b", Status::Pass),
            case("c", Status::Skip),
            case("fresh", Status::Pass),
            case("fresh_broken", Status::Crash),
        ]);
        let d = diff(&old, &new);
        let ids = |changes: &[Change]| changes.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.regressions), ["a", "fresh_broken"]);
        assert_eq!(ids(&d.fixes), ["b"]);
        assert_eq!(ids(&d.changed), ["c"]);
        assert_eq!(ids(&d.added), ["fresh"]);
        assert_eq!(ids(&d.removed), ["gone"]);
        assert!(d.render().contains("diff: 2 regressions, 1 fixes"));
    }

    #[test]
    fn shards_merge_and_a_disagreement_is_an_error() {
        let merged =
            merge(vec![report(vec![case("a", Status::Pass)]), report(vec![case("b", Status::Fail)])]);
        assert_eq!(merged.map(|r| r.cases.len()), Ok(2));
        let clash = merge(vec![report(vec![case("a", Status::Pass)]), report(vec![case("a", Status::Fail)])]);
        assert!(clash.is_err_and(|e| e.contains("a [real]")));
    }
}
