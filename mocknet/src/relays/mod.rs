//! The fault layer: relays a world puts between the engine (or a mock network's client) and a
//! peer, so that a test can break that link the same way in both worlds ([`caspian_peers::Fault`]).
//!
//! A relay is written once over the reference's [`Transport`] (with the few calls of
//! [`RelayTransport`] on top), so it runs on loopback and in the simulated network alike. Each
//! link has one [`toxics::Toxics`] that its connections (or datagrams) follow, and one seeded
//! random generator for the choices its faults make. The real world's crashed host is
//! [`crash`]'s.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};

use caspian_reference::transport::Transport;
use caspian_reference::transport::os::OsTransport;
use caspian_reference::transport::sim::SimTransport;
use caspian_reference::turmoil;
use tokio::io::{AsyncRead, AsyncWrite};

pub mod crash;
pub mod relay;
pub mod toxics;
pub mod udp;

pub use relay::LinkHandle;

/// What the relays and peers need beyond [`Transport`]: connections of a concrete type, so that
/// a relay can reset them, and a port nothing listens on.
pub trait RelayTransport: Transport {
    /// A port of the peers' host that nothing listens on now (a connect to it is refused, and a
    /// case may listen on it).
    fn unused_port(&self) -> impl Future<Output = io::Result<u16>> + Send;

    /// A connected TCP stream.
    type Conn: AsyncRead + AsyncWrite + Send + Unpin + 'static;

    fn accept_conn(listener: &Self::TcpListener) -> impl Future<Output = io::Result<Self::Conn>> + Send;

    fn connect_conn(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Conn>> + Send;

    /// Drops `conn` so that its other end reads a reset where the network can say so (on
    /// loopback: SO_LINGER 0; in the simulated network a drop with unread bytes).
    fn abort(conn: Self::Conn);
}

impl RelayTransport for OsTransport {
    /// A port below Linux's ephemeral range (32768-60999), each call the next one free: no
    /// connect's own port and no listener on port 0 can take it while the case uses it (a
    /// connect whose own port is the port it dials connects to itself, which a closed port
    /// must never do).
    async fn unused_port(&self) -> io::Result<u16> {
        static NEXT: AtomicU16 = AtomicU16::new(0);
        for _ in 0..UNUSED_PORTS.len() {
            let offset = NEXT.fetch_add(1, Ordering::Relaxed) % UNUSED_PORTS.len() as u16;
            let port = UNUSED_PORTS.start + offset;
            if std::net::TcpListener::bind((Ipv4Addr::UNSPECIFIED, port)).is_ok() {
                return Ok(port);
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!("no port free in {}..{}", UNUSED_PORTS.start, UNUSED_PORTS.end),
        ))
    }

    type Conn = tokio::net::TcpStream;

    async fn accept_conn(listener: &Self::TcpListener) -> io::Result<Self::Conn> {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    async fn connect_conn(addr: SocketAddr) -> io::Result<Self::Conn> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    fn abort(conn: Self::Conn) {
        // Without SO_LINGER 0 the drop still ends the connection, with a FIN instead.
        let _ = conn.set_zero_linger();
    }
}

impl RelayTransport for SimTransport {
    /// A listener's port, once closed: nothing else binds on the simulated host.
    async fn unused_port(&self) -> io::Result<u16> {
        let listener = self.bind_listener(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))).await?;
        Ok(Self::listener_addr(&listener)?.port())
    }

    type Conn = turmoil::net::TcpStream;

    async fn accept_conn(listener: &Self::TcpListener) -> io::Result<Self::Conn> {
        Ok(listener.accept().await?.0)
    }

    async fn connect_conn(addr: SocketAddr) -> io::Result<Self::Conn> {
        turmoil::net::TcpStream::connect(addr).await
    }

    fn abort(conn: Self::Conn) {
        drop(conn);
    }
}

/// The ports [`RelayTransport::unused_port`] gives on loopback.
const UNUSED_PORTS: std::ops::Range<u16> = 20_000..32_000;

/// Where a relay on the peers' host reaches a peer listening on `port` of that host.
pub fn local_peer(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// The seed of the link numbered `index` in a world run with `seed`: each link draws its own
/// sequence, the same on every run with that seed.
pub fn link_seed(seed: u64, index: usize) -> u64 {
    // SplitMix64's increment keeps neighbouring links' seeds far apart.
    seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[cfg(test)]
mod tests;
