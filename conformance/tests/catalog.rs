//! The catalog is complete and well formed.

use std::collections::BTreeSet;
use std::path::Path;

use caspian_conformance::catalog::{catalog, listing};
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
            assert!(clause(id).is_some(), "{} cites {id}, which clauses.md does not have", case.id);
        }
        assert!(
            case.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'),
            "{}: case IDs are lower-case words joined by dots",
            case.id
        );
        assert!(!case.description.is_empty(), "{} has no description", case.id);
    }
}

/// The embedded clause table matches `spec/clauses.md` when the spec is beside the workspace.
#[test]
fn clause_table_matches_the_spec() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/clauses.md");
    let Ok(text) = std::fs::read_to_string(&spec) else {
        eprintln!("{} is absent: nothing to compare", spec.display());
        return;
    };
    let in_spec: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("| "))
        .filter_map(|rest| rest.split_once(" |").map(|(id, _)| id))
        .filter(|id| {
            id.contains('-') && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        })
        .collect();
    let embedded: Vec<&str> = CLAUSES.iter().filter(|c| c.section != DECISIONS).map(|c| c.id).collect();
    assert_eq!(embedded, in_spec, "conformance/src/clauses.rs is out of date with clauses.md");
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

/// Every decision of CONFORMANCE.md (D1–D19) is traced like a clause, and at least one of its
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
    assert_eq!(CLAUSES.iter().filter(|c| c.section == DECISIONS).count(), 19);
}
