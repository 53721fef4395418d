//! IO-*: the stream I/O model (timeouts, end of stream, nothing lost, line length), checked on
//! tcp sockets, one clause group per file.

use crate::catalog::Case;
use crate::contract::Feature;

mod close;
mod eof;
mod exact_zero;
mod line_max;
mod nothing_lost;
mod shutdown_read;
mod timeout;

const TCP: &[Feature] = &[Feature::Tcp];

/// The family, in catalog order.
pub const CASES: &[Case] = &[
    timeout::DEFAULT_30S,
    timeout::NIL_WAITS_FOREVER,
    timeout::PER_CALL,
    timeout::ZERO_IS_A_POLL,
    timeout::NEGATIVE,
    eof::EMPTY_ONLY_AT_END,
    eof::DATA_BEFORE_END,
    eof::LINE_EOF_CLEAN_END,
    nothing_lost::RECV_LINE_TIMEOUT,
    nothing_lost::RECV_EXACT_TIMEOUT,
    nothing_lost::RECV_TIMEOUT,
    nothing_lost::RECV_EXACT_EOF,
    line_max::NOTHING_CONSUMED,
    line_max::LINE_TOO_LONG,
    line_max::EXACT_LENGTH,
    line_max::DEFAULT_1MIB,
    line_max::BOUNDED,
    line_max::BAD_MAX_LENGTH,
    exact_zero::EMPTY,
    exact_zero::NEGATIVE,
    close::TWICE,
    close::THEN_CLOSED,
    close::ARGUMENTS_BEFORE_STATE,
    shutdown_read::PEER_REPLIES_AFTER_END,
    shutdown_read::RECV_EMPTY,
    shutdown_read::LINE_AND_EXACT,
];
