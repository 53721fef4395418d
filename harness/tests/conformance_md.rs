//! CONFORMANCE.md's generated tables (the clauses, the decisions, the clause -> cases table) are
//! the code's, and the standard names nothing outside the repository.

use std::path::Path;

use caspian_conformance::catalog::catalog;
use caspian_conformance::clauses::CLAUSES;
use caspian_harness::markdown::update_document;

fn conformance_md() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../CONFORMANCE.md");
    std::fs::read_to_string(&path).expect("read CONFORMANCE.md")
}

#[test]
fn conformance_md_matches_the_code() {
    let document = conformance_md();
    let expected = update_document(&document, &catalog()).expect("the generated blocks' markers");
    assert!(
        document == expected,
        "CONFORMANCE.md's generated tables are out of date: run \
         `cargo run -p caspian-harness --bin caspian-conform -- list --markdown --update CONFORMANCE.md`"
    );
}

/// Every clause's text stands in the standard, so that a port author reads it there.
#[test]
fn conformance_md_holds_every_clause_text() {
    let document = conformance_md();
    let missing: Vec<&str> = CLAUSES.iter().filter(|c| !document.contains(c.text)).map(|c| c.id).collect();
    assert!(missing.is_empty(), "clauses whose text CONFORMANCE.md lacks: {missing:?}");
}
