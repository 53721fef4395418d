//! The port side of the driver protocol, for any in-process engine: reads commands from a
//! reader, answers on a writer. `caspian-ref-driver` serves the reference this way, so that the
//! out-of-process path is tested end to end.

use caspian_conformance::contract::{Engine, EngineFactory, Raised, Session, StartError};
use caspian_conformance::driver::{Command, CommandBody, Hello, PROTOCOL_VERSION, Response};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

/// Serves one session of the engine `name` `version`: `hello`, then `start`, then calls, until
/// the reader ends. A line that is not a command ends the session with an error naming it.
pub async fn serve(
    (name, version): (&str, &str),
    factory: &dyn EngineFactory,
    input: impl AsyncBufRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
) -> Result<(), String> {
    let mut lines = input.lines();
    let mut engine: Option<Box<dyn Engine>> = None;
    while let Some(line) = lines.next_line().await.map_err(|e| format!("reading commands: {e}"))? {
        let command: Command =
            serde_json::from_str(&line).map_err(|e| format!("not a command: {line:?} ({e})"))?;
        let response = match (command.body, engine.as_mut()) {
            (CommandBody::Hello(_), _) => {
                let hello = Hello {
                    protocol: PROTOCOL_VERSION,
                    engine: name.into(),
                    version: version.into(),
                    features: factory.features(),
                };
                Response {
                    id: command.id,
                    outcome: caspian_conformance::driver::Outcome::Ok(
                        serde_json::to_value(hello).map_err(|e| e.to_string())?,
                    ),
                }
            }
            (CommandBody::Start(start), None) => {
                let session =
                    Session { allow_net: start.allow_net, allow_listen: start.allow_listen, env: start.env };
                match factory.start(session).await {
                    Ok(started) => {
                        engine = Some(started);
                        Response::value(command.id, &caspian_conformance::contract::Value::Nil)
                    }
                    Err(StartError::InvalidFlags(message) | StartError::Failed(message)) => Response::raised(
                        command.id,
                        Raised { class: "ArgumentError".into(), message, reason: None },
                    ),
                }
            }
            (CommandBody::Start(_), Some(_)) => return Err("a second start in one session".into()),
            (CommandBody::Call(_), None) => return Err("a call before start".into()),
            (CommandBody::Call(request), Some(engine)) => match engine.call(request).await {
                Ok(value) => Response::value(command.id, &value),
                Err(raised) => Response::raised(command.id, raised),
            },
        };
        let mut text = serde_json::to_string(&response).map_err(|e| e.to_string())?;
        text.push('\n');
        output.write_all(text.as_bytes()).await.map_err(|e| format!("writing answers: {e}"))?;
        output.flush().await.map_err(|e| format!("writing answers: {e}"))?;
    }
    Ok(())
}
