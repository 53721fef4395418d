//! The simulated world is deterministic: the same seed gives the same transcript of events
//! (requests, replies and their virtual times), byte for byte; another seed changes the
//! interleaving (message latencies are drawn from the seed).

use caspian_conformance::catalog::{Case, catalog};
use caspian_harness::certs::CertZoo;
use caspian_harness::report::Status;
use caspian_harness::runner::{EngineSpec, Job, RunSettings, World, run_job};

fn case(id: &str) -> Case {
    catalog().into_iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no case {id}"))
}

fn transcript(id: &str, seed: u64) -> String {
    let settings = RunSettings {
        keep_passing_transcripts: true,
        ..RunSettings::new(
            EngineSpec::Reference,
            CertZoo::shared_dir().expect("the certificate zoo").to_path_buf(),
        )
    };
    let report = run_job(&Job { case: case(id), world: World::Sim, seed }, &settings);
    assert_eq!(report.status, Status::Pass, "{id} with seed {seed}: {:?}", report.message);
    report.transcript.join("\n")
}

const CASES: [&str; 3] =
    ["tcp.open.echo", "fault.latency.timeout_then_late_bytes", "fault.udp_loss.datagrams_intact_or_absent"];

#[test]
fn the_same_seed_gives_the_same_transcript() {
    for id in CASES {
        assert_eq!(transcript(id, 7), transcript(id, 7), "{id}: two runs with seed 7 differ");
    }
}

#[test]
fn another_seed_changes_the_interleaving() {
    for id in CASES {
        let differing = (8..12).filter(|&seed| transcript(id, seed) != transcript(id, 7)).count();
        assert!(differing > 0, "{id}: seeds 8..12 all gave seed 7's transcript");
    }
}

#[test]
fn the_seed_7_transcript_of_an_echo_is_pinned() {
    insta::assert_snapshot!(transcript("tcp.open.echo", 7));
}
