//! TLS on the blocking surface: rustls's synchronous `ClientConnection` over a [`Wire`], built
//! from the same [`Prepared`] configuration and mapped to the same errors as the async surface
//! (which runs tokio-rustls over the same configuration).

use std::io::{self, BufRead, Write};
use std::time::Duration;

use bytes::BytesMut;
use rustls::ClientConnection;

use super::stream::{Channel, StreamSocket};
use super::wire::{Wire, stalled};
use crate::error::{ErrorClass, NetError, NetResult};
use crate::stream_state::Link;
use crate::tcp::TcpSocket;
use crate::tls::{Prepared, Session, SslSocket, TlsOptions, handshake_error, handshake_timed_out};

/// A TLS client connection over a TCP stream.
#[derive(Debug)]
pub struct TlsWire {
    connection: ClientConnection,
    wire: Wire,
}

/// SSL-OPEN, TCP-STARTTLS: runs the client handshake over `wire` within `wait` (`None`:
/// forever); a failure maps as on the async surface.
pub(crate) fn handshake(
    mut wire: Wire,
    link: Link,
    prepared: Prepared,
    wait: Option<Duration>,
) -> NetResult<SslSocket<StreamSocket<TlsWire>>> {
    wire.begin(wait);
    let tls = TlsWire::connect(wire, prepared).map_err(|e| {
        if stalled(&e) {
            NetError::new(ErrorClass::Timeout, handshake_timed_out(&link))
        } else {
            handshake_error(&e, &link.remote)
        }
    })?;
    let session = Session::of(&tls.connection);
    Ok(SslSocket::new(StreamSocket::attach(tls, link), session))
}

impl TcpSocket<StreamSocket<Wire>> {
    /// TCP-STARTTLS, SSL-UPGRADE: wraps this connection in TLS. Afterwards this handle is
    /// invalid (Closed on use, `connected?` false) and the returned socket is live. With unread
    /// plaintext buffered it raises TlsError and does not upgrade (IO-STARTTLS-BUFFER).
    pub fn starttls(&mut self, options: &TlsOptions) -> NetResult<SslSocket<StreamSocket<TlsWire>>> {
        let prepared = self.prepare_upgrade(options)?;
        let (wire, link) = self.detach()?;
        let wait = link.timeout;
        handshake(wire, link, prepared, wait)
    }
}

impl TlsWire {
    /// Writes and reads until the handshake is complete. A peer that closes first is
    /// `UnexpectedEof`, a TLS failure `InvalidData` carrying the `rustls::Error`, as tokio-rustls
    /// reports them.
    fn connect(wire: Wire, prepared: Prepared) -> io::Result<Self> {
        let connection =
            ClientConnection::new(prepared.config, prepared.server_name).map_err(io::Error::other)?;
        let mut tls = Self { connection, wire };
        loop {
            tls.flush()?;
            if !tls.connection.is_handshaking() {
                return Ok(tls);
            }
            if tls.connection.read_tls(&mut tls.wire)? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "tls handshake eof"));
            }
            tls.process()?;
        }
    }

    /// Processes the records read; on a TLS failure, tries to tell the peer with an alert first.
    fn process(&mut self) -> io::Result<()> {
        if let Err(error) = self.connection.process_new_packets() {
            let _ = self.connection.write_tls(&mut self.wire);
            return Err(io::Error::new(io::ErrorKind::InvalidData, error));
        }
        Ok(())
    }

    /// Writes every TLS record waiting to go.
    fn flush(&mut self) -> io::Result<()> {
        while self.connection.wants_write() {
            if self.connection.write_tls(&mut self.wire)? == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
        }
        Ok(())
    }
}

impl Channel for TlsWire {
    fn begin(&mut self, wait: Option<Duration>) {
        self.wire.begin(wait);
    }

    /// Plaintext already decrypted comes first; otherwise records are read until some arrives
    /// (whatever `all` says: records come whole). A close_notify is end of stream; a TCP end
    /// without it is `UnexpectedEof` (D11).
    fn read_into(&mut self, buf: &mut BytesMut, want: usize, _all: bool) -> io::Result<usize> {
        loop {
            let mut reader = self.connection.reader();
            match reader.fill_buf() {
                Ok(plaintext) => {
                    let n = plaintext.len().min(want);
                    buf.extend_from_slice(&plaintext[..n]);
                    reader.consume(n);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.connection.read_tls(&mut self.wire)?;
                    self.process()?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Records left over by a call that timed out go first, so rustls has room for `bytes`.
    fn write_some(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.flush()?;
        let accepted = self.connection.writer().write(bytes)?;
        self.flush()?;
        Ok(accepted)
    }

    fn write_every(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            match self.write_some(bytes)? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => bytes = &bytes[n..],
            }
        }
        Ok(())
    }

    /// Sends close_notify, then ends the TCP stream's sending side (a stream the peer already
    /// reset has nothing left to end).
    fn shutdown_send(&mut self) -> io::Result<()> {
        self.connection.send_close_notify();
        self.flush()?;
        match self.wire.shutdown_send() {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            ended => ended,
        }
    }
}
