//! The generated tables of CONFORMANCE.md: the clauses, the decisions, the TLS-REJECT-ZOO tables
//! of "TLS across stacks" (accepted reasons, and each stack's verdicts by reason) and the clause
//! -> cases table, each from the code (the clause table, the zoo, the stack map and the catalog),
//! between markers of its own.

use std::fmt::Write as _;

use caspian_conformance::catalog::Case;
use caspian_conformance::clauses::{CLAUSES, DECISIONS, decisions};
use caspian_conformance::stack_verdicts::STACK_VERDICTS;
use caspian_conformance::zoo::REJECTIONS;

/// One generated block: the name its markers carry, and how it is rendered from the catalog.
struct Block {
    name: &'static str,
    render: fn(&[Case]) -> String,
}

/// Every generated block, in the order CONFORMANCE.md holds them.
const BLOCKS: &[Block] = &[
    Block { name: "clauses", render: clauses },
    Block { name: "decisions", render: decisions_table },
    Block { name: "zoo", render: zoo_tables },
    Block { name: "cases", render: cases_by_clause },
];

/// The markers around the block `name`.
fn markers(name: &str) -> (String, String) {
    (
        format!("<!-- BEGIN GENERATED: {name} (caspian-conform list --markdown --update CONFORMANCE.md) -->"),
        format!("<!-- END GENERATED: {name} -->"),
    )
}

/// The clause -> cases table alone, markers included: every clause, in order, with the cases
/// that check it (what `caspian-conform list --markdown` prints).
pub fn clause_table(cases: &[Case]) -> String {
    wrapped("cases", &cases_by_clause(cases))
}

/// `document` with every generated block rendered anew from `cases`, or an error naming the
/// block whose markers are missing. Everything outside the markers is kept as it is.
pub fn update_document(document: &str, cases: &[Case]) -> Result<String, String> {
    BLOCKS.iter().try_fold(document.to_string(), |document, block| {
        replace_block(&document, block.name, &wrapped(block.name, &(block.render)(cases)))
    })
}

fn wrapped(name: &str, body: &str) -> String {
    let (begin, end) = markers(name);
    format!("{begin}\n{body}{end}\n")
}

/// `document` with the block `name` (markers included) replaced by `block`.
fn replace_block(document: &str, name: &str, block: &str) -> Result<String, String> {
    let (begin, end) = markers(name);
    let start = document.find(&begin).ok_or_else(|| format!("no {begin} marker"))?;
    let stop = document[start..]
        .find(&end)
        .map(|i| start + i + end.len())
        .ok_or_else(|| format!("no {end} marker"))?;
    let rest = document[stop..].strip_prefix('\n').unwrap_or(&document[stop..]);
    Ok(format!("{}{block}{rest}", &document[..start]))
}

/// Every clause of the spec, by section: ID, level and text.
fn clauses(_: &[Case]) -> String {
    let mut out = String::new();
    let mut section = "";
    for clause in CLAUSES.iter().filter(|c| c.section != DECISIONS) {
        if clause.section != section {
            section = clause.section;
            let _ = write!(out, "\n#### {section}\n\n| ID | level | clause |\n|---|---|---|\n");
        }
        let _ = writeln!(out, "| {} | {} | {} |", clause.id, clause.level.name(), clause.text);
    }
    out.push('\n');
    out
}

/// The decisions: number, ID, level, the decision and its reason.
fn decisions_table(_: &[Case]) -> String {
    let mut out = String::from("| # | ID | level | decision | reason |\n|---|---|---|---|---|\n");
    for (i, d) in decisions().enumerate() {
        let _ = writeln!(out, "| D{} | `{}` | {} | {} | {} |", i + 1, d.id, d.level.name(), d.text, d.reason);
    }
    out
}

/// Every TLS-REJECT-ZOO entry with its accepted reasons, then every reason with the verdicts of
/// OpenSSL, Go, Java and rustls that read as it.
fn zoo_tables(_: &[Case]) -> String {
    let mut out = String::from("| entry | connect as | the chain | accepted reasons |\n|---|---|---|---|\n");
    for entry in REJECTIONS {
        let reasons: Vec<String> = entry.reasons.iter().map(|r| format!("`{r}`")).collect();
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            entry.name,
            entry.connect_name,
            entry.description,
            reasons.join(", ")
        );
    }
    out.push_str("\n| reason | OpenSSL 3 `X509_V_ERR_*` | Go `crypto/x509` | Java PKIX / JSSE | rustls `CertificateError` |\n");
    out.push_str("|---|---|---|---|---|\n");
    for sources in STACK_VERDICTS {
        let openssl: Vec<String> =
            sources.openssl.iter().map(|(code, name)| format!("`{name}` ({code})")).collect();
        let openssl = if openssl.is_empty() { "any other".to_string() } else { openssl.join(", ") };
        let _ = writeln!(
            out,
            "| `{}` | {openssl} | {} | {} | {} |",
            sources.reason, sources.go, sources.java, sources.rustls
        );
    }
    out
}

/// Every clause, in order, with the cases that check it.
fn cases_by_clause(cases: &[Case]) -> String {
    let mut out = String::from("| clause | section | cases |\n|---|---|---|\n");
    for clause in CLAUSES.iter() {
        let checks: Vec<String> = cases
            .iter()
            .filter(|case| case.clauses.contains(&clause.id))
            .map(|case| format!("`{}`", case.id))
            .collect();
        let checks = if checks.is_empty() { "**none**".to_string() } else { checks.join(", ") };
        let _ = writeln!(out, "| {} | {} | {} |", clause.id, clause.section, checks);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_a_block_keeps_the_rest_of_the_document() {
        let (begin, end) = markers("cases");
        let document = format!("intro\n{begin}\nold\n{end}\noutro\n");
        let block = wrapped("cases", "new\n");
        assert_eq!(replace_block(&document, "cases", &block).unwrap(), format!("intro\n{block}outro\n"));
        assert!(replace_block("no markers", "cases", &block).is_err());
        assert!(replace_block(&format!("{begin}\nunended"), "cases", &block).is_err());
    }

    #[test]
    fn every_block_is_required() {
        let only_cases = wrapped("cases", "");
        let missing = update_document(&only_cases, &[]).unwrap_err();
        assert!(missing.contains("clauses"), "{missing}");
    }
}
