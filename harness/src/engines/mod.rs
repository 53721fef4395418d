//! Engines under test: the adapters that meet the conformance contract.

pub mod reference;
