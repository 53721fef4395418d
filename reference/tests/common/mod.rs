//! What the property tests share: their configuration and the hunt for planted bugs.

use std::fmt;

use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestCaseError, TestError, TestRunner};

/// The fixed seed of every run (overridden by `PROPTEST_RNG_SEED`).
pub const SEED: u64 = 0xCA5_B1A4;

/// Cases per property: `PROPTEST_CASES`, or 256.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|value| value.parse().ok()).unwrap_or(256)
}

pub fn config() -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(cases());
    config.failure_persistence = None;
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    config
}

/// Proptest shrinks greedily and can stop in a local minimum, so each planted bug is hunted
/// from this many seeds in a row (each hunt must catch it) and the shortest shrunk input shown.
pub const HUNTS: u64 = 8;

/// Runs `check` with a [`TestRunner`] (the properties' config, seeds `SEED..SEED + HUNTS`),
/// expects every run to fail with a message containing `expected`, and prints the shortest
/// shrunk input.
pub fn expect_caught<S>(
    bug: &str,
    strategy: S,
    expected: &str,
    check: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: fmt::Debug,
{
    let base = match config().rng_seed {
        RngSeed::Fixed(seed) => seed,
        RngSeed::Random => SEED,
    };
    let mut shortest: Option<(String, String)> = None;
    for hunt in 0..HUNTS {
        let seed = base.wrapping_add(hunt);
        let mut config = config();
        config.rng_seed = RngSeed::Fixed(seed);
        let (reason, minimal) = match TestRunner::new(config).run(&strategy, &check) {
            Err(TestError::Fail(reason, minimal)) => (reason, format!("{minimal:?}")),
            Err(TestError::Abort(reason)) => {
                panic!("planted bug {bug}: seed {seed}: the run aborted: {reason}")
            }
            Ok(()) => panic!(
                "planted bug {bug}: seed {seed}: not caught in {} cases: the property cannot fail",
                cases()
            ),
        };
        assert!(
            reason.message().contains(expected),
            "planted bug {bug}: seed {seed}: failed for another reason than {expected:?}: {reason}; \
             shrunk input: {minimal}"
        );
        if shortest.as_ref().is_none_or(|(best, _)| minimal.len() < best.len()) {
            shortest = Some((minimal, reason.to_string()));
        }
    }
    let (minimal, reason) = shortest.expect("at least one hunt");
    eprintln!("planted bug {bug}\n  shrunk input: {minimal}\n  failure: {reason}\n");
}
