//! `puck.uno/socket/udp`: connectionless datagrams.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Endpoint, ErrorClass, NetError, NetResult};
use crate::options::{self, CallOpts};
use crate::permissions::Permissions;
use crate::stream::ip_text;
use crate::transport::Transport;
use crate::wait::{self, seconds};

/// The largest UDP payload over IPv4.
pub const MAX_DATAGRAM: usize = 65_507;

/// A datagram and its sender, as `recv_from` returns it: `[bytes, host, port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    pub bytes: Vec<u8>,
    pub host: String,
    pub port: u16,
}

/// The default peer of a socket made with `%net.udp(host, port)`.
#[derive(Debug, Clone)]
struct DefaultPeer {
    named: Endpoint,
    addr: SocketAddr,
}

/// A UDP socket. Every datagram is independent (UDP-DATAGRAM); every send checks its target
/// against `--allow-net` (UDP-PERM-SEND, PERM-UDP-PEER).
pub struct UdpSocket<T: Transport> {
    socket: Option<T::UdpSocket>,
    transport: T,
    permissions: Arc<Permissions>,
    peer: Option<DefaultPeer>,
    local: SocketAddr,
    timeout: Option<Duration>,
}

impl<T: Transport> UdpSocket<T> {
    pub(crate) fn new(
        socket: T::UdpSocket,
        transport: T,
        permissions: Arc<Permissions>,
        peer: Option<(Endpoint, SocketAddr)>,
        timeout: Option<Duration>,
    ) -> NetResult<Self> {
        let local = T::udp_addr(&socket)
            .map_err(|e| NetError::from_io(&e, "bind udp", &Endpoint::new("0.0.0.0", 0)))?;
        let peer = peer.map(|(named, addr)| DefaultPeer { named, addr });
        Ok(Self { socket: Some(socket), transport, permissions, peer, local, timeout })
    }

    /// UDP-SEND: one datagram to the default peer; returns the bytes sent. Without a default
    /// peer, or over 65,507 bytes, an ArgumentError (DEC-UDP-ARGUMENTS).
    pub async fn send(&self, bytes: &[u8]) -> NetResult<usize> {
        let Some(peer) = &self.peer else {
            return Err(NetError::argument(
                "peer",
                format!("send on udp socket {}: no default peer; use send_to", self.endpoint()),
            ));
        };
        self.permissions.check_connect(&peer.named.host, peer.named.port)?;
        self.send_datagram(bytes, peer.addr, &peer.named).await
    }

    /// UDP-SEND-TO: one datagram to `host:port`; returns the bytes sent.
    pub async fn send_to(&self, bytes: &[u8], host: &str, port: i64) -> NetResult<usize> {
        let target = options::remote(host, port)?;
        self.usable("send_to")?;
        self.permissions.check_connect(&target.host, target.port)?;
        let addr = self
            .transport
            .lookup_host(&target.host, target.port)
            .await
            .map_err(|e| NetError::from_io(&e, "resolve", &target))?
            .into_iter()
            .find(|addr| addr.is_ipv4() == self.local.is_ipv4())
            .ok_or_else(|| {
                NetError::new(
                    ErrorClass::HostNotFound,
                    format!("resolve {target}: no address of the socket's family"),
                )
            })?;
        self.send_datagram(bytes, addr, &target).await
    }

    /// UDP-RECV: the next datagram (from the default peer, if set: IO-UDP-PEER-FILTER), cut to
    /// `max_bytes` (IO-UDP-TRUNCATE).
    pub async fn recv(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        Ok(self.recv_from(max_bytes, opts).await?.bytes)
    }

    /// UDP-RECV-FROM: the next datagram with its sender's host and port.
    pub async fn recv_from(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Datagram> {
        let max_bytes =
            options::count("max_bytes", max_bytes).and_then(|n| options::positive("max_bytes", n))?;
        let wait = opts.wait(self.timeout)?;
        let socket = self.usable("recv")?;
        let mut buf = vec![0u8; max_bytes.min(MAX_DATAGRAM + 1)];
        let receive = async {
            loop {
                let (n, from) = T::recv_from(socket, &mut buf).await?;
                if self.peer.as_ref().is_none_or(|peer| same_addr(peer.addr, from)) {
                    return Ok::<_, std::io::Error>((n, from));
                }
            }
        };
        let here = self.endpoint();
        let timed_out = || format!("recv on udp socket {here} timed out after {}s", seconds(wait));
        let (n, from) = wait::until(wait::deadline(wait), timed_out, receive)
            .await?
            .map_err(|e| NetError::from_io(&e, "recv on udp socket", &here))?;
        buf.truncate(n);
        Ok(Datagram { bytes: buf, host: ip_text(from.ip()), port: from.port() })
    }

    /// UDP-CLOSE: closes; closing again does nothing; any other use raises Closed.
    pub fn close(&mut self) {
        self.socket = None;
    }

    /// The local IP bound.
    pub fn local_host(&self) -> String {
        ip_text(self.local.ip())
    }

    /// The local port bound (the real one when bound to port 0).
    pub fn local_port(&self) -> u16 {
        self.local.port()
    }

    /// `.timeout` in seconds (`None`: forever), as for tcp; 30 by default (DEC-UDP-PROPERTIES).
    pub fn timeout(&self) -> Option<f64> {
        self.timeout.map(|t| t.as_secs_f64())
    }

    /// Sets `.timeout`; a negative or NaN value is an ArgumentError.
    pub fn set_timeout(&mut self, seconds: Option<f64>) -> NetResult<()> {
        self.timeout = options::timeout_seconds("timeout", seconds)?;
        Ok(())
    }

    async fn send_datagram(&self, bytes: &[u8], addr: SocketAddr, target: &Endpoint) -> NetResult<usize> {
        let socket = self.usable("send")?;
        if bytes.len() > MAX_DATAGRAM {
            return Err(NetError::argument(
                "bytes",
                format!("a datagram to {target} holds at most {MAX_DATAGRAM} bytes, got {}", bytes.len()),
            ));
        }
        T::send_to(socket, bytes, addr).await.map_err(|e| NetError::from_io(&e, "send to", target))
    }

    fn usable(&self, operation: &str) -> NetResult<&T::UdpSocket> {
        self.socket.as_ref().ok_or_else(|| NetError::closed(operation, &self.endpoint()))
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint::new(self.local_host(), self.local_port())
    }
}

/// Addresses equal once IPv4-mapped IPv6 is read as IPv4.
fn same_addr(a: SocketAddr, b: SocketAddr) -> bool {
    a.ip().to_canonical() == b.ip().to_canonical() && a.port() == b.port()
}
