//! `caspian-ref-driver`: the reference engine behind the driver protocol (JSON Lines on stdin
//! and stdout), over OS sockets. Any out-of-process run can target it:
//! `caspian-conform run --world real --engine-cmd caspian-ref-driver`. With `--blocking` it
//! serves the reference's blocking surface (`caspian_reference::blocking`) instead of the async
//! one: `--engine-cmd 'caspian-ref-driver --blocking'`.
//!
//! It answers every line (a line it cannot take gets a ProtocolError reply), serves sessions
//! one after another (`"sessions":"many"`), and exits 0 when stdin closes.

use std::process::ExitCode;
use std::sync::Arc;

use caspian_conformance::contract::EngineFactory;
use caspian_harness::engines::driver;
use caspian_harness::engines::reference::{Blocking, ReferenceFactory};
use caspian_reference::transport::os::OsTransport;
use rustls::time_provider::DefaultTimeProvider;

const USAGE: &str = "usage: caspian-ref-driver [--blocking]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let clock = Arc::new(DefaultTimeProvider);
    let (name, factory): (&str, Box<dyn EngineFactory>) = match args.as_slice() {
        [] => ("caspian-ref-driver", Box::new(ReferenceFactory::new(OsTransport, clock))),
        [flag] if flag == "--blocking" => {
            ("caspian-ref-driver --blocking", Box::new(ReferenceFactory::new(Blocking, clock)))
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("caspian-ref-driver: cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(driver::serve(
        (name, env!("CARGO_PKG_VERSION")),
        factory.as_ref(),
        std::io::BufReader::new(std::io::stdin()),
        std::io::stdout().lock(),
    ));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("caspian-ref-driver: {e}");
            ExitCode::FAILURE
        }
    }
}
