//! PERM-WILDCARD: `*.name` entries.

use crate::body;
use crate::cases::support::LOOPBACK;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;

use super::{TCP, engine_named, loopback_closed, tcp_denied, tcp_not_found, tcp_refused};

pub const BELOW: Case = Case {
    id: "perm.wildcard.below",
    clauses: &["PERM-WILDCARD"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "*.example.invalid grants a.example.invalid and a.b.example.invalid on any port (HostNotFound)",
    run: body!(async |ctx| {
        let mut engine = engine_named(&ctx, "*.example.invalid").await?;
        tcp_not_found(&mut engine, "a.example.invalid", 443).await?;
        tcp_not_found(&mut engine, "a.b.example.invalid", 80).await?;
        tcp_not_found(&mut engine, "x-1.deep.er.example.invalid", 65535).await
    }),
};

pub const NOT_APEX_NOR_LOOKALIKE: Case = Case {
    id: "perm.wildcard.not_apex_nor_lookalike",
    clauses: &["PERM-WILDCARD"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "*.example.invalid denies example.invalid, EXAMPLE.invalid., badexample.invalid and example.invalid.evil.invalid (PermissionDenied)",
    run: body!(async |ctx| {
        let mut engine = engine_named(&ctx, "*.example.invalid").await?;
        for host in
            ["example.invalid", "EXAMPLE.invalid.", "badexample.invalid", "example.invalid.evil.invalid"]
        {
            tcp_denied(&mut engine, host, 443).await?;
        }
        Ok(())
    }),
};

pub const PORT: Case = Case {
    id: "perm.wildcard.port",
    clauses: &["PERM-WILDCARD", "PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "*.example.invalid:443 grants a.example.invalid:443 (HostNotFound) and denies a.example.invalid:444",
    run: body!(async |ctx| {
        let mut engine = engine_named(&ctx, "*.example.invalid:443").await?;
        tcp_not_found(&mut engine, "a.example.invalid", 443).await?;
        tcp_denied(&mut engine, "a.example.invalid", 444).await?;
        tcp_denied(&mut engine, "example.invalid", 443).await
    }),
};

pub const CONNECTS: Case = Case {
    id: "perm.wildcard.connects",
    clauses: &["PERM-WILDCARD", "DEC-RESERVED-NAMES"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "*.localhost:PORT grants tcp to app.localhost on a closed port (ConnectionRefused, D5) and denies localhost itself",
    run: body!(async |ctx| {
        let (port, _) = loopback_closed(&ctx).await;
        let mut engine = engine_named(&ctx, &format!("*.localhost:{port}")).await?;
        tcp_refused(&mut engine, "app.localhost", port).await?;
        tcp_denied(&mut engine, "localhost", port).await?;
        tcp_denied(&mut engine, LOOPBACK, port).await
    }),
};
