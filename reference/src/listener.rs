//! `puck.uno/socket/tcp_listener`: accepts inbound connections.

use std::net::SocketAddr;

use crate::error::{Endpoint, NetError, NetResult};
use crate::options::{CallOpts, DEFAULT_TIMEOUT};
use crate::stream::{StreamSocket, ip_text};
use crate::tcp::TcpSocket;
use crate::tls::TlsContext;
use crate::transport::Transport;
use crate::wait::{self, seconds};

/// A listening socket, returned by `%net.tcp_listen`.
pub struct TcpListener<T: Transport> {
    listener: Option<T::TcpListener>,
    local: SocketAddr,
    tls: TlsContext,
}

impl<T: Transport> TcpListener<T> {
    pub(crate) fn new(listener: T::TcpListener, local: SocketAddr, tls: TlsContext) -> Self {
        Self { listener: Some(listener), local, tls }
    }

    /// LST-ACCEPT, IO-ACCEPT-TIMEOUT: waits for a connection (forever unless `opts` gives a
    /// timeout) and returns it as a full tcp socket with the default 30 second timeout
    /// (TCP-ACCEPTED, DEC-ACCEPTED-TIMEOUT).
    pub async fn accept(&self, opts: CallOpts) -> NetResult<TcpSocket> {
        let here = self.endpoint();
        let listener = self.listener.as_ref().ok_or_else(|| NetError::closed("accept", &here))?;
        let wait = opts.wait(None)?;
        let timed_out = || format!("accept on {here} timed out after {}s", seconds(wait));
        let accepted = wait::until(wait::deadline(wait), timed_out, T::accept(listener))
            .await?
            .map_err(|e| NetError::from_io(&e, "accept on", &here))?;
        let peer_host = ip_text(accepted.peer.ip());
        let stream = StreamSocket::new(accepted, peer_host, Some(DEFAULT_TIMEOUT));
        Ok(TcpSocket::new(stream, self.tls.clone()))
    }

    /// LST-CLOSE: stops listening; further connections are refused. Closing twice does nothing.
    pub fn close(&mut self) {
        self.listener = None;
    }

    /// LST-LOCAL-HOST: the address bound, e.g. `0.0.0.0`.
    pub fn local_host(&self) -> String {
        ip_text(self.local.ip())
    }

    /// LST-LOCAL-PORT: the port bound (the real one when bound to port 0).
    pub fn local_port(&self) -> u16 {
        self.local.port()
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint::new(self.local_host(), self.local_port())
    }
}
