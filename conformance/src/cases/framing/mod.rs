//! framing.generated.*: the framing clauses checked on generated scenarios. From the run's seed
//! each case draws byte streams (empty lines, `\r\n`, no final newline, every byte value, lines
//! near and over `max_length`), how a scripted peer writes them, and the reads a script makes;
//! every answer is checked against [`crate::framing_model`], and a failure shrinks to the
//! smallest failing scenario found.

use crate::catalog::Case;
use crate::contract::Feature;

mod generated;
mod play;
mod scenario;
mod search;

const TCP: &[Feature] = &[Feature::Tcp];

/// The family, in catalog order.
pub const CASES: &[Case] = &[generated::MIXED, generated::LINE_TOO_LONG];

/// True for the cases of this family: they draw their scenarios from the seed in both worlds.
pub fn is_generated(case: &Case) -> bool {
    CASES.iter().any(|generated| generated.id == case.id)
}
