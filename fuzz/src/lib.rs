//! The properties the fuzz targets check, one module per target. Each exposes `check(&[u8])`,
//! which panics on a violation; the stable tests (`reference/tests/fuzz_properties.rs`,
//! `harness/tests/protocol_fuzz.rs`) run the same functions on the committed corpora and on
//! seeded variations of them ([`seeded`]).

pub mod driver_protocol;
pub mod framing;
pub mod line_reader;
pub mod permission_model;
pub mod permissions;
pub mod seeded;
pub mod tls_loading;
