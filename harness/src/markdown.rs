//! The clause -> cases table of CONFORMANCE.md, generated from the catalog.

use std::fmt::Write as _;

use caspian_conformance::catalog::Case;
use caspian_conformance::clauses::CLAUSES;

/// Marks the start and end of the generated table in CONFORMANCE.md.
pub const BEGIN: &str = "<!-- BEGIN GENERATED: caspian-conform list --markdown -->";
pub const END: &str = "<!-- END GENERATED -->";

/// The table: every clause of clauses.md, in order, with the cases that check it.
pub fn clause_table(cases: &[Case]) -> String {
    let mut out = format!("{BEGIN}\n| clause | section | cases |\n|---|---|---|\n");
    for clause in CLAUSES {
        let checks: Vec<String> = cases
            .iter()
            .filter(|case| case.clauses.contains(&clause.id))
            .map(|case| format!("`{}`", case.id))
            .collect();
        let checks = if checks.is_empty() { "**none**".to_string() } else { checks.join(", ") };
        let _ = writeln!(out, "| {} | {} | {} |", clause.id, clause.section, checks);
    }
    let _ = writeln!(out, "{END}");
    out
}

/// `document` with the text between [`BEGIN`] and [`END`] replaced by `table` (which carries
/// the markers itself), or an error naming what is missing.
pub fn replace_table(document: &str, table: &str) -> Result<String, String> {
    let start = document.find(BEGIN).ok_or_else(|| format!("no {BEGIN} marker"))?;
    let end = document[start..]
        .find(END)
        .map(|i| start + i + END.len())
        .ok_or_else(|| format!("no {END} marker"))?;
    let rest = document[end..].strip_prefix('\n').unwrap_or(&document[end..]);
    Ok(format!("{}{table}{rest}", &document[..start]))
}
