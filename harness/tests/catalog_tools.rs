//! The tools for reading the catalog, through the built `caspian-conform` with its output piped
//! as a script reads it: `list` gives one case a line (its count on stderr), `list --json` and
//! `explain --all` give every case with the full text of its clauses, and the reference's
//! lines show only with `--reference`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caspian_conformance::catalog::{Worlds, catalog};
use caspian_conformance::clauses::clause;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `caspian-conform` with stdout and stderr piped; fails unless it succeeds.
fn conform(args: &[&str]) -> (String, String) {
    let Output { status, stdout, stderr } = Command::new(env!("CARGO_BIN_EXE_caspian-conform"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run caspian-conform");
    let (stdout, stderr) =
        (String::from_utf8(stdout).expect("UTF-8"), String::from_utf8(stderr).expect("UTF-8"));
    assert!(status.success(), "{args:?}: {status}\n{stderr}");
    (stdout, stderr)
}

#[test]
fn a_piped_list_is_one_case_a_line_with_the_count_on_stderr() {
    let cases = catalog();
    let (stdout, stderr) = conform(&["list"]);
    assert_eq!(stdout.lines().count(), cases.len(), "`list | wc -l` counts the cases");
    for (line, case) in stdout.lines().zip(&cases) {
        assert_eq!(line.split_whitespace().next(), Some(case.id), "{line}");
    }
    assert_eq!(stderr, format!("{} cases\n", cases.len()));

    let (stdout, stderr) = conform(&["list", "--clause", "TCP-OPEN"]);
    let citing: Vec<&str> = cases.iter().filter(|c| c.clauses.contains(&"TCP-OPEN")).map(|c| c.id).collect();
    let listed: Vec<&str> = stdout.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert_eq!(listed, citing, "stdout holds the cases alone");
    let text = clause("TCP-OPEN").expect("TCP-OPEN").text;
    assert!(stderr.starts_with(&format!("TCP-OPEN: {text}\n")), "{stderr}");
    assert!(stderr.ends_with(&format!("{} cases\n", citing.len())), "{stderr}");
    assert!(!stderr.contains("reference/src"), "the reference shows only with --reference: {stderr}");
}

#[test]
fn list_json_gives_every_case_with_the_text_of_its_clauses() {
    let (stdout, _) = conform(&["list", "--json"]);
    let listed: Value = serde_json::from_str(&stdout).expect("a JSON array");
    let listed = listed.as_array().expect("an array");
    let cases = catalog();
    assert_eq!(listed.len(), cases.len());
    for (json, case) in listed.iter().zip(&cases) {
        assert_eq!(json["id"], case.id);
        assert_eq!(json["level"], case.level.name(), "{}", case.id);
        assert_eq!(json["description"], case.description, "{}", case.id);
        let needs: Vec<&str> = case.needs.iter().map(|need| need.name()).collect();
        assert_eq!(json["needs"], serde_json::json!(needs), "{}", case.id);
        let clauses = json["clauses"].as_array().expect("clauses");
        assert_eq!(clauses.len(), case.clauses.len(), "{}", case.id);
        for (cited, id) in clauses.iter().zip(case.clauses) {
            let known = clause(id).expect("a known clause");
            assert_eq!(cited["id"], *id);
            assert_eq!(cited["section"], known.section);
            assert_eq!(cited["text"], known.text);
        }
        let (worlds, skipped) = match case.worlds {
            Worlds::Both | Worlds::LongWait => (serde_json::json!(["sim", "real"]), None),
            Worlds::SimOnly(reason) => (serde_json::json!(["sim"]), Some(("real", reason))),
            Worlds::RealOnly(reason) => (serde_json::json!(["real"]), Some(("sim", reason))),
        };
        assert_eq!(json["worlds"], worlds, "{}", case.id);
        match skipped {
            None => assert!(json["skip"].is_null(), "{}", case.id),
            Some((world, reason)) => {
                assert_eq!(json["skip"]["world"], world, "{}", case.id);
                assert_eq!(json["skip"]["reason"], reason, "{}", case.id);
            }
        }
        assert_eq!(json["long_wait"], case.worlds == Worlds::LongWait, "{}", case.id);
    }
}

#[test]
fn explain_all_gives_every_case_and_the_full_text_of_each_clause_it_cites() {
    let (stdout, _) = conform(&["explain", "--all"]);
    let blocks: Vec<&str> = stdout.split("\n\n").collect();
    let cases = catalog();
    assert_eq!(blocks.len(), cases.len(), "one block per case, a blank line between two");
    for (block, case) in blocks.iter().zip(&cases) {
        assert!(block.starts_with(&format!("{}  [{}]\n", case.id, case.level.name())), "{block}");
        assert!(block.contains(case.description), "{block}");
        for id in case.clauses {
            let text = clause(id).expect("a known clause").text;
            let line = format!("    {id}: {text}");
            assert!(block.lines().any(|l| l == line), "{id} in {block}");
        }
        assert!(!block.contains("reference/src"), "{block}");
        let needs: Vec<&str> = case.needs.iter().map(|need| need.name()).collect();
        let needs = if needs.is_empty() { "nothing".to_string() } else { needs.join(", ") };
        assert!(block.lines().any(|l| l == format!("  needs: {needs}")), "{block}");
    }
}

#[test]
fn the_reference_implementation_shows_only_when_asked() {
    let (plain, _) = conform(&["explain", "tls.reject.expired"]);
    assert!(!plain.contains("reference/src") && !plain.contains("reference implementation"), "{plain}");
    let (with, _) = conform(&["explain", "--reference", "tls.reject.expired"]);
    let (heading, lines) =
        with.split_once("  In the reference implementation (Rust):\n").expect("the heading");
    assert_eq!(heading, plain, "the case's own lines are the same");
    assert!(lines.contains("    TLS-REJECT-ZOO: reference/src/"), "{lines}");
    let (_, stderr) = conform(&["list", "--reference", "--clause", "TLS-REJECT-ZOO"]);
    assert!(
        stderr.contains("In the reference implementation (Rust):\n    TLS-REJECT-ZOO: reference/src/"),
        "{stderr}"
    );
}
