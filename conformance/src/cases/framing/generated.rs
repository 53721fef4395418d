//! The generated framing cases: byte streams, chunkings, pauses and reads drawn from the run's
//! seed, every answer checked against the framing model.

use crate::body;
use crate::catalog::Case;
use crate::catalog::Level::*;
use crate::catalog::Worlds::*;

use super::TCP;
use super::scenario::Profile;
use super::search::check_generated;

pub const MIXED: Case = Case {
    id: "framing.generated.mixed",
    clauses: &[
        "TCP-RECV",
        "TCP-RECV-LINE",
        "TCP-RECV-EXACT",
        "IO-EOF",
        "IO-NOTHING-LOST",
        "IO-LINE-EOF",
        "IO-LINE-MAX",
        "IO-EXACT-ZERO",
    ],
    level: Must,
    needs: TCP,
    worlds: Both,
    description: "generated streams, writes, pauses and recv / recv_line / recv_exact calls answer as the framing model says; nothing is lost across Timeout, EndOfStream or a line too long",
    run: body!(async |ctx| check_generated(ctx, Profile::Mixed).await),
};

pub const LINE_TOO_LONG: Case = Case {
    id: "framing.generated.line_too_long",
    clauses: &["TCP-RECV-LINE", "IO-LINE-MAX", "IO-NOTHING-LOST", "DEC-LINE-TOO-LONG"],
    level: Should,
    needs: TCP,
    worlds: Both,
    description: "generated streams read mostly by recv_line with a max_length near the line lengths: a line too long raises ArgumentError with reason line_too_long (D1) and consumes nothing",
    run: body!(async |ctx| check_generated(ctx, Profile::LineTooLong).await),
};
