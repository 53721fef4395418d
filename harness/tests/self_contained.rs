//! The repository carries its own standard: no file of it (docs, code, tests, scripts, CI)
//! names a path outside the checkout, so a clone in a folder with no siblings has everything
//! it needs.

use std::path::{Component, Path, PathBuf};

/// Folders that are built or fetched, not written: never scanned.
const GENERATED: &[&str] = &["target", ".git", "artifacts", "coverage"];

/// The folder that stands beside a checkout where the project is written, and the spec folder
/// in it: a clone has neither.
const SIBLING: &str = "shared";

/// Names that only exist beside a checkout, or on the machine it was written on.
fn outside() -> [String; 6] {
    [
        format!("../{SIBLING}"),
        format!("{SIBLING}/spec"),
        "/work/".into(),
        "/home/".into(),
        "/root/".into(),
        "/Users/".into(),
    ]
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("the repository root")
}

/// Every text file of the tree under `dir`, generated folders left out.
fn text_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries.map(|e| e.expect("a directory entry")) {
        let path = entry.path();
        if GENERATED.iter().any(|g| entry.file_name() == *g) {
            // `.git` is a file in a worktree: it names where its repository lives.
            continue;
        }
        if path.is_dir() {
            text_files(&path, found);
        } else if std::fs::read_to_string(&path).is_ok() {
            found.push(path);
        }
    }
}

/// The relative paths written in `text` that start by climbing (`../`, `../../`…).
fn climbing_paths(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("../").filter_map(move |(at, _)| {
        let before = text[..at].chars().next_back();
        // The start of a path: not the middle of one (`a/../b`, `.../`).
        if before.is_some_and(|c| c == '.' || c == '/' || c.is_alphanumeric()) {
            return None;
        }
        let rest = &text[at..];
        let end = rest.find(|c: char| c.is_whitespace() || "\"'`)]>,;".contains(c)).unwrap_or(rest.len());
        Some(&rest[..end])
    })
}

/// True when `relative`, read from the folder `from` (inside `root`), leaves `root`.
fn escapes(root: &Path, from: &Path, relative: &str) -> bool {
    let mut depth = from.strip_prefix(root).map_or(0, |inside| inside.components().count());
    for component in Path::new(relative).components() {
        match component {
            Component::ParentDir if depth == 0 => return true,
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
    }
    false
}

/// The names and climbing paths in `text` (a file in folder `from`) that lead outside `root`.
fn outside_names(root: &Path, from: &Path, text: &str) -> Vec<String> {
    let named = outside().into_iter().filter(|name| text.contains(name.as_str()));
    let climbing = climbing_paths(text).filter(|path| escapes(root, from, path)).map(str::to_string);
    named.chain(climbing).collect()
}

#[test]
fn no_file_names_a_path_outside_the_repository() {
    let root = repository();
    let mut files = Vec::new();
    text_files(&root, &mut files);
    assert!(files.len() > 100, "the scan found only {} files under {}", files.len(), root.display());
    let this_file = Path::new(file!()).file_name();
    let offenders: Vec<String> = files
        .iter()
        .filter(|path| path.file_name() != this_file)
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).expect("a text file");
            let from = path.parent().expect("a file has a folder").to_path_buf();
            let shown = path.strip_prefix(&root).unwrap_or(path).display().to_string();
            outside_names(&root, &from, &text).into_iter().map(move |name| format!("{shown}: {name}"))
        })
        .collect();
    assert!(offenders.is_empty(), "files naming a path outside the repository:\n{}", offenders.join("\n"));
}

#[test]
fn the_check_sees_what_leaves_the_repository() {
    let root = Path::new("/repo");
    let tests = root.join("harness/tests");
    assert_eq!(outside_names(root, &tests, r#"#[path = "../../fuzz/src/a.rs"]"#), Vec::<String>::new());
    assert_eq!(outside_names(root, &tests, r#"join("../../../spec/x.md")"#), ["../../../spec/x.md"]);
    assert_eq!(
        outside_names(root, root, &format!("see ../{SIBLING}/spec/clauses.md")),
        [format!("../{SIBLING}"), format!("{SIBLING}/spec"), format!("../{SIBLING}/spec/clauses.md")]
    );
    assert_eq!(outside_names(root, root, "a/../b and .../ and x../y"), Vec::<String>::new());
    assert_eq!(outside_names(root, &tests, "cd /work/main"), ["/work/"]);
}
