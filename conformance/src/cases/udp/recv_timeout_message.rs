//! UDP-RECV and IO-TIMEOUT-DEFAULT: what a udp receive that times out says. A socket with no
//! default peer has only its own address involved, so the Timeout names its port, as an accept
//! that times out names the listener's.

use crate::body;
use crate::cases::support::{local_port, recv_from, recv_opts};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{CallOpts, Request};
use crate::script::expect_mentions;

use super::UDP;

pub const NAMES_THE_SOCKET: Case = Case {
    id: "udp.recv.timeout_names_port",
    clauses: &["UDP-RECV", "UDP-RECV-FROM", "IO-TIMEOUT-DEFAULT"],
    level: Should,
    needs: UDP,
    worlds: Both,
    description: "on udp_listen(host, 0), recv(timeout: 0.3) and recv_from(timeout: 0.3) with nothing arriving \
        raise Timeout whose message names the socket's .local_port",
    run: body!(async |ctx| {
        let mut engine = ctx.engine(Some(ctx.peers.host()), Some("0")).await?;
        let sock = engine.handle(Request::UdpListen { host: ctx.bind_host().into(), port: 0 }).await?;
        let port = local_port(&mut engine, sock).await?.to_string();
        for request in
            [recv_opts(sock, 100, CallOpts::timeout(0.3)), recv_from(sock, 100, CallOpts::timeout(0.3))]
        {
            let raised = engine.raises(request, "Timeout").await?;
            expect_mentions(&raised, &[&port])?;
        }
        engine.close(sock).await
    }),
};
