//! `caspian-conform`: the command of the Caspian socket conformance suite.

use std::path::PathBuf;
use std::process::ExitCode;

use caspian_harness::certs::CertZoo;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "caspian-conform", version, about = "The Caspian socket conformance suite")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes the certificate zoo (root CA, intermediate, every leaf chain and key) as PEM files.
    Certs {
        /// The folder to write into (created if missing; existing files are overwritten).
        #[arg(long, default_value = "fixtures/certs")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Certs { out } => match CertZoo::try_mint().map_err(|e| e.to_string()).and_then(|zoo| {
            zoo.write_pem(&out).map_err(|e| format!("cannot write to {}: {e}", out.display()))
        }) {
            Ok(written) => {
                println!("wrote {} files to {}", written.len(), out.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("caspian-conform certs: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
