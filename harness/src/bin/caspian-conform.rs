//! `caspian-conform`: the command of the Caspian socket conformance suite.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use caspian_conformance::cases::framing::is_generated;
use caspian_conformance::catalog::{Case, Level, case_lines, catalog, count_line, listing};
use caspian_conformance::script::{DEFAULT_GENERATED, quoted};
use caspian_harness::certs::CertZoo;
use caspian_harness::compare::Comparison;
use caspian_harness::engines::process::{self, ProcessSpec};
use caspian_harness::expectations::Expectations;
use caspian_harness::markdown;
use caspian_harness::plan::{Filter, parse_shard};
use caspian_harness::report::RunReport;
use caspian_harness::reporters;
use caspian_harness::runner::{EngineSpec, Job, RunSettings, World, parse_time_scale, run_all};
use caspian_harness::{describe, diff, handshake, update_expectations};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

/// Prints like `print!`, and exits quietly when stdout is gone (`caspian-conform list | head -1`).
macro_rules! out {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

/// Prints like `println!`, and exits quietly when stdout is gone.
macro_rules! outln {
    () => { emit(format_args!("\n")) };
    ($($arg:tt)*) => { emit(format_args!("{}\n", format_args!($($arg)*))) };
}

fn emit(text: std::fmt::Arguments) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if stdout.write_fmt(text).and_then(|()| stdout.flush()).is_err() {
        std::process::exit(0);
    }
}

/// Writes `text` to stderr, for the person watching; a closed stderr loses it quietly.
fn note(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[derive(Parser)]
#[command(name = "caspian-conform", version, about = "The Caspian socket conformance suite")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the catalog (or the cases selected) against an engine and reports.
    Run(Box<RunArgs>),
    /// Lists the cases selected, one a line (with --clause: first the text of each clause). The
    /// count, and the clause texts, go to stderr when stdout is not a terminal, so that a pipe
    /// reads the cases alone.
    List {
        #[command(flatten)]
        select: Select,
        /// Prints the clause -> cases table of CONFORMANCE.md instead.
        #[arg(long, conflicts_with = "json")]
        markdown: bool,
        /// With --markdown: rewrites the table inside this file (between its markers) instead.
        #[arg(long, requires = "markdown")]
        update: Option<PathBuf>,
        /// Prints a JSON array of the cases instead: id, level, description, clauses (id,
        /// section, text), needs, worlds, skip (the world left out and why), long_wait,
        /// checked_at.
        #[arg(long)]
        json: bool,
        /// With --clause: also shows where the reference implementation (Rust) keeps each clause.
        #[arg(long, requires = "clauses")]
        reference: bool,
    },
    /// Explains a case: what it checks, where it runs, what it needs, and the full text of each
    /// clause it cites.
    Explain {
        /// The case ID.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        case: Option<String>,
        /// Explains every case of the catalog, one after another.
        #[arg(long)]
        all: bool,
        /// Also shows where the reference implementation (Rust) keeps each clause.
        #[arg(long)]
        reference: bool,
    },
    /// Writes the certificate zoo (root CA, intermediate, every leaf chain and key) as PEM files.
    Certs {
        /// The folder to write into (created if missing; existing files are overwritten).
        #[arg(long, default_value = "fixtures/certs")]
        out: PathBuf,
    },
    /// Compares two runs' JSON reports: regressions, fixes, new and removed cases. Exits 1 on a
    /// regression. Several NEW reports (the shards of one run) are merged first.
    Diff {
        /// The earlier run's report (`run --json`).
        old: PathBuf,
        /// The later run's report, or the reports of its shards.
        #[arg(required = true)]
        new: Vec<PathBuf>,
        /// Writes the merged NEW report here (the baseline of the next diff).
        #[arg(long)]
        merged: Option<PathBuf>,
    },
    /// Several engines side by side: one column per engine (each a `run --json` report), pass
    /// rates per family and clause, and the cases that fail on one engine only.
    Compare {
        /// The runs' reports, one per engine.
        #[arg(required = true, num_args = 2..)]
        reports: Vec<PathBuf>,
        /// Writes the side-by-side page here (one self-contained HTML file).
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// The first minute of a new port: hello, start and one echo round trip, showing every line
    /// both ways, and naming the first thing wrong.
    Handshake {
        /// The port's command line (run with `sh -c`).
        #[arg(long)]
        engine_cmd: String,
        /// How long one request may take.
        #[arg(long, default_value_t = 20.0)]
        request_timeout: f64,
    },
}

#[derive(clap::Args, Default)]
struct Select {
    /// Case-ID globs, e.g. 'tcp.recv_line.*' (default: every case).
    patterns: Vec<String>,
    /// Keeps the cases that check this clause ID (repeatable).
    #[arg(long = "clause")]
    clauses: Vec<String>,
    /// Keeps the cases of this level.
    #[arg(long, value_enum)]
    level: Option<LevelArg>,
    /// Keeps the i-th of n equal slices of the selection (1-based), to split CI across machines.
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LevelArg {
    Must,
    Should,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum WorldArg {
    Sim,
    Real,
    Both,
}

#[derive(clap::Args)]
struct RunArgs {
    #[command(flatten)]
    select: Select,
    /// The world: turmoil's simulated network, loopback sockets, or both (default: sim for the
    /// reference, real for --engine-cmd).
    #[arg(long, value_enum)]
    world: Option<WorldArg>,
    /// Checks the engine this shell command starts, over the driver protocol (CONFORMANCE.md),
    /// instead of the in-process reference. Runs in the real world.
    #[arg(long)]
    engine_cmd: Option<String>,
    /// With --engine-cmd: how long one request may take before the case is a TIMEOUT (times
    /// --time-scale).
    #[arg(long, default_value_t = 20.0)]
    request_timeout: f64,
    /// Multiplies every real-world pause, window, bound and timeout the cases use, each case's
    /// time limit and --request-timeout by F (1 or more), for a slow engine on a loaded machine.
    /// The simulated world's virtual time is never scaled.
    #[arg(long, value_name = "F", default_value = "1", value_parser = parse_time_scale)]
    time_scale: f64,
    /// The port's expectation file (TOML): expected failures and skips, each with a reason.
    #[arg(long)]
    expectations: Option<PathBuf>,
    /// Writes each case's transcript (requests, replies, stderr) to DIR/<world>/<case>.log.
    #[arg(long)]
    transcript_dir: Option<PathBuf>,
    /// The seed: of the simulated world, and of the scenarios the framing.generated.* cases
    /// draw in both worlds (a failure prints the command that replays it).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Runs the simulated world once per seed of this range, e.g. 1..200 (inclusive): a sweep.
    /// In the real world the framing.generated.* cases run once per seed too; every other case
    /// runs there once, with --seed's default.
    #[arg(long, value_parser = parse_seeds, conflicts_with = "seed")]
    seeds: Option<(u64, u64)>,
    /// How many scenarios each framing.generated.* case plays per seed: raise it for a longer
    /// search.
    #[arg(long, default_value_t = DEFAULT_GENERATED, value_parser = parse_generated)]
    generated: usize,
    /// Cases run at once (default: six per core, since most of a real-world case is waiting on
    /// the network or a timer). The real world's long waits run beside them, in a lane of their
    /// own.
    #[arg(long)]
    jobs: Option<usize>,
    /// Leaves out the cases that wait out a 30 s default in real time (reported SKIP).
    #[arg(long)]
    quick: bool,
    /// Writes the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Writes the report as JUnit XML to this file.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Writes the report as one self-contained HTML page to this file.
    #[arg(long)]
    html: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Streams each case's exchange (sessions, requests, replies) to stderr as it happens,
    /// each line after the case's ID and world; best with one case.
    #[arg(long)]
    trace: bool,
    /// After the run, writes or refreshes this expectation file from it: new failures added
    /// (with a reason to fill in), entries that now pass or match no case removed, comments kept.
    #[arg(long)]
    update_expectations: Option<PathBuf>,
}

impl Select {
    fn filter(&self) -> Filter {
        Filter {
            patterns: self.patterns.clone(),
            clauses: self.clauses.clone(),
            level: self.level.map(|level| match level {
                LevelArg::Must => Level::Must,
                LevelArg::Should => Level::Should,
            }),
            shard: self.shard,
        }
    }
}

/// Keeps freed memory for reuse rather than handing it back to the system: cases move
/// megabyte-sized buffers, and fresh pages for each cost a sweep about 5 % of its time in page
/// faults.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only sets the allocator's parameters; it runs before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

fn main() -> ExitCode {
    keep_freed_memory();
    let command = match Cli::parse().command {
        Some(command) => command,
        None => Cli::parse_from(["caspian-conform", "run"]).command.unwrap_or_else(|| unreachable!()),
    };
    let outcome = match command {
        Command::Run(args) => run(&args),
        Command::List { select, markdown, update, json, reference } => {
            list(&select, Listing { markdown, update: update.as_ref(), json, reference })
        }
        Command::Explain { case, all, reference } => explain(case.as_deref(), all, reference),
        Command::Certs { out } => certs(&out),
        Command::Diff { old, new, merged } => diff(&old, &new, merged.as_ref()),
        Command::Compare { reports, html } => compare(&reports, html.as_ref()),
        Command::Handshake { engine_cmd, request_timeout } => handshake(engine_cmd, request_timeout),
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("caspian-conform: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &RunArgs) -> Result<ExitCode, String> {
    let cases = args.select.filter().select(&catalog());
    if cases.is_empty() {
        return Err("no case matches the selection (see `caspian-conform list`)".into());
    }
    let engine = match &args.engine_cmd {
        None => EngineSpec::Reference,
        Some(command) => {
            if args.world.is_some_and(|w| w != WorldArg::Real) {
                return Err("an --engine-cmd engine runs on loopback: use --world real (the default)".into());
            }
            let spec = process_spec(command.clone(), args.request_timeout * args.time_scale)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start a runtime: {e}"))?;
            let pool = process::Pool::default();
            let identity = runtime
                .block_on(process::probe(&spec, &pool))
                .map_err(|e| format!("the engine `{command}` failed its handshake: {e}"))?;
            EngineSpec::Process(spec, identity, pool)
        }
    };
    let default_world = if args.engine_cmd.is_some() { WorldArg::Real } else { WorldArg::Sim };
    let worlds: &[World] = match args.world.unwrap_or(default_world) {
        WorldArg::Sim => &[World::Sim],
        WorldArg::Real => &[World::Real],
        WorldArg::Both => &[World::Sim, World::Real],
    };
    let expectations = match &args.expectations {
        Some(path) => Expectations::load(path)?,
        None => Expectations::default(),
    };
    let (first_seed, last_seed) = args.seeds.unwrap_or((args.seed, args.seed));
    let mut jobs = Vec::new();
    for &world in worlds {
        for seed in first_seed..=last_seed {
            for &case in &cases {
                // The simulated world sweeps every case over the seeds; the real world sweeps
                // the generated cases (whose scenarios the seed draws) and runs the others once.
                if world == World::Sim || is_generated(&case) {
                    jobs.push(Job { case, world, seed });
                } else if seed == first_seed {
                    jobs.push(Job { case, world, seed: args.seed });
                }
            }
        }
    }
    let certs = CertZoo::shared_dir().map_err(|e| format!("cannot write the certificate zoo: {e}"))?;
    let settings = RunSettings {
        engine,
        expectations,
        keep_passing_transcripts: args.transcript_dir.is_some(),
        expectations_file: args.expectations.clone(),
        trace: args.trace,
        generated: args.generated,
        certs: certs.to_path_buf(),
        jobs: args.jobs.unwrap_or_else(|| 6 * std::thread::available_parallelism().map_or(2, |n| n.get())),
        quick: args.quick,
        time_scale: args.time_scale,
    };
    let bar = if args.quiet { ProgressBar::hidden() } else { ProgressBar::new(jobs.len() as u64) };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} cases, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let failures = Mutex::new(0usize);
    let started = Instant::now();
    let reports = run_all(&jobs, &settings, &|report| {
        if report.status.is_unexpected()
            && let Ok(mut failures) = failures.lock()
        {
            *failures += 1;
            bar.set_message(format!("{} failed", *failures));
        }
        bar.inc(1);
    });
    bar.finish_and_clear();
    let report = RunReport {
        engine: settings.engine.name(),
        cases: reports,
        stale_expectations: settings.expectations.stale(&jobs),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    };
    if let Some(dir) = &args.transcript_dir {
        write_transcripts(dir, &report)?;
    }
    write_file(args.json.as_ref(), &reporters::json(&report))?;
    write_file(args.junit.as_ref(), &reporters::junit::junit(&report))?;
    write_file(args.html.as_ref(), &reporters::html::html(&report))?;
    if let Some(path) = &args.update_expectations {
        let ids: Vec<&str> = catalog().iter().map(|case| case.id).collect();
        let update = update_expectations::update_file(path, &report, &ids)?;
        eprintln!("{}", update.summary(path));
    }
    out!("{}", reporters::terminal(&report));
    if args.time_scale != 1.0 {
        outln!("time scale: {} (every real-world wait, bound and limit multiplied by it)", args.time_scale);
    }
    Ok(if report.succeeded() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Writes each case's transcript to `dir/<world>/<case>.log`.
fn write_transcripts(dir: &std::path::Path, report: &RunReport) -> Result<(), String> {
    for case in &report.cases {
        let folder = dir.join(&case.world);
        std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        let mut text = format!("# {} [{}] {}\n", case.id, case.world, case.status.name());
        if let Some(message) = &case.message {
            text.push_str(&format!("# {message}\n"));
        }
        for line in &case.transcript {
            text.push_str(line);
            text.push('\n');
        }
        write_file(Some(&folder.join(format!("{}.log", case.id))), &text)?;
    }
    Ok(())
}

/// Parses `A..B` (inclusive) with A <= B.
fn parse_seeds(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--seeds takes A..B with A <= B, e.g. 1..200; got {}", quoted(text));
    let (first, last) = text.split_once("..").ok_or_else(bad)?;
    let (first, last): (u64, u64) = (first.parse().map_err(|_| bad())?, last.parse().map_err(|_| bad())?);
    if first > last {
        return Err(bad());
    }
    Ok((first, last))
}

/// Parses a positive count of scenarios.
fn parse_generated(text: &str) -> Result<usize, String> {
    text.parse()
        .ok()
        .filter(|&n: &usize| n > 0)
        .ok_or_else(|| format!("--generated takes a positive count; got {}", quoted(text)))
}

fn write_file(path: Option<&PathBuf>, contents: &str) -> Result<(), String> {
    match path {
        None => Ok(()),
        Some(path) => {
            std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
    }
}

/// How `list` shows the selection.
struct Listing<'a> {
    markdown: bool,
    update: Option<&'a PathBuf>,
    json: bool,
    reference: bool,
}

fn list(select: &Select, how: Listing) -> Result<ExitCode, String> {
    let cases = select.filter().select(&catalog());
    if how.json {
        outln!("{}", describe::json(&cases));
    } else if how.markdown {
        match how.update {
            None => out!("{}", markdown::clause_table(&cases)),
            Some(path) => {
                let document = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let updated = markdown::update_document(&document, &cases)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                write_file(Some(path), &updated)?;
                outln!("updated the generated tables of {}", path.display());
            }
        }
    } else if std::io::stdout().is_terminal() {
        out!("{}{}", clause_notes(select, how.reference), listing(&cases));
    } else {
        // Piped: only the cases on stdout, one a line; the rest is for the person watching.
        note(&clause_notes(select, how.reference));
        out!("{}", case_lines(&cases));
        note(&count_line(&cases));
    }
    Ok(ExitCode::SUCCESS)
}

/// The text of each clause `--clause` names, each followed by a blank line; with `reference`,
/// where the reference keeps it.
fn clause_notes(select: &Select, reference: bool) -> String {
    let mut notes = String::new();
    for id in &select.clauses {
        notes.push_str(&format!("{id}: {}\n", describe::clause_text(id)));
        if reference {
            notes.push_str(&format!("  {}\n", describe::REFERENCE_HEADING));
            notes.push_str(&describe::reference_lines(id, "    "));
        }
        notes.push('\n');
    }
    notes
}

/// Explains case `id`, or with `all` every case, a blank line between two.
fn explain(id: Option<&str>, all: bool, reference: bool) -> Result<ExitCode, String> {
    let catalog = catalog();
    let cases: Vec<&Case> = match id {
        Some(id) if !all => vec![
            catalog
                .iter()
                .find(|c| c.id == id)
                .ok_or_else(|| format!("no case {} (see `caspian-conform list`)", quoted(id)))?,
        ],
        _ => catalog.iter().collect(),
    };
    let texts: Vec<String> = cases.iter().map(|case| describe::explain(case, reference)).collect();
    out!("{}", texts.join("\n"));
    Ok(ExitCode::SUCCESS)
}

fn certs(out: &std::path::Path) -> Result<ExitCode, String> {
    let zoo = CertZoo::try_mint().map_err(|e| e.to_string())?;
    let written = zoo.write_pem(out).map_err(|e| format!("cannot write to {}: {e}", out.display()))?;
    outln!("wrote {} files to {}", written.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

fn compare(reports: &[PathBuf], html: Option<&PathBuf>) -> Result<ExitCode, String> {
    let reports = reports.iter().map(|path| diff::load(path)).collect::<Result<Vec<_>, _>>()?;
    let comparison = Comparison::new(&reports);
    write_file(html, &reporters::compare::html(&comparison))?;
    out!("{}", comparison.terminal());
    Ok(ExitCode::SUCCESS)
}

fn diff(old: &std::path::Path, new: &[PathBuf], merged: Option<&PathBuf>) -> Result<ExitCode, String> {
    let old = diff::load(old)?;
    let new = diff::merge(new.iter().map(|path| diff::load(path)).collect::<Result<_, _>>()?)?;
    if let Some(path) = merged {
        let json = serde_json::to_string_pretty(&new).map_err(|e| e.to_string())?;
        write_file(Some(path), &json)?;
    }
    let changes = diff::diff(&old, &new);
    out!("{}", changes.render());
    Ok(if changes.regressions.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn handshake(command: String, request_timeout: f64) -> Result<ExitCode, String> {
    let spec = process_spec(command, request_timeout)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let shown = runtime.block_on(handshake::handshake(&spec, &|line: &str| outln!("{line}")));
    match shown {
        Ok(summary) => {
            outln!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        Err(wrong) => {
            outln!("the first thing wrong: {wrong}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The port to start, checking `--request-timeout`.
fn process_spec(command: String, request_timeout: f64) -> Result<ProcessSpec, String> {
    if !(request_timeout.is_finite() && request_timeout > 0.0) {
        return Err(format!("--request-timeout must be a positive number of seconds, got {request_timeout}"));
    }
    Ok(ProcessSpec { command, request_deadline: Duration::from_secs_f64(request_timeout) })
}
