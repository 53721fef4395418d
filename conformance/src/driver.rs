//! The driver protocol: the contract of [`crate::contract`] as JSON Lines over a port's stdin
//! and stdout, so that an engine in any language can be checked. CONFORMANCE.md specifies it in
//! full; these are its messages.
//!
//! Every line the suite writes is one [`Command`] object with an `id`; the port answers each
//! with exactly one [`Response`] line carrying the same `id`, in order. A port writes nothing
//! else to stdout (diagnostics go to stderr, which the suite keeps in the case log).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::contract::{Feature, Raised, Request, Value};

/// The protocol version this suite speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// A line from the suite to the port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    pub id: u64,
    #[serde(flatten)]
    pub body: CommandBody,
}

/// What the suite asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CommandBody {
    /// The first line: the port answers with [`Hello`].
    Hello(HelloCommand),
    /// The second line: the session's flags and environment. The port answers `"nil"`, or the
    /// ArgumentError of an invalid flag (PERM-GRAMMAR-INVALID).
    Start(StartCommand),
    /// Every later line: one spec operation.
    Call(Request),
}

/// `{"id":0,"op":"hello","protocol":1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelloCommand {
    pub op: HelloOp,
    pub protocol: u32,
}

/// The literal op name `hello`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelloOp {
    Hello,
}

/// `{"id":1,"op":"start","allow_net":"...","allow_listen":null,"env":{...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartCommand {
    pub op: StartOp,
    /// `null`: the flag is absent; `""`: the bare flag.
    pub allow_net: Option<String>,
    pub allow_listen: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// The literal op name `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartOp {
    Start,
}

/// The port's answer to `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub engine: String,
    pub version: String,
    /// What it implements; cases needing anything else are UNIMPLEMENTED.
    pub features: Vec<Feature>,
}

/// A line from the port to the suite: `{"id":N,"ok":VALUE}` or `{"id":N,"error":RAISED}`
/// (for `hello`, `ok` holds a [`Hello`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub id: u64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The answer proper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok(serde_json::Value),
    Error(Raised),
}

impl Response {
    /// A value answer.
    pub fn value(id: u64, value: &Value) -> Self {
        Self { id, outcome: Outcome::Ok(serde_json::to_value(value).unwrap_or(serde_json::Value::Null)) }
    }

    /// An exception answer.
    pub fn raised(id: u64, raised: Raised) -> Self {
        Self { id, outcome: Outcome::Error(raised) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_read_as_the_protocol_writes_them() {
        let hello: Command = serde_json::from_str(r#"{"id":0,"op":"hello","protocol":1}"#).unwrap();
        assert_eq!(hello.body, CommandBody::Hello(HelloCommand { op: HelloOp::Hello, protocol: 1 }));
        let start: Command =
            serde_json::from_str(r#"{"id":1,"op":"start","allow_net":"","allow_listen":null}"#).unwrap();
        assert!(
            matches!(start.body, CommandBody::Start(StartCommand { allow_net: Some(ref n), .. }) if n.is_empty())
        );
        let call: Command = serde_json::from_str(r#"{"id":2,"op":"close","handle":4}"#).unwrap();
        assert_eq!(call.body, CommandBody::Call(Request::Close { handle: 4 }));
        let line = serde_json::to_string(&Response::value(2, &Value::Nil)).unwrap();
        assert_eq!(line, r#"{"id":2,"ok":"nil"}"#);
    }
}
