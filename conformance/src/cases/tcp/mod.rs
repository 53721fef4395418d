//! TCP-*: the tcp socket, one clause group per file.

use crate::catalog::Case;
use crate::contract::Feature;

mod accepted;
mod close;
mod example;
mod open;
mod open_failures;
mod prop;
mod recv;
mod recv_exact;
mod recv_line;
mod send;
mod shutdown;

const TCP: &[Feature] = &[Feature::Tcp];
const TCP_LISTEN: &[Feature] = &[Feature::Tcp, Feature::Listen];

/// The family, in catalog order.
pub const CASES: &[Case] = &[
    shutdown::STARTTLS_AFTER_SHUTDOWN_SEND,
    open::ECHO,
    open::PROPERTIES,
    open::HOST_AS_NAMED,
    open::OPEN_NEW_TIMEOUT,
    open::OPEN_NEW_TIMEOUT_NIL,
    open::OPEN_NEW_NEGATIVE_TIMEOUT,
    open_failures::DENIED_WITHOUT_FLAG,
    open_failures::DENIED_OTHER_PORT,
    open_failures::DENIED_BEFORE_DNS,
    open_failures::REFUSED,
    open_failures::DNS_INVALID,
    open_failures::DNS_UNREGISTERED,
    open_failures::CONNECT_TIMEOUT,
    open_failures::CONNECT_TIMEOUT_DEFAULT,
    open::BAD_PORT,
    open::BAD_HOST,
    accepted::FULL_SOCKET,
    accepted::PROPERTIES,
    send::COUNT,
    send::COUNT_IS_EXACT,
    send::EMPTY,
    send::SEND_ALL_64K,
    send::SEND_ALL_AFTER_RESET,
    recv::UP_TO_MAX_BYTES,
    recv::BAD_MAX_BYTES,
    recv::CONNECTION_RESET,
    recv_line::CRLF,
    recv_line::DRIBBLE,
    recv_line::TWO_LINES_ONE_SEGMENT,
    recv_line::PARTIAL_THEN_EOF,
    recv_exact::DRIBBLE,
    recv_exact::ACROSS_SEGMENTS,
    recv_exact::EOF,
    close::DISCONNECTS,
    close::PEER_READS_END,
    shutdown::SEND,
    shutdown::RECV,
    shutdown::BOTH,
    shutdown::CLOSED_HALVES,
    shutdown::BAD_DIRECTION,
    prop::SET_TIMEOUT,
    prop::TIMEOUT_APPLIES,
    prop::CONNECTED_AFTER_PEER_CLOSE,
    example::ECHO_CLIENT,
];
