//! The synchronous surface the spec describes, over OS sockets.
//!
//! Every call blocks the calling thread until the operation completes, exactly as the async
//! operation it wraps (same errors, same timeouts). Each [`Net`] owns a single-threaded tokio
//! runtime that its sockets share.

use std::io;
use std::ops::DerefMut;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use tokio::runtime::Runtime;

use crate::error::NetResult;
use crate::options::{CallOpts, TimeoutOpt};
use crate::peer_cert::PeerCert;
use crate::permissions::Permissions;
use crate::stream::StreamSocket;
use crate::tls::{TlsContext, TlsOptions};
use crate::transport::os::OsTransport;
use crate::udp::Datagram;

/// A socket of the async reference, driven to completion on its `Net`'s runtime.
pub struct Blocking<S> {
    runtime: Arc<Runtime>,
    inner: S,
}

/// A blocking tcp socket.
pub type TcpSocket = Blocking<crate::tcp::TcpSocket>;
/// A blocking ssl socket.
pub type SslSocket = Blocking<crate::tls::SslSocket>;
/// A blocking listener.
pub type TcpListener = Blocking<crate::listener::TcpListener<OsTransport>>;
/// A blocking udp socket.
pub type UdpSocket = Blocking<crate::udp::UdpSocket<OsTransport>>;

/// `%net` over OS sockets, blocking.
pub struct Net {
    runtime: Arc<Runtime>,
    net: crate::Net<OsTransport>,
}

impl Net {
    /// A `%net` holding `permissions`. Fails only if the OS refuses the runtime's resources.
    pub fn new(permissions: Permissions) -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(Self { runtime: Arc::new(runtime), net: crate::Net::new(OsTransport, permissions) })
    }

    /// The same `%net` with another TLS context.
    pub fn with_tls(self, tls: TlsContext) -> Self {
        Self { net: self.net.with_tls(tls), ..self }
    }

    pub fn tcp(&self, host: &str, port: i64) -> NetResult<TcpSocket> {
        self.wrap(self.net.tcp(host, port))
    }

    pub fn tcp_new(&self, host: &str, port: i64, timeout: TimeoutOpt) -> NetResult<TcpSocket> {
        self.wrap(self.net.tcp_new(host, port, timeout))
    }

    pub fn ssl(
        &self,
        host: &str,
        port: i64,
        timeout: TimeoutOpt,
        options: &TlsOptions,
    ) -> NetResult<SslSocket> {
        self.wrap(self.net.ssl(host, port, timeout, options))
    }

    pub fn tcp_listen(&self, host: &str, port: i64) -> NetResult<TcpListener> {
        self.wrap(self.net.tcp_listen(host, port))
    }

    pub fn udp(&self) -> NetResult<UdpSocket> {
        self.wrap(self.net.udp())
    }

    pub fn udp_peer(&self, host: &str, port: i64) -> NetResult<UdpSocket> {
        self.wrap(self.net.udp_peer(host, port))
    }

    pub fn udp_listen(&self, host: &str, port: i64) -> NetResult<UdpSocket> {
        self.wrap(self.net.udp_listen(host, port))
    }

    fn wrap<S>(&self, open: impl Future<Output = NetResult<S>>) -> NetResult<Blocking<S>> {
        let inner = run_on(&self.runtime, open)?;
        Ok(Blocking { runtime: self.runtime.clone(), inner })
    }
}

/// Drives `operation` to completion on `runtime`. An operation that completes without waiting
/// (a frame already buffered) completes on its first poll, without entering the scheduler.
fn run_on<T>(runtime: &Runtime, operation: impl Future<Output = T>) -> T {
    let _context = runtime.enter();
    let mut operation = pin!(operation);
    if let Poll::Ready(done) = operation.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        return done;
    }
    runtime.block_on(operation)
}

impl<S> Blocking<S> {
    fn run<T>(&self, operation: impl Future<Output = T>) -> T {
        run_on(&self.runtime, operation)
    }
}

/// The stream surface, shared by tcp and ssl (SSL-SURFACE).
impl<S: DerefMut<Target = StreamSocket>> Blocking<S> {
    pub fn send(&mut self, bytes: &[u8]) -> NetResult<usize> {
        run_on(&self.runtime, self.inner.send(bytes))
    }

    pub fn send_all(&mut self, bytes: &[u8]) -> NetResult<()> {
        run_on(&self.runtime, self.inner.send_all(bytes))
    }

    pub fn recv(&mut self, max_bytes: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        run_on(&self.runtime, self.inner.recv(max_bytes, opts))
    }

    pub fn recv_line(&mut self, opts: CallOpts) -> NetResult<Vec<u8>> {
        run_on(&self.runtime, self.inner.recv_line(opts))
    }

    pub fn recv_exact(&mut self, n: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        run_on(&self.runtime, self.inner.recv_exact(n, opts))
    }

    pub fn close(&mut self) {
        run_on(&self.runtime, self.inner.close())
    }

    pub fn shutdown(&mut self, direction: &str) -> NetResult<()> {
        run_on(&self.runtime, self.inner.shutdown(direction))
    }

    pub fn host(&self) -> &str {
        self.inner.host()
    }

    pub fn port(&self) -> u16 {
        self.inner.port()
    }

    pub fn local_host(&self) -> String {
        self.inner.local_host()
    }

    pub fn local_port(&self) -> u16 {
        self.inner.local_port()
    }

    pub fn is_connected(&self) -> bool {
        self.inner.is_connected()
    }

    pub fn timeout(&self) -> Option<f64> {
        self.inner.timeout()
    }

    pub fn set_timeout(&mut self, seconds: Option<f64>) -> NetResult<()> {
        self.inner.set_timeout(seconds)
    }
}

impl TcpSocket {
    pub fn starttls(&mut self, options: &TlsOptions) -> NetResult<SslSocket> {
        let inner = run_on(&self.runtime, self.inner.starttls(options.clone()))?;
        Ok(Blocking { runtime: self.runtime.clone(), inner })
    }
}

impl SslSocket {
    pub fn peer_cert(&self) -> NetResult<&PeerCert> {
        self.inner.peer_cert()
    }

    pub fn cipher(&self) -> &str {
        self.inner.cipher()
    }

    pub fn protocol(&self) -> &str {
        self.inner.protocol()
    }
}

impl TcpListener {
    pub fn accept(&self, opts: CallOpts) -> NetResult<TcpSocket> {
        let inner = self.run(self.inner.accept(opts))?;
        Ok(Blocking { runtime: self.runtime.clone(), inner })
    }

    pub fn close(&mut self) {
        self.inner.close()
    }

    pub fn local_host(&self) -> String {
        self.inner.local_host()
    }

    pub fn local_port(&self) -> u16 {
        self.inner.local_port()
    }
}

impl UdpSocket {
    pub fn send(&self, bytes: &[u8]) -> NetResult<usize> {
        run_on(&self.runtime, self.inner.send(bytes))
    }

    pub fn send_to(&self, bytes: &[u8], host: &str, port: i64) -> NetResult<usize> {
        self.run(self.inner.send_to(bytes, host, port))
    }

    pub fn recv(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        run_on(&self.runtime, self.inner.recv(max_bytes, opts))
    }

    pub fn recv_from(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Datagram> {
        self.run(self.inner.recv_from(max_bytes, opts))
    }

    pub fn close(&mut self) {
        self.inner.close()
    }

    pub fn local_host(&self) -> String {
        self.inner.local_host()
    }

    pub fn local_port(&self) -> u16 {
        self.inner.local_port()
    }
}
