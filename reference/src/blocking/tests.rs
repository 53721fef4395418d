//! The blocking surface raises what the async surface raises, word for word: the same
//! operations, run on both against the same loopback peers, give equal errors.

use std::io::Write;
use std::net::TcpListener as StdListener;
use std::thread;

use super::Net;
use crate::error::{ErrorClass, NetError, NetResult};
use crate::options::{CallOpts, TimeoutOpt};
use crate::permissions::Permissions;
use crate::tls::TlsOptions;
use crate::transport::os::OsTransport;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

/// Both surfaces with the same permissions: connect to 127.0.0.1, listen nowhere.
fn surfaces() -> (Net, crate::Net<OsTransport>) {
    let permissions = || Permissions::from_flags(Some("127.0.0.1"), None).expect("valid flags");
    (Net::new(permissions()), crate::Net::new(OsTransport, permissions()))
}

/// The error of each outcome, which must be one.
#[track_caller]
fn same_error<A, B>(blocking: NetResult<A>, async_: NetResult<B>) -> NetError {
    let (Err(blocking), Err(async_)) = (blocking, async_) else {
        panic!("both surfaces must raise");
    };
    assert_eq!(blocking, async_);
    blocking
}

/// A peer on 127.0.0.1 that sends `bytes` on each of `connections` connections, then waits for
/// the client to close (or closes at once with `close`). Returns its port.
fn peer(connections: usize, bytes: &'static [u8], close: bool) -> i64 {
    let listener = StdListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("its address").port();
    thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut stream, _)) = listener.accept() else { return };
            let _ = stream.write_all(bytes);
            if close {
                drop(stream);
            } else {
                thread::spawn(move || {
                    let _ = std::io::Read::read_to_end(&mut stream, &mut Vec::new());
                });
            }
        }
    });
    i64::from(port)
}

#[test]
fn argument_and_permission_errors_come_before_any_io_and_match() {
    let rt = runtime();
    let (blocking, async_) = surfaces();
    let error = same_error(blocking.tcp("", 80), rt.block_on(async_.tcp("", 80)));
    assert_eq!(error.class, ErrorClass::ArgumentError);
    let error = same_error(blocking.tcp("10.0.0.1", 80), rt.block_on(async_.tcp("10.0.0.1", 80)));
    assert_eq!(error.class, ErrorClass::PermissionDenied);
    let negative = TimeoutOpt::Seconds(-1.0);
    let error = same_error(
        blocking.tcp_new("127.0.0.1", 80, negative),
        rt.block_on(async_.tcp_new("127.0.0.1", 80, negative)),
    );
    assert_eq!(error.class, ErrorClass::ArgumentError);
    let options = TlsOptions { protocols: Some(vec!["SSLv3".into()]), ..TlsOptions::default() };
    let error = same_error(
        blocking.ssl("127.0.0.1", 443, TimeoutOpt::Inherit, &options),
        rt.block_on(async_.ssl("127.0.0.1", 443, TimeoutOpt::Inherit, &options)),
    );
    assert_eq!(error.class, ErrorClass::ArgumentError);
    let error =
        same_error(blocking.tcp_listen("127.0.0.1", 0), rt.block_on(async_.tcp_listen("127.0.0.1", 0)));
    assert_eq!(error.class, ErrorClass::PermissionDenied);
    let error = same_error(blocking.udp_peer("10.0.0.1", 53), rt.block_on(async_.udp_peer("10.0.0.1", 53)));
    assert_eq!(error.class, ErrorClass::PermissionDenied);
}

#[test]
fn a_refused_connection_matches() {
    let rt = runtime();
    let (blocking, async_) = surfaces();
    let closed = {
        let listener = StdListener::bind("127.0.0.1:0").expect("bind loopback");
        i64::from(listener.local_addr().expect("its address").port())
    };
    let error = same_error(blocking.tcp("127.0.0.1", closed), rt.block_on(async_.tcp("127.0.0.1", closed)));
    assert_eq!(error.class, ErrorClass::ConnectionRefused);
}

#[test]
fn framing_errors_timeouts_and_closed_sockets_match() {
    let rt = runtime();
    let (blocking, async_) = surfaces();
    let port = peer(2, b"line\nabc", true);
    let mut b = blocking.tcp("127.0.0.1", port).expect("blocking connect");
    let mut a = rt.block_on(async_.tcp("127.0.0.1", port)).expect("async connect");
    let short = CallOpts { max_length: Some(2), ..CallOpts::default() };
    let error = same_error(b.recv_line(short), rt.block_on(a.recv_line(short)));
    assert_eq!(error.reason.as_deref(), Some("line_too_long"));
    assert_eq!(b.recv_line(CallOpts::default()), rt.block_on(a.recv_line(CallOpts::default())));
    let error =
        same_error(b.recv_exact(10, CallOpts::default()), rt.block_on(a.recv_exact(10, CallOpts::default())));
    assert_eq!(error.class, ErrorClass::EndOfStream);
    let error = same_error(b.recv(0, CallOpts::default()), rt.block_on(a.recv(0, CallOpts::default())));
    assert_eq!(error.class, ErrorClass::ArgumentError);
    b.close();
    rt.block_on(a.close());
    let error = same_error(b.recv(1, CallOpts::default()), rt.block_on(a.recv(1, CallOpts::default())));
    assert_eq!(error.class, ErrorClass::Closed);
    let error =
        same_error(b.starttls(&TlsOptions::default()), rt.block_on(a.starttls(TlsOptions::default())));
    assert_eq!(error.class, ErrorClass::Closed);

    let quiet = peer(2, b"", false);
    let mut b = blocking.tcp("127.0.0.1", quiet).expect("blocking connect");
    let mut a = rt.block_on(async_.tcp("127.0.0.1", quiet)).expect("async connect");
    let brief = CallOpts::timeout(0.05);
    let error = same_error(b.recv_exact(1, brief), rt.block_on(a.recv_exact(1, brief)));
    assert_eq!(error.class, ErrorClass::Timeout);
    b.shutdown(":send").expect("blocking shutdown");
    rt.block_on(a.shutdown(":send")).expect("async shutdown");
    let error = same_error(b.send_all(b"x"), rt.block_on(a.send_all(b"x")));
    assert_eq!(error.class, ErrorClass::Closed);
}
