//! `caspian-conform run --time-scale F`: the argument is checked, and the scale reaches the
//! waits of every real-world case (and of no simulated one) and the replay command.

use std::process::Command;

use caspian_conformance::body;
use caspian_conformance::catalog::{Case, Level, Worlds};
use caspian_conformance::script::expect_eq;
use caspian_conformance::waits::Waits;
use caspian_harness::certs::CertZoo;
use caspian_harness::report::Status;
use caspian_harness::runner::{EngineSpec, Job, RunSettings, World, parse_time_scale, run_job};

#[test]
fn a_scale_is_a_number_from_one() {
    for (text, scale) in [("1", 1.0), ("3", 3.0), ("2.5", 2.5), (" 4 ", 4.0), ("100", 100.0)] {
        assert_eq!(parse_time_scale(text), Ok(scale), "{text:?}");
    }
    for text in ["0.5", "0", "-3", "abc", "", "inf", "NaN", "1e9", "3x"] {
        let message = parse_time_scale(text).expect_err(text);
        assert!(message.contains("--time-scale") && message.contains(&format!("{text:?}")), "{message}");
    }
}

#[test]
fn the_command_refuses_a_scale_below_one() {
    for bad in ["0.5", "slow"] {
        let output = Command::new(env!("CARGO_BIN_EXE_caspian-conform"))
            .args(["run", "--quiet", "--time-scale", bad, "tcp.open.echo"])
            .output()
            .expect("run caspian-conform");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "--time-scale {bad}: {stderr}");
        assert!(stderr.contains("--time-scale takes a number from 1"), "--time-scale {bad}: {stderr}");
    }
}

/// A case that checks the waits it is given: the real world's multiplied by 3, the simulated
/// world's as they are.
const SEES_THE_SCALE: Case = Case {
    id: "harness.time_scale.sees_the_scale",
    clauses: &[],
    level: Level::Must,
    needs: &[],
    worlds: Worlds::Both,
    description: "the waits of a run at --time-scale 3",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let expected = if ctx.peers.is_simulated() { vec![60.0, 5.0, 0.5] } else { vec![15.0, 6.0, 1.5] };
        let seen = vec![waits.ok(), waits.pause().as_secs_f64(), waits.secs(0.5)];
        expect_eq("the ok wait, the pause and a bound of 0.5 s", seen, expected)
    }),
};

fn settings(time_scale: f64) -> RunSettings {
    RunSettings {
        quick: true,
        time_scale,
        ..RunSettings::new(
            EngineSpec::Reference,
            CertZoo::shared_dir().expect("the certificate zoo").to_path_buf(),
        )
    }
}

#[test]
fn the_scale_reaches_the_waits_of_the_real_world_only() {
    for world in [World::Real, World::Sim] {
        let job = Job { case: SEES_THE_SCALE, world, seed: 1 };
        let report = run_job(&job, &settings(3.0));
        assert_eq!(report.status, Status::Pass, "{world:?}: {:?}", report.message);
        assert!(report.replay.contains(" --time-scale 3 "), "{}", report.replay);
        // Unscaled, the same case fails: it can tell.
        let report = run_job(&job, &settings(1.0));
        let expected = if world == World::Real { Status::Fail } else { Status::Pass };
        assert_eq!(report.status, expected, "{world:?} unscaled: {:?}", report.message);
        assert!(!report.replay.contains("--time-scale"), "{}", report.replay);
    }
}
