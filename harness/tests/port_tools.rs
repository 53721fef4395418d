//! The tools a port author lives in, end to end through `caspian-conform`: refreshing an
//! expectation file from a run, comparing runs (and the shards of one), and output that a pipe
//! may cut short.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("port-tools-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

fn conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caspian-conform")).current_dir(root()).args(args).output().expect("run")
}

fn port(mode: Option<&str>) -> String {
    let driver = env!("CARGO_BIN_EXE_caspian-ref-driver");
    match mode {
        Some(mode) => format!("python3 fixtures/engines/faulty_engine.py {mode} -- {driver}"),
        None => driver.to_string(),
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn update_expectations_round_trip() {
    let dir = scratch("update");
    let file = dir.join("expectations.toml");
    std::fs::write(
        &file,
        "# my port's expectations\n\n[[skip]]\ncase = \"no.such.case\"\nreason = \"gone\"\n",
    )
    .expect("write");
    let broken = port(Some("wrong-class"));
    let first = conform(&[
        "run",
        "--quiet",
        "--engine-cmd",
        &broken,
        "--update-expectations",
        path(&file),
        "tcp.open.*",
    ]);
    assert_eq!(first.status.code(), Some(1), "the run itself still fails");
    let written = std::fs::read_to_string(&file).expect("the file");
    assert!(written.starts_with("# my port's expectations"), "{written}");
    assert!(written.contains("case = \"tcp.open.refused\""), "{written}");
    assert!(written.contains("reason = \"to fill in: FAIL"), "{written}");
    assert!(!written.contains("no.such.case"), "stale entries go: {written}");
    let again =
        conform(&["run", "--quiet", "--engine-cmd", &broken, "--expectations", path(&file), "tcp.open.*"]);
    assert!(again.status.success(), "the written file makes the next run pass");
    // The port is fixed: its entry passes now and goes.
    let fixed = conform(&[
        "run",
        "--quiet",
        "--engine-cmd",
        &port(None),
        "--expectations",
        path(&file),
        "--update-expectations",
        path(&file),
        "tcp.open.*",
    ]);
    assert_eq!(fixed.status.code(), Some(1), "an unexpected pass fails the run that finds it");
    let refreshed = std::fs::read_to_string(&file).expect("the file");
    assert!(!refreshed.contains("tcp.open.refused"), "{refreshed}");
    let clean = conform(&[
        "run",
        "--quiet",
        "--engine-cmd",
        &port(None),
        "--expectations",
        path(&file),
        "tcp.open.*",
    ]);
    assert!(clean.status.success());
}

#[test]
fn diff_fails_on_a_regression_and_passes_on_a_fix() {
    let dir = scratch("diff");
    let (good, bad) = (dir.join("good.json"), dir.join("bad.json"));
    for (report, mode) in [(&good, None), (&bad, Some("wrong-class"))] {
        conform(&[
            "run",
            "--quiet",
            "--engine-cmd",
            &port(mode),
            "--json",
            path(report),
            "tcp.open.refused",
            "tcp.open.echo",
        ]);
    }
    let regression = conform(&["diff", path(&good), path(&bad)]);
    let text = String::from_utf8_lossy(&regression.stdout);
    assert_eq!(regression.status.code(), Some(1), "{text}");
    assert!(text.contains("regressions:\n  tcp.open.refused [real]: PASS -> FAIL"), "{text}");
    let fix = conform(&["diff", path(&bad), path(&good)]);
    let text = String::from_utf8_lossy(&fix.stdout);
    assert!(fix.status.success(), "{text}");
    assert!(text.contains("fixes:\n  tcp.open.refused [real]: FAIL -> PASS"), "{text}");
}

/// The CI recipe of README.md, as written: shards run apart, merged by `diff` against the last
/// report, the merged report kept as the next baseline.
#[test]
fn the_readme_ci_recipe_merges_shards_and_compares() {
    let dir = scratch("ci");
    let driver = port(None);
    let shard = |i: &str| dir.join(format!("shard-{i}.json"));
    for i in ["1", "2"] {
        let run = conform(&[
            "run",
            "--quiet",
            "--engine-cmd",
            &driver,
            "--shard",
            &format!("{i}/2"),
            "--json",
            path(&shard(i)),
            "tcp.open.*",
        ]);
        assert!(run.status.success());
    }
    let (baseline, merged) = (dir.join("baseline.json"), dir.join("merged.json"));
    std::fs::copy(shard("1"), &baseline).expect("an older, smaller baseline");
    let compared =
        conform(&["diff", path(&baseline), path(&shard("1")), path(&shard("2")), "--merged", path(&merged)]);
    let text = String::from_utf8_lossy(&compared.stdout);
    assert!(compared.status.success(), "{text}");
    assert!(text.contains("0 regressions") && text.contains("new cases:"), "{text}");
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).expect("merged")).expect("json");
    let count = conform(&["list", "tcp.open.*"]);
    let listed =
        String::from_utf8_lossy(&count.stdout).lines().filter(|l| l.starts_with("tcp.open.")).count();
    assert_eq!(all["cases"].as_array().map(Vec::len), Some(listed), "every case of both shards, once");
}

#[test]
fn output_cut_short_by_a_pipe_ends_quietly() {
    for args in [&["list"][..], &["explain", "tcp.open.echo"][..], &["list", "--markdown"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_caspian-conform"))
            .current_dir(root())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("one line");
        let output = child.wait_with_output().expect("the end");
        assert!(output.status.success(), "{args:?}: {:?}", output.status);
        // The listing's count goes to stderr when stdout is a pipe; nothing else may.
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.is_empty() || stderr.ends_with(" cases\n"), "{args:?}: {stderr}");
    }
}
