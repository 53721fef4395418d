//! The traceability index: every clause is implemented somewhere in the reference, and every
//! entry points at the doc comment naming it, on the item it names, outside test code.

use std::collections::BTreeMap;
use std::path::Path;

use caspian_conformance::clauses::{CLAUSES, clause};
use caspian_harness::traceability::{IMPLEMENTATIONS, Implementation, implementations};

fn workspace_file(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn every_clause_is_implemented_somewhere_in_the_reference() {
    let missing: Vec<&str> =
        CLAUSES.iter().map(|c| c.id).filter(|id| implementations(id).is_empty()).collect();
    assert!(
        missing.is_empty(),
        "clauses no doc comment of reference/src or reference/examples names: {missing:?}"
    );
}

#[test]
fn the_index_holds_known_clauses_sorted_and_looks_them_up() {
    for pair in IMPLEMENTATIONS.windows(2) {
        let key = |i: &Implementation| (i.clause, i.file, i.line);
        assert!(key(&pair[0]) < key(&pair[1]), "out of order or duplicated: {} / {}", pair[0], pair[1]);
    }
    for implementation in IMPLEMENTATIONS {
        assert!(clause(implementation.clause).is_some(), "unknown clause {}", implementation.clause);
        assert!(implementations(implementation.clause).contains(implementation));
    }
    assert!(implementations("NO-SUCH-CLAUSE").is_empty());
    assert!(implementations("").is_empty());
}

#[test]
fn entries_name_the_documented_item() {
    let items = |id: &str| implementations(id).iter().map(|i| (i.file, i.item)).collect::<Vec<_>>();
    assert!(items("PERM-WILDCARD").contains(&("reference/src/permissions.rs", "HostPattern::Wildcard")));
    assert!(items("PERM-WILDCARD").contains(&("reference/src/permissions.rs", "HostPattern::matches")));
    assert!(items("IO-NOTHING-LOST").contains(&("reference/src/framing.rs", "module framing")));
    assert!(items("TCP-RECV-LINE").contains(&("reference/src/stream.rs", "StreamSocket::recv_line")));
    assert!(items("TLS-REJECT-ZOO").contains(&("reference/src/error/certificate.rs", "Rejection::of")));
    assert!(items("SSL-OPT-VERIFY").contains(&("reference/src/tls.rs", "TlsOptions::verify")));
    assert!(items("SSL-SURFACE").contains(&("reference/src/blocking/stream.rs", "module blocking::stream")));
    assert!(items("TCP-EXAMPLE-ECHO").contains(&("reference/examples/echo_client.rs", "echo_hello")));
}

/// Each entry's line is a doc comment naming its clause, before any test module of its file, and
/// the item it names is the one the comment documents.
#[test]
fn entries_point_at_doc_comments_outside_tests() {
    let mut files = BTreeMap::new();
    for entry in IMPLEMENTATIONS {
        assert!(!entry.file.ends_with("/tests.rs"), "{entry}: a test-only file");
        let text = files.entry(entry.file).or_insert_with(|| workspace_file(entry.file));
        let lines: Vec<&str> = text.lines().collect();
        let index = usize::try_from(entry.line).expect("a line number") - 1;
        let line = lines.get(index).map_or("", |l| l.trim());
        assert!(line.starts_with("///") || line.starts_with("//!"), "{entry}: not a doc comment: {line:?}");
        assert!(line.contains(entry.clause), "{entry}: {line:?} does not name {}", entry.clause);
        // A test module written in the file (not a `mod tests;` declaration) starts at its
        // `#[cfg(test)]`; nothing after it is indexed.
        let tests_start = lines
            .windows(2)
            .position(|pair| pair[0].trim() == "#[cfg(test)]" && !pair[1].trim().ends_with(';'))
            .unwrap_or(lines.len());
        assert!(index < tests_start, "{entry}: inside the test module");
        if line.starts_with("//!") {
            continue;
        }
        let item_line = lines[index..]
            .iter()
            .map(|l| l.trim())
            .find(|l| !(l.is_empty() || l.starts_with("//") || l.starts_with('#') || l.starts_with(')')))
            .unwrap_or_default();
        let name = entry.item.rsplit([':', ' ']).next().unwrap_or_default();
        let words: Vec<&str> = item_line.split(|c: char| !(c.is_alphanumeric() || c == '_')).collect();
        assert!(words.contains(&name), "{entry}: the comment documents {item_line:?}");
    }
}
