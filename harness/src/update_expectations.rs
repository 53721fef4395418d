//! `--update-expectations FILE`: writes or refreshes a port's expectation file from a run, the
//! way WPT's update-expectations serves its ports.
//!
//! Guarantees: comments and reasons of the entries that stay valid are kept as written; an
//! `expected_fail` entry whose cases all pass now is removed, one whose cases partly pass is
//! narrowed to the cases that still fail (same reason); an entry that matches no case of the
//! catalog is removed; an entry whose cases did not run is left alone; every new failure gets an
//! entry whose reason, `to fill in: …`, quotes the failure. The file written makes the same run
//! pass.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::expectations::Expectations;
use crate::plan::glob_match;
use crate::report::{CaseReport, RunReport, Status};

/// What an update changed, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub narrowed: Vec<String>,
}

impl Update {
    pub fn summary(&self, path: &Path) -> String {
        format!(
            "updated {}: {} entries added, {} removed, {} narrowed to the cases that still fail",
            path.display(),
            self.added.len(),
            self.removed.len(),
            self.narrowed.len()
        )
    }
}

/// Rewrites `path` (created if missing) from `report`; `catalog` is every case ID there is.
pub fn update_file(path: &Path, report: &RunReport, catalog: &[&str]) -> Result<Update, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let (updated, update) =
        update_text(&text, report, catalog).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(path, updated).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(update)
}

/// The updated text of an expectation file, and what changed.
pub fn update_text(text: &str, report: &RunReport, catalog: &[&str]) -> Result<(String, Update), String> {
    Expectations::parse(text)?;
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let mut update = Update::default();
    let in_catalog = |glob: &str| catalog.iter().any(|id| glob_match(glob, id));
    if let Some(skips) = doc.get_mut("skip").and_then(Item::as_array_of_tables_mut) {
        skips.retain(|entry| {
            let glob = field(entry, "case");
            let keep = in_catalog(&glob);
            if !keep {
                update.removed.push(format!("skip {glob} (matches no case)"));
            }
            keep
        });
    }
    let mut fails =
        doc.remove("expected_fail").and_then(|item| item.into_array_of_tables().ok()).unwrap_or_default();
    let mut kept = ArrayOfTables::new();
    for entry in fails.iter_mut() {
        let (glob, world) = (field(entry, "case"), field(entry, "world"));
        let matched: Vec<&CaseReport> = report
            .cases
            .iter()
            .filter(|c| glob_match(&glob, &c.id) && (world.is_empty() || world == c.world))
            .collect();
        let failing: BTreeSet<&str> =
            matched.iter().filter(|c| c.status == Status::ExpectedFail).map(|c| c.id.as_str()).collect();
        let passing = matched.iter().any(|c| c.status == Status::UnexpectedPass);
        if !in_catalog(&glob) {
            update.removed.push(format!("expected_fail {glob} (matches no case)"));
        } else if !passing {
            kept.push(entry.clone());
        } else if failing.is_empty() {
            update.removed.push(format!("expected_fail {glob} (passes now)"));
        } else {
            update.narrowed.push(glob.clone());
            for (i, id) in failing.iter().enumerate() {
                let mut narrowed = entry.clone();
                narrowed["case"] = value(*id);
                if i > 0 {
                    narrowed.decor_mut().clear();
                }
                kept.push(narrowed);
            }
        }
    }
    for (id, worlds, why) in new_failures(report) {
        let mut entry = Table::new();
        entry["case"] = value(id.as_str());
        if let [world] = worlds.as_slice() {
            entry["world"] = value(world.as_str());
        }
        entry["reason"] = value(format!("to fill in: {why}"));
        update.added.push(id);
        kept.push(entry);
    }
    if !kept.is_empty() {
        doc.insert("expected_fail", Item::ArrayOfTables(kept));
    }
    // The file's opening comments belong to its first entry in the document model: keep them
    // even when that entry goes.
    let preamble: String = text
        .lines()
        .take_while(|l| l.trim().is_empty() || l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut updated = doc.to_string();
    if !updated.starts_with(preamble.trim_end()) {
        updated = format!("{}\n\n{}", preamble.trim_end(), updated.trim_start());
    }
    Ok((updated, update))
}

/// The cases that failed with no entry: ID, the worlds it failed in when it passed in another
/// (empty when it failed in every world it ran in), and the first line of its failure.
fn new_failures(report: &RunReport) -> Vec<(String, Vec<String>, String)> {
    let fails =
        |s: Status| matches!(s, Status::Fail | Status::Crash | Status::Timeout | Status::ProtocolError);
    let mut by_id: BTreeMap<&str, (Vec<String>, bool, String)> = BTreeMap::new();
    for case in &report.cases {
        let (worlds, passed_elsewhere, why) = by_id.entry(&case.id).or_default();
        if fails(case.status) {
            worlds.push(case.world.clone());
            if why.is_empty() {
                let first = case.message.as_deref().unwrap_or_default().lines().next().unwrap_or_default();
                *why = format!("{} {first}", case.status.name());
            }
        } else if case.status == Status::Pass {
            *passed_elsewhere = true;
        }
    }
    by_id
        .into_iter()
        .filter(|(_, (worlds, ..))| !worlds.is_empty())
        .map(|(id, (worlds, passed_elsewhere, why))| {
            (id.to_string(), if passed_elsewhere { worlds } else { Vec::new() }, why)
        })
        .collect()
}

fn field(entry: &Table, key: &str) -> String {
    entry.get(key).and_then(Item::as_str).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, world: &str, status: Status) -> CaseReport {
        CaseReport {
            id: id.into(),
            clauses: vec![],
            level: "MUST".into(),
            description: String::new(),
            world: world.into(),
            status,
            message: Some("expected A, got B\nmore".into()),
            transcript: vec![],
            seed: None,
            replay: String::new(),
            duration_ms: 0.0,
        }
    }

    const FILE: &str = "# the port's notes\n\n\
        # tls: LuaSec cannot\n[[expected_fail]]\ncase = \"tls.*\"\nreason = \"LuaSec cannot\"\n\n\
        [[expected_fail]]\ncase = \"udp.fixed\"\nreason = \"was broken\"\n\n\
        [[expected_fail]]\ncase = \"gone.case\"\nreason = \"stale\"\n\n\
        [[expected_fail]]\ncase = \"perm.notrun\"\nreason = \"not run today\"\n\n\
        [[skip]]\ncase = \"io.slow\"\nreason = \"too slow\"\n";

    #[test]
    fn stale_and_fixed_entries_go_partial_ones_narrow_new_failures_come_in() {
        let report = RunReport {
            engine: "e".into(),
            cases: vec![
                case("tls.a", "real", Status::ExpectedFail),
                case("tls.b", "real", Status::UnexpectedPass),
                case("udp.fixed", "real", Status::UnexpectedPass),
                case("tcp.new", "real", Status::Fail),
                case("tcp.ok", "real", Status::Pass),
            ],
            stale_expectations: vec![],
            duration_ms: 0.0,
        };
        let catalog = ["tls.a", "tls.b", "udp.fixed", "perm.notrun", "io.slow", "tcp.new", "tcp.ok"];
        let (text, update) = update_text(FILE, &report, &catalog).unwrap();
        assert!(text.starts_with("# the port's notes"), "{text}");
        assert!(text.contains("# tls: LuaSec cannot\n[[expected_fail]]\ncase = \"tls.a\""), "{text}");
        assert!(
            !text.contains("tls.*") && !text.contains("udp.fixed") && !text.contains("gone.case"),
            "{text}"
        );
        assert!(text.contains("perm.notrun") && text.contains("io.slow"), "{text}");
        assert!(
            text.contains("case = \"tcp.new\"\nreason = \"to fill in: FAIL expected A, got B\""),
            "{text}"
        );
        assert_eq!(update.added, ["tcp.new"]);
        assert_eq!(update.narrowed, ["tls.*"]);
        assert_eq!(update.removed.len(), 2, "{:?}", update.removed);
        let reread = Expectations::parse(&text).unwrap();
        assert_eq!(reread.expected_fail.len(), 3);
    }

    #[test]
    fn a_failure_in_one_world_only_gets_that_world() {
        let report = RunReport {
            engine: "e".into(),
            cases: vec![case("tcp.x", "sim", Status::Pass), case("tcp.x", "real", Status::Timeout)],
            stale_expectations: vec![],
            duration_ms: 0.0,
        };
        let (text, _) = update_text("", &report, &["tcp.x"]).unwrap();
        assert!(
            text.contains("case = \"tcp.x\"\nworld = \"real\"\nreason = \"to fill in: TIMEOUT"),
            "{text}"
        );
    }
}
