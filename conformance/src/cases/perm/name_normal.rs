//! PERM-NAME-NORMAL: names compare without case and trailing dot.

use crate::body;
use crate::cases::support::next_port;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;

use super::{TCP, engine_named, loopback_closed, tcp_denied, tcp_not_found, tcp_refused};

pub const ENTRY_SPELLING: Case = Case {
    id: "perm.name_normal.entry_spelling",
    clauses: &["PERM-NAME-NORMAL"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "the entry Api.Example.INVALID. grants api.example.invalid, API.example.invalid. and api.EXAMPLE.INVALID (HostNotFound), not xapi.example.invalid",
    run: body!(async |ctx| {
        let mut engine = engine_named(&ctx, "Api.Example.INVALID.").await?;
        for host in ["api.example.invalid", "API.example.invalid.", "api.EXAMPLE.INVALID"] {
            tcp_not_found(&mut engine, host, 443).await?;
        }
        tcp_denied(&mut engine, "xapi.example.invalid", 443).await
    }),
};

pub const TARGET_SPELLING: Case = Case {
    id: "perm.name_normal.target_spelling",
    clauses: &["PERM-NAME-NORMAL"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "the entry api.example.invalid:443 grants the targets API.EXAMPLE.INVALID. and Api.Example.Invalid on 443 (HostNotFound), not on 444",
    run: body!(async |ctx| {
        let mut engine = engine_named(&ctx, "api.example.invalid:443").await?;
        for host in ["API.EXAMPLE.INVALID.", "Api.Example.Invalid", "api.example.invalid."] {
            tcp_not_found(&mut engine, host, 443).await?;
        }
        tcp_denied(&mut engine, "API.EXAMPLE.INVALID.", 444).await
    }),
};

pub const CONNECTS: Case = Case {
    id: "perm.name_normal.connects",
    clauses: &["PERM-NAME-NORMAL"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "LOCALHOST.:PORT grants tcp to localhost, and localhost:PORT grants LocalHost.: a closed port raises ConnectionRefused",
    run: body!(async |ctx| {
        let (port, _) = loopback_closed(&ctx).await;
        let mut upper = engine_named(&ctx, &format!("LOCALHOST.:{port}")).await?;
        tcp_refused(&mut upper, "localhost", port).await?;
        tcp_denied(&mut upper, "localhost", next_port(port)).await?;
        let mut lower = engine_named(&ctx, &format!("localhost:{port}")).await?;
        tcp_refused(&mut lower, "LocalHost.", port).await
    }),
};

pub const LABEL_CHARACTERS: Case = Case {
    id: "perm.name_normal.label_characters",
    clauses: &["PERM-GRAMMAR", "PERM-NAME-NORMAL", "DEC-PERM-SYNTAX"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "a name's labels hold letters, digits, - and _: the entry _srv-1.Example.invalid starts the engine and \
        grants _SRV-1.example.invalid (HostNotFound), not srv-1.example.invalid",
    run: body!(async |ctx| {
        let mut engine = engine_named(&ctx, "_srv-1.Example.invalid").await?;
        tcp_not_found(&mut engine, "_SRV-1.example.invalid", 443).await?;
        tcp_denied(&mut engine, "srv-1.example.invalid", 443).await
    }),
};
