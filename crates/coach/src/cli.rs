//! The body of `rekindle coach`: analyse each TEXT argument, or each line of input.

use std::io::{BufRead, Write};

use crate::{analyze, report};

/// Analyse `texts`, or each line of `input` when `texts` is empty, and write one report per
/// message to `out`: one JSON object per line with `json`, otherwise the human report
/// (ANSI colour only with `color`). Blank input lines are skipped.
pub fn run(
    texts: &[String],
    input: impl BufRead,
    mut out: impl Write,
    json: bool,
    color: bool,
) -> std::io::Result<()> {
    let one = |t: &str, out: &mut dyn Write| -> std::io::Result<()> {
        let a = analyze(t);
        if json {
            let v = report::json(t, &a);
            writeln!(out, "{v}")
        } else {
            writeln!(out, "{}", report::human(t, &a, color))
        }
    };
    if texts.is_empty() {
        for line in input.lines() {
            let line = line?;
            let t = line.trim_end_matches('\r');
            if t.trim().is_empty() {
                continue;
            }
            one(t, &mut out)?;
        }
    } else {
        for t in texts {
            one(t, &mut out)?;
        }
    }
    out.flush()
}
