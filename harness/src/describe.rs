//! What `caspian-conform explain` and `list --json` tell a reader about a case: its ID, level,
//! description, where its checks are written, what it needs, where it runs, and the full text of
//! each clause it cites; with `--reference`, where the reference implementation keeps each clause.

use std::fmt::Write as _;

use caspian_conformance::catalog::{Case, Worlds};
use caspian_conformance::clauses::clause;
use serde_json::{Value, json};

use crate::traceability::implementations;

/// The heading of the reference's lines: a port author need not read them.
pub const REFERENCE_HEADING: &str = "In the reference implementation (Rust):";

/// `case` in words, one fact a line; with `reference`, then where the reference keeps each of
/// its clauses.
pub fn explain(case: &Case, reference: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  [{}]", case.id, case.level.name());
    let _ = writeln!(out, "  {}", case.description);
    let _ = writeln!(out, "  checked at {}:{}", case.run.file, case.run.line);
    let _ = writeln!(out, "  needs: {}", needs(case).join(", "));
    let _ = writeln!(out, "  worlds: {}", worlds_text(case.worlds));
    let _ = writeln!(out, "  clauses:");
    for id in case.clauses {
        let _ = writeln!(out, "    {id}: {}", clause_text(id));
    }
    if reference {
        let _ = writeln!(out, "  {REFERENCE_HEADING}");
        for id in case.clauses {
            out.push_str(&reference_lines(id, "    "));
        }
    }
    out
}

/// The cases as a JSON array, one object per case with the facts [`explain`] gives.
pub fn json(cases: &[Case]) -> String {
    let cases: Vec<Value> = cases.iter().map(case_json).collect();
    serde_json::to_string_pretty(&cases).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn case_json(case: &Case) -> Value {
    let clauses: Vec<Value> = case
        .clauses
        .iter()
        .map(|id| {
            let known = clause(id);
            json!({"id": id, "section": known.map(|c| c.section), "text": known.map(|c| c.text)})
        })
        .collect();
    let (worlds, skip) = match case.worlds {
        Worlds::Both | Worlds::LongWait => (vec!["sim", "real"], Value::Null),
        Worlds::SimOnly(reason) => (vec!["sim"], json!({"world": "real", "reason": reason})),
        Worlds::RealOnly(reason) => (vec!["real"], json!({"world": "sim", "reason": reason})),
    };
    json!({
        "id": case.id,
        "level": case.level.name(),
        "description": case.description,
        "clauses": clauses,
        "needs": case.needs.iter().map(|need| need.name()).collect::<Vec<_>>(),
        "worlds": worlds,
        "skip": skip,
        "long_wait": case.worlds == Worlds::LongWait,
        "checked_at": format!("{}:{}", case.run.file, case.run.line),
    })
}

/// The features the case needs, by their protocol names; `nothing` for none.
fn needs(case: &Case) -> Vec<&'static str> {
    if case.needs.is_empty() { vec!["nothing"] } else { case.needs.iter().map(|need| need.name()).collect() }
}

/// Where a case runs, and why not in the other world.
fn worlds_text(worlds: Worlds) -> String {
    match worlds {
        Worlds::Both => "sim and real".into(),
        Worlds::LongWait => "sim and real (real: the long lane, left out by --quick)".into(),
        Worlds::SimOnly(reason) => format!("sim only ({reason})"),
        Worlds::RealOnly(reason) => format!("real only ({reason})"),
    }
}

/// The text of clause `id` in the standard.
pub fn clause_text(id: &str) -> &'static str {
    clause(id).map_or("(not a clause of the standard)", |c| c.text)
}

/// One `ID: FILE:LINE ITEM` line per item of the reference that keeps clause `id`, each after
/// `indent`.
pub fn reference_lines(id: &str, indent: &str) -> String {
    let found = implementations(id);
    if found.is_empty() {
        return format!("{indent}{id}: no doc comment of the reference names it\n");
    }
    found.iter().map(|implementation| format!("{indent}{id}: {implementation}\n")).collect()
}
