//! Precision, recall and F1 per kind on a labeled JSONL file
//! (`{"text": …, "labels": [kinds]}` per line). Scoring is per message: a kind counts as
//! predicted when any finding of that kind is present.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Kind, analyze};

#[derive(Deserialize)]
struct Line {
    text: String,
    #[serde(default)]
    labels: Vec<String>,
}

/// Counts and scores for one kind.
#[derive(Debug, Clone, Serialize)]
pub struct KindScore {
    pub kind: Kind,
    /// Messages labeled with this kind.
    pub support: u32,
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// A message the coach got wrong for some kind.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub text: String,
    pub kind: Kind,
    /// `true`: predicted but not labeled; `false`: labeled but not predicted.
    pub false_positive: bool,
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub messages: u32,
    pub kinds: Vec<KindScore>,
    pub misses: Vec<Miss>,
}

impl EvalReport {
    /// The score for one kind.
    pub fn get(&self, k: Kind) -> &KindScore {
        self.kinds
            .iter()
            .find(|s| s.kind == k)
            .expect("every kind is scored")
    }
}

/// Evaluate the coach on labeled JSONL. Errors name the offending line.
pub fn evaluate(jsonl: &str) -> Result<EvalReport, String> {
    let mut tp = [0u32; 11];
    let mut fp = [0u32; 11];
    let mut fn_ = [0u32; 11];
    let mut misses = Vec::new();
    let mut messages = 0;
    for (n, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let gold: BTreeSet<Kind> = l
            .labels
            .iter()
            .map(|s| {
                Kind::from_name(s).ok_or_else(|| format!("line {}: unknown kind {s:?}", n + 1))
            })
            .collect::<Result<_, _>>()?;
        let pred: BTreeSet<Kind> = analyze(&l.text).findings.iter().map(|f| f.kind).collect();
        messages += 1;
        for (i, k) in Kind::ALL.iter().enumerate() {
            match (gold.contains(k), pred.contains(k)) {
                (true, true) => tp[i] += 1,
                (false, true) => {
                    fp[i] += 1;
                    misses.push(Miss {
                        text: l.text.clone(),
                        kind: *k,
                        false_positive: true,
                    })
                }
                (true, false) => {
                    fn_[i] += 1;
                    misses.push(Miss {
                        text: l.text.clone(),
                        kind: *k,
                        false_positive: false,
                    })
                }
                _ => {}
            }
        }
    }
    let kinds = Kind::ALL
        .iter()
        .enumerate()
        .map(|(i, &kind)| {
            let p = ratio(tp[i], tp[i] + fp[i]);
            let r = ratio(tp[i], tp[i] + fn_[i]);
            KindScore {
                kind,
                support: tp[i] + fn_[i],
                tp: tp[i],
                fp: fp[i],
                fn_: fn_[i],
                precision: p,
                recall: r,
                f1: if p + r > 0.0 {
                    2.0 * p * r / (p + r)
                } else {
                    0.0
                },
            }
        })
        .collect();
    Ok(EvalReport {
        messages,
        kinds,
        misses,
    })
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} messages", self.messages)?;
        writeln!(
            f,
            "{:<15} {:>7} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
            "kind", "support", "tp", "fp", "fn", "precision", "recall", "F1"
        )?;
        for s in &self.kinds {
            writeln!(
                f,
                "{:<15} {:>7} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
                s.kind.as_str(),
                s.support,
                s.tp,
                s.fp,
                s.fn_,
                s.precision,
                s.recall,
                s.f1
            )?;
        }
        Ok(())
    }
}

// ---- the real corpus, split by source ----------------------------------------------------------

/// The seed of the source split used for the published figures.
pub const SPLIT_SEED: u64 = 16;

/// `true` when `source` belongs to the held-out test sources for `seed` (about 30 % of
/// sources; a source is wholly in one side).
pub fn source_is_test(source: &str, seed: u64) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for b in source.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 32;
    h % 100 < 30
}

/// One labelled sentence of the real corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct RealLine {
    pub text: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub labels: Vec<String>,
}

/// Parse labelled JSONL (`text`, `source`, `labels`).
pub fn parse_real(jsonl: &str) -> Result<Vec<RealLine>, String> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", n + 1)))
        .collect()
}

/// Wilson 95 % interval for `k` successes in `n`.
pub fn wilson(k: u32, n: u32) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n, z) = (k as f64, n as f64, 1.96f64);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

/// A proportion with its count and 95 % interval.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Prop {
    pub k: u32,
    pub n: u32,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Prop {
    fn new(k: u32, n: u32) -> Prop {
        let (lo, hi) = wilson(k, n);
        Prop {
            k,
            n,
            value: if n == 0 {
                f64::NAN
            } else {
                k as f64 / n as f64
            },
            lo,
            hi,
        }
    }
}

impl fmt::Display for Prop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.2} [{:.2}–{:.2}] ({}/{})",
            self.value, self.lo, self.hi, self.k, self.n
        )
    }
}

/// Figures on a set of labelled sentences, in the terms.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub sentences: u32,
    pub sources: u32,
    /// Messages carrying any problem that get at least one problem finding.
    pub problem_caught: Prop,
    /// Clean messages (no problem label) wrongly given a problem finding.
    pub clean_flagged: Prop,
    /// Per kind: (kind, precision, recall).
    pub kinds: Vec<(Kind, Prop, Prop)>,
}

/// Score `lines` with `predict` (the kinds found in a text).
pub fn headline(lines: &[&RealLine], predict: impl Fn(&str) -> BTreeSet<Kind>) -> Headline {
    let mut tp = [0u32; 11];
    let mut fp = [0u32; 11];
    let mut fn_ = [0u32; 11];
    let (mut pc, mut pn, mut cf, mut cn) = (0, 0, 0, 0);
    let mut sources = BTreeSet::new();
    for l in lines {
        sources.insert(l.source.as_str());
        let gold: BTreeSet<Kind> = l.labels.iter().filter_map(|s| Kind::from_name(s)).collect();
        let pred = predict(&l.text);
        let gp = gold.iter().any(|k| k.is_problem());
        let pp = pred.iter().any(|k| k.is_problem());
        if gp {
            pn += 1;
            pc += pp as u32;
        } else {
            cn += 1;
            cf += pp as u32;
        }
        for (i, k) in Kind::ALL.iter().enumerate() {
            match (gold.contains(k), pred.contains(k)) {
                (true, true) => tp[i] += 1,
                (false, true) => fp[i] += 1,
                (true, false) => fn_[i] += 1,
                _ => {}
            }
        }
    }
    Headline {
        sentences: lines.len() as u32,
        sources: sources.len() as u32,
        problem_caught: Prop::new(pc, pn),
        clean_flagged: Prop::new(cf, cn),
        kinds: Kind::ALL
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                (
                    k,
                    Prop::new(tp[i], tp[i] + fp[i]),
                    Prop::new(tp[i], tp[i] + fn_[i]),
                )
            })
            .collect(),
    }
}

/// The kinds [`crate::analyze`] finds (rules and learned layer).
pub fn predict_full(text: &str) -> BTreeSet<Kind> {
    crate::findings(text).iter().map(|f| f.kind).collect()
}

/// The kinds the rules and a given learned layer find.
#[doc(hidden)]
pub fn predict_with(text: &str, m: &crate::model::Loaded) -> BTreeSet<Kind> {
    crate::findings_with_model(text, m)
        .iter()
        .map(|f| f.kind)
        .collect()
}

/// The kinds the rules alone find.
pub fn predict_rules(text: &str) -> BTreeSet<Kind> {
    crate::findings_rules_only(text)
        .iter()
        .map(|f| f.kind)
        .collect()
}

/// Two headlines side by side as a Markdown table.
pub fn side_by_side(new: &Headline, old: &Headline) -> String {
    let mut s = String::new();
    s.push_str("| what | rules + model | rules only |\n|---|---|---|\n");
    s.push_str(&format!(
        "| problem messages with a problem finding | {} | {} |\n",
        new.problem_caught, old.problem_caught
    ));
    s.push_str(&format!(
        "| clean messages given a problem finding | {} | {} |\n",
        new.clean_flagged, old.clean_flagged
    ));
    for ((k, p, r), (_, op, or)) in new.kinds.iter().zip(&old.kinds) {
        s.push_str(&format!("| {k} recall | {r} | {or} |\n"));
        s.push_str(&format!("| {k} precision | {p} | {op} |\n"));
    }
    s
}
