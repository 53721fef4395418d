//! SSL-*, TLS-* and IO-STARTTLS-BUFFER: the ssl socket, tcp `starttls`, and the settled TLS
//! details, one clause group per file.
//!
//! Names: the zoo's `good` leaf holds DNS `localhost`, `server.example.test` and the IPs
//! 127.0.0.1 and ::1. In the real world the peers are at 127.0.0.1, which the leaf names, so
//! cases connect there without an sni (the IP literal is verified against the IP SANs); in the
//! sim world the peers are at `server`, which no certificate names, so cases give
//! `sni: "localhost"` (TLS-SNI-NAME: the sni is both sent and verified). [`good_args`] picks.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::catalog::Case;
use crate::contract::{CertValue, Feature, Handle, Property, Raised, Request, TlsArgs, Value};
use crate::peers::{Peer, PeerAddr, TlsPeer};
use crate::script::{
    CaseResult, Ctx, Failure, Plain, Script, expect, expect_eq, expect_names, expect_reason_in, quoted, show,
};
use crate::waits::Waits;
use crate::zoo::{REJECTIONS, Rejection};

mod algorithms;
mod ca_bundle;
mod cert_format;
mod client_cert;
mod client_cert_not_a_certificate;
mod close;
mod open_failures;
mod peer_cert;
mod protocols;
mod reject;
mod sni;
mod sni_sent;
mod starttls;
mod starttls_system_bundle;
mod surface;
mod verify_false;

pub(crate) const TLS: &[Feature] = &[Feature::Tcp, Feature::Tls];

/// The family, in catalog order.
pub const CASES: &[Case] = &[
    close::EOF_WITHOUT_CLOSE_NOTIFY,
    surface::OPEN_ECHO,
    surface::OPEN_PROPERTIES,
    surface::SEND_COUNT_AND_SEND_ALL,
    surface::RECV_FRAMING,
    surface::RECV_TIMEOUT_NOTHING_LOST,
    close::SHUTDOWN_SEND,
    close::SHUTDOWN_RECV_AND_BOTH,
    close::IDEMPOTENT,
    close::SENDS_CLOSE_NOTIFY,
    close::CLOSE_WAIT_IS_BOUNDED,
    close::SHUTDOWN_SEND_PEER_REPLIES_AFTER_END,
    starttls::UPGRADES,
    starttls::OLD_HANDLE_CLOSED,
    starttls::CLOSE_OLD_HANDLE,
    starttls::BAD_OPTIONS_KEEP_TCP,
    starttls::VERIFIES,
    starttls::BUFFERED_PLAINTEXT,
    starttls::BUFFER_DRAINED_THEN_UPGRADES,
    peer_cert::GOOD,
    peer_cert::WILDCARD,
    peer_cert::ESCAPED_SUBJECT,
    algorithms::ECDSA_P256,
    algorithms::RSA_2048,
    algorithms::ED25519,
    protocols::NEGOTIATED_DEFAULT_TLS13,
    protocols::NEGOTIATED_TLS12_ONLY_PEER,
    protocols::ONLY_TLS12,
    protocols::ONLY_TLS13,
    protocols::NO_COMMON_VERSION,
    protocols::INVALID_NAMES,
    protocols::INVALID_EMPTY,
    protocols::REPEATED,
    ca_bundle::OTHER_ROOT,
    ca_bundle::REPLACES_SYSTEM,
    ca_bundle::SEVERAL_ROOTS,
    ca_bundle::UNUSABLE,
    ca_bundle::DEFAULT_UNKNOWN_ROOT_REJECTED,
    ca_bundle::SYSTEM_BUNDLE_SSL_CERT_FILE,
    ca_bundle::SYSTEM_BUNDLE_SSL_CERT_DIR,
    starttls_system_bundle::SSL_CERT_FILE,
    client_cert::PAIR_ACCEPTED,
    client_cert::MISSING_TLS12,
    client_cert::MISSING_TLS13,
    client_cert::CERT_WITHOUT_KEY,
    client_cert::KEY_WITHOUT_CERT,
    client_cert::UNUSABLE,
    client_cert_not_a_certificate::NOT_A_CERTIFICATE,
    sni::ALTERNATE_NAME,
    sni::MISMATCH,
    sni::IP_LITERAL,
    sni::IP_HOST,
    sni::DEFAULT_IS_CONNECT_HOST,
    sni_sent::SENT,
    sni_sent::NAMES_WITHOUT_CASE,
    open_failures::HANDSHAKE_STALL,
    open_failures::PLAINTEXT_PEER,
    open_failures::REFUSED,
    open_failures::DENIED,
    open_failures::SNI_GRANTS_NOTHING,
    reject::EXPIRED,
    reject::NOT_YET_VALID,
    reject::WRONG_HOST,
    reject::SELF_SIGNED,
    reject::UNTRUSTED_ROOT,
    reject::MISSING_INTERMEDIATE,
    reject::DNS_ONLY_BY_IP,
    reject::IP_IN_DNS_SAN,
    reject::CN_WITHOUT_SAN,
    reject::WILDCARD_TOO_DEEP,
    reject::WILDCARD_APEX,
    reject::CA_AS_END_ENTITY,
    reject::END_ENTITY_AS_CA,
    reject::PATH_LENGTH_EXCEEDED,
    reject::NAME_CONSTRAINT_VIOLATION,
    reject::CLIENT_ONLY_EKU,
    reject::BAD_SIGNATURE,
    reject::UNSUPPORTED_ALGORITHM,
    reject::ALGORITHM_KEY_MISMATCH,
    reject::BAD_ENCODING,
    verify_false::EXPIRED,
    verify_false::NOT_YET_VALID,
    verify_false::WRONG_HOST,
    verify_false::SELF_SIGNED,
    verify_false::UNTRUSTED_ROOT,
    verify_false::MISSING_INTERMEDIATE,
    verify_false::DNS_ONLY_BY_IP,
    verify_false::IP_IN_DNS_SAN,
    verify_false::CN_WITHOUT_SAN,
    verify_false::WILDCARD_TOO_DEEP,
    verify_false::WILDCARD_APEX,
    verify_false::CA_AS_END_ENTITY,
    verify_false::END_ENTITY_AS_CA,
    verify_false::PATH_LENGTH_EXCEEDED,
    verify_false::NAME_CONSTRAINT_VIOLATION,
    verify_false::CLIENT_ONLY_EKU,
    verify_false::BAD_SIGNATURE,
    verify_false::UNSUPPORTED_ALGORITHM,
    verify_false::ALGORITHM_KEY_MISMATCH,
];

/// The IANA names of the TLS 1.3 suites.
const TLS13_SUITES: &[&str] =
    &["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

/// The sni that makes the good leaf match the peers' host: none in the real world (127.0.0.1 is
/// an IP SAN), `localhost` in sim (no certificate names `server`).
fn good_sni(ctx: &Ctx) -> Option<String> {
    ctx.peers.is_simulated().then(|| "localhost".to_string())
}

/// Options trusting only the zoo's root, with this sni.
fn trusting(ctx: &Ctx, sni: Option<&str>) -> TlsArgs {
    TlsArgs { ca_bundle: Some(ctx.cert("root-ca.pem")), sni: sni.map(str::to_string), ..TlsArgs::default() }
}

/// Options trusting only the zoo's root under which the good leaf matches the peers' host.
pub(crate) fn good_args(ctx: &Ctx) -> TlsArgs {
    TlsArgs { sni: good_sni(ctx), ..trusting(ctx, None) }
}

/// `args` restricted to these protocol names.
fn with_protocols(args: TlsArgs, protocols: &[&str]) -> TlsArgs {
    TlsArgs { protocols: Some(protocols.iter().map(|p| (*p).to_string()).collect()), ..args }
}

/// `ssl` to `peer` with `tls` and the default timeout.
pub(crate) fn ssl_to(peer: &PeerAddr, tls: TlsArgs) -> Request {
    Request::ssl(&peer.host, peer.port, tls)
}

/// Starts a TLS peer.
async fn tls_peer(ctx: &Ctx, peer: TlsPeer) -> PeerAddr {
    ctx.peers.tcp(Peer::Tls(peer)).await
}

/// Starts a TLS 1.2 + 1.3 peer presenting the good leaf.
pub(crate) async fn good_peer(ctx: &Ctx) -> PeerAddr {
    tls_peer(ctx, TlsPeer::new("good")).await
}

/// Opens an ssl socket to the good peer `peer` (trusting the zoo's root), which must succeed.
pub(crate) async fn open_good(ctx: &Ctx, engine: &mut Script, peer: &PeerAddr) -> Result<Handle, Failure> {
    engine.handle(ssl_to(peer, good_args(ctx))).await
}

/// Starts `peer`, and an engine allowed to reach the peers with an ssl socket open to it (trusting
/// the zoo's root): the engine, the socket and the peer's address.
async fn session(ctx: &Ctx, peer: TlsPeer) -> Result<(Script, Handle, PeerAddr), Failure> {
    let addr = tls_peer(ctx, peer).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(ctx, &mut engine, &addr).await?;
    Ok((engine, sock, addr))
}

/// Sends `line` and expects it back from recv_line.
async fn echoes_line(ctx: &Ctx, engine: &mut Script, sock: Handle, line: &[u8]) -> CaseResult {
    engine.send_all(sock, line).await?;
    let back = engine.bytes(Request::recv_line(sock, Waits::of(ctx).ok_opts())).await?;
    expect(back == line, || format!("the echoed line: expected {}, got {}", show(line), show(&back)))
}

/// A line round trip over `sock`.
pub(crate) async fn echoes(ctx: &Ctx, engine: &mut Script, sock: Handle) -> CaseResult {
    echoes_line(ctx, engine, sock, b"ping over tls\n").await
}

/// The exception of `request`, which must be exactly `class` (not a subclass of it).
pub(crate) async fn raises_exactly(
    engine: &mut Script,
    request: Request,
    class: &str,
) -> Result<Raised, Failure> {
    let raised = engine.raises(request, class).await?;
    expect(raised.class == class, || {
        format!("expected exactly {class}, got its subclass {}: {}", raised.class, raised.message)
    })?;
    Ok(raised)
}

/// `request` must raise CertificateError with `reason`, naming `peer`.
async fn rejected(engine: &mut Script, request: Request, peer: &PeerAddr, reason: &str) -> CaseResult {
    refused(engine, request, peer, "CertificateError", &[reason]).await
}

/// `request` must raise `class` (CertificateError or TlsError), naming `peer`; a CertificateError
/// must carry one of `reasons`.
async fn refused(
    engine: &mut Script,
    request: Request,
    peer: &PeerAddr,
    class: &str,
    reasons: &[&str],
) -> CaseResult {
    let raised = engine.raises(request, class).await?;
    if raised.class == "CertificateError" {
        expect_reason_in(&raised, reasons)?;
    }
    expect_names(&raised, &peer.host, peer.port)
}

/// A string property.
async fn get_str(engine: &mut Script, sock: Handle, property: Property) -> Result<String, Failure> {
    match engine.get(sock, property).await? {
        Value::Str(s) => Ok(s),
        other => Err(Failure::mismatch(property.name(), "a string", other)),
    }
}

/// `.peer_cert`.
async fn peer_cert(engine: &mut Script, sock: Handle) -> Result<CertValue, Failure> {
    match engine.get(sock, Property::PeerCert).await? {
        Value::Cert(cert) => Ok(cert),
        other => Err(Failure::mismatch(".peer_cert", "a certificate hash", other)),
    }
}

/// `.protocol` must be `expected`.
async fn expect_protocol(engine: &mut Script, sock: Handle, expected: &str) -> CaseResult {
    expect_eq(".protocol", get_str(engine, sock, Property::Protocol).await?.as_str(), expected)
}

/// `.cipher` must be one of `suites` (IANA names).
async fn expect_cipher_in(engine: &mut Script, sock: Handle, suites: &[&str]) -> CaseResult {
    let cipher = get_str(engine, sock, Property::Cipher).await?;
    expect(cipher.starts_with("TLS_") && !cipher.starts_with("TLS13_"), || {
        format!(".cipher: expected an IANA name (TLS_...), got {}", quoted(&cipher))
    })?;
    expect(suites.contains(&cipher.as_str()), || {
        format!(".cipher: expected one of {}, got {}", suites.plain(), quoted(&cipher))
    })
}

/// The DER of the first certificate of a PEM file.
fn first_der(path: &str) -> Result<Vec<u8>, Failure> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let pem = std::fs::read_to_string(path).map_err(|e| Failure::new(format!("read {path}: {e}")))?;
    let start =
        pem.find(BEGIN).ok_or_else(|| Failure::new(format!("{path}: no PEM certificate")))? + BEGIN.len();
    let len = pem[start..].find(END).ok_or_else(|| Failure::new(format!("{path}: unterminated PEM")))?;
    let text: String = pem[start..start + len].chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(text).map_err(|e| Failure::new(format!("{path}: bad base64: {e}")))
}

/// The lowercase hex SHA-256 of the DER of a zoo leaf's end-entity certificate, computed here.
fn leaf_fingerprint(ctx: &Ctx, leaf: &str) -> Result<String, Failure> {
    let der = first_der(&ctx.cert(&format!("{leaf}.chain.pem")))?;
    Ok(ring::digest::digest(&ring::digest::SHA256, &der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The entry of the TLS-REJECT-ZOO table named `name`.
fn rejection(name: &str) -> Result<&'static Rejection, Failure> {
    REJECTIONS
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| Failure::new(format!("no entry {} in the TLS-REJECT-ZOO table", quoted(name))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_zoo_entry_has_its_two_cases() {
        for entry in REJECTIONS {
            for family in ["tls.reject.", "tls.verify_false."] {
                let id = format!("{family}{}", entry.name);
                assert!(CASES.iter().any(|c| c.id == id), "no case {id}");
            }
        }
        let zoo_cases = CASES.iter().filter(|c| c.id.starts_with("tls.reject.")).count();
        assert_eq!(zoo_cases, REJECTIONS.len(), "a tls.reject case for an entry that is not in the table");
    }

    #[test]
    fn ids_are_unique_and_named_tls() {
        let mut ids: Vec<_> = CASES.iter().map(|c| c.id).collect();
        assert!(ids.iter().all(|id| id.starts_with("tls.")));
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "duplicate case IDs");
    }
}
