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
