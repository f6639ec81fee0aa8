//! Dev aid for deterministic profiles: `valgrind --tool=callgrind target/release/examples/icount [N]`
//! runs `analyze` N times (default 50) over bench/messages.txt after building the matchers.
use std::hint::black_box;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let msgs: Vec<&str> = include_str!("../bench/messages.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    rekindle_coach::warm_up();
    for _ in 0..n {
        for m in &msgs {
            black_box(rekindle_coach::analyze(black_box(m)));
        }
    }
}
