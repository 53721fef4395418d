//! LST-* and IO-ACCEPT-TIMEOUT.

use crate::catalog::Case;

pub const CASES: &[Case] = &[];
