//! Prints, for every line of stdin with a problem finding, the builder's sentence (or its
//! fill-in form) and the rewrites, one JSON object per line (for reading suggestions by eye).
//!
//! `cargo run --release -p rekindle-coach --example suggest < FILE`
use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("utf-8 line");
        let a = rekindle_coach::analyze(&line);
        let Some(b) = &a.builder else { continue };
        let form = b.text.clone().unwrap_or_else(|| {
            format!(
                "When I {} {}, I feel [{}], because I need [{}]. Would you {}?",
                b.sense,
                if b.observation.is_empty() {
                    "…"
                } else {
                    &b.observation
                },
                b.feeling,
                b.need,
                if b.request.is_empty() {
                    "…"
                } else {
                    &b.request
                }
            )
        });
        let v = serde_json::json!({
            "text": line,
            "builder": form,
            "rewrites": a.rewrites.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
        });
        println!("{v}");
    }
}
