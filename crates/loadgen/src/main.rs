//! `rekindle-loadgen`: drive GETs at one loopback URL and report throughput, errors and latency.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use rekindle_loadgen::{Config, parse_header, run};

/// HTTP/1.1 keep-alive load generator for Rekindle's server benchmark (loopback targets only).
#[derive(Debug, Parser)]
#[command(name = "rekindle-loadgen", version, about)]
struct Args {
    /// URL to GET, e.g. http://127.0.0.1:8080/ (http:// to 127.0.0.0/8, ::1 or localhost only).
    #[arg(long)]
    url: String,

    /// Extra request header, repeatable: --header 'Cookie: a=b'.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,

    /// Concurrent workers, each with one keep-alive connection.
    #[arg(long, short = 'c', default_value_t = 64)]
    concurrency: usize,

    /// Measured time, after the warmup (humantime: 10s, 1m30s, 500ms).
    #[arg(long, short = 'd', default_value = "10s", value_parser = humantime::parse_duration)]
    duration: Duration,

    /// Time spent sending requests before measuring; not counted.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    warmup: Duration,

    /// Stop after this many measured requests (the duration still bounds the run).
    #[arg(long)]
    max_requests: Option<u64>,

    /// Per-request timeout; a request taking longer counts as a `timeout` error.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    timeout: Duration,

    /// Sample this process's RSS (VmRSS every 100 ms, VmHWM at the end) and report its peak.
    #[arg(long)]
    pid: Option<u32>,

    /// Runtime threads of the load generator itself (keep it low on a small machine, so the
    /// server under test keeps the other cores).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: u16,

    /// Print one JSON object instead of the text report.
    #[arg(long)]
    json: bool,
}

fn config(args: &Args) -> Result<Config, String> {
    let mut cfg = Config::new(&args.url).map_err(|e| e.to_string())?;
    for line in &args.headers {
        let (name, value) = parse_header(line).map_err(|e| e.to_string())?;
        cfg.headers.append(name, value);
    }
    cfg.concurrency = args.concurrency;
    cfg.duration = args.duration;
    cfg.warmup = args.warmup;
    cfg.max_requests = args.max_requests;
    cfg.timeout = args.timeout;
    cfg.pid = args.pid;
    cfg.validate().map_err(|e| e.to_string())?;
    Ok(cfg)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let cfg = match config(&args) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("rekindle-loadgen: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = if args.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(usize::from(args.threads))
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rekindle-loadgen: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "rekindle-loadgen: GET {} with {} connections, {} warmup + {} measured",
        cfg.url(),
        cfg.concurrency,
        humantime::format_duration(cfg.warmup),
        humantime::format_duration(cfg.duration),
    );
    let report = runtime.block_on(run(cfg));
    if args.json {
        match serde_json::to_string(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("rekindle-loadgen: cannot serialize the report: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        println!("{report}");
    }
    ExitCode::SUCCESS
}
