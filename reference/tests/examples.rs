//! TCP-EXAMPLE-ECHO and LST-EXAMPLE-ECHO: the spec's two examples, as written in
//! `examples/`, run against each other over loopback.

#[allow(dead_code)]
#[path = "../examples/echo_client.rs"]
mod echo_client;
#[allow(dead_code)]
#[path = "../examples/echo_server.rs"]
mod echo_server;

use caspian_reference::blocking::Net;
use caspian_reference::permissions::Permissions;

#[test]
fn echo_client_and_server_examples_work_as_written() {
    let server_net = Net::new(Permissions::from_flags(None, Some("127.0.0.1:0")).unwrap());
    let server = server_net.tcp_listen("127.0.0.1", 0).unwrap();
    let port = i64::from(server.local_port());
    let serving = std::thread::spawn(move || echo_server::serve(&server, Some(2)));

    let client_net = Net::new(Permissions::from_flags(Some(&format!("127.0.0.1:{port}")), None).unwrap());
    assert_eq!(echo_client::echo_hello(&client_net, "127.0.0.1", port).unwrap(), &b"hello\n"[..]);
    assert_eq!(echo_client::echo_hello(&client_net, "127.0.0.1", port).unwrap(), &b"hello\n"[..]);
    serving.join().unwrap().unwrap();
}

#[test]
fn echo_client_example_needs_its_grant() {
    let net = Net::new(Permissions::deny_all());
    let err = echo_client::echo_hello(&net, "127.0.0.1", 7).unwrap_err();
    assert_eq!(err.class, caspian_reference::ErrorClass::PermissionDenied);
    assert!(err.message.contains("127.0.0.1:7"), "{err}");
}
