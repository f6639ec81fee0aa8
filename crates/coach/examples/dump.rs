//! Dev aid: prints the full analysis and paraphrase of each input line as JSON, for
//! before/after comparisons of refactors. `cargo run --release -p rekindle-coach --example dump -- FILE...`
use std::io::Write;

fn main() {
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for path in std::env::args().skip(1) {
        let data = std::fs::read_to_string(&path).expect("read");
        for line in data.lines() {
            let text = match serde_json::from_str::<serde_json::Value>(line) {
                Ok(v) if v.get("text").is_some() => v["text"].as_str().unwrap_or("").to_string(),
                _ => line.to_string(),
            };
            let r = std::panic::catch_unwind(|| {
                let a = rekindle_coach::analyze(&text);
                let p = rekindle_coach::paraphrase(&text);
                (a, p)
            });
            match r {
                Ok((a, p)) => {
                    writeln!(out, "{}\t{}", serde_json::to_string(&a).unwrap(), p).unwrap()
                }
                Err(_) => writeln!(out, "PANIC").unwrap(),
            }
        }
    }
}
