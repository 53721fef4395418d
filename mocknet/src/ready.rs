//! The services a mock network's hosts offer on fixed ports, started the same way in both
//! worlds over any [`Transport`]: the catalog's ready peers, the user's per-connection code, a
//! UDP echo and a closed port. TCP services record each connection they accept and its end.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use caspian_reference::transport::{BoxedStream, Transport};

use super::transcript::Transcript;
use crate::peers::{Endings, Peer, UdpPeer, serve, serve_udp};

/// The user's server code for one connection: an error ends that connection only.
pub type Handler = Rc<dyn Fn(BoxedStream) -> Pin<Box<dyn Future<Output = io::Result<()>>>>>;

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
    transcript: &Transcript,
) -> io::Result<SocketAddr> {
    let at = format!("{host}:{}", ready.port());
    match ready {
        Ready::Tcp(_, service) => {
            let listener = transport.bind_listener(bind).await?;
            let addr = T::listener_addr(&listener)?;
            tokio::task::spawn_local(serve_recorded::<T>(at, listener, service, transcript.clone()));
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

/// Accepts connections forever, serving each as `service` says and recording when it is
/// accepted and when it ends.
async fn serve_recorded<T: Transport>(
    at: String,
    listener: T::TcpListener,
    service: Service,
    transcript: Transcript,
) {
    let endings = Arc::new(Endings::new(None));
    let mut index = 0;
    while let Ok(connected) = T::accept(&listener).await {
        let from = connected.peer;
        transcript.record(format!("{at} accepts a connection from {from}"));
        let (service, endings, transcript, at) =
            (service.clone(), endings.clone(), transcript.clone(), at.clone());
        tokio::task::spawn_local(async move {
            let ended = match &service {
                Service::Peer(peer) => serve(peer, connected.stream, index, &endings).await,
                Service::User(handler) => handler(connected.stream).await,
            };
            let how = ended.err().map(|e| format!(" ({e})")).unwrap_or_default();
            transcript.record(format!("{at} closes the connection from {from}{how}"));
        });
        index += 1;
    }
}
