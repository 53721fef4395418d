//! Renderings of a [`RunReport`]: the terminal summary, JSON, JUnit XML and one self-contained
//! HTML matrix.

use std::fmt::Write as _;

use crate::report::{RunReport, Status};

pub mod compare;
pub mod html;
pub mod junit;

/// The terminal summary: each case that did not pass with its message, transcript and replay
/// command, then the counts, ending with the closing line `N passed, N failed, N skipped`.
pub fn terminal(report: &RunReport) -> String {
    let mut out = String::new();
    for case in report.cases.iter().filter(|c| c.status.is_unexpected()) {
        let _ = writeln!(
            out,
            "\n{} {} [{}] ({})",
            case.status.name(),
            case.id,
            case.world,
            case.clauses.join(", ")
        );
        if let Some(message) = &case.message {
            let _ = writeln!(out, "  {message}");
        }
        for line in case.transcript.iter().rev().take(12).rev() {
            let _ = writeln!(out, "    {line}");
        }
        let _ = writeln!(out, "  replay: {}", case.replay);
    }
    for entry in &report.stale_expectations {
        let _ = writeln!(out, "\nstale expectation (matches no case): {entry}");
    }
    let _ = writeln!(out, "\nengine: {}", report.engine);
    let counts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|&status| {
            let n = report.count(status);
            (n > 0).then(|| format!("{} {}", n, status.name()))
        })
        .collect();
    let _ = writeln!(out, "statuses: {}", counts.join(", "));
    let _ = writeln!(out, "time: {:.2}s", report.duration_ms / 1000.0);
    let _ = writeln!(out, "conformance: {}", closing_line(report));
    out
}

/// `N passed, N failed, N skipped`: failed counts every unexpected outcome; skipped counts
/// skips, unimplemented cases and expected failures.
pub fn closing_line(report: &RunReport) -> String {
    let failed = report.cases.iter().filter(|c| c.status.is_unexpected()).count();
    let skipped =
        report.count(Status::Skip) + report.count(Status::Unimplemented) + report.count(Status::ExpectedFail);
    format!("{} passed, {failed} failed, {skipped} skipped", report.count(Status::Pass))
}

/// The report as pretty JSON.
pub fn json(report: &RunReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
