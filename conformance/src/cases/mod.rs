//! The cases: one folder per clause family, one file per clause group, each case declared
//! beside its body. [`support`] holds what the bodies of several families share.

use crate::catalog::Case;

pub mod fault;
pub mod framing;
pub mod hostile;
pub mod io;
pub mod listener;
pub mod perm;
mod support;
pub mod tcp;
pub mod tls;
pub mod udp;

/// Every family, in catalog order.
pub const ALL: &[&[Case]] = &[
    tcp::CASES,
    io::CASES,
    listener::CASES,
    udp::CASES,
    perm::CASES,
    tls::CASES,
    fault::CASES,
    hostile::CASES,
    framing::CASES,
];
