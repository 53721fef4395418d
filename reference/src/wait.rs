//! Waiting with a bound: the one place where a timeout becomes a Timeout error. A call takes
//! its deadline once, at its start, and every wait of the call runs until that deadline: bytes
//! that arrive during the call do not restart it (DEC-TIMEOUT-WHOLE-CALL).

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{ErrorClass, NetError, NetResult};

/// The instant a wait of `wait` ends, from now; `None` (or a wait too long to represent) is
/// forever.
pub(crate) fn deadline(wait: Option<Duration>) -> Option<Instant> {
    wait.and_then(|wait| Instant::now().checked_add(wait))
}

/// Awaits `future` until `deadline`. When the deadline passes first, the future is dropped and
/// the error is a Timeout whose message is `what` (which names the operation, host and port).
pub(crate) async fn until<F: Future>(
    deadline: Option<Instant>,
    what: impl FnOnce() -> String,
    future: F,
) -> NetResult<F::Output> {
    match deadline {
        None => Ok(future.await),
        Some(deadline) => tokio::time::timeout_at(deadline, future)
            .await
            .map_err(|_| NetError::new(ErrorClass::Timeout, what())),
    }
}

/// A wait in seconds, for messages (`0` for forever, which never times out).
pub(crate) fn seconds(wait: Option<Duration>) -> f64 {
    wait.map(|w| w.as_secs_f64()).unwrap_or_default()
}
