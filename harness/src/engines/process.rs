//! An engine in another process, driven over the driver protocol (JSON Lines on its stdin and
//! stdout). It survives everything a port can do wrong: a crash, a hang (a deadline per
//! request), output that is not the protocol (every reply is read strictly, see
//! [`parse_reply`]), and stray stderr (kept for the case log).
//!
//! A port whose hello says `"sessions":"many"` is kept between sessions: the next session
//! reuses the process after an `end`, and a process that crashed, hung or broke the protocol is
//! never reused. Otherwise every session starts a process of its own.

use std::io::{BufReader, Write};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use caspian_conformance::contract::{
    Diagnostics, Engine, EngineFactory, Fault, FaultKind, Feature, LocalFuture, Raised, Reply, Request,
    Session, StartError,
};
use caspian_conformance::driver::{
    Command as DriverCommand, CommandBody, EndCommand, EndOp, Expect, Hello, HelloCommand, HelloOp,
    PROTOCOL_MINOR, PROTOCOL_VERSION, Reply as WireReply, Sessions, StartCommand, StartOp, Violation,
    parse_reply,
};
use tokio::sync::mpsc;

use super::lines::{Line, read_line};

/// How long a port may take to start and answer hello, whatever the request deadline: a
/// runtime that loads a TLS stack starts slowly, more so on a busy machine.
pub const START_DEADLINE: Duration = Duration::from_secs(30);

/// How to start the port, and how long one request may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSpec {
    /// A shell command line, run with `sh -c`.
    pub command: String,
    pub request_deadline: Duration,
}

/// What the port said of itself in its handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub features: Vec<Feature>,
    /// The minor protocol version both sides speak.
    pub minor: u32,
    pub sessions: Sessions,
}

impl Identity {
    fn of(hello: &Hello) -> Self {
        Self {
            name: format!("{} {}", hello.engine, hello.version),
            features: hello.features.clone(),
            minor: hello.minor,
            sessions: hello.sessions,
        }
    }
}

/// Starts the port once and reads its handshake: what a run needs to know before it plans (the
/// name for reports, the features for UNIMPLEMENTED, the sessions it serves). A port that
/// serves many sessions is kept in `pool` for the run's first session; any other is stopped.
pub async fn probe(spec: &ProcessSpec, pool: &Pool) -> Result<Identity, String> {
    let mut connection = Connection::spawn(spec, &Shared::default()).map_err(|e| e.detail)?;
    let identity = Identity::of(&connection.hello().await.map_err(|e| e.detail)?);
    if identity.sessions == Sessions::Many {
        pool.give(connection);
    }
    Ok(identity)
}

/// What the factory and its engines share: the first fault and the stderr lines.
#[derive(Default, Clone)]
pub(crate) struct Shared(Arc<Mutex<Diagnostics>>);

impl Shared {
    /// Records `fault` (the first one wins) and hands it back.
    fn fault(&self, fault: Fault) -> Fault {
        if let Ok(mut diagnostics) = self.0.lock() {
            diagnostics.fault.get_or_insert_with(|| fault.clone());
        }
        fault
    }

    fn log(&self, line: String) {
        if let Ok(mut diagnostics) = self.0.lock() {
            diagnostics.log.push(line);
        }
    }

    fn snapshot(&self) -> Diagnostics {
        self.0.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

/// Port processes between sessions, for ports that serve many. Shared by every case of a run.
#[derive(Clone, Default)]
pub struct Pool(Arc<Mutex<Vec<Connection>>>);

impl Pool {
    fn take(&self) -> Option<Connection> {
        self.0.lock().ok()?.pop()
    }

    /// Keeps `connection` for a later session, unless it met a fault.
    fn give(&self, connection: Connection) {
        if !connection.healthy {
            return;
        }
        if let Ok(mut idle) = self.0.lock() {
            idle.push(connection);
        }
    }
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pool")
    }
}

impl PartialEq for Pool {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Pool {}

/// Starts port sessions: in a fresh process each, or (ports that serve many) in a process kept
/// from an earlier session.
pub struct ProcessFactory {
    spec: ProcessSpec,
    identity: Identity,
    shared: Shared,
    pool: Pool,
}

impl ProcessFactory {
    pub fn new(spec: ProcessSpec, identity: Identity, pool: Pool) -> Self {
        Self { spec, identity, shared: Shared::default(), pool }
    }

    /// A process ready for a `start`: one from the pool (ended cleanly first), or a new one.
    async fn connection(&self) -> Result<Connection, Fault> {
        if self.identity.sessions == Sessions::Many {
            while let Some(mut kept) = self.pool.take() {
                kept.adopt(&self.shared);
                if kept.end_session().await {
                    return Ok(kept);
                }
            }
        }
        let mut connection = Connection::spawn(&self.spec, &self.shared)?;
        connection.hello().await?;
        Ok(connection)
    }
}

impl EngineFactory for ProcessFactory {
    fn name(&self) -> String {
        self.identity.name.clone()
    }

    fn features(&self) -> Vec<Feature> {
        self.identity.features.clone()
    }

    fn start(&self, session: Session) -> LocalFuture<'_, Result<Box<dyn Engine>, StartError>> {
        Box::pin(async move {
            let failed = |fault: Fault| StartError::Failed(format!("{}: {}", fault.kind, fault.detail));
            let mut connection = self.connection().await.map_err(failed)?;
            let start = CommandBody::Start(StartCommand {
                op: StartOp::Start,
                allow_net: session.allow_net,
                allow_listen: session.allow_listen,
                env: session.env,
            });
            let pool = (self.identity.sessions == Sessions::Many).then(|| self.pool.clone());
            match connection.exchange(start, Expect::Nil).await.map_err(failed)? {
                WireReply::Raised(raised) => {
                    // No session started: the process can serve the next start as it is.
                    if let Some(pool) = pool {
                        pool.give(connection);
                    }
                    Err(StartError::InvalidFlags(raised.message))
                }
                _ => {
                    connection.in_session = true;
                    Ok(Box::new(ProcessEngine { connection: Some(connection), pool }) as Box<dyn Engine>)
                }
            }
        })
    }

    fn diagnostics(&self) -> Diagnostics {
        self.shared.snapshot()
    }
}

/// One running port process. Its pipes are served by threads of their own, so that the process
/// outlives the runtime of the case that started it.
pub struct Connection {
    child: Child,
    to_port: std::sync::mpsc::Sender<String>,
    from_port: mpsc::UnboundedReceiver<std::io::Result<(Line, String)>>,
    /// Where the port's stderr lines go: the diagnostics of the factory using it now.
    stderr_to: Arc<Mutex<Shared>>,
    next_id: u64,
    deadline: Duration,
    minor: u32,
    /// A session was started and not ended.
    in_session: bool,
    /// No fault was met: the process may serve another session.
    healthy: bool,
    /// Shown every line both ways, as it goes (`handshake`, `--trace`).
    echo: Option<Echo>,
}

/// Where a connection shows the lines it writes and reads.
pub type Echo = Arc<dyn Fn(&str) + Send + Sync>;

impl Connection {
    pub(crate) fn spawn(spec: &ProcessSpec, shared: &Shared) -> Result<Self, Fault> {
        let crash = |detail: String| shared.fault(Fault { kind: FaultKind::Crash, detail });
        let mut child = std::process::Command::new("sh")
            .args(["-c", &spec.command])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| crash(format!("cannot start `{}`: {e}", spec.command)))?;
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(crash("the port's pipes are missing".into()));
        };
        let (to_port, lines_out) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in lines_out {
                if stdin.write_all(line.as_bytes()).and_then(|()| stdin.flush()).is_err() {
                    return;
                }
            }
        });
        let (lines_in, from_port) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            let (mut reader, mut line) = (BufReader::new(stdout), Vec::new());
            loop {
                let read = read_line(&mut reader, &mut line);
                let stop = !matches!(read, Ok(Line::Read | Line::Blank | Line::TooLong(_)));
                let text = String::from_utf8_lossy(&line).into_owned();
                if lines_in.send(read.map(|found| (found, text))).is_err() || stop {
                    return;
                }
            }
        });
        let stderr_to = Arc::new(Mutex::new(shared.clone()));
        let sink = stderr_to.clone();
        std::thread::spawn(move || {
            let (mut reader, mut line) = (BufReader::new(stderr), Vec::new());
            while let Ok(Line::Read | Line::Blank | Line::TooLong(_)) = read_line(&mut reader, &mut line) {
                if let Ok(shared) = sink.lock() {
                    shared.log(String::from_utf8_lossy(&line).into_owned());
                }
            }
        });
        Ok(Self {
            child,
            to_port,
            from_port,
            stderr_to,
            next_id: 0,
            deadline: spec.request_deadline,
            minor: 0,
            in_session: false,
            healthy: true,
            echo: None,
        })
    }

    /// Shows every line both ways on `echo` from now on.
    pub(crate) fn show(&mut self, echo: Echo) {
        self.echo = Some(echo);
    }

    /// The stderr lines the port wrote so far.
    pub(crate) fn stderr(&self) -> Vec<String> {
        self.shared().snapshot().log
    }

    /// Reports this process's faults and stderr to `shared` from now on.
    fn adopt(&mut self, shared: &Shared) {
        if let Ok(mut sink) = self.stderr_to.lock() {
            *sink = shared.clone();
        }
    }

    fn shared(&self) -> Shared {
        self.stderr_to.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The handshake: the suite offers 1.0 to 1.[`PROTOCOL_MINOR`]; the port answers the minor
    /// version both speak, at most the suite's, within [`START_DEADLINE`] or the request
    /// deadline, whichever is longer.
    pub(crate) async fn hello(&mut self) -> Result<Hello, Fault> {
        let hello = CommandBody::Hello(HelloCommand {
            op: HelloOp::Hello,
            protocol: PROTOCOL_VERSION,
            minor: PROTOCOL_MINOR,
        });
        let protocol_error = |this: &mut Self, detail: String| this.fault(FaultKind::Protocol, detail);
        let deadline = self.deadline.max(START_DEADLINE);
        let hello = match self.exchange_within(hello, Expect::Hello, deadline).await? {
            WireReply::Hello(hello) => hello,
            other => return Err(protocol_error(self, format!("the port answered hello with {other}"))),
        };
        if hello.protocol != PROTOCOL_VERSION {
            let detail = format!(
                "the port speaks protocol {}.{}; this suite speaks {PROTOCOL_VERSION}.0 to {PROTOCOL_VERSION}.{PROTOCOL_MINOR}",
                hello.protocol, hello.minor
            );
            return Err(protocol_error(self, detail));
        }
        if hello.minor > PROTOCOL_MINOR {
            let detail = format!(
                "the port answered minor version {} to a suite that offered at most {PROTOCOL_VERSION}.{PROTOCOL_MINOR}",
                hello.minor
            );
            return Err(protocol_error(self, detail));
        }
        self.minor = hello.minor;
        Ok(hello)
    }

    /// Ends the session in progress, if any; false when the port did not end it cleanly.
    async fn end_session(&mut self) -> bool {
        if !self.in_session {
            return true;
        }
        let ended = matches!(
            self.exchange(CommandBody::End(EndCommand { op: EndOp::End }), Expect::Nil).await,
            Ok(WireReply::Value(_))
        );
        self.in_session = !ended;
        ended
    }

    fn fault(&mut self, kind: FaultKind, detail: String) -> Fault {
        self.healthy = false;
        self.shared().fault(Fault { kind, detail })
    }

    /// Writes one command and reads its reply, strictly, within the request deadline.
    pub(crate) async fn exchange(&mut self, body: CommandBody, expect: Expect) -> Result<WireReply, Fault> {
        self.exchange_within(body, expect, self.deadline).await
    }

    /// [`Connection::exchange`] with a deadline of its own.
    async fn exchange_within(
        &mut self,
        body: CommandBody,
        expect: Expect,
        deadline: Duration,
    ) -> Result<WireReply, Fault> {
        let id = self.next_id;
        self.next_id += 1;
        let mut json = serde_json::to_value(DriverCommand { id, body }).unwrap_or_default();
        if self.minor == 0 {
            downgrade_to_1_0(&mut json);
        }
        let line = json.to_string();
        if let Some(echo) = &self.echo {
            echo(&format!("> {line}"));
        }
        if self.to_port.send(format!("{line}\n")).is_err() {
            return Err(self.fault(FaultKind::Crash, format!("the port's stdin closed before `{line}`")));
        }
        let answer = match tokio::time::timeout(deadline, self.from_port.recv()).await {
            Err(_) => {
                let detail = format!("no answer to `{line}` within {}s", deadline.as_secs_f64());
                return Err(self.fault(FaultKind::Hang, detail));
            }
            Ok(None | Some(Ok((Line::End, _)))) => {
                return Err(self.fault(FaultKind::Crash, format!("the port exited while answering `{line}`")));
            }
            Ok(Some(Err(e))) => {
                return Err(self.fault(FaultKind::Crash, format!("reading the port's stdout: {e}")));
            }
            Ok(Some(Ok((Line::TooLong(length), _)))) => {
                let detail = format!("a reply of {length} bytes to `{line}`: longer than any reply may be");
                return Err(self.fault(FaultKind::Protocol, detail));
            }
            Ok(Some(Ok((_, answer)))) => answer,
        };
        if let Some(echo) = &self.echo {
            echo(&format!("< {answer}"));
        }
        parse_reply(&answer, id, expect).map_err(|violation| {
            let detail = match violation {
                Violation::Malformed(why) => {
                    format!("the reply to `{line}` is not the protocol: {why}: {answer}")
                }
                refused => format!("`{line}`: {refused}"),
            };
            self.fault(FaultKind::Protocol, detail)
        })
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Protocol 1.0 wrote `set_timeout`'s value as a number of seconds or `null`.
fn downgrade_to_1_0(command: &mut serde_json::Value) {
    if command["op"] == "set_timeout" {
        let seconds = command["timeout"]["seconds"].clone();
        command["timeout"] = if seconds.is_number() { seconds } else { serde_json::Value::Null };
    }
}

/// A session of the port: every request is one exchange.
struct ProcessEngine {
    connection: Option<Connection>,
    /// Where the process goes when the session ends (ports that serve many sessions).
    pool: Option<Pool>,
}

impl Engine for ProcessEngine {
    fn call(&mut self, request: Request) -> LocalFuture<'_, Reply> {
        Box::pin(async move {
            let engine_fault = |fault: Fault| Raised {
                class: "EngineFault".into(),
                message: format!("{}: {}", fault.kind, fault.detail),
                reason: None,
            };
            let Some(connection) = self.connection.as_mut() else {
                return Err(engine_fault(Fault {
                    kind: FaultKind::Crash,
                    detail: "the session is over".into(),
                }));
            };
            match connection
                .exchange(CommandBody::Call(request), Expect::Value)
                .await
                .map_err(engine_fault)?
            {
                WireReply::Raised(raised) => Err(raised),
                WireReply::Value(value) => Ok(value),
                WireReply::Hello(hello) => Err(engine_fault(
                    connection.fault(FaultKind::Protocol, format!("a hello answer to a call: {hello}")),
                )),
            }
        })
    }
}

impl Drop for ProcessEngine {
    /// The session is over: the process waits in the pool (ended before its next start), or
    /// stops.
    fn drop(&mut self) {
        if let (Some(connection), Some(pool)) = (self.connection.take(), &self.pool) {
            pool.give(connection);
        }
    }
}
