//! Per-kind precision / recall / F1 on a labeled JSONL file, or the headline figures on the
//! real corpus split by source.
//!
//! `cargo run --release -p rekindle-coach --example eval -- crates/coach/corpus/test.jsonl [--misses]`
//!
//! `cargo run --release -p rekindle-coach --example eval -- --real crates/coach/corpus/real/sentences.jsonl [--train] [--misses]`
//! prints, for the held-out test sources (or, with `--train`, the training sources), the
//! share of problem messages caught, of clean messages flagged and per-kind precision and
//! recall with Wilson 95 % intervals, for rules + model and for the rules alone. `--misses`
//! lists misses **only with `--train`** (the test sentences are not for reading while
//! writing rules).
use rekindle_coach::eval;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!(
            "usage: eval FILE.jsonl [--misses] | eval --real SENTENCES.jsonl [--train] [--misses]"
        );
        std::process::exit(2);
    };
    let data = match std::fs::read_to_string(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let misses = args.iter().any(|a| a == "--misses");
    if args.iter().any(|a| a == "--real") {
        let train = args.iter().any(|a| a == "--train");
        let lines = match eval::parse_real(&data) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(2);
            }
        };
        let sel: Vec<&eval::RealLine> = lines
            .iter()
            .filter(|l| eval::source_is_test(&l.source, eval::SPLIT_SEED) != train)
            .collect();
        let new = eval::headline(&sel, eval::predict_full);
        let old = eval::headline(&sel, eval::predict_rules);
        println!(
            "{} split (seed {}): {} sentences from {} sources",
            if train { "training" } else { "held-out test" },
            eval::SPLIT_SEED,
            new.sentences,
            new.sources
        );
        print!("{}", eval::side_by_side(&new, &old));
        if misses && train {
            for l in &sel {
                let p = eval::predict_full(&l.text);
                for k in rekindle_coach::Kind::ALL {
                    let g = l.labels.iter().any(|s| s == k.as_str());
                    if g != p.contains(&k) {
                        println!(
                            "{} {:<14} {}",
                            if g { "FN" } else { "FP" },
                            k.as_str(),
                            l.text
                        );
                    }
                }
            }
        }
        return;
    }
    match eval::evaluate(&data) {
        Ok(r) => {
            print!("{r}");
            if misses {
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
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
