//! Engines side by side: several runs' JSON reports (one per engine) read into one matrix of
//! cases × engines, with pass rates per family and per clause, and the cases that fail on one
//! engine only (the first place to look for a rule that fits one stack).
//! `caspian-conform compare A.json B.json … [--html compare.html]` prints and renders it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use caspian_conformance::clauses::CLAUSES;

use crate::diff::Key;
use crate::report::{CaseReport, RunReport, Status};

/// Several engines' runs, side by side.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Each engine's name (from its report's hello, made unique), in the order given.
    pub engines: Vec<String>,
    /// Every case and world any run holds, in the order the runs list them.
    pub rows: Vec<Row>,
}

/// One case in one world, as each engine ended it (`None`: that run does not hold it).
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub world: String,
    pub clauses: Vec<String>,
    pub description: String,
    pub cells: Vec<Option<CaseReport>>,
}

/// How an engine fared over a group of rows: passed of ran (skips and absences left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    pub passed: usize,
    pub ran: usize,
}

impl Rate {
    /// `41/44 (93%)`, or `-` when nothing ran.
    pub fn show(self) -> String {
        if self.ran == 0 {
            return "-".into();
        }
        format!("{}/{} ({}%)", self.passed, self.ran, self.passed * 100 / self.ran)
    }
}

/// True for an outcome that is a failure of the engine at the case (expected or not).
pub fn failed(status: Status) -> bool {
    matches!(
        status,
        Status::Fail | Status::ExpectedFail | Status::Crash | Status::Timeout | Status::ProtocolError
    )
}

impl Comparison {
    /// The runs of `reports`, one column each, named from each report's engine (a name given
    /// twice gets `#2`, `#3`…).
    pub fn new(reports: &[RunReport]) -> Self {
        let mut engines: Vec<String> = Vec::new();
        for report in reports {
            let count =
                engines.iter().filter(|e| e.split(" #").next() == Some(report.engine.as_str())).count();
            engines.push(if count == 0 {
                report.engine.clone()
            } else {
                format!("{} #{}", report.engine, count + 1)
            });
        }
        let mut index: BTreeMap<Key, usize> = BTreeMap::new();
        let mut rows: Vec<Row> = Vec::new();
        for (column, report) in reports.iter().enumerate() {
            for case in &report.cases {
                let key = (case.id.clone(), case.world.clone());
                let at = *index.entry(key).or_insert_with(|| {
                    rows.push(Row {
                        id: case.id.clone(),
                        world: case.world.clone(),
                        clauses: case.clauses.clone(),
                        description: case.description.clone(),
                        cells: vec![None; reports.len()],
                    });
                    rows.len() - 1
                });
                rows[at].cells[column] = Some(case.clone());
            }
        }
        Comparison { engines, rows }
    }

    /// The rows of each family (the case ID's first word), families in order of appearance.
    pub fn families(&self) -> Vec<(String, Vec<&Row>)> {
        let mut families: Vec<(String, Vec<&Row>)> = Vec::new();
        for row in &self.rows {
            let family = row.id.split('.').next().unwrap_or("").to_string();
            match families.iter_mut().find(|(name, _)| *name == family) {
                Some((_, rows)) => rows.push(row),
                None => families.push((family, vec![row])),
            }
        }
        families
    }

    /// Every clause cited, in the standard's order (unknown IDs last), with the rows that cite it.
    pub fn clauses(&self) -> Vec<(String, Vec<&Row>)> {
        let mut clauses: Vec<(String, Vec<&Row>)> = Vec::new();
        for row in &self.rows {
            for clause in &row.clauses {
                match clauses.iter_mut().find(|(id, _)| id == clause) {
                    Some((_, rows)) => rows.push(row),
                    None => clauses.push((clause.clone(), vec![row])),
                }
            }
        }
        let position = |id: &str| CLAUSES.iter().position(|c| c.id == id).unwrap_or(CLAUSES.len());
        clauses.sort_by_key(|(id, _)| position(id));
        clauses
    }

    /// Each engine's rate over `rows`.
    pub fn rates(&self, rows: &[&Row]) -> Vec<Rate> {
        (0..self.engines.len())
            .map(|column| {
                rows.iter().filter_map(|row| row.cells[column].as_ref()).fold(
                    Rate::default(),
                    |rate, case| match case.status {
                        Status::Pass | Status::UnexpectedPass => {
                            Rate { passed: rate.passed + 1, ran: rate.ran + 1 }
                        }
                        status if failed(status) => Rate { ran: rate.ran + 1, ..rate },
                        _ => rate,
                    },
                )
            })
            .collect()
    }

    /// The engine (its column) that alone fails `row` while at least one other engine passes
    /// it, if there is one.
    pub fn fails_on_one_only(&self, row: &Row) -> Option<usize> {
        let statuses: Vec<Option<Status>> = row.cells.iter().map(|c| c.as_ref().map(|c| c.status)).collect();
        let failing: Vec<usize> = (0..statuses.len()).filter(|&i| statuses[i].is_some_and(failed)).collect();
        let passing = statuses.iter().any(|s| matches!(s, Some(Status::Pass)));
        (failing.len() == 1 && passing).then(|| failing[0])
    }

    /// The terminal summary: each engine's rate, then every case that fails on one engine only.
    pub fn terminal(&self) -> String {
        let all: Vec<&Row> = self.rows.iter().collect();
        let mut out = String::new();
        for (engine, rate) in self.engines.iter().zip(self.rates(&all)) {
            let _ = writeln!(out, "{engine}: {} passed", rate.show());
        }
        let lonely: Vec<(&Row, usize)> =
            self.rows.iter().filter_map(|row| self.fails_on_one_only(row).map(|e| (row, e))).collect();
        let _ = writeln!(out, "\nfailing on one engine only: {}", lonely.len());
        for (row, engine) in lonely {
            let case = row.cells[engine].as_ref();
            let _ = writeln!(
                out,
                "  {} [{}] on {}: {} {}",
                row.id,
                row.world,
                self.engines[engine],
                case.map_or("", |c| c.status.name()),
                case.and_then(|c| c.message.as_deref()).unwrap_or("")
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, status: Status) -> CaseReport {
        CaseReport {
            id: id.into(),
            clauses: vec!["TCP-OPEN".into()],
            level: "MUST".into(),
            description: String::new(),
            world: "real".into(),
            status,
            message: (status != Status::Pass).then(|| format!("{id} went wrong")),
            transcript: vec![],
            seed: None,
            replay: String::new(),
            duration_ms: 1.0,
        }
    }

    fn run(engine: &str, cases: Vec<CaseReport>) -> RunReport {
        RunReport { engine: engine.into(), cases, stale_expectations: vec![], duration_ms: 1.0 }
    }

    #[test]
    fn a_case_failing_on_one_engine_stands_out() {
        let comparison = Comparison::new(&[
            run(
                "a",
                vec![case("tcp.x", Status::Pass), case("tcp.y", Status::Fail), case("tls.z", Status::Fail)],
            ),
            run(
                "b",
                vec![case("tcp.x", Status::Pass), case("tcp.y", Status::Pass), case("tls.z", Status::Fail)],
            ),
            run("a", vec![case("tcp.x", Status::ExpectedFail), case("tcp.y", Status::Pass)]),
        ]);
        assert_eq!(comparison.engines, ["a", "b", "a #2"]);
        let lonely: Vec<(&str, usize)> = comparison
            .rows
            .iter()
            .filter_map(|row| comparison.fails_on_one_only(row).map(|e| (row.id.as_str(), e)))
            .collect();
        // tls.z fails on two engines and passes on none: not a one-engine failure.
        assert_eq!(lonely, [("tcp.x", 2), ("tcp.y", 0)]);
        let all: Vec<&Row> = comparison.rows.iter().collect();
        assert_eq!(comparison.rates(&all)[0], Rate { passed: 1, ran: 3 });
        assert_eq!(comparison.rates(&all)[2].show(), "1/2 (50%)");
        let families: Vec<String> = comparison.families().into_iter().map(|(f, _)| f).collect();
        assert_eq!(families, ["tcp", "tls"]);
        let text = comparison.terminal();
        assert!(text.contains("tcp.y [real] on a: FAIL tcp.y went wrong"), "{text}");
        assert!(text.contains("failing on one engine only: 2"), "{text}");
    }
}
