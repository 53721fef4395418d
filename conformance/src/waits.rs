//! The suite's one waiting policy: how long a case waits, in each world.
//!
//! In the simulated world time is virtual, so waits are generous and cost nothing. In the real
//! world every wait is real time on loopback, on a machine that may be busy, against an engine
//! that may be slow (an interpreter whose every call costs a fifth of a second): a wait expected
//! to succeed is long enough that a slow machine never fails it, a wait expected to time out is
//! short, and a peer's pause sits well between the two (ten times the short wait), so that a
//! call with the short wait times out before the pause ends even when the engine takes a few
//! slow calls to start it.
//!
//! The real world's waits are multiplied by the run's time scale (`caspian-conform run
//! --time-scale F`), for engines slower still: every real-world pause, window, bound and
//! timeout a case uses comes from here, so that a case never multiplies by hand. The simulated
//! world's are never scaled, nor the pauses a case sets against the spec's own 30 s default.

use std::time::Duration;

use crate::contract::CallOpts;
use crate::script::Ctx;

/// The waits of one world, at one time scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waits {
    simulated: bool,
    /// What the real world's waits are multiplied by: 1 or more; 1 in the simulated world.
    scale: f64,
}

impl Waits {
    /// The waits of the simulated world (`true`) or of the real one, unscaled.
    pub fn new(simulated: bool) -> Self {
        Self { simulated, scale: 1.0 }
    }

    /// The same waits with the real world's multiplied by `scale` (the simulated world's stay
    /// as they are; a scale below 1, or not a number, counts as 1).
    pub fn scaled(self, scale: f64) -> Self {
        let scale = if !self.simulated && scale >= 1.0 { scale } else { 1.0 };
        Self { scale, ..self }
    }

    /// The waits of the world `ctx` runs in, at the run's time scale.
    pub fn of(ctx: &Ctx) -> Self {
        Self::new(ctx.peers.is_simulated()).scaled(ctx.time_scale())
    }

    /// True in the simulated world.
    pub fn simulated(self) -> bool {
        self.simulated
    }

    /// What the real world's waits are multiplied by (1 in the simulated world).
    pub fn scale(self) -> f64 {
        self.scale
    }

    /// Seconds: `sim` in the simulated world, `real` times the scale in the real one, to the
    /// millisecond (so that a scaled timeout is one an engine stores and reports exactly: 0.6,
    /// not 0.6000000000000001).
    pub fn either(self, sim: f64, real: f64) -> f64 {
        if self.simulated { sim } else { (real * self.scale * 1000.0).round() / 1000.0 }
    }

    /// A time a case uses in both worlds alike (a gap, a timeout, a bound), scaled in the
    /// real world.
    pub fn secs(self, seconds: f64) -> f64 {
        self.either(seconds, seconds)
    }

    /// [`Waits::secs`] as a duration.
    pub fn time(self, duration: Duration) -> Duration {
        Duration::from_secs_f64(self.secs(duration.as_secs_f64()))
    }

    /// [`Waits::either`] as a duration.
    fn either_time(self, sim: f64, real: f64) -> Duration {
        Duration::from_secs_f64(self.either(sim, real))
    }

    /// Seconds for a wait expected to succeed: bounded, so that a broken engine fails instead of
    /// hanging, and far above what a busy machine needs.
    pub fn ok(self) -> f64 {
        self.either(60.0, 5.0)
    }

    /// Seconds for a wait expected to time out: a tenth of [`Waits::pause`].
    pub fn brief(self) -> f64 {
        self.either(2.0, 0.2)
    }

    /// A pause of a scripted peer: ten times [`Waits::brief`], a margin that the three calls a
    /// case makes before its brief wait (connect, set a timeout, the call) cannot eat, even on
    /// an engine whose every reply comes 0.2 s late, and well under [`Waits::ok`].
    pub fn pause(self) -> Duration {
        self.either_time(5.0, 2.0)
    }

    /// The pause between the bytes of a dribbling peer: short, so that a dribbled line stays
    /// well within [`Waits::ok`].
    pub fn dribble(self) -> Duration {
        self.either_time(0.1, 0.01)
    }

    /// Seconds of a connect timeout against a server that never answers the handshake: long
    /// enough to tell "at the timeout" from "at once", short enough to wait out.
    pub fn stall(self) -> f64 {
        self.either(5.0, 0.5)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_multiplies_every_real_world_wait() {
        let (one, three) = (Waits::new(false), Waits::new(false).scaled(3.0));
        assert_eq!((one.ok(), one.brief(), one.stall(), one.secs(0.35)), (5.0, 0.2, 0.5, 0.35));
        assert_eq!((three.ok(), three.brief(), three.stall(), three.secs(0.35)), (15.0, 0.6, 1.5, 1.05));
        assert_eq!(three.pause(), one.pause() * 3);
        assert_eq!(three.dribble(), one.dribble() * 3);
        assert_eq!(three.time(Duration::from_millis(300)), Duration::from_millis(900));
        assert_eq!(three.either(7.0, 2.0), 6.0);
        assert_eq!(three.ok_opts(), CallOpts::timeout(15.0));
        assert_eq!(three.brief_opts(), CallOpts::timeout(0.6));
    }

    #[test]
    fn the_simulated_world_is_never_scaled() {
        let sim = Waits::new(true).scaled(3.0);
        assert_eq!(sim.scale(), 1.0);
        assert_eq!((sim.ok(), sim.brief(), sim.secs(0.35)), (60.0, 2.0, 0.35));
        assert_eq!(sim.pause(), Duration::from_secs(5));
    }

    #[test]
    fn a_scale_below_one_counts_as_one() {
        for scale in [0.5, 0.0, -2.0, f64::NAN] {
            assert_eq!(Waits::new(false).scaled(scale), Waits::new(false));
        }
    }
}
