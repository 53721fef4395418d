//! The suite's one waiting policy: how long a case waits, in each world.
//!
//! In the simulated world time is virtual, so waits are generous and cost nothing. In the real
//! world every wait is real time on loopback, on a machine that may be busy: a wait expected to
//! succeed is long enough that a slow machine never fails it, a wait expected to time out is
//! short, and a peer's pause sits well between the two, so that a call with the short wait
//! times out before the pause ends even when the machine is slow to start the call.

use std::time::Duration;

use crate::contract::CallOpts;
use crate::script::Ctx;

/// The waits of one world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waits {
    simulated: bool,
}

impl Waits {
    /// The waits of the simulated world (`true`) or of the real one.
    pub fn new(simulated: bool) -> Self {
        Self { simulated }
    }

    /// The waits of the world `ctx` runs in.
    pub fn of(ctx: &Ctx) -> Self {
        Self::new(ctx.peers.is_simulated())
    }

    /// True in the simulated world.
    pub fn simulated(self) -> bool {
        self.simulated
    }

    /// Seconds for a wait expected to succeed: bounded, so that a broken engine fails instead of
    /// hanging, and far above what a busy machine needs.
    pub fn ok(self) -> f64 {
        if self.simulated { 60.0 } else { 5.0 }
    }

    /// Seconds for a wait expected to time out: well below [`Waits::pause`].
    pub fn brief(self) -> f64 {
        if self.simulated { 2.0 } else { 0.2 }
    }

    /// A pause of a scripted peer: longer than [`Waits::brief`] by a margin a busy machine
    /// cannot eat, shorter than [`Waits::ok`].
    pub fn pause(self) -> Duration {
        if self.simulated { Duration::from_secs(5) } else { Duration::from_secs(1) }
    }

    /// The pause between the bytes of a dribbling peer: short, so that a dribbled line stays
    /// well within [`Waits::ok`].
    pub fn dribble(self) -> Duration {
        if self.simulated { Duration::from_millis(100) } else { Duration::from_millis(10) }
    }

    /// Seconds of a connect timeout against a server that never answers the handshake: long
    /// enough to tell "at the timeout" from "at once", short enough to wait out.
    pub fn stall(self) -> f64 {
        if self.simulated { 5.0 } else { 0.5 }
    }

    /// Call options with the [`Waits::ok`] timeout.
    pub fn ok_opts(self) -> CallOpts {
        CallOpts::timeout(self.ok())
    }

    /// Call options with the [`Waits::brief`] timeout.
    pub fn brief_opts(self) -> CallOpts {
        CallOpts::timeout(self.brief())
    }
}
