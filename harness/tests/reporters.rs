//! The HTML and JUnit reporters, on a report built by hand and on a real run of the binary.

use std::path::PathBuf;
use std::process::Command;

use caspian_harness::report::{CaseReport, RunReport, Status};
use caspian_harness::reporters::{html::html, junit::junit};

const HOSTILE: &str = "expected \"ok\" & got <script>alert('x')</script>";

fn case(id: &str, world: &str, status: Status, message: Option<&str>) -> CaseReport {
    CaseReport {
        id: id.into(),
        clauses: vec!["TCP-RECV-LINE".into(), "IO-NOT-A-CLAUSE".into()],
        level: "MUST".into(),
        description: format!("checks {id}"),
        world: world.into(),
        status,
        message: message.map(String::from),
        transcript: if status == Status::Pass {
            Vec::new()
        } else {
            vec!["> recv_line".into(), "< b\"a\\n\"".into()]
        },
        seed: (world == "sim").then_some(7),
        replay: format!("caspian-conform run --world {world} --seed 7 {id}"),
        duration_ms: 12.5,
    }
}

fn sample() -> RunReport {
    RunReport {
        engine: "reference 0.1 <dev>".into(),
        cases: vec![
            case("tcp.recv_line.basic", "sim", Status::Pass, None),
            case("tcp.recv_line.hostile", "sim", Status::Fail, Some(HOSTILE)),
            case("tcp.recv_line.skipped", "sim", Status::Skip, Some("sim only")),
            case("tcp.recv_line.basic", "real", Status::Pass, None),
            case("tcp.recv_line.crash", "real", Status::Crash, Some("engine died")),
            case("tcp.recv_line.todo", "real", Status::Unimplemented, Some("no recv_line")),
            case("tcp.recv_line.known", "real", Status::ExpectedFail, Some("known bug")),
            case("tcp.recv_line.fixed", "real", Status::UnexpectedPass, Some("passes now")),
        ],
        stale_expectations: vec!["tcp.gone".into()],
        duration_ms: 1234.0,
    }
}

#[test]
fn html_lists_every_case_and_clause_and_is_self_contained() {
    let report = sample();
    let page = html(&report);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    for case in &report.cases {
        assert!(page.contains(&case.id), "{} missing from the page", case.id);
    }
    for forbidden in ["http://", "https://", "<script", " src=", "<link", "@import", "url("] {
        assert!(!page.contains(forbidden), "the page contains {forbidden:?}");
    }
    // The clause row, with its text from the clause table, and the unknown clause after it.
    let known = page.find("<code>TCP-RECV-LINE</code>").expect("the TCP-RECV-LINE row");
    let unknown = page.find("<code>IO-NOT-A-CLAUSE</code>").expect("the unknown clause row");
    assert!(known < unknown);
    assert!(page.contains("returns bytes up to and including the next"));
    assert!(page.contains("<th>sim</th>") && page.contains("<th>real</th>"));
    // One <details> per case that did not pass, with its replay command.
    let not_passed = report.cases.iter().filter(|c| c.status != Status::Pass).count();
    assert_eq!(page.matches("<details>").count(), not_passed);
    assert!(page.contains("caspian-conform run --world real --seed 7 tcp.recv_line.crash"));
    assert!(page.contains("class=\"s unexpected-pass\" title=\"UNEXPECTED_PASS\">tcp.recv_line.fixed<"));
    assert!(page.contains("class=\"s fail\" title=\"CRASH\">tcp.recv_line.crash<"));
    assert!(page.contains("UNIMPLEMENTED 1") && page.contains("PASS 2"));
    assert!(page.contains("Total time: 1.23"));
    assert_eq!(page, html(&report), "the page is deterministic");
}

#[test]
fn html_escapes_the_report() {
    let page = html(&sample());
    assert!(!page.contains(HOSTILE));
    assert!(
        page.contains("expected &quot;ok&quot; &amp; got &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
    );
    assert!(page.contains("reference 0.1 &lt;dev&gt;"));
    assert!(page.contains("&lt; b&quot;a\\n&quot;"), "the transcript is escaped");
}

#[test]
fn junit_has_a_suite_per_world_and_a_case_per_report() {
    let report = sample();
    let xml = junit(&report);
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("the JUnit XML parses");
    assert!(xml.contains("<testsuites"));
    assert_eq!(xml.matches("<testcase ").count(), report.cases.len());
    let unexpected = report.cases.iter().filter(|c| c.status.is_unexpected()).count();
    assert_eq!(unexpected, 3);
    assert_eq!(xml.matches("<failure").count(), unexpected);
    assert_eq!(xml.matches("<skipped").count(), 3);
    assert!(!xml.contains("<script>"), "the message is escaped");

    let names: Vec<&str> = parsed.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["sim", "real"]);
    assert_eq!(parsed.tests, report.cases.len());
    assert_eq!(parsed.failures, unexpected);
    let sim = &parsed.test_suites[0];
    assert!(sim.properties.iter().any(|p| p.name.as_str() == "seed" && p.value.as_str() == "7"));
    assert!(!parsed.test_suites[1].properties.iter().any(|p| p.name.as_str() == "seed"));
    let hostile =
        sim.test_cases.iter().find(|c| c.name.as_str() == "tcp.recv_line.hostile").expect("the case");
    assert_eq!(hostile.classname.as_ref().map(|c| c.as_str()), Some("caspian.tcp"));
    // 12.5 ms, written in seconds to the millisecond.
    assert_eq!(hostile.time, Some(std::time::Duration::from_millis(13)));
    match &hostile.status {
        quick_junit::TestCaseStatus::NonSuccess { message, ty, description, .. } => {
            assert_eq!(message.as_deref(), Some(HOSTILE));
            assert_eq!(ty.as_deref(), Some("FAIL"));
            let text = description.as_deref().unwrap_or_default();
            assert!(text.contains(HOSTILE) && text.contains("> recv_line"), "{text}");
            assert!(
                text.contains("caspian-conform run --world sim --seed 7 tcp.recv_line.hostile"),
                "{text}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    let skipped =
        sim.test_cases.iter().find(|c| c.name.as_str() == "tcp.recv_line.skipped").expect("the case");
    match &skipped.status {
        quick_junit::TestCaseStatus::Skipped { message, .. } => {
            assert_eq!(message.as_deref(), Some("sim only"))
        }
        other => panic!("expected a skip, got {other:?}"),
    }
}

#[test]
fn junit_of_an_empty_report_is_valid() {
    let report = RunReport {
        engine: "none".into(),
        cases: Vec::new(),
        stale_expectations: Vec::new(),
        duration_ms: f64::NAN,
    };
    let xml = junit(&report);
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("the JUnit XML parses");
    assert_eq!(parsed.tests, 0);
    assert!(html(&report).contains("none"));
}

fn conform(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caspian-conform")).args(args).output().expect("run caspian-conform")
}

#[test]
fn the_binary_writes_every_report() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("reporters-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the output folder");
    let (html_path, xml_path, json_path) = (dir.join("r.html"), dir.join("r.xml"), dir.join("r.json"));
    let path = |p: &PathBuf| p.to_str().expect("a UTF-8 path").to_string();
    let (html_arg, xml_arg, json_arg) = (path(&html_path), path(&xml_path), path(&json_path));
    let run = conform(&[
        "run", "--world", "sim", "--quiet", "--html", &html_arg, "--junit", &xml_arg, "--json", &json_arg,
        "tcp.*",
    ]);
    assert!(run.status.success(), "the run failed:\n{}", String::from_utf8_lossy(&run.stdout));

    let list = conform(&["list", "tcp.*"]);
    assert!(list.status.success());
    let listing = String::from_utf8(list.stdout).expect("UTF-8");
    let ids: Vec<&str> = listing.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(!ids.is_empty());
    assert_eq!(String::from_utf8_lossy(&list.stderr), format!("{} cases\n", ids.len()));

    let page = std::fs::read_to_string(&html_path).expect("read r.html");
    for id in &ids {
        assert!(page.contains(&format!("<code>{id}</code>")), "{id} missing from r.html");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("read r.json"))
            .expect("r.json parses");
    let cases = json["cases"].as_array().expect("a cases array");
    assert_eq!(cases.len(), ids.len());
    for id in &ids {
        assert_eq!(cases.iter().filter(|c| c["id"] == *id).count(), 1, "{id} in r.json");
    }
    let xml = std::fs::read_to_string(&xml_path).expect("read r.xml");
    let junit = quick_junit::Report::deserialize_from_str(&xml).expect("r.xml parses");
    assert_eq!(junit.tests, ids.len());
    let _ = std::fs::remove_dir_all(&dir);
}
