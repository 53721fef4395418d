//! `caspian-conform`: the command of the Caspian socket conformance suite.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use caspian_conformance::catalog::{Case, Level, Worlds, catalog};
use caspian_conformance::clauses::clause;
use caspian_harness::certs::CertZoo;
use caspian_harness::engines::process::{self, ProcessSpec};
use caspian_harness::expectations::Expectations;
use caspian_harness::markdown;
use caspian_harness::plan::{Filter, parse_shard};
use caspian_harness::report::RunReport;
use caspian_harness::reporters;
use caspian_harness::runner::{EngineSpec, Job, RunSettings, World, run_all};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(name = "caspian-conform", version, about = "The Caspian socket conformance suite")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the catalog (or the cases selected) against an engine and reports.
    Run(RunArgs),
    /// Lists the cases selected.
    List {
        #[command(flatten)]
        select: Select,
        /// Prints the clause -> cases table of CONFORMANCE.md instead.
        #[arg(long)]
        markdown: bool,
        /// With --markdown: rewrites the table inside this file (between its markers) instead.
        #[arg(long, requires = "markdown")]
        update: Option<PathBuf>,
    },
    /// Explains one case: what it checks, the clauses it cites, where it runs.
    Explain {
        /// The case ID.
        case: String,
    },
    /// Writes the certificate zoo (root CA, intermediate, every leaf chain and key) as PEM files.
    Certs {
        /// The folder to write into (created if missing; existing files are overwritten).
        #[arg(long, default_value = "fixtures/certs")]
        out: PathBuf,
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
    /// With --engine-cmd: how long one request may take before the case is a TIMEOUT.
    #[arg(long, default_value_t = 20.0)]
    request_timeout: f64,
    /// The port's expectation file (TOML): expected failures and skips, each with a reason.
    #[arg(long)]
    expectations: Option<PathBuf>,
    /// Writes each case's transcript (requests, replies, stderr) to DIR/<world>/<case>.log.
    #[arg(long)]
    transcript_dir: Option<PathBuf>,
    /// The simulated world's seed (a failure prints the seed that replays it).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Runs the simulated world once per seed of this range, e.g. 1..200 (inclusive): a sweep.
    #[arg(long, value_parser = parse_seeds, conflicts_with = "seed")]
    seeds: Option<(u64, u64)>,
    /// Cases run at once (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
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

fn main() -> ExitCode {
    let command = Cli::parse().command.unwrap_or(Command::Run(RunArgs {
        select: Select::default(),
        world: None,
        engine_cmd: None,
        request_timeout: 20.0,
        expectations: None,
        transcript_dir: None,
        seed: 1,
        seeds: None,
        jobs: None,
        json: None,
        junit: None,
        html: None,
        quiet: false,
    }));
    let outcome = match command {
        Command::Run(args) => run(&args),
        Command::List { select, markdown, update } => list(&select, markdown, update.as_ref()),
        Command::Explain { case } => explain(&case),
        Command::Certs { out } => certs(&out),
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
            if !(args.request_timeout.is_finite() && args.request_timeout > 0.0) {
                return Err(format!(
                    "--request-timeout must be a positive number of seconds, got {}",
                    args.request_timeout
                ));
            }
            let spec = ProcessSpec {
                command: command.clone(),
                request_deadline: Duration::from_secs_f64(args.request_timeout),
            };
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start a runtime: {e}"))?;
            let identity = runtime
                .block_on(process::probe(&spec))
                .map_err(|e| format!("the engine `{command}` failed its handshake: {e}"))?;
            EngineSpec::Process(spec, identity, Default::default())
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
        let seeds = if world == World::Sim { first_seed..=last_seed } else { args.seed..=args.seed };
        for seed in seeds {
            jobs.extend(cases.iter().map(|&case| Job { case, world, seed }));
        }
    }
    let certs = CertZoo::shared_dir().map_err(|e| format!("cannot write the certificate zoo: {e}"))?;
    let settings = RunSettings {
        engine,
        expectations,
        keep_passing_transcripts: args.transcript_dir.is_some(),
        certs: certs.to_path_buf(),
        jobs: args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
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
    print!("{}", reporters::terminal(&report));
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
    let bad = || format!("--seeds takes A..B with A <= B, e.g. 1..200; got {text:?}");
    let (first, last) = text.split_once("..").ok_or_else(bad)?;
    let (first, last): (u64, u64) = (first.parse().map_err(|_| bad())?, last.parse().map_err(|_| bad())?);
    if first > last {
        return Err(bad());
    }
    Ok((first, last))
}

fn write_file(path: Option<&PathBuf>, contents: &str) -> Result<(), String> {
    match path {
        None => Ok(()),
        Some(path) => {
            std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
    }
}

fn list(select: &Select, markdown: bool, update: Option<&PathBuf>) -> Result<ExitCode, String> {
    let cases = select.filter().select(&catalog());
    if markdown {
        let table = markdown::clause_table(&cases);
        match update {
            None => print!("{table}"),
            Some(path) => {
                let document = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let updated = markdown::replace_table(&document, &table)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                write_file(Some(path), &updated)?;
                println!("updated the clause table of {}", path.display());
            }
        }
    } else {
        for case in &cases {
            println!("{:<48} {:<6} {}", case.id, case.level.name(), case.clauses.join(","));
        }
        println!("{} cases", cases.len());
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(id: &str) -> Result<ExitCode, String> {
    let all = catalog();
    let case: &Case = all
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| format!("no case {id:?} (see `caspian-conform list`)"))?;
    println!("{}  [{}]", case.id, case.level.name());
    println!("  {}", case.description);
    println!("  needs: {:?}", case.needs);
    match case.worlds {
        Worlds::Both => println!("  worlds: sim and real"),
        Worlds::SimOnly(reason) => println!("  worlds: sim only ({reason})"),
        Worlds::RealOnly(reason) => println!("  worlds: real only ({reason})"),
    }
    println!("  clauses:");
    for id in case.clauses {
        let text = clause(id).map_or("(not in clauses.md)", |c| c.text);
        println!("    {id}: {text}");
    }
    Ok(ExitCode::SUCCESS)
}

fn certs(out: &std::path::Path) -> Result<ExitCode, String> {
    let zoo = CertZoo::try_mint().map_err(|e| e.to_string())?;
    let written = zoo.write_pem(out).map_err(|e| format!("cannot write to {}: {e}", out.display()))?;
    println!("wrote {} files to {}", written.len(), out.display());
    Ok(ExitCode::SUCCESS)
}
