//! The spec's TCP echo client, almost line for line:
//!
//! ```text
//! $sock = %net.tcp('echo.example.com', 7)
//! $sock.send_all('hello\n')
//! $reply = $sock.recv_line
//! puts $reply
//! $sock.close
//! ```
//!
//! Run: `cargo run -p caspian-reference --example echo_client -- 127.0.0.1 8080`

use caspian_reference::blocking::Net;
use caspian_reference::permissions::Permissions;
use caspian_reference::{Bytes, CallOpts, NetResult};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port: i64 = args.next().as_deref().unwrap_or("8080").parse()?;
    let net = Net::new(Permissions::from_flags(Some(&format!("{host}:{port}")), None)?);
    let reply = echo_hello(&net, &host, port)?;
    print!("{}", String::from_utf8_lossy(&reply));
    Ok(())
}

/// TCP-EXAMPLE-ECHO: sends `hello\n` and returns the line the server answers.
pub fn echo_hello(net: &Net, host: &str, port: i64) -> NetResult<Bytes> {
    let mut sock = net.tcp(host, port)?;
    sock.send_all(b"hello\n")?;
    let reply = sock.recv_line(CallOpts::default())?;
    sock.close();
    Ok(reply)
}
