//! The whole catalog passes against the in-process reference, in both worlds. This is also the
//! test command of the cargo-mutants run (CONTRIBUTING.md): a mutant of the reference that
//! breaks a clause must make a case fail here. `CASPIAN_CATALOG_WORLDS=sim` keeps to the
//! simulated world, where a mutant that hangs a case costs virtual time, not real time.

use caspian_conformance::catalog::catalog;
use caspian_harness::certs::CertZoo;
use caspian_harness::report::Status;
use caspian_harness::runner::{EngineSpec, Job, RunSettings, World, run_all};

#[test]
fn the_reference_passes_every_case_in_both_worlds() {
    let settings = RunSettings {
        engine: EngineSpec::Reference,
        certs: CertZoo::shared_dir().expect("the certificate zoo").to_path_buf(),
        jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        expectations: Default::default(),
        expectations_file: None,
        keep_passing_transcripts: false,
        quick: false,
    };
    let worlds = match std::env::var("CASPIAN_CATALOG_WORLDS").as_deref() {
        Ok("sim") => vec![World::Sim],
        Ok("real") => vec![World::Real],
        _ => vec![World::Sim, World::Real],
    };
    let jobs: Vec<Job> = worlds
        .into_iter()
        .flat_map(|world| catalog().into_iter().map(move |case| Job { case, world, seed: 1 }))
        .collect();
    let reports = run_all(&jobs, &settings, &|_| {});
    assert_eq!(reports.len(), jobs.len());
    let failures: Vec<String> = reports
        .iter()
        .filter(|r| !matches!(r.status, Status::Pass | Status::Skip))
        .map(|r| {
            format!("{} [{}] {}: {}", r.id, r.world, r.status.name(), r.message.as_deref().unwrap_or(""))
        })
        .collect();
    assert!(failures.is_empty(), "{} cases did not pass:\n{}", failures.len(), failures.join("\n"));
    let passed = reports.iter().filter(|r| r.status == Status::Pass).count();
    assert!(passed * 10 >= reports.len() * 9, "most cases must run, not skip: {passed} of {}", reports.len());
}
