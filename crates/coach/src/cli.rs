//! The body of `rekindle coach`: analyse each TEXT argument, or each line of input.

use std::io::{BufRead, Write};

use crate::{analyze, report};

/// Analyse `texts`, or each line of `input` when `texts` is empty, and write one report per
/// message to `out`: one JSON object per line with `json`, otherwise the human report
/// (ANSI colour only with `color`). Blank input lines are skipped.
///
/// Output is gathered in a 64 KiB buffer and written in large blocks (a locked stdout is
/// line-buffered: one system call per message otherwise); JSON is written straight into
/// it by [`report::write_json_line`]. Input lines are read into one reused buffer.
pub fn run(
    texts: &[String],
    mut input: impl BufRead,
    mut out: impl Write,
    json: bool,
    color: bool,
) -> std::io::Result<()> {
    const FLUSH_AT: usize = 60 * 1024;
    let mut buf: Vec<u8> = Vec::with_capacity(FLUSH_AT + 8 * 1024);
    let one = |t: &str, buf: &mut Vec<u8>, out: &mut dyn Write| -> std::io::Result<()> {
        let a = analyze(t);
        if json {
            report::write_json_line(t, &a, buf);
        } else {
            buf.extend_from_slice(report::human(t, &a, color).as_bytes());
            buf.push(b'\n');
        }
        if buf.len() >= FLUSH_AT {
            out.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    };
    if texts.is_empty() {
        let mut line = String::new();
        loop {
            line.clear();
            if input.read_line(&mut line)? == 0 {
                break;
            }
            let t = line.trim_end_matches('\n').trim_end_matches('\r');
            if t.trim().is_empty() {
                continue;
            }
            one(t, &mut buf, &mut out)?;
        }
    } else {
        for t in texts {
            one(t, &mut buf, &mut out)?;
        }
    }
    out.write_all(&buf)?;
    out.flush()
}
