//! `puck.uno/socket/tcp_listener`: accepts inbound connections. [`Listening`] is the sans-IO
//! half, shared by both surfaces; [`TcpListener`] drives it over a transport.

use std::io;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Endpoint, NetError, NetResult};
use crate::options::{CallOpts, DEFAULT_TIMEOUT};
use crate::stream::StreamSocket;
use crate::stream_state::{Link, ip_text};
use crate::tcp::TcpSocket;
use crate::tls::TlsContext;
use crate::transport::Transport;
use crate::wait::{self, seconds};

/// What a listener knows: the address it bound, and the TLS context its accepted sockets share.
#[derive(Debug)]
pub struct Listening {
    local: SocketAddr,
    tls: Arc<TlsContext>,
}

impl Listening {
    pub(crate) fn new(local: SocketAddr, tls: Arc<TlsContext>) -> Self {
        Self { local, tls }
    }

    /// LST-LOCAL-HOST: the address bound, e.g. `0.0.0.0`.
    pub fn local_host(&self) -> String {
        ip_text(self.local.ip())
    }

    /// LST-LOCAL-PORT: the port bound (the real one when bound to port 0).
    pub fn local_port(&self) -> u16 {
        self.local.port()
    }

    /// LST-ACCEPT, IO-ACCEPT-TIMEOUT: checks `accept(opts)` on `listener` (`None` once closed);
    /// returns how long it may wait (forever unless `opts` gives a timeout).
    pub(crate) fn plan_accept<'l, L>(
        &self,
        listener: Option<&'l L>,
        opts: CallOpts,
    ) -> NetResult<(Option<Duration>, &'l L)> {
        let listener = listener.ok_or_else(|| NetError::closed("accept", &self.endpoint()))?;
        Ok((opts.wait(None)?, listener))
    }

    /// The message of an accept that waited `wait` in vain.
    pub(crate) fn accept_timed_out(&self, wait: Option<Duration>) -> String {
        format!("accept on {} timed out after {}s", self.endpoint(), seconds(wait))
    }

    /// An accept that failed.
    pub(crate) fn accept_error(&self, error: &io::Error) -> NetError {
        NetError::from_io(error, "accept on", &self.endpoint())
    }

    /// A socket accepted from `peer` on `local`: a tcp socket with the default 30 second timeout,
    /// whose host is the peer's address.
    pub(crate) fn accepted<S>(
        &self,
        stream: impl FnOnce(Link) -> S,
        peer: SocketAddr,
        local: SocketAddr,
    ) -> TcpSocket<S> {
        let remote = Endpoint::new(ip_text(peer.ip()), peer.port());
        let link = Link { remote, local, timeout: Some(DEFAULT_TIMEOUT) };
        TcpSocket::new(stream(link), self.tls.clone())
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint::new(self.local_host(), self.local_port())
    }
}

/// A listening socket, returned by `%net.tcp_listen`: [`Listening`] (through `Deref`) driven by
/// async I/O.
pub struct TcpListener<T: Transport> {
    listener: Option<T::TcpListener>,
    listening: Listening,
}

impl<T: Transport> TcpListener<T> {
    pub(crate) fn new(listener: T::TcpListener, local: SocketAddr, tls: Arc<TlsContext>) -> Self {
        Self { listener: Some(listener), listening: Listening::new(local, tls) }
    }

    /// LST-ACCEPT, IO-ACCEPT-TIMEOUT: waits for a connection (forever unless `opts` gives a
    /// timeout) and returns it as a full tcp socket with the default 30 second timeout
    /// (TCP-ACCEPTED, DEC-ACCEPTED-TIMEOUT).
    pub async fn accept(&self, opts: CallOpts) -> NetResult<TcpSocket> {
        let (wait, listener) = self.listening.plan_accept(self.listener.as_ref(), opts)?;
        let timed_out = || self.listening.accept_timed_out(wait);
        let accepted = wait::until(wait::deadline(wait), timed_out, T::accept(listener))
            .await?
            .map_err(|e| self.listening.accept_error(&e))?;
        let stream = |link| StreamSocket::attach(accepted.stream, link);
        Ok(self.listening.accepted(stream, accepted.peer, accepted.local))
    }

    /// LST-CLOSE: stops listening; further connections are refused. Closing twice does nothing.
    pub fn close(&mut self) {
        self.listener = None;
    }
}

impl<T: Transport> Deref for TcpListener<T> {
    type Target = Listening;
    fn deref(&self) -> &Listening {
        &self.listening
    }
}
