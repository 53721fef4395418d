//! The network a reference engine runs on, behind one small trait.
//!
//! [`Transport`] mirrors `tokio::net` name for name (`lookup_host`, `TcpStream::connect`,
//! `TcpListener::bind`, `accept`, `UdpSocket::bind`, `send_to`, `recv_from`) so that the sockets
//! above it read the same over OS sockets ([`os::OsTransport`]) and over turmoil's simulated
//! network (`sim::SimTransport`, with the `sim` feature). Everything else (framing, permissions,
//! errors, timeouts) is written once, above this trait.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::io::{AsyncRead, AsyncWrite};

pub mod os;
#[cfg(feature = "sim")]
pub mod sim;

/// A connected byte stream: a TCP stream of either transport, or TLS over one.
pub trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<S: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for S {}

/// A connected stream, its type erased so that sockets are the same over every transport.
pub type BoxedStream = Box<dyn Stream>;

/// A connected stream and the addresses of its two ends.
pub struct Connected {
    pub stream: BoxedStream,
    pub local: SocketAddr,
    pub peer: SocketAddr,
}

/// A network: name resolution, TCP and UDP. Implementations add no semantics of their own.
pub trait Transport: Clone + Send + Sync + 'static {
    type TcpListener: Send + Sync + 'static;
    type UdpSocket: Send + Sync + 'static;

    /// Resolves `host` to addresses, in preference order. Unknown names are `NotFound`.
    fn lookup_host(&self, host: &str, port: u16) -> impl Future<Output = io::Result<Vec<SocketAddr>>> + Send;

    fn connect(&self, addr: SocketAddr) -> impl Future<Output = io::Result<Connected>> + Send;

    fn bind_listener(&self, addr: SocketAddr) -> impl Future<Output = io::Result<Self::TcpListener>> + Send;

    fn accept(listener: &Self::TcpListener) -> impl Future<Output = io::Result<Connected>> + Send;

    fn listener_addr(listener: &Self::TcpListener) -> io::Result<SocketAddr>;

    fn bind_udp(&self, addr: SocketAddr) -> impl Future<Output = io::Result<Self::UdpSocket>> + Send;

    fn send_to(
        socket: &Self::UdpSocket,
        datagram: &[u8],
        target: SocketAddr,
    ) -> impl Future<Output = io::Result<usize>> + Send;

    /// Receives one datagram into `buf`, returning its length (cut to `buf.len()` if longer)
    /// and its sender.
    fn recv_from(
        socket: &Self::UdpSocket,
        buf: &mut [u8],
    ) -> impl Future<Output = io::Result<(usize, SocketAddr)>> + Send;

    fn udp_addr(socket: &Self::UdpSocket) -> io::Result<SocketAddr>;
}

/// Parses `host` as an IP literal as a script writes it (`127.0.0.1`, `::1` or `[::1]`).
pub fn ip_literal(host: &str) -> Option<IpAddr> {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    bare.parse().ok()
}

/// The answers every transport gives without a query: an IP literal is itself, `localhost`
/// (and names below it) is loopback, and names under `.invalid` never resolve (RFC 6761,
/// DEC-RESERVED-NAMES).
/// `None` means the name needs a real lookup.
pub fn answer_locally(host: &str, port: u16) -> Option<io::Result<Vec<SocketAddr>>> {
    if let Some(ip) = ip_literal(host) {
        return Some(Ok(vec![SocketAddr::new(ip, port)]));
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        let loopback = [IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)];
        return Some(Ok(loopback.into_iter().map(|ip| SocketAddr::new(ip, port)).collect()));
    }
    if name == "invalid" || name.ends_with(".invalid") {
        return Some(Err(io::Error::new(io::ErrorKind::NotFound, "name under .invalid")));
    }
    None
}
