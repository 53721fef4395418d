//! The client's transport in either world, so that one client body runs in both: turmoil's
//! sockets in the simulated world, the OS's in the real one, where the network's host names
//! resolve to the loopback ports that serve them. Either way it records the client's
//! connections, listeners and datagrams in the run's transcript, and numbers its connections
//! so that a fault can reset one.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use caspian_reference::transport::os::OsTransport;
use caspian_reference::transport::sim::SimTransport;
use caspian_reference::transport::{Connected, Transport, answer_locally};
use caspian_reference::turmoil;

use crate::connections::Connections;
use crate::transcript::{Transcript, World};

/// The real world's names: where on loopback each `host:port` of the network is served.
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    table: Arc<Mutex<NameTable>>,
}

#[derive(Debug, Default)]
struct NameTable {
    ports: HashMap<(String, u16), SocketAddr>,
    /// Where a host's other ports lead (a closed port, or a black hole's).
    others: HashMap<String, SocketAddr>,
}

impl Names {
    fn lock(&self) -> std::sync::MutexGuard<'_, NameTable> {
        self.table.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Serves `host:port` at `addr`.
    pub(super) fn insert(&self, host: &str, port: u16, addr: SocketAddr) {
        self.lock().ports.insert((host.to_ascii_lowercase(), port), addr);
    }

    /// Sends the ports of `host` not inserted to `addr`.
    pub(super) fn otherwise(&self, host: &str, addr: SocketAddr) {
        self.lock().others.insert(host.to_ascii_lowercase(), addr);
    }

    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        if let Some(answer) = answer_locally(host, port) {
            return answer;
        }
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        let table = self.lock();
        match table.ports.get(&(name.clone(), port)).or_else(|| table.others.get(&name)) {
            Some(addr) => Ok(vec![*addr]),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "not a host of this mock network")),
        }
    }

    /// The `host` and `port` served at `addr`, if any.
    fn name_of(&self, addr: SocketAddr) -> Option<(String, u16)> {
        let table = self.lock();
        let mut found = table.ports.iter().filter(|(_, at)| **at == addr).map(|(name, _)| name.clone());
        found.next()
    }
}

/// The `%net` transport of a mock network's client.
#[derive(Debug, Clone)]
pub struct MockTransport {
    world: World,
    names: Names,
    transcript: Transcript,
    connections: Connections,
    /// The client's host, as events name it.
    host: String,
}

/// A listener of either world's, recording what it accepts.
pub struct MockListener {
    inner: Either<turmoil::net::TcpListener, tokio::net::TcpListener>,
    transport: MockTransport,
}

/// A UDP socket of either world's, recording what it sends and receives.
pub struct MockUdpSocket {
    inner: Either<turmoil::net::UdpSocket, tokio::net::UdpSocket>,
    transport: MockTransport,
}

enum Either<S, R> {
    Sim(S),
    Real(R),
}

impl MockTransport {
    pub(super) fn new(
        world: World,
        names: Names,
        transcript: Transcript,
        connections: Connections,
        host: &str,
    ) -> Self {
        Self { world, names, transcript, connections, host: host.to_string() }
    }

    /// The host and port `addr` stands for: the network's name when it is one, else the
    /// address.
    fn target_of(&self, addr: SocketAddr) -> (String, u16) {
        let name = match self.world {
            World::Sim => turmoil::reverse_lookup(addr.ip()).map(|host| (host, addr.port())),
            World::Real => self.names.name_of(addr),
        };
        name.unwrap_or_else(|| (addr.ip().to_string(), addr.port()))
    }

    fn record(&self, what: String) {
        self.transcript.record(format!("{} {what}", self.host));
    }
}

impl Transport for MockTransport {
    type TcpListener = MockListener;
    type UdpSocket = MockUdpSocket;

    async fn lookup_host(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        match self.world {
            World::Sim => SimTransport.lookup_host(host, port).await,
            World::Real => self.names.resolve(host, port),
        }
    }

    async fn connect(&self, addr: SocketAddr) -> io::Result<Connected> {
        let (host, port) = self.target_of(addr);
        let connected = match self.world {
            World::Sim => SimTransport.connect(addr).await,
            World::Real => OsTransport.connect(addr).await,
        };
        match connected {
            Ok(connected) => {
                let (index, stream) = self.connections.client_end(
                    &self.host,
                    (&host, port),
                    connected.stream,
                    &self.transcript,
                );
                self.record(format!("connects to {host}:{port} (connection {index})"));
                Ok(Connected { stream, ..connected })
            }
            Err(e) => {
                self.record(format!("cannot connect to {host}:{port}: {}", e.kind()));
                Err(e)
            }
        }
    }

    async fn bind_listener(&self, addr: SocketAddr) -> io::Result<Self::TcpListener> {
        let inner = match self.world {
            World::Sim => Either::Sim(SimTransport.bind_listener(addr).await?),
            World::Real => Either::Real(OsTransport.bind_listener(addr).await?),
        };
        let listener = MockListener { inner, transport: self.clone() };
        self.record(format!("listens on {}", Self::listener_addr(&listener)?));
        Ok(listener)
    }

    async fn accept(listener: &Self::TcpListener) -> io::Result<Connected> {
        let connected = match &listener.inner {
            Either::Sim(inner) => SimTransport::accept(inner).await?,
            Either::Real(inner) => OsTransport::accept(inner).await?,
        };
        let transport = &listener.transport;
        let (from, _) = transport.target_of(connected.peer);
        let at = (transport.host.as_str(), connected.local.port());
        let (index, stream) =
            transport.connections.server_end(at, &from, connected.stream, &transport.transcript);
        transport.transcript.record(format!("{}:{} accepts connection {index} from {from}", at.0, at.1));
        Ok(Connected { stream, ..connected })
    }

    fn listener_addr(listener: &Self::TcpListener) -> io::Result<SocketAddr> {
        match &listener.inner {
            Either::Sim(inner) => SimTransport::listener_addr(inner),
            Either::Real(inner) => OsTransport::listener_addr(inner),
        }
    }

    async fn bind_udp(&self, addr: SocketAddr) -> io::Result<Self::UdpSocket> {
        let inner = match self.world {
            World::Sim => Either::Sim(SimTransport.bind_udp(addr).await?),
            World::Real => Either::Real(OsTransport.bind_udp(addr).await?),
        };
        Ok(MockUdpSocket { inner, transport: self.clone() })
    }

    async fn send_to(socket: &Self::UdpSocket, datagram: &[u8], target: SocketAddr) -> io::Result<usize> {
        let sent = match &socket.inner {
            Either::Sim(inner) => SimTransport::send_to(inner, datagram, target).await?,
            Either::Real(inner) => OsTransport::send_to(inner, datagram, target).await?,
        };
        let transport = &socket.transport;
        let (host, port) = transport.target_of(target);
        transport.record(format!("sends {sent} bytes to {host}:{port}"));
        Ok(sent)
    }

    async fn recv_from(socket: &Self::UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, from) = match &socket.inner {
            Either::Sim(inner) => SimTransport::recv_from(inner, buf).await?,
            Either::Real(inner) => OsTransport::recv_from(inner, buf).await?,
        };
        let transport = &socket.transport;
        let (host, port) = transport.target_of(from);
        transport.record(format!("receives {n} bytes from {host}:{port}"));
        Ok((n, from))
    }

    fn udp_addr(socket: &Self::UdpSocket) -> io::Result<SocketAddr> {
        match &socket.inner {
            Either::Sim(inner) => SimTransport::udp_addr(inner),
            Either::Real(inner) => OsTransport::udp_addr(inner),
        }
    }
}
