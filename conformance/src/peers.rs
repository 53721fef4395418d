//! The peers a case asks its world for, and the world's side of that bargain.
//!
//! A case describes peers as data ([`Peer`], [`Step`], [`TlsPeer`]); the world that runs the
//! case starts them (on loopback, or on a simulated host) through [`PeerControl`].

use std::time::Duration;

use crate::contract::LocalFuture;

/// Where a peer listens, as the engine under test should name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAddr {
    pub host: String,
    pub port: u16,
}

/// What a TCP peer does with each connection it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// Echoes every byte back until the client ends its side, then closes.
    Echo,
    /// Runs these steps on every connection, then holds it open until the client closes.
    Script(Vec<Step>),
    /// A TLS server (after an optional plaintext STARTTLS exchange) that echoes.
    Tls(TlsPeer),
}

/// One step of a scripted peer (or of a dialing client, [`PeerControl::dial`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Writes these bytes in one write.
    Send(Vec<u8>),
    /// Writes these bytes one at a time, with a pause between bytes.
    Dribble(Vec<u8>, Duration),
    /// Waits.
    Pause(Duration),
    /// Reads exactly this many bytes (waiting for them).
    Recv(usize),
    /// Reads until the other side ends its half.
    RecvToEnd,
    /// Ends our side (the other side reads end of stream) but keeps reading.
    ShutdownWrite,
    /// Closes the connection now. Closing with unread bytes resets it.
    Close,
}

/// A TLS server presenting a leaf of the certificate zoo, echoing what it decrypts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPeer {
    /// The zoo leaf it presents (its chain as the zoo sends it).
    pub leaf: String,
    /// Offers TLS 1.2 only.
    pub tls12_only: bool,
    /// Requires a client certificate issued under the zoo's root.
    pub client_auth: bool,
    /// STARTTLS: before the handshake, reads one plaintext line and answers with these bytes.
    pub starttls_reply: Option<Vec<u8>>,
    /// Echoes one line, then closes the TCP connection without a TLS close_notify.
    pub abrupt_close: bool,
    /// Tells every connection after the first, in its first line, how the client ended the
    /// connection before it: `"close_notify\n"` when a close_notify came before the end,
    /// `"no close_notify\n"` when the TCP connection just ended (D14).
    pub report_close: bool,
}

impl TlsPeer {
    /// A TLS 1.2 and 1.3 server for `leaf`, without client authentication or STARTTLS.
    pub fn new(leaf: &str) -> Self {
        Self {
            leaf: leaf.into(),
            tls12_only: false,
            client_auth: false,
            starttls_reply: None,
            abrupt_close: false,
            report_close: false,
        }
    }
}

/// A world's peers, as a case sees them. Peers live until the case ends.
pub trait PeerControl {
    /// The host name the peers are reached at (`127.0.0.1`, or the simulated server's name).
    fn host(&self) -> &str;
    /// The host name at which peers reach the engine's own listeners.
    fn engine_host(&self) -> &str;
    /// True in the simulated world.
    fn is_simulated(&self) -> bool;
    /// Virtual time since the world began, in the simulated world; `None` in the real one.
    fn virtual_time(&self) -> Option<std::time::Duration>;

    /// Faults, in the simulated world only (an error elsewhere). Holds every packet between the
    /// engine and the peers for `duration`, then delivers them: a partition that heals.
    fn hold_link(&self, duration: Duration) -> Result<(), String>;
    /// Crashes the peers' host `after` from now: its software and connections vanish without a
    /// word. With `restart_after`, it starts again that much later, with no peer running.
    fn crash_peers(&self, after: Duration, restart_after: Option<Duration>) -> Result<(), String>;
    /// From now on, every message takes a random time up to `max` to arrive.
    fn set_max_latency(&self, max: Duration) -> Result<(), String>;
    /// From now on, this fraction (0..=1) of UDP datagrams between engine and peers is lost.
    /// (TCP has no retransmission in the simulation: use this with UDP only.)
    fn set_udp_loss(&self, rate: f64) -> Result<(), String>;
    /// Starts a TCP peer.
    fn tcp(&self, peer: Peer) -> LocalFuture<'_, PeerAddr>;
    /// Starts a UDP peer that echoes every datagram to its sender.
    fn udp_echo(&self) -> LocalFuture<'_, PeerAddr>;
    /// An address where nothing listens: connecting is refused.
    fn closed_port(&self) -> LocalFuture<'_, PeerAddr>;
    /// An address whose host never answers: a connect waits until its timeout.
    fn black_hole(&self) -> LocalFuture<'_, PeerAddr>;
    /// Connects to `host:port` (an engine's listener), runs `steps`, and returns every byte it
    /// read. Runs in the background: the returned future resolves when the steps are done.
    fn dial(&self, addr: PeerAddr, steps: Vec<Step>) -> LocalFuture<'static, Result<Vec<u8>, String>>;
}
