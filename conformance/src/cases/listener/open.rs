//! LST-OPEN: tcp_listen.

use crate::body;
use crate::cases::support::listening;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::Request;
use crate::peers::MachineNeed;
use crate::script::expect_mentions;

use super::LISTEN;

pub const ADDRESS_NOT_LOCAL: Case = Case {
    id: "listener.open.address_not_local",
    clauses: &["LST-OPEN", "DEC-LISTEN-LOCAL"],
    level: Should,
    needs: LISTEN,
    worlds: Both,
    description: "tcp_listen on 192.0.2.1, an address that is not the machine's, raises ArgumentError naming it (D17)",
    run: body!(async |ctx| {
        ctx.require(MachineNeed::ForeignBindRefused)?;
        // A documentation address (RFC 5737) that no host of either world has: binding it fails
        // with EADDRNOTAVAIL, and no packet leaves the machine.
        let foreign = "192.0.2.1";
        let mut engine = ctx.engine(None, Some("")).await?;
        let raised = engine.raises(Request::tcp_listen(foreign, 0), "ArgumentError").await?;
        expect_mentions(&raised, &[foreign])
    }),
};

pub const EPHEMERAL: Case = Case {
    id: "listener.open.ephemeral",
    clauses: &["LST-OPEN"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "tcp_listen(host, 0) with --allow-listen=0 returns a listener handle; close returns nil",
    run: body!(async |ctx| {
        let mut engine = ctx.engine(None, Some("0")).await?;
        let listener = engine.handle(Request::tcp_listen(ctx.bind_host(), 0)).await?;
        engine.close(listener).await
    }),
};

pub const ADDRESS_IN_USE: Case = Case {
    id: "listener.open.address_in_use",
    clauses: &["LST-OPEN"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "tcp_listen on a port another listener holds raises AddressInUse naming the port",
    run: body!(async |ctx| {
        let (mut engine, first, port) = listening(&ctx, "").await?;
        let raised = engine.raises(Request::tcp_listen(ctx.bind_host(), port), "AddressInUse").await?;
        expect_mentions(&raised, &[&port.to_string()])?;
        engine.close(first).await
    }),
};

pub const BAD_PORT: Case = Case {
    id: "listener.open.bad_port",
    clauses: &["LST-OPEN"],
    level: Must,
    needs: LISTEN,
    worlds: Both,
    description: "tcp_listen with port -1 or 65536 raises ArgumentError naming port (even with a bare --allow-listen)",
    run: body!(async |ctx| {
        let mut engine = ctx.engine(None, Some("")).await?;
        for port in [-1, 65536] {
            let raised = engine.raises(Request::tcp_listen(ctx.bind_host(), port), "ArgumentError").await?;
            expect_mentions(&raised, &["port"])?;
        }
        Ok(())
    }),
};
