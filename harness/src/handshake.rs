//! `caspian-conform handshake`: the first minute of a new port. It starts the port, says hello,
//! starts a session allowed to reach one loopback echo server, and does one round trip (`tcp`,
//! `send_all`, `recv_line`, `close`), showing every line both ways; it stops at the first thing
//! wrong and names it.

use std::sync::Arc;

use caspian_conformance::contract::{Feature, Request, Value, Wait};
use caspian_conformance::driver::{
    CommandBody, EndCommand, EndOp, Expect, Reply, Sessions, StartCommand, StartOp,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::engines::process::{Connection, Echo, ProcessSpec, Shared};

/// Runs the handshake, showing each line on `show`; the summary when all went well, else the
/// first thing wrong.
pub async fn handshake(spec: &ProcessSpec, show: &(dyn Fn(&str) + Sync)) -> Result<String, String> {
    let lines: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let sink = lines.clone();
    let echo: Echo =
        Arc::new(move |line: &str| sink.lock().map(|mut l| l.push(line.to_string())).unwrap_or(()));
    let flush = || {
        if let Ok(mut shown) = lines.lock() {
            shown.drain(..).for_each(|line| show(&line));
        }
    };
    show(&format!("$ sh -c {}", crate::runner::shell_quote(&spec.command)));
    let outcome = steps(spec, echo, &flush).await;
    flush();
    outcome
}

async fn steps(spec: &ProcessSpec, echo: Echo, flush: &dyn Fn()) -> Result<String, String> {
    let fault = |f: caspian_conformance::contract::Fault| f.detail;
    let mut port = Connection::spawn(spec, &Shared::default()).map_err(fault)?;
    port.show(echo);
    let result = async {
        let hello = port.hello().await.map_err(fault)?;
        flush();
        if !hello.features.contains(&Feature::Tcp) {
            return Err(format!("the hello answer lists no \"tcp\" feature: [{}]", hello.feature_names()));
        }
        let echo_server = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
        let port_number = echo_server.local_addr().map_err(|e| e.to_string())?.port();
        tokio::spawn(async move {
            if let Ok((mut stream, _)) = echo_server.accept().await {
                let mut buf = [0u8; 1024];
                while let Ok(n @ 1..) = stream.read(&mut buf).await {
                    if stream.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        });
        let start = CommandBody::Start(StartCommand {
            op: StartOp::Start,
            allow_net: Some("127.0.0.1".into()),
            allow_listen: None,
            env: Default::default(),
        });
        match port.exchange(start, Expect::Nil).await.map_err(fault)? {
            Reply::Raised(raised) => {
                return Err(format!("start was refused: {}: {}", raised.class, raised.message));
            }
            _ => flush(),
        }
        let call = |request| CommandBody::Call(request);
        let tcp = Request::Tcp {
            host: "127.0.0.1".into(),
            port: port_number.into(),
            timeout: Some(Wait::Seconds(5.0)),
        };
        let handle = match port.exchange(call(tcp), Expect::Value).await.map_err(fault)? {
            Reply::Value(Value::Handle(handle)) => handle,
            other => return Err(format!("tcp to the echo server should answer a handle, got {other}")),
        };
        flush();
        let steps = [
            (Request::SendAll { handle, bytes: b"hello\n".to_vec() }, Value::Nil),
            (
                Request::RecvLine { handle, opts: caspian_conformance::contract::CallOpts::timeout(5.0) },
                Value::Bytes(b"hello\n".to_vec()),
            ),
            (Request::Close { handle }, Value::Nil),
        ];
        for (request, expected) in steps {
            let op = request.op();
            match port.exchange(call(request), Expect::Value).await.map_err(fault)? {
                Reply::Value(value) if value == expected => flush(),
                other => return Err(format!("{op} should answer {expected}, got {other}")),
            }
        }
        if hello.sessions == Sessions::Many {
            port.exchange(CommandBody::End(EndCommand { op: EndOp::End }), Expect::Nil)
                .await
                .map_err(fault)?;
        }
        Ok(format!(
            "handshake complete: {} {} speaks protocol {}.{}, implements {}, serves {} per process",
            hello.engine,
            hello.version,
            hello.protocol,
            hello.minor,
            hello.feature_names(),
            if hello.sessions == Sessions::Many { "many sessions" } else { "one session" }
        ))
    }
    .await;
    for line in port.stderr() {
        flush();
        eprintln!("stderr: {line}");
    }
    result
}
