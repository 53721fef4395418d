//! What a link does to its traffic: the [`Toxics`] every connection of a link follows, and the
//! [`pump`] that carries one direction of a connection through them.

use std::time::Duration;

use caspian_peers::Fault;
use rand::Rng;
use rand::rngs::SmallRng;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;

/// The faults in force on one link. A connection reads them before each chunk it carries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Toxics {
    /// Nothing passes (a hold, or the host crashed).
    pub held: bool,
    /// The relay does not read what the engine sends.
    pub not_reading: bool,
    /// Bytes a second the relay reads of what the engine sends.
    pub reading_rate: Option<u64>,
    /// The peers' host crashed: the link is silent for good, and its listener is let go.
    pub crashed: bool,
    pub max_latency: Duration,
    /// Chunks towards the engine: at most this many bytes, this far apart.
    pub slice: Option<(usize, Duration)>,
    /// Bytes a second towards the engine.
    pub bandwidth: Option<u64>,
    pub slow_close: Duration,
    /// Bytes towards the engine after which a connection closes.
    pub limit_data: Option<usize>,
    /// How many cuts (resets) and closes were asked so far: a connection ends at the next one.
    pub cuts: u64,
    pub closes: u64,
    /// Datagram faults: the fraction lost, duplicated, overtaken.
    pub lose: f64,
    pub duplicate: f64,
    pub reorder: f64,
}

impl Toxics {
    /// Applies `fault` (a UDP link takes datagram faults, a TCP link the others).
    pub fn apply(&mut self, fault: Fault, udp: bool) -> Result<(), String> {
        let rate = |rate: f64| {
            if (0.0..=1.0).contains(&rate) {
                Ok(rate)
            } else {
                Err(format!("a rate is within 0..=1, got {rate}"))
            }
        };
        if for_datagrams(fault) != udp {
            let kind = if udp { "a UDP" } else { "a TCP" };
            return Err(format!("{fault} is not a fault of {kind} link"));
        }
        match fault {
            Fault::Hold => self.held = true,
            Fault::Heal => self.held = false,
            Fault::Cut => self.cuts += 1,
            Fault::Close => self.closes += 1,
            Fault::Latency(max) => self.max_latency = max,
            Fault::Slice { bytes, gap } => self.slice = Some((bytes.max(1), gap)),
            Fault::Bandwidth(rate) => self.bandwidth = Some(rate.max(1)),
            Fault::SlowClose(delay) => self.slow_close = delay,
            Fault::StopReading => self.not_reading = true,
            Fault::ResumeReading => (self.not_reading, self.reading_rate) = (false, None),
            Fault::SlowReading(rate) => (self.not_reading, self.reading_rate) = (false, Some(rate.max(1))),
            Fault::LimitData(bytes) => self.limit_data = Some(bytes),
            Fault::Lose(r) => self.lose = rate(r)?,
            Fault::Duplicate(r) => self.duplicate = rate(r)?,
            Fault::Reorder(r) => self.reorder = rate(r)?,
        }
        Ok(())
    }

    /// Traffic may pass now.
    pub fn flowing(&self) -> bool {
        !self.held && !self.crashed
    }
}

/// True for the faults of a UDP link (the others are a TCP link's).
pub fn for_datagrams(fault: Fault) -> bool {
    matches!(fault, Fault::Lose(_) | Fault::Duplicate(_) | Fault::Reorder(_))
}

/// A random time up to `max`.
pub fn delay_up_to(rng: &mut SmallRng, max: Duration) -> Duration {
    if max.is_zero() { max } else { Duration::from_nanos(rng.random_range(0..=max.as_nanos() as u64)) }
}

/// Which way a pump carries bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the engine to the peer.
    Up,
    /// From the peer to the engine.
    Down,
}

/// Why a pump stopped before the end of its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A side reset or failed: the connection is reset on both sides.
    Reset,
    /// The data limit was reached: the connection is closed on both sides.
    Close,
}

/// Carries bytes from `from` to `to` through the link's toxics until `from` ends (then ends
/// `to`'s half, after the slow close), in order, never losing or repeating a byte.
pub async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    direction: Direction,
    mut toxics: watch::Receiver<Toxics>,
    mut rng: SmallRng,
) -> Result<(), Stop> {
    let reset = |_| Stop::Reset;
    let mut buf = vec![0u8; 16 * 1024];
    let mut delivered = 0usize;
    loop {
        let up = direction == Direction::Up;
        toxics.wait_for(|t| t.flowing() && !(up && t.not_reading)).await.map_err(|_| Stop::Reset)?;
        let n = from.read(&mut buf).await.map_err(reset)?;
        let now = toxics.borrow().clone();
        if n == 0 {
            tokio::time::sleep(now.slow_close).await;
            toxics.wait_for(Toxics::flowing).await.map_err(|_| Stop::Reset)?;
            return to.shutdown().await.map_err(reset);
        }
        tokio::time::sleep(delay_up_to(&mut rng, now.max_latency)).await;
        toxics.wait_for(Toxics::flowing).await.map_err(|_| Stop::Reset)?;
        let mut chunk = &buf[..n];
        if up {
            to.write_all(chunk).await.map_err(reset)?;
            if let Some(rate) = now.reading_rate {
                tokio::time::sleep(Duration::from_secs_f64(n as f64 / rate as f64)).await;
            }
            continue;
        }
        let limit = now.limit_data.map(|limit| limit.saturating_sub(delivered));
        if let Some(left) = limit {
            chunk = &chunk[..n.min(left)];
        }
        let (piece, gap) = now.slice.unwrap_or((chunk.len().max(1), Duration::ZERO));
        for (i, part) in chunk.chunks(piece).enumerate() {
            if i > 0 {
                tokio::time::sleep(gap).await;
            }
            to.write_all(part).await.map_err(reset)?;
            to.flush().await.map_err(reset)?;
            if let Some(rate) = now.bandwidth {
                tokio::time::sleep(Duration::from_secs_f64(part.len() as f64 / rate as f64)).await;
            }
        }
        delivered += chunk.len();
        if limit.is_some_and(|left| left <= chunk.len()) {
            return Err(Stop::Close);
        }
    }
}
