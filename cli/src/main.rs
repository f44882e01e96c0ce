//! The `afregning` binary: parse the command line, run the command, exit with its code.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    stop_quietly_on_a_closed_pipe();
    afregning::run::run(afregning::help::parse()).await
}

/// Output piped into a reader that stops early (`afregning … | head`) ends the command as a
/// signal would, with the shell's code for it (141), not with a panic's backtrace.
fn stop_quietly_on_a_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        report(info);
    }));
}
