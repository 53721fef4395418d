//! The services a mock network's hosts offer on fixed ports, started the same way in both
//! worlds over any [`Transport`]: the catalog's ready peers, the user's per-connection code, a
//! UDP echo and a closed port. TCP services number the connections they accept and record each
//! one and its end.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use caspian_reference::transport::{BoxedStream, Transport};
use caspian_reference::turmoil;

use crate::connections::Connections;
use crate::peers::{Endings, Peer, UdpPeer, serve, serve_udp};
use crate::transcript::Transcript;

/// The user's server code for one connection: an error ends that connection only.
pub(crate) type Handler = Rc<dyn Fn(BoxedStream, Accepted) -> Pin<Box<dyn Future<Output = io::Result<()>>>>>;

/// What a [`crate::MockNet::serve`] handler learns of the connection it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The connection's number among the service's, from 0 in the order they opened: the
    /// number [`crate::NetFault::Reset`] names.
    pub index: usize,
    /// The host it comes from (the network's client, as a host name).
    pub client: String,
    /// Where it comes from: the client's address in the simulated world, its relay's on
    /// loopback.
    pub peer: SocketAddr,
}

/// Where a service's connections come from, as events name it.
#[derive(Debug, Clone)]
pub(crate) enum Clients {
    /// The simulated world: the host the simulation names for the peer's address.
    Simulated,
    /// The real world: every connection to a service is the client's (through its relay).
    Only(String),
}

impl Clients {
    fn name(&self, peer: SocketAddr) -> String {
        match self {
            Self::Simulated => turmoil::reverse_lookup(peer.ip()).unwrap_or_else(|| peer.ip().to_string()),
            Self::Only(client) => client.clone(),
        }
    }
}

/// What a service's connections are recorded in and numbered by.
#[derive(Clone)]
pub(crate) struct Records {
    pub(crate) transcript: Transcript,
    pub(crate) connections: Connections,
    pub(crate) clients: Clients,
}

/// What serves each TCP connection of a service.
#[derive(Clone)]
pub(super) enum Service {
    Peer(Peer),
    User(Handler),
}

/// A service a host offers on a port.
#[derive(Clone)]
pub(super) enum Ready {
    Tcp(u16, Service),
    UdpEcho(u16),
    /// Nothing listens: a connect is refused.
    ClosedPort(u16),
}

impl Ready {
    /// The port the network's users name.
    pub(super) fn port(&self) -> u16 {
        match self {
            Self::Tcp(port, _) | Self::UdpEcho(port) | Self::ClosedPort(port) => *port,
        }
    }

    pub(super) fn is_udp(&self) -> bool {
        matches!(self, Self::UdpEcho(_))
    }
}

/// Binds `ready` at `bind` and serves it on its own local task; returns the address bound (a
/// closed port's is let go at once). `host` names the service in the transcript.
pub(super) async fn start<T: Transport>(
    transport: &T,
    bind: SocketAddr,
    host: &str,
    ready: Ready,
    records: &Records,
) -> io::Result<SocketAddr> {
    let at = (host.to_string(), ready.port());
    match ready {
        Ready::Tcp(_, service) => {
            let listener = transport.bind_listener(bind).await?;
            let addr = T::listener_addr(&listener)?;
            tokio::task::spawn_local(serve_recorded::<T>(at, listener, service, records.clone()));
            Ok(addr)
        }
        Ready::UdpEcho(_) => {
            let socket = transport.bind_udp(bind).await?;
            let addr = T::udp_addr(&socket)?;
            tokio::task::spawn_local(serve_udp::<T>(socket, UdpPeer::Echo));
            Ok(addr)
        }
        Ready::ClosedPort(_) => T::listener_addr(&transport.bind_listener(bind).await?),
    }
}

/// Accepts connections forever, serving each as `service` says, numbering each and recording
/// when it is accepted, how it ends, and an error that ends its service.
async fn serve_recorded<T: Transport>(
    (host, port): (String, u16),
    listener: T::TcpListener,
    service: Service,
    records: Records,
) {
    let endings = Arc::new(Endings::new(None));
    while let Ok(connected) = T::accept(&listener).await {
        let client = records.clients.name(connected.peer);
        let (index, stream) =
            records.connections.server_end((&host, port), &client, connected.stream, &records.transcript);
        records.transcript.record(format!("{host}:{port} accepts connection {index} from {client}"));
        let accepted = Accepted { index, client, peer: connected.peer };
        let (service, endings, transcript) = (service.clone(), endings.clone(), records.transcript.clone());
        let at = format!("{host}:{port}");
        tokio::task::spawn_local(async move {
            let ended = match &service {
                Service::Peer(peer) => serve(peer, stream, index, &endings).await,
                Service::User(handler) => handler(stream, accepted).await,
            };
            if let Err(e) = ended
                && e.kind() != io::ErrorKind::ConnectionReset
            {
                transcript.record(format!("{at}'s service of connection {index} failed: {e}"));
            }
        });
    }
}
