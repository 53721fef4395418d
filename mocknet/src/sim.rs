//! The simulated world: a turmoil simulation seeded with the run's seed, stepped until the
//! client returns, with the faults due applied between steps.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, SystemTime};

use caspian_reference::transport::sim::SimTransport;
use caspian_reference::turmoil;

use super::ready::{self, Clients, Ready, Records};
use super::{ClientTask, HostPlan, HostResult, MockNet, SIM_EPOCH_UNIX_SECS, recorded};
use crate::transcript::Failed;

/// Runs the simulation until the client returns, and returns what it returned.
pub(super) fn run<T: 'static, E: std::fmt::Display + 'static>(
    net: &MockNet,
    client: String,
    task: ClientTask<T, E>,
) -> Result<T, Failed<E>> {
    let fail = |failure: String| Failed::Run(failure, None);
    let records = Records {
        transcript: net.transcript.clone(),
        connections: net.connections.clone(),
        clients: Clients::Simulated,
    };
    let mut sim = turmoil::Builder::new()
        .rng_seed(net.seed)
        .tcp_capacity(net.tcp_capacity)
        .min_message_latency(net.latency.start)
        .max_message_latency(net.latency.end)
        .simulation_duration(net.limit)
        .tick_duration(net.tick)
        .epoch(SystemTime::UNIX_EPOCH + Duration::from_secs(SIM_EPOCH_UNIX_SECS))
        .build();
    let mut names = BTreeSet::new();
    for (name, plan) in &net.hosts {
        names.insert(name.clone());
        let (name, plan, records) = (name.clone(), plan.clone(), records.clone());
        sim.host(name.clone(), move || start_host(name.clone(), plan.clone(), records.clone()));
    }
    names.insert(client.clone());
    let outcome = Rc::new(RefCell::new(None));
    let slot = outcome.clone();
    let transcript = net.transcript.clone();
    sim.client(client.clone(), async move {
        *slot.borrow_mut() = Some(recorded(client, task, transcript).await);
        Ok(())
    });
    // A black hole's packets are held for good: a connect to it waits until its timeout.
    for (name, _) in net.hosts.iter().filter(|(_, plan)| plan.black_hole) {
        for other in names.iter().filter(|other| *other != name) {
            sim.hold(name.as_str(), other.as_str());
        }
    }
    loop {
        net.cues.apply_due(&mut sim, &names, &net.transcript, &net.connections).map_err(fail)?;
        match sim.step() {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => return Err(fail(format!("simulation failed: {e}"))),
        }
    }
    outcome.take().unwrap_or_else(|| Err(fail("the client did not finish".to_string())))
}

/// Starts host `name` as `plan` says: its services, then its software (or nothing more).
async fn start_host(name: String, plan: HostPlan, records: Records) -> HostResult {
    records.transcript.record(format!("{name} starts"));
    for service in plan.ready {
        let bind = SocketAddr::from((Ipv4Addr::UNSPECIFIED, service.port()));
        if !matches!(service, Ready::ClosedPort(_)) {
            ready::start(&SimTransport, bind, &name, service, &records).await?;
        }
    }
    match plan.software {
        Some(software) => software().await,
        None => std::future::pending().await,
    }
}
