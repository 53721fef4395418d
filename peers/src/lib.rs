//! The peers a test talks to, described as data: what a TCP peer does with each connection
//! ([`Peer`], [`Step`], [`TlsPeer`]), what a UDP peer does with each datagram ([`UdpPeer`]), and
//! what can go wrong on the link in front of one ([`Fault`]). The catalog's cases and the mock
//! network both speak these; the mock network serves them. No dependencies.

use std::time::Duration;

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

/// One step of a scripted peer (or of a dialing client).
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
    /// Reads exactly as many bytes as these; when they differ it closes the connection, so that
    /// the other side never reads what the next steps send.
    RecvExpect(Vec<u8>),
    /// Ends our side (the other side reads end of stream) but keeps reading.
    ShutdownWrite,
    /// Closes the connection now. Closing with unread bytes resets it.
    Close,
    /// Writes `pattern` over and over, in writes of its size, until `bytes` are written (the
    /// last copy cut short): a line without end, as far as the other side's limits go. A write
    /// that fails (the other side gave up) ends the connection.
    Flood(Vec<u8>, usize),
}

/// A TLS server presenting a leaf of the certificate zoo, echoing what it decrypts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// Sends this many copies of the zoo's intermediate after its chain, each about 500 bytes:
    /// a Certificate message a client must refuse without holding all of it.
    pub chain_padding: usize,
    /// When the client ends its half (after the echo), writes one line saying how, then ends its
    /// own: `"close_notify\n"` when a close_notify came, `"no close_notify\n"` for a bare FIN.
    pub report_end: bool,
    /// Before echoing, writes one line naming the server_name the ClientHello carried:
    /// `"sni NAME\n"`, or `"no sni\n"` when it carried none (TLS-SNI-NAME).
    pub report_sni: bool,
    /// Never answers the client's close_notify: after it, the peer neither sends its own nor
    /// closes the TCP connection, until the client does (D14's bound on `close`).
    pub ignore_close_notify: bool,
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
            chain_padding: 0,
            report_end: false,
            report_sni: false,
            ignore_close_notify: false,
        }
    }
}

/// What a UDP peer does with each datagram it receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdpPeer {
    /// Sends it back to its sender.
    Echo,
    /// Answers it with `datagrams` datagrams of `bytes` bytes each, as fast as it can send them.
    Flood { datagrams: usize, bytes: usize },
}

/// What can go wrong on a link, after Toxiproxy's toxics: `latency` is [`Fault::Latency`],
/// `bandwidth` [`Fault::Bandwidth`], `slow_close` [`Fault::SlowClose`], `timeout` a
/// [`Fault::Hold`] then a [`Fault::Close`], `reset_peer` a [`Fault::Cut`], `slicer`
/// [`Fault::Slice`], `limit_data` [`Fault::LimitData`]. A fault lasts until another undoes it;
/// the random choices come from the run's seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// Nothing passes either way (a black hole); what was sent waits for [`Fault::Heal`].
    Hold,
    /// Ends a hold: everything held is delivered, in order.
    Heal,
    /// Resets every connection of the link, on both sides (TCP only).
    Cut,
    /// Closes every connection of the link, on both sides, as a peer that hangs up (TCP only).
    Close,
    /// Each chunk takes a random time up to this to arrive.
    Latency(Duration),
    /// The bytes towards the engine arrive in chunks of at most `bytes`, `gap` apart.
    Slice { bytes: usize, gap: Duration },
    /// The bytes towards the engine arrive at most this many bytes a second.
    Bandwidth(u64),
    /// When a side ends its half, the other side learns of it this much later.
    SlowClose(Duration),
    /// The peer stops reading what the engine sends: the engine's send buffers fill.
    StopReading,
    /// The peer reads again: everything the engine sent arrives, in order.
    ResumeReading,
    /// The peer reads (again), at most this many bytes a second: a reader slow but steady.
    SlowReading(u64),
    /// Each connection closes once this many bytes reached the engine.
    LimitData(usize),
    /// This fraction (0..=1) of the datagrams the engine sends is lost (UDP only).
    Lose(f64),
    /// This fraction (0..=1) of the datagrams the engine sends arrives twice (UDP only).
    Duplicate(f64),
    /// This fraction (0..=1) of the datagrams the engine sends is overtaken by the next one
    /// (UDP only).
    Reorder(f64),
}

impl std::fmt::Display for Fault {
    /// The fault in words: `a cut`, `latency up to 200 ms`, `50% of the datagrams lost`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
        match self {
            Fault::Hold => f.write_str("a hold"),
            Fault::Heal => f.write_str("a heal"),
            Fault::Cut => f.write_str("a cut"),
            Fault::Close => f.write_str("a close"),
            Fault::Latency(max) => write!(f, "latency up to {} ms", ms(max)),
            Fault::Slice { bytes, gap } => write!(f, "slices of {bytes} bytes, {} ms apart", ms(gap)),
            Fault::Bandwidth(rate) => write!(f, "a bandwidth of {rate} bytes a second"),
            Fault::SlowClose(delay) => write!(f, "a slow close of {} ms", ms(delay)),
            Fault::StopReading => f.write_str("a peer that stops reading"),
            Fault::ResumeReading => f.write_str("a peer that reads again"),
            Fault::SlowReading(rate) => write!(f, "a peer reading {rate} bytes a second"),
            Fault::LimitData(bytes) => write!(f, "a close after {bytes} bytes"),
            Fault::Lose(share) => write!(f, "{}% of the datagrams lost", share * 100.0),
            Fault::Duplicate(share) => write!(f, "{}% of the datagrams duplicated", share * 100.0),
            Fault::Reorder(share) => write!(f, "{}% of the datagrams overtaken", share * 100.0),
        }
    }
}
