//! `caspian-ref-driver`: the reference engine behind the driver protocol (JSON Lines on stdin
//! and stdout), over OS sockets. Any out-of-process run can target it:
//! `caspian-conform run --world real --engine-cmd caspian-ref-driver`.
//!
//! It answers every line (a line it cannot take gets a ProtocolError reply), serves sessions
//! one after another (`"sessions":"many"`), and exits 0 when stdin closes.

use std::process::ExitCode;
use std::sync::Arc;

use caspian_harness::engines::{driver, reference::ReferenceFactory};
use caspian_reference::transport::os::OsTransport;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("caspian-ref-driver: cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let factory = ReferenceFactory::new(OsTransport, Arc::new(rustls::time_provider::DefaultTimeProvider));
    let served = runtime.block_on(driver::serve(
        ("caspian-ref-driver", env!("CARGO_PKG_VERSION")),
        &factory,
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
