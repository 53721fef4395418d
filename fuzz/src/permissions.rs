//! The property of the `permissions` target: `--allow-net` / `--allow-listen` parsing and
//! checking never panic, agree with [`crate::permission_model`], and no other spelling of a
//! denied address is allowed (PERM-LITERAL).
//!
//! Input: text lines `net=VALUE`, `listen=VALUE` (a missing line is an absent flag, `net=` the
//! bare flag), any number of `host=HOST`, and `port=N` (default 443). Other lines are ignored.
//! Every host is checked as written and in every other spelling of its address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use caspian_reference::ErrorClass;
use caspian_reference::permissions::Permissions;

use crate::permission_model::{InvalidFlag, Model, ModelHost, target};

/// A decoded input.
struct Input<'a> {
    net: Option<&'a str>,
    listen: Option<&'a str>,
    hosts: Vec<&'a str>,
    port: u16,
}

fn decode(text: &str) -> Input<'_> {
    let mut input = Input { net: None, listen: None, hosts: Vec::new(), port: 443 };
    for line in text.split('\n') {
        match line.split_once('=') {
            Some(("net", value)) => input.net = Some(value),
            Some(("listen", value)) => input.listen = Some(value),
            Some(("host", value)) => input.hosts.push(value),
            Some(("port", value)) => input.port = value.parse().unwrap_or(input.port),
            _ => {}
        }
    }
    input
}

/// Runs the property on one input; panics on a violation.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let input = decode(&text);
    let real = Permissions::from_flags(input.net, input.listen);
    let model = Model::parse(input.net, input.listen);
    let (real, model) = match (real, model) {
        (Ok(real), Ok(model)) => (real, model),
        (Err(error), Err(invalid)) => {
            let flag = if invalid == InvalidFlag::Net { "--allow-net" } else { "--allow-listen" };
            assert_eq!(error.class, ErrorClass::ArgumentError, "{error}");
            assert!(error.message.contains(flag), "the error does not name {flag}: {error}");
            return;
        }
        (real, model) => {
            panic!("flags {:?} / {:?}: reference {real:?}, model {model:?}", input.net, input.listen)
        }
    };
    let (net, listen) = real.to_flags();
    assert_eq!(Permissions::from_flags(net.as_deref(), listen.as_deref()).as_ref(), Ok(&real), "round trip");
    for host in &input.hosts {
        agrees(&real, &model, host, input.port);
        let Some(ModelHost::Ip(address)) = target(host) else { continue };
        for spelling in spellings(address) {
            agrees(&real, &model, &spelling, input.port);
            same_address_same_decision(&real, &model, host, &spelling, address, input.port);
        }
    }
}

/// The reference decides as the model does, and a denial is a PermissionDenied.
fn agrees(real: &Permissions, model: &Model, host: &str, port: u16) {
    let connect = real.check_connect(host, port);
    assert_eq!(connect.is_ok(), model.allows_connect(host, port), "connect {host:?}:{port}: {connect:?}");
    let listen = real.check_listen(host, port);
    assert_eq!(listen.is_ok(), model.allows_listen(host, port), "listen {host:?}:{port}: {listen:?}");
    for denial in [connect.err(), listen.err()].into_iter().flatten() {
        assert_eq!(denial.class, ErrorClass::PermissionDenied, "{denial}");
    }
}

/// PERM-LITERAL: a spelling that is the same address is decided as the address; any other
/// spelling of a denied address is a name, allowed only by a name entry that spells it so.
fn same_address_same_decision(
    real: &Permissions,
    model: &Model,
    host: &str,
    spelling: &str,
    address: IpAddr,
    port: u16,
) {
    let allowed = |h: &str| real.check_connect(h, port).is_ok();
    match target(spelling) {
        Some(ModelHost::Ip(other)) if other == address => {
            assert_eq!(allowed(spelling), allowed(host), "{spelling:?} is {host:?} but decided apart");
            let listens = |h: &str| real.check_listen(h, port).is_ok();
            assert_eq!(listens(spelling), listens(host), "{spelling:?} is {host:?} but decided apart");
        }
        Some(ModelHost::Ip(_)) => {}
        _ if allowed(host) => {}
        _ => assert!(
            !allowed(spelling) || model.name_entry_grants(spelling, port),
            "{host:?} is denied but its spelling {spelling:?} is allowed"
        ),
    }
}

/// Other spellings of `address`: those OS resolvers read as the same address (decimal, hex,
/// octal, short forms, zero padding), IPv4-mapped IPv6, bracketing, case and trailing dots.
pub fn spellings(address: IpAddr) -> Vec<String> {
    let mut out = match address {
        IpAddr::V4(v4) => v4_spellings(v4),
        IpAddr::V6(v6) => v6_spellings(v6),
    };
    let plain = address.to_string();
    out.extend([format!("{plain}."), format!("[{plain}]"), format!("{plain}%0"), format!("{plain}:443")]);
    out
}

fn v4_spellings(ip: Ipv4Addr) -> Vec<String> {
    let [a, b, c, d] = ip.octets();
    let n = u32::from(ip);
    let mapped = ip.to_ipv6_mapped();
    let mut out = vec![
        n.to_string(),
        format!("{n:#x}"),
        format!("{n:#X}"),
        format!("0{n:o}"),
        format!("0{a:o}.0{b:o}.0{c:o}.0{d:o}"),
        format!("{a:#x}.{b:#x}.{c:#x}.{d:#x}"),
        format!("{a:03}.{b:03}.{c:03}.{d:03}"),
        format!("{a}.{b}.{}", u32::from(c) << 8 | u32::from(d)),
        format!("{a}.{}", n & 0x00ff_ffff),
        format!("{a}.{b}.{c}.{d}.0"),
        format!("::ffff:{ip}"),
        format!("::FFFF:{ip}"),
        format!("[::ffff:{ip}]"),
        format!("0:0:0:0:0:ffff:{ip}"),
        format!("::{ip}"),
        format!("64:ff9b::{ip}"),
    ];
    out.extend(v6_spellings(mapped));
    out
}

fn v6_spellings(ip: Ipv6Addr) -> Vec<String> {
    let groups = ip.segments();
    let full = groups.map(|g| format!("{g:x}")).join(":");
    let padded = groups.map(|g| format!("{g:04x}")).join(":");
    vec![
        ip.to_string().to_uppercase(),
        full.clone(),
        padded.to_uppercase(),
        format!("[{full}]"),
        format!("[{padded}]"),
        format!("[{}]", ip.to_string().to_uppercase()),
    ]
}
