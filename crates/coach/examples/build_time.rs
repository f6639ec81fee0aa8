//! Times the one-off matcher build in a fresh process.
//!
//! `cargo run --release -p rekindle-coach --example build_time`
use std::time::Instant;

fn main() {
    let t = Instant::now();
    rekindle_coach::warm_up();
    let build = t.elapsed();
    let t = Instant::now();
    let a = rekindle_coach::analyze("You never help with the dishes!");
    let first = t.elapsed();
    println!(
        "matcher build (first LazyLock init): {:.3} ms",
        build.as_secs_f64() * 1e3
    );
    println!(
        "first analysis after build: {:.1} µs ({} findings)",
        first.as_secs_f64() * 1e6,
        a.findings.len()
    );
}
