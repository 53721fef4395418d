//! The UDP relay of a link: datagrams from the engine go to the peer through the link's
//! datagram faults (lost, duplicated, overtaken), the peer's answers come back untouched.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use caspian_reference::transport::Transport;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::sync::watch;

use super::relay::LinkHandle;
use super::toxics::Toxics;

/// Starts a UDP relay on `bind` for the peer at `peer`, its random choices drawn from `seed`.
pub async fn start_udp<T: Transport>(
    transport: &T,
    bind: SocketAddr,
    peer: SocketAddr,
    seed: u64,
) -> io::Result<LinkHandle> {
    let front = transport.bind_udp(bind).await?;
    let back = transport.bind_udp(bind).await?;
    let link = LinkHandle::new(T::udp_addr(&front)?.port(), true);
    tokio::spawn(forward::<T>(front, back, peer, link.toxics(), SmallRng::seed_from_u64(seed)));
    Ok(link)
}

/// How long a datagram chosen to be overtaken waits for the next one before it goes alone.
const OVERTAKE_WAIT: Duration = Duration::from_millis(100);

/// Forwards datagrams both ways until a socket fails or the case ends. The last engine that
/// sent is the one the peer's answers go to. A datagram chosen to be overtaken waits for the
/// next one and follows it; when none comes within [`OVERTAKE_WAIT`] it goes alone, so that a
/// fault reorders datagrams but never loses one.
async fn forward<T: Transport>(
    front: T::UdpSocket,
    back: T::UdpSocket,
    peer: SocketAddr,
    toxics: watch::Receiver<Toxics>,
    mut rng: SmallRng,
) {
    let mut engine: Option<SocketAddr> = None;
    let mut overtaken: Option<Vec<u8>> = None;
    let mut from_engine = vec![0u8; 65_536];
    let mut from_peer = vec![0u8; 65_536];
    loop {
        tokio::select! {
            got = T::recv_from(&front, &mut from_engine) => {
                let Ok((n, sender)) = got else { break };
                engine = Some(sender);
                let now = toxics.borrow().clone();
                if !now.flowing() || rng.random_bool(now.lose) {
                    continue;
                }
                let datagram = from_engine[..n].to_vec();
                if overtaken.is_none() && rng.random_bool(now.reorder) {
                    overtaken = Some(datagram);
                    continue;
                }
                let copies = if rng.random_bool(now.duplicate) { 2 } else { 1 };
                for _ in 0..copies {
                    let _ = T::send_to(&back, &datagram, peer).await;
                }
                if let Some(late) = overtaken.take() {
                    let _ = T::send_to(&back, &late, peer).await;
                }
            }
            () = tokio::time::sleep(OVERTAKE_WAIT), if overtaken.is_some() => {
                if let Some(late) = overtaken.take() {
                    let _ = T::send_to(&back, &late, peer).await;
                }
            }
            got = T::recv_from(&back, &mut from_peer) => {
                let Ok((n, _)) = got else { break };
                if let Some(engine) = engine.filter(|_| toxics.borrow().flowing()) {
                    let _ = T::send_to(&front, &from_peer[..n], engine).await;
                }
            }
        }
    }
}
