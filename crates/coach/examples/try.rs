//! Print the analysis of each argument (or each stdin line) for eyeballing.
use std::io::BufRead;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lines: Vec<String> = if args.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect()
    } else {
        args
    };
    for l in lines {
        let a = rekindle_coach::analyze(&l);
        print!("{}", rekindle_coach::report::human(&l, &a, false));
        println!("  paraphrase: {}", rekindle_coach::paraphrase(&l));
        println!();
    }
}
