//! An independent model of `--allow-net` / `--allow-listen`, written from the clauses
//! (PERM-GRAMMAR, PERM-NAME-NORMAL, PERM-WILDCARD, PERM-LITERAL, PERM-SEPARATE) rather than from
//! the reference: IP literals are whatever the standard library's strict parsers accept, and
//! everything else is a name or nothing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What a flag grants in the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelGrant {
    Nothing,
    Everything,
    Entries(Vec<ModelEntry>),
}

/// A host of an entry or a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelHost {
    /// Lower case, without its trailing dot.
    Name(String),
    /// `*.suffix`, holding the suffix.
    Wildcard(String),
    /// IPv4-mapped IPv6 addresses are IPv4.
    Ip(IpAddr),
}

/// One entry: a host (none: a port-only listen entry) and an inclusive port range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    pub host: Option<ModelHost>,
    pub ports: (u16, u16),
}

/// Both flags, as the model reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub net: ModelGrant,
    pub listen: ModelGrant,
}

/// Which flag is invalid, when one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidFlag {
    Net,
    Listen,
}

impl Model {
    /// The model of both flags, or the first invalid one (`--allow-net` is read first).
    pub fn parse(allow_net: Option<&str>, allow_listen: Option<&str>) -> Result<Self, InvalidFlag> {
        let net = grant(allow_net, net_entry).ok_or(InvalidFlag::Net)?;
        let listen = grant(allow_listen, listen_entry).ok_or(InvalidFlag::Listen)?;
        Ok(Self { net, listen })
    }

    /// Whether connecting to `host:port` is allowed.
    pub fn allows_connect(&self, host: &str, port: u16) -> bool {
        allows(&self.net, host, port)
    }

    /// Whether listening on `host:port` is allowed.
    pub fn allows_listen(&self, host: &str, port: u16) -> bool {
        allows(&self.listen, host, port)
    }

    /// Whether some name or wildcard `--allow-net` entry grants `host:port`: the only way a
    /// host that is not an IP literal can be allowed, short of the bare flag.
    pub fn name_entry_grants(&self, host: &str, port: u16) -> bool {
        let ModelGrant::Entries(entries) = &self.net else {
            return false;
        };
        let Some(target @ ModelHost::Name(_)) = target(host) else {
            return false;
        };
        entries.iter().any(|entry| entry.grants(Some(&target), port))
    }
}

impl ModelEntry {
    fn grants(&self, target: Option<&ModelHost>, port: u16) -> bool {
        let (lo, hi) = self.ports;
        let host_ok = match (&self.host, target) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(ModelHost::Name(name)), Some(ModelHost::Name(target))) => name == target,
            (Some(ModelHost::Wildcard(suffix)), Some(ModelHost::Name(target))) => {
                target.len() > suffix.len() + 1 && target.ends_with(&format!(".{suffix}"))
            }
            (Some(ModelHost::Ip(ip)), Some(ModelHost::Ip(target))) => ip == target,
            _ => false,
        };
        host_ok && lo <= port && port <= hi
    }
}

fn allows(grant: &ModelGrant, host: &str, port: u16) -> bool {
    let usable = !host.is_empty() && host.chars().all(|c| !c.is_control() && !c.is_whitespace());
    match grant {
        ModelGrant::Nothing => false,
        ModelGrant::Everything => usable,
        ModelGrant::Entries(entries) => {
            let target = target(host);
            usable && entries.iter().any(|entry| entry.grants(target.as_ref(), port))
        }
    }
}

fn grant(value: Option<&str>, entry: fn(&str) -> Option<ModelEntry>) -> Option<ModelGrant> {
    match value {
        None => Some(ModelGrant::Nothing),
        Some("") => Some(ModelGrant::Everything),
        Some(list) => list.split(',').map(entry).collect::<Option<Vec<_>>>().map(ModelGrant::Entries),
    }
}

/// How a script's host reads: `[IPv6]`, a strict IPv4 literal, bare IPv6, or a name; `None`
/// when it is none of them.
pub fn target(host: &str) -> Option<ModelHost> {
    if host.starts_with('[') {
        let inner = host.strip_prefix('[')?.strip_suffix(']')?;
        return inner.parse::<Ipv6Addr>().ok().map(v6);
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(ModelHost::Ip(IpAddr::V4(ip)));
    }
    if host.contains(':') {
        return host.parse::<Ipv6Addr>().ok().map(v6);
    }
    name(host).map(ModelHost::Name)
}

fn v6(ip: Ipv6Addr) -> ModelHost {
    ModelHost::Ip(match ip.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(ip),
    })
}

/// A name: letters, digits, `-`, `_`, non-empty labels, one trailing dot dropped, and never
/// an IPv4 literal once the dot is gone.
fn name(text: &str) -> Option<String> {
    let bare = text.strip_suffix('.').unwrap_or(text);
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let labels_ok = bare.split('.').all(|label| !label.is_empty() && label.chars().all(allowed));
    (labels_ok && bare.parse::<Ipv4Addr>().is_err()).then(|| bare.to_ascii_lowercase())
}

/// Splits an entry into its host text (bracketed or not) and its port text, if any.
fn host_and_port(entry: &str) -> Option<(bool, &str, Option<&str>)> {
    if let Some(rest) = entry.strip_prefix('[') {
        let close = rest.find(']')?;
        let (inner, after) = (&rest[..close], &rest[close + 1..]);
        let port = if after.is_empty() { None } else { Some(after.strip_prefix(':')?) };
        return Some((true, inner, port));
    }
    if entry.contains('[') || entry.contains(']') {
        return None;
    }
    let pieces: Vec<&str> = entry.split(':').collect();
    match pieces[..] {
        [host] => Some((false, host, None)),
        [host, port] => Some((false, host, Some(port))),
        _ => None,
    }
}

fn host_pattern(bracketed: bool, host: &str) -> Option<ModelHost> {
    if bracketed {
        return host.parse::<Ipv6Addr>().ok().map(v6);
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(ModelHost::Ip(IpAddr::V4(ip)));
    }
    match host.strip_prefix("*.") {
        Some(suffix) if !suffix.contains('*') => name(suffix).map(ModelHost::Wildcard),
        _ if host.contains('*') => None,
        _ => name(host).map(ModelHost::Name),
    }
}

/// `port` or `lo-hi`, decimal, each at least `min`, `lo <= hi`.
fn ports(text: &str, min: u16) -> Option<(u16, u16)> {
    let number = |t: &str| {
        let digits = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| t.parse::<u16>().ok()).flatten().filter(|&p| p >= min)
    };
    let bounds: Vec<&str> = text.split('-').collect();
    let (lo, hi) = match bounds[..] {
        [port] => (number(port)?, number(port)?),
        [lo, hi] => (number(lo)?, number(hi)?),
        _ => return None,
    };
    (lo <= hi).then_some((lo, hi))
}

fn plain(entry: &str) -> bool {
    !entry.is_empty() && entry.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

fn net_entry(entry: &str) -> Option<ModelEntry> {
    if !plain(entry) {
        return None;
    }
    let (bracketed, host, port) = host_and_port(entry)?;
    let host = host_pattern(bracketed, host)?;
    let ports = match port {
        None => (0, u16::MAX),
        Some(port) => ports(port, 1)?,
    };
    Some(ModelEntry { host: Some(host), ports })
}

fn listen_entry(entry: &str) -> Option<ModelEntry> {
    if !plain(entry) {
        return None;
    }
    match host_and_port(entry)? {
        (false, _, None) => Some(ModelEntry { host: None, ports: ports(entry, 0)? }),
        (true, _, None) => None,
        (bracketed, host, Some(port)) => match host_pattern(bracketed, host)? {
            ModelHost::Wildcard(_) => None,
            host => Some(ModelEntry { host: Some(host), ports: ports(port, 0)? }),
        },
    }
}
