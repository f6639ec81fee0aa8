//! Messages per second for `analyze` (findings + rewrites) on one thread.
//!
//! `cargo run --release -p rekindle-coach --example throughput -- [FILE]`
//! (one message per line; defaults to crates/coach/bench/messages.txt). The last line printed
//! is machine-readable: `us_per_message <float>`.
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/bench/messages.txt").to_string());
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let msgs: Vec<&str> = data.lines().filter(|l| !l.trim().is_empty()).collect();
    rekindle_coach::warm_up();
    // warm caches
    for m in &msgs {
        black_box(rekindle_coach::analyze(m));
    }
    let mut rounds = 0u64;
    let t = Instant::now();
    while t.elapsed().as_secs_f64() < 1.5 {
        for m in &msgs {
            black_box(rekindle_coach::analyze(black_box(m)));
        }
        rounds += 1;
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / (rounds as f64 * msgs.len() as f64);
    println!("{} messages x {rounds} rounds", msgs.len());
    let t2 = Instant::now();
    let mut r2 = 0u64;
    while t2.elapsed().as_secs_f64() < 0.5 {
        for m in &msgs {
            black_box(rekindle_coach::findings(black_box(m)));
        }
        r2 += 1;
    }
    println!(
        "findings only: {:.3} us/message",
        t2.elapsed().as_secs_f64() * 1e6 / (r2 as f64 * msgs.len() as f64)
    );
    println!("us_per_message {per:.3}");
}
