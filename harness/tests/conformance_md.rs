//! CONFORMANCE.md's clause table is the catalog's.

use std::path::Path;

use caspian_conformance::catalog::catalog;
use caspian_harness::markdown::{clause_table, replace_table};

#[test]
fn conformance_md_matches_the_catalog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../CONFORMANCE.md");
    let document = std::fs::read_to_string(&path).expect("read CONFORMANCE.md");
    let expected = replace_table(&document, &clause_table(&catalog())).expect("the table markers");
    assert!(
        document == expected,
        "CONFORMANCE.md's clause table is out of date: run \
         `cargo run -p caspian-harness --bin caspian-conform -- list --markdown --update CONFORMANCE.md`"
    );
}

#[test]
fn replacing_the_table_keeps_the_rest_of_the_document() {
    let document = "intro\n<!-- BEGIN GENERATED: caspian-conform list --markdown -->\nold\n<!-- END GENERATED -->\noutro\n";
    let table = "<!-- BEGIN GENERATED: caspian-conform list --markdown -->\nnew\n<!-- END GENERATED -->\n";
    assert_eq!(replace_table(document, table).unwrap(), format!("intro\n{table}outro\n"));
    assert!(replace_table("no markers", table).is_err());
}
