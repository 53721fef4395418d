//! The engines side by side as one self-contained HTML page (inline CSS, no script): one column
//! per engine, cases grouped by family with pass rates per family and per clause, each cell
//! linking to that engine's failure detail, and a switch that shows only the cases failing on
//! one engine only.

use std::fmt::Write as _;

use caspian_conformance::clauses::clause;

use super::html::{STYLE, class, escape};
use crate::compare::{Comparison, Rate, Row};
use crate::report::{CaseReport, Status};

/// Hides every case row but those failing on one engine only while the switch is on.
const FILTER_STYLE: &str = "#lonely:checked~table.cases tr.case:not(.lonely),\
#lonely:checked~table.cases tr.family{display:none}\
tr.lonely td.id{border-left:4px solid #c62828}td.rate,td code{white-space:nowrap}";

/// The page.
pub fn html(comparison: &Comparison) -> String {
    let mut out = String::new();
    let engines = &comparison.engines;
    let all: Vec<&Row> = comparison.rows.iter().collect();
    let lonely = comparison.rows.iter().filter(|row| comparison.fails_on_one_only(row).is_some()).count();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Caspian conformance: engines side by side</title>\n<style>{STYLE}{FILTER_STYLE}</style>\n\
         </head>\n<body>\n<h1>Caspian conformance: engines side by side</h1>\n<table>\n"
    );
    header_row(&mut out, "", engines.iter().map(|e| escape(e)));
    rate_row(&mut out, "all cases", &comparison.rates(&all));
    out.push_str("</table>\n<h2>Families</h2>\n<table>\n");
    header_row(&mut out, "Family", engines.iter().map(|e| escape(e)));
    for (family, rows) in comparison.families() {
        rate_row(
            &mut out,
            &format!("<a href=\"#family-{0}\">{0}</a>", escape(&family)),
            &comparison.rates(&rows),
        );
    }
    out.push_str("</table>\n<h2>Clauses</h2>\n<table>\n");
    header_row(
        &mut out,
        "Clause",
        std::iter::once("Text".to_string()).chain(engines.iter().map(|e| escape(e))),
    );
    for (id, rows) in comparison.clauses() {
        let text = clause(&id).map_or("(not a clause of the standard)", |c| c.text);
        let _ = write!(out, "<tr><td><code>{}</code></td><td>{}</td>", escape(&id), escape(text));
        rates(&mut out, &comparison.rates(&rows));
        out.push_str("</tr>\n");
    }
    let _ = write!(
        out,
        "</table>\n<h2>Cases</h2>\n<input type=\"checkbox\" id=\"lonely\"> <label for=\"lonely\">Only the \
         cases that fail on one engine only ({lonely})</label>\n<table class=\"cases\">\n"
    );
    header_row(
        &mut out,
        "Case",
        std::iter::once("World".to_string()).chain(engines.iter().map(|e| escape(e))),
    );
    for (family, rows) in comparison.families() {
        let _ =
            write!(out, "<tr class=\"family\" id=\"family-{0}\"><th colspan=\"2\">{0}</th>", escape(&family));
        rates(&mut out, &comparison.rates(&rows));
        out.push_str("</tr>\n");
        for row in rows {
            case_row(&mut out, comparison, row);
        }
    }
    out.push_str("</table>\n<h2>Failure details</h2>\n");
    for (column, engine) in engines.iter().enumerate() {
        let _ = writeln!(out, "<h3>{}</h3>", escape(engine));
        for case in comparison.rows.iter().filter_map(|row| row.cells[column].as_ref()) {
            if case.status != Status::Pass {
                detail(&mut out, column, case);
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The anchor of `case`'s detail for the engine in `column`.
fn anchor(column: usize, case: &CaseReport) -> String {
    format!("e{column}-{}-{}", case.id, case.world)
}

fn header_row(out: &mut String, first: &str, rest: impl Iterator<Item = String>) {
    let _ = write!(out, "<tr><th>{first}</th>");
    for cell in rest {
        let _ = write!(out, "<th>{cell}</th>");
    }
    out.push_str("</tr>\n");
}

fn rate_row(out: &mut String, label: &str, each: &[Rate]) {
    let _ = write!(out, "<tr><td>{label}</td>");
    rates(out, each);
    out.push_str("</tr>\n");
}

fn rates(out: &mut String, each: &[Rate]) {
    for rate in each {
        let _ = write!(out, "<td class=\"rate\">{}</td>", rate.show());
    }
}

/// One case's row: its ID (and description as a tooltip), world, and a cell per engine.
fn case_row(out: &mut String, comparison: &Comparison, row: &Row) {
    let lonely = comparison.fails_on_one_only(row).is_some();
    let _ = write!(
        out,
        "<tr class=\"case{}\"><td class=\"id\" title=\"{}\"><code>{}</code></td><td>{}</td>",
        if lonely { " lonely" } else { "" },
        escape(&row.description),
        escape(&row.id),
        escape(&row.world)
    );
    for (column, cell) in row.cells.iter().enumerate() {
        match cell {
            None => out.push_str("<td>-</td>"),
            Some(case) if case.status == Status::Pass => {
                let _ = write!(out, "<td><span class=\"s pass\">PASS</span></td>");
            }
            Some(case) => {
                let _ = write!(
                    out,
                    "<td><a class=\"s {}\" href=\"#{}\" title=\"{}\">{}</a></td>",
                    class(case.status),
                    escape(&anchor(column, case)),
                    escape(case.message.as_deref().unwrap_or("")),
                    case.status.name()
                );
            }
        }
    }
    out.push_str("</tr>\n");
}

/// An engine's detail of a case it did not pass: why (expected against actual), the transcript
/// and the command that replays it.
fn detail(out: &mut String, column: usize, case: &CaseReport) {
    let _ = write!(
        out,
        "<div id=\"{}\"><h4><code>{}</code> [{}] <span class=\"s {}\">{}</span></h4><pre>{}</pre>",
        escape(&anchor(column, case)),
        escape(&case.id),
        escape(&case.world),
        class(case.status),
        case.status.name(),
        escape(case.message.as_deref().unwrap_or("(no message)"))
    );
    if !case.transcript.is_empty() {
        let lines: Vec<String> = case.transcript.iter().map(|line| escape(line)).collect();
        let _ =
            write!(out, "<details><summary>transcript</summary><pre>{}</pre></details>", lines.join("\n"));
    }
    let _ = writeln!(out, "<p>Replay: <code>{}</code></p></div>", escape(&case.replay));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::RunReport;

    fn run(engine: &str, statuses: &[(&str, Status)]) -> RunReport {
        let cases = statuses
            .iter()
            .map(|&(id, status)| CaseReport {
                id: id.into(),
                clauses: vec!["TCP-SEND".into(), "TCP-OPEN".into()],
                level: "MUST".into(),
                description: format!("what {id} checks"),
                world: "real".into(),
                status,
                message: (status != Status::Pass).then(|| format!("expected <a>, got {id}")),
                transcript: vec!["-> {\"op\":\"tcp\"}".into()],
                seed: None,
                replay: format!("caspian-conform run {id}"),
                duration_ms: 1.0,
            })
            .collect();
        RunReport { engine: engine.into(), cases, stale_expectations: vec![], duration_ms: 1.0 }
    }

    #[test]
    fn the_page_has_a_column_per_engine_and_links_every_failure_to_its_detail() {
        let page = html(&Comparison::new(&[
            run("rust", &[("tcp.a", Status::Pass), ("tcp.b", Status::Pass), ("tls.c", Status::Fail)]),
            run("lua", &[("tcp.a", Status::Pass), ("tcp.b", Status::ExpectedFail), ("tls.c", Status::Fail)]),
            run("go", &[("tcp.a", Status::Skip), ("tcp.b", Status::Pass)]),
        ]));
        for engine in ["rust", "lua", "go"] {
            assert_eq!(
                page.matches(&format!("<th>{engine}</th>")).count(),
                4,
                "{engine}: a column in each table"
            );
            assert!(page.contains(&format!("<h3>{engine}</h3>")), "{engine}: its failure details");
        }
        // tcp.b fails on lua alone: marked for the filter; tls.c fails on two: not.
        assert_eq!(page.matches("<tr class=\"case lonely\">").count(), 1);
        assert!(page.contains(
            "<tr class=\"case lonely\"><td class=\"id\" title=\"what tcp.b checks\"><code>tcp.b</code>"
        ));
        assert!(page.contains("(1)</label>") && page.contains("<input type=\"checkbox\" id=\"lonely\">"));
        // Every link to a failure lands on its detail, escaped.
        for link in page.split("href=\"#").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]) {
            if !link.starts_with("family-") {
                assert!(page.contains(&format!("<div id=\"{link}\">")), "no detail for {link}");
            }
        }
        // Every cell that did not pass links to its detail (the skip too: its reason).
        assert_eq!(page.matches("href=\"#e").count(), 4);
        assert!(page.contains("expected &lt;a&gt;, got tls.c") && !page.contains("<a>,"));
        // Families and clauses, in the standard's order, with rates; absent cells shown as such.
        assert!(page.find("<code>TCP-OPEN</code>").unwrap() < page.find("<code>TCP-SEND</code>").unwrap());
        assert!(page.contains("<td class=\"rate\">1/2 (50%)</td>") && page.contains("<td>-</td>"));
        assert_eq!(page.matches("<table").count(), page.matches("</table>").count());
    }
}
