//! PERM-GRAMMAR: a port range whose two ends are the same port (`lo-hi` with `lo == hi`) is a
//! valid range of one port, in `--allow-net` and in `--allow-listen`.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;

use super::{TCP, engine_named, tcp_denied, tcp_not_found};

pub const NET_ONE_PORT_RANGE: Case = Case {
    id: "perm.grammar.net_one_port_range",
    clauses: &["PERM-GRAMMAR"],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "host:P-P is a range of one port: the engine starts, P is granted (HostNotFound for a name under \
        .invalid), P - 1 and P + 1 raise PermissionDenied",
    run: body!(async |ctx| {
        let mut engine = engine_named(&ctx, "api.example.invalid:8000-8000").await?;
        tcp_not_found(&mut engine, "api.example.invalid", 8000).await?;
        tcp_denied(&mut engine, "api.example.invalid", 7999).await?;
        tcp_denied(&mut engine, "api.example.invalid", 8001).await
    }),
};
