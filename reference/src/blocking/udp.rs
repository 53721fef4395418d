//! The blocking udp socket: [`UdpState`] driven by a std socket.

use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};

use crate::error::{Endpoint, ErrorClass, NetError, NetResult};
use crate::options::CallOpts;
use crate::transport::os::system_lookup;
use crate::udp::{Datagram, UdpState, datagram};

use super::wire::{Budget, Direction, Timeouts, stalled};

/// A UDP socket: [`UdpState`] (through `Deref`) plus send, send_to, recv, recv_from and close,
/// each blocking until it completes.
#[derive(Debug)]
pub struct UdpSocket {
    socket: Option<std::net::UdpSocket>,
    timeouts: Timeouts,
    state: UdpState,
}

impl UdpSocket {
    pub(crate) fn new(socket: std::net::UdpSocket, state: UdpState) -> Self {
        Self { socket: Some(socket), timeouts: Timeouts::default(), state }
    }

    /// UDP-SEND: one datagram to the default peer; returns the bytes sent.
    pub fn send(&self, bytes: &[u8]) -> NetResult<usize> {
        let (addr, target) = self.state.plan_send()?;
        self.send_datagram(bytes, addr, target)
    }

    /// UDP-SEND-TO: one datagram to `host:port`; returns the bytes sent.
    pub fn send_to(&self, bytes: &[u8], host: &str, port: i64) -> NetResult<usize> {
        let target = self.state.plan_send_to(host, port, self.socket.as_ref())?;
        let addr = self.state.pick_address(&target, system_lookup(&target.host, target.port))?;
        self.send_datagram(bytes, addr, &target)
    }

    /// UDP-RECV: the next datagram (from the default peer, if set: IO-UDP-PEER-FILTER), cut to
    /// `max_bytes` (IO-UDP-TRUNCATE).
    pub fn recv(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        Ok(self.recv_from(max_bytes, opts)?.bytes)
    }

    /// UDP-RECV-FROM: the next datagram with its sender's host and port. The call's wait bounds
    /// every datagram it reads and drops.
    pub fn recv_from(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Datagram> {
        let (call, socket) = self.state.plan_recv(max_bytes, opts, self.socket.as_ref())?;
        let mut buf = vec![0u8; call.capacity];
        let mut budget = Budget::new(call.wait);
        loop {
            let received =
                self.timeouts.run(socket, Direction::Read, &mut budget, || socket.recv_from(&mut buf));
            let (n, from) = received.map_err(|e| {
                if stalled(&e) {
                    NetError::new(ErrorClass::Timeout, self.state.recv_timed_out(call.wait))
                } else {
                    self.state.recv_error(&e)
                }
            })?;
            if self.state.accepts(from) {
                return Ok(datagram(buf, n, from));
            }
        }
    }

    /// UDP-CLOSE: closes; closing again does nothing; any other use raises Closed.
    pub fn close(&mut self) {
        self.socket = None;
    }

    fn send_datagram(&self, bytes: &[u8], addr: SocketAddr, target: &Endpoint) -> NetResult<usize> {
        let socket = self.state.check_datagram(bytes, target, self.socket.as_ref())?;
        socket.send_to(bytes, addr).map_err(|e| UdpState::send_error(&e, target))
    }
}

impl Deref for UdpSocket {
    type Target = UdpState;
    fn deref(&self) -> &UdpState {
        &self.state
    }
}

impl DerefMut for UdpSocket {
    fn deref_mut(&mut self) -> &mut UdpState {
        &mut self.state
    }
}
