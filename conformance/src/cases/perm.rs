//! PERM-*.

use crate::catalog::Case;

pub const CASES: &[Case] = &[];
