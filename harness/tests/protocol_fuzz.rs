//! The properties of the driver protocol's fuzz targets (`fuzz/fuzz_targets`), run without
//! nightly: each target's committed corpus under `fuzz/corpus/<target>`, then a bounded number
//! of seeded variations. The properties themselves live in `fuzz/src`, shared with the fuzz
//! targets.

use std::path::{Path, PathBuf};

#[path = "../../fuzz/src/driver_protocol.rs"]
mod driver_protocol;
#[path = "../../fuzz/src/line_reader.rs"]
mod line_reader;
#[path = "../../fuzz/src/seeded.rs"]
mod seeded;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target)
}

#[test]
fn the_protocol_decoder_takes_any_line_without_panicking() {
    seeded::run(&corpus("driver_protocol"), 3000, driver_protocol::check);
}

#[test]
fn the_line_reader_splits_any_stream_and_stays_bounded() {
    seeded::run(&corpus("line_reader"), 250, line_reader::check);
}
