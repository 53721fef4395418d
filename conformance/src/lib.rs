//! The Caspian socket conformance suite's catalog and the contract an engine must meet.
//!
//! [`contract`] is what an engine implements (in process, or as a driver-protocol port);
//! [`catalog`] lists every case with the clauses it checks; [`script`] is what a case body works
//! with; [`peers`] describes the peers a case asks its world for; [`waits`] is how long
//! cases wait in each world; [`framing_model`] is what the generated framing cases hold reads to.

pub mod cases;
pub mod catalog;
pub mod clauses;
pub mod contract;
pub mod driver;
pub mod framing_model;
pub mod peers;
pub mod script;
pub mod stack_verdicts;
pub mod waits;
pub mod zoo;
