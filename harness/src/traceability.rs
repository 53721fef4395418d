//! Where the reference implements each clause: every clause ID named in a doc comment of
//! `reference/src` or `reference/examples`, with the file, line and item the comment documents.
//! The table is built from the sources by `build.rs`, so it cannot drift from them.

use std::fmt;

/// One item of the reference that keeps a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Implementation {
    pub clause: &'static str,
    /// The file, relative to the workspace root, e.g. `reference/src/stream.rs`.
    pub file: &'static str,
    /// The line (from 1) of the doc comment naming the clause.
    pub line: u32,
    /// The item documented: `StreamSocket::recv_line`, `HostPattern::Wildcard`, `module framing`.
    pub item: &'static str,
}

impl fmt::Display for Implementation {
    /// `reference/src/stream.rs:158 StreamSocket::recv_line`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} {}", self.file, self.line, self.item)
    }
}

/// Every implementation, sorted by clause, file and line.
pub static IMPLEMENTATIONS: &[Implementation] = include!(concat!(env!("OUT_DIR"), "/implementations.rs"));

/// The items that implement `clause_id` (empty for an unknown clause or one named nowhere).
pub fn implementations(clause_id: &str) -> &'static [Implementation] {
    let start = IMPLEMENTATIONS.partition_point(|i| i.clause < clause_id);
    let end = IMPLEMENTATIONS.partition_point(|i| i.clause <= clause_id);
    &IMPLEMENTATIONS[start..end]
}
