//! A case whose machine lacks what it needs ends SKIP with the reason, never PASS; a case that
//! fails is still FAIL.

use caspian_conformance::body;
use caspian_conformance::catalog::{Case, Level, Worlds};
use caspian_conformance::script::Failure;
use caspian_harness::certs::CertZoo;
use caspian_harness::report::Status;
use caspian_harness::runner::{EngineSpec, Job, RunSettings, World, run_job};

const LACKING: Case = Case {
    id: "test.machine.lacking",
    clauses: &["TCP-OPEN"],
    level: Level::Must,
    description: "needs what the machine lacks",
    needs: &[],
    worlds: Worlds::Both,
    run: body!(async |_ctx| Err(Failure::skip("this machine lacks the thing"))),
};

const FAILING: Case = Case {
    id: "test.machine.failing",
    clauses: &["TCP-OPEN"],
    level: Level::Must,
    description: "fails",
    needs: &[],
    worlds: Worlds::Both,
    run: body!(async |_ctx| Err(Failure::new("the engine did it wrong"))),
};

fn settings() -> RunSettings {
    RunSettings::new(EngineSpec::Reference, CertZoo::shared_dir().expect("the certificate zoo").to_path_buf())
}

#[test]
fn a_missing_capability_is_a_skip_with_its_reason() {
    for world in [World::Sim, World::Real] {
        let report = run_job(&Job { case: LACKING, world, seed: 1 }, &settings());
        assert_eq!(report.status, Status::Skip, "{world:?}");
        assert_eq!(report.message.as_deref(), Some("this machine lacks the thing"));
        let report = run_job(&Job { case: FAILING, world, seed: 1 }, &settings());
        assert_eq!(report.status, Status::Fail, "{world:?}");
    }
}
