//! `puck.uno/socket/udp`: connectionless datagrams. [`UdpState`] is the sans-IO half, shared by
//! both surfaces; [`UdpSocket`] drives it over a transport.

use std::io;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Endpoint, ErrorClass, NetError, NetResult};
use crate::options::{self, CallOpts};
use crate::permissions::Permissions;
use crate::stream_state::ip_text;
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

/// A receive call, checked: how long it may wait and how large a buffer it reads into.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UdpReceive {
    pub wait: Option<Duration>,
    pub capacity: usize,
}

/// The state of one udp socket and its properties. Every datagram is independent
/// (UDP-DATAGRAM); every send checks its target against `--allow-net` (UDP-PERM-SEND,
/// PERM-UDP-PEER).
#[derive(Debug)]
pub struct UdpState {
    permissions: Arc<Permissions>,
    peer: Option<DefaultPeer>,
    local: SocketAddr,
    timeout: Option<Duration>,
}

impl UdpState {
    /// The state of a socket just bound (`local` is what the OS says it bound).
    pub(crate) fn new(
        local: io::Result<SocketAddr>,
        permissions: &Arc<Permissions>,
        peer: Option<(Endpoint, SocketAddr)>,
        timeout: Duration,
    ) -> NetResult<Self> {
        let local = local.map_err(|e| NetError::from_io(&e, "bind udp", &Endpoint::new("0.0.0.0", 0)))?;
        let peer = peer.map(|(named, addr)| DefaultPeer { named, addr });
        Ok(Self { permissions: permissions.clone(), peer, local, timeout: Some(timeout) })
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

    /// UDP-SEND: the default peer, checked against `--allow-net` (it may have been revoked).
    pub(crate) fn plan_send(&self) -> NetResult<(SocketAddr, &Endpoint)> {
        let Some(peer) = &self.peer else {
            return Err(NetError::argument(
                "peer",
                format!("send on udp socket {}: no default peer; use send_to", self.endpoint()),
            ));
        };
        self.permissions.check_connect(&peer.named.host, peer.named.port)?;
        Ok((peer.addr, &peer.named))
    }

    /// UDP-SEND-TO: the target validated, the socket open, the target allowed; it still needs
    /// resolving ([`UdpState::pick_address`]).
    pub(crate) fn plan_send_to<H>(&self, host: &str, port: i64, socket: Option<&H>) -> NetResult<Endpoint> {
        let target = options::remote(host, port)?;
        self.usable("send_to", socket)?;
        self.permissions.check_connect(&target.host, target.port)?;
        Ok(target)
    }

    /// The address of `target` to send to: the first of the socket's family.
    pub(crate) fn pick_address(
        &self,
        target: &Endpoint,
        resolved: io::Result<Vec<SocketAddr>>,
    ) -> NetResult<SocketAddr> {
        resolved
            .map_err(|e| NetError::from_io(&e, "resolve", target))?
            .into_iter()
            .find(|addr| addr.is_ipv4() == self.local.is_ipv4())
            .ok_or_else(|| {
                NetError::new(
                    ErrorClass::HostNotFound,
                    format!("resolve {target}: no address of the socket's family"),
                )
            })
    }

    /// Checks one datagram to `target` before it is sent: the socket open, the size allowed.
    pub(crate) fn check_datagram<'h, H>(
        &self,
        bytes: &[u8],
        target: &Endpoint,
        socket: Option<&'h H>,
    ) -> NetResult<&'h H> {
        let socket = self.usable("send", socket)?;
        if bytes.len() > MAX_DATAGRAM {
            return Err(NetError::argument(
                "bytes",
                format!("a datagram to {target} holds at most {MAX_DATAGRAM} bytes, got {}", bytes.len()),
            ));
        }
        Ok(socket)
    }

    /// A datagram that could not be sent to `target`.
    pub(crate) fn send_error(error: &io::Error, target: &Endpoint) -> NetError {
        NetError::from_io(error, "send to", target)
    }

    /// UDP-RECV-FROM: checks `recv_from(max_bytes, opts)` (arguments first, D16).
    pub(crate) fn plan_recv<'h, H>(
        &self,
        max_bytes: i64,
        opts: CallOpts,
        socket: Option<&'h H>,
    ) -> NetResult<(UdpReceive, &'h H)> {
        let max_bytes =
            options::count("max_bytes", max_bytes).and_then(|n| options::positive("max_bytes", n))?;
        let wait = opts.wait(self.timeout)?;
        let socket = self.usable("recv", socket)?;
        Ok((UdpReceive { wait, capacity: max_bytes.min(MAX_DATAGRAM + 1) }, socket))
    }

    /// IO-UDP-PEER-FILTER: whether a datagram from `from` is for this socket.
    pub(crate) fn accepts(&self, from: SocketAddr) -> bool {
        self.peer.as_ref().is_none_or(|peer| same_addr(peer.addr, from))
    }

    /// The message of a receive that waited `wait` in vain.
    pub(crate) fn recv_timed_out(&self, wait: Option<Duration>) -> String {
        format!("recv on udp socket {} timed out after {}s", self.endpoint(), seconds(wait))
    }

    /// A receive that failed.
    pub(crate) fn recv_error(&self, error: &io::Error) -> NetError {
        NetError::from_io(error, "recv on udp socket", &self.endpoint())
    }

    /// The socket, unless closed: any use of a closed socket raises Closed (UDP-CLOSE).
    pub(crate) fn usable<'h, H>(&self, operation: &str, socket: Option<&'h H>) -> NetResult<&'h H> {
        socket.ok_or_else(|| NetError::closed(operation, &self.endpoint()))
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint::new(self.local_host(), self.local_port())
    }
}

/// IO-UDP-TRUNCATE: the datagram received into `buf` (cut to its length), with its sender.
pub(crate) fn datagram(mut buf: Vec<u8>, received: usize, from: SocketAddr) -> Datagram {
    buf.truncate(received);
    Datagram { bytes: buf, host: ip_text(from.ip()), port: from.port() }
}

/// Addresses equal once IPv4-mapped IPv6 is read as IPv4.
fn same_addr(a: SocketAddr, b: SocketAddr) -> bool {
    a.ip().to_canonical() == b.ip().to_canonical() && a.port() == b.port()
}

/// A UDP socket over a transport: [`UdpState`] (through `Deref`) driven by async I/O.
pub struct UdpSocket<T: Transport> {
    socket: Option<T::UdpSocket>,
    transport: T,
    state: UdpState,
}

impl<T: Transport> UdpSocket<T> {
    pub(crate) fn new(
        socket: T::UdpSocket,
        transport: T,
        local: io::Result<SocketAddr>,
        permissions: &Arc<Permissions>,
        peer: Option<(Endpoint, SocketAddr)>,
        timeout: Duration,
    ) -> NetResult<Self> {
        let state = UdpState::new(local, permissions, peer, timeout)?;
        Ok(Self { socket: Some(socket), transport, state })
    }

    /// UDP-SEND: one datagram to the default peer; returns the bytes sent. Without a default
    /// peer, or over 65,507 bytes, an ArgumentError (DEC-UDP-ARGUMENTS).
    pub async fn send(&self, bytes: &[u8]) -> NetResult<usize> {
        let (addr, target) = self.state.plan_send()?;
        self.send_datagram(bytes, addr, target).await
    }

    /// UDP-SEND-TO: one datagram to `host:port`; returns the bytes sent.
    pub async fn send_to(&self, bytes: &[u8], host: &str, port: i64) -> NetResult<usize> {
        let target = self.state.plan_send_to(host, port, self.socket.as_ref())?;
        let resolved = self.transport.lookup_host(&target.host, target.port).await;
        let addr = self.state.pick_address(&target, resolved)?;
        self.send_datagram(bytes, addr, &target).await
    }

    /// UDP-RECV: the next datagram (from the default peer, if set: IO-UDP-PEER-FILTER), cut to
    /// `max_bytes` (IO-UDP-TRUNCATE).
    pub async fn recv(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        Ok(self.recv_from(max_bytes, opts).await?.bytes)
    }

    /// UDP-RECV-FROM: the next datagram with its sender's host and port.
    pub async fn recv_from(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Datagram> {
        let (call, socket) = self.state.plan_recv(max_bytes, opts, self.socket.as_ref())?;
        let mut buf = vec![0u8; call.capacity];
        let receive = async {
            loop {
                let (n, from) = T::recv_from(socket, &mut buf).await?;
                if self.state.accepts(from) {
                    return Ok::<_, io::Error>((n, from));
                }
            }
        };
        let timed_out = || self.state.recv_timed_out(call.wait);
        let (n, from) = wait::until(wait::deadline(call.wait), timed_out, receive)
            .await?
            .map_err(|e| self.state.recv_error(&e))?;
        Ok(datagram(buf, n, from))
    }

    /// UDP-CLOSE: closes; closing again does nothing; any other use raises Closed.
    pub fn close(&mut self) {
        self.socket = None;
    }

    async fn send_datagram(&self, bytes: &[u8], addr: SocketAddr, target: &Endpoint) -> NetResult<usize> {
        let socket = self.state.check_datagram(bytes, target, self.socket.as_ref())?;
        T::send_to(socket, bytes, addr).await.map_err(|e| UdpState::send_error(&e, target))
    }
}

impl<T: Transport> Deref for UdpSocket<T> {
    type Target = UdpState;
    fn deref(&self) -> &UdpState {
        &self.state
    }
}

impl<T: Transport> DerefMut for UdpSocket<T> {
    fn deref_mut(&mut self) -> &mut UdpState {
        &mut self.state
    }
}
