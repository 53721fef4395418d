//! IO-* (stream I/O model).

use crate::catalog::Case;

pub const CASES: &[Case] = &[];
