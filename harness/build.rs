//! Builds the traceability index: every clause ID of `conformance/src/clauses/` named in a doc
//! comment (`///`, `//!`) of the reference (`reference/src/**`, `reference/examples/*`), with the
//! file, the line of the comment and the item it documents (`StreamSocket::recv_line`,
//! `HostPattern::Wildcard`, `module framing`, …). `#[cfg(test)]` items and the files of
//! `#[cfg(test)] mod x;` declarations are left out. The table is written to
//! `$OUT_DIR/implementations.rs` for `src/traceability.rs`, sorted by clause, file and line.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// One clause named by one doc comment.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    clause: String,
    file: String,
    line: usize,
    item: String,
}

fn main() -> Result<(), String> {
    let manifest = env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?;
    let root = Path::new(&manifest).join("..");
    let clauses_dir = root.join("conformance/src/clauses");
    let (src, examples) = (root.join("reference/src"), root.join("reference/examples"));
    for watched in [&clauses_dir, &src, &examples] {
        println!("cargo:rerun-if-changed={}", watched.display());
    }
    let mut clause_files = Vec::new();
    rust_files(&clauses_dir, &mut clause_files)?;
    let clause_text = clause_files.iter().map(|path| read(path)).collect::<Result<Vec<_>, _>>()?.concat();
    let clauses = clause_ids(&clause_text);
    let mut files = Vec::new();
    rust_files(&src, &mut files)?;
    rust_files(&examples, &mut files)?;
    files.sort();
    let (mut entries, mut test_only) = (BTreeSet::new(), BTreeSet::new());
    for path in &files {
        let relative = path.strip_prefix(&root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        let index = index_file(&read(path)?, &module_label(&relative), &clauses);
        test_only.extend(index.test_modules.iter().flat_map(|name| test_module_files(path, name)));
        entries.extend(index.entries.into_iter().map(|(clause, line, item)| Entry {
            clause,
            file: relative.clone(),
            line,
            item,
        }));
    }
    let mut table = String::from("&[\n");
    for entry in entries.iter().filter(|e| !test_only.contains(&root.join(&e.file))) {
        let Entry { clause, file, line, item } = entry;
        let _ = writeln!(
            table,
            "    Implementation {{ clause: {clause:?}, file: {file:?}, line: {line}, item: {item:?} }},"
        );
    }
    table.push_str("]\n");
    let out = env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?;
    fs::write(Path::new(&out).join("implementations.rs"), table).map_err(|e| format!("write the index: {e}"))
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| format!("read {}: {e}", dir.display()))?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The `id: "…"` strings of the clause table.
fn clause_ids(source: &str) -> BTreeSet<String> {
    source.split("id: \"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

/// How `//!` comments of a file are labelled: `module framing`, `module transport::os`,
/// `crate caspian_reference`, `example echo_client`.
fn module_label(relative: &str) -> String {
    let path = relative.trim_end_matches(".rs");
    if let Some(example) = path.strip_prefix("reference/examples/") {
        return format!("example {example}");
    }
    let module = path.trim_start_matches("reference/src/").trim_end_matches("/mod");
    if module == "lib" {
        "crate caspian_reference".to_string()
    } else {
        format!("module {}", module.replace('/', "::"))
    }
}

/// The files `mod name;` declared in `file` would load.
fn test_module_files(file: &Path, name: &str) -> [PathBuf; 2] {
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let parent = file.parent().unwrap_or(Path::new(""));
    let dir = if matches!(stem, "mod" | "lib" | "main") { parent.to_path_buf() } else { parent.join(stem) };
    [dir.join(format!("{name}.rs")), dir.join(name).join("mod.rs")]
}

/// One source line: its code with literals emptied and comments removed, and its doc comment.
#[derive(Default)]
struct Line {
    code: String,
    doc: Option<(bool, String)>,
}

/// Splits `source` into lines of code and doc comments; string and char literals are emptied so
/// that braces inside them do not count. `(true, text)` is an inner (`//!`) doc comment.
fn scan(source: &str) -> Vec<Line> {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut lines = vec![Line::default()];
    let mut i = 0;
    let mut block_depth = 0;
    let mut string: Option<Option<usize>> = None; // Some(None): "…"; Some(Some(n)): r#…"…"#…
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            lines.push(Line::default());
            i += 1;
            continue;
        }
        let Some(line) = lines.last_mut() else { break };
        if block_depth > 0 {
            match (c, at(i + 1)) {
                ('*', '/') => (block_depth, i) = (block_depth - 1, i + 2),
                ('/', '*') => (block_depth, i) = (block_depth + 1, i + 2),
                _ => i += 1,
            }
            continue;
        }
        match string {
            Some(None) => {
                match c {
                    '\\' if at(i + 1) != '\n' => i += 1,
                    '"' => {
                        line.code.push('"');
                        string = None;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            Some(Some(hashes)) => {
                if c == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                    line.code.push('"');
                    string = None;
                    i += hashes;
                }
                i += 1;
                continue;
            }
            None => {}
        }
        let ident_at = |j: Option<usize>| j.is_some_and(|j| chars[j].is_alphanumeric() || chars[j] == '_');
        // `r"…"`, `r#"…"#`, `br"…"`, but not the `r` ending an identifier.
        let raw_start =
            !ident_at(i.checked_sub(1)) || (at(i.wrapping_sub(1)) == 'b' && !ident_at(i.checked_sub(2)));
        match (c, at(i + 1)) {
            ('/', '/') => {
                let rest: String = chars[i..].iter().take_while(|&&c| c != '\n').collect();
                let doc = match (rest.strip_prefix("///"), rest.strip_prefix("//!")) {
                    (Some(text), _) if !text.starts_with('/') => Some((false, text.to_string())),
                    (_, Some(text)) => Some((true, text.to_string())),
                    _ => None,
                };
                line.doc = doc;
                i += rest.chars().count();
            }
            ('/', '*') => (block_depth, i) = (1, i + 2),
            ('"', _) => {
                line.code.push('"');
                string = Some(None);
                i += 1;
            }
            ('r', '#' | '"') if raw_start => {
                let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
                if at(i + 1 + hashes) == '"' {
                    line.code.push('"');
                    string = Some(Some(hashes));
                    i += hashes + 2;
                } else {
                    line.code.push(c);
                    i += 1;
                }
            }
            ('\'', '\\') => {
                let close = (i + 3..chars.len()).find(|&j| chars[j] == '\'').unwrap_or(chars.len());
                line.code.push_str("' '");
                i = close + 1;
            }
            ('\'', _) if at(i + 2) == '\'' => {
                line.code.push_str("' '");
                i += 3;
            }
            _ => {
                line.code.push(c);
                i += 1;
            }
        }
    }
    lines
}

/// What a brace opened: a container whose members are items (`impl`, `struct`, `enum`, `trait`,
/// a non-test `mod`), or anything else (bodies, test modules), whose contents are not indexed.
#[derive(Clone)]
enum Scope {
    Container { name: String, members: Members },
    Opaque,
}

#[derive(Clone, Copy, PartialEq)]
enum Members {
    Items,
    Fields,
    Variants,
}

/// The clauses one file names and the test modules it declares out of line.
#[derive(Default)]
struct FileIndex {
    entries: Vec<(String, usize, String)>,
    test_modules: Vec<String>,
}

fn index_file(source: &str, module: &str, clauses: &BTreeSet<String>) -> FileIndex {
    let mut index = FileIndex::default();
    let mut scopes: Vec<Scope> = Vec::new();
    let mut docs: Vec<(usize, String)> = Vec::new();
    let mut is_test = false;
    let mut opening: Option<Scope> = None;
    let mut attribute_depth = 0i32;
    let mut nesting = 0i32;
    for (number, line) in scan(source).into_iter().enumerate().map(|(i, l)| (i + 1, l)) {
        let code = line.code.trim();
        let members = match scopes.last() {
            Some(Scope::Container { members, .. }) => Some(*members),
            Some(Scope::Opaque) => None,
            None => Some(Members::Items),
        };
        let indexed = scopes.iter().all(|s| matches!(s, Scope::Container { .. }));
        if indexed {
            match line.doc {
                Some((true, text)) => {
                    let owner = container_path(&scopes);
                    let item = if owner.is_empty() { module.to_string() } else { format!("module {owner}") };
                    record(&mut index, clauses, &[(number, text)], &item);
                }
                Some((false, text)) => docs.push((number, text)),
                None => {}
            }
            if attribute_depth > 0 || code.starts_with("#[") {
                is_test |= code.contains("cfg(test)");
                attribute_depth += brackets(code);
                continue;
            }
            let starts_item = code.starts_with(|c: char| c.is_alphanumeric() || c == '_');
            if starts_item && nesting == 0 && opening.is_none() {
                let (item, scope) = item_of(code, &scopes);
                if !is_test {
                    record(&mut index, clauses, &docs, &item);
                    opening = Some(scope);
                } else if let Some(name) = code.strip_prefix("mod ").and_then(|rest| rest.strip_suffix(';')) {
                    index.test_modules.push(name.trim().to_string());
                } else {
                    opening = Some(Scope::Opaque);
                }
                docs.clear();
                is_test = false;
            }
        }
        for c in code.chars() {
            match c {
                '(' | '[' => nesting += 1,
                ')' | ']' => nesting -= 1,
                '{' => scopes.push(opening.take().unwrap_or(Scope::Opaque)),
                '}' => drop(scopes.pop()),
                ';' if nesting == 0 => opening = None,
                _ => {}
            }
        }
        // A field or variant ends with its line.
        if code.ends_with(',') && members.is_some_and(|m| m != Members::Items) {
            opening = None;
        }
    }
    index
}

/// Records each clause `docs` name as implemented by `item`.
fn record(index: &mut FileIndex, clauses: &BTreeSet<String>, docs: &[(usize, String)], item: &str) {
    for (line, text) in docs {
        for word in
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).map(|w| w.trim_matches('-'))
        {
            if clauses.contains(word) {
                index.entries.push((word.to_string(), *line, item.to_string()));
            }
        }
    }
}

/// The names of the containers around a line, joined by `::`.
fn container_path(scopes: &[Scope]) -> String {
    let names: Vec<&str> = scopes
        .iter()
        .filter_map(|s| match s {
            Scope::Container { name, .. } => Some(name.as_str()),
            Scope::Opaque => None,
        })
        .collect();
    names.join("::")
}

/// `[` minus `]` in an attribute line: above zero while the attribute continues.
fn brackets(code: &str) -> i32 {
    code.chars().map(|c| i32::from(c == '[') - i32::from(c == ']')).sum()
}

/// The item a line starts, labelled with the containers around it, and the scope its brace (if
/// any) opens.
fn item_of(code: &str, scopes: &[Scope]) -> (String, Scope) {
    let path = container_path(scopes);
    let members = match scopes.last() {
        Some(Scope::Container { members, .. }) => *members,
        _ => Members::Items,
    };
    let qualified = |name: &str| if path.is_empty() { name.to_string() } else { format!("{path}::{name}") };
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '!'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut rest = words.as_slice();
    while let [first, tail @ ..] = rest {
        let qualifier =
            matches!(*first, "pub" | "crate" | "super" | "async" | "unsafe" | "extern" | "default")
                || (*first == "const" && tail.first().is_some_and(|w| *w == "fn" || *w == "unsafe"));
        if !qualifier {
            break;
        }
        rest = tail;
    }
    let container = |name: &str, members| Scope::Container { name: name.to_string(), members };
    match rest {
        ["fn" | "const" | "static" | "type" | "macro_rules!", name, ..] => (qualified(name), Scope::Opaque),
        ["struct" | "union", name, ..] => (qualified(name), container(name, Members::Fields)),
        ["enum", name, ..] => (qualified(name), container(name, Members::Variants)),
        ["trait", name, ..] => (qualified(name), container(name, Members::Items)),
        ["mod", name, ..] => (format!("module {}", qualified(name)), container(name, Members::Items)),
        ["impl", ..] => {
            let (label, self_type) = impl_header(code);
            (label, container(&self_type, Members::Items))
        }
        [name, ..] if members != Members::Items => (qualified(name), Scope::Opaque),
        _ => (qualified(code), Scope::Opaque),
    }
}

/// `impl<T: A<B>> fmt::Display for Net<T> {` -> (`impl Display for Net`, `Net`).
fn impl_header(code: &str) -> (String, String) {
    let mut depth = 0;
    let mut plain = String::new();
    let after_impl = code.split_once("impl").map_or("", |(_, rest)| rest);
    for c in after_impl.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            '{' => break,
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let last_segment = |path: &str| path.trim().rsplit("::").next().unwrap_or_default().trim().to_string();
    match plain.split_once(" for ") {
        Some((trait_path, self_path)) => {
            let self_type = last_segment(self_path);
            (format!("impl {} for {self_type}", last_segment(trait_path)), self_type)
        }
        None => {
            let self_type = last_segment(&plain);
            (format!("impl {self_type}"), self_type)
        }
    }
}
