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
