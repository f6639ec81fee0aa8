//! `rekindle coach`: the language coach on the command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CoachArgs {
    /// Messages to read. Without any, messages are read from standard input, one per line.
    pub text: Vec<String>,

    /// Print one JSON object per message instead of the human-readable report.
    #[arg(long)]
    pub json: bool,

    /// Evaluate the coach on a labeled JSONL file ({"text": …, "labels": [kinds]}) and print
    /// precision, recall and F1 per kind.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["text", "json"])]
    pub eval: Option<PathBuf>,
}

pub fn run(args: CoachArgs) -> ExitCode {
    if let Some(path) = args.eval {
        let data = match std::fs::read_to_string(&path) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("rekindle coach: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        return match rekindle_coach::eval::evaluate(&data) {
            Ok(report) => {
                println!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("rekindle coach: {e}");
                ExitCode::from(2)
            }
        };
    }
    let stdout = std::io::stdout();
    let color = !args.json && stdout.is_terminal();
    let stdin = std::io::stdin();
    let input = stdin.lock();
    let mut out = stdout.lock();
    match rekindle_coach::cli::run(&args.text, input, &mut out, args.json, color) {
        Ok(()) => {
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rekindle coach: {e}");
            ExitCode::FAILURE
        }
    }
}
