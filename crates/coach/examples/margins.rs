//! Prints the learned layer's margin (logit minus threshold) per kind for each argument.
//!
//! `cargo run --release -p rekindle-coach --example margins -- "You never listen."`
fn main() {
    for t in std::env::args().skip(1) {
        let m = rekindle_coach::model::margins(&t);
        let parts: Vec<String> = rekindle_coach::Kind::ALL
            .iter()
            .zip(m)
            .map(|(k, x)| format!("{}={x:.1}", k.as_str()))
            .collect();
        println!("{t}\n  {}", parts.join(" "));
    }
}
