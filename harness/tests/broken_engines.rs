//! Engines broken the way ports go wrong under faults, long waits and hostile peers, each caught
//! by the case named for it, while the reference passes the same case in the same world: the
//! fault and hostile cases can fail.

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use caspian_conformance::catalog::{Case, catalog};
use caspian_conformance::contract::{
    CallOpts, Engine, Handle, LocalFuture, Raised, Reply, Request, Value, Wait,
};
use caspian_conformance::script::{CaseResult, Ctx};
use caspian_harness::certs::CertZoo;
use caspian_harness::engines::planted::Planted;
use caspian_harness::engines::reference::ReferenceFactory;
use caspian_harness::world::{run_real, run_sim};
use caspian_reference::transport::os::OsTransport;
use caspian_reference::transport::sim::{SimClock, SimTransport};

/// How an engine is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breakage {
    /// Sockets returned by accept say `.timeout` 30 but wait 60 s by default.
    AcceptedWait60s,
    /// recv_exact throws away what it had buffered when it times out.
    RecvExactDropsOnTimeout,
    /// send_all makes one `send` and returns, whatever it wrote.
    OneShotSendAll,
    /// recv_line's timeout bounds each read, not the call.
    PerReadLineTimeout,
    /// recv_line has no default max_length: it buffers until a newline or its timeout.
    UnboundedLine,
    /// A reset during the TLS handshake is reported as a TlsError.
    HandshakeResetIsTlsError,
    /// accept reads the new connection's first line before returning it, within the accept's
    /// timeout (a port that peeks at what a client wants).
    AcceptReadsFirst,
}

/// The reference's engine, broken by `breakage`.
fn broken(inner: Box<dyn Engine>, breakage: Breakage) -> Box<dyn Engine> {
    Box::new(Broken { inner, breakage, accepted: Vec::new() })
}

/// An engine that delegates to the reference except where it is broken.
struct Broken {
    inner: Box<dyn Engine>,
    breakage: Breakage,
    accepted: Vec<Handle>,
}

impl Engine for Broken {
    fn call(&mut self, request: Request) -> LocalFuture<'_, Reply> {
        Box::pin(async move {
            match (self.breakage, request) {
                (Breakage::AcceptedWait60s, request @ Request::Accept { .. }) => {
                    let reply = self.inner.call(request).await;
                    if let Ok(Value::Handle(handle)) = &reply {
                        self.accepted.push(*handle);
                    }
                    reply
                }
                (Breakage::AcceptedWait60s, Request::RecvLine { handle, opts })
                    if opts.timeout.is_none() && self.accepted.contains(&handle) =>
                {
                    let opts = CallOpts { timeout: Some(Wait::Seconds(60.0)), ..opts };
                    self.inner.call(Request::RecvLine { handle, opts }).await
                }
                (Breakage::RecvExactDropsOnTimeout, request @ Request::RecvExact { .. }) => {
                    let handle = request.handle().unwrap_or_default();
                    let reply = self.inner.call(request).await;
                    if matches!(&reply, Err(raised) if raised.class == "Timeout") {
                        let drain =
                            Request::Recv { handle, max_bytes: 1 << 20, opts: CallOpts::timeout(0.0) };
                        let _ = self.inner.call(drain).await;
                    }
                    reply
                }
                (Breakage::OneShotSendAll, Request::SendAll { handle, bytes }) => {
                    self.inner.call(Request::Send { handle, bytes }).await.map(|_| Value::Nil)
                }
                (Breakage::PerReadLineTimeout, Request::RecvLine { handle, opts })
                    if opts.timeout.is_some() =>
                {
                    let mut line = Vec::new();
                    while line.last() != Some(&b'\n') {
                        let read = Request::Recv { handle, max_bytes: 1, opts };
                        match self.inner.call(read).await? {
                            Value::Bytes(bytes) if !bytes.is_empty() => line.extend(bytes),
                            other => return Ok(other),
                        }
                    }
                    Ok(Value::Bytes(line))
                }
                (Breakage::UnboundedLine, Request::RecvLine { handle, opts })
                    if opts.max_length.is_none() =>
                {
                    let opts = CallOpts { max_length: Some(1 << 40), ..opts };
                    self.inner.call(Request::RecvLine { handle, opts }).await
                }
                (Breakage::HandshakeResetIsTlsError, request @ Request::Ssl { .. }) => {
                    self.inner.call(request).await.map_err(|raised| match raised.class.as_str() {
                        "ConnectionReset" => Raised { class: "TlsError".into(), ..raised },
                        _ => raised,
                    })
                }
                (Breakage::AcceptReadsFirst, Request::Accept { handle, opts }) => {
                    let accepted = self.inner.call(Request::Accept { handle, opts }).await?;
                    if let Value::Handle(sock) = accepted {
                        self.inner.call(Request::RecvLine { handle: sock, opts }).await?;
                    }
                    Ok(accepted)
                }
                (_, request) => self.inner.call(request).await,
            }
        })
    }
}

/// Where the certificate zoo's files are, for the TLS cases.
fn zoo_dir() -> PathBuf {
    CertZoo::shared_dir().expect("write the certificate zoo").to_path_buf()
}

fn case(id: &str) -> Case {
    catalog().into_iter().find(|case| case.id == id).unwrap_or_else(|| panic!("no case {id}"))
}

/// What `id` concludes against the reference broken by `breakage`, in the simulated world.
fn in_sim(breakage: Option<Breakage>, id: &str) -> CaseResult {
    let run = case(id).run.run;
    run_sim(1, move |_, peers| async move {
        let reference = ReferenceFactory::new(SimTransport, Arc::new(SimClock));
        run(Ctx::new(Rc::new(peers), Rc::new(Planted::new(reference, breakage, broken)), zoo_dir())).await
    })
}

/// What `id` concludes against the reference broken by `breakage`, on loopback.
fn in_real(breakage: Option<Breakage>, id: &str) -> CaseResult {
    let run = case(id).run.run;
    run_real(move |_, peers| async move {
        let clock = Arc::new(rustls::time_provider::DefaultTimeProvider);
        let reference = ReferenceFactory::new(OsTransport, clock);
        run(Ctx::new(Rc::new(peers), Rc::new(Planted::new(reference, breakage, broken)), zoo_dir())).await
    })
}

/// The reference passes `id` in the world `world` runs, and the engine broken by `breakage`
/// fails it there.
fn caught(breakage: Breakage, id: &str, world: fn(Option<Breakage>, &str) -> CaseResult) {
    if let Err(failure) = world(None, id) {
        panic!("the reference fails {id}: {failure}");
    }
    assert!(world(Some(breakage), id).is_err(), "{id} does not catch an engine broken by {breakage:?}");
}

#[test]
fn accepted_sockets_that_wait_60s_by_default_are_caught() {
    caught(Breakage::AcceptedWait60s, "fault.silence.accepted_default_30s", in_sim);
}

#[test]
fn recv_exact_that_drops_its_bytes_at_a_timeout_is_caught() {
    caught(Breakage::RecvExactDropsOnTimeout, "fault.partition.timeout_then_nothing_lost", in_sim);
    caught(Breakage::RecvExactDropsOnTimeout, "fault.partition.timeout_then_nothing_lost", in_real);
}

#[test]
fn a_one_shot_send_all_is_caught_under_backpressure() {
    // The simulated network takes any write whole: only loopback's buffers push back.
    caught(Breakage::OneShotSendAll, "fault.backpressure.send_all_drains_in_order", in_real);
}

#[test]
fn a_recv_line_timeout_per_read_is_caught_by_a_sliced_line() {
    caught(Breakage::PerReadLineTimeout, "fault.slice.recv_line_timeout_bounds_the_call", in_sim);
    caught(Breakage::PerReadLineTimeout, "fault.slice.recv_line_timeout_bounds_the_call", in_real);
    caught(Breakage::PerReadLineTimeout, "hostile.slowloris.deadline_holds", in_sim);
}

#[test]
fn a_line_without_a_default_limit_is_caught_by_an_endless_line() {
    caught(Breakage::UnboundedLine, "hostile.line.endless", in_sim);
    caught(Breakage::UnboundedLine, "hostile.line.endless", in_real);
}

#[test]
fn a_handshake_reset_reported_as_tls_error_is_caught() {
    caught(Breakage::HandshakeResetIsTlsError, "hostile.handshake.reset", in_sim);
    caught(Breakage::HandshakeResetIsTlsError, "hostile.handshake.reset", in_real);
}

#[test]
fn an_accept_that_reads_first_is_caught_by_silent_connections() {
    caught(Breakage::AcceptReadsFirst, "hostile.flood.silent_connections", in_sim);
}
