//! The catalog is complete and well formed.

use std::collections::BTreeSet;
use std::path::Path;

use caspian_conformance::catalog::{Level, catalog, listing};
use caspian_conformance::clauses::{CLAUSES, DECISIONS, clause};

#[test]
fn every_clause_has_a_case() {
    let cases = catalog();
    let missing: Vec<&str> = CLAUSES
        .iter()
        .map(|c| c.id)
        .filter(|id| !cases.iter().any(|case| case.clauses.contains(id)))
        .collect();
    assert!(missing.is_empty(), "clauses without a case: {missing:?}");
}

#[test]
fn cases_are_named_once_and_cite_real_clauses() {
    let mut seen = BTreeSet::new();
    for case in catalog() {
        assert!(seen.insert(case.id), "case ID {} is used twice", case.id);
        assert!(!case.clauses.is_empty(), "{} cites no clause", case.id);
        for id in case.clauses {
            assert!(clause(id).is_some(), "{} cites {id}, which the standard does not number", case.id);
        }
        assert!(
            case.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'),
            "{}: case IDs are lower-case words joined by dots",
            case.id
        );
        assert!(!case.description.is_empty(), "{} has no description", case.id);
    }
}

/// A case is no more binding than what it rests on: a MUST case cites only MUST clauses (a
/// case resting on a SHOULD decision is a SHOULD case).
#[test]
fn a_case_is_no_more_binding_than_its_clauses() {
    let overreaching: Vec<String> = catalog()
        .iter()
        .filter(|case| case.level == Level::Must)
        .flat_map(|case| {
            case.clauses
                .iter()
                .filter_map(|id| clause(id))
                .filter(|c| c.level != Level::Must)
                .map(move |c| format!("{} (MUST) cites {} ({})", case.id, c.id, c.level.name()))
        })
        .collect();
    assert!(overreaching.is_empty(), "MUST cases resting on a SHOULD clause:\n{}", overreaching.join("\n"));
}

/// Every clause and decision is numbered once, and every decision says why.
#[test]
fn clauses_are_named_once_and_decisions_give_their_reason() {
    let mut seen = BTreeSet::new();
    for c in CLAUSES.iter() {
        assert!(seen.insert(c.id), "clause ID {} is used twice", c.id);
        assert!(!c.text.is_empty(), "{} has no text", c.id);
        assert_eq!(
            c.section == DECISIONS,
            !c.reason.is_empty(),
            "{}: a decision, and only a decision, gives its reason",
            c.id
        );
        assert_eq!(c.section == DECISIONS, c.id.starts_with("DEC-"), "{}: decisions are named DEC-…", c.id);
    }
}

/// The catalog's IDs, levels, clauses and order are those recorded in `catalog_list.txt`: a
/// change to the catalog shows up as a reviewed change of that file. With
/// `UPDATE_CATALOG_LIST=1` the test rewrites the file instead.
#[test]
fn catalog_matches_the_recorded_list() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/catalog_list.txt");
    let rendered = listing(&catalog());
    if std::env::var_os("UPDATE_CATALOG_LIST").is_some_and(|v| v == "1") {
        std::fs::write(&path, &rendered).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        return;
    }
    let recorded = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    if let Some((n, (now, then))) =
        rendered.lines().zip(recorded.lines()).enumerate().find(|(_, (now, then))| now != then)
    {
        panic!(
            "the catalog differs from {} at line {}:\n  now:      {now}\n  recorded: {then}\n\
             (run with UPDATE_CATALOG_LIST=1 to record a deliberate change)",
            path.display(),
            n + 1
        );
    }
    assert_eq!(
        rendered.lines().count(),
        recorded.lines().count(),
        "the catalog and {} differ in length (UPDATE_CATALOG_LIST=1 records a deliberate change)",
        path.display()
    );
}

/// Every decision of CONFORMANCE.md (D1, D2, …) is traced like a clause, and at least one of its
/// cases runs in the real world, so that a port checked out of process meets it.
#[test]
fn every_decision_has_a_case_a_port_meets() {
    let cases = catalog();
    let unmet: Vec<&str> = CLAUSES
        .iter()
        .filter(|c| c.section == DECISIONS)
        .map(|c| c.id)
        .filter(|id| {
            !cases.iter().any(|case| {
                case.clauses.contains(id)
                    && !matches!(case.worlds, caspian_conformance::catalog::Worlds::SimOnly(_))
            })
        })
        .collect();
    assert!(unmet.is_empty(), "decisions without a case that runs out of process: {unmet:?}");
}
