//! The `afregning` binary: parse the command line, run the command, exit with its code.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    afregning::run::run(afregning::help::parse()).await
}
