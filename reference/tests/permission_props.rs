//! Property tests of `--allow-net` / `--allow-listen`: PERM-GRAMMAR, PERM-NAME-NORMAL,
//! PERM-WILDCARD, PERM-LITERAL, PERM-SEPARATE, PERM-DEFAULT-DENY, PERM-ALLOW-ALL, PERM-ERROR.
//!
//! CI runs the default; run ten times more locally with
//! PROPTEST_CASES=2560 cargo test -p caspian-reference --test permission_props
//!
//! The default is 256 cases per property (`PROPTEST_CASES` overrides it). The RNG seed is fixed
//! (`SEED`) so every run checks the same cases and a failure reproduces as is; set
//! `PROPTEST_RNG_SEED=<u64>` to explore other cases. No regression files are written.
//!
//! Flag values are generated from the grammar (names, `*.` wildcards, IPv4, `[IPv6]`, with and
//! without ports and ranges, in assorted spellings). Each property is a plain function of the
//! implementation under test (a printer, a checker, a model), so the planted-bug tests at the end
//! run the same property against a deliberately broken variant and show, through
//! [`TestRunner`], that it fails and what the minimal failing input is. Run them with
//! `-- --nocapture` to see the shrunk examples.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use caspian_reference::permissions::Permissions;
use caspian_reference::{ErrorClass, NetResult};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;

mod common;
use common::{config, expect_caught};

// ---------------------------------------------------------------------------------------------
// Generated hosts, entries, flags and targets

/// Labels of generated names: few, so that entries and targets often meet.
const LABELS: &[&str] = &["a", "b", "ab", "x-1", "_s", "localhost", "example", "com"];

/// Names that look like addresses but are names (PERM-LITERAL).
const ADDRESS_LIKE_NAMES: &[&str] = &["127.1", "2130706433", "0x7f000001", "0177.0.0.1", "1.2.3", "a.1.2.3"];

/// IPv6 addresses of generated entries and targets.
const V6_POOL: &[&str] = &["::", "::1", "2001:db8::1", "2001:db8::2", "fe80::1", "2001:db8:0:0:1::1"];

/// Targets that are not a valid name or address, or not even usable.
const ODD_TARGETS: &[&str] = &[
    "",
    "a b",
    "a\0b",
    "a\tb",
    "a@b",
    "*.a",
    ".a",
    "a..",
    "a..b",
    "[::1",
    "::1]",
    "[[::1]]",
    "[1.2.3.4]",
    "127.0.0.1.",
    "1.2.3.4:80",
    "a:80",
    "é.com",
    "::g",
];

/// A host before it is spelled: a lower-case name, an IPv4 or an IPv6 address.
#[derive(Clone, Debug)]
enum Host {
    Name(String),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

/// How a host is written: which letters are upper case (bit i for character i), a trailing
/// dot, and which IPv6 text form.
#[derive(Clone, Copy, Debug)]
struct Spelling {
    upper: u32,
    trailing_dot: bool,
    v6_form: u8,
}

fn octet() -> impl Strategy<Value = u8> {
    prop_oneof![Just(0u8), Just(1), Just(10), Just(127), Just(255), any::<u8>()]
}

fn ipv4() -> impl Strategy<Value = Ipv4Addr> {
    (octet(), octet(), octet(), octet()).prop_map(|(a, b, c, d)| Ipv4Addr::new(a, b, c, d))
}

fn ipv6() -> impl Strategy<Value = Ipv6Addr> {
    prop_oneof![
        3 => select(V6_POOL).prop_map(|text| text.parse::<Ipv6Addr>().unwrap()),
        1 => ipv4().prop_map(|ip| ip.to_ipv6_mapped()),
        1 => any::<[u16; 8]>().prop_map(Ipv6Addr::from),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => vec(select(LABELS), 1..=3).prop_map(|labels| labels.join(".")),
        1 => select(ADDRESS_LIKE_NAMES).prop_map(String::from),
    ]
}

fn host() -> impl Strategy<Value = Host> {
    prop_oneof![3 => name().prop_map(Host::Name), 2 => ipv4().prop_map(Host::V4), 2 => ipv6().prop_map(Host::V6)]
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (prop_oneof![Just(0u32), any::<u32>()], any::<bool>(), 0u8..4)
        .prop_map(|(upper, trailing_dot, v6_form)| Spelling { upper, trailing_dot, v6_form })
}

/// `name` with the letters chosen by `upper` in upper case and maybe a trailing dot.
fn spell_name(name: &str, spelling: Spelling) -> String {
    let mut text: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| if spelling.upper >> (i % 32) & 1 == 1 { c.to_ascii_uppercase() } else { c })
        .collect();
    if spelling.trailing_dot {
        text.push('.');
    }
    text
}

/// An IPv6 address in one of four text forms, unbracketed.
fn spell_v6(ip: Ipv6Addr, form: u8) -> String {
    let full = || ip.segments().iter().map(|s| format!("{s:x}")).collect::<Vec<_>>().join(":");
    match form % 4 {
        0 => ip.to_string(),
        1 => full(),
        2 => ip.to_string().to_uppercase(),
        _ => full().to_uppercase(),
    }
}

/// The host part of an entry: names may be wildcards, IPv6 is bracketed.
fn spell_entry_host(host: &Host, wildcard: bool, spelling: Spelling) -> String {
    match host {
        Host::Name(name) if wildcard => format!("*.{}", spell_name(name, spelling)),
        Host::Name(name) => spell_name(name, spelling),
        Host::V4(ip) => ip.to_string(),
        Host::V6(ip) => format!("[{}]", spell_v6(*ip, spelling.v6_form)),
    }
}

fn port(min: u16) -> impl Strategy<Value = u16> {
    prop_oneof![Just(min), Just(80), Just(443), Just(8080), Just(65535), min..=65535u16]
}

/// `lo` or `lo-hi`.
fn ports(min: u16) -> impl Strategy<Value = String> {
    prop_oneof![
        port(min).prop_map(|port| port.to_string()),
        (port(min), port(min)).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
    ]
}

/// `host`, `host:port`, `host:lo-hi`, `*.suffix[:ports]`, IPv4, `[IPv6][:ports]`.
fn net_entry(hosts: BoxedStrategy<Host>) -> impl Strategy<Value = String> {
    (hosts, prop_oneof![3 => Just(false), 1 => Just(true)], spelling(), proptest::option::of(ports(1)))
        .prop_map(|(host, wildcard, spelling, ports)| {
            let host = spell_entry_host(&host, wildcard, spelling);
            match ports {
                None => host,
                Some(ports) => format!("{host}:{ports}"),
            }
        })
}

/// `port`, `lo-hi`, `host:port`, `host:lo-hi` (no wildcards).
fn listen_entry(hosts: BoxedStrategy<Host>) -> impl Strategy<Value = String> {
    prop_oneof![
        ports(0),
        (hosts, spelling(), ports(0)).prop_map(|(host, spelling, ports)| format!(
            "{}:{ports}",
            spell_entry_host(&host, false, spelling)
        )),
    ]
}

/// Absent, bare, or a list of entries.
fn flag(entry: impl Strategy<Value = String>) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(String::new())),
        5 => vec(entry, 1..=4).prop_map(|entries| Some(entries.join(","))),
    ]
}

/// A target host as a script writes it.
fn target(hosts: BoxedStrategy<Host>) -> impl Strategy<Value = String> {
    let prefix = prop_oneof![3 => Just(""), 1 => Just("x."), 1 => Just("A."), 1 => Just("1.")];
    prop_oneof![
        6 => (hosts, spelling(), prefix, any::<bool>()).prop_map(|(host, spelling, prefix, bracket)| {
            match host {
                Host::Name(name) => format!("{prefix}{}", spell_name(&name, spelling)),
                Host::V4(ip) => ip.to_string(),
                Host::V6(ip) if bracket => format!("[{}]", spell_v6(ip, spelling.v6_form)),
                Host::V6(ip) => spell_v6(ip, spelling.v6_form),
            }
        }),
        1 => (ipv4(), any::<usize>()).prop_map(|(ip, pick)| {
            let spellings = other_ipv4_spellings(ip);
            spellings[pick % spellings.len()].clone()
        }),
        1 => select(ODD_TARGETS).prop_map(String::from),
    ]
}

/// Flags, and the targets to check against them.
#[derive(Clone)]
struct FlagsAndTargets {
    net: Option<String>,
    listen: Option<String>,
    targets: Vec<(String, u16)>,
}

impl fmt::Debug for FlagsAndTargets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "--allow-net={:?} --allow-listen={:?} targets {:?}", self.net, self.listen, self.targets)
    }
}

/// Entries and targets draw most hosts from one small pool, so that targets often meet entries
/// (in other spellings) and grants are not rare.
fn flags_and_targets() -> impl Strategy<Value = FlagsAndTargets> {
    vec(host(), 1..4).prop_flat_map(|pool| {
        let hosts = prop_oneof![4 => select(pool), 1 => host()].boxed();
        (
            vec((target(hosts.clone()), port(0)), 1..8),
            flag(net_entry(hosts.clone())),
            flag(listen_entry(hosts)),
        )
            .prop_map(|(targets, net, listen)| FlagsAndTargets { net, listen, targets })
    })
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn parse(net: Option<&str>, listen: Option<&str>) -> Result<Permissions, TestCaseError> {
    Permissions::from_flags(net, listen)
        .map_err(|e| TestCaseError::fail(format!("flags {net:?} / {listen:?} rejected: {e}")))
}

/// `Ok(true)` granted, `Ok(false)` denied with PermissionDenied, `Err` any other error.
fn granted(result: NetResult<()>, what: &str) -> Result<bool, TestCaseError> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.class == ErrorClass::PermissionDenied => Ok(false),
        Err(e) => Err(TestCaseError::fail(format!("{what}: {} instead of PermissionDenied: {e}", e.class))),
    }
}

/// The checks under test: `Permissions::check_connect` and `check_listen`, or a broken wrapper.
struct Checker {
    connect: fn(&Permissions, &str, u16) -> NetResult<()>,
    listen: fn(&Permissions, &str, u16) -> NetResult<()>,
}

const REAL_CHECKER: Checker =
    Checker { connect: Permissions::check_connect, listen: Permissions::check_listen };

/// The printer under test: `Permissions::to_flags`, or a broken wrapper.
type Printer = fn(&Permissions) -> (Option<String>, Option<String>);

const REAL_PRINTER: Printer = Permissions::to_flags;

// ---------------------------------------------------------------------------------------------
// Property 1: parse -> print -> parse is stable

#[derive(Clone)]
struct Flags {
    net: Option<String>,
    listen: Option<String>,
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "--allow-net={:?} --allow-listen={:?}", self.net, self.listen)
    }
}

fn flags() -> impl Strategy<Value = Flags> {
    (flag(net_entry(host().boxed())), flag(listen_entry(host().boxed())))
        .prop_map(|(net, listen)| Flags { net, listen })
}

/// PERM-GRAMMAR: every generated value parses; printing it and parsing the print gives the same
/// permissions, and the print is a fixed point.
fn check_round_trip(print: Printer, input: &Flags) -> Result<(), TestCaseError> {
    let parsed = parse(input.net.as_deref(), input.listen.as_deref())?;
    let printed = print(&parsed);
    let reparsed = parse(printed.0.as_deref(), printed.1.as_deref())
        .map_err(|e| TestCaseError::fail(format!("round trip: the print {printed:?} does not parse: {e}")))?;
    prop_assert_eq!(&reparsed, &parsed, "round trip: printed as {:?}", printed);
    prop_assert_eq!(print(&reparsed), printed, "round trip: the print is not a fixed point");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Property 2: a plain model agrees with check_connect / check_listen

/// A host pattern of the model.
#[derive(Debug, PartialEq)]
enum ModelHost {
    /// A port-only listen entry: any bind host.
    Any,
    Name(String),
    Wildcard(String),
    Ip(IpAddr),
}

/// What the model makes of a target.
#[derive(Debug, PartialEq)]
enum ModelTarget {
    /// Empty, or with whitespace or a control character: never granted.
    Unusable,
    /// Usable but neither a name nor an address: only a bare flag or a port-only listen entry
    /// grants it.
    Invalid,
    Name(String),
    Ip(IpAddr),
}

/// The model: how names are normalized for comparison. Everything else is fixed.
struct Model {
    normalize_name: fn(&str) -> String,
}

/// PERM-NAME-NORMAL: ASCII lower case, without one trailing dot.
fn normalize_name(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

const MODEL: Model = Model { normalize_name };

impl Model {
    /// One generated entry: `[v6]`, `[v6]:ports`, `host`, `host:ports`, `*.name...`, and for
    /// listen `ports`. Returns the host pattern and the inclusive port range.
    fn entry(&self, entry: &str, listen: bool) -> (ModelHost, u16, u16) {
        let (host, ports) = if entry.starts_with('[') {
            let close = entry.find(']').unwrap();
            (Some(&entry[..=close]), entry[close + 1..].strip_prefix(':'))
        } else if let Some((host, ports)) = entry.split_once(':') {
            (Some(host), Some(ports))
        } else if listen {
            (None, Some(entry))
        } else {
            (Some(entry), None)
        };
        let (lo, hi) = match ports.map(|ports| ports.split_once('-').unwrap_or((ports, ports))) {
            None => (0, 65535),
            Some((lo, hi)) => (lo.parse().unwrap(), hi.parse().unwrap()),
        };
        let host = match host {
            None => ModelHost::Any,
            Some(host) => match host.strip_prefix('[').and_then(|host| host.strip_suffix(']')) {
                Some(v6) => ModelHost::Ip(IpAddr::V6(v6.parse().unwrap()).to_canonical()),
                None => match (host.strip_prefix("*."), host.parse::<Ipv4Addr>()) {
                    (Some(suffix), _) => ModelHost::Wildcard((self.normalize_name)(suffix)),
                    (None, Ok(ip)) => ModelHost::Ip(IpAddr::V4(ip)),
                    (None, Err(_)) => ModelHost::Name((self.normalize_name)(host)),
                },
            },
        };
        (host, lo, hi)
    }

    /// PERM-LITERAL: a strict IPv4 (std's parser: four decimal octets, no leading zeros), an
    /// IPv6 (bracketed or not; `::ffff:a.b.c.d` is a.b.c.d), or a name of letters, digits,
    /// `-`, `_` in non-empty dot-separated labels (one trailing dot allowed) that is not itself
    /// an IPv4 address.
    fn target(&self, text: &str) -> ModelTarget {
        if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return ModelTarget::Unusable;
        }
        let v6 =
            |text: &str| text.parse::<Ipv6Addr>().map(|ip| ModelTarget::Ip(IpAddr::V6(ip).to_canonical()));
        if let Some(inner) = text.strip_prefix('[') {
            return inner.strip_suffix(']').and_then(|inner| v6(inner).ok()).unwrap_or(ModelTarget::Invalid);
        }
        if let Ok(ip) = text.parse::<Ipv4Addr>() {
            return ModelTarget::Ip(IpAddr::V4(ip));
        }
        if text.contains(':') {
            return v6(text).unwrap_or(ModelTarget::Invalid);
        }
        let bare = text.strip_suffix('.').unwrap_or(text);
        let name_chars = bare.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !name_chars || bare.split('.').any(str::is_empty) || bare.parse::<Ipv4Addr>().is_ok() {
            return ModelTarget::Invalid;
        }
        ModelTarget::Name((self.normalize_name)(text))
    }

    /// Whether `flag` grants `host:port`.
    fn grants(&self, flag: Option<&str>, listen: bool, host: &str, port: u16) -> bool {
        let target = self.target(host);
        match flag {
            None => false,
            Some("") => target != ModelTarget::Unusable,
            Some(entries) => entries.split(',').any(|entry| {
                let (pattern, lo, hi) = self.entry(entry, listen);
                (lo..=hi).contains(&port)
                    && match (pattern, &target) {
                        (_, ModelTarget::Unusable) => false,
                        (ModelHost::Any, _) => true,
                        (ModelHost::Name(name), ModelTarget::Name(target)) => name == *target,
                        (ModelHost::Wildcard(suffix), ModelTarget::Name(target)) => {
                            target.len() > suffix.len() + 1 && target.ends_with(&format!(".{suffix}"))
                        }
                        (ModelHost::Ip(ip), ModelTarget::Ip(target)) => ip == *target,
                        _ => false,
                    }
            }),
        }
    }
}

/// PERM-*: check_connect grants exactly what the model grants from `--allow-net`, and
/// check_listen exactly what it grants from `--allow-listen`; every denial is PermissionDenied.
fn check_model_agrees(model: &Model, input: &FlagsAndTargets) -> Result<(), TestCaseError> {
    let permissions = parse(input.net.as_deref(), input.listen.as_deref())?;
    for (host, port) in &input.targets {
        let connect = granted(permissions.check_connect(host, *port), "connect")?;
        let expected = model.grants(input.net.as_deref(), false, host, *port);
        prop_assert_eq!(
            connect,
            expected,
            "model disagrees: connect to {:?}:{} (model target {:?})",
            host,
            port,
            model.target(host)
        );
        let listen = granted(permissions.check_listen(host, *port), "listen")?;
        let expected = model.grants(input.listen.as_deref(), true, host, *port);
        prop_assert_eq!(
            listen,
            expected,
            "model disagrees: listen on {:?}:{} (model target {:?})",
            host,
            port,
            model.target(host)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Property 3: other spellings of an address or a name

/// Spellings of `ip` that are not `ip` (PERM-LITERAL): each is a name or nothing valid, never
/// the address.
fn other_ipv4_spellings(ip: Ipv4Addr) -> Vec<String> {
    let [a, b, c, d] = ip.octets();
    let n = u32::from(ip);
    let mut spellings = Vec::new();
    for i in 0..4 {
        let mut octets: Vec<String> = ip.octets().iter().map(u8::to_string).collect();
        octets[i] = format!("0{}", octets[i]);
        spellings.push(octets.join("."));
    }
    spellings.extend([
        format!("0{a:o}.{b}.{c}.{d}"),
        format!("{a:03}.{b:03}.{c:03}.{d:03}"),
        n.to_string(),
        format!("{n:#x}"),
        format!("0X{n:08X}"),
        format!("{a}.{b}.{}", u32::from(c) << 8 | u32::from(d)),
        format!("{a}.{}", u32::from(b) << 16 | u32::from(c) << 8 | u32::from(d)),
        format!("{ip}."),
        format!("[{ip}]"),
        format!("+{ip}"),
        format!("{ip}.0"),
        // IPv4-compatible (deprecated), not IPv4-mapped: another IPv6 address.
        format!("::{ip}"),
    ]);
    let canonical = ip.to_string();
    spellings.retain(|spelling| *spelling != canonical);
    spellings
}

/// Spellings that are `ip` (`::ffff:a.b.c.d` is a.b.c.d).
fn same_ipv4_spellings(ip: Ipv4Addr) -> Vec<String> {
    let mapped = ip.to_ipv6_mapped();
    let [.., hi, lo] = mapped.segments();
    vec![
        ip.to_string(),
        mapped.to_string(),
        format!("[{mapped}]"),
        format!("::FFFF:{hi:X}:{lo:X}"),
        format!("[0:0:0:0:0:ffff:{hi:x}:{lo:x}]"),
    ]
}

#[derive(Clone, Debug)]
struct Ipv4Entry {
    ip: Ipv4Addr,
    /// None: the `--allow-net` entry has no port (every port); listen then uses port 0.
    port: Option<u16>,
}

fn ipv4_entry() -> impl Strategy<Value = Ipv4Entry> {
    (ipv4(), proptest::option::of(port(1))).prop_map(|(ip, port)| Ipv4Entry { ip, port })
}

/// PERM-LITERAL: an IPv4 entry grants its address however it is written as an address
/// (`::ffff:a.b.c.d` included), and no other spelling: leading zeros, one integer, hex, short
/// forms, a trailing dot, brackets, a sign, IPv4-compatible IPv6. Both flags alike.
fn check_ipv4_spellings(checker: &Checker, input: &Ipv4Entry) -> Result<(), TestCaseError> {
    let ip = input.ip;
    let port = input.port.unwrap_or(0);
    let net = match input.port {
        Some(port) => format!("{ip}:{port}"),
        None => ip.to_string(),
    };
    let net = parse(Some(&net), None)?;
    let listen = parse(None, Some(&format!("{ip}:{port}")))?;
    for spelling in same_ipv4_spellings(ip) {
        prop_assert!(
            granted((checker.connect)(&net, &spelling, port), &spelling)?,
            "connect {spelling:?} denied"
        );
        prop_assert!(
            granted((checker.listen)(&listen, &spelling, port), &spelling)?,
            "listen {spelling:?} denied"
        );
    }
    for spelling in other_ipv4_spellings(ip) {
        prop_assert!(
            !granted((checker.connect)(&net, &spelling, port), &spelling)?,
            "other spelling granted: connect to {spelling:?} by --allow-net entry {ip}"
        );
        prop_assert!(
            !granted((checker.listen)(&listen, &spelling, port), &spelling)?,
            "other spelling granted: listen on {spelling:?} by --allow-listen entry {ip}:{port}"
        );
    }
    Ok(())
}

/// A loopback address as a script may write it.
fn loopback() -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(b, c, d)| format!("127.{b}.{c}.{d}")),
        select(&["127.0.0.1", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "[::ffff:7f00:1]"][..])
            .prop_map(String::from),
    ]
}

/// PERM-LITERAL: `localhost`, however spelled, and loopback addresses do not grant each other.
fn check_localhost_is_not_loopback(
    checker: &Checker,
    (localhost, address, port): &(String, String, u16),
) -> Result<(), TestCaseError> {
    let entry_host = |host: &str| {
        if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_string() }
    };
    let by_name = (parse(Some(localhost), None)?, parse(None, Some(&format!("{localhost}:{port}")))?);
    let by_address = (
        parse(Some(&entry_host(address)), None)?,
        parse(None, Some(&format!("{}:{port}", entry_host(address))))?,
    );
    for (permissions, target) in [(&by_name, address), (&by_address, localhost)] {
        prop_assert!(
            !granted((checker.connect)(&permissions.0, target, *port), target)?,
            "connect {target:?} granted"
        );
        prop_assert!(
            !granted((checker.listen)(&permissions.1, target, *port), target)?,
            "listen {target:?} granted"
        );
    }
    // The entries do grant their own host, so the denials above are not vacuous.
    for (permissions, target) in [(&by_name, localhost), (&by_address, address)] {
        prop_assert!(
            granted((checker.connect)(&permissions.0, target, *port), target)?,
            "{target:?} denied by itself"
        );
    }
    Ok(())
}

fn localhost_and_loopback() -> impl Strategy<Value = (String, String, u16)> {
    (spelling(), loopback(), port(1))
        .prop_map(|(spelling, address, port)| (spell_name("localhost", spelling), address, port))
}

#[derive(Clone)]
struct NameSpellings {
    name: String,
    entry: Spelling,
    targets: Vec<Spelling>,
    wildcard: bool,
}

impl NameSpellings {
    fn entry(&self) -> String {
        let entry = spell_name(&self.name, self.entry);
        if self.wildcard { format!("*.{entry}") } else { entry }
    }
}

/// The spelled entry and targets (the masks behind them shrink to odd numbers).
impl fmt::Debug for NameSpellings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let targets: Vec<String> =
            self.targets.iter().map(|&spelling| spell_name(&self.name, spelling)).collect();
        write!(f, "entry {:?}, target spellings {targets:?}", self.entry())
    }
}

fn name_spellings() -> impl Strategy<Value = NameSpellings> {
    (name(), spelling(), vec(spelling(), 1..4), any::<bool>())
        .prop_map(|(name, entry, targets, wildcard)| NameSpellings { name, entry, targets, wildcard })
}

/// PERM-NAME-NORMAL, PERM-WILDCARD: a name entry grants its name in any case, with or without a
/// trailing dot, and nothing else close by (two trailing dots, a name below it, a name above
/// it); a wildcard entry grants names below it in any spelling, not the name itself.
fn check_name_spellings(checker: &Checker, input: &NameSpellings) -> Result<(), TestCaseError> {
    let entry = input.entry();
    let net = parse(Some(&entry), None)?;
    let listen = if input.wildcard { None } else { Some(parse(None, Some(&format!("{entry}:80")))?) };
    for &spelling in &input.targets {
        let same = spell_name(&input.name, spelling);
        let below = format!("x-1.{same}");
        let (grant, deny) = if input.wildcard { (below, same) } else { (same, below) };
        prop_assert!(granted((checker.connect)(&net, &grant, 80), &grant)?, "{grant:?} denied by {entry:?}");
        prop_assert!(!granted((checker.connect)(&net, &deny, 80), &deny)?, "{deny:?} granted by {entry:?}");
        if let Some(listen) = &listen {
            prop_assert!(granted((checker.listen)(listen, &grant, 80), &grant)?, "listen {grant:?} denied");
            prop_assert!(!granted((checker.listen)(listen, &deny, 80), &deny)?, "listen {deny:?} granted");
        }
    }
    let bare = spell_name(&input.name, Spelling { trailing_dot: false, ..input.entry });
    for near in [format!("{bare}.."), format!(".{bare}")] {
        prop_assert!(!granted((checker.connect)(&net, &near, 80), &near)?, "{near:?} granted by {entry:?}");
    }
    if let Some((_, parent)) = bare.split_once('.') {
        prop_assert!(
            !granted((checker.connect)(&net, parent, 80), parent)?,
            "{parent:?} granted by {entry:?}"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The properties against the real implementation

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parse_print_parse_is_stable(input in flags()) {
        check_round_trip(REAL_PRINTER, &input)?;
    }

    #[test]
    fn a_plain_model_agrees_with_the_checks(input in flags_and_targets()) {
        check_model_agrees(&MODEL, &input)?;
    }

    #[test]
    fn an_ipv4_entry_grants_only_address_spellings_of_its_address(input in ipv4_entry()) {
        check_ipv4_spellings(&REAL_CHECKER, &input)?;
    }

    #[test]
    fn localhost_and_loopback_addresses_do_not_grant_each_other(input in localhost_and_loopback()) {
        check_localhost_is_not_loopback(&REAL_CHECKER, &input)?;
    }

    #[test]
    fn names_match_in_any_case_and_with_a_trailing_dot(input in name_spellings()) {
        check_name_spellings(&REAL_CHECKER, &input)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Planted bugs: each property, run against a broken variant, must fail.

/// The model with the classic bug: names compared as written, case and all.
const CASE_SENSITIVE_MODEL: Model =
    Model { normalize_name: |name| name.strip_suffix('.').unwrap_or(name).to_string() };

#[test]
fn planted_bug_a_case_sensitive_model_disagrees_with_the_checks() {
    expect_caught("case-sensitive name model", flags_and_targets(), "model disagrees", |input| {
        check_model_agrees(&CASE_SENSITIVE_MODEL, &input)
    });
}

/// A printer that forgets the brackets around IPv6 addresses.
fn unbracketing_printer(permissions: &Permissions) -> (Option<String>, Option<String>) {
    let (net, listen) = permissions.to_flags();
    let strip = |flag: Option<String>| flag.map(|flag| flag.replace(['[', ']'], ""));
    (strip(net), strip(listen))
}

#[test]
fn planted_bug_a_printer_without_brackets_fails_the_round_trip() {
    expect_caught("printer drops IPv6 brackets", flags(), "round trip", |input| {
        check_round_trip(unbracketing_printer, &input)
    });
}

/// A checker that "normalizes" leading zeros away before checking: `127.0.0.01` becomes
/// `127.0.0.1`.
fn zero_stripping_connect(permissions: &Permissions, host: &str, port: u16) -> NetResult<()> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() != 4
        || !parts.iter().all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    {
        return permissions.check_connect(host, port);
    }
    let stripped: Vec<&str> = parts
        .iter()
        .map(|part| Some(part.trim_start_matches('0')).filter(|s| !s.is_empty()).unwrap_or("0"))
        .collect();
    permissions.check_connect(&stripped.join("."), port)
}

const ZERO_STRIPPING_CHECKER: Checker =
    Checker { connect: zero_stripping_connect, listen: Permissions::check_listen };

#[test]
fn planted_bug_a_checker_that_strips_leading_zeros_grants_other_spellings() {
    expect_caught("checker strips leading zeros", ipv4_entry(), "other spelling granted", |input| {
        check_ipv4_spellings(&ZERO_STRIPPING_CHECKER, &input)
    });
}

/// A checker that matches names case-sensitively: denies when the target has upper case.
fn case_sensitive_connect(permissions: &Permissions, host: &str, port: u16) -> NetResult<()> {
    if host.chars().any(|c| c.is_ascii_uppercase()) {
        // Reuse the real denial for its class and message.
        return Permissions::deny_all().check_connect(host, port);
    }
    permissions.check_connect(host, port)
}

const CASE_SENSITIVE_CHECKER: Checker =
    Checker { connect: case_sensitive_connect, listen: Permissions::check_listen };

#[test]
fn planted_bug_a_case_sensitive_checker_fails_name_normalization() {
    expect_caught("checker is case-sensitive", name_spellings(), "denied by", |input| {
        check_name_spellings(&CASE_SENSITIVE_CHECKER, &input)
    });
}

/// A checker that also tries `localhost` as 127.0.0.1 (what a resolving check would do).
fn resolving_connect(permissions: &Permissions, host: &str, port: u16) -> NetResult<()> {
    permissions.check_connect(host, port).or_else(|denied| {
        if normalize_name(host) == "localhost" {
            permissions.check_connect("127.0.0.1", port)
        } else {
            Err(denied)
        }
    })
}

const RESOLVING_CHECKER: Checker = Checker { connect: resolving_connect, listen: Permissions::check_listen };

#[test]
fn planted_bug_a_checker_that_resolves_localhost_fails_the_literal_property() {
    expect_caught("checker resolves localhost", localhost_and_loopback(), "\" granted", |input| {
        check_localhost_is_not_loopback(&RESOLVING_CHECKER, &input)
    });
}
