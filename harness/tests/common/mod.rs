//! What the reference's clause tests share: one case body, run in both worlds.

use std::future::Future;
use std::time::Duration;

/// Runs one case body in both worlds: `<name>::real` and `<name>::sim`. A case that outlives its
/// guard (10 s real, 300 s of virtual time) fails instead of hanging, e.g. when a timeout is
/// ignored.
macro_rules! in_both_worlds {
    ($name:ident, |$transport:ident, $peers:ident| $body:block) => {
        mod $name {
            use super::*;

            #[test]
            fn real() {
                caspian_harness::world::run_real(|$transport, $peers| async move {
                    $crate::common::guarded($crate::common::REAL_GUARD, async move $body).await
                })
            }

            #[test]
            fn sim() {
                caspian_harness::world::run_sim(7, |$transport, $peers| async move {
                    $crate::common::guarded($crate::common::SIM_GUARD, async move $body).await
                })
            }
        }
    };
}

/// The longest a case may take on loopback.
pub const REAL_GUARD: Duration = Duration::from_secs(10);
/// The longest a case may take in virtual time.
pub const SIM_GUARD: Duration = Duration::from_secs(300);

/// Runs a case body, failing it when it outlives `guard`.
pub async fn guarded(guard: Duration, body: impl Future<Output = ()>) {
    if tokio::time::timeout(guard, body).await.is_err() {
        panic!("the case did not finish within {guard:?}: an operation waited past its timeout");
    }
}
