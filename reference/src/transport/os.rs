//! The OS network: tokio sockets over the machine's own stack.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use super::{Connected, Transport, answer_locally};

/// Resolves `host` as both surfaces do over OS sockets, blocking the calling thread: IP literals
/// and the RFC 6761 names are answered without a query, every other name by the system resolver.
/// A name with no address is `NotFound`.
pub(crate) fn system_lookup(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    if let Some(answer) = answer_locally(host, port) {
        return answer;
    }
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    if addrs.is_empty() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "no address"));
    }
    Ok(addrs)
}

/// Real sockets through tokio. Resolution goes to the system resolver, except for IP literals
/// and the RFC 6761 names (`localhost`, `*.invalid`), which never leave the process.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsTransport;

impl Transport for OsTransport {
    type TcpListener = tokio::net::TcpListener;
    type UdpSocket = tokio::net::UdpSocket;

    async fn lookup_host(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        if let Some(answer) = answer_locally(host, port) {
            return answer;
        }
        let host = host.to_string();
        tokio::task::spawn_blocking(move || system_lookup(&host, port)).await?
    }

    async fn connect(&self, addr: SocketAddr) -> io::Result<Connected> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (local, peer) = (stream.local_addr()?, stream.peer_addr()?);
        Ok(Connected { stream: Box::new(stream), local, peer })
    }

    async fn bind_listener(&self, addr: SocketAddr) -> io::Result<Self::TcpListener> {
        tokio::net::TcpListener::bind(addr).await
    }

    async fn accept(listener: &Self::TcpListener) -> io::Result<Connected> {
        let (stream, peer) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let local = stream.local_addr()?;
        Ok(Connected { stream: Box::new(stream), local, peer })
    }

    fn listener_addr(listener: &Self::TcpListener) -> io::Result<SocketAddr> {
        listener.local_addr()
    }

    async fn bind_udp(&self, addr: SocketAddr) -> io::Result<Self::UdpSocket> {
        tokio::net::UdpSocket::bind(addr).await
    }

    async fn send_to(socket: &Self::UdpSocket, datagram: &[u8], target: SocketAddr) -> io::Result<usize> {
        socket.send_to(datagram, target).await
    }

    async fn recv_from(socket: &Self::UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        socket.recv_from(buf).await
    }

    fn udp_addr(socket: &Self::UdpSocket) -> io::Result<SocketAddr> {
        socket.local_addr()
    }
}
