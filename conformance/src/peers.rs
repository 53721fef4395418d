//! The peers a case asks its world for, and the world's side of that bargain.
//!
//! A case describes peers as data ([`Peer`], [`Step`], [`TlsPeer`]); the world that runs the
//! case starts them (on loopback, or on a simulated host) through [`PeerControl`].

use std::time::Duration;

use crate::contract::LocalFuture;

pub use caspian_peers::{Fault, Peer, PeerAddr, Step, TlsPeer, UdpPeer};

/// A peer reached through a relay the world controls, so that a case can break the link
/// between the engine and that peer ([`PeerControl::fault`]). The same in both worlds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Where the engine reaches the peer: the relay's address.
    pub addr: PeerAddr,
    /// The world's name for the link.
    pub id: usize,
}

/// What a case may need of the machine it runs on, rather than of the engine. A world whose
/// machine lacks it reports the case SKIP with the reason, never FAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineNeed {
    /// IPv6 on loopback (`::1`).
    Ipv6Loopback,
    /// A 65,507-byte UDP datagram over loopback (macOS allows 9,216 bytes by default).
    LargestDatagram,
    /// Binding an address the machine does not have fails (Linux's `ip_nonlocal_bind` is 0).
    ForeignBindRefused,
}

/// A world's peers, as a case sees them. Peers live until the case ends.
pub trait PeerControl {
    /// Why this world's machine cannot run what `need` names, if it cannot. The simulated
    /// world has what its cases need.
    fn lacks(&self, need: MachineNeed) -> Option<String> {
        let _ = need;
        None
    }

    /// The host name the peers are reached at (`127.0.0.1`, or the simulated server's name).
    fn host(&self) -> &str;
    /// The host name at which peers reach the engine's own listeners.
    fn engine_host(&self) -> &str;
    /// True in the simulated world.
    fn is_simulated(&self) -> bool;
    /// Virtual time since the world began, in the simulated world; `None` in the real one.
    fn virtual_time(&self) -> Option<std::time::Duration>;

    /// Starts a TCP peer behind a link the case can break.
    fn link(&self, peer: Peer) -> LocalFuture<'_, Link>;
    /// Starts a UDP peer that echoes every datagram, behind a link the case can break.
    fn udp_link(&self) -> LocalFuture<'_, Link>;
    /// Applies `fault` to `link` `after` from now (at once for zero). An error for a fault the
    /// link cannot take (a TCP fault on a UDP link, a rate outside 0..=1).
    fn fault(&self, link: &Link, fault: Fault, after: Duration) -> Result<(), String>;
    /// Crashes the peers' host `after` from now: every link goes silent (what its connections
    /// send is lost, they receive nothing, new connects time out) without a word. With
    /// `restart_after`, it starts again that much later on the same address: the old links'
    /// ports refuse connections and a peer started then answers (starting one waits for it).
    /// Resolves once a crash due at once is in place.
    fn crash_peers(
        &self,
        after: Duration,
        restart_after: Option<Duration>,
    ) -> LocalFuture<'_, Result<(), String>>;
    /// Starts a TCP peer.
    fn tcp(&self, peer: Peer) -> LocalFuture<'_, PeerAddr>;
    /// Starts a UDP peer.
    fn udp(&self, peer: UdpPeer) -> LocalFuture<'_, PeerAddr>;
    /// Starts a UDP peer that echoes every datagram to its sender.
    fn udp_echo(&self) -> LocalFuture<'_, PeerAddr> {
        self.udp(UdpPeer::Echo)
    }
    /// An address where nothing listens: connecting is refused.
    fn closed_port(&self) -> LocalFuture<'_, PeerAddr>;
    /// An address whose host never answers: a connect waits until its timeout.
    fn black_hole(&self) -> LocalFuture<'_, PeerAddr>;
    /// Connects to `host:port` (an engine's listener), runs `steps`, and returns every byte it
    /// read. Runs in the background: the returned future resolves when the steps are done.
    fn dial(&self, addr: PeerAddr, steps: Vec<Step>) -> LocalFuture<'static, Result<Vec<u8>, String>>;
}
