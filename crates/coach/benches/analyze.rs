//! `cargo bench -p rekindle-coach --bench analyze`
//!
//! - `analyze_with_rewrites/per_message`: one message per iteration, cycling through the 20
//!   typical messages in bench/messages.txt (10–60 words); the reported time is per message.
//! - `matchers/build`: building every matcher from scratch (what the first call pays once).
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let msgs: Vec<&str> = include_str!("../bench/messages.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    rekindle_coach::warm_up();
    let mut g = c.benchmark_group("analyze_with_rewrites");
    let mut i = 0;
    g.bench_function("per_message", |b| {
        b.iter(|| {
            i = (i + 1) % msgs.len();
            black_box(rekindle_coach::analyze(black_box(msgs[i])))
        })
    });
    g.bench_function("findings_only", |b| {
        b.iter(|| {
            i = (i + 1) % msgs.len();
            black_box(rekindle_coach::findings(black_box(msgs[i])))
        })
    });
    g.finish();
    let mut g = c.benchmark_group("matchers");
    g.bench_function("build", |b| b.iter(rekindle_coach::bench_build_matchers));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
