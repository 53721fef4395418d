//! The cases, one module per clause family.

use crate::catalog::Case;

pub mod fault;
pub mod io;
pub mod listener;
pub mod perm;
pub mod tcp;
pub mod tls;
pub mod udp;

/// Every family, in catalog order.
pub const ALL: &[&[Case]] =
    &[tcp::CASES, io::CASES, listener::CASES, udp::CASES, perm::CASES, tls::CASES, fault::CASES];
