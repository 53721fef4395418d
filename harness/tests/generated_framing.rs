//! The generated framing cases catch a planted framing bug: an engine that delegates to the
//! reference and then breaks one framing rule fails framing.generated.*, with the smallest
//! failing scenario found and the command that replays it; running what that command names
//! (its case, seed and scenario count) gives the same counterexample again.

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use caspian_conformance::catalog::{Case, catalog};
use caspian_conformance::contract::{CallOpts, Engine, LocalFuture, Reply, Request, Value, Wait};
use caspian_conformance::peers::PeerControl;
use caspian_conformance::script::{Ctx, DEFAULT_GENERATED, Generation};
use caspian_harness::engines::planted::Planted;
use caspian_harness::engines::reference::ReferenceFactory;
use caspian_harness::runner::{EngineSpec, Job, RunSettings, World, replay_command};
use caspian_harness::world::run_sim;
use caspian_reference::transport::sim::{SimClock, SimTransport};

/// A framing bug planted on top of the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plant {
    /// After a recv_line that timed out, the bytes buffered are dropped (IO-NOTHING-LOST).
    DropsAfterLineTimeout,
    /// recv_line returns `\r\n`-ended lines with the `\r` stripped (TCP-RECV-LINE).
    StripsCarriageReturn,
}

/// The reference's engine with `plant`.
fn planted(inner: Box<dyn Engine>, plant: Plant) -> Box<dyn Engine> {
    Box::new(PlantedEngine { inner, plant })
}

/// An engine that delegates to `inner`, then commits its planted bug.
struct PlantedEngine {
    inner: Box<dyn Engine>,
    plant: Plant,
}

impl Engine for PlantedEngine {
    fn call(&mut self, request: Request) -> LocalFuture<'_, Reply> {
        Box::pin(async move {
            let line_of = match request {
                Request::RecvLine { handle, .. } => Some(handle),
                _ => None,
            };
            let reply = self.inner.call(request).await;
            match (self.plant, line_of, reply) {
                (Plant::DropsAfterLineTimeout, Some(handle), Err(raised)) if raised.class == "Timeout" => {
                    // Polls until nothing is left: everything buffered is read and dropped.
                    let poll = CallOpts { timeout: Some(Wait::Seconds(0.0)), max_length: None };
                    let drain = || Request::Recv { handle, max_bytes: 1 << 16, opts: poll };
                    while let Ok(Value::Bytes(bytes)) = self.inner.call(drain()).await {
                        if bytes.is_empty() {
                            break;
                        }
                    }
                    Err(raised)
                }
                (Plant::StripsCarriageReturn, Some(_), Ok(Value::Bytes(line))) if line.ends_with(b"\r\n") => {
                    Ok(Value::Bytes([&line[..line.len() - 2], b"\n"].concat()))
                }
                (_, _, reply) => reply,
            }
        })
    }
}

fn case(id: &str) -> Case {
    catalog().into_iter().find(|case| case.id == id).unwrap_or_else(|| panic!("no case {id}"))
}

/// Runs `case` in the simulated world against the reference, or the reference with `plant`,
/// as `caspian-conform run --world sim --seed SEED --generated SCENARIOS` would: its failure
/// message, if it fails.
fn run_case(case: Case, plant: Option<Plant>, seed: u64, scenarios: usize) -> Result<(), String> {
    let settings =
        RunSettings { generated: scenarios, ..RunSettings::new(EngineSpec::Reference, PathBuf::new()) };
    let replay = replay_command(&Job { case, world: World::Sim, seed }, &settings);
    run_sim(seed, move |_, peers| async move {
        let peers: Rc<dyn PeerControl> = Rc::new(peers);
        let reference = ReferenceFactory::new(SimTransport, Arc::new(SimClock));
        let factory = Rc::new(Planted::new(reference, plant, planted));
        let ctx =
            Ctx::new(peers, factory, PathBuf::new()).with_generation(Generation { seed, scenarios, replay });
        (case.run.run)(ctx).await.map_err(|failure| failure.message)
    })
}

/// The case, seed and scenario count of the replay command a failure message ends with.
fn replayed(message: &str) -> (Case, u64, usize) {
    let command = message
        .lines()
        .find_map(|line| line.trim().strip_prefix("replay: "))
        .unwrap_or_else(|| panic!("no replay command in: {message}"));
    let words: Vec<&str> = command.split_whitespace().collect();
    let value_of = |flag: &str| words.iter().position(|word| *word == flag).map(|at| words[at + 1]);
    assert!(
        command.starts_with("caspian-conform run --world sim"),
        "not a replay of the sim world: {command}"
    );
    let seed = value_of("--seed").and_then(|seed| seed.parse().ok()).expect("a seed");
    let scenarios = value_of("--generated").map_or(DEFAULT_GENERATED, |n| n.parse().expect("a count"));
    (case(words.last().expect("a case ID")), seed, scenarios)
}

const SEED: u64 = 3;
const SCENARIOS: usize = 12;

#[test]
fn planted_framing_bugs_fail_with_a_shrunk_scenario_that_replays() {
    let mixed = case("framing.generated.mixed");
    assert_eq!(run_case(mixed, None, SEED, SCENARIOS), Ok(()), "the reference itself fails");
    for (plant, symptom) in
        [(Plant::DropsAfterLineTimeout, "expected"), (Plant::StripsCarriageReturn, "\\r\\n\"")]
    {
        let failure = run_case(mixed, Some(plant), SEED, SCENARIOS)
            .expect_err(&format!("{plant:?} was not caught in {SCENARIOS} scenarios"));
        eprintln!("{plant:?}:\n{failure}\n");
        assert!(failure.contains("the smallest failing scenario found"), "{plant:?}: {failure}");
        assert!(failure.contains(&format!("drawn from seed {SEED}")), "{plant:?}: {failure}");
        assert!(
            failure.contains(symptom),
            "{plant:?}: failed for another reason than {symptom:?}: {failure}"
        );
        if plant == Plant::StripsCarriageReturn {
            // The smallest stream that shows the bug.
            assert!(failure.contains(r#"stream (2 bytes): "\r\n""#), "not shrunk: {failure}");
        }
        let (case, seed, scenarios) = replayed(&failure);
        assert_eq!((case.id, seed, scenarios), (mixed.id, SEED, SCENARIOS));
        let again = run_case(case, Some(plant), seed, scenarios).expect_err("the replay passed");
        assert_eq!(again, failure, "{plant:?}: the replay gave another counterexample");
    }
}
