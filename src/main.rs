//! The `hubspot-mcp` binary: signals first, then parse the command line and run the command.

use std::process::ExitCode;

use hubspot_mcp::cli::{self, Command, USAGE};
use hubspot_mcp::{run, signals};
// Links the crate: in the static musl build its `memcpy` replaces musl's (crates/fastcopy).
use fastcopy as _;

/// mimalloc instead of the platform's malloc (musl's is one lock for all threads): see Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Before any other thread exists (see signals.rs).
    let shutdown = match signals::install() {
        Ok(rx) => rx,
        Err(e) => {
            eprintln!("error: cannot install signal handlers: {e}");
            return ExitCode::from(1);
        }
    };
    let cmd = match cli::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cmd {
        Command::Help => {
            println!("{USAGE}");
            Ok(())
        }
        Command::Version => {
            println!("hubspot-mcp {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Serve { demo, port, host } => run::serve(demo, port, host, shutdown),
        Command::Stdio { demo, profile } => run::stdio(demo, profile.as_deref()),
        Command::Healthcheck { url } => run::healthcheck(url).map(|ok| println!("{ok}")),
        Command::CheckConfig { demo } => run::check_config(demo).map(|ok| println!("{ok}")),
        Command::PrintConfigTable => {
            print!("{}", hubspot_mcp::config::markdown_table());
            Ok(())
        }
        Command::Sandbox { port, host, token } => run::sandbox(&host, port, token, shutdown),
    };
    // Log lines are batched: everything still waiting goes out before the last words.
    run::flush_logs();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}
