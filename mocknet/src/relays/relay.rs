//! The TCP relay of a link: it accepts the engine's connections, connects each to the peer, and
//! carries both directions through the link's toxics; a cut resets both sides, a close ends
//! both; a crash makes it let its listener go.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use caspian_peers::Fault;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::sync::{Notify, watch};

use super::RelayTransport;
use super::toxics::{Direction, Stop, Toxics, pump};

/// The harness's hold on one link (TCP or UDP): the toxics its traffic follows.
#[derive(Clone)]
pub struct LinkHandle {
    toxics: Arc<watch::Sender<Toxics>>,
    udp: bool,
    /// Where the engine reaches the relay.
    pub port: u16,
    /// Told when a crashed TCP relay has let its listener go.
    released: Arc<Notify>,
}

impl LinkHandle {
    /// A link whose relay listens on `port`, with no fault in force.
    pub fn new(port: u16, udp: bool) -> Self {
        let (toxics, _) = watch::channel(Toxics::default());
        Self { toxics: Arc::new(toxics), udp, port, released: Arc::default() }
    }

    pub(crate) fn toxics(&self) -> watch::Receiver<Toxics> {
        self.toxics.subscribe()
    }

    pub fn is_udp(&self) -> bool {
        self.udp
    }

    /// Applies `fault` to every connection of the link, now and to come.
    pub fn apply(&self, fault: Fault) -> Result<(), String> {
        let mut outcome = Ok(());
        self.toxics.send_modify(|toxics| outcome = toxics.apply(fault, self.udp));
        outcome
    }

    /// The peers' host crashed: the link goes silent for good. Returns once a TCP relay has let
    /// its listener go, so that its port can be taken.
    pub async fn crash(&self) {
        self.toxics.send_modify(|toxics| toxics.crashed = true);
        if !self.udp {
            self.released.notified().await;
        }
    }
}

/// Starts a TCP relay listening on `bind`, relaying to the peer at `peer`, its random choices
/// drawn from `seed`.
pub async fn start_tcp<T: RelayTransport>(
    transport: &T,
    bind: SocketAddr,
    peer: SocketAddr,
    seed: u64,
) -> io::Result<LinkHandle> {
    let listener = transport.bind_listener(bind).await?;
    let link = LinkHandle::new(T::listener_addr(&listener)?.port(), false);
    tokio::spawn(accept_loop::<T>(listener, peer, link.clone(), SmallRng::seed_from_u64(seed)));
    Ok(link)
}

/// Relays every connection accepted until the host crashes (or the case ends), then lets the
/// listener go.
async fn accept_loop<T: RelayTransport>(
    listener: T::TcpListener,
    peer: SocketAddr,
    link: LinkHandle,
    mut rng: SmallRng,
) {
    let mut toxics = link.toxics();
    loop {
        tokio::select! {
            accepted = T::accept_conn(&listener) => {
                let Ok(engine) = accepted else { break };
                let seeds = (rng.random(), rng.random());
                tokio::spawn(relay_connection::<T>(engine, peer, link.toxics(), seeds));
            }
            _ = toxics.wait_for(|t| t.crashed) => break,
        }
    }
    drop(listener);
    link.released.notify_one();
}

/// Relays one connection until both directions end, a side resets, or a cut or close of the
/// link ends it.
async fn relay_connection<T: RelayTransport>(
    engine: T::Conn,
    peer: SocketAddr,
    mut toxics: watch::Receiver<Toxics>,
    seeds: (u64, u64),
) {
    let Ok(upstream) = T::connect_conn(peer).await else {
        T::abort(engine);
        return;
    };
    let (cuts, closes) = {
        let now = toxics.borrow();
        (now.cuts, now.closes)
    };
    let (mut engine_read, mut engine_write) = tokio::io::split(engine);
    let (mut peer_read, mut peer_write) = tokio::io::split(upstream);
    let (up_toxics, down_toxics) = (toxics.clone(), toxics.clone());
    let stop = {
        let up = pump(
            &mut engine_read,
            &mut peer_write,
            Direction::Up,
            up_toxics,
            SmallRng::seed_from_u64(seeds.0),
        );
        let down = pump(
            &mut peer_read,
            &mut engine_write,
            Direction::Down,
            down_toxics,
            SmallRng::seed_from_u64(seeds.1),
        );
        let ended = toxics.wait_for(|t| t.cuts > cuts || t.closes > closes);
        tokio::select! {
            done = async { tokio::try_join!(up, down) } => done.err(),
            end = ended => Some(match end {
                Ok(now) if now.cuts == cuts => Stop::Close,
                _ => Stop::Reset,
            }),
        }
    };
    let engine = engine_read.unsplit(engine_write);
    let upstream = peer_read.unsplit(peer_write);
    if stop == Some(Stop::Reset) {
        T::abort(engine);
        T::abort(upstream);
    }
}
