//! The catalog is complete and well formed.

use std::collections::BTreeSet;
use std::path::Path;

use caspian_conformance::catalog::catalog;
use caspian_conformance::clauses::{CLAUSES, clause};

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
    let embedded: Vec<&str> = CLAUSES.iter().map(|c| c.id).collect();
    assert_eq!(embedded, in_spec, "conformance/src/clauses.rs is out of date with clauses.md");
}
