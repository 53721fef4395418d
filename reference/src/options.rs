//! Arguments as a script gives them, validated into what the sockets use.
//!
//! Scripts pass integers and numbers of any value; every check here turns a bad one into an
//! ArgumentError naming the argument, before any I/O and before the socket's state is looked at
//! (DEC-ARGUMENTS-FIRST), and never panics.

use std::time::Duration;

use crate::error::{Endpoint, NetError, NetResult};
use crate::framing::DEFAULT_MAX_LINE;

/// IO-TIMEOUT-DEFAULT: every socket starts with a 30 second timeout unless given one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The `timeout:` option of one call.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum TimeoutOpt {
    /// Not given: the socket's `.timeout` applies (for `accept`: wait forever).
    #[default]
    Inherit,
    /// `timeout: nil`: wait forever.
    Forever,
    /// `timeout: seconds`.
    Seconds(f64),
}

/// The options of `recv`, `recv_line`, `recv_exact`, `recv_from` and `accept`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallOpts {
    pub timeout: TimeoutOpt,
    /// `recv_line` only: the longest line accepted, newline included (default 1 MiB).
    pub max_length: Option<i64>,
}

impl CallOpts {
    /// Options with only a timeout in seconds.
    pub fn timeout(seconds: f64) -> Self {
        Self { timeout: TimeoutOpt::Seconds(seconds), ..Self::default() }
    }

    /// The wait this call allows: its own `timeout:` or, when absent, `inherited`.
    #[inline]
    pub(crate) fn wait(&self, inherited: Option<Duration>) -> NetResult<Option<Duration>> {
        match self.timeout {
            TimeoutOpt::Inherit => Ok(inherited),
            TimeoutOpt::Forever => Ok(None),
            TimeoutOpt::Seconds(s) => timeout_seconds("timeout", Some(s)),
        }
    }

    /// IO-LINE-MAX, DEC-MAX-LENGTH-POSITIVE: the longest line `recv_line` returns (1 MiB unless
    /// given); `max_length` must be a positive integer.
    #[inline]
    pub(crate) fn max_line(&self) -> NetResult<usize> {
        match self.max_length {
            None => Ok(DEFAULT_MAX_LINE),
            Some(n) => count("max_length", n).and_then(|n| positive("max_length", n)),
        }
    }
}

/// A timeout in seconds, `None` meaning forever. Negative and NaN are ArgumentErrors; a wait too
/// long to represent (or infinite) is forever.
#[inline]
pub fn timeout_seconds(name: &str, seconds: Option<f64>) -> NetResult<Option<Duration>> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_nan() || s < 0.0 => {
            Err(NetError::argument(name, format!("must be a non-negative number of seconds, got {s}")))
        }
        Some(s) => Ok(Duration::try_from_secs_f64(s).ok()),
    }
}

/// A byte count: `n >= 0`.
#[inline]
pub fn count(name: &str, n: i64) -> NetResult<usize> {
    usize::try_from(n).map_err(|_| NetError::argument(name, format!("must not be negative, got {n}")))
}

/// A count that must be at least 1.
#[inline]
pub fn positive(name: &str, n: usize) -> NetResult<usize> {
    if n == 0 {
        return Err(NetError::argument(name, "must be at least 1, got 0"));
    }
    Ok(n)
}

/// A port to connect or send to: 1..=65535.
pub fn remote_port(port: i64) -> NetResult<u16> {
    match u16::try_from(port) {
        Ok(p) if p != 0 => Ok(p),
        _ => Err(NetError::argument("port", format!("must be in 1..65535, got {port}"))),
    }
}

/// A port to bind: 0 (an ephemeral port) ..= 65535.
pub fn bind_port(port: i64) -> NetResult<u16> {
    u16::try_from(port).map_err(|_| NetError::argument("port", format!("must be in 0..65535, got {port}")))
}

/// A host and port to connect or send to (port 1..=65535), checked together: an error names
/// both, as the script gave them. An empty host, or one holding a NUL or white space, is an
/// ArgumentError (DEC-HOST-SYNTAX).
pub fn remote(host: &str, port: i64) -> NetResult<Endpoint> {
    endpoint(host, port, remote_port)
}

/// A host and port to bind (port 0..=65535, 0 meaning an ephemeral port), checked together.
pub fn local(host: &str, port: i64) -> NetResult<Endpoint> {
    endpoint(host, port, bind_port)
}

fn endpoint(host: &str, port: i64, check_port: fn(i64) -> NetResult<u16>) -> NetResult<Endpoint> {
    let named = |e: NetError| NetError {
        message: format!("{} (target {}:{port})", e.message, host.escape_debug()),
        ..e
    };
    let checked_host = self::host(host).map_err(named)?;
    let checked_port = check_port(port).map_err(named)?;
    Ok(Endpoint::new(checked_host, checked_port))
}

/// A host: not empty, no NUL byte, no whitespace.
pub fn host(host: &str) -> NetResult<&str> {
    if host.is_empty() {
        return Err(NetError::argument("host", "must not be empty"));
    }
    if host.chars().any(|c| c == '\0' || c.is_whitespace()) {
        return Err(NetError::argument("host", format!("contains a NUL or space: {host:?}")));
    }
    Ok(host)
}

/// The direction of `shutdown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Send,
    Recv,
    Both,
}

impl Direction {
    /// `:send`, `:recv` or `:both` (with or without the colon).
    pub fn parse(direction: &str) -> NetResult<Self> {
        match direction.strip_prefix(':').unwrap_or(direction) {
            "send" => Ok(Self::Send),
            "recv" => Ok(Self::Recv),
            "both" => Ok(Self::Both),
            other => {
                Err(NetError::argument("direction", format!("must be :send, :recv or :both, got {other:?}")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorClass::ArgumentError;

    #[test]
    fn timeouts() {
        assert_eq!(timeout_seconds("t", None), Ok(None));
        assert_eq!(timeout_seconds("t", Some(1.5)), Ok(Some(Duration::from_millis(1500))));
        assert_eq!(timeout_seconds("t", Some(f64::INFINITY)), Ok(None));
        for bad in [-1.0, f64::NAN, -0.001] {
            let err = timeout_seconds("timeout", Some(bad)).unwrap_err();
            assert_eq!(err.class, ArgumentError);
            assert!(err.message.contains("timeout"), "{err}");
        }
    }

    #[test]
    fn ports_and_counts() {
        assert_eq!(remote_port(1), Ok(1));
        assert_eq!(remote_port(65535), Ok(65535));
        for bad in [0, -1, 65536, i64::MIN] {
            assert_eq!(remote_port(bad).unwrap_err().class, ArgumentError);
        }
        assert_eq!(bind_port(0), Ok(0));
        assert_eq!(bind_port(-1).unwrap_err().class, ArgumentError);
        assert_eq!(count("n", 0), Ok(0));
        assert!(count("n", -5).unwrap_err().message.contains("argument n"));
        assert_eq!(positive("max_bytes", 0).unwrap_err().class, ArgumentError);
    }

    #[test]
    fn hosts_and_directions() {
        assert_eq!(host("a.b"), Ok("a.b"));
        for bad in ["", "a\0b", "a b"] {
            assert_eq!(host(bad).unwrap_err().class, ArgumentError);
        }
        assert_eq!(Direction::parse(":send"), Ok(Direction::Send));
        assert_eq!(Direction::parse("both"), Ok(Direction::Both));
        assert_eq!(Direction::parse(":sideways").unwrap_err().class, ArgumentError);
    }

    #[test]
    fn call_opts_resolve_against_the_socket_timeout() {
        let inherited = Some(Duration::from_secs(30));
        assert_eq!(CallOpts::default().wait(inherited), Ok(inherited));
        let forever = CallOpts { timeout: TimeoutOpt::Forever, ..CallOpts::default() };
        assert_eq!(forever.wait(inherited), Ok(None));
        assert_eq!(CallOpts::timeout(2.0).wait(inherited), Ok(Some(Duration::from_secs(2))));
        assert_eq!(CallOpts::default().max_line(), Ok(DEFAULT_MAX_LINE));
        let zero = CallOpts { max_length: Some(0), ..CallOpts::default() };
        assert_eq!(zero.max_line().unwrap_err().class, ArgumentError);
    }
}
