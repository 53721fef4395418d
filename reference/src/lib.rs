//! The reference implementation of Caspian's raw socket layer: `%net`, tcp, tcp_listener, udp
//! and ssl, with the permission model and exception classes of the settled spec.
//!
//! It has two surfaces over one sans-IO core (the checks, permissions, framing and errors of
//! every operation): async over a [`transport::Transport`] ([`Net`]: OS sockets through
//! [`transport::os::OsTransport`] or, with the `sim` feature, turmoil's simulated network), and
//! [`blocking`], the synchronous surface the spec describes, on blocking OS sockets.
//!
//! ```no_run
//! use caspian_reference::blocking::Net;
//! use caspian_reference::permissions::Permissions;
//!
//! let net = Net::new(Permissions::from_flags(Some("localhost:7"), None)?);
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
mod gate;
pub mod listener;
pub mod net;
pub mod options;
pub mod peer_cert;
pub mod permissions;
pub mod stream;
pub mod stream_state;
pub mod tcp;
pub mod tls;
pub mod transport;
pub mod udp;
mod wait;

/// What the receive operations return: the bytes received, without a copy.
pub use bytes::Bytes;
pub use error::{CertificateReason, ErrorClass, NetError, NetResult};
pub use net::Net;
pub use options::{CallOpts, TimeoutOpt};
pub use tls::{TlsContext, TlsOptions};
/// The TLS streams the reference runs on, so that code serving its clients uses the same.
pub use tokio_rustls;
/// The simulated network `transport::sim` runs on, so that code sharing its hosts uses the same.
#[cfg(feature = "sim")]
pub use turmoil;
