//! LST-* and IO-ACCEPT-TIMEOUT: the tcp listener, one clause group per file.

use crate::catalog::Case;
use crate::contract::Feature;

mod accept;
mod accept_timeout;
mod close;
mod example;
mod local;
mod open;
mod perm;

const LISTEN: &[Feature] = &[Feature::Tcp, Feature::Listen];

/// The family, in catalog order.
pub const CASES: &[Case] = &[
    open::ADDRESS_NOT_LOCAL,
    open::EPHEMERAL,
    local::LOCAL_HOST_AS_BOUND,
    local::LOCAL_PORT_EPHEMERAL,
    accept::RECEIVES_DIALER_BYTES,
    accept::PEER_HOST,
    accept::DEFAULT_TIMEOUT,
    accept::FULL_SOCKET,
    accept::DIALER_CLOSES_HALFWAY,
    accept::TWO_DIALERS,
    accept_timeout::TIMEOUT,
    accept_timeout::WAITS_FOREVER,
    accept_timeout::NEGATIVE_TIMEOUT,
    close::ACCEPT_RAISES_CLOSED,
    close::REFUSES_DIALERS,
    close::ACCEPTED_SOCKET_SURVIVES,
    close::FREES_PORT,
    open::ADDRESS_IN_USE,
    open::BAD_PORT,
    perm::DENIED,
    perm::ALLOW_NET_DOES_NOT_LISTEN,
    perm::DENIED_BINDS_NOTHING,
    perm::PORT_ZERO_GRANTS,
    perm::PORT_ZERO_NEEDS_ZERO,
    example::ECHO,
    example::ECHO_DRIBBLED,
];
