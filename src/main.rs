//! The command line: pose, check, demo, live, exercises, cameras.

use clap::Parser;

mod cli;

fn main() {
    let cli = cli::Cli::parse();
    if let Err(e) = cli::run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
