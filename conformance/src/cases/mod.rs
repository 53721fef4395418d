//! The cases, one module per clause family.

use crate::catalog::Case;

pub mod tcp;

/// Every family, in catalog order.
pub const ALL: &[&[Case]] = &[tcp::CASES];
