//! LST-PERM: the permission to listen.

use crate::body;
use crate::cases::support::{denied_naming, listen_ephemeral};
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Request, flags};
use crate::script::{Ctx, Failure, Script};

use super::LISTEN;

pub const DENIED: Case = Case {
    id: "listener.perm.denied",
    clauses: &["LST-PERM", "PERM-DEFAULT-DENY", "PERM-GRAMMAR", "PERM-ERROR"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "tcp_listen(host, 8080) raises PermissionDenied naming host:8080 and --allow-listen without the flag, with --allow-listen=8081 and with --allow-listen=127.0.0.2:8080",
    run: body!(async |ctx| {
        let host = ctx.bind_host();
        for grant in [None, Some("8081"), Some("127.0.0.2:8080")] {
            let mut engine = ctx.engine(None, grant).await?;
            denied_naming(
                &mut engine,
                Request::tcp_listen(host, 8080),
                &[&format!("{host}:8080"), "--allow-listen"],
            )
            .await
            .map_err(|f| Failure::new(format!("with {}: {f}", flags(None, grant))))?;
        }
        Ok(())
    }),
};

pub const ALLOW_NET_DOES_NOT_LISTEN: Case = Case {
    id: "listener.perm.allow_net_does_not_listen",
    clauses: &["PERM-SEPARATE", "LST-PERM"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "a bare --allow-net does not grant listening: tcp_listen raises PermissionDenied",
    run: body!(async |ctx| {
        let host = ctx.bind_host();
        let mut engine = ctx.engine(Some(""), None).await?;
        denied_naming(&mut engine, Request::tcp_listen(host, 0), &["--allow-listen"]).await
    }),
};

pub const DENIED_BINDS_NOTHING: Case = Case {
    id: "listener.perm.denied_binds_nothing",
    clauses: &["PERM-BEFORE-IO", "LST-PERM"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "a denied tcp_listen on a free port binds nothing: another engine can then listen on that port",
    run: body!(async |ctx| {
        let host = ctx.bind_host();
        let mut granted = ctx.engine(None, Some("")).await?;
        let port = free_port(&ctx, &mut granted).await?;
        let mut denied = ctx.engine(None, Some("0")).await?;
        denied.raises(Request::tcp_listen(host, port), "PermissionDenied").await?;
        let listener = granted.handle(Request::tcp_listen(host, port)).await?;
        granted.close(listener).await
    }),
};

pub const PORT_ZERO_GRANTS: Case = Case {
    id: "listener.perm.port_zero_grants",
    clauses: &["LST-PERM", "PERM-GRAMMAR", "PERM-ALLOW-ALL", "DEC-LISTEN-PORT-ZERO"],
    level: Should,
    needs: LISTEN,
    worlds: Both,
    description: "D10: --allow-listen=0, =HOST:0, =0-65535 and a bare --allow-listen each grant tcp_listen(host, 0)",
    run: body!(async |ctx| {
        let host = ctx.bind_host();
        let host_zero = format!("{host}:0");
        for grant in ["0", host_zero.as_str(), "0-65535", ""] {
            let mut engine = ctx.engine(None, Some(grant)).await?;
            let listener = engine
                .handle(Request::tcp_listen(host, 0))
                .await
                .map_err(|f| Failure::new(format!("with --allow-listen={grant}: {f}")))?;
            engine.close(listener).await?;
        }
        Ok(())
    }),
};

pub const PORT_ZERO_NEEDS_ZERO: Case = Case {
    id: "listener.perm.port_zero_needs_zero",
    clauses: &["LST-PERM", "DEC-LISTEN-PORT-ZERO"],
    level: Should,
    needs: LISTEN,
    worlds: Both,
    description: "D10: --allow-listen=1-65535 does not cover port 0: tcp_listen(host, 0) raises PermissionDenied",
    run: body!(async |ctx| {
        let mut engine = ctx.engine(None, Some("1-65535")).await?;
        denied_naming(&mut engine, Request::tcp_listen(ctx.bind_host(), 0), &["--allow-listen"]).await
    }),
};

/// A port that was free a moment ago: bound to port 0, read, closed.
async fn free_port(ctx: &Ctx, engine: &mut Script) -> Result<u16, Failure> {
    let (listener, port) = listen_ephemeral(ctx, engine).await?;
    engine.close(listener).await?;
    Ok(port)
}
