//! The generated tables of CONFORMANCE.md: the clause -> cases table, from the catalog, and
//! the TLS-REJECT-ZOO tables of "TLS across stacks" (accepted reasons, and each stack's
//! verdicts by reason), from the zoo and the stack map.

use std::fmt::Write as _;

use caspian_conformance::catalog::Case;
use caspian_conformance::clauses::CLAUSES;
use caspian_conformance::stack_verdicts::STACK_VERDICTS;
use caspian_conformance::zoo::REJECTIONS;

/// Marks the start and end of the generated clause table in CONFORMANCE.md.
pub const BEGIN: &str = "<!-- BEGIN GENERATED: caspian-conform list --markdown -->";
pub const END: &str = "<!-- END GENERATED -->";
/// Marks the start of the generated TLS-REJECT-ZOO tables (ended by [`END`]).
pub const ZOO_BEGIN: &str = "<!-- BEGIN GENERATED: caspian-conform list --markdown (TLS-REJECT-ZOO) -->";

/// `document` with both generated blocks rewritten: the clause table for `cases`, and the
/// TLS-REJECT-ZOO tables.
pub fn update_document(document: &str, cases: &[Case]) -> Result<String, String> {
    let with_clauses = replace_table(document, &clause_table(cases))?;
    replace_block(&with_clauses, ZOO_BEGIN, &zoo_tables())
}

/// The TLS-REJECT-ZOO tables: every entry with its accepted reasons, then every reason with the
/// verdicts of OpenSSL, Go, Java and rustls that read as it.
pub fn zoo_tables() -> String {
    let mut out =
        format!("{ZOO_BEGIN}\n| entry | connect as | the chain | accepted reasons |\n|---|---|---|---|\n");
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
    let _ = writeln!(out, "{END}");
    out
}

/// The table: every clause of clauses.md, in order, with the cases that check it.
pub fn clause_table(cases: &[Case]) -> String {
    let mut out = format!("{BEGIN}\n| clause | section | cases |\n|---|---|---|\n");
    for clause in CLAUSES {
        let checks: Vec<String> = cases
            .iter()
            .filter(|case| case.clauses.contains(&clause.id))
            .map(|case| format!("`{}`", case.id))
            .collect();
        let checks = if checks.is_empty() { "**none**".to_string() } else { checks.join(", ") };
        let _ = writeln!(out, "| {} | {} | {} |", clause.id, clause.section, checks);
    }
    let _ = writeln!(out, "{END}");
    out
}

/// `document` with the text between [`BEGIN`] and [`END`] replaced by `table` (which carries
/// the markers itself), or an error naming what is missing.
pub fn replace_table(document: &str, table: &str) -> Result<String, String> {
    replace_block(document, BEGIN, table)
}

/// `document` with the text from `begin` to the next [`END`] replaced by `block` (which carries
/// the markers itself), or an error naming what is missing.
pub fn replace_block(document: &str, begin: &str, block: &str) -> Result<String, String> {
    let start = document.find(begin).ok_or_else(|| format!("no {begin} marker"))?;
    let end = document[start..]
        .find(END)
        .map(|i| start + i + END.len())
        .ok_or_else(|| format!("no {END} marker"))?;
    let rest = document[end..].strip_prefix('\n').unwrap_or(&document[end..]);
    Ok(format!("{}{block}{rest}", &document[..start]))
}
