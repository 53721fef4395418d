//! `puck.uno/socket/ssl`: TLS over a stream socket, with rustls.
//!
//! [`TlsContext`] holds what every TLS socket of one engine shares (crypto provider, clock, the
//! system bundle's location); [`TlsOptions`] are the construction options of the spec;
//! [`SslSocket`] is the whole stream surface over TLS plus `peer_cert`, `cipher` and `protocol`.
//! Everything here but the async handshake is shared with the blocking surface.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::wait;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::time::Instant;

use crate::error::{
    CertificateReason, Endpoint, ErrorClass, NetError, NetResult, bundle_error_words, pem_error_words,
    tls_error_words,
};
use crate::peer_cert::PeerCert;
use crate::stream::StreamSocket;
use crate::stream_state::{Link, StreamState};
use crate::transport::{BoxedStream, ip_literal};

/// The construction options of an ssl socket (and of `starttls`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// SSL-OPT-VERIFY: verify the peer's certificate and name. Default true.
    pub verify: bool,
    /// SSL-OPT-CA-BUNDLE: a PEM bundle that replaces the system bundle (TLS-CA-REPLACES).
    pub ca_bundle: Option<PathBuf>,
    /// SSL-OPT-CLIENT-CERT: a PEM certificate chain for mutual TLS; needs `client_key`.
    pub client_cert: Option<PathBuf>,
    /// The PEM private key of `client_cert`.
    pub client_key: Option<PathBuf>,
    /// SSL-OPT-SNI: the name sent and verified; defaults to the connect host.
    pub sni: Option<String>,
    /// SSL-OPT-PROTOCOLS: the versions allowed; default `TLSv1.2` and `TLSv1.3`.
    pub protocols: Option<Vec<String>>,
}

impl Default for TlsOptions {
    /// SSL-DEFAULT-SAFE: verification on, against the system bundle, for the connect host.
    fn default() -> Self {
        Self {
            verify: true,
            ca_bundle: None,
            client_cert: None,
            client_key: None,
            sni: None,
            protocols: None,
        }
    }
}

/// Where the system bundle comes from: the `SSL_CERT_FILE` and `SSL_CERT_DIR` an engine sees
/// (TLS-SYSTEM-BUNDLE), or, with neither, the platform's store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertEnv {
    pub ssl_cert_file: Option<PathBuf>,
    /// Directories, colon-separated as in the variable.
    pub ssl_cert_dir: Option<String>,
}

impl CertEnv {
    /// The variables of this process.
    pub fn from_process() -> Self {
        Self {
            ssl_cert_file: std::env::var_os("SSL_CERT_FILE").map(PathBuf::from),
            ssl_cert_dir: std::env::var("SSL_CERT_DIR").ok(),
        }
    }

    /// The trusted roots, as OpenSSL finds them: `SSL_CERT_FILE` and every directory of
    /// `SSL_CERT_DIR` when either is set (entries that do not exist are skipped), else the
    /// platform's certificate directories. The process environment is never read here.
    fn load(&self) -> RootCertStore {
        let mut dirs: Vec<PathBuf> = self
            .ssl_cert_dir
            .iter()
            .flat_map(|d| d.split(':'))
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .collect();
        let file = self.ssl_cert_file.clone();
        if file.is_none() && dirs.is_empty() {
            dirs = openssl_probe::candidate_cert_dirs().map(Path::to_path_buf).collect();
        }
        let mut roots = RootCertStore::empty();
        let mut add = |file: Option<&Path>, dir: Option<&Path>| {
            roots.add_parsable_certificates(rustls_native_certs::load_certs_from_paths(file, dir).certs);
        };
        add(file.as_deref().filter(|f| f.is_file()), None);
        for dir in dirs.iter().filter(|dir| dir.is_dir()) {
            add(None, Some(dir));
        }
        roots
    }
}

/// What every TLS socket of one engine shares: the crypto provider, the clock certificates are
/// checked against, and where the system bundle comes from.
#[derive(Clone)]
pub struct TlsContext {
    provider: Arc<CryptoProvider>,
    clock: Arc<dyn rustls::time_provider::TimeProvider>,
    cert_env: CertEnv,
    /// The system bundle of `cert_env`, loaded on first use.
    system_roots: Arc<OnceLock<Arc<RootCertStore>>>,
}

impl fmt::Debug for TlsContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsContext").field("cert_env", &self.cert_env).finish_non_exhaustive()
    }
}

impl Default for TlsContext {
    /// The ring provider, the real clock and this process's `SSL_CERT_FILE` / `SSL_CERT_DIR`.
    fn default() -> Self {
        Self::new(Arc::new(rustls::time_provider::DefaultTimeProvider), CertEnv::from_process())
    }
}

impl TlsContext {
    pub fn new(clock: Arc<dyn rustls::time_provider::TimeProvider>, cert_env: CertEnv) -> Self {
        Self {
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            clock,
            cert_env,
            system_roots: Arc::default(),
        }
    }

    /// This context checking certificates against `clock`, sharing its system bundle (loaded
    /// once for both).
    pub fn with_clock(&self, clock: Arc<dyn rustls::time_provider::TimeProvider>) -> Self {
        Self { clock, ..self.clone() }
    }

    /// Validates `options` for a connection to `remote` and builds what the handshake needs.
    /// Every bad option is an ArgumentError naming it, raised before any I/O; so is a file that
    /// cannot be read or holds nothing usable (DEC-TLS-FILES).
    pub(crate) fn prepare(&self, options: &TlsOptions, remote: &Endpoint) -> NetResult<Prepared> {
        let server_name = server_name(options.sni.as_deref().unwrap_or(&remote.host), remote)?;
        Ok(Prepared { config: self.client_config(options, remote)?, server_name })
    }

    /// SSL-DEFAULT-SAFE, TLS-REJECT-ZOO: with `verify` on, rustls's WebPKI verifier checks the
    /// chain and name against the bundle; TLS-VERIFY-FALSE otherwise.
    fn client_config(&self, options: &TlsOptions, remote: &Endpoint) -> NetResult<Arc<ClientConfig>> {
        let versions = protocol_versions(options.protocols.as_deref())?;
        let client_pair = client_pair(options)?;
        let builder = ClientConfig::builder_with_details(self.provider.clone(), self.clock.clone())
            .with_protocol_versions(&versions)
            .map_err(|e| NetError::argument("protocols", tls_error_words(&e)))?;
        let builder = if options.verify {
            let roots = match &options.ca_bundle {
                Some(path) => Arc::new(load_bundle(path)?),
                None => self.system_roots.get_or_init(|| Arc::new(self.cert_env.load())).clone(),
            };
            if roots.is_empty() {
                return Err(NetError::certificate(
                    CertificateReason::UnknownIssuer,
                    format!(
                        "TLS handshake with {remote}: certificate rejected: the system CA bundle is \
                         empty, so no certificate can be trusted"
                    ),
                ));
            }
            let verifier = WebPkiServerVerifier::builder_with_provider(roots, self.provider.clone())
                .build()
                .map_err(|e| {
                    let why = bundle_error_words(&e);
                    NetError::new(
                        ErrorClass::TlsError,
                        format!("TLS handshake with {remote}: the CA bundle is unusable: {why}"),
                    )
                })?;
            builder.with_webpki_verifier(verifier)
        } else {
            builder.dangerous().with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(
                self.provider.signature_verification_algorithms,
            )))
        };
        let config = match client_pair {
            Some((chain, key)) => builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| NetError::argument(client_pair_culprit(&e), tls_error_words(&e)))?,
            None => builder.with_no_client_auth(),
        };
        Ok(Arc::new(config))
    }
}

/// A validated client configuration and the name it verifies.
pub(crate) struct Prepared {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
}

/// TLS-PROTOCOLS-VALID: only `TLSv1.2` and `TLSv1.3`, at least one.
fn protocol_versions(
    protocols: Option<&[String]>,
) -> NetResult<Vec<&'static rustls::SupportedProtocolVersion>> {
    let Some(names) = protocols else {
        return Ok(vec![&rustls::version::TLS13, &rustls::version::TLS12]);
    };
    if names.is_empty() {
        return Err(NetError::argument("protocols", "must name at least one of TLSv1.2, TLSv1.3"));
    }
    let mut versions = Vec::new();
    for name in names {
        let version = match name.as_str() {
            "TLSv1.2" => &rustls::version::TLS12,
            "TLSv1.3" => &rustls::version::TLS13,
            other => {
                return Err(NetError::argument(
                    "protocols",
                    format!("unsupported protocol {other:?}: only TLSv1.2 and TLSv1.3"),
                ));
            }
        };
        if !versions.contains(&version) {
            versions.push(version);
        }
    }
    Ok(versions)
}

/// TLS-CLIENT-PAIR: both `client_cert` and `client_key`, or neither.
fn client_pair(
    options: &TlsOptions,
) -> NetResult<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>> {
    match (&options.client_cert, &options.client_key) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(NetError::argument("client_key", "client_cert was given without client_key")),
        (None, Some(_)) => Err(NetError::argument("client_cert", "client_key was given without client_cert")),
        (Some(cert), Some(key)) => {
            let chain = read_certs("client_cert", cert)?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                NetError::argument("client_key", format!("{}: {}", key.display(), pem_error_words(&e)))
            })?;
            Ok(Some((chain, key)))
        }
    }
}

/// The option at fault when rustls refuses a client pair: `client_cert` when the certificate
/// itself cannot be read, `client_key` otherwise (a key it cannot use, or one that does not
/// match the certificate).
fn client_pair_culprit(error: &rustls::Error) -> &'static str {
    match error {
        rustls::Error::InvalidCertificate(_) => "client_cert",
        _ => "client_key",
    }
}

/// A `ca_bundle` file: a store holding exactly its certificates.
fn load_bundle(path: &Path) -> NetResult<RootCertStore> {
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(read_certs("ca_bundle", path)?);
    if added == 0 {
        return Err(NetError::argument("ca_bundle", format!("{}: no usable certificate", path.display())));
    }
    Ok(roots)
}

fn read_certs(argument: &str, path: &Path) -> NetResult<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| NetError::argument(argument, format!("{}: {}", path.display(), pem_error_words(&e))))?;
    if certs.is_empty() {
        return Err(NetError::argument(argument, format!("{}: no certificate in the file", path.display())));
    }
    Ok(certs)
}

/// TLS-VERIFY-FALSE: accepts every certificate chain and name, but still checks that the peer
/// holds the key of the certificate it presented.
#[derive(Debug)]
struct AcceptAnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// What the handshake negotiated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    peer_cert: Option<PeerCert>,
    cipher: String,
    protocol: String,
}

impl Session {
    /// The session of a connection whose handshake is complete.
    pub(crate) fn of(connection: &rustls::ClientConnection) -> Self {
        Self {
            peer_cert: connection
                .peer_certificates()
                .and_then(|chain| chain.first())
                .and_then(|der| PeerCert::from_der(der).ok()),
            cipher: connection
                .negotiated_cipher_suite()
                .map(|s| iana_cipher_name(s.suite()))
                .unwrap_or_default(),
            protocol: connection.protocol_version().map(protocol_name).unwrap_or_default(),
        }
    }
}

/// A TLS socket: the whole stream surface (`S`, through `Deref`: the async [`StreamSocket`] or
/// the blocking one) plus the negotiated session.
pub struct SslSocket<S = StreamSocket> {
    stream: S,
    session: Session,
}

impl<S> SslSocket<S> {
    pub(crate) fn new(stream: S, session: Session) -> Self {
        Self { stream, session }
    }
}

impl SslSocket {
    /// Runs the client handshake over `stream`, by `deadline`.
    pub(crate) async fn handshake(
        stream: BoxedStream,
        link: Link,
        prepared: Prepared,
        deadline: Option<Instant>,
    ) -> NetResult<SslSocket> {
        let connector = tokio_rustls::TlsConnector::from(prepared.config);
        let connect = connector.connect(prepared.server_name, stream);
        let tls = wait::until(deadline, || handshake_timed_out(&link), connect)
            .await?
            .map_err(|e| handshake_error(&e, &link.remote))?;
        let session = Session::of(tls.get_ref().1);
        Ok(SslSocket::new(StreamSocket::attach(Box::new(tls), link), session))
    }
}

impl<S: Deref<Target = StreamState>> SslSocket<S> {
    /// SSL-PEER-CERT: the peer's certificate (TLS-PEER-CERT-FORMAT).
    pub fn peer_cert(&self) -> NetResult<&PeerCert> {
        self.session.peer_cert.as_ref().ok_or_else(|| {
            NetError::new(
                ErrorClass::TlsError,
                format!("peer_cert of {}: the peer sent no certificate", self.stream.endpoint()),
            )
        })
    }

    /// SSL-CIPHER, TLS-CIPHER-NAME: the negotiated suite's IANA name.
    pub fn cipher(&self) -> &str {
        &self.session.cipher
    }

    /// SSL-PROTOCOL: `TLSv1.2` or `TLSv1.3`.
    pub fn protocol(&self) -> &str {
        &self.session.protocol
    }
}

impl<S> Deref for SslSocket<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.stream
    }
}

impl<S> DerefMut for SslSocket<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.stream
    }
}

/// TLS-SNI-NAME: the name both sent and verified; an IP literal is verified as an address and
/// sends no SNI.
fn server_name(name: &str, remote: &Endpoint) -> NetResult<ServerName<'static>> {
    if let Some(ip) = ip_literal(name) {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    let name = name.trim_end_matches('.').to_string();
    ServerName::try_from(name)
        .map_err(|e| NetError::argument("sni", format!("not a valid name for {remote}: {e}")))
}

/// TLS-CIPHER-NAME: rustls spells TLS 1.3 suites `TLS13_*`; IANA spells them `TLS_*`. A suite
/// rustls cannot name is its IANA number.
fn iana_cipher_name(suite: rustls::CipherSuite) -> String {
    let name = suite.as_str().map_or_else(|| format!("0x{:04X}", u16::from(suite)), str::to_string);
    match name.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => name,
    }
}

fn protocol_name(version: rustls::ProtocolVersion) -> String {
    match version {
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        other => format!("0x{:04X}", u16::from(other)),
    }
}

/// The message of a handshake that outlived the socket's timeout.
pub(crate) fn handshake_timed_out(link: &Link) -> String {
    format!("TLS handshake with {} timed out after {}s", link.remote, wait::seconds(link.timeout))
}

/// Maps a failed handshake (DEC-HANDSHAKE-BROKEN): a peer that hangs up mid-handshake is a
/// TlsError, a reset a ConnectionReset; everything else maps as any I/O failure does (what is
/// not TLS, an alert, an oversized record or message to TlsError, certificate failures to
/// CertificateError with a reason).
pub(crate) fn handshake_error(error: &std::io::Error, remote: &Endpoint) -> NetError {
    if error.kind() == std::io::ErrorKind::UnexpectedEof {
        return NetError::new(
            ErrorClass::TlsError,
            format!("TLS handshake with {remote}: the peer closed the connection"),
        );
    }
    NetError::from_io(error, "TLS handshake with", remote)
}
