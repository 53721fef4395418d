//! What a case body works with: [`Ctx`] (its world's peers, the certificates, engine sessions)
//! and [`Script`] (one engine session, with typed calls that record a transcript).

use std::cell::RefCell;
use std::fmt;
use std::path::PathBuf;
use std::rc::Rc;

use crate::contract::{
    CallOpts, CertValue, Engine, EngineFactory, Handle, Property, Raised, Reply, Request, Session,
    StartError, TlsArgs, Value, Wait, class_is_a,
};
use crate::peers::{MachineNeed, PeerControl};

/// Why a case failed: what was expected against what happened. A case that cannot run on this
/// machine ends with a failure marked `skip` (see [`Ctx::require`]), reported SKIP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    /// The machine lacks what the case needs: SKIP with `message` as the reason, never PASS.
    pub skip: bool,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), skip: false }
    }

    /// The case cannot run here, for `reason`.
    pub fn skip(reason: impl Into<String>) -> Self {
        Self { message: reason.into(), skip: true }
    }

    /// `expected …, got …` about `what`.
    pub fn mismatch(what: &str, expected: impl fmt::Display, actual: impl fmt::Display) -> Self {
        Self::new(format!("{what}: expected {expected}, got {actual}"))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The outcome of a case body.
pub type CaseResult = Result<(), Failure>;

/// How a value reads in a failure message: in plain words, never Rust's debug form.
pub trait Plain {
    fn plain(&self) -> String;
}

macro_rules! plain_as_display {
    ($($t:ty),*) => {$(
        impl Plain for $t {
            fn plain(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

plain_as_display!(i64, u64, u16, usize, bool, f64, Value, CertValue);

impl Plain for str {
    fn plain(&self) -> String {
        quoted(self)
    }
}

impl Plain for String {
    fn plain(&self) -> String {
        quoted(self)
    }
}

/// `raised Class: message (reason: r)`.
impl Plain for Raised {
    fn plain(&self) -> String {
        format!("raised {self}")
    }
}

/// The value, or `raised Class: message`.
impl Plain for Reply {
    fn plain(&self) -> String {
        match self {
            Ok(value) => value.plain(),
            Err(raised) => raised.plain(),
        }
    }
}

impl Plain for [u8] {
    fn plain(&self) -> String {
        show(self)
    }
}

/// A list, `[a, b]`.
impl<T: Plain> Plain for [T] {
    fn plain(&self) -> String {
        format!("[{}]", self.iter().map(Plain::plain).collect::<Vec<_>>().join(", "))
    }
}

impl<T> Plain for Vec<T>
where
    [T]: Plain,
{
    fn plain(&self) -> String {
        self.as_slice().plain()
    }
}

impl<T: Plain + ?Sized> Plain for &T {
    fn plain(&self) -> String {
        (**self).plain()
    }
}

/// Fails with a mismatch unless `actual == expected`.
pub fn expect_eq<T: PartialEq + Plain>(what: &str, actual: T, expected: T) -> CaseResult {
    if actual == expected { Ok(()) } else { Err(Failure::mismatch(what, expected.plain(), actual.plain())) }
}

/// Fails unless the exception carries the reason `expected` (a missing one reads "no reason").
pub fn expect_reason(raised: &Raised, expected: &str) -> CaseResult {
    expect_reason_in(raised, &[expected])
}

/// Fails unless the exception carries one of the reasons `accepted`.
pub fn expect_reason_in(raised: &Raised, accepted: &[&str]) -> CaseResult {
    match raised.reason.as_deref() {
        Some(reason) if accepted.contains(&reason) => Ok(()),
        reason => {
            let expected: Vec<String> = accepted.iter().map(|r| quoted(r)).collect();
            let expected = if let [one] = &expected[..] {
                one.clone()
            } else {
                format!("one of {}", expected.join(", "))
            };
            Err(Failure::mismatch(
                &format!("the {}'s reason", raised.class),
                expected,
                reason.map_or_else(|| "no reason".into(), quoted),
            ))
        }
    }
}

/// Fails with `what` unless `condition` holds.
pub fn expect(condition: bool, what: impl FnOnce() -> String) -> CaseResult {
    if condition { Ok(()) } else { Err(Failure::new(what())) }
}

/// Fails unless `actual` is exactly `expected`, showing both as text.
pub fn expect_bytes(what: &str, actual: impl AsRef<[u8]>, expected: &[u8]) -> CaseResult {
    let actual = actual.as_ref();
    expect(actual == expected, || format!("{what}: expected {}, got {}", show(expected), show(actual)))
}

/// Fails unless the exception's message names every one of `parts` (an argument, a host:port,
/// a flag), as written.
pub fn expect_mentions(raised: &Raised, parts: &[&str]) -> CaseResult {
    parts.iter().try_for_each(|part| expect_named(raised, quoted(part), raised.message.contains(part)))
}

/// Fails unless the exception's message names `host:port` literally, as the script gave them.
pub fn expect_names(raised: &Raised, host: &str, port: impl fmt::Display) -> CaseResult {
    expect_mentions(raised, &[&format!("{host}:{port}")])
}

/// Fails unless the exception's message names the argument `name` as a word of its own (the
/// `n` of "n must be ...", not the n inside "connection").
pub fn expect_argument(raised: &Raised, name: &str) -> CaseResult {
    let named = raised.message.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|word| word == name);
    expect_named(raised, format!("the argument {name}"), named)
}

/// The failure of a message that should name `what` and does not (unless `named`).
fn expect_named(raised: &Raised, what: String, named: bool) -> CaseResult {
    expect(named, || format!("the {} message should name {what}: {}", raised.class, quoted(&raised.message)))
}

/// Bytes as a readable string for messages.
pub fn show(bytes: &[u8]) -> String {
    format!("\"{}\"", bytes.escape_ascii())
}

/// Text in double quotes for messages, with double quotes, backslashes and control characters
/// escaped.
pub fn quoted(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '\'' => out.push(c),
            c => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
    out
}

/// How many scenarios a generated case plays when the run does not say.
pub const DEFAULT_GENERATED: usize = 4;

/// What generated cases draw from: the run's seed, how many scenarios each plays, and the
/// command that replays the job (the same seed and count give the same scenarios).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    pub seed: u64,
    pub scenarios: usize,
    pub replay: String,
}

impl Default for Generation {
    fn default() -> Self {
        Self { seed: 1, scenarios: DEFAULT_GENERATED, replay: String::new() }
    }
}

/// Everything a case needs from the run: its world's peers, the certificate folder, a way to
/// start engine sessions, what generated cases draw from, and the time scale of the real
/// world's waits. Cheap to clone.
#[derive(Clone)]
pub struct Ctx {
    pub peers: Rc<dyn PeerControl>,
    factory: Rc<dyn EngineFactory>,
    certs: PathBuf,
    transcript: Transcript,
    generation: Rc<Generation>,
    time_scale: f64,
}

/// A watcher of transcript lines as they happen.
pub type Live = Rc<dyn Fn(&str)>;

/// The lines of a case's exchange with its engines, stamped with the world's virtual time in
/// the simulated world (so that the same seed gives the same transcript, byte for byte).
#[derive(Clone)]
struct Transcript {
    lines: Rc<RefCell<Vec<String>>>,
    peers: Rc<dyn PeerControl>,
    /// Where each line also goes as it happens (`caspian-conform run --trace`).
    live: Option<Live>,
}

impl Transcript {
    fn push(&self, line: String) {
        let line = match self.peers.virtual_time() {
            Some(at) => format!("[{:>10.3}ms] {line}", at.as_secs_f64() * 1000.0),
            None => line,
        };
        if let Some(live) = &self.live {
            live(&line);
        }
        self.lines.borrow_mut().push(line);
    }
}

impl Ctx {
    pub fn new(peers: Rc<dyn PeerControl>, factory: Rc<dyn EngineFactory>, certs: PathBuf) -> Self {
        let transcript = Transcript { lines: Rc::default(), peers: peers.clone(), live: None };
        Self { peers, factory, certs, transcript, generation: Rc::default(), time_scale: 1.0 }
    }

    /// The same context, with the real world's waits multiplied by `scale` (at least 1:
    /// `caspian-conform run --time-scale`). Cases read it through [`crate::waits::Waits::of`].
    pub fn with_time_scale(self, scale: f64) -> Self {
        Self { time_scale: scale, ..self }
    }

    /// What the real world's waits are multiplied by.
    pub fn time_scale(&self) -> f64 {
        self.time_scale
    }

    /// The same context, with generated cases drawing from `generation`.
    pub fn with_generation(self, generation: Generation) -> Self {
        Self { generation: Rc::new(generation), ..self }
    }

    /// What generated cases draw from.
    pub fn generation(&self) -> &Generation {
        &self.generation
    }

    /// The same context, also showing every transcript line to `live` as it happens.
    pub fn with_live(mut self, live: Live) -> Self {
        self.transcript.live = Some(live);
        self
    }

    /// Goes on only when the machine has what `need` names; otherwise the case ends SKIP with
    /// the reason.
    pub fn require(&self, need: MachineNeed) -> CaseResult {
        self.peers.lacks(need).map_or(Ok(()), |reason| Err(Failure::skip(reason)))
    }

    /// The path of a file of the certificate zoo (`root-ca.pem`, `good.chain.pem`, ...).
    pub fn cert(&self, file: &str) -> String {
        self.certs.join(file).to_string_lossy().into_owned()
    }

    /// The host the engine's own listening sockets bind: loopback in the real world, every
    /// interface in the simulated one (where peers dial from another host).
    pub fn bind_host(&self) -> &'static str {
        if self.peers.is_simulated() { "0.0.0.0" } else { "127.0.0.1" }
    }

    /// The transcript so far: every session started and every request and reply.
    pub fn transcript(&self) -> Vec<String> {
        self.transcript.lines.borrow().clone()
    }

    /// An engine started with these permission flags (`None`: flag absent; `Some("")`: bare).
    pub async fn engine(
        &self,
        allow_net: Option<&str>,
        allow_listen: Option<&str>,
    ) -> Result<Script, Failure> {
        let session = Session {
            allow_net: allow_net.map(str::to_string),
            allow_listen: allow_listen.map(str::to_string),
            ..Session::default()
        };
        self.start(session).await.map_err(|e| Failure::new(format!("the engine did not start: {e}")))
    }

    /// An engine allowed to connect to every peer of the world (and nothing else).
    pub async fn engine_for_peers(&self) -> Result<Script, Failure> {
        let host = self.peers.host().to_string();
        self.engine(Some(&host), None).await
    }

    /// Starts an engine for `session`, reporting a refusal as it is.
    pub async fn start(&self, session: Session) -> Result<Script, StartError> {
        self.log(format!("start {}", serde_json::to_string(&session).unwrap_or_default()));
        let started = self.factory.start(session).await;
        if let Err(e) = &started {
            self.log(format!("  refused: {e}"));
        }
        Ok(Script { engine: started?, transcript: self.transcript.clone() })
    }

    fn log(&self, line: String) {
        self.transcript.push(line);
    }
}

/// The most bytes of one payload a transcript line shows.
const TRANSCRIPT_BYTES: usize = 256;

/// `item` as JSON for a transcript, the bytes `payload` finds in it cut to their first
/// [`TRANSCRIPT_BYTES`] and their full length noted: people read a transcript, and a megabyte
/// of base64 would cost more to write than the case it records.
fn transcript_json<T: serde::Serialize>(item: &mut T, payload: fn(&mut T) -> Option<&mut Vec<u8>>) -> String {
    let json = |item: &T| serde_json::to_string(item).unwrap_or_default();
    let Some(bytes) = payload(item).filter(|bytes| bytes.len() > TRANSCRIPT_BYTES) else {
        return json(item);
    };
    let whole = std::mem::replace(bytes, bytes[..TRANSCRIPT_BYTES].to_vec());
    let line = format!("{} ({} bytes, the first {TRANSCRIPT_BYTES} shown)", json(item), whole.len());
    if let Some(bytes) = payload(item) {
        *bytes = whole;
    }
    line
}

/// One engine session. Typed calls return the value, or a [`Failure`] when the engine raised
/// (an unexpected exception) or answered with a value of the wrong kind.
pub struct Script {
    engine: Box<dyn Engine>,
    transcript: Transcript,
}

impl Script {
    /// Sends one request and records it and its reply.
    pub async fn call(&mut self, mut request: Request) -> Reply {
        let line = transcript_json(&mut request, Request::payload_mut);
        self.transcript.push(format!("> {line}"));
        let mut reply = self.engine.call(request).await;
        let line = match &mut reply {
            Ok(value) => format!("< ok {}", transcript_json(value, Value::payload_mut)),
            Err(raised) => format!("< raised {}", serde_json::to_string(raised).unwrap_or_default()),
        };
        self.transcript.push(line);
        reply
    }

    /// The value of a request that must not raise.
    pub async fn ok(&mut self, request: Request) -> Result<Value, Failure> {
        let op = request.op();
        self.call(request).await.map_err(|raised| {
            Failure::new(format!("{op} raised {}: {} (expected it to succeed)", raised.class, raised.message))
        })
    }

    /// The exception of a request that must raise `class` (or a subclass of it).
    pub async fn raises(&mut self, request: Request, class: &str) -> Result<Raised, Failure> {
        let op = request.op();
        match self.call(request).await {
            Err(raised) if class_is_a(&raised.class, class) => Ok(raised),
            Err(raised) => Err(Failure::mismatch(&format!("{op}'s exception"), class, raised)),
            Ok(value) => Err(Failure::mismatch(&format!("{op}'s outcome"), format!("{class} raised"), value)),
        }
    }

    /// A request that returns a handle.
    pub async fn handle(&mut self, request: Request) -> Result<Handle, Failure> {
        match self.ok(request).await? {
            Value::Handle(handle) => Ok(handle),
            other => Err(Failure::mismatch("the returned value", "a handle", other)),
        }
    }

    /// A request that returns bytes.
    pub async fn bytes(&mut self, request: Request) -> Result<Vec<u8>, Failure> {
        match self.ok(request).await? {
            Value::Bytes(bytes) => Ok(bytes),
            other => Err(Failure::mismatch("the returned value", "bytes", other)),
        }
    }

    /// A request that returns bytes, which must be `expected` (both shown as text on a mismatch).
    pub async fn expect_bytes(&mut self, what: &str, request: Request, expected: &[u8]) -> CaseResult {
        let actual = self.bytes(request).await?;
        expect_bytes(what, actual, expected)
    }

    /// A request that returns an integer.
    pub async fn int(&mut self, request: Request) -> Result<i64, Failure> {
        match self.ok(request).await? {
            Value::Int(n) => Ok(n),
            other => Err(Failure::mismatch("the returned value", "an integer", other)),
        }
    }

    /// A request that returns nil.
    pub async fn nil(&mut self, request: Request) -> CaseResult {
        match self.ok(request).await? {
            Value::Nil => Ok(()),
            other => Err(Failure::mismatch("the returned value", "nil", other)),
        }
    }

    /// A property's value.
    pub async fn get(&mut self, handle: Handle, property: Property) -> Result<Value, Failure> {
        self.ok(Request::Get { handle, property }).await
    }

    /// `%net.tcp(host, port)`.
    pub async fn tcp(&mut self, host: &str, port: impl Into<i64>) -> Result<Handle, Failure> {
        self.handle(Request::tcp(host, port)).await
    }

    /// `send_all` that must succeed.
    pub async fn send_all(&mut self, handle: Handle, bytes: &[u8]) -> CaseResult {
        self.nil(Request::SendAll { handle, bytes: bytes.to_vec() }).await
    }

    /// `recv_line` with default options, which must succeed.
    pub async fn recv_line(&mut self, handle: Handle) -> Result<Vec<u8>, Failure> {
        self.bytes(Request::RecvLine { handle, opts: CallOpts::default() }).await
    }

    /// `close`, which must succeed.
    pub async fn close(&mut self, handle: Handle) -> CaseResult {
        self.nil(Request::Close { handle }).await
    }
}

/// Constructors for the requests cases use most.
impl Request {
    pub fn tcp(host: &str, port: impl Into<i64>) -> Self {
        Request::Tcp { host: host.into(), port: port.into(), timeout: None }
    }

    pub fn tcp_new(host: &str, port: impl Into<i64>, timeout: Wait) -> Self {
        Request::Tcp { host: host.into(), port: port.into(), timeout: Some(timeout) }
    }

    pub fn ssl(host: &str, port: impl Into<i64>, tls: TlsArgs) -> Self {
        Request::Ssl { host: host.into(), port: port.into(), timeout: None, tls }
    }

    pub fn tcp_listen(host: &str, port: impl Into<i64>) -> Self {
        Request::TcpListen { host: host.into(), port: port.into() }
    }

    pub fn recv(handle: Handle, max_bytes: i64) -> Self {
        Request::Recv { handle, max_bytes, opts: CallOpts::default() }
    }

    pub fn recv_line(handle: Handle, opts: CallOpts) -> Self {
        Request::RecvLine { handle, opts }
    }

    pub fn recv_exact(handle: Handle, n: i64, opts: CallOpts) -> Self {
        Request::RecvExact { handle, n, opts }
    }

    pub fn send(handle: Handle, bytes: &[u8]) -> Self {
        Request::Send { handle, bytes: bytes.to_vec() }
    }

    pub fn send_all(handle: Handle, bytes: &[u8]) -> Self {
        Request::SendAll { handle, bytes: bytes.to_vec() }
    }

    pub fn close(handle: Handle) -> Self {
        Request::Close { handle }
    }

    pub fn shutdown(handle: Handle, direction: &str) -> Self {
        Request::Shutdown { handle, direction: direction.into() }
    }

    pub fn accept(handle: Handle, opts: CallOpts) -> Self {
        Request::Accept { handle, opts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_shows_values_as_a_reader_reads_them() {
        assert_eq!("a'b\"c\n".plain(), r#""a'b\"c\n""#);
        assert_eq!(b"\x00hi".to_vec().plain(), r#""\x00hi""#);
        assert_eq!(vec!["a".to_string(), "b".to_string()].plain(), r#"["a", "b"]"#);
        assert_eq!(Vec::<String>::new().plain(), "[]");
        let timeout = Raised { class: "Timeout".into(), message: "m".into(), reason: None };
        assert_eq!(Err::<Value, _>(timeout.clone()).plain(), "raised Timeout: m");
        assert_eq!(Ok::<_, Raised>(Value::Nil).plain(), "nil");
        let failure = expect_reason(&timeout, "expired").expect_err("no reason");
        assert_eq!(failure.message, r#"the Timeout's reason: expected "expired", got no reason"#);
        let failure = expect_eq("n", 1i64, 2).expect_err("differs");
        assert_eq!(failure.message, "n: expected 2, got 1");
    }
}
