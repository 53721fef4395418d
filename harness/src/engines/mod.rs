//! Engines under test: the adapters that meet the conformance contract.

pub mod driver;
pub mod lines;
pub mod planted;
pub mod process;
pub mod reference;
