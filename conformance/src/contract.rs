//! The contract between the suite and an engine under test.
//!
//! The suite drives an engine with [`Request`]s, one spec operation each, on numbered handles;
//! the engine answers each with a [`Reply`]: a [`Value`] or the exception it [`Raised`]. The
//! same types, serialized as JSON, are the driver protocol of out-of-process engines, so an
//! in-process engine and a port in any language meet exactly the same contract.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::script::{quoted, show};

/// A future that need not be `Send` (simulated worlds run on one thread).
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A socket or listener inside the engine, numbered by the engine.
pub type Handle = u64;

/// The `timeout:` argument: `nil` (wait forever) or seconds. Absent means the default.
///
/// On the wire it is `"forever"` or `{"seconds":x}` everywhere. A port also reads a bare
/// number of seconds anywhere a timeout goes (protocol 1.0's `set_timeout` form), so that both
/// forms are accepted everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Wait {
    Forever,
    Seconds(f64),
}

impl<'de> Deserialize<'de> for Wait {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case", deny_unknown_fields)]
        enum Tagged {
            Forever,
            Seconds(f64),
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Tagged(Tagged),
            Bare(f64),
        }
        match Either::deserialize(deserializer) {
            Ok(Either::Tagged(Tagged::Forever)) => Ok(Wait::Forever),
            Ok(Either::Tagged(Tagged::Seconds(s)) | Either::Bare(s)) => Ok(Wait::Seconds(s)),
            Err(_) => Err(serde::de::Error::custom(
                "expected a timeout: \"forever\", {\"seconds\":x} or a number of seconds",
            )),
        }
    }
}

/// The `opts` of recv, recv_line, recv_exact, recv_from and accept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CallOpts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Wait>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<i64>,
}

impl CallOpts {
    /// `timeout: seconds`.
    pub fn timeout(seconds: f64) -> Self {
        Self { timeout: Some(Wait::Seconds(seconds)), max_length: None }
    }
}

/// The TLS construction options; an absent option means the engine's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TlsArgs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocols: Option<Vec<String>>,
}

/// A socket property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    Host,
    Port,
    LocalHost,
    LocalPort,
    Connected,
    Timeout,
    PeerCert,
    Cipher,
    Protocol,
}

impl Property {
    /// The property as a script reads it: `.peer_cert`, `.local_port`.
    pub fn name(self) -> &'static str {
        match self {
            Property::Host => ".host",
            Property::Port => ".port",
            Property::LocalHost => ".local_host",
            Property::LocalPort => ".local_port",
            Property::Connected => ".connected",
            Property::Timeout => ".timeout",
            Property::PeerCert => ".peer_cert",
            Property::Cipher => ".cipher",
            Property::Protocol => ".protocol",
        }
    }
}

/// One spec operation. Names follow the spec: `tcp` is `%net.tcp` (and, with a `timeout`, the
/// `.new(host:, port:, timeout:)` form), `udp` without a host is `%net.udp`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Tcp {
        host: String,
        port: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<Wait>,
    },
    Ssl {
        host: String,
        port: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<Wait>,
        #[serde(default)]
        tls: TlsArgs,
    },
    TcpListen {
        host: String,
        port: i64,
    },
    Udp {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        host: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        port: Option<i64>,
    },
    UdpListen {
        host: String,
        port: i64,
    },
    Send {
        handle: Handle,
        #[serde(with = "base64_bytes")]
        #[schemars(with = "Base64")]
        bytes: Vec<u8>,
    },
    SendAll {
        handle: Handle,
        #[serde(with = "base64_bytes")]
        #[schemars(with = "Base64")]
        bytes: Vec<u8>,
    },
    Recv {
        handle: Handle,
        max_bytes: i64,
        #[serde(default)]
        opts: CallOpts,
    },
    RecvLine {
        handle: Handle,
        #[serde(default)]
        opts: CallOpts,
    },
    RecvExact {
        handle: Handle,
        n: i64,
        #[serde(default)]
        opts: CallOpts,
    },
    Close {
        handle: Handle,
    },
    Shutdown {
        handle: Handle,
        direction: String,
    },
    Starttls {
        handle: Handle,
        #[serde(default)]
        tls: TlsArgs,
    },
    Accept {
        handle: Handle,
        #[serde(default)]
        opts: CallOpts,
    },
    SendTo {
        handle: Handle,
        #[serde(with = "base64_bytes")]
        #[schemars(with = "Base64")]
        bytes: Vec<u8>,
        host: String,
        port: i64,
    },
    RecvFrom {
        handle: Handle,
        max_bytes: i64,
        #[serde(default)]
        opts: CallOpts,
    },
    Get {
        handle: Handle,
        property: Property,
    },
    /// Sets `.timeout`: seconds, or `None` for nil (wait forever). On the wire a timeout like
    /// every other (`"forever"` or `{"seconds":x}`); a port also reads protocol 1.0's form, a
    /// number or `null`.
    SetTimeout {
        handle: Handle,
        #[serde(with = "nil_or_seconds")]
        #[schemars(with = "Wait")]
        timeout: Option<f64>,
    },
}

impl Request {
    /// The bytes the request sends (send, send_all, send_to), if any.
    pub fn payload_mut(&mut self) -> Option<&mut Vec<u8>> {
        match self {
            Request::Send { bytes, .. } | Request::SendAll { bytes, .. } | Request::SendTo { bytes, .. } => {
                Some(bytes)
            }
            _ => None,
        }
    }

    /// The handle the request acts on, if any.
    pub fn handle(&self) -> Option<Handle> {
        match self {
            Request::Tcp { .. }
            | Request::Ssl { .. }
            | Request::TcpListen { .. }
            | Request::Udp { .. }
            | Request::UdpListen { .. } => None,
            Request::Send { handle, .. }
            | Request::SendAll { handle, .. }
            | Request::Recv { handle, .. }
            | Request::RecvLine { handle, .. }
            | Request::RecvExact { handle, .. }
            | Request::Close { handle }
            | Request::Shutdown { handle, .. }
            | Request::Starttls { handle, .. }
            | Request::Accept { handle, .. }
            | Request::SendTo { handle, .. }
            | Request::RecvFrom { handle, .. }
            | Request::Get { handle, .. }
            | Request::SetTimeout { handle, .. } => Some(*handle),
        }
    }

    /// The operation's name, as in the spec (`recv_line`, `tcp_listen`, ...).
    pub fn op(&self) -> &'static str {
        match self {
            Request::Tcp { .. } => "tcp",
            Request::Ssl { .. } => "ssl",
            Request::TcpListen { .. } => "tcp_listen",
            Request::Udp { .. } => "udp",
            Request::UdpListen { .. } => "udp_listen",
            Request::Send { .. } => "send",
            Request::SendAll { .. } => "send_all",
            Request::Recv { .. } => "recv",
            Request::RecvLine { .. } => "recv_line",
            Request::RecvExact { .. } => "recv_exact",
            Request::Close { .. } => "close",
            Request::Shutdown { .. } => "shutdown",
            Request::Starttls { .. } => "starttls",
            Request::Accept { .. } => "accept",
            Request::SendTo { .. } => "send_to",
            Request::RecvFrom { .. } => "recv_from",
            Request::Get { .. } => "get",
            Request::SetTimeout { .. } => "set_timeout",
        }
    }
}

/// The peer certificate hash of SSL-PEER-CERT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CertValue {
    pub subject: String,
    pub issuer: String,
    pub fingerprint: String,
    pub validfrom: String,
    pub validuntil: String,
    pub sans: Vec<String>,
}

impl fmt::Display for CertValue {
    /// `certificate of subject "CN=a", issuer "CN=b", fingerprint "…", valid from "…" until
    /// "…", SANs ["a.test"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sans: Vec<String> = self.sans.iter().map(|san| quoted(san)).collect();
        write!(
            f,
            "certificate of subject {}, issuer {}, fingerprint {}, valid from {} until {}, SANs [{}]",
            quoted(&self.subject),
            quoted(&self.issuer),
            quoted(&self.fingerprint),
            quoted(&self.validfrom),
            quoted(&self.validuntil),
            sans.join(", ")
        )
    }
}

/// What an operation returned.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Nil,
    Int(i64),
    Bool(bool),
    Float(f64),
    Str(String),
    Bytes(
        #[serde(with = "base64_bytes")]
        #[schemars(with = "Base64")]
        Vec<u8>,
    ),
    Handle(Handle),
    /// `recv_from`'s `[bytes, host, port]`.
    Datagram {
        #[serde(with = "base64_bytes")]
        #[schemars(with = "Base64")]
        bytes: Vec<u8>,
        host: String,
        port: i64,
    },
    Cert(CertValue),
}

/// Values compare as a script sees them: a number is a number, whether the engine wrote it
/// `{"int":30}` or `{"float":30.0}` (a script's number has one type; the protocol lets a port
/// answer a number property either way).
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Int(i), Float(f)) | (Float(f), Int(i)) => *i as f64 == *f,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a == b,
            (Nil, Nil) => true,
            (Bool(a), Bool(b)) => a == b,
            (Str(a), Str(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (Handle(a), Handle(b)) => a == b,
            (Datagram { bytes, host, port }, Datagram { bytes: b, host: h, port: p }) => {
                (bytes, host, port) == (b, h, p)
            }
            (Cert(a), Cert(b)) => a == b,
            _ => false,
        }
    }
}

impl Value {
    /// The bytes the value holds (bytes, a datagram), if any.
    pub fn payload_mut(&mut self) -> Option<&mut Vec<u8>> {
        match self {
            Value::Bytes(bytes) | Value::Datagram { bytes, .. } => Some(bytes),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// The value in plain words: `nil`, `3`, `true`, `string "abc"`, `bytes "hi\n"`,
    /// `handle 2`, `datagram "ping" from 127.0.0.1:5000`, a certificate hash in full.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Str(text) => write!(f, "string {}", quoted(text)),
            Value::Bytes(bytes) => write!(f, "bytes {}", show(bytes)),
            Value::Handle(handle) => write!(f, "handle {handle}"),
            Value::Datagram { bytes, host, port } => {
                write!(f, "datagram {} from {host}:{port}", show(bytes))
            }
            Value::Cert(cert) => write!(f, "{cert}"),
        }
    }
}

/// An exception an operation raised: its class ID (one of the standard's exception classes), message, and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Raised {
    pub class: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl fmt::Display for Raised {
    /// `Class: message`, then ` (reason: r)` when it has one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class, self.message)?;
        match &self.reason {
            Some(reason) => write!(f, " (reason: {reason})"),
            None => Ok(()),
        }
    }
}

/// The answer to one request.
pub type Reply = Result<Value, Raised>;

/// The exception class IDs of the standard. An engine that raises anything else is defective.
pub const CLASSES: [&str; 11] = [
    "PermissionDenied",
    "HostNotFound",
    "ConnectionRefused",
    "ConnectionReset",
    "Timeout",
    "Closed",
    "EndOfStream",
    "AddressInUse",
    "TlsError",
    "CertificateError",
    "ArgumentError",
];

/// True when `class` is `expected` or one of its subclasses (CertificateError is a TlsError).
pub fn class_is_a(class: &str, expected: &str) -> bool {
    class == expected || (class == "CertificateError" && expected == "TlsError")
}

/// What an engine is started with: the raw permission flags (the engine parses them: the grammar
/// is under test) and extra environment variables such as `SSL_CERT_FILE`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Session {
    /// `None`: the flag is absent; `Some("")`: the bare flag; otherwise its value.
    #[serde(default)]
    pub allow_net: Option<String>,
    #[serde(default)]
    pub allow_listen: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

impl fmt::Display for Session {
    /// The permission flags as on a command line: `--allow-net=a.test --allow-listen`, or
    /// `no permission flags`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&flags(self.allow_net.as_deref(), self.allow_listen.as_deref()))
    }
}

/// Permission flags as on a command line: `None` leaves a flag out, `Some("")` is the bare flag;
/// `no permission flags` when both are absent.
pub fn flags(allow_net: Option<&str>, allow_listen: Option<&str>) -> String {
    let flag = |name: &str, value: Option<&str>| match value {
        None => None,
        Some("") => Some(format!("--{name}")),
        Some(value) => Some(format!("--{name}={value}")),
    };
    let given: Vec<String> =
        [flag("allow-net", allow_net), flag("allow-listen", allow_listen)].into_iter().flatten().collect();
    if given.is_empty() { "no permission flags".into() } else { given.join(" ") }
}

/// Why an engine did not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// The engine refused its permission flags (PERM-GRAMMAR-INVALID); the message names the entry.
    InvalidFlags(String),
    /// The engine could not be started or broke the protocol.
    Failed(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::InvalidFlags(message) => write!(f, "it refused its permission flags: {message}"),
            StartError::Failed(message) => f.write_str(message),
        }
    }
}

/// The parts of the spec an engine implements; a case needing a missing one is UNIMPLEMENTED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    Tcp,
    Listen,
    Udp,
    Tls,
}

impl Feature {
    pub const ALL: [Feature; 4] = [Feature::Tcp, Feature::Listen, Feature::Udp, Feature::Tls];

    /// The feature's name in the driver protocol: `tcp`, `listen`, `udp`, `tls`.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Tcp => "tcp",
            Feature::Listen => "listen",
            Feature::Udp => "udp",
            Feature::Tls => "tls",
        }
    }
}

/// A running engine: answers requests, one at a time.
pub trait Engine {
    fn call(&mut self, request: Request) -> LocalFuture<'_, Reply>;
}

/// Starts engines: one per session (a case may start several, with different flags).
pub trait EngineFactory {
    /// The engine's name and version, for reports.
    fn name(&self) -> String;
    /// What the engine implements.
    fn features(&self) -> Vec<Feature>;
    fn start(&self, session: Session) -> LocalFuture<'_, Result<Box<dyn Engine>, StartError>>;
    /// What went wrong with the engine itself since it was made (a crash, a hang, a reply that
    /// is not the protocol), and what it wrote to its diagnostics stream. In-process engines
    /// have neither.
    fn diagnostics(&self) -> Diagnostics {
        Diagnostics::default()
    }
}

/// How an engine itself failed, apart from any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The engine process died.
    Crash,
    /// The engine did not answer a request within its deadline.
    Hang,
    /// The engine answered something that is not the protocol.
    Protocol,
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FaultKind::Crash => "the engine crashed",
            FaultKind::Hang => "the engine did not answer in time",
            FaultKind::Protocol => "the engine broke the protocol",
        })
    }
}

/// An engine's failure, with what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    pub detail: String,
}

/// What [`EngineFactory::diagnostics`] reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// The first fault met, if any.
    pub fault: Option<Fault>,
    /// Lines the engine wrote to its diagnostics stream (stderr).
    pub log: Vec<String>,
}

/// Bytes on the wire: standard base64 (RFC 4648 section 4, `+` and `/`), padded with `=`, no
/// line breaks; the empty string for no bytes.
pub struct Base64;

impl JsonSchema for Base64 {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Base64".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "standard base64 (RFC 4648 section 4) with = padding",
            "pattern": "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
        })
    }
}

/// `set_timeout`'s value: written as a [`Wait`]; read as a [`Wait`], a number or `null`.
mod nil_or_seconds {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Wait;

    pub fn serialize<S: Serializer>(timeout: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
        timeout.map_or(Wait::Forever, Wait::Seconds).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
        Ok(match Option::<Wait>::deserialize(deserializer)? {
            None | Some(Wait::Forever) => None,
            Some(Wait::Seconds(seconds)) => Some(seconds),
        })
    }
}

/// Bytes as base64 text in JSON.
mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD
            .decode(text)
            .map_err(|e| serde::de::Error::custom(format!("expected standard base64 with = padding ({e})")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_values_have_a_stable_json_form() {
        let request = Request::SendAll { handle: 3, bytes: b"hi\n".to_vec() };
        let json = serde_json::to_string(&request).unwrap();
        assert_eq!(json, r#"{"op":"send_all","handle":3,"bytes":"aGkK"}"#);
        assert_eq!(serde_json::from_str::<Request>(&json).unwrap(), request);
        let recv = Request::RecvLine { handle: 1, opts: CallOpts::timeout(2.0) };
        assert_eq!(
            serde_json::to_string(&recv).unwrap(),
            r#"{"op":"recv_line","handle":1,"opts":{"timeout":{"seconds":2.0}}}"#
        );
        assert_eq!(serde_json::to_string(&Value::Nil).unwrap(), r#""nil""#);
        assert_eq!(serde_json::to_string(&Value::Bytes(b"a".to_vec())).unwrap(), r#"{"bytes":"YQ=="}"#);
    }

    #[test]
    fn values_exceptions_and_flags_read_in_plain_words() {
        assert_eq!(Value::Nil.to_string(), "nil");
        assert_eq!(Value::Int(-3).to_string(), "-3");
        assert_eq!(Value::Str("a\"b".into()).to_string(), r#"string "a\"b""#);
        assert_eq!(Value::Bytes(b"hi\n".to_vec()).to_string(), r#"bytes "hi\n""#);
        assert_eq!(Value::Handle(2).to_string(), "handle 2");
        let datagram = Value::Datagram { bytes: b"ping".to_vec(), host: "127.0.0.1".into(), port: 5000 };
        assert_eq!(datagram.to_string(), r#"datagram "ping" from 127.0.0.1:5000"#);
        let mut raised = Raised { class: "Timeout".into(), message: "too slow".into(), reason: None };
        assert_eq!(raised.to_string(), "Timeout: too slow");
        raised.reason = Some("line_too_long".into());
        assert_eq!(raised.to_string(), "Timeout: too slow (reason: line_too_long)");
        assert_eq!(StartError::Failed("gone".into()).to_string(), "gone");
        assert_eq!(flags(None, None), "no permission flags");
        assert_eq!(flags(Some(""), Some("8080")), "--allow-net --allow-listen=8080");
        assert_eq!(FaultKind::Hang.to_string(), "the engine did not answer in time");
        assert_eq!(Property::PeerCert.name(), ".peer_cert");
        assert_eq!(Feature::Listen.name(), serde_json::to_value(Feature::Listen).unwrap());
    }

    #[test]
    fn certificate_error_is_a_tls_error() {
        assert!(class_is_a("CertificateError", "TlsError"));
        assert!(!class_is_a("TlsError", "CertificateError"));
        assert!(class_is_a("Timeout", "Timeout"));
    }
}
