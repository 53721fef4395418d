//! The whole catalog passes against the in-process reference, in both worlds. This is also the
//! test command of the cargo-mutants run (CONTRIBUTING.md): a mutant of the reference that
//! breaks a clause must make a case fail here. `CASPIAN_CATALOG_WORLDS=sim` keeps to the
//! simulated world, where a mutant that hangs a case costs virtual time, not real time.
//!
//! The same run checks every exception message the reference raised in it: words a script
//! author reads, never Rust debug text.

use caspian_conformance::catalog::catalog;
use caspian_harness::certs::CertZoo;
use caspian_harness::report::Status;
use caspian_harness::runner::{EngineSpec, Job, RunSettings, World, run_all};

#[test]
fn the_reference_passes_every_case_in_both_worlds() {
    let settings = RunSettings {
        jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        keep_passing_transcripts: true,
        ..RunSettings::new(
            EngineSpec::Reference,
            CertZoo::shared_dir().expect("the certificate zoo").to_path_buf(),
        )
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
    let raised: Vec<(String, String)> = reports
        .iter()
        .flat_map(|r| r.transcript.iter().map(move |line| (r.id.clone(), line)))
        .filter_map(|(id, line)| {
            let json = line.split_once("< raised ")?.1;
            let message =
                serde_json::from_str::<serde_json::Value>(json).ok()?["message"].as_str()?.to_string();
            Some((id, message))
        })
        .collect();
    assert!(raised.len() > 300, "the catalog raises exceptions on purpose: only {} seen", raised.len());
    let debug: Vec<String> = raised
        .iter()
        .filter_map(|(id, message)| {
            debug_text(message).map(|marker| format!("{id}: {marker:?} in {message:?}"))
        })
        .collect();
    assert!(debug.is_empty(), "messages with Rust debug text:\n{}", debug.join("\n"));
}

/// The first mark of Rust debug text in `message`: a `{:?}` of an enum, struct or option, or a
/// type or variant name in CamelCase (the exception class IDs, protocol names such as `TLSv1.2`
/// and hosts as the script wrote them, before `:port`, aside).
fn debug_text(message: &str) -> Option<String> {
    const MARKS: [&str; 8] = ["Some(", "None", "Os {", "kind:", "Kind(", " { ", "Error(", "\\\""];
    if let Some(mark) = MARKS.iter().find(|mark| message.contains(*mark)) {
        return Some((*mark).to_string());
    }
    let mut rest = message;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        let end = rest[start..].find(|c: char| !c.is_ascii_alphanumeric()).map_or(rest.len(), |e| start + e);
        let (word, after) = (&rest[start..end], &rest[end..]);
        let camel = word.starts_with(|c: char| c.is_ascii_uppercase())
            && word.chars().skip(1).any(|c| c.is_ascii_uppercase())
            && word.chars().any(|c| c.is_ascii_lowercase())
            && !word.chars().any(|c| c.is_ascii_digit());
        let host = after.trim_start_matches('.').starts_with(':');
        if camel && !host && !caspian_conformance::contract::CLASSES.contains(&word) {
            return Some(word.to_string());
        }
        rest = after;
    }
    None
}
