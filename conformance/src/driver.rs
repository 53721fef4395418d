//! The driver protocol: the contract of [`crate::contract`] as JSON Lines over a port's stdin
//! and stdout, so that an engine in any language can be checked. CONFORMANCE.md specifies it in
//! full; these are its messages, the strict reading of a reply ([`parse_reply`]), the liberal
//! reading of a command ([`parse_command`]) and the JSON Schema of both ([`schema`]).
//!
//! Every line the suite writes is one [`Command`] object with an `id`; the port answers each
//! line it reads with exactly one [`Response`] line carrying the same `id`, in order, even a
//! line it cannot take (a `ProtocolError` reply). A port writes nothing else to stdout
//! (diagnostics go to stderr, which the suite keeps in the case log).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::{Feature, Raised, Request, Value};

/// The protocol's major version: a port that speaks another one cannot be driven.
pub const PROTOCOL_VERSION: u32 = 1;

/// The newest minor version of [`PROTOCOL_VERSION`] this suite speaks (1.1).
pub const PROTOCOL_MINOR: u32 = 1;

/// The class of the error reply a port gives to a line it cannot take. It is never a script's
/// exception class.
pub const PROTOCOL_ERROR: &str = "ProtocolError";

/// The longest line either side must read; a longer one is a protocol error, read through and
/// dropped, so that memory stays bounded.
pub const MAX_LINE: usize = 16 << 20;

/// A line from the suite to the port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Command {
    pub id: u64,
    #[serde(flatten)]
    pub body: CommandBody,
}

/// What the suite asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CommandBody {
    /// The first line of a process: the port answers with [`Hello`].
    Hello(HelloCommand),
    /// Starts a session: its flags and environment. The port answers `"nil"`, or the
    /// ArgumentError of an invalid flag (PERM-GRAMMAR-INVALID).
    Start(StartCommand),
    /// Ends the session (only to a port whose hello said `"sessions":"many"`): every handle is
    /// closed and forgotten; the next line is a `start`. Answered `"nil"`.
    End(EndCommand),
    /// One spec operation of the session.
    Call(Request),
}

/// `{"id":0,"op":"hello","protocol":1,"minor":1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HelloCommand {
    pub op: HelloOp,
    /// The major version the suite speaks.
    pub protocol: u32,
    /// The newest minor version the suite speaks (absent: 0).
    #[serde(default)]
    pub minor: u32,
}

/// The literal op name `hello`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HelloOp {
    Hello,
}

/// `{"id":1,"op":"start","allow_net":"...","allow_listen":null,"env":{...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StartCommand {
    pub op: StartOp,
    /// `null` (or absent): the flag is absent; `""`: the bare flag.
    #[serde(default)]
    pub allow_net: Option<String>,
    #[serde(default)]
    pub allow_listen: Option<String>,
    /// Variables the session sees, over the port's own environment (absent: none).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// The literal op name `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartOp {
    Start,
}

/// `{"id":9,"op":"end"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EndCommand {
    pub op: EndOp,
}

/// The literal op name `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndOp {
    End,
}

/// How many sessions one port process serves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sessions {
    /// One session per process: the session ends when stdin closes (the default).
    #[default]
    One,
    /// Sessions one after another, each ended by `end`.
    Many,
}

/// The port's answer to `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    /// The major version: [`PROTOCOL_VERSION`].
    pub protocol: u32,
    /// The minor version both sides speak: at most the suite's (absent: 0).
    #[serde(default)]
    pub minor: u32,
    pub engine: String,
    pub version: String,
    /// What it implements; cases needing anything else are UNIMPLEMENTED.
    pub features: Vec<Feature>,
    /// Whether it serves several sessions in one process (absent: one).
    #[serde(default)]
    pub sessions: Sessions,
}

impl Hello {
    /// The features' protocol names, `tcp, listen, udp, tls`.
    pub fn feature_names(&self) -> String {
        self.features.iter().map(|feature| feature.name()).collect::<Vec<_>>().join(", ")
    }
}

impl std::fmt::Display for Hello {
    /// `a hello answer (engine NAME VERSION, protocol 1.1, features tcp, listen)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a hello answer (engine {} {}, protocol {}.{}, features {})",
            self.engine,
            self.version,
            self.protocol,
            self.minor,
            self.feature_names()
        )
    }
}

/// A line from the port to the suite: `{"id":N,"ok":VALUE}` or `{"id":N,"error":RAISED}`
/// (for `hello`, `ok` holds a [`Hello`]). `id` is `null` only in a ProtocolError reply to a line
/// without a usable id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    pub id: Option<u64>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The answer proper.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok(serde_json::Value),
    Error(Raised),
}

impl Response {
    /// A value answer.
    pub fn value(id: u64, value: &Value) -> Self {
        Self { id: Some(id), outcome: Outcome::Ok(serde_json::to_value(value).unwrap_or_default()) }
    }

    /// An exception answer.
    pub fn raised(id: u64, raised: Raised) -> Self {
        Self { id: Some(id), outcome: Outcome::Error(raised) }
    }

    /// The answer to a line the port cannot take.
    pub fn protocol_error(id: Option<u64>, message: impl Into<String>) -> Self {
        let raised = Raised { class: PROTOCOL_ERROR.into(), message: message.into(), reason: None };
        Self { id, outcome: Outcome::Error(raised) }
    }
}

/// Reads one command line as a port does: liberally (unknown fields are ignored, a timeout may
/// be a bare number), but every line that is not a command is an error naming the field at
/// fault, with the line's id where it has one.
pub fn parse_command(line: &[u8]) -> Result<Command, (Option<u64>, String)> {
    let json: serde_json::Value =
        serde_json::from_slice(line).map_err(|e| (None, format!("not a JSON line: {e}")))?;
    let serde_json::Value::Object(fields) = &json else {
        return Err((None, format!("a command is a JSON object, got {}", kind_of(&json))));
    };
    let id = match fields.get("id") {
        Some(id) => id.as_u64().ok_or_else(|| {
            (None, format!("field id: expected a non-negative integer, got {}", kind_of(id)))
        })?,
        None => return Err((None, "field id: missing".into())),
    };
    let fail = |message: String| (Some(id), message);
    let op = match fields.get("op") {
        Some(serde_json::Value::String(op)) => op.as_str(),
        Some(other) => return Err(fail(format!("field op: expected a string, got {}", kind_of(other)))),
        None => return Err(fail("field op: missing".into())),
    };
    let body = match op {
        "hello" => CommandBody::Hello(typed(json.clone(), "").map_err(fail)?),
        "start" => CommandBody::Start(typed(json.clone(), "").map_err(fail)?),
        "end" => CommandBody::End(EndCommand { op: EndOp::End }),
        _ => CommandBody::Call(typed(json.clone(), "").map_err(|e| fail(format!("the {op} command: {e}")))?),
    };
    Ok(Command { id, body })
}

/// What a reply line held, read strictly.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Hello(Hello),
    Value(Value),
    Raised(Raised),
}

impl std::fmt::Display for Reply {
    /// `a hello answer (…)`, the value, or `raised Class: message`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Hello(hello) => write!(f, "{hello}"),
            Reply::Value(value) => write!(f, "{value}"),
            Reply::Raised(raised) => write!(f, "raised {raised}"),
        }
    }
}

/// What a reply must carry: a hello answer, `"nil"` (start and end), or a call's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Hello,
    Nil,
    Value,
}

/// Why a reply line is not the protocol: names the field at fault and the shape expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The line does not fit the protocol.
    Malformed(String),
    /// The port answered ProtocolError: it could not take the command.
    Refused(String),
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::Malformed(message) => f.write_str(message),
            Violation::Refused(message) => {
                write!(f, "the port refused the command as a {PROTOCOL_ERROR}: {message}")
            }
        }
    }
}

/// Reads the reply to command `id` strictly, as [`schema`] describes it: one JSON object with
/// `id` and exactly one of `ok` and `error`, nothing else; `ok` of the shape `expect` names;
/// bytes in padded standard base64; nil as the string `"nil"`, never `null`.
pub fn parse_reply(line: &str, id: u64, expect: Expect) -> Result<Reply, Violation> {
    let bad = Violation::Malformed;
    let json: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| bad(format!("not a JSON line: {e}: {}", crate::script::quoted(line))))?;
    let serde_json::Value::Object(mut fields) = json else {
        return Err(bad(format!("a reply is a JSON object, got {}", kind_of(&json))));
    };
    if let Some(extra) = fields.keys().find(|k| !["id", "ok", "error"].contains(&k.as_str())) {
        return Err(bad(format!(
            "field {extra}: not part of a reply (a reply is {{id, ok}} or {{id, error}})"
        )));
    }
    let (ok, error) = (fields.remove("ok"), fields.remove("error"));
    if let Some(error) = error {
        if ok.is_some() {
            return Err(bad("a reply holds ok or error, not both".into()));
        }
        let raised: Raised = typed(error, "error").map_err(bad)?;
        if raised.class == PROTOCOL_ERROR {
            return Err(Violation::Refused(raised.message));
        }
        check_id(fields.get("id"), id)?;
        return Ok(Reply::Raised(raised));
    }
    check_id(fields.get("id"), id)?;
    let ok = ok.ok_or_else(|| bad("a reply holds ok or error: it has neither".into()))?;
    if ok.is_null() {
        return Err(bad("field ok: null is not a value (nil is the string \"nil\")".into()));
    }
    match expect {
        Expect::Hello => typed(ok, "ok").map(Reply::Hello).map_err(bad),
        Expect::Nil if ok == "nil" => Ok(Reply::Value(Value::Nil)),
        Expect::Nil => Err(bad(format!("field ok: expected \"nil\", got {ok}"))),
        Expect::Value => typed(ok, "ok").map(Reply::Value).map_err(bad),
    }
}

fn check_id(found: Option<&serde_json::Value>, id: u64) -> Result<(), Violation> {
    match found.map(serde_json::Value::as_u64) {
        Some(Some(found)) if found == id => Ok(()),
        Some(Some(found)) => {
            Err(Violation::Malformed(format!("field id: the reply is for {found}, {id} was asked")))
        }
        Some(None) => Err(Violation::Malformed(format!(
            "field id: expected the integer {id}, got {}",
            found.map_or_else(String::new, kind_of)
        ))),
        None => Err(Violation::Malformed(format!("field id: missing (expected {id})"))),
    }
}

/// Deserializes `json`, naming the field at fault (under `prefix`) when it does not fit.
fn typed<T: serde::de::DeserializeOwned>(json: serde_json::Value, prefix: &str) -> Result<T, String> {
    serde_path_to_error::deserialize(json).map_err(|e| {
        let path = e.path().to_string();
        let field = match (prefix, path.as_str()) {
            ("", ".") => String::new(),
            (prefix, ".") => format!("field {prefix}: "),
            ("", path) => format!("field {path}: "),
            (prefix, path) => format!("field {prefix}.{path}: "),
        };
        format!("{field}{}", e.into_inner())
    })
}

/// A JSON value's kind and text, for messages.
fn kind_of(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let text = if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    };
    match value {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Bool(_) => format!("the boolean {text}"),
        serde_json::Value::Number(_) => format!("the number {text}"),
        serde_json::Value::String(_) => format!("the string {text}"),
        serde_json::Value::Array(_) => format!("the array {text}"),
        serde_json::Value::Object(_) => format!("the object {text}"),
    }
}

/// Every line of the protocol, for the schema: a command, or a reply.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Line {
    Command(Command),
    Reply(ReplyLine),
}

/// A reply line as the schema describes it.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ReplyLine {
    /// The answer to hello.
    Hello { id: u64, ok: Hello },
    /// A call's value; `"nil"` for start and end.
    Ok { id: u64, ok: Value },
    /// An exception, or (class ProtocolError, id possibly null) a line the port cannot take.
    Error { id: Option<u64>, error: Raised },
}

/// The JSON Schema (draft 2020-12) of every line of the protocol, generated from the types the
/// suite reads and writes; `conformance/protocol.schema.json` holds it, and a test fails when
/// the file drifts.
pub fn schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Line);
    schema.insert(
        "title".into(),
        format!("Caspian driver protocol {PROTOCOL_VERSION}.{PROTOCOL_MINOR}: one JSON object per line")
            .into(),
    );
    schema.to_value()
}

#[cfg(test)]
mod tests;
