//! `rekindle coach [--json]` without the server around it: the same `cli::run` on a locked
//! stdin and stdout, for whole-process timing without building the whole `rekindle` binary.
//!
//! `cargo run --release -p rekindle-coach --example coach_cli -- --json < LINES`
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let texts: Vec<String> = args.into_iter().filter(|a| a != "--json").collect();
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Err(e) = rekindle_coach::cli::run(&texts, stdin.lock(), &mut out, json, false)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("coach: {e}");
        std::process::exit(1);
    }
    let _ = out.flush();
}
