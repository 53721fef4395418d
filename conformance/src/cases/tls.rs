//! SSL-*, TLS-* and IO-STARTTLS-BUFFER: the ssl socket, tcp `starttls`, and the settled TLS
//! details.
//!
//! Names: the zoo's `good` leaf holds DNS `localhost`, `server.example.test` and the IPs
//! 127.0.0.1 and ::1. In the real world the peers are at 127.0.0.1, which the leaf names, so
//! cases connect there without an sni (the IP literal is verified against the IP SANs); in the
//! sim world the peers are at `server`, which no certificate names, so cases give
//! `sni: "localhost"` (TLS-SNI-NAME: the sni is both sent and verified). [`good_args`] picks.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::tcp::expect_fresh_properties;
use crate::case;
use crate::catalog::{Case, Worlds};
use crate::contract::{
    CallOpts, CertValue, Feature, Handle, Property, Raised, Request, Session, TlsArgs, Value, Wait,
    class_is_a,
};
use crate::peers::{Peer, PeerAddr, Step, TlsPeer};
use crate::script::{CaseResult, Ctx, Failure, Script, expect, expect_eq, expect_mentions, show};
use crate::zoo::{REJECTIONS, Rejection};

const TLS: &[Feature] = &[Feature::Tcp, Feature::Tls];

pub const CASES: &[Case] = &[
    case!(
        "tls.eof.without_close_notify",
        ["SSL-SURFACE", "IO-EOF", "IO-LINE-EOF"],
        Should,
        TLS,
        Worlds::Both,
        "a TLS peer that closes without close_notify has ended the stream: recv returns \"\" and recv_line raises EndOfStream (D11)",
        eof_without_close_notify
    ),
    // -----------------------------------------------------------------------------------------
    // SSL-OPEN, SSL-SURFACE
    case!(
        "tls.open.echo",
        ["SSL-OPEN", "SSL-OPT-CA-BUNDLE"],
        Must,
        TLS,
        Worlds::Both,
        "ssl to the good server trusting the zoo's root connects; a line sent comes back unchanged over TLS",
        open_echo
    ),
    case!(
        "tls.open.properties",
        ["SSL-SURFACE", "IO-TIMEOUT-DEFAULT", "TCP-PROP-TIMEOUT"],
        Must,
        TLS,
        Worlds::Both,
        "an ssl socket reports .host as named, .port, an IP .local_host, a .local_port, connected? true, \
         timeout 30 (settable); opened with timeout: 7 its .timeout is 7",
        open_properties
    ),
    case!(
        "tls.send.count_and_send_all",
        ["SSL-SURFACE", "TCP-SEND", "TCP-SEND-ALL"],
        Must,
        TLS,
        Worlds::Both,
        "over TLS send returns 1..n bytes written and exactly those echo back; send_all of 40000 bytes \
         (several TLS records) returns nil and all of them echo back in order",
        send_count_and_send_all
    ),
    case!(
        "tls.recv.framing",
        ["SSL-SURFACE", "TCP-RECV", "TCP-RECV-LINE", "TCP-RECV-EXACT", "IO-EXACT-ZERO"],
        Must,
        TLS,
        Worlds::Both,
        "over TLS recv_line returns lines with their \\r\\n or \\n, recv(4) returns 1..4 bytes, recv_exact \
         returns exactly n bytes across writes, recv_exact(0) returns \"\"",
        recv_framing
    ),
    case!(
        "tls.recv.timeout_nothing_lost",
        ["SSL-SURFACE", "IO-NOTHING-LOST", "IO-TIMEOUT-DEFAULT"],
        Must,
        TLS,
        Worlds::Both,
        "over TLS a recv that times out raises Timeout naming host:port; a recv_line timing out on a partial \
         line loses nothing: once the newline comes it returns \"partial\\n\"",
        recv_timeout_nothing_lost
    ),
    case!(
        "tls.shutdown.send",
        ["SSL-SURFACE", "TCP-SHUTDOWN", "IO-SHUTDOWN-READ", "IO-EOF", "IO-LINE-EOF"],
        Must,
        TLS,
        Worlds::Both,
        "after shutdown(:send) on TLS the echo peer reads the end and ends its side: recv still returns \
         \"tail\", then \"\" (twice); recv_line raises EndOfStream",
        shutdown_send
    ),
    case!(
        "tls.shutdown.recv_and_both",
        ["SSL-SURFACE", "TCP-SHUTDOWN", "IO-SHUTDOWN-READ"],
        Must,
        TLS,
        Worlds::Both,
        "on TLS, after shutdown(:recv) recv returns \"\" and send_all still works; after shutdown(:both) recv \
         returns \"\"; shutdown(:sideways) raises ArgumentError",
        shutdown_recv_and_both
    ),
    case!(
        "tls.close.idempotent",
        ["SSL-SURFACE", "TCP-CLOSE", "IO-CLOSE-IDEMPOTENT", "TCP-PROP-CONNECTED"],
        Must,
        TLS,
        Worlds::Both,
        "closing an ssl socket twice returns nil both times; connected? is then false and send, send_all, \
         recv, recv_line raise Closed (send's message naming host:port)",
        close_idempotent
    ),
    // -----------------------------------------------------------------------------------------
    // SSL-UPGRADE, TCP-STARTTLS, IO-STARTTLS-BUFFER
    case!(
        "tls.starttls.upgrades",
        ["SSL-UPGRADE", "TCP-STARTTLS", "SSL-PROTOCOL", "SSL-PEER-CERT"],
        Must,
        TLS,
        Worlds::Both,
        "after a plaintext STARTTLS exchange, starttls returns a new ssl handle with the same host and port, \
         TLSv1.3, the good leaf as peer_cert, that echoes",
        starttls_upgrades
    ),
    case!(
        "tls.starttls.old_handle_closed",
        ["SSL-UPGRADE", "TCP-STARTTLS", "TCP-PROP-CONNECTED"],
        Must,
        TLS,
        Worlds::Both,
        "after starttls the tcp handle reports connected? false and send, send_all, recv, recv_line, \
         recv_exact, shutdown and starttls on it raise Closed (send's naming host:port)",
        starttls_old_handle_closed
    ),
    case!(
        "tls.starttls.close_old_handle",
        ["SSL-UPGRADE", "TCP-STARTTLS", "IO-CLOSE-IDEMPOTENT"],
        Must,
        TLS,
        Worlds::Both,
        "closing the old tcp handle (twice) after starttls returns nil and leaves the ssl socket connected \
         and echoing",
        starttls_close_old_handle
    ),
    case!(
        "tls.starttls.bad_options_keep_tcp",
        ["TCP-STARTTLS", "TLS-PROTOCOLS-VALID"],
        Must,
        TLS,
        Worlds::Both,
        "starttls with protocols [] raises ArgumentError naming protocols and does not consume the tcp \
         socket: it stays connected and a correct starttls then upgrades it",
        starttls_bad_options_keep_tcp
    ),
    case!(
        "tls.starttls.verifies",
        ["TCP-STARTTLS", "SSL-OPT-VERIFY", "SSL-OPT-CA-BUNDLE"],
        Must,
        TLS,
        Worlds::Both,
        "starttls verifies like ssl: with a ca_bundle of the other root it raises CertificateError \
         unknown_issuer; with sni other.example.org, CertificateError name_mismatch",
        starttls_verifies
    ),
    case!(
        "tls.starttls.buffered_plaintext",
        ["IO-STARTTLS-BUFFER", "TCP-STARTTLS"],
        Must,
        TLS,
        Worlds::Both,
        "a reply \"220 go\\r\\nINJECTED\" in one write: after recv_line, starttls raises TlsError (not \
         CertificateError) naming host:port, the tcp socket stays connected and recv_exact(8) returns INJECTED",
        starttls_buffered_plaintext
    ),
    case!(
        "tls.starttls.buffer_drained_then_upgrades",
        ["IO-STARTTLS-BUFFER", "TCP-STARTTLS", "SSL-UPGRADE"],
        Must,
        TLS,
        Worlds::Both,
        "after the refused starttls and reading the injected bytes, starttls on the same tcp socket succeeds \
         and the ssl socket echoes",
        starttls_buffer_drained_then_upgrades
    ),
    // -----------------------------------------------------------------------------------------
    // SSL-PEER-CERT, TLS-PEER-CERT-FORMAT
    case!(
        "tls.peer_cert.good",
        ["SSL-PEER-CERT", "TLS-PEER-CERT-FORMAT"],
        Must,
        TLS,
        Worlds::Both,
        "peer_cert of the good leaf: subject \"O=Caspian Conformance,CN=caspian-good\", issuer \"O=Caspian \
         Conformance,CN=Caspian Test Intermediate CA\", lowercase hex SHA-256 of the DER, validfrom \
         2025-01-01T00:00:00Z, validuntil 2036-01-01T00:00:00Z, sans [localhost, server.example.test, \
         127.0.0.1, ::1]; reading it twice gives the same and the session still echoes",
        peer_cert_good
    ),
    case!(
        "tls.peer_cert.wildcard",
        ["SSL-PEER-CERT", "TLS-PEER-CERT-FORMAT", "SSL-OPT-SNI"],
        Must,
        TLS,
        Worlds::Both,
        "peer_cert of the wildcard leaf (sni a.example.test): subject \"O=Caspian Conformance,\
         CN=caspian-wildcard\", its fingerprint, and sans exactly [\"*.example.test\"] as written",
        peer_cert_wildcard
    ),
    // -----------------------------------------------------------------------------------------
    // SSL-CIPHER, SSL-PROTOCOL, SSL-OPT-PROTOCOLS, TLS-CIPHER-NAME, TLS-PROTOCOLS-VALID
    case!(
        "tls.negotiated.default_tls13",
        ["SSL-PROTOCOL", "SSL-CIPHER", "TLS-CIPHER-NAME", "SSL-OPT-PROTOCOLS"],
        Must,
        TLS,
        Worlds::Both,
        "with default protocols against a 1.2+1.3 server: protocol \"TLSv1.3\", cipher one of the TLS 1.3 \
         suites by IANA name (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256)",
        negotiated_default_tls13
    ),
    case!(
        "tls.negotiated.tls12_only_peer",
        ["SSL-PROTOCOL", "SSL-CIPHER", "TLS-CIPHER-NAME", "SSL-OPT-PROTOCOLS"],
        Must,
        TLS,
        Worlds::Both,
        "default protocols include TLS 1.2: a 1.2-only server is reached with protocol \"TLSv1.2\" and a \
         TLS_ECDHE_ECDSA_WITH_* IANA cipher name, and echoes",
        negotiated_tls12_only_peer
    ),
    case!(
        "tls.protocols.only_tls12",
        ["SSL-OPT-PROTOCOLS", "SSL-PROTOCOL", "TLS-CIPHER-NAME"],
        Must,
        TLS,
        Worlds::Both,
        "protocols [\"TLSv1.2\"] against a 1.2+1.3 server negotiates \"TLSv1.2\" with a TLS 1.2 IANA cipher \
         name, and echoes",
        protocols_only_tls12
    ),
    case!(
        "tls.protocols.only_tls13",
        ["SSL-OPT-PROTOCOLS", "SSL-PROTOCOL"],
        Must,
        TLS,
        Worlds::Both,
        "protocols [\"TLSv1.3\"] negotiates \"TLSv1.3\"; [\"TLSv1.3\", \"TLSv1.2\"] reaches a 1.2-only \
         server with \"TLSv1.2\"",
        protocols_only_tls13
    ),
    case!(
        "tls.protocols.no_common_version",
        ["SSL-OPT-PROTOCOLS", "TLS-PROTOCOLS-VALID"],
        Must,
        TLS,
        Worlds::Both,
        "protocols [\"TLSv1.3\"] against a 1.2-only server raises TlsError (not CertificateError) naming \
         host:port",
        protocols_no_common_version
    ),
    case!(
        "tls.protocols.invalid_names",
        ["TLS-PROTOCOLS-VALID", "SSL-OPT-PROTOCOLS"],
        Must,
        TLS,
        Worlds::Both,
        "protocols [TLSv1.1], [SSLv3], [TLSv1.0], [tlsv1.3], [TLSv1.3, TLSv1.1] each raise ArgumentError \
         naming protocols, before any I/O: to a closed port, not ConnectionRefused",
        protocols_invalid_names
    ),
    case!(
        "tls.protocols.invalid_empty",
        ["TLS-PROTOCOLS-VALID", "SSL-OPT-PROTOCOLS"],
        Must,
        TLS,
        Worlds::Both,
        "protocols [] raises ArgumentError naming protocols before any I/O (to a closed port: not \
         ConnectionRefused) and against the good server (no connection made)",
        protocols_invalid_empty
    ),
    case!(
        "tls.protocols.repeated",
        ["SSL-OPT-PROTOCOLS", "TLS-PROTOCOLS-VALID"],
        Should,
        TLS,
        Worlds::Both,
        "D12: protocols [\"TLSv1.3\", \"TLSv1.3\"] is valid and negotiates \"TLSv1.3\"",
        protocols_repeated
    ),
    // -----------------------------------------------------------------------------------------
    // SSL-OPT-CA-BUNDLE, TLS-CA-REPLACES, SSL-DEFAULT-SAFE, TLS-SYSTEM-BUNDLE
    case!(
        "tls.ca_bundle.other_root",
        ["SSL-OPT-CA-BUNDLE", "TLS-CA-REPLACES", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "with ca_bundle other-root-ca.pem the good server is refused: CertificateError unknown_issuer naming \
         host:port",
        ca_bundle_other_root
    ),
    case!(
        "tls.ca_bundle.replaces_system",
        ["TLS-CA-REPLACES", "SSL-OPT-CA-BUNDLE", "TLS-SYSTEM-BUNDLE"],
        Must,
        TLS,
        Worlds::Both,
        "with SSL_CERT_FILE = root-ca.pem the good server is accepted with default options, yet a ca_bundle \
         of other-root-ca.pem replaces that bundle: CertificateError unknown_issuer",
        ca_bundle_replaces_system
    ),
    case!(
        "tls.ca_bundle.several_roots",
        ["SSL-OPT-CA-BUNDLE"],
        Must,
        TLS,
        Worlds::Both,
        "a ca_bundle file holding the other root then the zoo's root trusts both: the good server is \
         accepted and echoes",
        ca_bundle_several_roots
    ),
    case!(
        "tls.ca_bundle.unusable",
        ["SSL-OPT-CA-BUNDLE"],
        Should,
        TLS,
        Worlds::Both,
        "D12: a ca_bundle that does not exist, or holds no certificate (a key file, index.txt), raises \
         ArgumentError naming ca_bundle, before any I/O (to a closed port: not ConnectionRefused)",
        ca_bundle_unusable
    ),
    case!(
        "tls.default.unknown_root_rejected",
        ["SSL-DEFAULT-SAFE", "SSL-OPT-VERIFY", "SSL-OPT-CA-BUNDLE"],
        Must,
        TLS,
        Worlds::Both,
        "with default options and no SSL_CERT_FILE / SSL_CERT_DIR the good server (zoo root not in the \
         platform bundle) is refused: CertificateError unknown_issuer naming host:port",
        default_unknown_root_rejected
    ),
    case!(
        "tls.system_bundle.ssl_cert_file",
        ["TLS-SYSTEM-BUNDLE", "SSL-DEFAULT-SAFE"],
        Must,
        TLS,
        Worlds::Both,
        "SSL_CERT_FILE = root-ca.pem: default options accept the good server and echo; SSL_CERT_FILE = \
         other-root-ca.pem: CertificateError unknown_issuer",
        system_bundle_ssl_cert_file
    ),
    case!(
        "tls.system_bundle.ssl_cert_dir",
        ["TLS-SYSTEM-BUNDLE"],
        Must,
        TLS,
        Worlds::Both,
        "SSL_CERT_DIR naming a folder holding the zoo's root under its OpenSSL hash name (c3c21822.0) \
         accepts the good server; as the second entry of a colon-separated list too",
        system_bundle_ssl_cert_dir
    ),
    // -----------------------------------------------------------------------------------------
    // SSL-OPT-CLIENT-CERT, TLS-CLIENT-PAIR
    case!(
        "tls.client_cert.pair_accepted",
        ["SSL-OPT-CLIENT-CERT"],
        Must,
        TLS,
        Worlds::Both,
        "a server requiring a client certificate accepts the client pair over TLSv1.2 and TLSv1.3 (protocol \
         as asked) and echoes",
        client_cert_pair_accepted
    ),
    case!(
        "tls.client_cert.missing_tls12",
        ["SSL-OPT-CLIENT-CERT"],
        Must,
        TLS,
        Worlds::Both,
        "without a client certificate, over TLSv1.2, the server's refusal raises TlsError from ssl itself \
         (in the handshake), naming host:port",
        client_cert_missing_tls12
    ),
    case!(
        "tls.client_cert.missing_tls13",
        ["SSL-OPT-CLIENT-CERT"],
        Must,
        TLS,
        Worlds::Both,
        "without a client certificate, over TLSv1.3, the server's refusal raises TlsError (from ssl or from \
         the first recv_line), naming host:port, never a line nor ConnectionReset",
        client_cert_missing_tls13
    ),
    case!(
        "tls.client_cert.cert_without_key",
        ["TLS-CLIENT-PAIR", "SSL-OPT-CLIENT-CERT"],
        Must,
        TLS,
        Worlds::Both,
        "client_cert without client_key raises ArgumentError naming client_key, before any I/O (to a closed \
         port: not ConnectionRefused)",
        client_cert_without_key
    ),
    case!(
        "tls.client_cert.key_without_cert",
        ["TLS-CLIENT-PAIR", "SSL-OPT-CLIENT-CERT"],
        Must,
        TLS,
        Worlds::Both,
        "client_key without client_cert raises ArgumentError naming client_cert, before any I/O (to a closed \
         port: not ConnectionRefused)",
        client_key_without_cert
    ),
    case!(
        "tls.client_cert.unusable",
        ["TLS-CLIENT-PAIR", "SSL-OPT-CLIENT-CERT"],
        Should,
        TLS,
        Worlds::Both,
        "D12: a client_cert file that does not exist raises ArgumentError naming client_cert; a missing \
         client_key file, or a key that is not the certificate's, ArgumentError naming client_key; before \
         any I/O",
        client_cert_unusable
    ),
    // -----------------------------------------------------------------------------------------
    // SSL-OPT-SNI, TLS-SNI-NAME
    case!(
        "tls.sni.alternate_name",
        ["SSL-OPT-SNI", "TLS-SNI-NAME"],
        Must,
        TLS,
        Worlds::Both,
        "sni server.example.test (a SAN of the good leaf) is accepted, .host stays the connect host, and the \
         socket echoes",
        sni_alternate_name
    ),
    case!(
        "tls.sni.mismatch",
        ["SSL-OPT-SNI", "TLS-SNI-NAME"],
        Must,
        TLS,
        Worlds::Both,
        "sni other.example.org (in no SAN of the good leaf) is refused: CertificateError name_mismatch naming \
         host:port",
        sni_mismatch
    ),
    case!(
        "tls.sni.ip_literal",
        ["SSL-OPT-SNI", "TLS-SNI-NAME"],
        Must,
        TLS,
        Worlds::Both,
        "an IP-literal sni is verified against the IP SANs: 127.0.0.1 and ::1 are accepted by the good leaf",
        sni_ip_literal
    ),
    case!(
        "tls.sni.ip_host",
        ["SSL-OPT-SNI", "TLS-SNI-NAME"],
        Must,
        TLS,
        Worlds::RealOnly("the simulated peers are reached by name only; no certificate holds their address"),
        "connecting to 127.0.0.1 without sni verifies the IP SANs: the good leaf is accepted and echoes, the \
         DNS-only leaf is refused with CertificateError name_mismatch",
        sni_ip_host
    ),
    case!(
        "tls.sni.default_is_connect_host",
        ["SSL-OPT-SNI", "TLS-SNI-NAME"],
        Must,
        TLS,
        Worlds::Both,
        "without sni the connect host is the verified name: sim `server` on the good leaf gives \
         CertificateError name_mismatch; real `localhost` is accepted by the good leaf and refused \
         (name_mismatch) by the wrong_host leaf",
        sni_default_is_connect_host
    ),
    // -----------------------------------------------------------------------------------------
    // Handshake and connection failures
    case!(
        "tls.open.handshake_stall",
        ["SSL-OPEN", "IO-TIMEOUT-DEFAULT"],
        Must,
        TLS,
        Worlds::Both,
        "a server that accepts and never answers the ClientHello: ssl with timeout 0.5 s (5 s in sim) raises \
         Timeout naming host:port, not before the timeout",
        open_handshake_stall
    ),
    case!(
        "tls.open.plaintext_peer",
        ["SSL-OPEN"],
        Must,
        TLS,
        Worlds::Both,
        "ssl to a plaintext echo peer, and to one sending an SMTP banner, raises TlsError (not \
         CertificateError) naming host:port",
        open_plaintext_peer
    ),
    case!(
        "tls.open.refused",
        ["SSL-OPEN", "TCP-OPEN-REFUSED"],
        Must,
        TLS,
        Worlds::Both,
        "ssl to a port where nothing listens raises ConnectionRefused (not TlsError) naming host:port",
        open_refused
    ),
    case!(
        "tls.open.denied",
        ["SSL-OPEN", "PERM-DEFAULT-DENY", "PERM-BEFORE-IO", "PERM-ERROR"],
        Must,
        TLS,
        Worlds::Both,
        "without --allow-net, ssl raises PermissionDenied naming host:port, before any I/O (to a closed port: \
         not ConnectionRefused; to the good server: no handshake)",
        open_denied
    ),
    case!(
        "tls.open.sni_grants_nothing",
        ["SSL-OPEN", "SSL-OPT-SNI", "PERM-LITERAL", "PERM-ERROR"],
        Must,
        TLS,
        Worlds::Both,
        "--allow-net=localhost does not let ssl reach the peers' host with sni localhost: PermissionDenied \
         naming the connect host and port (permissions check the connect host, not the sni)",
        open_sni_grants_nothing
    ),
    // -----------------------------------------------------------------------------------------
    // SSL-OPT-VERIFY, TLS-REJECT-ZOO: one case per entry of crate::zoo::REJECTIONS
    case!(
        "tls.reject.expired",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "the expired leaf (2020-01-01..2021-01-01) is refused: CertificateError, reason expired, naming host:port",
        expired::rejected
    ),
    case!(
        "tls.reject.not_yet_valid",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "the not-yet-valid leaf (2040..2050) is refused: CertificateError, reason not_yet_valid, naming \
         host:port",
        not_yet_valid::rejected
    ),
    case!(
        "tls.reject.wrong_host",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY", "TLS-SNI-NAME"],
        Must,
        TLS,
        Worlds::Both,
        "a leaf for other.example.org only, reached as localhost, is refused: CertificateError, reason \
         name_mismatch, naming host:port",
        wrong_host::rejected
    ),
    case!(
        "tls.reject.self_signed",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "a self-signed leaf is refused: CertificateError, reason unknown_issuer, naming host:port",
        self_signed::rejected
    ),
    case!(
        "tls.reject.untrusted_root",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "a leaf for the good names under an untrusted root is refused: CertificateError, reason \
         unknown_issuer, naming host:port",
        untrusted_root::rejected
    ),
    case!(
        "tls.reject.missing_intermediate",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "a leaf sent without its intermediate is refused: CertificateError, reason unknown_issuer, naming \
         host:port",
        missing_intermediate::rejected
    ),
    case!(
        "tls.reject.dns_only_by_ip",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY", "TLS-SNI-NAME"],
        Must,
        TLS,
        Worlds::Both,
        "a leaf with only DNS localhost, verified as 127.0.0.1, is refused: CertificateError, reason \
         name_mismatch, naming host:port",
        dns_only_by_ip::rejected
    ),
    case!(
        "tls.reject.cn_without_san",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "a leaf with CN=localhost and no subjectAltName is refused: CertificateError, reason name_mismatch, \
         naming host:port",
        cn_without_san::rejected
    ),
    case!(
        "tls.reject.wildcard_too_deep",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY", "TLS-SNI-NAME"],
        Must,
        TLS,
        Worlds::Both,
        "*.example.test verified as a.b.example.test is refused: CertificateError, reason name_mismatch, \
         naming host:port",
        wildcard_too_deep::rejected
    ),
    case!(
        "tls.reject.wildcard_apex",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY", "TLS-SNI-NAME"],
        Must,
        TLS,
        Worlds::Both,
        "*.example.test verified as example.test is refused: CertificateError, reason name_mismatch, naming \
         host:port",
        wildcard_apex::rejected
    ),
    case!(
        "tls.reject.ca_as_end_entity",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "a CA:true certificate for the good names used as the server's leaf is refused: CertificateError, \
         reason bad_usage, naming host:port",
        ca_as_end_entity::rejected
    ),
    case!(
        "tls.reject.end_entity_as_ca",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "a leaf issued by a CA:false certificate is refused: CertificateError, reason bad_usage, naming \
         host:port",
        end_entity_as_ca::rejected
    ),
    case!(
        "tls.reject.path_length_exceeded",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "a leaf below a sub-intermediate of the pathlen-0 intermediate is refused: CertificateError, reason \
         path_length, naming host:port",
        path_length_exceeded::rejected
    ),
    case!(
        "tls.reject.name_constraint_violation",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "a leaf for localhost under an intermediate permitted only allowed.test is refused: CertificateError, \
         reason name_constraint, naming host:port",
        name_constraint_violation::rejected
    ),
    case!(
        "tls.reject.client_only_eku",
        ["TLS-REJECT-ZOO", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "a server leaf whose EKU is clientAuth only is refused: CertificateError, reason bad_usage, naming \
         host:port",
        client_only_eku::rejected
    ),
    // -----------------------------------------------------------------------------------------
    // TLS-VERIFY-FALSE: one case per entry of crate::zoo::REJECTIONS
    case!(
        "tls.verify_false.expired",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the expired leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, peer_cert's \
         fingerprint is the leaf's",
        expired::verify_false
    ),
    case!(
        "tls.verify_false.not_yet_valid",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the not-yet-valid leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
         peer_cert's fingerprint is the leaf's",
        not_yet_valid::verify_false
    ),
    case!(
        "tls.verify_false.wrong_host",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the wrong-host leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, peer_cert's \
         fingerprint is the leaf's",
        wrong_host::verify_false
    ),
    case!(
        "tls.verify_false.self_signed",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the self-signed leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, peer_cert's \
         fingerprint is the leaf's",
        self_signed::verify_false
    ),
    case!(
        "tls.verify_false.untrusted_root",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the leaf under an untrusted root: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
         peer_cert's fingerprint is the leaf's",
        untrusted_root::verify_false
    ),
    case!(
        "tls.verify_false.missing_intermediate",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the leaf sent without its intermediate: TLSv1.3 with a TLS 1.3 suite, a line \
         echoes, peer_cert's fingerprint is the leaf's",
        missing_intermediate::verify_false
    ),
    case!(
        "tls.verify_false.dns_only_by_ip",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the DNS-only leaf verified as 127.0.0.1: TLSv1.3 with a TLS 1.3 suite, a line \
         echoes, peer_cert's fingerprint is the leaf's",
        dns_only_by_ip::verify_false
    ),
    case!(
        "tls.verify_false.cn_without_san",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the CN-only leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, peer_cert's \
         fingerprint is the leaf's",
        cn_without_san::verify_false
    ),
    case!(
        "tls.verify_false.wildcard_too_deep",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts *.example.test as a.b.example.test: TLSv1.3 with a TLS 1.3 suite, a line \
         echoes, peer_cert's fingerprint is the leaf's",
        wildcard_too_deep::verify_false
    ),
    case!(
        "tls.verify_false.wildcard_apex",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts *.example.test as example.test: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
         peer_cert's fingerprint is the leaf's",
        wildcard_apex::verify_false
    ),
    case!(
        "tls.verify_false.ca_as_end_entity",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts a CA certificate used as the leaf: TLSv1.3 with a TLS 1.3 suite, a line \
         echoes, peer_cert's fingerprint is the leaf's",
        ca_as_end_entity::verify_false
    ),
    case!(
        "tls.verify_false.end_entity_as_ca",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts a leaf issued by an end entity: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
         peer_cert's fingerprint is the leaf's",
        end_entity_as_ca::verify_false
    ),
    case!(
        "tls.verify_false.path_length_exceeded",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the leaf past the path length: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
         peer_cert's fingerprint is the leaf's",
        path_length_exceeded::verify_false
    ),
    case!(
        "tls.verify_false.name_constraint_violation",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the leaf violating a name constraint: TLSv1.3 with a TLS 1.3 suite, a line \
         echoes, peer_cert's fingerprint is the leaf's",
        name_constraint_violation::verify_false
    ),
    case!(
        "tls.verify_false.client_only_eku",
        ["TLS-VERIFY-FALSE", "SSL-OPT-VERIFY"],
        Must,
        TLS,
        Worlds::Both,
        "verify: false accepts the clientAuth-only leaf: TLSv1.3 with a TLS 1.3 suite, a line echoes, \
         peer_cert's fingerprint is the leaf's",
        client_only_eku::verify_false
    ),
];

// ---------------------------------------------------------------------------------------------
// Helpers

/// The IANA names of the TLS 1.3 suites.
const TLS13_SUITES: &[&str] =
    &["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

/// The IANA names of the TLS 1.2 suites the zoo's Ed25519 (ECDSA-class) leaves can use.
const TLS12_ECDSA_SUITES: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// The SANs of the good leaf, as TLS-PEER-CERT-FORMAT writes them.
const GOOD_SANS: [&str; 4] = ["localhost", "server.example.test", "127.0.0.1", "::1"];

/// Seconds for a wait expected to time out: short on loopback, longer in virtual time.
fn brief(ctx: &Ctx) -> f64 {
    if ctx.peers.is_simulated() { 2.0 } else { 0.2 }
}

/// Options of a wait expected to succeed: bounded, so a broken engine fails instead of hanging.
fn patient(ctx: &Ctx) -> CallOpts {
    CallOpts::timeout(if ctx.peers.is_simulated() { 60.0 } else { 5.0 })
}

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
fn good_args(ctx: &Ctx) -> TlsArgs {
    TlsArgs { sni: good_sni(ctx), ..trusting(ctx, None) }
}

/// `args` restricted to these protocol names.
fn with_protocols(args: TlsArgs, protocols: &[&str]) -> TlsArgs {
    TlsArgs { protocols: Some(protocols.iter().map(|p| (*p).to_string()).collect()), ..args }
}

/// `ssl` to `peer` with `tls` and the default timeout.
fn ssl_to(peer: &PeerAddr, tls: TlsArgs) -> Request {
    Request::ssl(&peer.host, peer.port, tls)
}

/// `starttls` on `handle`.
fn starttls(handle: Handle, tls: TlsArgs) -> Request {
    Request::Starttls { handle, tls }
}

/// Starts a TLS peer.
async fn tls_peer(ctx: &Ctx, peer: TlsPeer) -> PeerAddr {
    ctx.peers.tcp(Peer::Tls(peer)).await
}

/// Starts a TLS 1.2 + 1.3 peer presenting the good leaf.
async fn good_peer(ctx: &Ctx) -> PeerAddr {
    tls_peer(ctx, TlsPeer::new("good")).await
}

/// Starts a TLS 1.2-only peer presenting the good leaf.
async fn tls12_peer(ctx: &Ctx) -> PeerAddr {
    tls_peer(ctx, TlsPeer { tls12_only: true, ..TlsPeer::new("good") }).await
}

/// Starts a STARTTLS peer for the good leaf answering the plaintext line with `reply`.
async fn starttls_peer(ctx: &Ctx, reply: &[u8]) -> PeerAddr {
    tls_peer(ctx, TlsPeer { starttls_reply: Some(reply.to_vec()), ..TlsPeer::new("good") }).await
}

/// An engine allowed to reach the peers, whose environment holds `env`.
async fn engine_with_env(ctx: &Ctx, env: &[(&str, String)]) -> Result<Script, Failure> {
    let session = Session {
        allow_net: Some(ctx.peers.host().to_string()),
        env: env.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect::<BTreeMap<_, _>>(),
        ..Session::default()
    };
    ctx.start(session).await.map_err(|e| Failure::new(format!("the engine did not start: {e:?}")))
}

/// Opens an ssl socket to the good peer `peer` (trusting the zoo's root), which must succeed.
async fn open_good(ctx: &Ctx, engine: &mut Script, peer: &PeerAddr) -> Result<Handle, Failure> {
    engine.handle(ssl_to(peer, good_args(ctx))).await
}

/// Sends `line` and expects it back from recv_line.
async fn echoes_line(ctx: &Ctx, engine: &mut Script, sock: Handle, line: &[u8]) -> CaseResult {
    engine.send_all(sock, line).await?;
    let back = engine.bytes(Request::recv_line(sock, patient(ctx))).await?;
    expect(back == line, || format!("the echoed line: expected {}, got {}", show(line), show(&back)))
}

/// A line round trip over `sock`.
async fn echoes(ctx: &Ctx, engine: &mut Script, sock: Handle) -> CaseResult {
    echoes_line(ctx, engine, sock, b"ping over tls\n").await
}

/// Fails unless the exception's message names `peer` as `host:port`.
fn expect_names(raised: &Raised, peer: &PeerAddr) -> CaseResult {
    let target = format!("{}:{}", peer.host, peer.port);
    expect(raised.message.contains(&target), || {
        format!("the {} message should name {target}: {:?}", raised.class, raised.message)
    })
}

/// The exception of `request`, which must be exactly `class` (not a subclass of it).
async fn raises_exactly(engine: &mut Script, request: Request, class: &str) -> Result<Raised, Failure> {
    let raised = engine.raises(request, class).await?;
    expect(raised.class == class, || {
        format!("expected exactly {class}, got its subclass {}: {}", raised.class, raised.message)
    })?;
    Ok(raised)
}

/// `request` must raise CertificateError with `reason`, naming `peer`.
async fn rejected(engine: &mut Script, request: Request, peer: &PeerAddr, reason: &str) -> CaseResult {
    let raised = engine.raises(request, "CertificateError").await?;
    expect_eq("the CertificateError's reason", raised.reason.as_deref(), Some(reason))?;
    expect_names(&raised, peer)
}

/// A string property.
async fn get_str(engine: &mut Script, sock: Handle, property: Property) -> Result<String, Failure> {
    match engine.get(sock, property).await? {
        Value::Str(s) => Ok(s),
        other => Err(Failure::mismatch(&format!("{property:?}"), "a string", format!("{other:?}"))),
    }
}

/// `.peer_cert`.
async fn peer_cert(engine: &mut Script, sock: Handle) -> Result<CertValue, Failure> {
    match engine.get(sock, Property::PeerCert).await? {
        Value::Cert(cert) => Ok(cert),
        other => Err(Failure::mismatch(".peer_cert", "a certificate hash", format!("{other:?}"))),
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
        format!(".cipher: expected an IANA name (TLS_...), got {cipher:?}")
    })?;
    expect(suites.contains(&cipher.as_str()), || {
        format!(".cipher: expected one of {suites:?}, got {cipher:?}")
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

/// Measures the world's time: virtual in the simulated world, real in the real one.
struct Stopwatch {
    virtual_start: Option<std::time::Duration>,
    real_start: std::time::Instant,
}

impl Stopwatch {
    fn start(ctx: &Ctx) -> Self {
        Self { virtual_start: ctx.peers.virtual_time(), real_start: std::time::Instant::now() }
    }

    /// Seconds since [`Stopwatch::start`].
    fn seconds(&self, ctx: &Ctx) -> f64 {
        match (self.virtual_start, ctx.peers.virtual_time()) {
            (Some(start), Some(now)) => now.saturating_sub(start).as_secs_f64(),
            _ => self.real_start.elapsed().as_secs_f64(),
        }
    }
}

/// A fresh folder of this case's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(ctx: &Ctx, what: &str) -> Result<Self, Failure> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let world = if ctx.peers.is_simulated() { "sim" } else { "real" };
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("caspian-tls-{}-{what}-{world}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| Failure::new(format!("create {}: {e}", dir.display())))?;
        Ok(Self(dir))
    }

    /// Writes `contents` as `name` in the folder and returns its path.
    fn write(&self, name: &str, contents: &[u8]) -> Result<String, Failure> {
        let path = self.0.join(name);
        std::fs::write(&path, contents)
            .map_err(|e| Failure::new(format!("write {}: {e}", path.display())))?;
        Ok(path.to_string_lossy().into_owned())
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads a zoo file.
fn zoo_bytes(ctx: &Ctx, file: &str) -> Result<Vec<u8>, Failure> {
    let path = ctx.cert(file);
    std::fs::read(&path).map_err(|e| Failure::new(format!("read {path}: {e}")))
}

// ---------------------------------------------------------------------------------------------
// SSL-OPEN, SSL-SURFACE

async fn open_echo(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &good).await?;
    echoes_line(&ctx, &mut engine, sock, b"hello\n").await?;
    engine.close(sock).await
}

async fn open_properties(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &good).await?;
    expect_fresh_properties(&mut engine, sock, &good).await?;
    engine.nil(Request::SetTimeout { handle: sock, timeout: Some(12.5) }).await?;
    expect_eq(".timeout after setting it", engine.get(sock, Property::Timeout).await?, Value::Float(12.5))?;
    echoes(&ctx, &mut engine, sock).await?;

    let request = Request::Ssl {
        host: good.host.clone(),
        port: good.port.into(),
        timeout: Some(Wait::Seconds(7.0)),
        tls: good_args(&ctx),
    };
    let given = engine.handle(request).await?;
    expect_eq(
        ".timeout of a socket opened with timeout: 7",
        engine.get(given, Property::Timeout).await?,
        Value::Float(7.0),
    )
}

async fn send_count_and_send_all(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &good).await?;

    expect_eq("send of one byte", engine.int(Request::send(sock, b"x")).await?, 1)?;
    expect_eq(
        "the echoed byte",
        engine.bytes(Request::recv_exact(sock, 1, patient(&ctx))).await?,
        b"x".to_vec(),
    )?;

    let message = b"hello over tls";
    let sent = engine.int(Request::send(sock, message)).await?;
    expect((1..=message.len() as i64).contains(&sent), || {
        format!("send of {} bytes: expected 1..={}, got {sent}", message.len(), message.len())
    })?;
    let back = engine.bytes(Request::recv_exact(sock, sent, patient(&ctx))).await?;
    expect_eq("the echoed bytes", back.as_slice(), &message[..sent as usize])?;

    let large: Vec<u8> = (0..40_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    engine.send_all(sock, &large).await?;
    let back = engine.bytes(Request::recv_exact(sock, large.len() as i64, patient(&ctx))).await?;
    expect(back == large, || {
        let first = back.iter().zip(&large).position(|(a, b)| a != b);
        format!(
            "40000 bytes sent with send_all came back different (length {}, first difference at {first:?})",
            back.len()
        )
    })?;
    engine.close(sock).await
}

async fn recv_framing(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &good).await?;
    let opts = patient(&ctx);

    engine.send_all(sock, b"line one\r\nline two\nabcdefghij").await?;
    expect_eq(
        "the first line",
        engine.bytes(Request::recv_line(sock, opts)).await?,
        b"line one\r\n".to_vec(),
    )?;
    expect_eq(
        "the second line",
        engine.bytes(Request::recv_line(sock, opts)).await?,
        b"line two\n".to_vec(),
    )?;
    let chunk = engine.bytes(Request::Recv { handle: sock, max_bytes: 4, opts }).await?;
    expect((1..=4).contains(&chunk.len()) && b"abcdefghij".starts_with(&chunk), || {
        format!("recv(4): expected 1..4 bytes starting \"abcd\", got {}", show(&chunk))
    })?;
    let rest = 10 - chunk.len() as i64;
    let tail = engine.bytes(Request::recv_exact(sock, rest, opts)).await?;
    expect_eq("recv_exact of the rest", tail.as_slice(), &b"abcdefghij"[chunk.len()..])?;
    expect_eq("recv_exact(0)", engine.bytes(Request::recv_exact(sock, 0, opts)).await?, Vec::new())?;

    // A line and an exact read spread over several writes (several TLS records).
    engine.send_all(sock, b"hel").await?;
    engine.send_all(sock, b"lo\nwor").await?;
    engine.send_all(sock, b"ld").await?;
    expect_eq(
        "a line over two writes",
        engine.bytes(Request::recv_line(sock, opts)).await?,
        b"hello\n".to_vec(),
    )?;
    expect_eq(
        "recv_exact(5) over two writes",
        engine.bytes(Request::recv_exact(sock, 5, opts)).await?,
        b"world".to_vec(),
    )?;
    engine.close(sock).await
}

async fn recv_timeout_nothing_lost(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &good).await?;
    let short = CallOpts::timeout(brief(&ctx));

    let raised = engine.raises(Request::Recv { handle: sock, max_bytes: 10, opts: short }, "Timeout").await?;
    expect_names(&raised, &good)?;
    echoes(&ctx, &mut engine, sock).await?;

    engine.send_all(sock, b"partial").await?;
    engine.raises(Request::recv_line(sock, short), "Timeout").await?;
    engine.send_all(sock, b"\n").await?;
    expect_eq(
        "recv_line after the timed-out one",
        engine.bytes(Request::recv_line(sock, patient(&ctx))).await?,
        b"partial\n".to_vec(),
    )?;
    engine.close(sock).await
}

async fn shutdown_send(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &good).await?;
    engine.send_all(sock, b"tail").await?;
    engine.nil(Request::shutdown(sock, ":send")).await?;
    let mut received = Vec::new();
    for _ in 0..100 {
        let chunk = engine.bytes(Request::Recv { handle: sock, max_bytes: 100, opts: patient(&ctx) }).await?;
        if chunk.is_empty() {
            break;
        }
        received.extend_from_slice(&chunk);
    }
    expect_eq("what recv returned after shutdown(:send)", received.as_slice(), b"tail".as_slice())?;
    expect_eq(
        "recv at end of stream",
        engine.bytes(Request::Recv { handle: sock, max_bytes: 100, opts: patient(&ctx) }).await?,
        Vec::new(),
    )?;
    engine.raises(Request::recv_line(sock, patient(&ctx)), "EndOfStream").await?;
    engine.close(sock).await
}

async fn shutdown_recv_and_both(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let opts = patient(&ctx);

    let sock = open_good(&ctx, &mut engine, &good).await?;
    echoes(&ctx, &mut engine, sock).await?;
    engine.nil(Request::shutdown(sock, ":recv")).await?;
    expect_eq(
        "recv after shutdown(:recv)",
        engine.bytes(Request::Recv { handle: sock, max_bytes: 10, opts }).await?,
        Vec::new(),
    )?;
    engine.send_all(sock, b"still sending\n").await?;
    let raised = engine.raises(Request::shutdown(sock, ":sideways"), "ArgumentError").await?;
    expect_mentions(&raised, &["direction"])?;
    engine.close(sock).await?;

    let both = open_good(&ctx, &mut engine, &good).await?;
    engine.nil(Request::shutdown(both, ":both")).await?;
    expect_eq(
        "recv after shutdown(:both)",
        engine.bytes(Request::Recv { handle: both, max_bytes: 10, opts }).await?,
        Vec::new(),
    )?;
    engine.close(both).await
}

async fn close_idempotent(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &good).await?;
    echoes(&ctx, &mut engine, sock).await?;
    engine.close(sock).await?;
    engine.close(sock).await?;
    expect_eq(".connected? after close", engine.get(sock, Property::Connected).await?, Value::Bool(false))?;
    let raised = engine.raises(Request::send(sock, b"x"), "Closed").await?;
    expect_names(&raised, &good)?;
    engine.raises(Request::send_all(sock, b"x"), "Closed").await?;
    engine.raises(Request::Recv { handle: sock, max_bytes: 1, opts: patient(&ctx) }, "Closed").await?;
    engine.raises(Request::recv_line(sock, patient(&ctx)), "Closed").await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// SSL-UPGRADE, TCP-STARTTLS, IO-STARTTLS-BUFFER

/// A tcp socket to a STARTTLS peer answering `reply`, after the plaintext exchange (the reply's
/// first line read).
async fn starttls_ready(ctx: &Ctx, reply: &[u8]) -> Result<(Script, PeerAddr, Handle), Failure> {
    let peer = starttls_peer(ctx, reply).await;
    let mut engine = ctx.engine_for_peers().await?;
    let tcp = engine.tcp(&peer.host, peer.port).await?;
    engine.send_all(tcp, b"STARTTLS\r\n").await?;
    let line = engine.bytes(Request::recv_line(tcp, patient(ctx))).await?;
    let first = reply.iter().position(|&b| b == b'\n').map_or(reply, |i| &reply[..=i]);
    expect(line == first, || format!("the STARTTLS reply: expected {}, got {}", show(first), show(&line)))?;
    Ok((engine, peer, tcp))
}

async fn starttls_upgrades(ctx: Ctx) -> CaseResult {
    let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
    let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
    expect(tls != tcp, || format!("starttls returned the tcp handle {tcp} itself"))?;
    expect_eq(
        ".host of the ssl socket",
        engine.get(tls, Property::Host).await?,
        Value::Str(peer.host.clone()),
    )?;
    expect_eq(
        ".port of the ssl socket",
        engine.get(tls, Property::Port).await?,
        Value::Int(peer.port.into()),
    )?;
    expect_eq(
        ".connected? of the ssl socket",
        engine.get(tls, Property::Connected).await?,
        Value::Bool(true),
    )?;
    expect_protocol(&mut engine, tls, "TLSv1.3").await?;
    expect_eq(
        ".peer_cert fingerprint",
        peer_cert(&mut engine, tls).await?.fingerprint,
        leaf_fingerprint(&ctx, "good")?,
    )?;
    echoes(&ctx, &mut engine, tls).await?;
    engine.close(tls).await
}

async fn starttls_old_handle_closed(ctx: Ctx) -> CaseResult {
    let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
    let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
    expect_eq(
        ".connected? of the old tcp handle",
        engine.get(tcp, Property::Connected).await?,
        Value::Bool(false),
    )?;
    let raised = engine.raises(Request::send(tcp, b"x"), "Closed").await?;
    expect_names(&raised, &peer)?;
    engine.raises(Request::send_all(tcp, b"x"), "Closed").await?;
    engine.raises(Request::Recv { handle: tcp, max_bytes: 1, opts: patient(&ctx) }, "Closed").await?;
    engine.raises(Request::recv_line(tcp, patient(&ctx)), "Closed").await?;
    engine.raises(Request::recv_exact(tcp, 1, patient(&ctx)), "Closed").await?;
    engine.raises(Request::shutdown(tcp, ":send"), "Closed").await?;
    engine.raises(starttls(tcp, good_args(&ctx)), "Closed").await?;
    // None of that touched the live session.
    echoes(&ctx, &mut engine, tls).await
}

async fn starttls_close_old_handle(ctx: Ctx) -> CaseResult {
    let (mut engine, _peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
    let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
    echoes(&ctx, &mut engine, tls).await?;
    engine.close(tcp).await?;
    engine.close(tcp).await?;
    expect_eq(
        ".connected? of the ssl socket",
        engine.get(tls, Property::Connected).await?,
        Value::Bool(true),
    )?;
    echoes_line(&ctx, &mut engine, tls, b"still alive\n").await?;
    engine.close(tls).await
}

async fn starttls_bad_options_keep_tcp(ctx: Ctx) -> CaseResult {
    let (mut engine, _peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
    let raised = engine.raises(starttls(tcp, with_protocols(good_args(&ctx), &[])), "ArgumentError").await?;
    expect_mentions(&raised, &["protocols"])?;
    expect_eq(
        ".connected? of the tcp socket",
        engine.get(tcp, Property::Connected).await?,
        Value::Bool(true),
    )?;
    let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
    echoes(&ctx, &mut engine, tls).await
}

async fn starttls_verifies(ctx: Ctx) -> CaseResult {
    let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
    let other_root = TlsArgs { ca_bundle: Some(ctx.cert("other-root-ca.pem")), ..good_args(&ctx) };
    rejected(&mut engine, starttls(tcp, other_root), &peer, "unknown_issuer").await?;

    let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go ahead\r\n").await?;
    rejected(&mut engine, starttls(tcp, trusting(&ctx, Some("other.example.org"))), &peer, "name_mismatch")
        .await
}

async fn starttls_buffered_plaintext(ctx: Ctx) -> CaseResult {
    let (mut engine, peer, tcp) = starttls_ready(&ctx, b"220 go\r\nINJECTED").await?;
    let raised = raises_exactly(&mut engine, starttls(tcp, good_args(&ctx)), "TlsError").await?;
    expect_names(&raised, &peer)?;
    expect_eq(
        ".connected? of the tcp socket",
        engine.get(tcp, Property::Connected).await?,
        Value::Bool(true),
    )?;
    expect_eq(
        "the buffered plaintext",
        engine.bytes(Request::recv_exact(tcp, 8, patient(&ctx))).await?,
        b"INJECTED".to_vec(),
    )
}

async fn starttls_buffer_drained_then_upgrades(ctx: Ctx) -> CaseResult {
    let (mut engine, _peer, tcp) = starttls_ready(&ctx, b"220 go\r\nINJECTED").await?;
    raises_exactly(&mut engine, starttls(tcp, good_args(&ctx)), "TlsError").await?;
    engine.bytes(Request::recv_exact(tcp, 8, patient(&ctx))).await?;
    let tls = engine.handle(starttls(tcp, good_args(&ctx))).await?;
    echoes(&ctx, &mut engine, tls).await?;
    engine.close(tls).await
}

// ---------------------------------------------------------------------------------------------
// SSL-PEER-CERT, TLS-PEER-CERT-FORMAT

async fn peer_cert_good(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &good).await?;
    let cert = peer_cert(&mut engine, sock).await?;
    expect_eq("subject", cert.subject.as_str(), "O=Caspian Conformance,CN=caspian-good")?;
    expect_eq("issuer", cert.issuer.as_str(), "O=Caspian Conformance,CN=Caspian Test Intermediate CA")?;
    expect_eq("fingerprint", cert.fingerprint.clone(), leaf_fingerprint(&ctx, "good")?)?;
    expect_eq("validfrom", cert.validfrom.as_str(), "2025-01-01T00:00:00Z")?;
    expect_eq("validuntil", cert.validuntil.as_str(), "2036-01-01T00:00:00Z")?;
    expect_eq("sans", cert.sans.clone(), GOOD_SANS.map(String::from).to_vec())?;
    echoes(&ctx, &mut engine, sock).await?;
    expect_eq("peer_cert read again", peer_cert(&mut engine, sock).await?, cert)?;
    engine.close(sock).await
}

async fn peer_cert_wildcard(ctx: Ctx) -> CaseResult {
    let wildcard = tls_peer(&ctx, TlsPeer::new("wildcard")).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(ssl_to(&wildcard, trusting(&ctx, Some("a.example.test")))).await?;
    let cert = peer_cert(&mut engine, sock).await?;
    expect_eq("subject", cert.subject.as_str(), "O=Caspian Conformance,CN=caspian-wildcard")?;
    expect_eq("issuer", cert.issuer.as_str(), "O=Caspian Conformance,CN=Caspian Test Intermediate CA")?;
    expect_eq("fingerprint", cert.fingerprint.clone(), leaf_fingerprint(&ctx, "wildcard")?)?;
    expect_eq("validfrom", cert.validfrom.as_str(), "2025-01-01T00:00:00Z")?;
    expect_eq("validuntil", cert.validuntil.as_str(), "2036-01-01T00:00:00Z")?;
    expect_eq("sans", cert.sans, vec!["*.example.test".to_string()])?;
    echoes(&ctx, &mut engine, sock).await
}

// ---------------------------------------------------------------------------------------------
// SSL-CIPHER, SSL-PROTOCOL, SSL-OPT-PROTOCOLS, TLS-CIPHER-NAME, TLS-PROTOCOLS-VALID

async fn negotiated_default_tls13(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &good).await?;
    expect_protocol(&mut engine, sock, "TLSv1.3").await?;
    expect_cipher_in(&mut engine, sock, TLS13_SUITES).await?;
    echoes(&ctx, &mut engine, sock).await
}

async fn negotiated_tls12_only_peer(ctx: Ctx) -> CaseResult {
    let tls12 = tls12_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &tls12).await?;
    expect_protocol(&mut engine, sock, "TLSv1.2").await?;
    expect_cipher_in(&mut engine, sock, TLS12_ECDSA_SUITES).await?;
    echoes(&ctx, &mut engine, sock).await
}

async fn protocols_only_tls12(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(ssl_to(&good, with_protocols(good_args(&ctx), &["TLSv1.2"]))).await?;
    expect_protocol(&mut engine, sock, "TLSv1.2").await?;
    expect_cipher_in(&mut engine, sock, TLS12_ECDSA_SUITES).await?;
    echoes(&ctx, &mut engine, sock).await
}

async fn protocols_only_tls13(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let tls12 = tls12_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(ssl_to(&good, with_protocols(good_args(&ctx), &["TLSv1.3"]))).await?;
    expect_protocol(&mut engine, sock, "TLSv1.3").await?;
    echoes(&ctx, &mut engine, sock).await?;
    let both = with_protocols(good_args(&ctx), &["TLSv1.3", "TLSv1.2"]);
    let sock = engine.handle(ssl_to(&tls12, both)).await?;
    expect_protocol(&mut engine, sock, "TLSv1.2").await
}

async fn protocols_no_common_version(ctx: Ctx) -> CaseResult {
    let tls12 = tls12_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let request = ssl_to(&tls12, with_protocols(good_args(&ctx), &["TLSv1.3"]));
    let raised = raises_exactly(&mut engine, request, "TlsError").await?;
    expect_names(&raised, &tls12)
}

/// `protocols` must raise ArgumentError naming protocols, to a closed port (before any I/O).
async fn protocols_refused(
    ctx: &Ctx,
    engine: &mut Script,
    target: &PeerAddr,
    protocols: &[&str],
) -> CaseResult {
    let request = ssl_to(target, with_protocols(good_args(ctx), protocols));
    let raised = engine
        .raises(request, "ArgumentError")
        .await
        .map_err(|f| Failure::new(format!("protocols {protocols:?}: {f}")))?;
    expect_mentions(&raised, &["protocols"])
}

async fn protocols_invalid_names(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = ctx.engine_for_peers().await?;
    let invalid: [&[&str]; 5] =
        [&["TLSv1.1"], &["SSLv3"], &["TLSv1.0"], &["tlsv1.3"], &["TLSv1.3", "TLSv1.1"]];
    for protocols in invalid {
        protocols_refused(&ctx, &mut engine, &closed, protocols).await?;
    }
    Ok(())
}

async fn protocols_invalid_empty(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    protocols_refused(&ctx, &mut engine, &closed, &[]).await?;
    protocols_refused(&ctx, &mut engine, &good, &[]).await
}

async fn protocols_repeated(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(ssl_to(&good, with_protocols(good_args(&ctx), &["TLSv1.3", "TLSv1.3"]))).await?;
    expect_protocol(&mut engine, sock, "TLSv1.3").await
}

// ---------------------------------------------------------------------------------------------
// SSL-OPT-CA-BUNDLE, TLS-CA-REPLACES, SSL-DEFAULT-SAFE, TLS-SYSTEM-BUNDLE

/// The default options but for the sni that makes the good leaf match (no ca_bundle).
fn defaults(ctx: &Ctx) -> TlsArgs {
    TlsArgs { sni: good_sni(ctx), ..TlsArgs::default() }
}

/// Options with a ca_bundle of the other (untrusted) root.
fn other_root(ctx: &Ctx) -> TlsArgs {
    TlsArgs { ca_bundle: Some(ctx.cert("other-root-ca.pem")), ..good_args(ctx) }
}

async fn ca_bundle_other_root(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    rejected(&mut engine, ssl_to(&good, other_root(&ctx)), &good, "unknown_issuer").await
}

async fn ca_bundle_replaces_system(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = engine_with_env(&ctx, &[("SSL_CERT_FILE", ctx.cert("root-ca.pem"))]).await?;
    let sock = engine.handle(ssl_to(&good, defaults(&ctx))).await?;
    echoes(&ctx, &mut engine, sock).await?;
    rejected(&mut engine, ssl_to(&good, other_root(&ctx)), &good, "unknown_issuer").await
}

async fn ca_bundle_several_roots(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let scratch = Scratch::new(&ctx, "bundle")?;
    let mut pem = zoo_bytes(&ctx, "other-root-ca.pem")?;
    pem.extend(zoo_bytes(&ctx, "root-ca.pem")?);
    let bundle = scratch.write("both-roots.pem", &pem)?;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(ssl_to(&good, TlsArgs { ca_bundle: Some(bundle), ..good_args(&ctx) })).await?;
    echoes(&ctx, &mut engine, sock).await
}

async fn ca_bundle_unusable(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = ctx.engine_for_peers().await?;
    for bundle in [ctx.cert("no-such-bundle.pem"), ctx.cert("good.key.pem"), ctx.cert("index.txt")] {
        let request = ssl_to(&closed, TlsArgs { ca_bundle: Some(bundle.clone()), ..good_args(&ctx) });
        let raised = engine
            .raises(request, "ArgumentError")
            .await
            .map_err(|f| Failure::new(format!("ca_bundle {bundle}: {f}")))?;
        expect_mentions(&raised, &["ca_bundle"])?;
    }
    Ok(())
}

async fn default_unknown_root_rejected(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    rejected(&mut engine, ssl_to(&good, defaults(&ctx)), &good, "unknown_issuer").await
}

async fn system_bundle_ssl_cert_file(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = engine_with_env(&ctx, &[("SSL_CERT_FILE", ctx.cert("root-ca.pem"))]).await?;
    let sock = engine.handle(ssl_to(&good, defaults(&ctx))).await?;
    echoes(&ctx, &mut engine, sock).await?;

    let mut other = engine_with_env(&ctx, &[("SSL_CERT_FILE", ctx.cert("other-root-ca.pem"))]).await?;
    rejected(&mut other, ssl_to(&good, defaults(&ctx)), &good, "unknown_issuer").await
}

/// The name OpenSSL looks the zoo's root up by in an `SSL_CERT_DIR` folder: the hash of its
/// subject (`openssl x509 -hash -noout -in root-ca.pem`) and `.0`. The zoo is deterministic.
const ROOT_HASH_NAME: &str = "c3c21822.0";

async fn system_bundle_ssl_cert_dir(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let hashed = Scratch::new(&ctx, "certdir")?;
    hashed.write(ROOT_HASH_NAME, &zoo_bytes(&ctx, "root-ca.pem")?)?;
    let empty = Scratch::new(&ctx, "certdir-empty")?;

    let mut engine = engine_with_env(&ctx, &[("SSL_CERT_DIR", hashed.path(""))]).await?;
    let sock = engine.handle(ssl_to(&good, defaults(&ctx))).await?;
    echoes(&ctx, &mut engine, sock).await?;

    let list = format!("{}:{}", empty.path(""), hashed.path(""));
    let mut listed = engine_with_env(&ctx, &[("SSL_CERT_DIR", list)]).await?;
    let sock = listed.handle(ssl_to(&good, defaults(&ctx))).await?;
    echoes(&ctx, &mut listed, sock).await
}

// ---------------------------------------------------------------------------------------------
// SSL-OPT-CLIENT-CERT, TLS-CLIENT-PAIR

/// Options for the client-auth peer over `protocol`, with the client pair's halves as asked.
fn mutual(ctx: &Ctx, protocol: &str, cert: bool, key: bool) -> TlsArgs {
    TlsArgs {
        client_cert: cert.then(|| ctx.cert("client.chain.pem")),
        client_key: key.then(|| ctx.cert("client.key.pem")),
        ..with_protocols(good_args(ctx), &[protocol])
    }
}

/// Starts a peer for the good leaf that requires a client certificate under the zoo's root.
async fn client_auth_peer(ctx: &Ctx) -> PeerAddr {
    tls_peer(ctx, TlsPeer { client_auth: true, ..TlsPeer::new("good") }).await
}

async fn client_cert_pair_accepted(ctx: Ctx) -> CaseResult {
    let server = client_auth_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    for protocol in ["TLSv1.2", "TLSv1.3"] {
        let sock = engine.handle(ssl_to(&server, mutual(&ctx, protocol, true, true))).await?;
        expect_protocol(&mut engine, sock, protocol).await?;
        echoes(&ctx, &mut engine, sock).await?;
        engine.close(sock).await?;
    }
    Ok(())
}

/// The server's refusal of a client without a certificate: from ssl, or (when `in_handshake`
/// is false) from the first recv_line. It must be a TlsError naming the server.
async fn refused_without_cert(ctx: &Ctx, protocol: &str, in_handshake: bool) -> CaseResult {
    let server = client_auth_peer(ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let raised = match engine.call(ssl_to(&server, mutual(ctx, protocol, false, false))).await {
        Err(raised) => raised,
        Ok(Value::Handle(sock)) if !in_handshake => {
            match engine.call(Request::recv_line(sock, patient(ctx))).await {
                Err(raised) => raised,
                Ok(value) => {
                    return Err(Failure::mismatch(
                        "recv_line from a server requiring a client certificate",
                        "TlsError raised",
                        format!("{value:?}"),
                    ));
                }
            }
        }
        Ok(value) => {
            return Err(Failure::mismatch(
                &format!("ssl over {protocol} without a client certificate"),
                "TlsError raised",
                format!("{value:?}"),
            ));
        }
    };
    expect(class_is_a(&raised.class, "TlsError"), || {
        format!("expected TlsError (the server's refusal), got {}: {}", raised.class, raised.message)
    })?;
    expect_names(&raised, &server)
}

async fn client_cert_missing_tls12(ctx: Ctx) -> CaseResult {
    refused_without_cert(&ctx, "TLSv1.2", true).await
}

async fn client_cert_missing_tls13(ctx: Ctx) -> CaseResult {
    refused_without_cert(&ctx, "TLSv1.3", false).await
}

/// `tls` to a closed port must raise ArgumentError naming `argument`.
async fn argument_error_before_io(ctx: &Ctx, tls: TlsArgs, argument: &str) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = ctx.engine_for_peers().await?;
    let raised = engine.raises(ssl_to(&closed, tls), "ArgumentError").await?;
    expect_mentions(&raised, &[argument])
}

async fn client_cert_without_key(ctx: Ctx) -> CaseResult {
    argument_error_before_io(&ctx, mutual(&ctx, "TLSv1.3", true, false), "client_key").await
}

async fn client_key_without_cert(ctx: Ctx) -> CaseResult {
    argument_error_before_io(&ctx, mutual(&ctx, "TLSv1.3", false, true), "client_cert").await
}

async fn client_cert_unusable(ctx: Ctx) -> CaseResult {
    let pair = mutual(&ctx, "TLSv1.3", true, true);
    let cases = [
        ("client_cert", TlsArgs { client_cert: Some(ctx.cert("no-such-client.pem")), ..pair.clone() }),
        ("client_key", TlsArgs { client_key: Some(ctx.cert("no-such-client.key.pem")), ..pair.clone() }),
        ("client_key", TlsArgs { client_key: Some(ctx.cert("good.key.pem")), ..pair.clone() }),
    ];
    for (argument, tls) in cases {
        argument_error_before_io(&ctx, tls, argument).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// SSL-OPT-SNI, TLS-SNI-NAME

async fn sni_alternate_name(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = engine.handle(ssl_to(&good, trusting(&ctx, Some("server.example.test")))).await?;
    expect_eq(".host", engine.get(sock, Property::Host).await?, Value::Str(good.host.clone()))?;
    echoes(&ctx, &mut engine, sock).await
}

async fn sni_mismatch(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    rejected(&mut engine, ssl_to(&good, trusting(&ctx, Some("other.example.org"))), &good, "name_mismatch")
        .await
}

async fn sni_ip_literal(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine_for_peers().await?;
    for ip in ["127.0.0.1", "::1"] {
        let sock = engine.handle(ssl_to(&good, trusting(&ctx, Some(ip)))).await?;
        echoes(&ctx, &mut engine, sock).await?;
        engine.close(sock).await?;
    }
    Ok(())
}

async fn sni_ip_host(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let dns_only = tls_peer(&ctx, TlsPeer::new("dns_only_by_ip")).await;
    let mut engine = ctx.engine(Some("127.0.0.1"), None).await?;
    let sock = engine.handle(Request::ssl("127.0.0.1", good.port, trusting(&ctx, None))).await?;
    echoes(&ctx, &mut engine, sock).await?;
    let target = PeerAddr { host: "127.0.0.1".into(), port: dns_only.port };
    rejected(&mut engine, ssl_to(&target, trusting(&ctx, None)), &target, "name_mismatch").await
}

async fn sni_default_is_connect_host(ctx: Ctx) -> CaseResult {
    if ctx.peers.is_simulated() {
        // `server`, the connect host, is the name verified, and no certificate holds it.
        let good = good_peer(&ctx).await;
        let mut engine = ctx.engine_for_peers().await?;
        return rejected(&mut engine, ssl_to(&good, trusting(&ctx, None)), &good, "name_mismatch").await;
    }
    let good = good_peer(&ctx).await;
    let wrong_host = tls_peer(&ctx, TlsPeer::new("wrong_host")).await;
    let mut engine = ctx.engine(Some("127.0.0.1,localhost"), None).await?;
    let by_name = PeerAddr { host: "localhost".into(), port: good.port };
    let sock = engine.handle(ssl_to(&by_name, trusting(&ctx, None))).await?;
    echoes(&ctx, &mut engine, sock).await?;
    let by_name = PeerAddr { host: "localhost".into(), port: wrong_host.port };
    rejected(&mut engine, ssl_to(&by_name, trusting(&ctx, None)), &by_name, "name_mismatch").await
}

// ---------------------------------------------------------------------------------------------
// Handshake and connection failures

async fn open_handshake_stall(ctx: Ctx) -> CaseResult {
    let silent = ctx.peers.tcp(Peer::Script(vec![])).await;
    let mut engine = ctx.engine_for_peers().await?;
    let stall = if ctx.peers.is_simulated() { 5.0 } else { 0.5 };
    let request = Request::Ssl {
        host: silent.host.clone(),
        port: silent.port.into(),
        timeout: Some(Wait::Seconds(stall)),
        tls: good_args(&ctx),
    };
    let started = Stopwatch::start(&ctx);
    let raised = engine.raises(request, "Timeout").await?;
    let elapsed = started.seconds(&ctx);
    expect_names(&raised, &silent)?;
    expect(elapsed >= stall * 0.9, || format!("Timeout after {elapsed:.3}s, before the {stall}s timeout"))?;
    expect(elapsed < stall + 5.0, || format!("Timeout after {elapsed:.3}s for a {stall}s timeout"))?;
    Ok(())
}

async fn open_plaintext_peer(ctx: Ctx) -> CaseResult {
    let echo = ctx.peers.tcp(Peer::Echo).await;
    let banner =
        ctx.peers.tcp(Peer::Script(vec![Step::Send(b"220 smtp.example ESMTP ready\r\n".to_vec())])).await;
    let mut engine = ctx.engine_for_peers().await?;
    for peer in [&echo, &banner] {
        let raised = raises_exactly(&mut engine, ssl_to(peer, good_args(&ctx)), "TlsError").await?;
        expect_names(&raised, peer)?;
    }
    Ok(())
}

async fn open_refused(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let mut engine = ctx.engine_for_peers().await?;
    let raised = engine.raises(ssl_to(&closed, good_args(&ctx)), "ConnectionRefused").await?;
    expect_names(&raised, &closed)
}

async fn open_denied(ctx: Ctx) -> CaseResult {
    let closed = ctx.peers.closed_port().await;
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine(None, None).await?;
    for target in [&closed, &good] {
        let raised = engine.raises(ssl_to(target, good_args(&ctx)), "PermissionDenied").await?;
        expect_names(&raised, target)?;
    }
    Ok(())
}

async fn open_sni_grants_nothing(ctx: Ctx) -> CaseResult {
    let good = good_peer(&ctx).await;
    let mut engine = ctx.engine(Some("localhost"), None).await?;
    let raised = engine.raises(ssl_to(&good, trusting(&ctx, Some("localhost"))), "PermissionDenied").await?;
    expect_names(&raised, &good)
}

// ---------------------------------------------------------------------------------------------
// SSL-OPT-VERIFY, TLS-REJECT-ZOO, TLS-VERIFY-FALSE

/// The entry of the TLS-REJECT-ZOO table named `name`.
fn rejection(name: &str) -> Result<&'static Rejection, Failure> {
    REJECTIONS
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| Failure::new(format!("no entry {name:?} in the TLS-REJECT-ZOO table")))
}

/// With default options but a ca_bundle of the zoo's root and sni the entry's connect name, the
/// entry's server is refused with CertificateError and the entry's reason.
async fn zoo_rejected(ctx: Ctx, name: &str) -> CaseResult {
    let entry = rejection(name)?;
    let peer = tls_peer(&ctx, TlsPeer::new(entry.leaf)).await;
    let mut engine = ctx.engine_for_peers().await?;
    rejected(&mut engine, ssl_to(&peer, trusting(&ctx, Some(entry.connect_name))), &peer, entry.reason).await
}

/// With verify: false the entry's server is accepted, TLS 1.3 negotiated, a line echoes and
/// peer_cert is the presented leaf.
async fn zoo_verify_false(ctx: Ctx, name: &str) -> CaseResult {
    let entry = rejection(name)?;
    let peer = tls_peer(&ctx, TlsPeer::new(entry.leaf)).await;
    let mut engine = ctx.engine_for_peers().await?;
    let tls = TlsArgs { verify: Some(false), ..trusting(&ctx, Some(entry.connect_name)) };
    let sock = engine.handle(ssl_to(&peer, tls)).await?;
    expect_protocol(&mut engine, sock, "TLSv1.3").await?;
    expect_cipher_in(&mut engine, sock, TLS13_SUITES).await?;
    echoes_line(&ctx, &mut engine, sock, b"unverified\n").await?;
    expect_eq(
        "peer_cert's fingerprint",
        peer_cert(&mut engine, sock).await?.fingerprint,
        leaf_fingerprint(&ctx, entry.leaf)?,
    )?;
    engine.close(sock).await
}

/// For each zoo entry, a module with its two case bodies: `rejected` and `verify_false`.
macro_rules! zoo_entries {
    ($($entry:ident),+ $(,)?) => {$(
        mod $entry {
            use super::{CaseResult, Ctx};

            pub async fn rejected(ctx: Ctx) -> CaseResult {
                super::zoo_rejected(ctx, stringify!($entry)).await
            }

            pub async fn verify_false(ctx: Ctx) -> CaseResult {
                super::zoo_verify_false(ctx, stringify!($entry)).await
            }
        }
    )+};
}

zoo_entries!(
    expired,
    not_yet_valid,
    wrong_host,
    self_signed,
    untrusted_root,
    missing_intermediate,
    dns_only_by_ip,
    cn_without_san,
    wildcard_too_deep,
    wildcard_apex,
    ca_as_end_entity,
    end_entity_as_ca,
    path_length_exceeded,
    name_constraint_violation,
    client_only_eku,
);

async fn eof_without_close_notify(ctx: Ctx) -> CaseResult {
    let peer = tls_peer(&ctx, TlsPeer { abrupt_close: true, ..TlsPeer::new("good") }).await;
    let mut engine = ctx.engine_for_peers().await?;
    let sock = open_good(&ctx, &mut engine, &peer).await?;
    engine.send_all(sock, b"last\n").await?;
    expect_eq("the echoed line", show(&engine.recv_line(sock).await?), show(b"last\n"))?;
    let rest = engine.bytes(Request::Recv { handle: sock, max_bytes: 10, opts: patient(&ctx) }).await?;
    expect_eq("recv at the abrupt end", show(&rest), show(b""))?;
    engine.raises(Request::recv_line(sock, patient(&ctx)), "EndOfStream").await?;
    engine.close(sock).await
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
