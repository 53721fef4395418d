//! The real world's crash of the peers' host: every link goes silent, and each relay's port
//! is taken by a listener with a full backlog, so that the kernel drops new SYNs (a connect
//! times out, as to a host that is down). A restart lets those ports go (a connect is refused)
//! and resets the connections the crash left hanging. The simulated world crashes its host
//! with turmoil instead.

use std::net::SocketAddr;
use std::time::Duration;

use super::relay::LinkHandle;

/// A loopback listener on `port` (0: any) whose accept queue is full, with the connections
/// that fill it: while it lives, connects to its port time out. `None` when the OS refuses.
pub async fn full_backlog_listener(port: u16) -> Option<(u16, StandIn)> {
    let socket = tokio::net::TcpSocket::new_v4().ok()?;
    socket.set_reuseaddr(true).ok()?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port))).ok()?;
    let listener = socket.listen(0).ok()?;
    let addr = listener.local_addr().ok()?;
    let mut fillers = Vec::new();
    for _ in 0..2 {
        let connect = tokio::net::TcpStream::connect(addr);
        if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_millis(200), connect).await {
            fillers.push(stream);
        }
    }
    Some((addr.port(), StandIn { _listener: listener, _fillers: fillers }))
}

/// A full-backlog listener and its fillers: dropping it frees the port.
pub struct StandIn {
    _listener: tokio::net::TcpListener,
    _fillers: Vec<tokio::net::TcpStream>,
}

/// Crashes the host of `links`: each goes silent, and each TCP relay's port is taken by a
/// full-backlog listener. Returns those listeners: keep them for as long as the host is down.
pub async fn crash(links: &[LinkHandle]) -> Vec<StandIn> {
    let mut stand_ins = Vec::new();
    for link in links {
        link.crash().await;
        if !link.is_udp()
            && let Some((_, stand_in)) = full_backlog_listener(link.port).await
        {
            stand_ins.push(stand_in);
        }
    }
    stand_ins
}

/// Restarts the host: the crashed links' ports refuse connections from now on, and the
/// connections the crash left are reset, as a restarted host answers their next segment.
pub fn restart(stand_ins: Vec<StandIn>, links: &[LinkHandle]) {
    drop(stand_ins);
    for link in links.iter().filter(|link| !link.is_udp()) {
        // A crashed link stays silent; the cut only reaches the connections it holds.
        let _ = link.apply(caspian_peers::Fault::Cut);
    }
}
