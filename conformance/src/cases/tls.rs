//! SSL-*, TLS-* and IO-STARTTLS-BUFFER.

use crate::catalog::Case;

pub const CASES: &[Case] = &[];
