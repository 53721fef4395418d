//! The peers a case talks to: small servers written once over [`Transport`], so that they run
//! unchanged on loopback and in the simulated network.

use std::time::Duration;

use caspian_reference::transport::{BoxedStream, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What a TCP peer does with each connection it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// Echoes every byte back until the client ends its side, then closes.
    Echo,
    /// Runs these steps on every connection, then holds it open until the client closes.
    Script(Vec<Step>),
}

/// One step of a scripted peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Writes these bytes in one write.
    Send(Vec<u8>),
    /// Writes these bytes one at a time, with a pause between bytes.
    Dribble(Vec<u8>, Duration),
    /// Waits.
    Pause(Duration),
    /// Reads exactly this many bytes (waiting for them) and discards them.
    Recv(usize),
    /// Reads until the client ends its side, and discards what it read.
    RecvToEnd,
    /// Ends our side (the client reads end of stream) but keeps reading.
    ShutdownWrite,
    /// Closes the connection now. Closing with unread bytes resets it.
    Close,
}

impl Peer {
    /// Serves one accepted connection.
    pub async fn serve(&self, mut stream: BoxedStream) -> std::io::Result<()> {
        match self {
            Peer::Echo => {
                let (mut reader, mut writer) = tokio::io::split(stream);
                tokio::io::copy(&mut reader, &mut writer).await?;
                writer.shutdown().await
            }
            Peer::Script(steps) => {
                for step in steps {
                    if !run_step(step, &mut stream).await? {
                        return Ok(());
                    }
                }
                // Hold the connection until the client is done with it.
                let mut sink = [0u8; 4096];
                while stream.read(&mut sink).await? > 0 {}
                Ok(())
            }
        }
    }
}

/// Runs one step; false when the connection is gone.
async fn run_step(step: &Step, stream: &mut BoxedStream) -> std::io::Result<bool> {
    match step {
        Step::Send(bytes) => stream.write_all(bytes).await?,
        Step::Dribble(bytes, pause) => {
            for byte in bytes {
                stream.write_all(&[*byte]).await?;
                tokio::time::sleep(*pause).await;
            }
        }
        Step::Pause(pause) => tokio::time::sleep(*pause).await,
        Step::Recv(n) => {
            let mut buf = vec![0u8; *n];
            stream.read_exact(&mut buf).await?;
        }
        Step::RecvToEnd => {
            let mut sink = Vec::new();
            stream.read_to_end(&mut sink).await?;
        }
        Step::ShutdownWrite => stream.shutdown().await?,
        Step::Close => return Ok(false),
    }
    Ok(true)
}

/// Accepts connections forever, serving each with `peer` on its own task.
pub async fn serve_tcp<T: Transport>(listener: T::TcpListener, peer: Peer) {
    while let Ok(connected) = T::accept(&listener).await {
        let peer = peer.clone();
        tokio::spawn(async move {
            let _ = peer.serve(connected.stream).await;
        });
    }
}

/// Echoes every datagram to its sender, forever.
pub async fn serve_udp_echo<T: Transport>(socket: T::UdpSocket) {
    let mut buf = vec![0u8; 65_536];
    while let Ok((n, from)) = T::recv_from(&socket, &mut buf).await {
        let _ = T::send_to(&socket, &buf[..n], from).await;
    }
}
