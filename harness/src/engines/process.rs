//! An engine in another process, driven over the driver protocol (JSON Lines on its stdin and
//! stdout). It survives everything a port can do wrong: a crash, a hang (a deadline per
//! request), output that is not the protocol, and stray stderr (kept for the case log).

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use caspian_conformance::contract::{
    Diagnostics, Engine, EngineFactory, Fault, FaultKind, Feature, LocalFuture, Raised, Reply, Request,
    Session, StartError, Value,
};
use caspian_conformance::driver::{
    Command as DriverCommand, CommandBody, Hello, HelloCommand, HelloOp, Outcome, PROTOCOL_VERSION, Response,
    StartCommand, StartOp,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

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
}

/// Starts the port once, reads its handshake, and stops it: what a run needs to know before it
/// plans (the name for reports, the features for UNIMPLEMENTED).
pub async fn probe(spec: &ProcessSpec) -> Result<Identity, String> {
    let shared = Shared::default();
    let mut connection = Connection::spawn(spec, &shared).map_err(|e| e.detail)?;
    let hello = connection.hello().await.map_err(|e| e.detail)?;
    Ok(Identity { name: format!("{} {}", hello.engine, hello.version), features: hello.features })
}

/// What the factory and its engines share: the first fault and the stderr lines.
#[derive(Default, Clone)]
struct Shared(Arc<Mutex<Diagnostics>>);

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

/// Starts one port process per session.
pub struct ProcessFactory {
    spec: ProcessSpec,
    identity: Identity,
    shared: Shared,
}

impl ProcessFactory {
    pub fn new(spec: ProcessSpec, identity: Identity) -> Self {
        Self { spec, identity, shared: Shared::default() }
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
            let failed = |fault: Fault| StartError::Failed(format!("{:?}: {}", fault.kind, fault.detail));
            let mut connection = Connection::spawn(&self.spec, &self.shared).map_err(failed)?;
            connection.hello().await.map_err(failed)?;
            let start = CommandBody::Start(StartCommand {
                op: StartOp::Start,
                allow_net: session.allow_net,
                allow_listen: session.allow_listen,
                env: session.env,
            });
            match connection.exchange(start).await.map_err(failed)? {
                Outcome::Ok(_) => Ok(Box::new(ProcessEngine { connection }) as Box<dyn Engine>),
                Outcome::Error(raised) => Err(StartError::InvalidFlags(raised.message)),
            }
        })
    }

    fn diagnostics(&self) -> Diagnostics {
        self.shared.snapshot()
    }
}

/// One running port process.
struct Connection {
    _child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: u64,
    deadline: Duration,
    shared: Shared,
}

impl Connection {
    fn spawn(spec: &ProcessSpec, shared: &Shared) -> Result<Self, Fault> {
        let mut child = Command::new("sh")
            .args(["-c", &spec.command])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                shared.fault(Fault {
                    kind: FaultKind::Crash,
                    detail: format!("cannot start `{}`: {e}", spec.command),
                })
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(
                shared.fault(Fault { kind: FaultKind::Crash, detail: "the port's pipes are missing".into() })
            );
        };
        let log = shared.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                log.log(line);
            }
        });
        Ok(Self {
            _child: child,
            stdin,
            stdout: BufReader::new(stdout).lines(),
            next_id: 0,
            deadline: spec.request_deadline,
            shared: shared.clone(),
        })
    }

    async fn hello(&mut self) -> Result<Hello, Fault> {
        let outcome = self
            .exchange(CommandBody::Hello(HelloCommand { op: HelloOp::Hello, protocol: PROTOCOL_VERSION }))
            .await?;
        let protocol_error = |detail: String| self.shared.fault(Fault { kind: FaultKind::Protocol, detail });
        let Outcome::Ok(value) = outcome else {
            return Err(protocol_error("the port answered hello with an error".into()));
        };
        let hello: Hello = serde_json::from_value(value)
            .map_err(|e| protocol_error(format!("a malformed hello answer: {e}")))?;
        if hello.protocol != PROTOCOL_VERSION {
            return Err(protocol_error(format!(
                "the port speaks protocol {}, the suite speaks {PROTOCOL_VERSION}",
                hello.protocol
            )));
        }
        Ok(hello)
    }

    /// Writes one command and reads its response, within the request deadline.
    async fn exchange(&mut self, body: CommandBody) -> Result<Outcome, Fault> {
        let id = self.next_id;
        self.next_id += 1;
        let line = serde_json::to_string(&DriverCommand { id, body }).unwrap_or_default();
        let crash = |detail: String| Fault { kind: FaultKind::Crash, detail };
        let write = async {
            self.stdin.write_all(line.as_bytes()).await?;
            self.stdin.write_all(b"\n").await?;
            self.stdin.flush().await
        };
        write.await.map_err(|e| self.shared.fault(crash(format!("the port's stdin closed: {e}"))))?;
        let answer = match tokio::time::timeout(self.deadline, self.stdout.next_line()).await {
            Err(_) => {
                let detail = format!("no answer to `{line}` within {}s", self.deadline.as_secs_f64());
                return Err(self.shared.fault(Fault { kind: FaultKind::Hang, detail }));
            }
            Ok(Ok(Some(answer))) => answer,
            Ok(Ok(None)) => {
                return Err(self.shared.fault(crash(format!("the port exited while answering `{line}`"))));
            }
            Ok(Err(e)) => return Err(self.shared.fault(crash(format!("reading the port's stdout: {e}")))),
        };
        let protocol = |detail: String| Fault { kind: FaultKind::Protocol, detail };
        let response: Response = serde_json::from_str(&answer)
            .map_err(|e| self.shared.fault(protocol(format!("not a response line: {answer:?} ({e})"))))?;
        if response.id != id {
            return Err(self
                .shared
                .fault(protocol(format!("answer for id {} where {id} was expected", response.id))));
        }
        Ok(response.outcome)
    }
}

/// A session of the port: every request is one exchange.
struct ProcessEngine {
    connection: Connection,
}

impl Engine for ProcessEngine {
    fn call(&mut self, request: Request) -> LocalFuture<'_, Reply> {
        Box::pin(async move {
            let engine_fault = |fault: Fault| Raised {
                class: "EngineFault".into(),
                message: format!("{:?}: {}", fault.kind, fault.detail),
                reason: None,
            };
            match self.connection.exchange(CommandBody::Call(request)).await.map_err(engine_fault)? {
                Outcome::Error(raised) => Err(raised),
                Outcome::Ok(value) => serde_json::from_value::<Value>(value.clone()).map_err(|e| {
                    engine_fault(self.connection.shared.fault(Fault {
                        kind: FaultKind::Protocol,
                        detail: format!("not a value: {value} ({e})"),
                    }))
                }),
            }
        })
    }
}
