//! The standard's clauses: every clause of the spec and of its settled points, numbered, then
//! the decisions CONFORMANCE.md adds (D1, D2, …), each with its level. CONFORMANCE.md's clause
//! and decision tables are generated from this table, and a test keeps them equal.

use std::sync::LazyLock;

use crate::catalog::Level;

mod decisions;
mod spec;

/// One numbered clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    pub id: &'static str,
    /// The section of the standard it stands in.
    pub section: &'static str,
    /// How binding it is: a case that checks it is at most this binding.
    pub level: Level,
    pub text: &'static str,
    /// Why the standard decided so (decisions only; empty for the spec's own clauses).
    pub reason: &'static str,
}

/// Every clause, in the standard's order, then the decisions of CONFORMANCE.md.
pub static CLAUSES: LazyLock<Vec<Clause>> =
    LazyLock::new(|| [spec::SPEC_CLAUSES, decisions::DECISION_CLAUSES].concat());

/// The section of the decisions the standard adds to the spec's settled points (D1, D2, …):
/// traced like clauses, each with a case.
pub const DECISIONS: &str = "Decisions";

/// The clause with this ID.
pub fn clause(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|c| c.id == id)
}

/// The decisions, in order: the first is D1.
pub fn decisions() -> impl Iterator<Item = &'static Clause> {
    decisions::DECISION_CLAUSES.iter()
}

impl Clause {
    /// `D7` for the seventh decision; `None` for a clause of the spec.
    pub fn decision_number(&self) -> Option<String> {
        decisions().position(|d| d.id == self.id).map(|i| format!("D{}", i + 1))
    }
}
