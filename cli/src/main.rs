//! The `afregning` binary: parse the command line, run the command, exit with its code.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    afregning::run::run(afregning::args::Cli::parse()).await
}
