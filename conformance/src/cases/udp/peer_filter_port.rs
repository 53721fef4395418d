//! IO-UDP-PEER-FILTER: the default peer is a host *and* a port. A datagram from the peer's host
//! but from another port is not the peer's.

use crate::body;
use crate::cases::support::{recv_opts, send_to, udp_peer};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::waits::Waits;

use super::UDP;

pub const SAME_HOST_OTHER_PORT: Case = Case {
    id: "udp.peer_filter.same_host_other_port",
    clauses: &["IO-UDP-PEER-FILTER", "UDP-OPEN-PEER", "UDP-SEND-TO"],
    level: Must,
    needs: UDP,
    worlds: Both,
    description: "a socket whose default peer is one echo peer ignores the reply of a second echo peer on the same \
        host (send_to it first): recv returns the default peer's echo, then raises Timeout",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let peer = ctx.peers.udp_echo().await;
        let other = ctx.peers.udp_echo().await;
        let mut engine = ctx.engine_for_peers().await?;
        let sock = engine.handle(udp_peer(&peer.host, peer.port)).await?;
        engine.int(send_to(sock, b"from another port", &other.host, other.port)).await?;
        engine.int(Request::send(sock, b"from the peer")).await?;
        engine.expect_bytes("recv", recv_opts(sock, 100, waits.ok_opts()), b"from the peer").await?;
        engine.raises(recv_opts(sock, 100, CallOpts::timeout(0.3)), "Timeout").await?;
        engine.close(sock).await
    }),
};
