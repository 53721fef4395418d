//! `puck.uno/socket/tcp`: a TCP connection, outbound or accepted.

use std::ops::{Deref, DerefMut};

use crate::error::NetResult;
use crate::stream::StreamSocket;
use crate::tls::{SslSocket, TlsContext, TlsOptions};

/// A TCP socket: the whole stream surface ([`StreamSocket`], through `Deref`) plus `starttls`.
pub struct TcpSocket {
    stream: StreamSocket,
    tls: TlsContext,
}

impl TcpSocket {
    pub(crate) fn new(stream: StreamSocket, tls: TlsContext) -> Self {
        Self { stream, tls }
    }

    /// TCP-STARTTLS, SSL-UPGRADE: wraps this connection in TLS. Afterwards this handle is
    /// invalid (Closed on use, `connected?` false) and the returned socket is live. With unread
    /// plaintext buffered it raises TlsError and does not upgrade (IO-STARTTLS-BUFFER).
    pub async fn starttls(&mut self, options: TlsOptions) -> NetResult<SslSocket> {
        let prepared = self.tls.prepare(&options, self.stream.endpoint())?;
        let detached = self.stream.detach()?;
        SslSocket::handshake(detached, prepared).await
    }
}

impl Deref for TcpSocket {
    type Target = StreamSocket;
    fn deref(&self) -> &StreamSocket {
        &self.stream
    }
}

impl DerefMut for TcpSocket {
    fn deref_mut(&mut self) -> &mut StreamSocket {
        &mut self.stream
    }
}
