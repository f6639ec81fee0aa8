//! Rekindle's language coach.
//!
//! A pure library: text in, [`Analysis`] out. It finds what in a message will likely land as an
//! attack (blame, absolutes, the Four Horsemen, judgments dressed as feelings), notices what
//! helps (I-statements, requests, repair attempts, validation), counts I / we / you, and offers
//! I-language rewrites. No I/O, no async; the matchers are built once per process.
//!
//! ```
//! let a = rekindle_coach::analyze("You never help with the dishes!");
//! assert!(a.findings.iter().any(|f| f.kind == rekindle_coach::Kind::Absolute));
//! assert!(a.rewrites.iter().all(|r| r.text.contains("dishes")));
//! ```

use std::borrow::Cow;

use serde::Serialize;

pub mod cli;
mod engine;
pub mod eval;
pub mod lists;
pub mod model;
mod norm;
pub mod report;
mod rewrite;
mod rules;
pub mod safety;
mod tok;

/// What a finding is about. The snake_case names are the public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A you-statement that accuses.
    Blame,
    /// always / never / every time … as a verdict about the partner or the relationship.
    Absolute,
    /// An attack on who the partner is rather than on what happened.
    Criticism,
    /// Sarcasm, mockery, insults, name-calling, superiority.
    Contempt,
    /// Excuses, counter-blame, playing the innocent victim.
    Defensiveness,
    /// Shutting the conversation down.
    Stonewalling,
    /// A judgment of the partner worded as a feeling ("I feel ignored", "I feel like you…").
    PseudoFeeling,
    /// Owns a real feeling.
    IStatement,
    /// A concrete, doable ask that leaves room for a no.
    Request,
    /// Apology, de-escalation, asking for a break, starting over.
    Repair,
    /// Paraphrase, empathy, "that makes sense".
    Validation,
    /// Words that may signal danger to the writer or someone else. Shown only to
    /// the writer, with crisis resources; never a rewrite, never to the partner.
    Safety,
}

impl Kind {
    /// Every kind, problems first.
    pub const ALL: [Kind; 11] = [
        Kind::Blame,
        Kind::Absolute,
        Kind::Criticism,
        Kind::Contempt,
        Kind::Defensiveness,
        Kind::Stonewalling,
        Kind::PseudoFeeling,
        Kind::IStatement,
        Kind::Request,
        Kind::Repair,
        Kind::Validation,
    ];

    /// `true` for the kinds the coach warns about, `false` for strengths.
    pub fn is_problem(self) -> bool {
        !matches!(
            self,
            Kind::IStatement | Kind::Request | Kind::Repair | Kind::Validation | Kind::Safety
        )
    }

    /// The snake_case name (same as the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Blame => "blame",
            Kind::Absolute => "absolute",
            Kind::Criticism => "criticism",
            Kind::Contempt => "contempt",
            Kind::Defensiveness => "defensiveness",
            Kind::Stonewalling => "stonewalling",
            Kind::PseudoFeeling => "pseudo_feeling",
            Kind::IStatement => "i_statement",
            Kind::Request => "request",
            Kind::Repair => "repair",
            Kind::Validation => "validation",
            Kind::Safety => "safety",
        }
    }

    /// Parse a snake_case name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .chain([Kind::Safety])
            .find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How strongly a finding is likely to land. Strengths are always `Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A strength, or purely informative.
    Info,
    /// Worth a second look.
    Gentle,
    /// Likely to put the partner on guard.
    Medium,
    /// Likely to hurt.
    High,
}

impl Severity {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Gentle => "gentle",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One thing the coach noticed, with where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// Start, in characters (Unicode scalar values) from the start of the text.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// Start, in bytes (always a char boundary).
    pub byte_start: usize,
    /// End (exclusive), in bytes (always a char boundary).
    pub byte_end: usize,
    /// How strongly it is likely to land.
    pub severity: Severity,
    /// One line a partner can understand (borrowed from the rules unless it
    /// quotes the message).
    pub explanation: Cow<'static, str>,
}

/// A suggested way to say the same thing in I-language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rewrite {
    /// The full suggested message.
    pub text: String,
    /// The feeling used in `text`.
    pub feeling: &'static str,
    /// The need used in `text`.
    pub need: &'static str,
    /// Other feelings the writer could pick instead (from [`lists::FEELINGS`]).
    pub feeling_choices: &'static [&'static str],
    /// Other needs the writer could pick instead (from [`lists::NEEDS`]).
    pub need_choices: &'static [&'static str],
}

/// A fill-in I-statement the writer completes in their own words:
/// "When I {sense} {observation}, I feel {feeling}, because I need {need}. Would you {request}?"
///
/// Prefilled from what the writer wrote (the observation keeps their words, without the
/// absolutes and insults); feeling and need are offered as choices. `text` is the whole
/// sentence, given only when every part is filled and it reads as plain English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Builder {
    /// `"see"` or `"hear"` (for something said).
    pub sense: &'static str,
    /// What happened, in the writer's words ("you're on your phone while I talk"); empty
    /// when the coach could not find one (the writer fills it in).
    pub observation: String,
    /// The feeling prefilled.
    pub feeling: &'static str,
    /// Feelings to choose from (the prefilled one first).
    pub feeling_choices: &'static [&'static str],
    /// The need prefilled.
    pub need: &'static str,
    /// Needs to choose from (the prefilled one first).
    pub need_choices: &'static [&'static str],
    /// What to ask for, after "Would you" ("help with the dishes this week"); empty when
    /// the writer should say it.
    pub request: String,
    /// The whole sentence, only when it is complete and grammatical.
    pub text: Option<String>,
}

/// Counts of first-person singular, first-person plural and second-person words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pronouns {
    /// I, me, my, mine, myself and contractions (I'm, I've, I'd, I'll).
    pub i: u32,
    /// we, us, our, ours, ourselves, let's and contractions (we're, we've…).
    pub we: u32,
    /// you, your, yours, yourself, yourselves and contractions (you're, you've…).
    pub you: u32,
}

/// Everything the coach says about one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// Findings in text order.
    pub findings: Vec<Finding>,
    /// Zero rewrites when there is no problem finding, otherwise one to three.
    pub rewrites: Vec<Rewrite>,
    /// The pronoun profile.
    pub pronouns: Pronouns,
    /// The fill-in I-statement (when there is a problem finding).
    pub builder: Option<Builder>,
}

impl Analysis {
    /// `true` when any finding is a problem kind.
    pub fn has_problem(&self) -> bool {
        self.findings.iter().any(|f| f.kind.is_problem())
    }

    /// The distinct kinds found, in [`Kind::ALL`] order.
    pub fn kinds(&self) -> Vec<Kind> {
        let mut k: Vec<Kind> = self.findings.iter().map(|f| f.kind).collect();
        k.sort();
        k.dedup();
        k
    }
}

/// Analyse a message: findings, rewrites (when there is a problem) and the pronoun profile.
///
/// Works on any length of text in time linear in its length.
pub fn analyze(text: &str) -> Analysis {
    let n = norm::Norm::new(text);
    let engine::Out {
        mut findings,
        pronouns,
        toks,
    } = engine::run(text, &n);
    let (rewrites, builder) = if findings.iter().any(|f| f.kind.is_problem()) {
        let (r, b) = rewrite::rewrites(text, &n, &findings, &toks.toks);
        (r, Some(b))
    } else {
        (Vec::new(), None)
    };
    findings.extend(safety::findings_lowered(text, &n.text));
    findings.sort_by_key(|f| (f.start, f.end));
    Analysis {
        findings,
        rewrites,
        pronouns,
        builder,
    }
}

/// Findings only (no rewrites), for callers that want the cheapest check.
pub fn findings(text: &str) -> Vec<Finding> {
    let n = norm::Norm::new(text);
    let mut out = engine::run(text, &n).findings;
    out.extend(safety::findings(text));
    out.sort_by_key(|f| (f.start, f.end));
    out
}

/// A listener's scaffold: "It sounds like you feel … about … — is that right?", built from
/// what the partner's message said (their feeling, or the feeling under a faux feeling, and
/// their topic with I/you swapped).
pub fn paraphrase(text: &str) -> String {
    let n = norm::Norm::new(text);
    let findings = engine::run(text, &n).findings;
    rewrite::paraphrase(text, &n, &findings)
}

/// Findings from the rules alone, without the learned layer (for the before/after figures).
#[doc(hidden)]
pub fn findings_rules_only(text: &str) -> Vec<Finding> {
    let n = norm::Norm::new(text);
    let mut out = engine::run_with(text, &n, None).findings;
    out.extend(safety::findings(text));
    out.sort_by_key(|f| (f.start, f.end));
    out
}

/// Findings from the rules and a given learned layer (the training command's out-of-fold
/// figures run the whole pipeline with each fold's model).
#[doc(hidden)]
pub fn findings_with_model(text: &str, m: &model::Loaded) -> Vec<Finding> {
    let n = norm::Norm::new(text);
    let mut out = engine::run_with(text, &n, Some(&m.0)).findings;
    out.extend(safety::findings(text));
    out.sort_by_key(|f| (f.start, f.end));
    out
}

/// Force the matchers to be built now (they are otherwise built on first use).
/// Returns nothing; useful to move the one-off build cost out of the first request.
pub fn warm_up() {
    rules::warm_up();
    safety::warm_up();
    rewrite::warm_up();
}

/// Build a fresh copy of every matcher and drop it (for the build-time benchmark only).
#[doc(hidden)]
pub fn bench_build_matchers() {
    std::hint::black_box(rules::build());
}
