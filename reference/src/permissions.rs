//! Network permissions: the `--allow-net` and `--allow-listen` flags, parsed and checked.
//!
//! Parsing and checking are pure functions of their arguments: no DNS, no sockets, no I/O.
//! Names and IP literals are compared as written (PERM-LITERAL): a name never grants an address
//! nor the reverse. IPv4 literals are parsed strictly (four decimal octets, no leading zeros), so
//! spellings such as `127.1` or `0x7f000001` are names, not addresses. An IPv4-mapped IPv6
//! address (`::ffff:a.b.c.d`) is the IPv4 address `a.b.c.d`, in entries and in targets alike.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{ErrorClass, NetError, NetResult};

const NET_FLAG: &str = "--allow-net";
const LISTEN_FLAG: &str = "--allow-listen";

/// The permissions an engine was started with. Parsing and checking are pure: no I/O ever.
/// PERM-SEPARATE: the connect and listen grants are kept apart; neither flag grants the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    net: Grant<NetEntry>,
    listen: Grant<ListenEntry>,
}

/// What one flag grants.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Grant<E> {
    /// PERM-DEFAULT-DENY: the flag was absent: nothing of its kind is allowed.
    Nothing,
    /// PERM-ALLOW-ALL: the bare flag: everything of its kind is allowed.
    Everything,
    /// A non-empty list of entries, in the order given.
    Entries(Vec<E>),
}

/// A host in a flag entry, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    /// A host name: ASCII lower case, no trailing dot, never a strict IPv4 literal.
    Name(String),
    /// PERM-WILDCARD: `*.suffix`, any name strictly below `suffix` (stored normalized, without
    /// `*.`).
    Wildcard(String),
    /// An IP address; IPv4-mapped IPv6 addresses are stored as IPv4.
    Ip(IpAddr),
}

/// An inclusive port range, `lo <= hi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PortRange {
    lo: u16,
    hi: u16,
}

/// One `--allow-net` entry. `ports: None` allows every port.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NetEntry {
    host: HostPattern,
    ports: Option<PortRange>,
}

/// One `--allow-listen` entry. `host: None` allows every bind host; never a wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListenEntry {
    host: Option<HostPattern>,
    ports: PortRange,
}

/// A target host as the script named it, normalized for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Name(String),
    Ip(IpAddr),
}

impl Permissions {
    /// PERM-DEFAULT-DENY: no flags, so every connect and every listen is denied.
    pub fn deny_all() -> Self {
        Self { net: Grant::Nothing, listen: Grant::Nothing }
    }

    /// PERM-ALLOW-ALL: both bare flags, so every connect and every listen is allowed (to a usable
    /// host).
    pub fn allow_all() -> Self {
        Self { net: Grant::Everything, listen: Grant::Everything }
    }

    /// `None` = the flag was absent (deny all of that kind); `Some("")` = the bare flag (allow all);
    /// `Some(list)` = comma-separated entries (PERM-GRAMMAR). An invalid entry is an ArgumentError
    /// naming the flag and the entry (PERM-GRAMMAR-INVALID).
    pub fn from_flags(allow_net: Option<&str>, allow_listen: Option<&str>) -> NetResult<Self> {
        Ok(Self {
            net: parse_flag(NET_FLAG, allow_net, parse_net_entry)?,
            listen: parse_flag(LISTEN_FLAG, allow_listen, parse_listen_entry)?,
        })
    }

    /// The flags back, in the same shape as from_flags takes (normalized spelling: lower-case names,
    /// no trailing dot, canonical IP text), so that from_flags(to_flags()) == self.
    pub fn to_flags(&self) -> (Option<String>, Option<String>) {
        (grant_to_flag(&self.net), grant_to_flag(&self.listen))
    }

    /// TCP-OPEN-DENIED, UDP-PERM-SEND, PERM-UDP-PEER: PermissionDenied unless --allow-net grants
    /// host:port. Never grants listening (PERM-SEPARATE).
    pub fn check_connect(&self, host: &str, port: u16) -> NetResult<()> {
        let target = parse_target(host);
        let granted = is_usable_host(host)
            && match &self.net {
                Grant::Nothing => false,
                Grant::Everything => true,
                Grant::Entries(entries) => target
                    .as_ref()
                    .is_some_and(|target| entries.iter().any(|entry| entry.grants(target, port))),
            };
        if granted {
            return Ok(());
        }
        let suggestion = match &target {
            Some(target) if is_usable_host(host) => {
                let entry =
                    NetEntry { host: target.as_pattern(), ports: Some(PortRange { lo: port, hi: port }) };
                format!("grant it with {NET_FLAG}={entry}")
            }
            _ => format!("no {NET_FLAG} entry can grant it: not a valid host name or IP address"),
        };
        Err(denied("connect to", host, port, &suggestion))
    }

    /// LST-PERM, UDP-PERM-LISTEN: PermissionDenied unless --allow-listen grants binding
    /// host:port; port 0 only by a grant that covers port 0 (DEC-LISTEN-PORT-ZERO). Never grants
    /// connecting (PERM-SEPARATE).
    pub fn check_listen(&self, host: &str, port: u16) -> NetResult<()> {
        let granted = is_usable_host(host)
            && match &self.listen {
                Grant::Nothing => false,
                Grant::Everything => true,
                Grant::Entries(entries) => {
                    let target = parse_target(host);
                    entries.iter().any(|entry| entry.grants(target.as_ref(), port))
                }
            };
        if granted {
            return Ok(());
        }
        let suggestion = if is_usable_host(host) {
            format!("grant it with {LISTEN_FLAG}={port}")
        } else {
            format!("no {LISTEN_FLAG} entry can grant it: not a valid host name or IP address")
        };
        Err(denied("listen on", host, port, &suggestion))
    }
}

impl fmt::Display for Permissions {
    /// The command-line form: `--allow-net=a.com,b.com:443 --allow-listen=8080`, `--allow-net`
    /// for a bare flag, or `(no network permissions)` when neither flag is present.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (net, listen) = self.to_flags();
        let parts: Vec<String> = [(NET_FLAG, net), (LISTEN_FLAG, listen)]
            .into_iter()
            .filter_map(|(flag, value)| match value {
                None => None,
                Some(value) if value.is_empty() => Some(flag.to_string()),
                Some(value) => Some(format!("{flag}={value}")),
            })
            .collect();
        if parts.is_empty() { f.write_str("(no network permissions)") } else { f.write_str(&parts.join(" ")) }
    }
}

// ---------------------------------------------------------------------------------------------
// Matching

impl NetEntry {
    fn grants(&self, target: &Target, port: u16) -> bool {
        self.ports.is_none_or(|ports| ports.contains(port)) && self.host.matches(target)
    }
}

impl ListenEntry {
    /// `target` is `None` when the bind host is neither a valid name nor an IP address; only a
    /// port-only entry grants such a host.
    fn grants(&self, target: Option<&Target>, port: u16) -> bool {
        self.ports.contains(port)
            && match &self.host {
                None => true,
                Some(pattern) => target.is_some_and(|target| pattern.matches(target)),
            }
    }
}

impl HostPattern {
    /// Names equal names, wildcards match names strictly below their suffix (PERM-WILDCARD),
    /// addresses equal addresses; nothing crosses between names and addresses (PERM-LITERAL).
    fn matches(&self, target: &Target) -> bool {
        match (self, target) {
            (Self::Name(name), Target::Name(target)) => name == target,
            (Self::Wildcard(suffix), Target::Name(target)) => target
                .strip_suffix(suffix.as_str())
                .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
            (Self::Ip(ip), Target::Ip(target)) => ip == target,
            _ => false,
        }
    }
}

impl PortRange {
    fn contains(self, port: u16) -> bool {
        self.lo <= port && port <= self.hi
    }
}

impl Target {
    fn as_pattern(&self) -> HostPattern {
        match self {
            Self::Name(name) => HostPattern::Name(name.clone()),
            Self::Ip(ip) => HostPattern::Ip(*ip),
        }
    }
}

/// False for a host no permission can ever grant: empty, or containing control characters
/// (NUL included) or whitespace.
fn is_usable_host(host: &str) -> bool {
    !host.is_empty() && !host.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The normalized target, or `None` when `host` is neither a valid name nor an IP literal.
/// Accepts IPv6 bracketed (`[::1]`) or not (`::1`); an IPv4-mapped IPv6 address is IPv4
/// (PERM-LITERAL).
fn parse_target(host: &str) -> Option<Target> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        return inner.parse::<Ipv6Addr>().ok().map(|ip| Target::Ip(IpAddr::V6(ip).to_canonical()));
    }
    if let Some(ip) = parse_strict_ipv4(host) {
        return Some(Target::Ip(IpAddr::V4(ip)));
    }
    if host.contains(':') {
        return host.parse::<Ipv6Addr>().ok().map(|ip| Target::Ip(IpAddr::V6(ip).to_canonical()));
    }
    parse_name(host).ok().map(Target::Name)
}

/// PERM-ERROR, DEC-DENIAL-WORDS: the denial names the target (IPv6 bracketed) and the flag entry
/// that would grant it, spelled as on a command line.
fn denied(action: &str, host: &str, port: u16, suggestion: &str) -> NetError {
    let shown = if !is_usable_host(host) {
        format!("{host:?}")
    } else if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    NetError::new(ErrorClass::PermissionDenied, format!("{action} {shown}:{port} denied: {suggestion}"))
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// PERM-GRAMMAR-INVALID: parses one flag's value. Every entry must be valid; the first invalid
/// one is reported, and nothing is ignored.
fn parse_flag<E>(
    flag: &str,
    value: Option<&str>,
    parse_entry: fn(&str) -> Result<E, String>,
) -> NetResult<Grant<E>> {
    let Some(value) = value else {
        return Ok(Grant::Nothing);
    };
    if value.is_empty() {
        return Ok(Grant::Everything);
    }
    value
        .split(',')
        .map(|entry| {
            parse_entry(entry).map_err(|problem| {
                NetError::new(ErrorClass::ArgumentError, format!("invalid {flag} entry {entry:?}: {problem}"))
            })
        })
        .collect::<NetResult<Vec<E>>>()
        .map(Grant::Entries)
}

/// PERM-GRAMMAR: `host`, `host:port`, `host:lo-hi`, where host is a name, `*.suffix`, IPv4 or
/// `[IPv6]`; no port allows every port.
fn parse_net_entry(entry: &str) -> Result<NetEntry, String> {
    check_entry_text(entry)?;
    let (host, port) = split_host_port(entry)?;
    let host = parse_host_pattern(host)?;
    let ports = port.map(|port| parse_port_range(port, 1)).transpose()?;
    Ok(NetEntry { host, ports })
}

/// PERM-GRAMMAR: `port`, `lo-hi`, `host:port`, `host:lo-hi`, where host is a name, IPv4 or
/// `[IPv6]`.
fn parse_listen_entry(entry: &str) -> Result<ListenEntry, String> {
    check_entry_text(entry)?;
    let (host, port) = split_host_port(entry)?;
    let Some(port) = port else {
        // No colon: the whole entry must be a port or a port range.
        if !entry.chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Err("a listen entry needs a port: PORT, LO-HI, HOST:PORT or HOST:LO-HI".to_string());
        }
        return Ok(ListenEntry { host: None, ports: parse_port_range(entry, 0)? });
    };
    let host = parse_host_pattern(host)?;
    if matches!(host, HostPattern::Wildcard(_)) {
        return Err(format!("wildcards are not allowed in {LISTEN_FLAG} entries"));
    }
    Ok(ListenEntry { host: Some(host), ports: parse_port_range(port, 0)? })
}

/// Rejects an empty entry and any whitespace or control character (nothing is trimmed).
fn check_entry_text(entry: &str) -> Result<(), String> {
    if entry.is_empty() {
        return Err("empty entry (check for a doubled or trailing comma)".to_string());
    }
    if entry.chars().any(char::is_whitespace) {
        return Err("whitespace is not allowed".to_string());
    }
    if let Some(c) = entry.chars().find(|c| c.is_control()) {
        return Err(format!("control character {c:?} is not allowed"));
    }
    Ok(())
}

/// The host part of an entry, before it is interpreted.
#[derive(Debug, Clone, Copy)]
enum HostText<'a> {
    /// The text between `[` and `]`.
    Bracketed(&'a str),
    Plain(&'a str),
}

/// Splits an entry into its host and, when there is a colon, its port text.
fn split_host_port(entry: &str) -> Result<(HostText<'_>, Option<&str>), String> {
    if let Some(after_open) = entry.strip_prefix('[') {
        let (inner, rest) =
            after_open.split_once(']').ok_or_else(|| "'[' without a closing ']'".to_string())?;
        if inner.contains('[') {
            return Err("bad bracket syntax".to_string());
        }
        let port = match rest.strip_prefix(':') {
            Some(port) => Some(port),
            None if rest.is_empty() => None,
            None => return Err(format!("unexpected {rest:?} after ']'")),
        };
        return Ok((HostText::Bracketed(inner), port));
    }
    if entry.contains('[') || entry.contains(']') {
        return Err("bad bracket syntax: only an IPv6 address may be bracketed, as in [::1]:443".to_string());
    }
    match entry.split_once(':') {
        None => Ok((HostText::Plain(entry), None)),
        Some((_, port)) if port.contains(':') => {
            Err("an IPv6 address must be written in brackets, as in [::1]:443".to_string())
        }
        Some((host, port)) => Ok((HostText::Plain(host), Some(port))),
    }
}

/// Interprets an entry's host: `[IPv6]`, a strict IPv4 literal, `*.suffix`, or a name.
fn parse_host_pattern(host: HostText<'_>) -> Result<HostPattern, String> {
    let text = match host {
        HostText::Bracketed(inner) => {
            return inner
                .parse::<Ipv6Addr>()
                .map(|ip| HostPattern::Ip(IpAddr::V6(ip).to_canonical()))
                .map_err(|_| format!("{inner:?} inside brackets is not an IPv6 address"));
        }
        HostText::Plain(text) => text,
    };
    if text.is_empty() {
        return Err("missing host before ':'".to_string());
    }
    if let Some(ip) = parse_strict_ipv4(text) {
        return Ok(HostPattern::Ip(IpAddr::V4(ip)));
    }
    if text.contains('*') {
        let suffix = text
            .strip_prefix("*.")
            .filter(|suffix| !suffix.contains('*'))
            .ok_or_else(|| "'*' is allowed only as the whole first label, as in *.example.com".to_string())?;
        if suffix.is_empty() {
            return Err("a wildcard needs a domain after '*.', as in *.example.com".to_string());
        }
        return parse_name(suffix).map(HostPattern::Wildcard);
    }
    parse_name(text).map(HostPattern::Name)
}

/// PERM-NAME-NORMAL, DEC-PERM-SYNTAX: a host name normalized: ASCII letters, digits, `-`, `_` and non-empty dot-separated labels,
/// lower-cased, one trailing dot removed. A strict IPv4 literal with a trailing dot is rejected,
/// since its normalized spelling would read back as an address.
fn parse_name(text: &str) -> Result<String, String> {
    let name = text.strip_suffix('.').unwrap_or(text);
    if name.is_empty() {
        return Err("empty host name".to_string());
    }
    if let Some(c) = name.chars().find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Err(format!("invalid character {c:?} in host name"));
    }
    if name.split('.').any(str::is_empty) {
        return Err("empty label in host name".to_string());
    }
    if parse_strict_ipv4(name).is_some() {
        return Err("an IP address cannot have a trailing dot".to_string());
    }
    Ok(name.to_ascii_lowercase())
}

/// PERM-LITERAL: exactly four decimal octets 0..=255, no signs, no leading zeros except a lone
/// `0`; any other spelling is a name.
fn parse_strict_ipv4(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        let valid = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'));
        if !valid {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}

/// `port` or `lo-hi`, each a decimal number in `min..=65535`, with `lo <= hi`.
fn parse_port_range(text: &str, min: u16) -> Result<PortRange, String> {
    let Some((lo, hi)) = text.split_once('-') else {
        let port = parse_port(text, min)?;
        return Ok(PortRange { lo: port, hi: port });
    };
    let (lo, hi) = (parse_port(lo, min)?, parse_port(hi, min)?);
    if lo > hi {
        return Err(format!("port range {lo}-{hi} is reversed (low > high)"));
    }
    Ok(PortRange { lo, hi })
}

fn parse_port(text: &str, min: u16) -> Result<u16, String> {
    if text.is_empty() {
        return Err("port missing".to_string());
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("port {text:?} is not a decimal number"));
    }
    // Digits only, so a failed parse means the number does not fit in a u16.
    text.parse::<u16>()
        .ok()
        .filter(|&port| port >= min)
        .ok_or_else(|| format!("port out of range {min}..65535"))
}

// ---------------------------------------------------------------------------------------------
// Writing back

fn grant_to_flag<E: fmt::Display>(grant: &Grant<E>) -> Option<String> {
    match grant {
        Grant::Nothing => None,
        Grant::Everything => Some(String::new()),
        Grant::Entries(entries) => {
            Some(entries.iter().map(ToString::to_string).collect::<Vec<_>>().join(","))
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => f.write_str(name),
            Self::Wildcard(suffix) => write!(f, "*.{suffix}"),
            Self::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
            Self::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lo == self.hi { write!(f, "{}", self.lo) } else { write!(f, "{}-{}", self.lo, self.hi) }
    }
}

impl fmt::Display for NetEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ports {
            None => write!(f, "{}", self.host),
            Some(ports) => write!(f, "{}:{ports}", self.host),
        }
    }
}

impl fmt::Display for ListenEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            None => write!(f, "{}", self.ports),
            Some(host) => write!(f, "{host}:{}", self.ports),
        }
    }
}

#[cfg(test)]
mod tests;
