//! `puck.uno/socket/tcp`: a TCP connection, outbound or accepted.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::error::NetResult;
use crate::stream::StreamSocket;
use crate::stream_state::StreamState;
use crate::tls::{Prepared, SslSocket, TlsContext, TlsOptions};
use crate::wait;

/// A TCP socket: the whole stream surface (`S`, through `Deref`: the async [`StreamSocket`] or
/// the blocking one) plus `starttls`.
pub struct TcpSocket<S = StreamSocket> {
    stream: S,
    tls: Arc<TlsContext>,
}

impl<S> TcpSocket<S> {
    pub(crate) fn new(stream: S, tls: Arc<TlsContext>) -> Self {
        Self { stream, tls }
    }
}

impl<S: Deref<Target = StreamState>> TcpSocket<S> {
    /// The argument checks of starttls (TLS options, before any I/O).
    pub(crate) fn prepare_upgrade(&self, options: &TlsOptions) -> NetResult<Prepared> {
        self.tls.prepare(options, self.stream.endpoint())
    }
}

impl TcpSocket {
    /// TCP-STARTTLS, SSL-UPGRADE: wraps this connection in TLS. Afterwards this handle is
    /// invalid (Closed on use, `connected?` false) and the returned socket is live. With unread
    /// plaintext buffered it raises TlsError and does not upgrade (IO-STARTTLS-BUFFER).
    pub async fn starttls(&mut self, options: TlsOptions) -> NetResult<SslSocket> {
        let prepared = self.prepare_upgrade(&options)?;
        let (stream, link) = self.stream.detach()?;
        let deadline = wait::deadline(link.timeout);
        SslSocket::handshake(stream, link, prepared, deadline).await
    }
}

impl<S> Deref for TcpSocket<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.stream
    }
}

impl<S> DerefMut for TcpSocket<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.stream
    }
}
