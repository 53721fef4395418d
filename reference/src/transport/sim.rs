//! turmoil's simulated network: named hosts, virtual time, scripted faults.

use std::io;
use std::net::SocketAddr;

use super::{Connected, Transport, answer_locally};

/// Sockets of the turmoil host the calling task runs in. Names resolve through the
/// simulation's DNS (hosts registered with the `Sim`); `localhost` is loopback and names under
/// `.invalid` never resolve, as over OS sockets.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimTransport;

impl Transport for SimTransport {
    type TcpListener = turmoil::net::TcpListener;
    type UdpSocket = turmoil::net::UdpSocket;

    async fn lookup_host(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        if let Some(answer) = answer_locally(host, port) {
            // The simulated hosts are IPv4: keep the IPv4 addresses only.
            return answer.map(|addrs| addrs.into_iter().filter(SocketAddr::is_ipv4).collect());
        }
        Ok(turmoil::net::lookup_host((host, port)).await?.collect())
    }

    async fn connect(&self, addr: SocketAddr) -> io::Result<Connected> {
        let stream = turmoil::net::TcpStream::connect(addr).await?;
        let (local, peer) = (stream.local_addr()?, stream.peer_addr()?);
        Ok(Connected { stream: Box::new(stream), local, peer })
    }

    async fn bind_listener(&self, addr: SocketAddr) -> io::Result<Self::TcpListener> {
        turmoil::net::TcpListener::bind(addr).await
    }

    async fn accept(listener: &Self::TcpListener) -> io::Result<Connected> {
        let (stream, peer) = listener.accept().await?;
        let local = stream.local_addr()?;
        Ok(Connected { stream: Box::new(stream), local, peer })
    }

    fn listener_addr(listener: &Self::TcpListener) -> io::Result<SocketAddr> {
        listener.local_addr()
    }

    async fn bind_udp(&self, addr: SocketAddr) -> io::Result<Self::UdpSocket> {
        turmoil::net::UdpSocket::bind(addr).await
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

/// The simulation's clock for certificate validity: the sim's epoch plus virtual time elapsed.
/// Outside a simulation it reads the real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimClock;

impl rustls::time_provider::TimeProvider for SimClock {
    fn current_time(&self) -> Option<rustls::pki_types::UnixTime> {
        let since_epoch = turmoil::since_epoch()
            .or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok())?;
        Some(rustls::pki_types::UnixTime::since_unix_epoch(since_epoch))
    }
}
