//! Draws a generated case's scenarios from the run's seed, plays each, and on the first failure
//! shrinks it (proptest's value tree, driven here, every attempt a fresh peer and socket) to the
//! smallest failing scenario found within a bounded number of attempts and time.

use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::script::{CaseResult, Ctx, Failure, Script};

use super::play::play;
use super::scenario::{Profile, Scenario, scenarios};

/// The most scenarios one shrink plays.
const MAX_SHRINK_ATTEMPTS: usize = 200;

/// How long a case may go on shrinking, counted from its start: well inside the runner's limit
/// of a case (600 s of virtual time, 30 s on loopback) even with one more failing attempt,
/// which costs at most one ok wait.
const SIM_SHRINK_UNTIL: Duration = Duration::from_secs(400);
const REAL_SHRINK_UNTIL: Duration = Duration::from_secs(15);

/// Plays the run's count of `profile` scenarios drawn from the run's seed; fails with the
/// smallest failing scenario found, the seed and the command that replays it.
pub async fn check_generated(ctx: Ctx, profile: Profile) -> CaseResult {
    let clock = Clock::start(&ctx);
    let generation = ctx.generation().clone();
    let mut engine = ctx.engine_for_peers().await?;
    let mut runner = TestRunner::new_with_rng(Config::default(), rng(generation.seed));
    let strategy = scenarios(profile);
    for index in 0..generation.scenarios {
        let mut tree = strategy
            .new_tree(&mut runner)
            .map_err(|reason| Failure::new(format!("cannot draw a scenario: {reason}")))?;
        let scenario = tree.current();
        let Err(failure) = play(&ctx, &mut engine, &scenario, profile).await else { continue };
        let shrunk =
            shrink(&ctx, &mut engine, &mut tree, Shrunk { scenario, failure, attempts: 0 }, profile, &clock)
                .await;
        return Err(Failure::new(format!(
            "scenario {} of {} drawn from seed {} failed; the smallest failing scenario found in {} \
             shrink attempts:\n{}\n  failure: {}\n  replay: {}",
            index + 1,
            generation.scenarios,
            generation.seed,
            shrunk.attempts,
            shrunk.scenario,
            shrunk.failure,
            generation.replay,
        )));
    }
    Ok(())
}

/// The smallest failing scenario so far.
struct Shrunk {
    scenario: Scenario,
    failure: Failure,
    attempts: usize,
}

/// Simplifies `tree` while its scenario still fails, stepping back when a simpler one passes.
async fn shrink(
    ctx: &Ctx,
    engine: &mut Script,
    tree: &mut Box<dyn ValueTree<Value = Scenario>>,
    mut smallest: Shrunk,
    profile: Profile,
    clock: &Clock,
) -> Shrunk {
    let mut more = tree.simplify();
    while more && smallest.attempts < MAX_SHRINK_ATTEMPTS && !clock.shrink_time_spent(ctx) {
        smallest.attempts += 1;
        let candidate = tree.current();
        more = match play(ctx, engine, &candidate, profile).await {
            Err(failure) => {
                smallest.scenario = candidate;
                smallest.failure = failure;
                tree.simplify()
            }
            Ok(()) => tree.complicate(),
        };
    }
    smallest
}

/// The generator of a seed: the same seed draws the same scenarios on every machine.
fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// When the case started: in virtual time in the simulated world (so that shrinking stops at
/// the same attempt for the same seed), in real time on loopback.
enum Clock {
    Virtual(Duration),
    Real(Instant),
}

impl Clock {
    fn start(ctx: &Ctx) -> Self {
        match ctx.peers.virtual_time() {
            Some(now) => Clock::Virtual(now),
            None => Clock::Real(Instant::now()),
        }
    }

    fn shrink_time_spent(&self, ctx: &Ctx) -> bool {
        match self {
            Clock::Virtual(start) => {
                ctx.peers.virtual_time().is_some_and(|now| now.saturating_sub(*start) > SIM_SHRINK_UNTIL)
            }
            Clock::Real(start) => start.elapsed() > REAL_SHRINK_UNTIL,
        }
    }
}
