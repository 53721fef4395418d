//! The `%net` surface: the constructors of every socket, holding the engine's permissions.

use std::net::SocketAddr;

use tokio::time::Instant;

use crate::error::{Endpoint, NetResult};
use crate::gate::{self, Dial, Gate};
use crate::listener::TcpListener;
use crate::options::{DEFAULT_TIMEOUT, TimeoutOpt};
use crate::permissions::Permissions;
use crate::stream::StreamSocket;
use crate::tcp::TcpSocket;
use crate::tls::{SslSocket, TlsContext, TlsOptions};
use crate::transport::{BoxedStream, Transport};
use crate::udp::UdpSocket;
use crate::wait;

/// `%net` over a transport. Every constructor validates its arguments, then checks permissions,
/// then does I/O, in that order (PERM-BEFORE-IO): a denied target costs no DNS query, socket or
/// packet.
#[derive(Clone)]
pub struct Net<T: Transport> {
    transport: T,
    gate: Gate,
}

impl<T: Transport> Net<T> {
    /// `%net` with these permissions and the default TLS context.
    pub fn new(transport: T, permissions: Permissions) -> Self {
        Self { transport, gate: Gate::new(permissions) }
    }

    /// The same `%net` with another TLS context (clock, system bundle).
    pub fn with_tls(self, tls: TlsContext) -> Self {
        Self { gate: self.gate.with_tls(tls), ..self }
    }

    /// TCP-OPEN: `%net.tcp(host, port)`, with the default 30 second timeout.
    pub async fn tcp(&self, host: &str, port: i64) -> NetResult<TcpSocket> {
        self.tcp_new(host, port, TimeoutOpt::Inherit).await
    }

    /// TCP-OPEN-NEW: `.new(host:, port:, timeout:)`; `timeout` bounds the connect and is the
    /// socket's initial `.timeout` (absent: 30 seconds; nil: forever).
    pub async fn tcp_new(&self, host: &str, port: i64, timeout: TimeoutOpt) -> NetResult<TcpSocket> {
        let dial = self.gate.dial(host, port, timeout)?;
        let (stream, local) = self.connect(&dial, wait::deadline(dial.timeout)).await?;
        Ok(TcpSocket::new(StreamSocket::attach(stream, dial.link(local)), self.gate.tls().clone()))
    }

    /// SSL-OPEN: `%puck['…/ssl'].new(host:, port:, …options)`: TLS from the first byte, the
    /// handshake done before it returns. `timeout` is as for [`Net::tcp_new`], and bounds the
    /// connect and the handshake together (DEC-SSL-TIMEOUT-SPANS).
    pub async fn ssl(
        &self,
        host: &str,
        port: i64,
        timeout: TimeoutOpt,
        options: &TlsOptions,
    ) -> NetResult<SslSocket> {
        let (dial, prepared) = self.gate.dial_tls(host, port, timeout, options)?;
        let deadline = wait::deadline(dial.timeout);
        let (stream, local) = self.connect(&dial, deadline).await?;
        SslSocket::handshake(stream, dial.link(local), prepared, deadline).await
    }

    /// LST-OPEN: `%net.tcp_listen(host, port)`; port 0 binds an ephemeral port. The bind target
    /// is checked against `--allow-listen` first (LST-PERM); an address not the machine's is an
    /// ArgumentError naming it (DEC-LISTEN-LOCAL).
    pub async fn tcp_listen(&self, host: &str, port: i64) -> NetResult<TcpListener<T>> {
        let here = self.gate.listen(host, port)?;
        let addr = self.resolve_one(&here).await?;
        let listen_error = |e| gate::listen_error(&e, &here);
        let listener = self.transport.bind_listener(addr).await.map_err(listen_error)?;
        let local = T::listener_addr(&listener).map_err(listen_error)?;
        Ok(TcpListener::new(listener, local, self.gate.tls().clone()))
    }

    /// UDP-OPEN, DEC-UDP-BIND: `%net.udp`: the wildcard address on an ephemeral port, and no
    /// default peer.
    pub async fn udp(&self) -> NetResult<UdpSocket<T>> {
        let (any, named) = gate::udp_anywhere();
        self.udp_socket(any, None, &named).await
    }

    /// UDP-OPEN-PEER: `%net.udp(host, port)`: a default peer, checked against `--allow-net` now
    /// (PERM-UDP-PEER) and resolved once.
    pub async fn udp_peer(&self, host: &str, port: i64) -> NetResult<UdpSocket<T>> {
        let target = self.gate.udp_peer(host, port)?;
        let peer = self.resolve_one(&target).await?;
        self.udp_socket(gate::udp_bind_for(peer), Some((target.clone(), peer)), &target).await
    }

    /// UDP-LISTEN: `%net.udp_listen(host, port)`, checked against `--allow-listen`.
    pub async fn udp_listen(&self, host: &str, port: i64) -> NetResult<UdpSocket<T>> {
        let here = self.gate.listen(host, port)?;
        let addr = self.resolve_one(&here).await?;
        self.udp_socket(addr, None, &here).await
    }

    async fn udp_socket(
        &self,
        bind: SocketAddr,
        peer: Option<(Endpoint, SocketAddr)>,
        named: &Endpoint,
    ) -> NetResult<UdpSocket<T>> {
        let socket = self.transport.bind_udp(bind).await.map_err(|e| gate::udp_bind_error(&e, named))?;
        let local = T::udp_addr(&socket);
        UdpSocket::new(socket, self.transport.clone(), local, self.gate.permissions(), peer, DEFAULT_TIMEOUT)
    }

    /// Resolves and connects to the first address that answers, all within the dial's timeout
    /// (TCP-OPEN-TIMEOUT).
    /// Connects to the first of `dial`'s addresses that answers, by `deadline`.
    async fn connect(&self, dial: &Dial, deadline: Option<Instant>) -> NetResult<(BoxedStream, SocketAddr)> {
        let connect = async {
            let mut last_error = gate::no_address(&dial.target);
            for addr in self.resolve(&dial.target).await? {
                match self.transport.connect(addr).await {
                    Ok(connected) => return Ok((connected.stream, connected.local)),
                    Err(e) => last_error = dial.connect_error(&e),
                }
            }
            Err(last_error)
        };
        wait::until(deadline, || dial.timed_out(), connect).await?
    }

    async fn resolve_one(&self, target: &Endpoint) -> NetResult<SocketAddr> {
        gate::first_address(target, self.resolve(target).await?)
    }

    /// TCP-OPEN-DNS: every resolution failure is HostNotFound.
    async fn resolve(&self, target: &Endpoint) -> NetResult<Vec<SocketAddr>> {
        self.transport
            .lookup_host(&target.host, target.port)
            .await
            .map_err(|e| gate::resolve_error(target, &e))
    }
}
