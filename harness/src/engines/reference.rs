//! The reference as an in-process engine: the contract's requests mapped onto
//! `caspian_reference`, on either of its surfaces: async over a transport (in either world), or
//! blocking over OS sockets. The mapping from a request to a call is written once, against
//! [`Surface`]; each surface implements it by calling its own operations.

use std::collections::HashMap;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use caspian_conformance::contract::{
    self as contract, CertValue, Engine, EngineFactory, Feature, Handle, LocalFuture, Property, Raised,
    Reply, Request, Session, StartError, TlsArgs, Value, Wait,
};
use caspian_reference::listener::{Listening, TcpListener};
use caspian_reference::peer_cert::PeerCert;
use caspian_reference::permissions::Permissions;
use caspian_reference::stream::StreamSocket;
use caspian_reference::stream_state::StreamState;
use caspian_reference::tcp::TcpSocket;
use caspian_reference::tls::{CertEnv, SslSocket};
use caspian_reference::transport::Transport;
use caspian_reference::udp::{Datagram, UdpSocket, UdpState};
use caspian_reference::{
    Bytes, CallOpts, Net, NetError, NetResult, TimeoutOpt, TlsContext, TlsOptions, blocking,
};
use rustls::time_provider::TimeProvider;

/// Which surface an engine session opens: async over a transport `T` (any [`Transport`]), or
/// [`Blocking`].
pub trait Opens: 'static {
    type Net: Surface;
    fn open(&self, permissions: Permissions, tls: TlsContext) -> Self::Net;
}

impl<T: Transport> Opens for T {
    type Net = Net<T>;
    fn open(&self, permissions: Permissions, tls: TlsContext) -> Net<T> {
        Net::new(self.clone(), permissions).with_tls(tls)
    }
}

/// The blocking surface, over OS sockets (`caspian_reference::blocking`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Blocking;

impl Opens for Blocking {
    type Net = blocking::Net;
    fn open(&self, permissions: Permissions, tls: TlsContext) -> blocking::Net {
        blocking::Net::new(permissions).with_tls(tls)
    }
}

/// Starts reference engines on the surface `T` opens, checking certificates against `clock`.
pub struct ReferenceFactory<T: Opens> {
    opens: T,
    clock: Arc<dyn TimeProvider>,
}

impl<T: Opens> ReferenceFactory<T> {
    pub fn new(opens: T, clock: Arc<dyn TimeProvider>) -> Self {
        Self { opens, clock }
    }
}

impl<T: Opens> EngineFactory for ReferenceFactory<T> {
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
            let net = self.opens.open(permissions, tls_context(cert_env, self.clock.clone()));
            Ok(Box::new(ReferenceEngine { net, handles: HashMap::new(), next: 1 }) as Box<dyn Engine>)
        })
    }
}

/// The TLS context of an engine seeing `cert_env`, checking certificates against `clock`.
/// Engines that name no bundle share one platform store for the process: it holds hundreds of
/// certificates, read from disk at first use, and no case changes it.
fn tls_context(cert_env: CertEnv, clock: Arc<dyn TimeProvider>) -> TlsContext {
    static PLATFORM: OnceLock<TlsContext> = OnceLock::new();
    if cert_env == CertEnv::default() {
        PLATFORM.get_or_init(|| TlsContext::new(clock.clone(), CertEnv::default())).with_clock(clock)
    } else {
        TlsContext::new(clock, cert_env)
    }
}

// ---------------------------------------------------------------------------------------------
// The surfaces, as the dispatch sees them

/// `%net` of one surface: the constructors, and starttls (which turns a tcp socket into an ssl
/// one). A blocking surface completes each future on its first poll.
pub trait Surface: 'static {
    type Tcp: DerefMut<Target: StreamOps> + 'static;
    type Ssl: DerefMut<Target: StreamOps> + Secure + 'static;
    type Listener: ListenerOps<Accepted = Self::Tcp> + 'static;
    type Udp: UdpOps + 'static;

    fn tcp(&self, host: &str, port: i64, timeout: TimeoutOpt) -> impl Future<Output = NetResult<Self::Tcp>>;
    fn ssl(
        &self,
        host: &str,
        port: i64,
        timeout: TimeoutOpt,
        options: &TlsOptions,
    ) -> impl Future<Output = NetResult<Self::Ssl>>;
    fn tcp_listen(&self, host: &str, port: i64) -> impl Future<Output = NetResult<Self::Listener>>;
    fn udp(&self) -> impl Future<Output = NetResult<Self::Udp>>;
    fn udp_peer(&self, host: &str, port: i64) -> impl Future<Output = NetResult<Self::Udp>>;
    fn udp_listen(&self, host: &str, port: i64) -> impl Future<Output = NetResult<Self::Udp>>;
    fn starttls(tcp: &mut Self::Tcp, options: TlsOptions) -> impl Future<Output = NetResult<Self::Ssl>>;
}

/// The stream surface of a tcp or ssl socket (SSL-SURFACE); its properties are its state's.
pub trait StreamOps {
    fn state(&mut self) -> &mut StreamState;
    fn send(&mut self, bytes: &[u8]) -> impl Future<Output = NetResult<usize>>;
    fn send_all(&mut self, bytes: &[u8]) -> impl Future<Output = NetResult<()>>;
    fn recv(&mut self, max_bytes: i64, opts: CallOpts) -> impl Future<Output = NetResult<Bytes>>;
    fn recv_line(&mut self, opts: CallOpts) -> impl Future<Output = NetResult<Bytes>>;
    fn recv_exact(&mut self, n: i64, opts: CallOpts) -> impl Future<Output = NetResult<Bytes>>;
    fn close(&mut self) -> impl Future<Output = ()>;
    fn shutdown(&mut self, direction: &str) -> impl Future<Output = NetResult<()>>;
}

/// The session of an ssl socket.
pub trait Secure {
    fn peer_cert(&self) -> NetResult<&PeerCert>;
    fn cipher(&self) -> &str;
    fn protocol(&self) -> &str;
}

/// A listener; its properties are its [`Listening`]'s.
pub trait ListenerOps {
    type Accepted;
    fn listening(&self) -> &Listening;
    fn accept(&self, opts: CallOpts) -> impl Future<Output = NetResult<Self::Accepted>>;
    fn close(&mut self);
}

/// A udp socket; its properties are its state's.
pub trait UdpOps {
    fn state(&mut self) -> &mut UdpState;
    fn send(&self, bytes: &[u8]) -> impl Future<Output = NetResult<usize>>;
    fn send_to(&self, bytes: &[u8], host: &str, port: i64) -> impl Future<Output = NetResult<usize>>;
    fn recv(&self, max_bytes: i64, opts: CallOpts) -> impl Future<Output = NetResult<Vec<u8>>>;
    fn recv_from(&self, max_bytes: i64, opts: CallOpts) -> impl Future<Output = NetResult<Datagram>>;
    fn close(&mut self);
}

impl<S: Deref<Target = StreamState>> Secure for SslSocket<S> {
    fn peer_cert(&self) -> NetResult<&PeerCert> {
        SslSocket::peer_cert(self)
    }
    fn cipher(&self) -> &str {
        SslSocket::cipher(self)
    }
    fn protocol(&self) -> &str {
        SslSocket::protocol(self)
    }
}

// The async surface.

impl<T: Transport> Surface for Net<T> {
    type Tcp = TcpSocket;
    type Ssl = SslSocket;
    type Listener = TcpListener<T>;
    type Udp = UdpSocket<T>;

    async fn tcp(&self, host: &str, port: i64, timeout: TimeoutOpt) -> NetResult<TcpSocket> {
        self.tcp_new(host, port, timeout).await
    }
    async fn ssl(
        &self,
        host: &str,
        port: i64,
        timeout: TimeoutOpt,
        options: &TlsOptions,
    ) -> NetResult<SslSocket> {
        Net::ssl(self, host, port, timeout, options).await
    }
    async fn tcp_listen(&self, host: &str, port: i64) -> NetResult<TcpListener<T>> {
        Net::tcp_listen(self, host, port).await
    }
    async fn udp(&self) -> NetResult<UdpSocket<T>> {
        Net::udp(self).await
    }
    async fn udp_peer(&self, host: &str, port: i64) -> NetResult<UdpSocket<T>> {
        Net::udp_peer(self, host, port).await
    }
    async fn udp_listen(&self, host: &str, port: i64) -> NetResult<UdpSocket<T>> {
        Net::udp_listen(self, host, port).await
    }
    async fn starttls(tcp: &mut TcpSocket, options: TlsOptions) -> NetResult<SslSocket> {
        tcp.starttls(options).await
    }
}

impl StreamOps for StreamSocket {
    fn state(&mut self) -> &mut StreamState {
        self
    }
    async fn send(&mut self, bytes: &[u8]) -> NetResult<usize> {
        StreamSocket::send(self, bytes).await
    }
    async fn send_all(&mut self, bytes: &[u8]) -> NetResult<()> {
        StreamSocket::send_all(self, bytes).await
    }
    async fn recv(&mut self, max_bytes: i64, opts: CallOpts) -> NetResult<Bytes> {
        StreamSocket::recv(self, max_bytes, opts).await
    }
    async fn recv_line(&mut self, opts: CallOpts) -> NetResult<Bytes> {
        StreamSocket::recv_line(self, opts).await
    }
    async fn recv_exact(&mut self, n: i64, opts: CallOpts) -> NetResult<Bytes> {
        StreamSocket::recv_exact(self, n, opts).await
    }
    async fn close(&mut self) {
        StreamSocket::close(self).await
    }
    async fn shutdown(&mut self, direction: &str) -> NetResult<()> {
        StreamSocket::shutdown(self, direction).await
    }
}

impl<T: Transport> ListenerOps for TcpListener<T> {
    type Accepted = TcpSocket;
    fn listening(&self) -> &Listening {
        self
    }
    async fn accept(&self, opts: CallOpts) -> NetResult<TcpSocket> {
        TcpListener::accept(self, opts).await
    }
    fn close(&mut self) {
        TcpListener::close(self)
    }
}

impl<T: Transport> UdpOps for UdpSocket<T> {
    fn state(&mut self) -> &mut UdpState {
        self
    }
    async fn send(&self, bytes: &[u8]) -> NetResult<usize> {
        UdpSocket::send(self, bytes).await
    }
    async fn send_to(&self, bytes: &[u8], host: &str, port: i64) -> NetResult<usize> {
        UdpSocket::send_to(self, bytes, host, port).await
    }
    async fn recv(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        UdpSocket::recv(self, max_bytes, opts).await
    }
    async fn recv_from(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Datagram> {
        UdpSocket::recv_from(self, max_bytes, opts).await
    }
    fn close(&mut self) {
        UdpSocket::close(self)
    }
}

// The blocking surface.

impl Surface for blocking::Net {
    type Tcp = blocking::TcpSocket;
    type Ssl = blocking::SslSocket;
    type Listener = blocking::TcpListener;
    type Udp = blocking::UdpSocket;

    async fn tcp(&self, host: &str, port: i64, timeout: TimeoutOpt) -> NetResult<blocking::TcpSocket> {
        self.tcp_new(host, port, timeout)
    }
    async fn ssl(
        &self,
        host: &str,
        port: i64,
        timeout: TimeoutOpt,
        options: &TlsOptions,
    ) -> NetResult<blocking::SslSocket> {
        blocking::Net::ssl(self, host, port, timeout, options)
    }
    async fn tcp_listen(&self, host: &str, port: i64) -> NetResult<blocking::TcpListener> {
        blocking::Net::tcp_listen(self, host, port)
    }
    async fn udp(&self) -> NetResult<blocking::UdpSocket> {
        blocking::Net::udp(self)
    }
    async fn udp_peer(&self, host: &str, port: i64) -> NetResult<blocking::UdpSocket> {
        blocking::Net::udp_peer(self, host, port)
    }
    async fn udp_listen(&self, host: &str, port: i64) -> NetResult<blocking::UdpSocket> {
        blocking::Net::udp_listen(self, host, port)
    }
    async fn starttls(tcp: &mut blocking::TcpSocket, options: TlsOptions) -> NetResult<blocking::SslSocket> {
        tcp.starttls(&options)
    }
}

impl<C: blocking::Channel> StreamOps for blocking::StreamSocket<C> {
    fn state(&mut self) -> &mut StreamState {
        self
    }
    async fn send(&mut self, bytes: &[u8]) -> NetResult<usize> {
        blocking::StreamSocket::send(self, bytes)
    }
    async fn send_all(&mut self, bytes: &[u8]) -> NetResult<()> {
        blocking::StreamSocket::send_all(self, bytes)
    }
    async fn recv(&mut self, max_bytes: i64, opts: CallOpts) -> NetResult<Bytes> {
        blocking::StreamSocket::recv(self, max_bytes, opts)
    }
    async fn recv_line(&mut self, opts: CallOpts) -> NetResult<Bytes> {
        blocking::StreamSocket::recv_line(self, opts)
    }
    async fn recv_exact(&mut self, n: i64, opts: CallOpts) -> NetResult<Bytes> {
        blocking::StreamSocket::recv_exact(self, n, opts)
    }
    async fn close(&mut self) {
        blocking::StreamSocket::close(self)
    }
    async fn shutdown(&mut self, direction: &str) -> NetResult<()> {
        blocking::StreamSocket::shutdown(self, direction)
    }
}

impl ListenerOps for blocking::TcpListener {
    type Accepted = blocking::TcpSocket;
    fn listening(&self) -> &Listening {
        self
    }
    async fn accept(&self, opts: CallOpts) -> NetResult<blocking::TcpSocket> {
        blocking::TcpListener::accept(self, opts)
    }
    fn close(&mut self) {
        blocking::TcpListener::close(self)
    }
}

impl UdpOps for blocking::UdpSocket {
    fn state(&mut self) -> &mut UdpState {
        self
    }
    async fn send(&self, bytes: &[u8]) -> NetResult<usize> {
        blocking::UdpSocket::send(self, bytes)
    }
    async fn send_to(&self, bytes: &[u8], host: &str, port: i64) -> NetResult<usize> {
        blocking::UdpSocket::send_to(self, bytes, host, port)
    }
    async fn recv(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Vec<u8>> {
        blocking::UdpSocket::recv(self, max_bytes, opts)
    }
    async fn recv_from(&self, max_bytes: i64, opts: CallOpts) -> NetResult<Datagram> {
        blocking::UdpSocket::recv_from(self, max_bytes, opts)
    }
    fn close(&mut self) {
        blocking::UdpSocket::close(self)
    }
}

// ---------------------------------------------------------------------------------------------
// The dispatch

/// What a handle names.
enum Object<N: Surface> {
    Tcp(N::Tcp),
    Ssl(N::Ssl),
    Listener(N::Listener),
    Udp(N::Udp),
}

/// One reference engine session: `%net` and its handles.
struct ReferenceEngine<N: Surface> {
    net: N,
    handles: HashMap<Handle, Object<N>>,
    next: Handle,
}

impl<N: Surface> Engine for ReferenceEngine<N> {
    fn call(&mut self, request: Request) -> LocalFuture<'_, Reply> {
        Box::pin(self.dispatch(request))
    }
}

impl<N: Surface> ReferenceEngine<N> {
    async fn dispatch(&mut self, request: Request) -> Reply {
        match request {
            Request::Tcp { host, port, timeout } => {
                let socket = self.net.tcp(&host, port, timeout_opt(timeout)).await.map_err(raised)?;
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
                let upgraded = N::starttls(socket, tls_options(&tls)).await.map_err(raised)?;
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
                socket.state().set_timeout(timeout).map_err(raised)?;
                Ok(Value::Nil)
            }
            (Request::Get { property, .. }, Object::Listener(listener)) => match property {
                Property::LocalHost => Ok(Value::Str(listener.listening().local_host())),
                Property::LocalPort => Ok(Value::Int(listener.listening().local_port().into())),
                other => Err(no_property(other, "a listener", "local_host and local_port")),
            },
            (Request::Get { property, .. }, Object::Udp(socket)) => {
                let state = socket.state();
                match property {
                    Property::LocalHost => Ok(Value::Str(state.local_host())),
                    Property::LocalPort => Ok(Value::Int(state.local_port().into())),
                    Property::Timeout => Ok(state.timeout().map_or(Value::Nil, Value::Float)),
                    other => Err(no_property(other, "a udp socket", "local_host, local_port and timeout")),
                }
            }
            (Request::Get { property: Property::PeerCert, .. }, Object::Ssl(socket)) => {
                Ok(Value::Cert(cert_value(socket.peer_cert().map_err(raised)?)))
            }
            (Request::Get { property: Property::Cipher, .. }, Object::Ssl(socket)) => {
                Ok(Value::Str(socket.cipher().into()))
            }
            (Request::Get { property: Property::Protocol, .. }, Object::Ssl(socket)) => {
                Ok(Value::Str(socket.protocol().into()))
            }
            (request, Object::Tcp(socket)) => stream_op(&mut **socket, request).await,
            (request, Object::Ssl(socket)) => stream_op(&mut **socket, request).await,
            _ => Err(wrong_kind(op, "a tcp or ssl socket")),
        }
    }

    fn insert(&mut self, object: Object<N>) -> Value {
        let handle = self.next;
        self.next += 1;
        self.handles.insert(handle, object);
        Value::Handle(handle)
    }

    fn object(&mut self, handle: Handle) -> Result<&mut Object<N>, Raised> {
        self.handles.get_mut(&handle).ok_or_else(|| Raised {
            class: "ArgumentError".into(),
            message: format!("argument handle: no socket has handle {handle}"),
            reason: None,
        })
    }
}

/// An operation of the stream surface, the same on tcp and ssl (SSL-SURFACE).
async fn stream_op(stream: &mut (impl StreamOps + ?Sized), request: Request) -> Reply {
    let nil = |outcome: Result<(), NetError>| outcome.map(|()| Value::Nil).map_err(raised);
    let bytes = |outcome: NetResult<Bytes>| outcome.map(|b| Value::Bytes(b.into())).map_err(raised);
    match request {
        Request::Send { bytes, .. } => int(stream.send(&bytes).await.map_err(raised)?),
        Request::SendAll { bytes, .. } => nil(stream.send_all(&bytes).await),
        Request::Recv { max_bytes, opts, .. } => bytes(stream.recv(max_bytes, call_opts(opts)).await),
        Request::RecvLine { opts, .. } => bytes(stream.recv_line(call_opts(opts)).await),
        Request::RecvExact { n, opts, .. } => bytes(stream.recv_exact(n, call_opts(opts)).await),
        Request::Close { .. } => {
            stream.close().await;
            Ok(Value::Nil)
        }
        Request::Shutdown { direction, .. } => nil(stream.shutdown(&direction).await),
        Request::SetTimeout { timeout, .. } => nil(stream.state().set_timeout(timeout)),
        Request::Get { property, .. } => {
            let state = stream.state();
            match property {
                Property::Host => Ok(Value::Str(state.host().into())),
                Property::Port => Ok(Value::Int(state.port().into())),
                Property::LocalHost => Ok(Value::Str(state.local_host())),
                Property::LocalPort => Ok(Value::Int(state.local_port().into())),
                Property::Connected => Ok(Value::Bool(state.is_connected())),
                Property::Timeout => Ok(state.timeout().map_or(Value::Nil, Value::Float)),
                other @ (Property::PeerCert | Property::Cipher | Property::Protocol) => Err(no_property(
                    other,
                    "a tcp socket",
                    "host, port, local_host, local_port, connected and timeout",
                )),
            }
        }
        other => Err(wrong_kind(other.op(), "a listener or udp socket")),
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

fn cert_value(cert: &PeerCert) -> CertValue {
    CertValue {
        subject: cert.subject.clone(),
        issuer: cert.issuer.clone(),
        fingerprint: cert.fingerprint.clone(),
        validfrom: cert.validfrom.clone(),
        validuntil: cert.validuntil.clone(),
        sans: cert.sans.clone(),
    }
}
