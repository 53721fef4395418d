//! PERM-LITERAL: an IPv4 octet written with a leading zero in three characters or fewer
//! (`01`, `001`, `000`) makes the whole spelling a name, not an address, in a target and in an
//! entry alike. Resolvers read such octets as octal (`010` is 8), so an engine that took
//! `010.0.0.1` for the address 10.0.0.1 would check one address and connect to another.

use crate::body;
use crate::cases::support::LOOPBACK;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;

use super::{TCP, engine_named, loopback_closed, tcp_denied, tcp_refused};

/// Spellings of 127.0.0.1 with a zero-padded octet no longer than three characters.
const PADDED: [&str; 3] = ["127.0.0.01", "127.0.0.001", "127.000.0.1"];

pub const PADDED_TARGETS: Case = Case {
    id: "perm.literal.zero_padded_targets",
    clauses: &["PERM-LITERAL", "DEC-PERM-SYNTAX"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "the entry 127.0.0.1:PORT denies the targets 127.0.0.01, 127.0.0.001 and 127.000.0.1 on PORT \
        (PermissionDenied: they are names), and grants 127.0.0.1 (ConnectionRefused)",
    run: body!(async |ctx| {
        let (port, _) = loopback_closed(&ctx).await;
        let mut engine = engine_named(&ctx, &format!("{LOOPBACK}:{port}")).await?;
        for host in PADDED {
            tcp_denied(&mut engine, host, port).await?;
        }
        tcp_refused(&mut engine, LOOPBACK, port).await
    }),
};

pub const PADDED_ENTRIES: Case = Case {
    id: "perm.literal.zero_padded_entries",
    clauses: &["PERM-LITERAL", "PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "the entries 127.0.0.01, 127.0.0.001 and 127.000.0.1 are names: the engine starts, \
        and they deny the target 127.0.0.1",
    run: body!(async |ctx| {
        let (port, _) = loopback_closed(&ctx).await;
        let mut engine = engine_named(&ctx, &PADDED.join(",")).await?;
        tcp_denied(&mut engine, LOOPBACK, port).await
    }),
};
