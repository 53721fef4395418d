//! The reference implementation of Caspian's raw socket layer: `%net`, tcp, tcp_listener, udp
//! and ssl, with the permission model and exception classes of the settled spec.
//!
//! It is written once, async, over a [`transport::Transport`]: OS sockets
//! ([`transport::os::OsTransport`]) or, with the `sim` feature, turmoil's simulated network.
//! [`blocking`] is the synchronous surface the spec describes, over OS sockets.
//!
//! ```no_run
//! use caspian_reference::blocking::Net;
//! use caspian_reference::permissions::Permissions;
//!
//! let net = Net::new(Permissions::from_flags(Some("localhost:7"), None)?)?;
//! let mut sock = net.tcp("localhost", 7)?;
//! sock.send_all(b"hello\n")?;
//! let reply = sock.recv_line(Default::default())?;
//! println!("{}", String::from_utf8_lossy(&reply));
//! sock.close();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod blocking;
pub mod error;
pub mod framing;
pub mod listener;
pub mod net;
pub mod options;
pub mod peer_cert;
pub mod permissions;
pub mod stream;
pub mod tcp;
pub mod tls;
pub mod transport;
pub mod udp;
mod wait;

pub use error::{CertificateReason, ErrorClass, NetError, NetResult};
pub use net::Net;
pub use options::{CallOpts, TimeoutOpt};
pub use tls::{TlsContext, TlsOptions};
