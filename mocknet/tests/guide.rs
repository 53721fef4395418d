//! The guide's first test is this crate's `tests/first_test.rs`, word for word: cargo compiles
//! and runs the file, and this test keeps the guide from drifting from it. (The guide's other
//! examples are the crate's doctests.)

#[test]
fn the_guides_first_test_is_tests_first_test_rs() {
    let guide = include_str!("../README.md");
    let fence = "```rust,ignore\n";
    let start = guide.find(fence).map(|at| at + fence.len()).expect("the guide shows its first test");
    let end = guide[start..].find("```").map(|len| start + len).expect("the first test's block ends");
    assert_eq!(&guide[start..end], include_str!("first_test.rs"), "update tests/first_test.rs or the guide");
}
