//! The example expectation file under fixtures/ is valid.

use std::path::Path;

use caspian_harness::expectations::Expectations;

#[test]
fn the_example_expectation_file_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/expectations/example.toml");
    let expectations = Expectations::load(&path).expect("a valid expectation file");
    assert_eq!(expectations.expected_fail.len(), 2);
    assert_eq!(expectations.skip.len(), 1);
    assert!(expectations.expected_fail.iter().all(|e| !e.reason.is_empty()));
}
