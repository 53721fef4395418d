//! The port side of the driver protocol, for any in-process engine: reads command lines, answers
//! each with exactly one reply line, and never stops on bad input. `caspian-ref-driver` serves
//! the reference this way, so that the out-of-process path is tested end to end; a Rust port can
//! serve itself with it too.
//!
//! Guarantees: every line read gets one reply, in order (a line that is not a command gets a
//! `ProtocolError` reply carrying its id where it has one); a line longer than
//! [`MAX_LINE`] is read through and dropped, so memory stays bounded whatever arrives; serving
//! ends only when the input ends (or the output cannot be written).

use caspian_conformance::contract::{Engine, EngineFactory, Raised, Session, StartError, Value};
use caspian_conformance::driver::{
    CommandBody, Hello, PROTOCOL_MINOR, PROTOCOL_VERSION, Response, Sessions, parse_command,
};
use std::io::{BufRead, Write};

use super::lines::{Line, MAX_LINE, read_line};

/// One port process: the engine it serves and the session in progress.
pub struct Port<'a> {
    name: &'a str,
    version: &'a str,
    factory: &'a dyn EngineFactory,
    session: Option<Box<dyn Engine>>,
}

impl<'a> Port<'a> {
    /// A port serving the engines `factory` starts, as `name` `version`, several sessions one
    /// after another (`"sessions":"many"`).
    pub fn new((name, version): (&'a str, &'a str), factory: &'a dyn EngineFactory) -> Self {
        Self { name, version, factory, session: None }
    }

    /// The reply to one line (without its newline).
    pub async fn answer(&mut self, line: &[u8]) -> Response {
        let command = match parse_command(line) {
            Ok(command) => command,
            Err((id, message)) => return Response::protocol_error(id, message),
        };
        let id = command.id;
        match command.body {
            CommandBody::Hello(hello) if hello.protocol != PROTOCOL_VERSION => Response::protocol_error(
                Some(id),
                format!(
                    "this port speaks protocol {PROTOCOL_VERSION}.0 to {PROTOCOL_VERSION}.{PROTOCOL_MINOR}, not {}",
                    hello.protocol
                ),
            ),
            CommandBody::Hello(hello) => {
                let hello = Hello {
                    protocol: PROTOCOL_VERSION,
                    minor: hello.minor.min(PROTOCOL_MINOR),
                    engine: self.name.into(),
                    version: self.version.into(),
                    features: self.factory.features(),
                    sessions: Sessions::Many,
                };
                let ok = serde_json::to_value(hello).unwrap_or_default();
                Response { id: Some(id), outcome: caspian_conformance::driver::Outcome::Ok(ok) }
            }
            CommandBody::Start(_) if self.session.is_some() => {
                Response::protocol_error(Some(id), "a session is already started: end it first")
            }
            CommandBody::Start(start) => {
                let session =
                    Session { allow_net: start.allow_net, allow_listen: start.allow_listen, env: start.env };
                match self.factory.start(session).await {
                    Ok(engine) => {
                        self.session = Some(engine);
                        Response::value(id, &Value::Nil)
                    }
                    Err(StartError::InvalidFlags(message) | StartError::Failed(message)) => {
                        Response::raised(id, Raised { class: "ArgumentError".into(), message, reason: None })
                    }
                }
            }
            CommandBody::End(_) => match self.session.take() {
                Some(_) => Response::value(id, &Value::Nil),
                None => Response::protocol_error(Some(id), "end without a session: start one first"),
            },
            CommandBody::Call(request) => match self.session.as_mut() {
                None => Response::protocol_error(
                    Some(id),
                    format!("{} before start: start a session first", request.op()),
                ),
                Some(engine) => match engine.call(request).await {
                    Ok(value) => Response::value(id, &value),
                    Err(raised) => Response::raised(id, raised),
                },
            },
        }
    }
}

/// Serves `factory`'s engines on `input` and `output` until the input ends. Lines are read on
/// a thread of their own (with bounded memory, see [`read_line`]), so that the engine's calls
/// run on the caller's runtime.
pub async fn serve(
    identity: (&str, &str),
    factory: &dyn EngineFactory,
    mut input: impl BufRead + Send + 'static,
    mut output: impl Write,
) -> Result<(), String> {
    let (lines, mut incoming) = tokio::sync::mpsc::channel(1);
    std::thread::spawn(move || {
        let mut line = Vec::new();
        loop {
            let read = read_line(&mut input, &mut line);
            let stop = !matches!(read, Ok(Line::Read | Line::Blank | Line::TooLong(_)));
            if lines.blocking_send(read.map(|found| (found, std::mem::take(&mut line)))).is_err() || stop {
                return;
            }
        }
    });
    let mut port = Port::new(identity, factory);
    while let Some(read) = incoming.recv().await {
        let reply = match read.map_err(|e| format!("reading commands: {e}"))? {
            (Line::End, _) => return Ok(()),
            (Line::Blank, _) => continue,
            (Line::Read, line) => port.answer(&line).await,
            (Line::TooLong(length), _) => Response::protocol_error(
                None,
                format!("a line of {length} bytes: the longest a command may be is {MAX_LINE} bytes"),
            ),
        };
        let mut text = serde_json::to_string(&reply).map_err(|e| e.to_string())?;
        text.push('\n');
        output
            .write_all(text.as_bytes())
            .and_then(|()| output.flush())
            .map_err(|e| format!("writing replies: {e}"))?;
    }
    Ok(())
}
