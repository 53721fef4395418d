//! One self-contained HTML page: inline CSS, no script, no external resource, no wall clock.

use std::fmt::Write as _;

use caspian_conformance::clauses::CLAUSES;

use crate::report::{CaseReport, RunReport, Status};

pub(crate) const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;margin:1em 0}\
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#f2f2f2}\
.s{display:inline-block;margin:1px;padding:0 .35em;border-radius:3px;color:#fff;font-size:.9em}\
.pass{background:#2e7d32}.fail{background:#c62828}.skip{background:#757575}\
.pending{background:#ef8f00}.unexpected-pass{background:#6a1b9a}\
pre{background:#f7f7f7;padding:.5em;white-space:pre-wrap;margin:.25em 0}\
code{font-size:.9em}";

/// The report as one HTML page: a header (engine, total time, counts per status), the clause ×
/// case matrix (one row per clause cited, one column per world), then every case, with the
/// message, transcript and replay command of each case that did not pass.
pub fn html(report: &RunReport) -> String {
    let mut worlds: Vec<&str> = Vec::new();
    for case in &report.cases {
        if !worlds.contains(&case.world.as_str()) {
            worlds.push(&case.world);
        }
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Caspian conformance: {engine}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Caspian conformance</h1>\n<p>Engine: <b>{engine}</b>. Total time: {time:.2}&nbsp;s. \
         {cases} case runs.</p>\n<p>",
        engine = escape(&report.engine),
        time = report.duration_ms / 1000.0,
        cases = report.cases.len(),
    );
    for status in Status::ALL {
        let _ = write!(
            out,
            "<span class=\"s {}\">{} {}</span> ",
            class(status),
            status.name(),
            report.count(status)
        );
    }
    out.push_str("</p>\n");
    for entry in &report.stale_expectations {
        let _ = writeln!(out, "<p>Stale expectation (matches no case): <code>{}</code></p>", escape(entry));
    }

    out.push_str("<h2>Clauses</h2>\n<table>\n<tr><th>Clause</th><th>Text</th>");
    for world in &worlds {
        let _ = write!(out, "<th>{}</th>", escape(world));
    }
    out.push_str("</tr>\n");
    for (id, text) in cited_clauses(report) {
        let _ = write!(out, "<tr><td><code>{}</code></td><td>{}</td>", escape(&id), escape(text));
        for world in &worlds {
            out.push_str("<td>");
            for case in report.cases.iter().filter(|c| c.world == *world && c.clauses.contains(&id)) {
                let _ = write!(
                    out,
                    "<span class=\"s {}\" title=\"{}\">{}</span> ",
                    class(case.status),
                    case.status.name(),
                    escape(&case.id)
                );
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");

    out.push_str(
        "<h2>Cases</h2>\n<table>\n<tr><th>Case</th><th>World</th><th>Level</th><th>Status</th>\
         <th>Duration</th><th>Description</th></tr>\n",
    );
    for case in &report.cases {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td><span class=\"s {}\">{}</span></td>\
             <td>{:.1}&nbsp;ms</td><td>{}",
            escape(&case.id),
            escape(&case.world),
            escape(&case.level),
            class(case.status),
            case.status.name(),
            case.duration_ms,
            escape(&case.description),
        );
        if case.status != Status::Pass {
            details(&mut out, case);
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}

/// The `<details>` of a case that did not pass: message, transcript, replay command.
fn details(out: &mut String, case: &CaseReport) {
    let _ = write!(
        out,
        "<details><summary>{}</summary>",
        escape(case.message.as_deref().unwrap_or("(no message)"))
    );
    if !case.transcript.is_empty() {
        let lines: Vec<String> = case.transcript.iter().map(|line| escape(line)).collect();
        let _ = write!(out, "<pre>{}</pre>", lines.join("\n"));
    }
    let _ = write!(out, "<p>Replay: <code>{}</code></p></details>", escape(&case.replay));
}

/// Every clause ID cited by a case with its text: in the order of `CLAUSES`, then the IDs
/// missing from it, sorted.
fn cited_clauses(report: &RunReport) -> Vec<(String, &'static str)> {
    let cited = |id: &str| report.cases.iter().any(|c| c.clauses.iter().any(|x| x == id));
    let mut rows: Vec<(String, &'static str)> =
        CLAUSES.iter().filter(|c| cited(c.id)).map(|c| (c.id.to_string(), c.text)).collect();
    let mut unknown: Vec<&String> = report
        .cases
        .iter()
        .flat_map(|c| &c.clauses)
        .filter(|id| !CLAUSES.iter().any(|c| c.id == id.as_str()))
        .collect();
    unknown.sort();
    unknown.dedup();
    rows.extend(unknown.into_iter().map(|id| (id.clone(), "(not a clause of the standard)")));
    rows
}

/// The CSS class of a status's colour.
pub(crate) fn class(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Skip => "skip",
        Status::Unimplemented | Status::ExpectedFail => "pending",
        Status::UnexpectedPass => "unexpected-pass",
        Status::Fail | Status::Crash | Status::Timeout | Status::ProtocolError => "fail",
    }
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for HTML and XML text and attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
