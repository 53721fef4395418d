//! What the machine under the real world can do, probed once per process: a case that needs
//! what the machine lacks is reported SKIP with the reason (`Ctx::require`), not FAIL.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::OnceLock;
use std::time::Duration;

use caspian_conformance::peers::MachineNeed;

/// The largest IPv4 UDP payload, which `udp.send_to.largest_datagram` sends over loopback.
const LARGEST_DATAGRAM: usize = 65_507;

/// A documentation address (RFC 5737) no machine has.
const FOREIGN: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);

/// Why this machine cannot serve `need`, if it cannot. Each probe runs once.
pub fn lacks(need: MachineNeed) -> Option<String> {
    static IPV6: OnceLock<Option<String>> = OnceLock::new();
    static DATAGRAM: OnceLock<Option<String>> = OnceLock::new();
    static FOREIGN_BIND: OnceLock<Option<String>> = OnceLock::new();
    match need {
        MachineNeed::Ipv6Loopback => IPV6.get_or_init(probe_ipv6).clone(),
        MachineNeed::LargestDatagram => DATAGRAM.get_or_init(probe_largest_datagram).clone(),
        MachineNeed::ForeignBindRefused => FOREIGN_BIND.get_or_init(probe_foreign_bind).clone(),
    }
}

fn probe_ipv6() -> Option<String> {
    TcpListener::bind((Ipv6Addr::LOCALHOST, 0))
        .err()
        .map(|e| format!("this machine has no IPv6 on loopback (binding [::1]:0 failed: {e})"))
}

fn probe_largest_datagram() -> Option<String> {
    let sent = || -> std::io::Result<usize> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        socket.set_read_timeout(Some(Duration::from_secs(2)))?;
        socket.send_to(&[0u8; LARGEST_DATAGRAM], socket.local_addr()?)?;
        let mut back = vec![0u8; LARGEST_DATAGRAM + 1];
        socket.recv(&mut back)
    };
    match sent() {
        Ok(LARGEST_DATAGRAM) => None,
        Ok(n) => Some(format!("this machine's loopback cut a {LARGEST_DATAGRAM}-byte datagram to {n} bytes")),
        Err(e) => {
            Some(format!("this machine's loopback does not carry a {LARGEST_DATAGRAM}-byte datagram ({e})"))
        }
    }
}

fn probe_foreign_bind() -> Option<String> {
    TcpListener::bind(SocketAddr::from((FOREIGN, 0))).ok().map(|_| {
        format!(
            "this machine lets a socket bind {FOREIGN}, an address it does not have (ip_nonlocal_bind is on)"
        )
    })
}
