//! The sans-IO half of `%net`, shared by both surfaces: every check a constructor makes before
//! its I/O, in order (arguments, then permissions: PERM-BEFORE-IO), and every error its I/O
//! maps to. A surface resolves, connects or binds in between and adds no rule of its own.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Endpoint, ErrorClass, NetError, NetResult};
use crate::options::{self, DEFAULT_TIMEOUT, TimeoutOpt};
use crate::permissions::Permissions;
use crate::stream_state::Link;
use crate::tls::{Prepared, TlsContext, TlsOptions};
use crate::wait;

/// The permissions and TLS context of one `%net`, shared by every socket it opens.
#[derive(Clone)]
pub(crate) struct Gate {
    permissions: Arc<Permissions>,
    tls: Arc<TlsContext>,
}

/// An outbound stream connection, allowed: where to, and how long connecting may take in all.
#[derive(Debug, Clone)]
pub(crate) struct Dial {
    pub target: Endpoint,
    /// Bounds resolving and connecting, then is the socket's initial `.timeout`.
    pub timeout: Option<Duration>,
}

impl Gate {
    pub(crate) fn new(permissions: Permissions) -> Self {
        Self { permissions: Arc::new(permissions), tls: Arc::default() }
    }

    pub(crate) fn with_tls(self, tls: TlsContext) -> Self {
        Self { tls: Arc::new(tls), ..self }
    }

    pub(crate) fn tls(&self) -> &Arc<TlsContext> {
        &self.tls
    }

    pub(crate) fn permissions(&self) -> &Arc<Permissions> {
        &self.permissions
    }

    /// TCP-OPEN, TCP-OPEN-NEW: validates `host`, `port` and `timeout` (absent: 30 seconds; nil:
    /// forever), then checks `--allow-net`.
    pub(crate) fn dial(&self, host: &str, port: i64, timeout: TimeoutOpt) -> NetResult<Dial> {
        let target = options::remote(host, port)?;
        let timeout = match timeout {
            TimeoutOpt::Inherit => Some(DEFAULT_TIMEOUT),
            TimeoutOpt::Forever => None,
            TimeoutOpt::Seconds(s) => options::timeout_seconds("timeout", Some(s))?,
        };
        self.permissions.check_connect(&target.host, target.port)?;
        Ok(Dial { target, timeout })
    }

    /// SSL-OPEN: as [`Gate::dial`], with the TLS options validated first.
    pub(crate) fn dial_tls(
        &self,
        host: &str,
        port: i64,
        timeout: TimeoutOpt,
        options: &TlsOptions,
    ) -> NetResult<(Dial, Prepared)> {
        let remote = options::remote(host, port)?;
        let prepared = self.tls.prepare(options, &remote)?;
        Ok((self.dial(host, port, timeout)?, prepared))
    }

    /// LST-OPEN, UDP-LISTEN: validates the bind host and port, then checks `--allow-listen`.
    pub(crate) fn listen(&self, host: &str, port: i64) -> NetResult<Endpoint> {
        let here = options::local(host, port)?;
        self.permissions.check_listen(&here.host, here.port)?;
        Ok(here)
    }

    /// UDP-OPEN-PEER: validates the default peer, then checks `--allow-net` (PERM-UDP-PEER).
    pub(crate) fn udp_peer(&self, host: &str, port: i64) -> NetResult<Endpoint> {
        let target = options::remote(host, port)?;
        self.permissions.check_connect(&target.host, target.port)?;
        Ok(target)
    }
}

impl Dial {
    /// A failed connection to one address of the target.
    pub(crate) fn connect_error(&self, error: &io::Error) -> NetError {
        NetError::from_io(error, "connect to", &self.target)
    }

    /// The message of a connection that outlived its timeout.
    pub(crate) fn timed_out(&self) -> String {
        format!("connect to {} timed out after {}s", self.target, wait::seconds(self.timeout))
    }

    /// What a socket connected to `local` knows about its connection.
    pub(crate) fn link(&self, local: SocketAddr) -> Link {
        Link { remote: self.target.clone(), local, timeout: self.timeout }
    }
}

/// TCP-OPEN-DNS: every resolution failure is HostNotFound.
pub(crate) fn resolve_error(target: &Endpoint, error: &io::Error) -> NetError {
    NetError::new(ErrorClass::HostNotFound, format!("resolve {target}: {error}"))
}

/// A name that resolved to no address.
pub(crate) fn no_address(target: &Endpoint) -> NetError {
    NetError::new(ErrorClass::HostNotFound, format!("resolve {target}: no address"))
}

/// The first address a name resolved to.
pub(crate) fn first_address(target: &Endpoint, addrs: Vec<SocketAddr>) -> NetResult<SocketAddr> {
    addrs.first().copied().ok_or_else(|| no_address(target))
}

/// A listener that could not bind.
pub(crate) fn listen_error(error: &io::Error, here: &Endpoint) -> NetError {
    NetError::from_io(error, "listen on", here)
}

/// A udp socket that could not bind.
pub(crate) fn udp_bind_error(error: &io::Error, named: &Endpoint) -> NetError {
    NetError::from_io(error, "bind udp for", named)
}

/// UDP-OPEN: `%net.udp` binds an ephemeral port on every IPv4 address.
pub(crate) fn udp_anywhere() -> (SocketAddr, Endpoint) {
    (SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0), Endpoint::new("0.0.0.0", 0))
}

/// UDP-OPEN-PEER: the ephemeral bind address of a socket that talks to `peer`: its family's
/// unspecified address.
pub(crate) fn udp_bind_for(peer: SocketAddr) -> SocketAddr {
    let unspecified =
        if peer.is_ipv4() { IpAddr::V4(Ipv4Addr::UNSPECIFIED) } else { IpAddr::V6(Ipv6Addr::UNSPECIFIED) };
    SocketAddr::new(unspecified, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(net: Option<&str>, listen: Option<&str>) -> Gate {
        Gate::new(Permissions::from_flags(net, listen).expect("valid flags"))
    }

    #[test]
    fn arguments_come_before_permissions() {
        let denied = gate(None, None);
        let bad_port = denied.dial("example.test", 0, TimeoutOpt::Inherit).unwrap_err();
        assert_eq!(bad_port.class, ErrorClass::ArgumentError);
        let bad_timeout = denied.dial("example.test", 80, TimeoutOpt::Seconds(-1.0)).unwrap_err();
        assert_eq!(bad_timeout.class, ErrorClass::ArgumentError);
        let bad_option = TlsOptions { protocols: Some(Vec::new()), ..TlsOptions::default() };
        let Err(error) = denied.dial_tls("example.test", 443, TimeoutOpt::Inherit, &bad_option) else {
            panic!("an empty protocols list is refused before the permission check")
        };
        assert_eq!(error.class, ErrorClass::ArgumentError);
        assert_eq!(denied.listen("127.0.0.1", 70000).unwrap_err().class, ErrorClass::ArgumentError);
        let error = denied.dial("example.test", 80, TimeoutOpt::Inherit).unwrap_err();
        assert_eq!(error.class, ErrorClass::PermissionDenied);
        assert_eq!(denied.udp_peer("example.test", 53).unwrap_err().class, ErrorClass::PermissionDenied);
        assert_eq!(denied.listen("127.0.0.1", 8080).unwrap_err().class, ErrorClass::PermissionDenied);
    }

    #[test]
    fn a_dial_carries_its_timeout_to_the_socket() {
        let open = gate(Some(""), Some(""));
        let default = open.dial("example.test", 80, TimeoutOpt::Inherit).expect("allowed");
        assert_eq!(default.timeout, Some(DEFAULT_TIMEOUT));
        assert_eq!(open.dial("example.test", 80, TimeoutOpt::Forever).expect("allowed").timeout, None);
        let local = "127.0.0.1:5000".parse().expect("an address");
        let link = default.link(local);
        assert_eq!((link.remote, link.local, link.timeout), (default.target.clone(), local, default.timeout));
        assert!(
            default.timed_out().contains("example.test:80 timed out after 30s"),
            "{}",
            default.timed_out()
        );
    }

    #[test]
    fn resolution_failures_are_host_not_found() {
        let target = Endpoint::new("nowhere.invalid", 80);
        assert_eq!(first_address(&target, Vec::new()).unwrap_err().class, ErrorClass::HostNotFound);
        let error = resolve_error(&target, &io::Error::other("lookup failed"));
        assert_eq!(error.class, ErrorClass::HostNotFound);
        assert!(error.message.contains("nowhere.invalid:80"), "{error}");
    }

    #[test]
    fn udp_binds_the_family_of_its_peer() {
        assert!(udp_bind_for("[::1]:53".parse().expect("v6")).is_ipv6());
        assert!(udp_bind_for("127.0.0.1:53".parse().expect("v4")).is_ipv4());
        assert_eq!(udp_anywhere().1, Endpoint::new("0.0.0.0", 0));
    }
}
