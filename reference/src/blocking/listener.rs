//! The blocking listener: [`Listening`] driven by a std listener.

use std::ops::Deref;

use super::TcpSocket;
use super::stream::StreamSocket;
use super::wire::{Budget, Direction, Timeouts, Wire, stalled};
use crate::error::{ErrorClass, NetError, NetResult};
use crate::listener::Listening;
use crate::options::CallOpts;

/// A listening socket, returned by `%net.tcp_listen`: [`Listening`] (through `Deref`) plus
/// accept and close.
#[derive(Debug)]
pub struct TcpListener {
    listener: Option<std::net::TcpListener>,
    timeouts: Timeouts,
    listening: Listening,
}

impl TcpListener {
    pub(crate) fn new(listener: std::net::TcpListener, listening: Listening) -> Self {
        Self { listener: Some(listener), timeouts: Timeouts::default(), listening }
    }

    /// LST-ACCEPT, IO-ACCEPT-TIMEOUT: waits for a connection (forever unless `opts` gives a
    /// timeout) and returns it as a tcp socket with the default 30 second timeout.
    pub fn accept(&self, opts: CallOpts) -> NetResult<TcpSocket> {
        let (wait, listener) = self.listening.plan_accept(self.listener.as_ref(), opts)?;
        let mut budget = Budget::new(wait);
        let accepted = self.timeouts.run(listener, Direction::Read, &mut budget, || {
            let (tcp, peer) = listener.accept()?;
            tcp.set_nodelay(true)?;
            Ok((tcp.local_addr()?, tcp, peer))
        });
        let (local, tcp, peer) = accepted.map_err(|e| {
            if stalled(&e) {
                NetError::new(ErrorClass::Timeout, self.listening.accept_timed_out(wait))
            } else {
                self.listening.accept_error(&e)
            }
        })?;
        let stream = |link| StreamSocket::attach(Wire::new(tcp), link);
        Ok(self.listening.accepted(stream, peer, local))
    }

    /// LST-CLOSE: stops listening; further connections are refused. Closing twice does nothing.
    pub fn close(&mut self) {
        self.listener = None;
    }
}

impl Deref for TcpListener {
    type Target = Listening;
    fn deref(&self) -> &Listening {
        &self.listening
    }
}
