//! The synchronous surface the spec describes, on blocking OS sockets.
//!
//! Every call blocks the calling thread until it completes. The checks, the errors and their
//! messages, and the framing are those of the async surface, shared with it: the sans-IO gate
//! of `%net`, [`StreamState`](crate::stream_state::StreamState),
//! [`Listening`] and [`UdpState`] decide, and
//! this module only drives std sockets for them. Timeouts are socket timeouts, set only when
//! they change; a call's deadline bounds the whole call (see [`Wire`]). TLS is rustls's
//! synchronous client. No runtime, no thread per call (a name that needs the system resolver, while
//! connecting, is looked up on a helper thread so that the connect timeout bounds it).

mod listener;
mod stream;
#[cfg(test)]
mod tests;
mod tls;
mod udp;
mod wire;

use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Instant;

pub use listener::TcpListener;
pub use stream::{Channel, StreamSocket};
pub use tls::TlsWire;
pub use udp::UdpSocket;
pub use wire::Wire;

use crate::error::{Endpoint, ErrorClass, NetError, NetResult};
use crate::gate::{self, Dial, Gate};
use crate::listener::Listening;
use crate::options::{DEFAULT_TIMEOUT, TimeoutOpt};
use crate::permissions::Permissions;
use crate::tls::{TlsContext, TlsOptions};
use crate::transport::answer_locally;
use crate::transport::os::system_lookup;
use crate::udp::UdpState;
use wire::{Budget, Slice, stalled};

/// A blocking tcp socket.
pub type TcpSocket = crate::tcp::TcpSocket<StreamSocket<Wire>>;
/// A blocking ssl socket.
pub type SslSocket = crate::tls::SslSocket<StreamSocket<TlsWire>>;

/// `%net` over OS sockets, blocking. Every constructor validates its arguments, then checks
/// permissions, then does I/O, in that order (PERM-BEFORE-IO).
#[derive(Clone)]
pub struct Net {
    gate: Gate,
}

impl Net {
    /// `%net` with these permissions and the default TLS context.
    pub fn new(permissions: Permissions) -> Self {
        Self { gate: Gate::new(permissions) }
    }

    /// The same `%net` with another TLS context.
    pub fn with_tls(self, tls: TlsContext) -> Self {
        Self { gate: self.gate.with_tls(tls) }
    }

    /// TCP-OPEN: `%net.tcp(host, port)`, with the default 30 second timeout.
    pub fn tcp(&self, host: &str, port: i64) -> NetResult<TcpSocket> {
        self.tcp_new(host, port, TimeoutOpt::Inherit)
    }

    /// TCP-OPEN-NEW: `.new(host:, port:, timeout:)`; `timeout` bounds the connect and is the
    /// socket's initial `.timeout` (absent: 30 seconds; nil: forever).
    pub fn tcp_new(&self, host: &str, port: i64, timeout: TimeoutOpt) -> NetResult<TcpSocket> {
        let dial = self.gate.dial(host, port, timeout)?;
        let (wire, local) = connect(&dial)?;
        Ok(TcpSocket::new(StreamSocket::attach(wire, dial.link(local)), self.gate.tls().clone()))
    }

    /// SSL-OPEN: TLS from the first byte, the handshake done before it returns. `timeout` is as
    /// for [`Net::tcp_new`], and bounds the connect and the handshake together
    /// (DEC-SSL-TIMEOUT-SPANS).
    pub fn ssl(
        &self,
        host: &str,
        port: i64,
        timeout: TimeoutOpt,
        options: &TlsOptions,
    ) -> NetResult<SslSocket> {
        let (dial, prepared) = self.gate.dial_tls(host, port, timeout, options)?;
        let started = Instant::now();
        let (wire, local) = connect(&dial)?;
        let left = dial.timeout.map(|timeout| timeout.saturating_sub(started.elapsed()));
        tls::handshake(wire, dial.link(local), prepared, left)
    }

    /// LST-OPEN: `%net.tcp_listen(host, port)`; port 0 binds an ephemeral port.
    pub fn tcp_listen(&self, host: &str, port: i64) -> NetResult<TcpListener> {
        let here = self.gate.listen(host, port)?;
        let addr = resolve_one(&here)?;
        let listen_error = |e| gate::listen_error(&e, &here);
        let listener = std::net::TcpListener::bind(addr).map_err(listen_error)?;
        let local = listener.local_addr().map_err(listen_error)?;
        Ok(TcpListener::new(listener, Listening::new(local, self.gate.tls().clone())))
    }

    /// UDP-OPEN: `%net.udp`: an ephemeral local port and no default peer.
    pub fn udp(&self) -> NetResult<UdpSocket> {
        let (any, named) = gate::udp_anywhere();
        self.udp_socket(any, None, &named)
    }

    /// UDP-OPEN-PEER: `%net.udp(host, port)`: a default peer, checked against `--allow-net` now
    /// (PERM-UDP-PEER) and resolved once.
    pub fn udp_peer(&self, host: &str, port: i64) -> NetResult<UdpSocket> {
        let target = self.gate.udp_peer(host, port)?;
        let peer = resolve_one(&target)?;
        self.udp_socket(gate::udp_bind_for(peer), Some((target.clone(), peer)), &target)
    }

    /// UDP-LISTEN: `%net.udp_listen(host, port)`, checked against `--allow-listen`.
    pub fn udp_listen(&self, host: &str, port: i64) -> NetResult<UdpSocket> {
        let here = self.gate.listen(host, port)?;
        let addr = resolve_one(&here)?;
        self.udp_socket(addr, None, &here)
    }

    fn udp_socket(
        &self,
        bind: SocketAddr,
        peer: Option<(Endpoint, SocketAddr)>,
        named: &Endpoint,
    ) -> NetResult<UdpSocket> {
        let socket = std::net::UdpSocket::bind(bind).map_err(|e| gate::udp_bind_error(&e, named))?;
        let state = UdpState::new(socket.local_addr(), self.gate.permissions(), peer, DEFAULT_TIMEOUT)?;
        Ok(UdpSocket::new(socket, state))
    }
}

/// Resolves and connects to the first address that answers, all within the dial's timeout.
fn connect(dial: &Dial) -> NetResult<(Wire, SocketAddr)> {
    let mut budget = Budget::new(dial.timeout);
    let timed_out = || NetError::new(ErrorClass::Timeout, dial.timed_out());
    let addrs = match lookup_within(&dial.target, &mut budget) {
        Err(e) if stalled(&e) => return Err(timed_out()),
        resolved => resolved.map_err(|e| gate::resolve_error(&dial.target, &e))?,
    };
    let mut last_error = gate::no_address(&dial.target);
    for addr in addrs {
        let connected = match budget.left() {
            Slice::Spent => return Err(timed_out()),
            Slice::Block(None) => TcpStream::connect(addr),
            Slice::Block(Some(limit)) => TcpStream::connect_timeout(&addr, limit),
        };
        let opened = connected.and_then(|tcp| {
            tcp.set_nodelay(true)?;
            Ok((tcp.local_addr()?, tcp))
        });
        match opened {
            Ok((local, tcp)) => return Ok((Wire::new(tcp), local)),
            Err(_) if budget.left() == Slice::Spent => return Err(timed_out()),
            Err(e) => last_error = dial.connect_error(&e),
        }
    }
    Err(last_error)
}

/// Resolves `target` within what `budget` has left: a name that needs the system resolver is
/// looked up on a helper thread, abandoned (`WouldBlock`) when the time runs out.
fn lookup_within(target: &Endpoint, budget: &mut Budget) -> std::io::Result<Vec<SocketAddr>> {
    if let Some(answer) = answer_locally(&target.host, target.port) {
        return answer;
    }
    let limit = match budget.left() {
        Slice::Block(None) => return system_lookup(&target.host, target.port),
        Slice::Block(Some(limit)) => limit,
        Slice::Spent => return Err(std::io::ErrorKind::WouldBlock.into()),
    };
    let (answer, answered) = mpsc::channel();
    let (host, port) = (target.host.clone(), target.port);
    std::thread::Builder::new()
        .name("caspian-resolve".into())
        .spawn(move || answer.send(system_lookup(&host, port)))?;
    answered.recv_timeout(limit).unwrap_or_else(|gone| match gone {
        mpsc::RecvTimeoutError::Timeout => Err(std::io::ErrorKind::WouldBlock.into()),
        mpsc::RecvTimeoutError::Disconnected => Err(std::io::Error::other("the resolver thread ended")),
    })
}

/// The first address of a bind host or a default peer (resolved without a bound, as on the
/// async surface).
fn resolve_one(target: &Endpoint) -> NetResult<SocketAddr> {
    let addrs = system_lookup(&target.host, target.port).map_err(|e| gate::resolve_error(target, &e))?;
    gate::first_address(target, addrs)
}
