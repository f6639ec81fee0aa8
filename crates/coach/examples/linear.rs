//! Time to analyse long inputs made of typical text, to show time grows linearly with length.
//!
//! `cargo run --release -p rekindle-coach --example linear`
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let msgs = include_str!("../bench/messages.txt");
    rekindle_coach::warm_up();
    for kib in [8usize, 16, 32, 64] {
        let mut s = String::new();
        while s.len() < kib * 1024 {
            s.push_str(msgs);
        }
        let mut cut = kib * 1024;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        let mut times: Vec<f64> = (0..15)
            .map(|_| {
                let t = Instant::now();
                black_box(rekindle_coach::analyze(black_box(&s)));
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(|a, b| a.total_cmp(b));
        let a = rekindle_coach::analyze(&s);
        println!(
            "{kib:>3} KiB: median {:.3} ms ({} findings)",
            times[times.len() / 2],
            a.findings.len()
        );
    }
}
