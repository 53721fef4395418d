//! JUnit XML: one test suite per world, one test case per case.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::{CaseReport, RunReport, Status};

/// The report as JUnit XML: a `sim` and/or `real` suite (the worlds that occur, in the order they
/// first occur), one test case per case named by its ID, in the class `caspian.<family of its
/// first clause>`. Unexpected outcomes are failures (type: the status name); skips,
/// unimplemented cases and expected failures are skipped. Never panics: should serialization
/// fail, the document says so.
pub fn junit(report: &RunReport) -> String {
    let mut worlds: Vec<&str> = Vec::new();
    for case in &report.cases {
        if !worlds.contains(&case.world.as_str()) {
            worlds.push(&case.world);
        }
    }
    let mut junit = Report::new("caspian-conform");
    junit.set_time(duration(report.duration_ms));
    for world in worlds {
        let cases: Vec<&CaseReport> = report.cases.iter().filter(|c| c.world == world).collect();
        let mut suite = TestSuite::new(world);
        suite.add_property(Property::new("engine", &report.engine));
        if let Some(seed) = cases.iter().find_map(|c| c.seed).filter(|_| world == "sim") {
            suite.add_property(Property::new("seed", seed.to_string()));
        }
        suite.set_time(duration(cases.iter().map(|c| c.duration_ms).sum()));
        suite.add_test_cases(cases.into_iter().map(test_case));
        junit.add_test_suite(suite);
    }
    junit.to_string().unwrap_or_else(|e| serialization_error(&e.to_string()))
}

fn test_case(case: &CaseReport) -> TestCase {
    let message = case.message.clone().unwrap_or_default();
    let status = if case.status.is_unexpected() {
        let mut text = message.clone();
        for line in &case.transcript {
            text.push('\n');
            text.push_str(line);
        }
        text.push_str("\nreplay: ");
        text.push_str(&case.replay);
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_type(case.status.name()).set_message(&message).set_description(text);
        status
    } else if case.status == Status::Pass {
        TestCaseStatus::success()
    } else {
        let mut status = TestCaseStatus::skipped();
        status.set_type(case.status.name()).set_message(&message);
        status
    };
    let mut test_case = TestCase::new(&case.id, status);
    test_case.set_classname(format!("caspian.{}", family(case))).set_time(duration(case.duration_ms));
    test_case
}

/// `tcp` for a case whose first clause is `TCP-OPEN`; the first part of the case ID without
/// clauses.
fn family(case: &CaseReport) -> String {
    match case.clauses.first() {
        Some(clause) => clause.split('-').next().unwrap_or(clause).to_lowercase(),
        None => case.id.split('.').next().unwrap_or(&case.id).to_lowercase(),
    }
}

/// Milliseconds as a duration; zero for what is not one (negative, NaN, infinite).
fn duration(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default()
}

/// A minimal valid document reporting that the real one could not be written.
fn serialization_error(error: &str) -> String {
    let error: String = error.chars().filter(|&c| !c.is_control() || c == '\n' || c == '\t').collect();
    let error = super::html::escape(&format!("cannot serialize the JUnit report: {error}"));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"caspian-conform\" tests=\"1\" failures=\"0\" errors=\"1\">\n\
         <testsuite name=\"caspian-conform\" tests=\"1\" failures=\"0\" errors=\"1\">\n\
         <testcase name=\"junit-report\" classname=\"caspian\"><error type=\"SERIALIZATION\" \
         message=\"{error}\">{error}</error></testcase>\n\
         </testsuite>\n</testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_serialization_error_document_is_valid_junit() {
        let xml = serialization_error("bad <thing> & \"quote\"\u{1}");
        let parsed = Report::deserialize_from_str(&xml).expect("valid JUnit XML");
        assert_eq!(parsed.errors, 1);
        assert!(xml.contains("bad &lt;thing&gt; &amp; &quot;quote&quot;"));
    }
}
