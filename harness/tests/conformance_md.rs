//! CONFORMANCE.md's clause table is the catalog's, and its TLS-REJECT-ZOO tables are the zoo's
//! and the stack map's.

use std::path::Path;

use caspian_conformance::catalog::catalog;
use caspian_harness::markdown::{replace_table, update_document};

#[test]
fn conformance_md_matches_the_catalog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../CONFORMANCE.md");
    let document = std::fs::read_to_string(&path).expect("read CONFORMANCE.md");
    let expected = update_document(&document, &catalog()).expect("the table markers");
    assert!(
        document == expected,
        "CONFORMANCE.md's clause table or TLS-REJECT-ZOO tables are out of date: run \
         `cargo run -p caspian-harness --bin caspian-conform -- list --markdown --update CONFORMANCE.md`"
    );
}

#[test]
fn replacing_the_table_keeps_the_rest_of_the_document() {
    let document = "intro\n<!-- BEGIN GENERATED: caspian-conform list --markdown -->\nSTALE\n<!-- END GENERATED -->\noutro\n";
    let table = "<!-- BEGIN GENERATED: caspian-conform list --markdown -->\nnew\n<!-- END GENERATED -->\n";
    assert_eq!(replace_table(document, table).unwrap(), format!("intro\n{table}outro\n"));
    assert!(replace_table("no markers", table).is_err());
}

#[test]
fn both_generated_blocks_are_rewritten_and_nothing_else() {
    use caspian_harness::markdown::{BEGIN, END, ZOO_BEGIN};
    let document = format!("a\n{BEGIN}\nSTALE\n{END}\nb\n{ZOO_BEGIN}\nSTALE\n{END}\nc\n");
    let updated = update_document(&document, &catalog()).expect("both markers");
    assert!(!updated.contains("STALE"), "{updated}");
    assert!(
        updated.starts_with("a\n") && updated.ends_with("\nc\n") && updated.contains(&format!("{END}\nb\n"))
    );
    assert!(updated.contains("| `end_entity_as_ca` | `localhost` |"), "{updated}");
    assert!(
        update_document(&format!("a\n{BEGIN}\nSTALE\n{END}\n"), &catalog()).is_err(),
        "the zoo marker is required"
    );
}
