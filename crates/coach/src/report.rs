//! Output for machines ([`json`]) and for people ([`human`]).

use serde_json::{Value, json as j};

use crate::{Analysis, Kind};

/// The wire format shared by the CLI (`--json`) and the HTTP API:
/// `{"text","findings":[{"kind","start","end","severity","explanation"}],"rewrites":[{"text","feeling","need"}],"pronouns":{"i","we","you"},"builder"}`
/// with `start`/`end` in characters; `builder` is `null` or
/// `{"sense","observation","feeling","feeling_choices","need","need_choices","request","text"}`
/// (`text` may be `null`).
pub fn json(text: &str, a: &Analysis) -> Value {
    j!({
        "text": text,
        "findings": a.findings.iter().map(|f| j!({
            "kind": f.kind.as_str(),
            "start": f.start,
            "end": f.end,
            "severity": f.severity.as_str(),
            "explanation": f.explanation,
        })).collect::<Vec<_>>(),
        "rewrites": a.rewrites.iter().map(|r| j!({
            "text": r.text,
            "feeling": r.feeling,
            "need": r.need,
        })).collect::<Vec<_>>(),
        "pronouns": { "i": a.pronouns.i, "we": a.pronouns.we, "you": a.pronouns.you },
        "builder": a.builder.as_ref().map(|b| j!({
            "sense": b.sense,
            "observation": b.observation,
            "feeling": b.feeling,
            "feeling_choices": b.feeling_choices,
            "need": b.need,
            "need_choices": b.need_choices,
            "request": b.request,
            "text": b.text,
        })),
    })
}

/// `true` for the bytes a JSON string must escape: control characters, `"` and `\\`.
#[inline]
fn needs_escape(c: u8) -> bool {
    c < 0x20 || c == b'"' || c == b'\\'
}

/// Any byte of the word that must be escaped (eight bytes at a time).
#[inline]
fn word_needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    // bytes below 0x20 (ASCII only: a byte >= 0x80 has its high bit set and is excluded)
    let ctl = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    ctl != 0 || zero_in(w ^ (ONES * b'"' as u64)) != 0 || zero_in(w ^ (ONES * b'\\' as u64)) != 0
}

/// Any byte of the sixteen that must be escaped. Written as a branch-free fold over the
/// bytes so that the compiler makes it a few vector compares (16 bytes a step, against 8 for
/// [`word_needs_escape`]'s bit tricks): most of the output is message and rewrite text.
#[inline]
fn chunk_needs_escape(chunk: &[u8; 16]) -> bool {
    chunk.iter().fold(false, |any, &c| any | needs_escape(c))
}

/// Append `s` as a JSON string (quotes included), escaping as serde_json does.
fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let b = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if i + 16 <= b.len() {
            let chunk: &[u8; 16] = b[i..i + 16].try_into().expect("sixteen bytes");
            if !chunk_needs_escape(chunk) {
                i += 16;
                continue;
            }
        } else if b.len() >= 16 {
            // the tail in one step: the last sixteen bytes (overlapping ones already passed)
            // hold all that is left
            let last: &[u8; 16] = b[b.len() - 16..].try_into().expect("sixteen bytes");
            if !chunk_needs_escape(last) {
                i = b.len();
                continue;
            }
        }
        if i + 8 <= b.len() {
            let w = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
            if !word_needs_escape(w) {
                i += 8;
                continue;
            }
        }
        let c = b[i];
        if !needs_escape(c) {
            i += 1;
            continue;
        }
        out.extend_from_slice(&b[start..i]);
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 15) as usize]);
            }
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&b[start..]);
    out.push(b'"');
}

/// Append a word from the coach's own fixed vocabulary (kind and severity names, feelings,
/// needs, their choices, "see" / "hear") as a JSON string: these never hold a byte that
/// needs escaping (`tests::fixed_words_need_no_escaping`), so the scan is skipped.
#[inline]
fn push_word(out: &mut Vec<u8>, s: &'static str) {
    debug_assert!(!s.bytes().any(needs_escape), "{s:?} needs escaping");
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

fn push_num(out: &mut Vec<u8>, n: u64) {
    // most numbers are offsets and counts below 1,000: no buffer and no copy call
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    if n < 100 {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
        return;
    }
    if n < 1000 {
        out.extend_from_slice(&[
            b'0' + (n / 100) as u8,
            b'0' + (n / 10 % 10) as u8,
            b'0' + (n % 10) as u8,
        ]);
        return;
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn push_words(out: &mut Vec<u8>, items: &[&'static str]) {
    out.push(b'[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_word(out, s);
    }
    out.push(b']');
}

/// The same object as [`json`], appended to `out` as one line of bytes (newline included)
/// without building a [`Value`]: the CLI's fast path. Keys come in the documented order.
pub fn write_json_line(text: &str, a: &Analysis, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"text\":");
    push_str(out, text);
    out.extend_from_slice(b",\"findings\":[");
    for (i, f) in a.findings.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"kind\":");
        push_word(out, f.kind.as_str());
        out.extend_from_slice(b",\"start\":");
        push_num(out, f.start as u64);
        out.extend_from_slice(b",\"end\":");
        push_num(out, f.end as u64);
        out.extend_from_slice(b",\"severity\":");
        push_word(out, f.severity.as_str());
        out.extend_from_slice(b",\"explanation\":");
        push_str(out, &f.explanation);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"rewrites\":[");
    for (i, r) in a.rewrites.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"text\":");
        push_str(out, &r.text);
        out.extend_from_slice(b",\"feeling\":");
        push_word(out, r.feeling);
        out.extend_from_slice(b",\"need\":");
        push_word(out, r.need);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"pronouns\":{\"i\":");
    push_num(out, a.pronouns.i as u64);
    out.extend_from_slice(b",\"we\":");
    push_num(out, a.pronouns.we as u64);
    out.extend_from_slice(b",\"you\":");
    push_num(out, a.pronouns.you as u64);
    out.extend_from_slice(b"},\"builder\":");
    match &a.builder {
        None => out.extend_from_slice(b"null"),
        Some(b) => {
            out.extend_from_slice(b"{\"sense\":");
            push_word(out, b.sense);
            out.extend_from_slice(b",\"observation\":");
            push_str(out, &b.observation);
            out.extend_from_slice(b",\"feeling\":");
            push_word(out, b.feeling);
            out.extend_from_slice(b",\"feeling_choices\":");
            push_words(out, b.feeling_choices);
            out.extend_from_slice(b",\"need\":");
            push_word(out, b.need);
            out.extend_from_slice(b",\"need_choices\":");
            push_words(out, b.need_choices);
            out.extend_from_slice(b",\"request\":");
            push_str(out, &b.request);
            out.extend_from_slice(b",\"text\":");
            match &b.text {
                None => out.extend_from_slice(b"null"),
                Some(t) => push_str(out, t),
            }
            out.push(b'}');
        }
    }
    out.extend_from_slice(b"}\n");
}

fn label(k: Kind) -> &'static str {
    match k {
        Kind::Blame => "blame",
        Kind::Absolute => "absolute",
        Kind::Criticism => "criticism",
        Kind::Contempt => "contempt",
        Kind::Defensiveness => "defensiveness",
        Kind::Stonewalling => "stonewalling",
        Kind::PseudoFeeling => "faux feeling",
        Kind::IStatement => "I-statement",
        Kind::Request => "request",
        Kind::Repair => "repair",
        Kind::Validation => "validation",
        Kind::Safety => "support",
    }
}

/// A readable report: the message with each finding marked, its explanation, and rewrites.
///
/// With `color`, spans are underlined in place (red for problems, green for strengths);
/// without it, each finding gets its own line with `^` under its span.
pub fn human(text: &str, a: &Analysis, color: bool) -> String {
    let mut out = String::new();
    if color {
        let mut line = String::new();
        let mut pos = 0;
        for f in a.findings.iter() {
            if f.byte_start < pos {
                continue; // overlapping spans are listed below, marked once here
            }
            line.push_str(&text[pos..f.byte_start]);
            let c = if f.kind.is_problem() { "31" } else { "32" };
            line.push_str(&format!(
                "\x1b[4;{c}m{}\x1b[0m",
                &text[f.byte_start..f.byte_end]
            ));
            pos = f.byte_end;
        }
        line.push_str(&text[pos..]);
        out.push_str(&line);
        out.push('\n');
        for f in &a.findings {
            let c = if f.kind.is_problem() { "31" } else { "32" };
            out.push_str(&format!(
                "  \x1b[1;{c}m{}\x1b[0m \u{201C}{}\u{201D}: {}\n",
                label(f.kind),
                &text[f.byte_start..f.byte_end],
                f.explanation
            ));
        }
    } else {
        // one display line per text line is enough for messages; carets count chars
        let first_line_end = text.find('\n').unwrap_or(text.len());
        out.push_str(text);
        out.push('\n');
        for f in &a.findings {
            if f.byte_end <= first_line_end {
                out.push_str(&" ".repeat(f.start));
                out.push_str(&"^".repeat((f.end - f.start).max(1)));
                out.push('\n');
            }
            out.push_str(&format!(
                "  [{}] \"{}\": {}\n",
                label(f.kind),
                &text[f.byte_start..f.byte_end],
                f.explanation
            ));
        }
    }
    if a.findings.is_empty() {
        out.push_str("  nothing to flag\n");
    }
    if !a.rewrites.is_empty() {
        out.push_str("  try instead:\n");
        for r in &a.rewrites {
            out.push_str(&format!("    \u{2022} {}\n", r.text));
            out.push_str(&format!(
                "      (feeling: {} \u{2014} or {}; need: {} \u{2014} or {})\n",
                r.feeling,
                r.feeling_choices.join(", "),
                r.need,
                r.need_choices.join(", ")
            ));
        }
    }
    let p = a.pronouns;
    out.push_str(&format!(
        "  I {} \u{00B7} we {} \u{00B7} you {}\n",
        p.i, p.we, p.you
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;
    use crate::lists::{FAUX_FEELINGS, FEELINGS, NEEDS};

    /// Numbers as decimal, as `format!` writes them (the short paths and the long one).
    #[test]
    fn numbers_as_format_writes_them() {
        for n in (0..2000).chain([9_999, 10_000, 123_456_789, u64::MAX]) {
            let mut out = Vec::new();
            push_num(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    /// Strings escaped as serde_json escapes them, with every byte that needs escaping (and
    /// a multi-byte char) at every place relative to the 16- and 8-byte steps and the
    /// overlapping last step, in strings of every length up to 40.
    #[test]
    fn strings_escape_as_serde_json_does() {
        let specials = [
            "\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{1}", "\u{1f}", "\u{e9}", "x",
        ];
        for len in 0usize..40 {
            for at in 0..len.max(1) {
                for sp in specials {
                    for second in [None, Some(len / 2), Some(len.saturating_sub(1))] {
                        let mut s: String =
                            (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
                        if len > 0 {
                            s.replace_range(at..at + 1, sp);
                            if let Some(j) = second.filter(|&j| j < at) {
                                s.replace_range(j..j + 1, "\"");
                            }
                        }
                        let mut out = Vec::new();
                        push_str(&mut out, &s);
                        assert_eq!(
                            String::from_utf8(out).unwrap(),
                            serde_json::to_string(&s).unwrap(),
                            "{s:?}"
                        );
                    }
                }
            }
        }
    }

    /// [`push_word`] skips the escape scan: every word it may be given must need none.
    #[test]
    fn fixed_words_need_no_escaping() {
        let mut words: Vec<&str> = Kind::ALL
            .iter()
            .chain([&Kind::Safety])
            .map(|k| k.as_str())
            .collect();
        words.extend(
            [
                Severity::Info,
                Severity::Gentle,
                Severity::Medium,
                Severity::High,
            ]
            .map(|s| s.as_str()),
        );
        words.extend(["see", "hear"]);
        words.extend(FEELINGS.iter().flat_map(|g| g.words.iter().copied()));
        words.extend(NEEDS.iter().flat_map(|g| g.words.iter().copied()));
        for f in FAUX_FEELINGS {
            words.extend(f.feelings.iter().chain(f.needs.iter()).copied());
        }
        words.extend(crate::rewrite::fixed_words());
        assert!(words.len() > 300);
        for w in words {
            assert!(!w.bytes().any(needs_escape), "{w:?}");
            let mut a = Vec::new();
            let mut b = Vec::new();
            push_str(&mut a, w);
            push_word(&mut b, w);
            assert_eq!(a, b);
        }
    }
}
