//! PERM-LITERAL: names and addresses are compared as written, never resolved.

use crate::body;
use crate::cases::support::{LOOPBACK, next_port, target};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::peers::MachineNeed;

use super::{TCP, engine_named, loopback_closed, tcp_denied, tcp_refused};

pub const NAME_VS_ADDRESS: Case = Case {
    id: "perm.literal.name_vs_address",
    clauses: &["PERM-LITERAL"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "localhost:PORT denies 127.0.0.1 and ::1 (but grants localhost: ConnectionRefused); 127.0.0.1:PORT denies localhost (but grants 127.0.0.1)",
    run: body!(async |ctx| {
        let (port, _) = loopback_closed(&ctx).await;
        let mut name = engine_named(&ctx, &format!("localhost:{port}")).await?;
        tcp_denied(&mut name, LOOPBACK, port).await?;
        tcp_denied(&mut name, "::1", port).await?;
        tcp_refused(&mut name, "localhost", port).await?;
        let mut address = engine_named(&ctx, &target(LOOPBACK, port)).await?;
        tcp_denied(&mut address, "localhost", port).await?;
        tcp_refused(&mut address, LOOPBACK, port).await
    }),
};

pub const ODD_IPV4_TARGETS: Case = Case {
    id: "perm.literal.odd_ipv4_targets",
    clauses: &["PERM-LITERAL"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "the entry 127.0.0.1 denies the targets 127.1, 2130706433, 0x7f000001 and 0177.0.0.1 (PermissionDenied, not ConnectionRefused)",
    run: body!(async |ctx| {
        let (port, _) = loopback_closed(&ctx).await;
        let mut engine = engine_named(&ctx, LOOPBACK).await?;
        for host in ["127.1", "2130706433", "0x7f000001", "0177.0.0.1"] {
            tcp_denied(&mut engine, host, port).await?;
        }
        tcp_refused(&mut engine, LOOPBACK, port).await
    }),
};

pub const ODD_IPV4_ENTRIES: Case = Case {
    id: "perm.literal.odd_ipv4_entries",
    clauses: &["PERM-LITERAL", "PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "the entries 127.1, 2130706433, 0x7f000001 and 0177.0.0.1 are names: the engine starts, and they deny the target 127.0.0.1",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let mut engine = engine_named(&ctx, "127.1,2130706433,0x7f000001,0177.0.0.1").await?;
        tcp_denied(&mut engine, LOOPBACK, closed.port).await
    }),
};

pub const IPV4_MAPPED: Case = Case {
    id: "perm.literal.ipv4_mapped",
    clauses: &["PERM-LITERAL", "PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "[::ffff:127.0.0.1]:PORT and [::FFFF:7F00:1]:PORT grant 127.0.0.1:PORT (ConnectionRefused) and deny the next port",
    run: body!(async |ctx| {
        let (port, _) = loopback_closed(&ctx).await;
        for grant in [format!("[::ffff:127.0.0.1]:{port}"), format!("[::FFFF:7F00:1]:{port}")] {
            let mut engine = engine_named(&ctx, &grant).await?;
            tcp_refused(&mut engine, LOOPBACK, port).await?;
            tcp_denied(&mut engine, LOOPBACK, next_port(port)).await?;
        }
        Ok(())
    }),
};

pub const IPV4_MAPPED_TARGET: Case = Case {
    id: "perm.literal.ipv4_mapped_target",
    clauses: &["PERM-LITERAL"],
    level: Must,
    needs: TCP,
    worlds: RealOnly("the simulated network is IPv4 only: ::ffff:127.0.0.1 cannot be reached there"),
    description: "127.0.0.1:PORT grants the target ::ffff:127.0.0.1 on PORT (ConnectionRefused) and denies it on the next port",
    run: body!(async |ctx| {
        ctx.require(MachineNeed::Ipv6Loopback)?;
        let (port, _) = loopback_closed(&ctx).await;
        let mut engine = engine_named(&ctx, &target(LOOPBACK, port)).await?;
        tcp_refused(&mut engine, "::ffff:127.0.0.1", port).await?;
        tcp_denied(&mut engine, "::ffff:127.0.0.1", next_port(port)).await
    }),
};

pub const IPV6_VS_IPV4: Case = Case {
    id: "perm.literal.ipv6_vs_ipv4",
    clauses: &["PERM-LITERAL"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "[::1] denies 127.0.0.1 and localhost; 127.0.0.1 denies ::1 and [::1]; [::1] denies ::2 (PermissionDenied)",
    run: body!(async |ctx| {
        let closed = ctx.peers.closed_port().await;
        let port = closed.port;
        let mut v6 = engine_named(&ctx, "[::1]").await?;
        tcp_denied(&mut v6, LOOPBACK, port).await?;
        tcp_denied(&mut v6, "localhost", port).await?;
        tcp_denied(&mut v6, "::2", port).await?;
        let mut v4 = engine_named(&ctx, LOOPBACK).await?;
        tcp_denied(&mut v4, "::1", port).await?;
        tcp_denied(&mut v4, "[::1]", port).await
    }),
};
