//! PERM-GRAMMAR-INVALID: invalid entries stop the engine at start.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;
use crate::contract::{Session, StartError};
use crate::script::{CaseResult, Ctx, Failure, expect, quoted};

use super::NONE;

pub const NET_PORT: Case = Case {
    id: "perm.grammar_invalid.net_port",
    clauses: &["PERM-GRAMMAR-INVALID", "DEC-PERM-SYNTAX"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "--allow-net entries host:, host:99999, host:65536, host:0, host:http and host:-1 each stop the engine at start, the message naming the entry",
    run: body!(async |ctx| {
        refuses_net_entries(
            &ctx,
            &[
                "example.com:",
                "example.com:99999",
                "example.com:65536",
                "example.com:0",
                "example.com:http",
                "example.com:-1",
            ],
        )
        .await
    }),
};

pub const NET_RANGE: Case = Case {
    id: "perm.grammar_invalid.net_range",
    clauses: &["PERM-GRAMMAR-INVALID"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "--allow-net entries h:10-5 (reversed), h:1-99999, h:0-10, h:10- and h:-10 each stop the engine at start, the message naming the entry",
    run: body!(async |ctx| {
        refuses_net_entries(
            &ctx,
            &[
                "h.example.com:10-5",
                "h.example.com:1-99999",
                "h.example.com:0-10",
                "h.example.com:10-",
                "h.example.com:-10",
            ],
        )
        .await
    }),
};

pub const WILDCARD: Case = Case {
    id: "perm.grammar_invalid.wildcard",
    clauses: &["PERM-GRAMMAR-INVALID"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "--allow-net entries *, *., *example.com, a.*.example.com and *.*.example.com each stop the engine at start, the message naming the entry",
    run: body!(async |ctx| {
        refuses_net_entries(&ctx, &["*", "*.", "*example.com", "a.*.example.com", "*.*.example.com"]).await
    }),
};

pub const BAD_NAME: Case = Case {
    id: "perm.grammar_invalid.bad_name",
    clauses: &["PERM-GRAMMAR-INVALID", "DEC-PERM-SYNTAX"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "--allow-net entries a..b, .example.com and exa/mple.com each stop the engine at start, the message naming the entry",
    run: body!(async |ctx| refuses_net_entries(&ctx, &["a..b", ".example.com", "exa/mple.com"]).await),
};

pub const IPV6_SYNTAX: Case = Case {
    id: "perm.grammar_invalid.ipv6_syntax",
    clauses: &["PERM-GRAMMAR-INVALID"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "--allow-net entries ::1 (unbracketed), ::1:443, [::1, ::1], [::1]x, [example.com] and [::1]: each stop the engine at start, the message naming the entry",
    run: body!(async |ctx| {
        refuses_net_entries(&ctx, &["::1", "::1:443", "[::1", "::1]", "[::1]x", "[example.com]", "[::1]:"])
            .await
    }),
};

pub const EMPTY_ENTRY: Case = Case {
    id: "perm.grammar_invalid.empty_entry",
    clauses: &["PERM-GRAMMAR-INVALID"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "an empty entry (a,,b; a trailing or a leading comma; a lone comma) stops the engine at start, the message naming --allow-net",
    run: body!(async |ctx| {
        for value in ["a.example.com,,b.example.com", "a.example.com,", ",a.example.com", ","] {
            refuses(&ctx, Some(value), None, "--allow-net").await?;
        }
        for value in ["8080,,8081", "8080,"] {
            refuses(&ctx, None, Some(value), "--allow-listen").await?;
        }
        Ok(())
    }),
};

pub const WHITESPACE: Case = Case {
    id: "perm.grammar_invalid.whitespace",
    clauses: &["PERM-GRAMMAR-INVALID"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "entries holding white space (a b, a leading or trailing space, a tab) stop the engine at start; nothing is trimmed",
    run: body!(async |ctx| {
        refuses_net_entries(&ctx, &["a b", " a.example.com", "a.example.com "]).await?;
        // A control character may be shown escaped: the rest of the entry must be named.
        refuses(&ctx, Some("tab.example.com\t"), None, "tab.example.com").await?;
        refuses(&ctx, Some("a.example.com, b.example.com"), None, " b.example.com").await
    }),
};

pub const ONE_BAD_AMONG_GOOD: Case = Case {
    id: "perm.grammar_invalid.one_bad_among_good",
    clauses: &["PERM-GRAMMAR-INVALID"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "one invalid entry among valid ones (first, middle or last) stops the engine, naming it: it is not silently dropped",
    run: body!(async |ctx| {
        for (value, bad) in [
            ("bad..example.com,good.example.com,127.0.0.1", "bad..example.com"),
            ("good.example.com,bad..example.com,127.0.0.1", "bad..example.com"),
            ("good.example.com,127.0.0.1,example.com:99999", "example.com:99999"),
        ] {
            refuses(&ctx, Some(value), None, bad).await?;
        }
        refuses(&ctx, None, Some("8080,localhost,9090"), "localhost").await
    }),
};

pub const LISTEN_ENTRIES: Case = Case {
    id: "perm.grammar_invalid.listen_entries",
    clauses: &["PERM-GRAMMAR-INVALID"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "--allow-listen entries localhost and 127.0.0.1 (no port), 99999, 10-5, localhost:, localhost:99999 and abc each stop the engine, naming the entry",
    run: body!(async |ctx| {
        for entry in ["localhost", "127.0.0.1", "99999", "10-5", "localhost:", "localhost:99999", "abc"] {
            refuses(&ctx, None, Some(entry), entry).await?;
        }
        Ok(())
    }),
};

pub const ONE_FLAG_OF_TWO: Case = Case {
    id: "perm.grammar_invalid.one_flag_of_two",
    clauses: &["PERM-GRAMMAR-INVALID"],
    level: Must,
    needs: NONE,
    worlds: Both,
    description: "a valid --allow-net beside an invalid --allow-listen (and the reverse) still stops the engine, naming the invalid entry",
    run: body!(async |ctx| {
        refuses(&ctx, Some("example.com:443"), Some("localhost"), "localhost").await?;
        refuses(&ctx, Some("a..b"), Some("8080"), "a..b").await?;
        refuses(&ctx, Some(""), Some("10-5"), "10-5").await?;
        refuses(&ctx, Some("*."), Some(""), "*.").await
    }),
};

/// The flags must be refused at start (InvalidFlags) with a message containing `names`.
async fn refuses(ctx: &Ctx, net: Option<&str>, listen: Option<&str>, names: &str) -> CaseResult {
    let session = Session {
        allow_net: net.map(str::to_string),
        allow_listen: listen.map(str::to_string),
        ..Session::default()
    };
    let flags = session.to_string();
    match ctx.start(session).await {
        Err(StartError::InvalidFlags(message)) => expect(message.contains(names), || {
            format!(
                "{flags} was refused, but the message should name {}: {}",
                quoted(names),
                quoted(&message)
            )
        }),
        Err(StartError::Failed(message)) => Err(Failure::new(format!(
            "{flags}: expected the flags to be refused (InvalidFlags naming {}), the engine failed instead: \
             {message}",
            quoted(names)
        ))),
        Ok(_) => Err(Failure::new(format!(
            "{flags}: the engine started; expected it to refuse the entry {}",
            quoted(names)
        ))),
    }
}

/// Each `--allow-net` entry must be refused at start, the message naming it.
async fn refuses_net_entries(ctx: &Ctx, entries: &[&str]) -> CaseResult {
    for entry in entries {
        refuses(ctx, Some(entry), None, entry).await?;
    }
    Ok(())
}
