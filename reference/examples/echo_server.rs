//! The spec's minimal TCP echo server, almost line for line:
//!
//! ```text
//! $server = %net.tcp_listen('127.0.0.1', 8080)
//! forever
//!   $client = $server.accept
//!   $line = $client.recv_line
//!   $client.send_all($line)
//!   $client.close
//! end
//! ```
//!
//! Run: `cargo run -p caspian-reference --example echo_server -- 8080`

use caspian_reference::blocking::{Net, TcpListener};
use caspian_reference::permissions::Permissions;
use caspian_reference::{CallOpts, NetResult};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: i64 = std::env::args().nth(1).as_deref().unwrap_or("8080").parse()?;
    let net = Net::new(Permissions::from_flags(None, Some(&port.to_string()))?);
    let server = net.tcp_listen("127.0.0.1", port)?;
    println!("echoing lines on 127.0.0.1:{}", server.local_port());
    serve(&server, None)?;
    Ok(())
}

/// LST-EXAMPLE-ECHO: serves `connections` clients (forever with `None`), one line each.
pub fn serve(server: &TcpListener, connections: Option<usize>) -> NetResult<()> {
    let mut served = 0;
    while connections.is_none_or(|n| served < n) {
        let mut client = server.accept(CallOpts::default())?;
        let line = client.recv_line(CallOpts::default())?;
        client.send_all(&line)?;
        client.close();
        served += 1;
    }
    Ok(())
}
