//! The `%net` surface: the constructors of every socket, holding the engine's permissions.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use crate::error::{Endpoint, ErrorClass, NetError, NetResult};
use crate::listener::TcpListener;
use crate::options::{self, DEFAULT_TIMEOUT, TimeoutOpt};
use crate::permissions::Permissions;
use crate::stream::{Detached, StreamSocket};
use crate::tcp::TcpSocket;
use crate::tls::{SslSocket, TlsContext, TlsOptions};
use crate::transport::{Connected, Transport};
use crate::udp::UdpSocket;
use crate::wait;

/// `%net` over a transport. Every constructor validates its arguments, then checks permissions,
/// then does I/O, in that order (PERM-BEFORE-IO): a denied target costs no DNS query, socket or
/// packet.
#[derive(Clone)]
pub struct Net<T: Transport> {
    transport: T,
    permissions: Arc<Permissions>,
    tls: TlsContext,
}

impl<T: Transport> Net<T> {
    /// `%net` with these permissions and the default TLS context.
    pub fn new(transport: T, permissions: Permissions) -> Self {
        Self { transport, permissions: Arc::new(permissions), tls: TlsContext::default() }
    }

    /// The same `%net` with another TLS context (clock, system bundle).
    pub fn with_tls(mut self, tls: TlsContext) -> Self {
        self.tls = tls;
        self
    }

    /// TCP-OPEN: `%net.tcp(host, port)`, with the default 30 second timeout.
    pub async fn tcp(&self, host: &str, port: i64) -> NetResult<TcpSocket> {
        self.tcp_new(host, port, TimeoutOpt::Inherit).await
    }

    /// TCP-OPEN-NEW: `.new(host:, port:, timeout:)`; `timeout` bounds the connect and is the
    /// socket's initial `.timeout` (absent: 30 seconds; nil: forever).
    pub async fn tcp_new(&self, host: &str, port: i64, timeout: TimeoutOpt) -> NetResult<TcpSocket> {
        let detached = self.open_stream(host, port, timeout).await?;
        Ok(TcpSocket::new(StreamSocket::attach(detached), self.tls.clone()))
    }

    /// SSL-OPEN: `%puck['…/ssl'].new(host:, port:, …options)`: TLS from the first byte, the
    /// handshake done before it returns. `timeout` is as for [`Net::tcp_new`].
    pub async fn ssl(
        &self,
        host: &str,
        port: i64,
        timeout: TimeoutOpt,
        options: &TlsOptions,
    ) -> NetResult<SslSocket> {
        let remote = options::remote(host, port)?;
        let prepared = self.tls.prepare(options, &remote)?;
        let detached = self.open_stream(host, port, timeout).await?;
        SslSocket::handshake(detached, prepared).await
    }

    /// LST-OPEN: `%net.tcp_listen(host, port)`; port 0 binds an ephemeral port. The bind target
    /// is checked against `--allow-listen` first (LST-PERM); an address not the machine's is an
    /// ArgumentError naming it (DEC-LISTEN-LOCAL).
    pub async fn tcp_listen(&self, host: &str, port: i64) -> NetResult<TcpListener<T>> {
        let (addr, here) = self.bind_target(host, port).await?;
        let listener = self
            .transport
            .bind_listener(addr)
            .await
            .map_err(|e| NetError::from_io(&e, "listen on", &here))?;
        let local = T::listener_addr(&listener).map_err(|e| NetError::from_io(&e, "listen on", &here))?;
        Ok(TcpListener::new(listener, local, self.tls.clone()))
    }

    /// UDP-OPEN: `%net.udp`: an ephemeral local port and no default peer.
    pub async fn udp(&self) -> NetResult<UdpSocket<T>> {
        let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
        self.udp_socket(any, None, &Endpoint::new("0.0.0.0", 0)).await
    }

    /// UDP-OPEN-PEER: `%net.udp(host, port)`: a default peer, checked against `--allow-net` now
    /// (PERM-UDP-PEER) and resolved once.
    pub async fn udp_peer(&self, host: &str, port: i64) -> NetResult<UdpSocket<T>> {
        let target = options::remote(host, port)?;
        self.permissions.check_connect(&target.host, target.port)?;
        let peer = *self.resolve(&target).await?.first().ok_or_else(|| no_address(&target))?;
        let unspecified = if peer.is_ipv4() {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        };
        self.udp_socket(SocketAddr::new(unspecified, 0), Some((target.clone(), peer)), &target).await
    }

    /// UDP-LISTEN: `%net.udp_listen(host, port)`, checked against `--allow-listen`
    /// (UDP-PERM-LISTEN).
    pub async fn udp_listen(&self, host: &str, port: i64) -> NetResult<UdpSocket<T>> {
        let (addr, here) = self.bind_target(host, port).await?;
        self.udp_socket(addr, None, &here).await
    }

    async fn udp_socket(
        &self,
        bind: SocketAddr,
        peer: Option<(Endpoint, SocketAddr)>,
        named: &Endpoint,
    ) -> NetResult<UdpSocket<T>> {
        let socket =
            self.transport.bind_udp(bind).await.map_err(|e| NetError::from_io(&e, "bind udp for", named))?;
        UdpSocket::new(socket, self.transport.clone(), self.permissions.clone(), peer, Some(DEFAULT_TIMEOUT))
    }

    /// Validates, checks `--allow-net` before any lookup (TCP-OPEN-DENIED), resolves and connects,
    /// all within the connect timeout (TCP-OPEN-TIMEOUT). A refused connect to every address is
    /// ConnectionRefused (TCP-OPEN-REFUSED).
    async fn open_stream(&self, host: &str, port: i64, timeout: TimeoutOpt) -> NetResult<Detached> {
        let target = options::remote(host, port)?;
        let timeout = match timeout {
            TimeoutOpt::Inherit => Some(DEFAULT_TIMEOUT),
            TimeoutOpt::Forever => None,
            TimeoutOpt::Seconds(s) => options::timeout_seconds("timeout", Some(s))?,
        };
        self.permissions.check_connect(&target.host, target.port)?;
        let connect = async {
            let mut last_error = no_address(&target);
            for addr in self.resolve(&target).await? {
                match self.transport.connect(addr).await {
                    Ok(connected) => return Ok(connected),
                    Err(e) => last_error = NetError::from_io(&e, "connect to", &target),
                }
            }
            Err(last_error)
        };
        let timed_out = || format!("connect to {target} timed out after {}s", wait::seconds(timeout));
        let connected: Connected = wait::until(wait::deadline(timeout), timed_out, connect).await??;
        Ok(Detached { stream: connected.stream, remote: target, local: connected.local, timeout })
    }

    /// Validates and checks `--allow-listen`, then resolves the bind host.
    async fn bind_target(&self, host: &str, port: i64) -> NetResult<(SocketAddr, Endpoint)> {
        let here = options::local(host, port)?;
        self.permissions.check_listen(&here.host, here.port)?;
        let addr = *self.resolve(&here).await?.first().ok_or_else(|| no_address(&here))?;
        Ok((addr, here))
    }

    /// TCP-OPEN-DNS: every resolution failure is HostNotFound.
    async fn resolve(&self, target: &Endpoint) -> NetResult<Vec<SocketAddr>> {
        self.transport
            .lookup_host(&target.host, target.port)
            .await
            .map_err(|e| NetError::new(ErrorClass::HostNotFound, format!("resolve {target}: {e}")))
    }
}

fn no_address(target: &Endpoint) -> NetError {
    NetError::new(ErrorClass::HostNotFound, format!("resolve {target}: no address"))
}
