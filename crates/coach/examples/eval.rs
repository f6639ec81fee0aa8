//! Per-kind precision / recall / F1 on a labeled JSONL file.
//!
//! `cargo run -p rekindle-coach --example eval -- crates/coach/corpus/test.jsonl [--misses]`
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: eval FILE.jsonl [--misses]");
        std::process::exit(2);
    };
    let data = match std::fs::read_to_string(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    match rekindle_coach::eval::evaluate(&data) {
        Ok(r) => {
            print!("{r}");
            if args.iter().any(|a| a == "--misses") {
                for m in &r.misses {
                    println!(
                        "{} {:<14} {}",
                        if m.false_positive { "FP" } else { "FN" },
                        m.kind.as_str(),
                        m.text
                    );
                }
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
