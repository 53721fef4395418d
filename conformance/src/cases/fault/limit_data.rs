//! A connection that closes after a number of bytes (Toxiproxy's limit_data): recv_exact past
//! the end raises EndOfStream and consumes nothing (IO-NOTHING-LOST).

use crate::body;
use crate::cases::support::{pattern, recv_opts, same_bytes, script, send};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::Fault;
use crate::waits::Waits;

use super::{NOW, TCP, apply, connected_to};

pub const END_OF_STREAM_KEEPS_THE_BYTES: Case = Case {
    id: "fault.limit_data.end_of_stream_keeps_the_bytes",
    clauses: &["IO-NOTHING-LOST", "TCP-RECV-EXACT"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a peer's 100 bytes cut to 40 and the connection closed: recv_exact(100) raises EndOfStream, then recv returns the 40 bytes",
    run: body!(async |ctx| {
        let waits = Waits::of(&ctx);
        let link = ctx.peers.link(script(vec![send(&pattern(100))])).await;
        apply(&ctx, &link, Fault::LimitData(40), NOW)?;
        let (mut engine, sock) = connected_to(&ctx, &link).await?;
        engine.raises(Request::recv_exact(sock, 100, waits.ok_opts()), "EndOfStream").await?;
        let rest = engine.bytes(recv_opts(sock, 100, waits.ok_opts())).await?;
        same_bytes("the bytes before the end", &rest, &pattern(40))
    }),
};
