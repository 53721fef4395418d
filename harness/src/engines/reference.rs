//! The reference as an in-process engine: the contract's requests mapped onto
//! `caspian_reference`, in either world.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use caspian_conformance::contract::{
    self as contract, CertValue, Engine, EngineFactory, Feature, Handle, LocalFuture, Property, Raised,
    Reply, Request, Session, StartError, TlsArgs, Value, Wait,
};
use caspian_reference::listener::TcpListener;
use caspian_reference::permissions::Permissions;
use caspian_reference::stream::StreamSocket;
use caspian_reference::tcp::TcpSocket;
use caspian_reference::tls::{CertEnv, SslSocket};
use caspian_reference::transport::Transport;
use caspian_reference::udp::UdpSocket;
use caspian_reference::{CallOpts, Net, NetError, TimeoutOpt, TlsContext, TlsOptions};
use rustls::time_provider::TimeProvider;

/// Starts reference engines over transport `T`, checking certificates against `clock`.
pub struct ReferenceFactory<T: Transport> {
    transport: T,
    clock: Arc<dyn TimeProvider>,
}

impl<T: Transport> ReferenceFactory<T> {
    pub fn new(transport: T, clock: Arc<dyn TimeProvider>) -> Self {
        Self { transport, clock }
    }
}

impl<T: Transport> EngineFactory for ReferenceFactory<T> {
    fn name(&self) -> String {
        format!("caspian-reference {}", env!("CARGO_PKG_VERSION"))
    }

    fn features(&self) -> Vec<Feature> {
        Feature::ALL.to_vec()
    }

    fn start(&self, session: Session) -> LocalFuture<'_, Result<Box<dyn Engine>, StartError>> {
        Box::pin(async move {
            let permissions =
                Permissions::from_flags(session.allow_net.as_deref(), session.allow_listen.as_deref())
                    .map_err(|e| StartError::InvalidFlags(e.message))?;
            let cert_env = CertEnv {
                ssl_cert_file: session.env.get("SSL_CERT_FILE").map(PathBuf::from),
                ssl_cert_dir: session.env.get("SSL_CERT_DIR").cloned(),
            };
            let tls = TlsContext::new(self.clock.clone(), cert_env);
            let net = Net::new(self.transport.clone(), permissions).with_tls(tls);
            Ok(Box::new(ReferenceEngine { net, handles: HashMap::new(), next: 1 }) as Box<dyn Engine>)
        })
    }
}

/// What a handle names.
enum Object<T: Transport> {
    Tcp(TcpSocket),
    Ssl(SslSocket),
    Listener(TcpListener<T>),
    Udp(UdpSocket<T>),
}

/// One reference engine session: `%net` and its handles.
pub struct ReferenceEngine<T: Transport> {
    net: Net<T>,
    handles: HashMap<Handle, Object<T>>,
    next: Handle,
}

impl<T: Transport> Engine for ReferenceEngine<T> {
    fn call(&mut self, request: Request) -> LocalFuture<'_, Reply> {
        Box::pin(self.dispatch(request))
    }
}

impl<T: Transport> ReferenceEngine<T> {
    async fn dispatch(&mut self, request: Request) -> Reply {
        match request {
            Request::Tcp { host, port, timeout } => {
                let socket = self.net.tcp_new(&host, port, timeout_opt(timeout)).await.map_err(raised)?;
                Ok(self.insert(Object::Tcp(socket)))
            }
            Request::Ssl { host, port, timeout, tls } => {
                let options = tls_options(&tls);
                let socket =
                    self.net.ssl(&host, port, timeout_opt(timeout), &options).await.map_err(raised)?;
                Ok(self.insert(Object::Ssl(socket)))
            }
            Request::TcpListen { host, port } => {
                let listener = self.net.tcp_listen(&host, port).await.map_err(raised)?;
                Ok(self.insert(Object::Listener(listener)))
            }
            Request::Udp { host: None, port: None } => {
                let socket = self.net.udp().await.map_err(raised)?;
                Ok(self.insert(Object::Udp(socket)))
            }
            Request::Udp { host: Some(host), port: Some(port) } => {
                let socket = self.net.udp_peer(&host, port).await.map_err(raised)?;
                Ok(self.insert(Object::Udp(socket)))
            }
            Request::Udp { host: Some(host), port: None } => {
                Err(missing("port", &format!("udp('{host}') names a default peer without its port")))
            }
            Request::Udp { host: None, port: Some(port) } => {
                Err(missing("host", &format!("udp(port: {port}) names a default peer without its host")))
            }
            Request::UdpListen { host, port } => {
                let socket = self.net.udp_listen(&host, port).await.map_err(raised)?;
                Ok(self.insert(Object::Udp(socket)))
            }
            Request::Starttls { handle, tls } => {
                let Object::Tcp(socket) = self.object(handle)? else {
                    return Err(wrong_kind("starttls", "a tcp socket"));
                };
                let upgraded = socket.starttls(tls_options(&tls)).await.map_err(raised)?;
                Ok(self.insert(Object::Ssl(upgraded)))
            }
            Request::Accept { handle, opts } => {
                let Object::Listener(listener) = self.object(handle)? else {
                    return Err(wrong_kind("accept", "a listener"));
                };
                let socket = listener.accept(call_opts(opts)).await.map_err(raised)?;
                Ok(self.insert(Object::Tcp(socket)))
            }
            Request::SendTo { handle, bytes, host, port } => {
                let Object::Udp(socket) = self.object(handle)? else {
                    return Err(wrong_kind("send_to", "a udp socket"));
                };
                int(socket.send_to(&bytes, &host, port).await.map_err(raised)?)
            }
            Request::RecvFrom { handle, max_bytes, opts } => {
                let Object::Udp(socket) = self.object(handle)? else {
                    return Err(wrong_kind("recv_from", "a udp socket"));
                };
                let datagram = socket.recv_from(max_bytes, call_opts(opts)).await.map_err(raised)?;
                Ok(Value::Datagram { bytes: datagram.bytes, host: datagram.host, port: datagram.port.into() })
            }
            other => self.on_socket(other).await,
        }
    }

    /// The operations shared by several kinds of handle.
    async fn on_socket(&mut self, request: Request) -> Reply {
        let op = request.op();
        let handle = request.handle().ok_or_else(|| wrong_kind(op, "a handle"))?;
        match (request, self.object(handle)?) {
            (Request::Send { bytes, .. }, Object::Udp(socket)) => {
                int(socket.send(&bytes).await.map_err(raised)?)
            }
            (Request::Recv { max_bytes, opts, .. }, Object::Udp(socket)) => {
                Ok(Value::Bytes(socket.recv(max_bytes, call_opts(opts)).await.map_err(raised)?))
            }
            (Request::Close { .. }, Object::Udp(socket)) => {
                socket.close();
                Ok(Value::Nil)
            }
            (Request::Close { .. }, Object::Listener(listener)) => {
                listener.close();
                Ok(Value::Nil)
            }
            (Request::SetTimeout { timeout, .. }, Object::Udp(socket)) => {
                socket.set_timeout(timeout).map_err(raised)?;
                Ok(Value::Nil)
            }
            (Request::Get { property, .. }, Object::Listener(listener)) => match property {
                Property::LocalHost => Ok(Value::Str(listener.local_host())),
                Property::LocalPort => Ok(Value::Int(listener.local_port().into())),
                other => Err(no_property(other, "a listener", "local_host and local_port")),
            },
            (Request::Get { property, .. }, Object::Udp(socket)) => match property {
                Property::LocalHost => Ok(Value::Str(socket.local_host())),
                Property::LocalPort => Ok(Value::Int(socket.local_port().into())),
                Property::Timeout => Ok(socket.timeout().map_or(Value::Nil, Value::Float)),
                other => Err(no_property(other, "a udp socket", "local_host, local_port and timeout")),
            },
            (Request::Get { property: Property::PeerCert, .. }, Object::Ssl(socket)) => {
                Ok(Value::Cert(cert_value(socket.peer_cert().map_err(raised)?)))
            }
            (Request::Get { property: Property::Cipher, .. }, Object::Ssl(socket)) => {
                Ok(Value::Str(socket.cipher().into()))
            }
            (Request::Get { property: Property::Protocol, .. }, Object::Ssl(socket)) => {
                Ok(Value::Str(socket.protocol().into()))
            }
            (request, object) => match stream_of(object) {
                Some(stream) => stream_op(stream, request).await,
                None => Err(wrong_kind(op, "a tcp or ssl socket")),
            },
        }
    }

    fn insert(&mut self, object: Object<T>) -> Value {
        let handle = self.next;
        self.next += 1;
        self.handles.insert(handle, object);
        Value::Handle(handle)
    }

    fn object(&mut self, handle: Handle) -> Result<&mut Object<T>, Raised> {
        self.handles.get_mut(&handle).ok_or_else(|| Raised {
            class: "ArgumentError".into(),
            message: format!("argument handle: no socket has handle {handle}"),
            reason: None,
        })
    }
}

fn raised(error: NetError) -> Raised {
    Raised { class: error.class.id().into(), message: error.message, reason: error.reason }
}

fn missing(argument: &str, problem: &str) -> Raised {
    Raised { class: "ArgumentError".into(), message: format!("argument {argument}: {problem}"), reason: None }
}

/// A property the handle's kind does not have: an ArgumentError naming `property`.
fn no_property(property: Property, kind: &str, has: &str) -> Raised {
    let name =
        serde_json::to_value(property).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    missing("property", &format!("{kind} has no {name} (it answers {has})"))
}

fn wrong_kind(op: &str, kind: &str) -> Raised {
    Raised {
        class: "ArgumentError".into(),
        message: format!("argument handle: {op} needs {kind}"),
        reason: None,
    }
}

fn int(n: usize) -> Reply {
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

fn timeout_opt(timeout: Option<Wait>) -> TimeoutOpt {
    match timeout {
        None => TimeoutOpt::Inherit,
        Some(Wait::Forever) => TimeoutOpt::Forever,
        Some(Wait::Seconds(s)) => TimeoutOpt::Seconds(s),
    }
}

fn call_opts(opts: contract::CallOpts) -> CallOpts {
    CallOpts { timeout: timeout_opt(opts.timeout), max_length: opts.max_length }
}

fn tls_options(args: &TlsArgs) -> TlsOptions {
    TlsOptions {
        verify: args.verify.unwrap_or(true),
        ca_bundle: args.ca_bundle.as_ref().map(PathBuf::from),
        client_cert: args.client_cert.as_ref().map(PathBuf::from),
        client_key: args.client_key.as_ref().map(PathBuf::from),
        sni: args.sni.clone(),
        protocols: args.protocols.clone(),
    }
}

fn cert_value(cert: &caspian_reference::peer_cert::PeerCert) -> CertValue {
    CertValue {
        subject: cert.subject.clone(),
        issuer: cert.issuer.clone(),
        fingerprint: cert.fingerprint.clone(),
        validfrom: cert.validfrom.clone(),
        validuntil: cert.validuntil.clone(),
        sans: cert.sans.clone(),
    }
}

/// An operation of the stream surface, the same on tcp and ssl (SSL-SURFACE).
async fn stream_op(stream: &mut StreamSocket, request: Request) -> Reply {
    let nil = |outcome: Result<(), NetError>| outcome.map(|()| Value::Nil).map_err(raised);
    match request {
        Request::Send { bytes, .. } => int(stream.send(&bytes).await.map_err(raised)?),
        Request::SendAll { bytes, .. } => nil(stream.send_all(&bytes).await),
        Request::Recv { max_bytes, opts, .. } => {
            stream.recv(max_bytes, call_opts(opts)).await.map(Value::Bytes).map_err(raised)
        }
        Request::RecvLine { opts, .. } => {
            stream.recv_line(call_opts(opts)).await.map(Value::Bytes).map_err(raised)
        }
        Request::RecvExact { n, opts, .. } => {
            stream.recv_exact(n, call_opts(opts)).await.map(Value::Bytes).map_err(raised)
        }
        Request::Close { .. } => {
            stream.close().await;
            Ok(Value::Nil)
        }
        Request::Shutdown { direction, .. } => nil(stream.shutdown(&direction).await),
        Request::SetTimeout { timeout, .. } => nil(stream.set_timeout(timeout)),
        Request::Get { property, .. } => match property {
            Property::Host => Ok(Value::Str(stream.host().into())),
            Property::Port => Ok(Value::Int(stream.port().into())),
            Property::LocalHost => Ok(Value::Str(stream.local_host())),
            Property::LocalPort => Ok(Value::Int(stream.local_port().into())),
            Property::Connected => Ok(Value::Bool(stream.is_connected())),
            Property::Timeout => Ok(stream.timeout().map_or(Value::Nil, Value::Float)),
            other @ (Property::PeerCert | Property::Cipher | Property::Protocol) => Err(no_property(
                other,
                "a tcp socket",
                "host, port, local_host, local_port, connected and timeout",
            )),
        },
        other => Err(wrong_kind(other.op(), "a listener or udp socket")),
    }
}

fn stream_of<T: Transport>(object: &mut Object<T>) -> Option<&mut StreamSocket> {
    match object {
        Object::Tcp(socket) => Some(socket),
        Object::Ssl(socket) => Some(socket),
        _ => None,
    }
}
