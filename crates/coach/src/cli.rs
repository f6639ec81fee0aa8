//! The body of `rekindle coach`: analyse each TEXT argument, or each line of input.

use std::io::{BufRead, Write};
use std::sync::{Arc, mpsc};

use crate::{analyze, report};

/// Lines analysed per batch when reading input: large enough that handing half a batch to a
/// second thread costs little beside the work (≈ 1,024 lines ≈ 5 ms), small enough that
/// output starts soon and memory stays small.
const BATCH: usize = 2048;

/// Analyse `texts`, or each line of `input` when `texts` is empty, and write one report per
/// message to `out`: one JSON object per line with `json`, otherwise the human report
/// (ANSI colour only with `color`). Blank input lines are skipped.
///
/// Output is gathered in memory and written in large blocks (a locked stdout is
/// line-buffered: one system call per message otherwise); JSON is written straight into
/// the buffer by [`report::write_json_line`]. Input is read in batches of lines; when the
/// machine has more than one processor, the second half of each batch is analysed on a
/// second thread while this one does the first half, and the two halves are written in
/// order, so the output is the same as one thread's.
pub fn run(
    texts: &[String],
    mut input: impl BufRead,
    mut out: impl Write,
    json: bool,
    color: bool,
) -> std::io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    run_on(texts, &mut input, &mut out, json, color, threads > 1)
}

fn run_on(
    texts: &[String],
    input: &mut impl BufRead,
    out: &mut impl Write,
    json: bool,
    color: bool,
    two: bool,
) -> std::io::Result<()> {
    if !texts.is_empty() {
        let mut buf = Vec::new();
        for t in texts {
            one(t, &mut buf, json, color);
        }
        out.write_all(&buf)?;
        return out.flush();
    }
    std::thread::scope(|s| {
        // One second thread for the whole run, handed half of each batch. A thread spawned
        // per batch started with cold thread-local scratch (the tokeniser's and the
        // matcher's) every 2,048 lines: 30 % more CPU than one thread, and no faster.
        let (to_worker, jobs) = mpsc::channel::<(Arc<Batch>, usize, Vec<u8>)>();
        let (to_main, done_halves) = mpsc::channel::<Vec<u8>>();
        let worker = two.then(|| {
            s.spawn(move || {
                for (batch, from, mut buf) in jobs {
                    buf.clear();
                    for i in from..batch.len() {
                        one(batch.nth(i), &mut buf, json, color);
                    }
                    if to_main.send(buf).is_err() {
                        break;
                    }
                }
            })
        });
        let (mut first, mut spare) = (Vec::new(), Vec::new());
        let mut line = String::new();
        loop {
            let (batch, last) = Batch::read(input, &mut line)?;
            let batch = Arc::new(batch);
            let half = if worker.is_some() && batch.len() >= 64 {
                batch.len() / 2
            } else {
                batch.len()
            };
            let handed = half < batch.len()
                && to_worker
                    .send((batch.clone(), half, std::mem::take(&mut spare)))
                    .is_ok();
            first.clear();
            for i in 0..half {
                one(batch.nth(i), &mut first, json, color);
            }
            out.write_all(&first)?;
            if handed {
                let second = done_halves
                    .recv()
                    .map_err(|_| std::io::Error::other("the second coach thread stopped"))?;
                out.write_all(&second)?;
                spare = second;
            }
            if last {
                break;
            }
        }
        drop(to_worker);
        out.flush()
    })
}

/// One batch of input lines, joined in `text`, each one's end in `ends` (no String per line).
struct Batch {
    text: String,
    ends: Vec<usize>,
}

impl Batch {
    /// Up to [`BATCH`] non-blank lines; `true` when the input ended.
    fn read(input: &mut impl BufRead, line: &mut String) -> std::io::Result<(Batch, bool)> {
        let mut b = Batch {
            text: String::new(),
            ends: Vec::with_capacity(BATCH),
        };
        while b.ends.len() < BATCH {
            line.clear();
            if input.read_line(line)? == 0 {
                return Ok((b, true));
            }
            let t = line.trim_end_matches('\n').trim_end_matches('\r');
            if t.trim().is_empty() {
                continue;
            }
            b.text.push_str(t);
            b.ends.push(b.text.len());
        }
        Ok((b, false))
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn nth(&self, i: usize) -> &str {
        &self.text[if i == 0 { 0 } else { self.ends[i - 1] }..self.ends[i]]
    }
}

fn one(t: &str, buf: &mut Vec<u8>, json: bool, color: bool) {
    let a = analyze(t);
    if json {
        report::write_json_line(t, &a, buf);
    } else {
        buf.extend_from_slice(report::human(t, &a, color).as_bytes());
        buf.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two threads write exactly what one writes, in the same order, across batch ends.
    #[test]
    fn two_threads_write_what_one_writes() {
        let msgs = [
            "You never listen to me.",
            "I felt hurt when you left early.",
            "",
            "Whatever. Fine.",
            "Could we talk tonight?\r",
            "You're so lazy, you always leave the dishes.",
        ];
        let mut input = String::new();
        for i in 0..(BATCH * 2 + 77) {
            input.push_str(msgs[i % msgs.len()]);
            input.push('\n');
        }
        for json in [true, false] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            run_on(&[], &mut input.as_bytes(), &mut a, json, false, false).unwrap();
            run_on(&[], &mut input.as_bytes(), &mut b, json, false, true).unwrap();
            assert!(!a.is_empty());
            assert_eq!(a, b);
            let lines = String::from_utf8(a).unwrap();
            if json {
                // blank lines skipped: 5 of every 6 lines are messages
                assert_eq!(
                    lines.lines().count(),
                    (BATCH * 2 + 77) - (BATCH * 2 + 77 + 3) / 6
                );
            }
        }
    }
}
