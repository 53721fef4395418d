//! The exception classes of the settled spec, as one error type.
//!
//! Every failure an engine can raise is a [`NetError`]: a [`ErrorClass`] with a stable string ID
//! (used in reports and in the driver protocol), a message that names the argument, host and port
//! involved, and for certificate failures a machine-readable reason ([`CertificateReason`]).
//! Messages are words a script author reads: no library debug text.

mod certificate;
mod tls_failure;

use std::fmt;
use std::io;

pub use certificate::CertificateReason;
pub(crate) use tls_failure::{bundle_error_words, pem_error_words, tls_error_words};

/// The exception classes of the standard (CONFORMANCE.md). A class not listed here is a defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorClass {
    PermissionDenied,
    HostNotFound,
    ConnectionRefused,
    ConnectionReset,
    Timeout,
    /// Use of a closed socket, or of a tcp socket after starttls.
    Closed,
    /// The peer closed before recv_exact or recv_line could complete.
    EndOfStream,
    AddressInUse,
    TlsError,
    /// A subclass of [`ErrorClass::TlsError`], carrying a reason.
    CertificateError,
    ArgumentError,
}

impl ErrorClass {
    /// The stable ID used in reports and in the driver protocol.
    pub fn id(self) -> &'static str {
        match self {
            Self::PermissionDenied => "PermissionDenied",
            Self::HostNotFound => "HostNotFound",
            Self::ConnectionRefused => "ConnectionRefused",
            Self::ConnectionReset => "ConnectionReset",
            Self::Timeout => "Timeout",
            Self::Closed => "Closed",
            Self::EndOfStream => "EndOfStream",
            Self::AddressInUse => "AddressInUse",
            Self::TlsError => "TlsError",
            Self::CertificateError => "CertificateError",
            Self::ArgumentError => "ArgumentError",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A raised exception: its class, a message naming what was involved, and an optional reason
/// (the certificate failure for CertificateError, `line_too_long` for an over-long line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetError {
    pub class: ErrorClass,
    pub message: String,
    pub reason: Option<String>,
}

/// The result of every socket operation.
pub type NetResult<T> = Result<T, NetError>;

impl NetError {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self { class, message: message.into(), reason: None }
    }

    /// A CertificateError with its reason (TLS-REJECT-ZOO).
    pub fn certificate(reason: CertificateReason, message: impl Into<String>) -> Self {
        Self::new(ErrorClass::CertificateError, message).with_reason(reason.id())
    }

    /// The same error with a machine-readable reason attached.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// An ArgumentError about the argument `name`.
    pub fn argument(name: &str, problem: impl fmt::Display) -> Self {
        Self::new(ErrorClass::ArgumentError, format!("argument {name}: {problem}"))
    }

    /// A Closed error for an operation on a socket that is no longer usable.
    pub fn closed(operation: &str, endpoint: &Endpoint) -> Self {
        Self::new(ErrorClass::Closed, format!("{operation} on a closed socket ({endpoint})"))
    }

    /// Maps an OS, simulated-network or TLS error met while doing `operation` with `endpoint`:
    /// a TLS failure is a TlsError, a certificate failure a CertificateError with its reason
    /// (TLS-REJECT-ZOO); a refused connect is ConnectionRefused (TCP-OPEN-REFUSED); an OS error
    /// with no class of its own (broken pipe, aborted) is ConnectionReset (DEC-OS-ERRORS).
    pub fn from_io(err: &io::Error, operation: &str, endpoint: &Endpoint) -> Self {
        use io::ErrorKind as K;
        match err.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            Some(rustls::Error::InvalidCertificate(verdict)) => {
                let rejection = certificate::Rejection::of(verdict);
                return Self::certificate(
                    rejection.reason,
                    format!("{operation} {endpoint}: certificate rejected: {}", rejection.words),
                );
            }
            Some(tls_error) => {
                return Self::new(
                    ErrorClass::TlsError,
                    format!("{operation} {endpoint}: {}", tls_error_words(tls_error)),
                );
            }
            None => {}
        }
        let class = match err.kind() {
            K::ConnectionRefused => ErrorClass::ConnectionRefused,
            K::TimedOut | K::WouldBlock => ErrorClass::Timeout,
            K::AddrInUse => ErrorClass::AddressInUse,
            K::NotFound => ErrorClass::HostNotFound,
            K::PermissionDenied => ErrorClass::PermissionDenied,
            K::UnexpectedEof => ErrorClass::EndOfStream,
            K::InvalidInput | K::AddrNotAvailable => ErrorClass::ArgumentError,
            _ => ErrorClass::ConnectionReset,
        };
        Self::new(class, format!("{operation} {endpoint}: {err}"))
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class, self.message)?;
        if let Some(reason) = &self.reason {
            write!(f, " (reason: {reason})")?;
        }
        Ok(())
    }
}

impl std::error::Error for NetError {}

/// A host and port as the script named them, for messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self { host: host.into(), port }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests;
