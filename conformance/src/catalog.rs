//! The catalog: every case, with the clauses it checks.

use crate::contract::{Feature, LocalFuture};
use crate::script::{CaseResult, Ctx};

/// How binding a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Required: the spec, its settled points, and the decisions marked MUST.
    Must,
    /// Expected: the decisions of the standard marked SHOULD.
    Should,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
        }
    }
}

/// Which worlds a case runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worlds {
    Both,
    /// Both worlds; in the real one the case waits out a default of tens of seconds (the 30 s
    /// timeouts), so it runs in the long lane beside the others, and `--quick` leaves it out.
    LongWait,
    /// Real world skipped, for the stated reason.
    SimOnly(&'static str),
    /// Simulated world skipped, for the stated reason.
    RealOnly(&'static str),
}

/// A case body.
pub type CaseFn = fn(Ctx) -> LocalFuture<'static, CaseResult>;

/// A case body and where it is written, so that a report can point at the checks.
#[derive(Clone, Copy)]
pub struct Body {
    pub run: CaseFn,
    /// The source file, as `file!()` names it (from the workspace root).
    pub file: &'static str,
    pub line: u32,
}

/// One conformance case.
#[derive(Clone, Copy)]
pub struct Case {
    /// Stable ID, named after its clause: `tcp.recv_line.partial_then_eof`.
    pub id: &'static str,
    /// The IDs of the clauses (and decisions) it checks.
    pub clauses: &'static [&'static str],
    pub level: Level,
    /// One line: what it checks and the exact outcome expected.
    pub description: &'static str,
    /// What the engine must implement for the case to run (else UNIMPLEMENTED).
    pub needs: &'static [Feature],
    pub worlds: Worlds,
    pub run: Body,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case").field("id", &self.id).field("clauses", &self.clauses).finish_non_exhaustive()
    }
}

/// Every case, in catalog order.
pub fn catalog() -> Vec<Case> {
    crate::cases::ALL.iter().flat_map(|family| family.iter().copied()).collect()
}

/// The listing of `cases` that `caspian-conform list` prints on a terminal: their
/// [`case_lines`], then their [`count_line`].
pub fn listing(cases: &[Case]) -> String {
    case_lines(cases) + &count_line(cases)
}

/// One line per case (ID, level, clauses), in the order given.
pub fn case_lines(cases: &[Case]) -> String {
    cases
        .iter()
        .map(|case| format!("{:<48} {:<6} {}\n", case.id, case.level.name(), case.clauses.join(",")))
        .collect()
}

/// `303 cases` (`1 case`).
pub fn count_line(cases: &[Case]) -> String {
    match cases.len() {
        1 => "1 case\n".into(),
        n => format!("{n} cases\n"),
    }
}

/// Turns `async |ctx| …` (a body taking the case's [`Ctx`], giving a [`CaseResult`]) into the
/// [`Body`] of a case, recording the file and line where it is written. The body is written as
/// an async closure so that rustfmt formats it; it becomes an `async fn` of its own.
#[macro_export]
macro_rules! body {
    (async |$ctx:ident| $body:expr) => {
        $crate::catalog::Body {
            run: {
                async fn body($ctx: $crate::script::Ctx) -> $crate::script::CaseResult {
                    $body
                }
                |ctx| Box::pin(body(ctx))
            },
            file: file!(),
            line: line!(),
        }
    };
}
