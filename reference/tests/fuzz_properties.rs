//! The properties of the reference's fuzz targets (`fuzz/fuzz_targets`), run without nightly:
//! each target's committed corpus under `fuzz/corpus/<target>`, then a bounded number of seeded
//! variations. The properties themselves live in `fuzz/src`, shared with the fuzz targets.

use std::path::{Path, PathBuf};

#[path = "../../fuzz/src/framing.rs"]
mod framing;
#[path = "../../fuzz/src/permission_model.rs"]
mod permission_model;
#[path = "../../fuzz/src/permissions.rs"]
mod permissions;
#[path = "../../fuzz/src/seeded.rs"]
mod seeded;
#[path = "../../fuzz/src/tls_loading.rs"]
mod tls_loading;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target)
}

#[test]
fn permissions_agree_with_the_model_and_no_spelling_escapes() {
    seeded::run(&corpus("permissions"), 3000, permissions::check);
}

#[test]
fn framing_loses_nothing_under_any_chunking() {
    seeded::run(&corpus("framing"), 3000, framing::check);
}

#[test]
fn unusable_tls_files_are_argument_errors_naming_the_option() {
    seeded::run(&corpus("tls_loading"), 300, tls_loading::check);
}
