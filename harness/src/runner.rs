//! Runs cases against an engine in a world, one fresh world per case, on `jobs` threads. The
//! real world's long waits ([`Worlds::LongWait`]) run in a lane of their own beside them, one
//! thread each: they spend their time waiting, not working, so they do not count against
//! `jobs`.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use caspian_conformance::catalog::{Case, CaseFn, Worlds};
use caspian_conformance::contract::{Diagnostics, EngineFactory, FaultKind, Feature};
use caspian_conformance::script::{CaseResult, Ctx, DEFAULT_GENERATED, Failure, Generation};
use caspian_reference::transport::os::OsTransport;
use caspian_reference::transport::sim::{SimClock, SimTransport};

use crate::engines::process::{Identity, Pool, ProcessFactory, ProcessSpec};
use crate::engines::reference::ReferenceFactory;
use crate::expectations::Expectations;
use crate::report::{CaseReport, Status};
use crate::world::{self, Peers};

/// The two worlds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum World {
    Sim,
    Real,
}

impl World {
    pub fn name(self) -> &'static str {
        match self {
            World::Sim => "sim",
            World::Real => "real",
        }
    }
}

/// Which engine a run checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineSpec {
    /// The in-process reference.
    Reference,
    /// A port behind the driver protocol, as its handshake described it, with the processes
    /// kept between sessions.
    Process(ProcessSpec, Identity, Pool),
}

impl EngineSpec {
    /// The factory of this engine in `world`; `None` where it cannot run. A job of the long
    /// lane gets port processes of its own, whose requests may take as long as its waits (at
    /// `time_scale`).
    fn factory(&self, world: World, long: bool, time_scale: f64) -> Option<Rc<dyn EngineFactory>> {
        match (self, world) {
            (EngineSpec::Reference, World::Sim) => {
                Some(Rc::new(ReferenceFactory::new(SimTransport, Arc::new(SimClock))))
            }
            (EngineSpec::Reference, World::Real) => Some(Rc::new(ReferenceFactory::new(
                OsTransport,
                Arc::new(rustls::time_provider::DefaultTimeProvider),
            ))),
            (EngineSpec::Process(..), World::Sim) => None,
            (EngineSpec::Process(spec, identity, _), World::Real) if long => {
                let spec = ProcessSpec {
                    request_deadline: spec.request_deadline.max(LONG_CASE_LIMIT.mul_f64(time_scale)),
                    ..spec.clone()
                };
                Some(Rc::new(ProcessFactory::new(spec, identity.clone(), Pool::default())))
            }
            (EngineSpec::Process(spec, identity, pool), World::Real) => {
                Some(Rc::new(ProcessFactory::new(spec.clone(), identity.clone(), pool.clone())))
            }
        }
    }

    /// The engine's name and version.
    pub fn name(&self) -> String {
        match self {
            EngineSpec::Reference => format!("caspian-reference {}", env!("CARGO_PKG_VERSION")),
            EngineSpec::Process(_, identity, _) => identity.name.clone(),
        }
    }

    fn features(&self) -> Vec<Feature> {
        match self {
            EngineSpec::Reference => Feature::ALL.to_vec(),
            EngineSpec::Process(_, identity, _) => identity.features.clone(),
        }
    }
}

/// How long one case may take: virtual time in the simulated world, real time on loopback
/// (times the run's time scale). The real world's is twice what its longest cases take with an
/// engine whose every reply comes 0.2 s late, on two cores kept busy.
const SIM_CASE_LIMIT: Duration = Duration::from_secs(600);
const REAL_CASE_LIMIT: Duration = Duration::from_secs(60);
/// A case of the long lane waits out 30 s defaults, a few at once.
const LONG_CASE_LIMIT: Duration = Duration::from_secs(90);

/// The largest `--time-scale`: every real-world wait a hundred times as long is already more
/// than any engine needs; more is a typo.
pub const MAX_TIME_SCALE: f64 = 100.0;

/// Parses `--time-scale`: a number from 1 to [`MAX_TIME_SCALE`].
pub fn parse_time_scale(text: &str) -> Result<f64, String> {
    text.trim().parse::<f64>().ok().filter(|scale| (1.0..=MAX_TIME_SCALE).contains(scale)).ok_or_else(|| {
        format!(
            "--time-scale takes a number from 1 to {MAX_TIME_SCALE} (what the real world's waits are \
                 multiplied by); got {text:?}"
        )
    })
}

/// One case to run in one world.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    pub case: Case,
    pub world: World,
    pub seed: u64,
}

impl Job {
    /// True for a job of the long lane: a long wait, in real time.
    pub fn is_long(&self) -> bool {
        self.world == World::Real && self.case.worlds == Worlds::LongWait
    }
}

/// The settings shared by every job of a run.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub engine: EngineSpec,
    /// The certificate zoo's PEM folder, handed to cases.
    pub certs: PathBuf,
    pub jobs: usize,
    /// The port's expected failures and skips.
    pub expectations: Expectations,
    /// Keep the transcripts of passing cases too (for `--transcript-dir`); otherwise only the
    /// cases that did not pass keep theirs, so that a long sweep stays small.
    pub keep_passing_transcripts: bool,
    /// The expectation file named on the command line, for replay commands.
    pub expectations_file: Option<PathBuf>,
    /// Streams every case's transcript to stderr as it happens (`--trace`).
    pub trace: bool,
    /// How many scenarios each generated case plays (drawn from the job's seed).
    pub generated: usize,
    /// Leaves out the long lane (reported SKIP, with the reason).
    pub quick: bool,
    /// What every real-world wait, bound and limit is multiplied by (`--time-scale`, 1 or more):
    /// the cases' waits (through [`Ctx::with_time_scale`]) and each case's time limit.
    pub time_scale: f64,
}

impl RunSettings {
    /// One job at a time against `engine`, with the zoo in `certs`, and every other setting as
    /// a plain `caspian-conform run` has it: no expectations, no trace, the default number of
    /// generated scenarios, the long lane in, the time scale 1.
    pub fn new(engine: EngineSpec, certs: PathBuf) -> Self {
        Self {
            engine,
            certs,
            jobs: 1,
            expectations: Expectations::default(),
            keep_passing_transcripts: false,
            expectations_file: None,
            trace: false,
            generated: DEFAULT_GENERATED,
            quick: false,
            time_scale: 1.0,
        }
    }
}

/// Runs every job, `settings.jobs` at a time, calling `progress` after each with its report.
/// Reports come back in job order.
pub fn run_all(
    jobs: &[Job],
    settings: &RunSettings,
    progress: &(dyn Fn(&CaseReport) + Sync),
) -> Vec<CaseReport> {
    let (long, quick): (Vec<usize>, Vec<usize>) =
        (0..jobs.len()).partition(|&index| jobs[index].is_long() && !settings.quick);
    let next = AtomicUsize::new(0);
    let threads = settings.jobs.clamp(1, quick.len().max(1));
    let mut reports: Vec<Option<CaseReport>> = vec![None; jobs.len()];
    let slots: Vec<std::sync::Mutex<Option<CaseReport>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let run_into_slot = |index: usize| {
        let report = run_job(&jobs[index], settings);
        progress(&report);
        if let Ok(mut slot) = slots[index].lock() {
            *slot = Some(report);
        }
    };
    std::thread::scope(|scope| {
        for &index in &long {
            scope.spawn(move || run_into_slot(index));
        }
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(&index) = quick.get(next.fetch_add(1, Ordering::Relaxed)) {
                    run_into_slot(index);
                }
            });
        }
    });
    for (report, slot) in reports.iter_mut().zip(slots) {
        *report = slot.into_inner().ok().flatten();
    }
    reports.into_iter().flatten().collect()
}

/// Runs one case in one world, in a fresh world, and reports its outcome.
pub fn run_job(job: &Job, settings: &RunSettings) -> CaseReport {
    let started = Instant::now();
    let (status, message, transcript) = match skip_reason(job, settings) {
        Some((status, reason)) => (status, Some(reason), Vec::new()),
        None => execute(job, settings),
    };
    let (status, message) = settings.expectations.judge(job, status, message);
    let transcript =
        if status == Status::Pass && !settings.keep_passing_transcripts { Vec::new() } else { transcript };
    CaseReport {
        id: job.case.id.into(),
        clauses: job.case.clauses.iter().map(|c| c.to_string()).collect(),
        level: job.case.level.name().into(),
        description: job.case.description.into(),
        world: job.world.name().into(),
        status,
        message,
        transcript,
        seed: (job.world == World::Sim).then_some(job.seed),
        replay: replay_command(job, settings),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}

/// The command that runs this job alone, exactly as it ran: the world, the seed, the engine
/// command and the expectation file.
pub fn replay_command(job: &Job, settings: &RunSettings) -> String {
    let mut command = format!("caspian-conform run --world {} --seed {}", job.world.name(), job.seed);
    if settings.generated != DEFAULT_GENERATED {
        command.push_str(&format!(" --generated {}", settings.generated));
    }
    if settings.time_scale != 1.0 {
        command.push_str(&format!(" --time-scale {}", settings.time_scale));
    }
    if let EngineSpec::Process(spec, ..) = &settings.engine {
        command.push_str(&format!(" --engine-cmd {}", shell_quote(&spec.command)));
    }
    if let Some(file) = &settings.expectations_file {
        command.push_str(&format!(" --expectations {}", shell_quote(&file.to_string_lossy())));
    }
    command.push_str(&format!(" {}", shell_quote(job.case.id)));
    command
}

/// `text` as one word of a POSIX shell command line.
pub fn shell_quote(text: &str) -> String {
    let plain =
        !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain { text.to_string() } else { format!("'{}'", text.replace('\'', "'\\''")) }
}

fn skip_reason(job: &Job, settings: &RunSettings) -> Option<(Status, String)> {
    if let Some(entry) = settings.expectations.skip_for(job) {
        return Some((Status::Skip, format!("skipped by the expectation file: {}", entry.reason)));
    }
    match (job.case.worlds, job.world) {
        (Worlds::SimOnly(reason), World::Real) | (Worlds::RealOnly(reason), World::Sim) => {
            return Some((Status::Skip, reason.to_string()));
        }
        _ => {}
    }
    if settings.quick && job.is_long() {
        return Some((Status::Skip, "left out by --quick: it waits out a 30 s default in real time".into()));
    }
    if settings.engine.factory(job.world, false, settings.time_scale).is_none() {
        return Some((Status::Skip, format!("this engine does not run in the {} world", job.world.name())));
    }
    let features = settings.engine.features();
    let missing: Vec<String> = job
        .case
        .needs
        .iter()
        .filter(|need| !features.contains(need))
        .map(|need| need.name().to_string())
        .collect();
    (!missing.is_empty())
        .then(|| (Status::Unimplemented, format!("the engine does not implement: {}", missing.join(", "))))
}

/// The simulated clock's step for `case`: coarser for a case that waits out the 30 s defaults.
fn sim_tick(case: Case) -> Duration {
    if case.worlds == Worlds::LongWait { world::SIM_LONG_WAIT_TICK } else { world::SIM_TICK }
}

/// Runs the case body, catching a panic of the harness as a failure of its own. An engine's own
/// fault (crash, hang, broken protocol) outranks what the case concluded.
fn execute(job: &Job, settings: &RunSettings) -> (Status, Option<String>, Vec<String>) {
    let run = job.case.run.run;
    let engine = settings.engine.clone();
    let certs = settings.certs.clone();
    let world = job.world;
    let trace = settings.trace.then(|| format!("{} [{}]", job.case.id, world.name()));
    let generation =
        Generation { seed: job.seed, scenarios: settings.generated, replay: replay_command(job, settings) };
    let long = job.is_long();
    let time_scale = settings.time_scale;
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(move || {
        let factory = move || engine.factory(world, long, time_scale);
        match world {
            World::Sim => {
                world::try_run_sim(job.seed, SIM_CASE_LIMIT, sim_tick(job.case), move |_, peers| {
                    let run = CaseRun { run, generation, limit: SIM_CASE_LIMIT, time_scale, trace };
                    body(run, peers, factory(), certs)
                })
            }
            World::Real => {
                let limit = if long { LONG_CASE_LIMIT } else { REAL_CASE_LIMIT }.mul_f64(time_scale);
                world::try_run_real(job.seed, move |_, peers| {
                    let run = CaseRun { run, generation, limit, time_scale, trace };
                    body(run, peers, factory(), certs)
                })
            }
        }
    }));
    let (result, mut transcript, diagnostics) = match outcome {
        Ok(Ok(ran)) => ran,
        Ok(Err(world_error)) => return (Status::Fail, Some(world_error), Vec::new()),
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into());
            return (Status::Fail, Some(format!("the harness panicked: {text}")), Vec::new());
        }
    };
    transcript.extend(diagnostics.log.iter().map(|line| format!("stderr: {line}")));
    if let Some(fault) = diagnostics.fault {
        let status = match fault.kind {
            FaultKind::Crash => Status::Crash,
            FaultKind::Hang => Status::Timeout,
            FaultKind::Protocol => Status::ProtocolError,
        };
        return (status, Some(fault.detail), transcript);
    }
    match result {
        Ok(Ok(())) => (Status::Pass, None, transcript),
        Ok(Err(failure)) if failure.skip => (Status::Skip, Some(failure.message), transcript),
        Ok(Err(failure)) => (Status::Fail, Some(failure.message), transcript),
        Err(limit) => (
            Status::Timeout,
            Some(format!("the case ran past its limit of {}s", limit.as_secs_f64())),
            transcript,
        ),
    }
}

/// One case body to run, and how: what generated cases draw from, its time limit, the scale of
/// the real world's waits, and the prefix of its live transcript (`--trace`).
struct CaseRun {
    run: CaseFn,
    generation: Generation,
    limit: Duration,
    time_scale: f64,
    trace: Option<String>,
}

/// A case body within its time limit, with the transcript it left and the engine's diagnostics.
/// With a trace prefix, every transcript line also goes to stderr as it happens, after it.
async fn body(
    case: CaseRun,
    peers: Peers,
    factory: Option<Rc<dyn EngineFactory>>,
    certs: PathBuf,
) -> (Result<CaseResult, Duration>, Vec<String>, Diagnostics) {
    let Some(factory) = factory else {
        let failure = Failure::new("this engine does not run in this world");
        return (Ok(Err(failure)), Vec::new(), Diagnostics::default());
    };
    let mut ctx = Ctx::new(Rc::new(peers), factory.clone(), certs)
        .with_generation(case.generation)
        .with_time_scale(case.time_scale);
    if let Some(prefix) = case.trace {
        ctx = ctx.with_live(Rc::new(move |line: &str| eprintln!("{prefix} {line}")));
    }
    let limit = case.limit;
    let outcome = tokio::time::timeout(limit, (case.run)(ctx.clone())).await.map_err(|_| limit);
    (outcome, ctx.transcript(), factory.diagnostics())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_commands_quote_what_a_shell_would_split() {
        assert_eq!(shell_quote("tcp.open.echo"), "tcp.open.echo");
        assert_eq!(shell_quote("lua5.4 ports/x/driver.lua"), "'lua5.4 ports/x/driver.lua'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("tcp.*"), "'tcp.*'");
        assert_eq!(shell_quote(""), "''");
    }
}
