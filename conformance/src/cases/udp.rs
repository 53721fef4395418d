//! UDP-* and IO-UDP-*.

use crate::catalog::Case;

pub const CASES: &[Case] = &[];
