//! Applies the rules and their guards to the tokens, and maps spans back to the original text.

use std::borrow::Cow;

use crate::norm::Norm;
use crate::rules::{
    self, Anchor, Ctx, Matchers, Pat, Rule, RuleSet, after as A, before as B, flag as F,
};
use crate::tok::{self, M, Tok, Tokens, UNKNOWN};
use crate::{Finding, Kind, Pronouns, Severity, model};

/// At most this many tokens of a clause are looked at before a match.
const BEFORE_WINDOW: usize = 24;
/// At most this many tokens are looked at after a match.
const AFTER_WINDOW: usize = 14;

/// First and last content token of the message (for rules that must be the whole message).
struct Whole {
    first: usize,
    last: usize,
}

struct Raw {
    kind: Kind,
    /// Token range.
    i: usize,
    j: usize,
    rule: &'static Rule,
    word: Option<usize>,
}

pub(crate) struct Out<'a> {
    pub findings: Vec<Finding>,
    pub pronouns: Pronouns,
    /// The tokens of the normalised text (the rewrites read the observation from them).
    pub toks: Tokens<'a>,
}

pub(crate) fn run<'a>(text: &str, n: &'a Norm) -> Out<'a> {
    run_with(text, n, model::MODEL.as_ref())
}

/// The analysis with or without the learned layer.
pub(crate) fn run_with<'a>(text: &str, n: &'a Norm, model: Option<&model::Model>) -> Out<'a> {
    let m = &*rules::MATCHERS;
    let t = tok::tokenize(&n.text, &m.vocab);
    let mut raw = matches(m, &t, false, t.sents.len());
    if let Some(md) = model {
        add_model(md, &t, &mut raw);
    }
    let pronouns = pronouns(m, &t.toks);
    Out {
        findings: finish(text, n, &t.toks, raw),
        pronouns,
        toks: t,
    }
}

/// `true` when the text carries a problem finding (what [`run`] would report), computed
/// cheaply: only rules that can emit a problem are tried, and the full analysis runs only
/// when one of them fires (the overlap rules may still drop it in favour of a strength).
pub(crate) fn has_problem(text: &str) -> bool {
    let m = &*rules::MATCHERS;
    let n = Norm::new(text);
    // Before a proven tail only the sentences in front need tokenising. They tokenise and
    // split the same alone; the guards that look further (the whole message, the
    // return-later phrases, the warm window) see less, so they veto no more than in the
    // full text: no problem here means none there.
    if let Some(k) = before_clean_tail(m, &n.text) {
        let t = tok::tokenize(&n.text[..k], &m.vocab);
        if !matches(m, &t, true, t.sents.len())
            .iter()
            .any(|r| r.kind.is_problem())
        {
            return false;
        }
    }
    let t = tok::tokenize(&n.text, &m.vocab);
    let raw = matches(m, &t, true, unproven_sents(m, &n.text, &t));
    if !raw.iter().any(|r| r.kind.is_problem()) {
        return false;
    }
    let raw = matches(m, &t, false, t.sents.len());
    finish(text, &n, &t.toks, raw)
        .iter()
        .any(|f| f.kind.is_problem())
}

/// How many leading sentences a problem check must match in: all of them, or all but the
/// last when the last is one of the proven [`Matchers::clean_tails`] (same bytes from its first
/// token on, hence the same tokens and the same pattern matches, which is all that can
/// produce a problem there; guards only ever veto).
fn unproven_sents(m: &Matchers, norm: &str, t: &Tokens<'_>) -> usize {
    let k = t.sents.len();
    if k >= 2
        && let Some(first) = t.toks.get(t.sents[k - 1].a as usize)
    {
        let tail = &norm[first.s as usize..];
        if m.clean_tails.iter().any(|c| c == tail) {
            return k - 1;
        }
    }
    k
}

/// The end of the sentences before a proven tail: `norm` is `… . ` (or `!`, `?`) followed by
/// one of [`Matchers::clean_tails`].
fn before_clean_tail(m: &Matchers, norm: &str) -> Option<usize> {
    let b = norm.as_bytes();
    m.clean_tails.iter().find_map(|c| {
        let k = norm.len().checked_sub(c.len() + 1)?;
        (k > 0
            && norm.ends_with(c.as_str())
            && b[k] == b' '
            && matches!(b[k - 1], b'.' | b'!' | b'?'))
        .then_some(k)
    })
}

/// The rule kinds as bits, with criticism and contempt also counting as blame.
fn kind_bits(k: Kind) -> u16 {
    let b = model::bit(k);
    if matches!(k, Kind::Criticism | Kind::Contempt) {
        b | model::bit(Kind::Blame)
    } else {
        b
    }
}

/// The placeholder rule behind the learned layer's findings (no pattern, the kind's own
/// explanation and severity).
static MODEL_RULE: Rule = Rule {
    pat: "",
    kinds: &[],
    before_not: 0,
    after_not: 0,
    flags: 0,
    expl: None,
    sev: None,
};

/// The problem kinds as bits.
const PROBLEM_BITS: u16 = 0b111_1111;

/// Per sentence: the kinds the model predicts that the rules did not find there become
/// findings spanning the sentence.
fn add_model(md: &model::Model, t: &Tokens<'_>, raw: &mut Vec<Raw>) {
    // the byte and sentence-mask buffers are reused from message to message (one pair per
    // thread)
    thread_local! {
        static BUFS: std::cell::RefCell<(Vec<u8>, Vec<u16>)> =
            std::cell::RefCell::new((Vec::with_capacity(256), Vec::new()));
    }
    BUFS.with(|b| {
        let (buf, masks) = &mut *b.borrow_mut();
        add_model_with(md, t, raw, buf, masks);
    });
}

fn add_model_with(
    md: &model::Model,
    t: &Tokens<'_>,
    raw: &mut Vec<Raw>,
    buf: &mut Vec<u8>,
    masks: &mut Vec<u16>,
) {
    let toks = &t.toks;
    masks.clear();
    masks.resize(t.sents.len(), 0);
    for r in raw.iter() {
        if let Some(tk) = toks.get(r.i) {
            masks[tk.sent as usize] |= kind_bits(r.kind);
        }
    }
    for (si, s) in t.sents.iter().enumerate() {
        let (a, b) = (s.a as usize, s.b as usize);
        let st = &toks[a..b];
        let Some(i) = st.iter().position(|t| t.word) else {
            continue;
        };
        let j = st.iter().rposition(|t| t.word).map_or(i + 1, |p| p + 1);
        let sums = model::scores(md, st, masks[si], buf, &rules::MATCHERS.word_hash);
        let mut pred = model::decide(md, &sums, masks[si]) & !masks[si];
        if s.yes_no || masks[si] & model::bit(Kind::IStatement) != 0 {
            // "Would you rather…?", "Do you want to…?": the model reads no complaint into a
            // yes/no question (the rules catch the sarcastic ones), nor into a sentence that
            // names the writer's own feeling ("When I see you…, I feel lonely")
            pred &= !PROBLEM_BITS;
        }
        if pred & model::bit(Kind::Criticism) != 0 && !model::criticism_may_apply(st) {
            // a character judgment the model reads must be aimed at "you" and not negated
            // ("you're not selfish" is no criticism)
            pred &= !model::bit(Kind::Criticism);
        }
        if pred & model::bit(Kind::Stonewalling) != 0 && !model::brush_off(st) {
            pred &= !model::bit(Kind::Stonewalling);
        }
        if pred & model::bit(Kind::Request) != 0 && !model::request_may_apply(st) {
            pred &= !model::bit(Kind::Request);
        }
        if pred == 0 {
            continue;
        }
        for (k, kind) in Kind::ALL.iter().enumerate() {
            if pred & (1 << k) != 0 {
                raw.push(Raw {
                    kind: *kind,
                    i: a + i,
                    j: a + j,
                    rule: &MODEL_RULE,
                    word: None,
                });
            }
        }
    }
}

/// Features of a whole text as one unit, with every rule kind found in it (training).
pub(crate) fn unit_features(text: &str) -> Vec<u32> {
    let m = &*rules::MATCHERS;
    let n = Norm::new(text);
    let t = tok::tokenize(&n.text, &m.vocab);
    let raw = matches(m, &t, false, t.sents.len());
    let mask = raw.iter().fold(0u16, |a, r| a | kind_bits(r.kind));
    let mut feats = Vec::new();
    let mut buf = Vec::new();
    model::features(&t.toks, mask, &mut feats, &mut buf);
    feats
}

/// Every rule match that survives its guards, before spans are merged, in the first `upto`
/// sentences.
fn matches(m: &Matchers, t: &Tokens<'_>, problems_only: bool, upto: usize) -> Vec<Raw> {
    let mut raw: Vec<Raw> = Vec::new();
    let mut ret: Option<bool> = None;
    let rules = rules::rules();
    let toks = &t.toks;
    let mut whole = Whole {
        first: toks
            .iter()
            .position(|t| t.word || !t.text.is_ascii())
            .unwrap_or(0),
        last: toks
            .iter()
            .rposition(|t| t.word || !t.text.is_ascii())
            .unwrap_or(0),
    };
    for s in &t.sents[..upto] {
        let viable = viable(m, toks, s, problems_only);
        let wild = {
            let mut w = m.wild;
            and(&mut w, &viable);
            w
        };
        let wild_some = wild != [0; 4];
        let mm = M {
            toks,
            limit: s.b as usize,
        };
        for i in s.a as usize..s.b as usize {
            let id = toks[i].id;
            if id == UNKNOWN {
                continue;
            }
            // most tokens start no candidate: skip the bit walk (it dominated this loop)
            let cand = match starting(m, toks, s.b as usize, i, &viable) {
                Some(c) => c,
                None if wild_some => [0; 4],
                None => continue,
            };
            // in rule order: rules indexed by this token first, then rules that start anywhere
            for bits in [&cand, &wild] {
                for (w, &word) in bits.iter().enumerate() {
                    let mut word = word;
                    while word != 0 {
                        let ri = w * 64 + word.trailing_zeros() as usize;
                        word &= word - 1;
                        if let Some(j) = mm.at(&m.rules[ri].seq, i)
                            && j > i
                        {
                            apply(m, t, &rules[ri], i, j, &mut ret, &mut whole, &mut raw);
                        }
                    }
                }
            }
        }
    }
    raw
}

/// The rules that can match in sentence `s`: those with a token of every one of their
/// signatures there (only problem rules with `problems_only`).
#[inline]
fn viable(m: &Matchers, toks: &[Tok<'_>], s: &tok::Sent, problems_only: bool) -> RuleSet {
    let mut sig = m.no_sig;
    for tk in &toks[s.a as usize..s.b as usize] {
        if tk.id != UNKNOWN
            && let Some(sets) = m.by_sig.get(tk.id)
        {
            for (v, set) in sig.iter_mut().zip(sets) {
                or(v, set);
            }
        }
    }
    let mut viable = sig[0];
    for v in &sig[1..] {
        and(&mut viable, v);
    }
    if problems_only {
        and(&mut viable, &m.problem);
    }
    viable
}

/// Of the `viable` rules that are indexed by their first token, those that can start at token
/// `i` (a known word) of a sentence ending before `end`: the first token fits, then the first
/// two, then the first three.
#[inline(always)]
fn starting(
    m: &Matchers,
    toks: &[Tok<'_>],
    end: usize,
    i: usize,
    viable: &RuleSet,
) -> Option<RuleSet> {
    // `None` as soon as a step leaves no rule: most tokens stop at the first
    let id = toks[i].id;
    let mut cand = *m.by_first.get_some(id)?;
    and(&mut cand, viable);
    if cand == [0; 4] {
        return None;
    }
    let mut next_ok = m.second_any;
    or(&mut next_ok, m.pair_wild.get(id));
    if let Some(nx) = toks.get(i + 1).filter(|_| i + 1 < end)
        && nx.id != UNKNOWN
        && let Some(p) = m.pair.get(rules::pair_key(id, nx.id))
    {
        or(&mut next_ok, p);
    }
    and(&mut cand, &next_ok);
    if cand == [0; 4] {
        return None;
    }
    let mut third_ok = m.third_any;
    if i + 2 < end
        && toks[i + 1].id != UNKNOWN
        && toks[i + 2].id != UNKNOWN
        && let Some(p) = m
            .triple
            .get(rules::triple_key(id, toks[i + 1].id, toks[i + 2].id))
    {
        or(&mut third_ok, p);
    }
    and(&mut cand, &third_ok);
    (cand != [0; 4]).then_some(cand)
}

#[inline]
fn or(a: &mut RuleSet, b: &RuleSet) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= y;
    }
}

#[inline]
fn and(a: &mut RuleSet, b: &RuleSet) {
    for (x, y) in a.iter_mut().zip(b) {
        *x &= y;
    }
}

fn ctx_bits(
    ctxs: &[Ctx],
    want: u32,
    toks: &[Tok<'_>],
    lo: usize,
    hi: usize,
    anchor_pos: usize,
) -> u32 {
    let mut bits = 0;
    if lo >= hi && ctxs.iter().all(|c| c.anchor != Anchor::End) {
        return 0;
    }
    let mm = M { toks, limit: hi };
    for c in ctxs {
        if want & c.bit == 0 || bits & c.bit != 0 {
            continue;
        }
        // a match must start at a token in the pattern's first set, and an end-anchored one
        // can start at most `max_len` tokens before the end
        let starts = |k: &usize| c.first.may_start(toks[*k].id);
        let hit = match c.anchor {
            Anchor::Start => mm.at(&c.seq, anchor_pos).is_some(),
            Anchor::End => (lo.max(hi.saturating_sub(c.max_len))..hi)
                .filter(starts)
                .any(|k| mm.at_to(&c.seq, k, hi)),
            Anchor::Any => (lo..hi).filter(starts).any(|k| mm.at(&c.seq, k).is_some()),
        };
        if hit {
            bits |= c.bit;
        }
    }
    bits
}

fn any_in(p: &Pat, toks: &[Tok<'_>], lo: usize, hi: usize) -> bool {
    let mm = M { toks, limit: hi };
    (lo..hi)
        .filter(|&k| p.first.may_start(toks[k].id))
        .any(|k| mm.at(&p.seq, k).is_some())
}

const DISCOURSE: &[&str] = &[
    "so", "and", "but", "ok", "hey", "babe", "hon", "honey", "um", "uh", "oh", "well", "look",
    "listen", "ugh", "sweetie", "love", "yeah", "yes", "no", "god", "wow", "man", "dude", "then",
    "also", "again", "really", "just",
];

#[allow(clippy::too_many_arguments)]
#[inline(never)] // rare (a few calls per message): keeps the dispatch loop in registers
fn apply(
    m: &Matchers,
    t: &Tokens<'_>,
    rule: &'static Rule,
    i: usize,
    j: usize,
    ret: &mut Option<bool>,
    whole: &mut Whole,
    raw: &mut Vec<Raw>,
) {
    let toks = &t.toks;
    if toks[i].quoted {
        return;
    }
    let sent = t.sents[toks[i].sent as usize];
    let (sa, sb) = (sent.a as usize, sent.b as usize);
    if rule.flags & F::YN != 0 && sent.yes_no {
        return;
    }
    if rule.flags & F::NOQ != 0 && sent.question {
        return;
    }
    if rule.flags & F::START != 0
        && (i - sa > 8
            || !toks[sa..i]
                .iter()
                .all(|t| !t.word || DISCOURSE.contains(&t.text)))
    {
        return;
    }
    if rule.flags & F::WHOLE != 0 && (whole.first < i || whole.last >= j) {
        return;
    }
    // the clause before the match
    let lo = sa.max(i.saturating_sub(BEFORE_WINDOW));
    let mut cs = i;
    while cs > lo {
        let p = &toks[cs - 1];
        if (!p.word && matches!(p.text, "," | ":" | "(" | ")" | "-" | "\""))
            || (p.word && matches!(p.text, "but" | "and" | "so" | "yet" | "although" | "though"))
        {
            break;
        }
        cs -= 1;
    }
    let before_not = if rule.kinds[0].is_problem() {
        rule.before_not
    } else {
        rule.before_not & !B::REPORT
    };
    let mut drop_blame = false;
    if before_not != 0 {
        let hit = ctx_bits(&m.before, before_not, toks, cs, i, i);
        if hit != 0 {
            if hit == B::SUB && rule.kinds.contains(&Kind::Absolute) {
                drop_blame = true;
            } else {
                return;
            }
        }
    }
    // the rest of the sentence after the match
    let ae = sb.min(j + AFTER_WINDOW);
    let mut want = rule.after_not;
    if rule.flags & F::PLUS_BLAME != 0 {
        want |= A::TRAIT;
    }
    if want & A::POS != 0 {
        want |= A::NEGWORD;
    }
    let after = if want != 0 {
        ctx_bits(&m.after, want & !A::MORE, toks, j, ae, j)
            | if want & A::MORE != 0 && toks[j..ae].iter().any(|t| t.word) {
                A::MORE
            } else {
                0
            }
    } else {
        0
    };
    if rule.after_not & A::POS != 0 && after & A::POS != 0 && after & A::NEGWORD == 0 {
        return;
    }
    if rule.after_not & !(A::POS | A::TRAIT | A::NEGWORD) & after != 0 {
        return;
    }
    // warm and positive cues: the sentence around the match, bounded
    let (wa, wb) = (sa.max(i.saturating_sub(30)), sb.min(j + 30));
    if rule.flags & F::WARM != 0 {
        let we = (sb + 12).min(toks.len()).min(j + 42);
        if any_in(&m.warm, toks, wa, we) {
            return;
        }
    }
    if rule.flags & F::POSSENT != 0
        && (any_in(&m.warm, toks, wa, wb)
            || (any_in(&m.pos, toks, wa, wb) && !any_in(&m.neg, toks, wa, wb)))
    {
        return;
    }
    if rule.flags & F::RETURN != 0 {
        let r = *ret.get_or_insert_with(|| any_in(&m.ret, toks, 0, toks.len()));
        if r {
            return;
        }
    }
    let word = rule
        .kinds
        .contains(&Kind::Absolute)
        .then(|| (i..j).find(|&k| m.abs_words.binary_search(&toks[k].id).is_ok()))
        .flatten();
    for &kind in rule.kinds {
        if kind == Kind::Blame && drop_blame {
            continue;
        }
        raw.push(Raw {
            kind,
            i,
            j,
            rule,
            word,
        });
    }
    // A faux feeling that names "you" ("I feel like you…", "you made me feel…") carries
    // blame too (the corpus guidelines: an explicit "you" accusation).
    // An absolute about the partner ("you always…", "every time I try, you…") is blame too
    // (the labelling policy), unless it sits in an observation clause ("when you always…").
    // A character frame after it ("you're always so cold") no longer drops the blame: the
    // criticism it may carry is aimed at "you", which is blame as well (issue 16 taxonomy).
    let abs_blame = (rule.flags & F::PLUS_BLAME != 0
        && (!rule.kinds.contains(&Kind::PseudoFeeling)
            || toks[i..j].iter().any(|t| matches!(t.text, "you" | "your"))))
        || (rule.kinds.contains(&Kind::Absolute)
            && !rule.kinds.contains(&Kind::Blame)
            && you_subject(&toks[sa..sb])
            && ctx_bits(&m.before, B::SUB, toks, cs, i, i) == 0);
    if abs_blame && !drop_blame {
        raw.push(Raw {
            kind: Kind::Blame,
            i,
            j,
            rule,
            word: None,
        });
    }
}

fn finish(text: &str, n: &Norm, toks: &[Tok<'_>], mut raw: Vec<Raw>) -> Vec<Finding> {
    // taxonomy: a character attack or contempt aimed at "you" is also a you-statement, so it
    // carries blame too (same span; the blame explanation)
    // (appended in place, in the order of the findings they come from: no second list)
    for k in 0..raw.len() {
        let r = &raw[k];
        if matches!(r.kind, Kind::Criticism | Kind::Contempt)
            && r.rule.flags & F::NO_BLAME == 0
            && aimed_at_you(toks, r)
        {
            let d = Raw {
                kind: Kind::Blame,
                i: r.i,
                j: r.j,
                rule: r.rule,
                word: None,
            };
            raw.push(d);
        }
    }
    // token range → normalised byte range, trimming punctuation at the edges
    let mut spans: Vec<(Kind, usize, usize, &'static Rule, Option<usize>)> = raw
        .into_iter()
        .filter_map(|r| {
            let (mut i, mut j) = (r.i, r.j);
            let keep = |t: &Tok<'_>| t.word || !t.text.is_ascii();
            while i < j && !keep(&toks[i]) {
                i += 1;
            }
            while j > i && !keep(&toks[j - 1]) {
                j -= 1;
            }
            (i < j).then(|| {
                (
                    r.kind,
                    toks[i].s as usize,
                    toks[j - 1].e as usize,
                    r.rule,
                    r.word,
                )
            })
        })
        .collect();
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)));
    // merge same-kind overlaps (in place)
    let mut merged = spans;
    merged.dedup_by(|r, last| {
        let same = last.0 == r.0 && r.1 < last.2;
        if same {
            last.2 = last.2.max(r.2);
        }
        same
    });
    // neighbours by start offset: spans are short, so only a bounded window can interact
    // (nothing to drop when no span is of a kind that can be dropped: most messages)
    let mut out = if !merged
        .iter()
        .any(|a| DROPS.iter().any(|(_, weak)| a.0 == *weak))
    {
        merged
    } else {
        drop_weak(merged, DROPS)
    };
    out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    findings_of(text, n, toks, &out)
}

/// Where spans overlap, the more specific reading wins: (strong, weak).
const DROPS: &[(Kind, Kind)] = &[
    (Kind::Repair, Kind::Request),
    (Kind::Repair, Kind::Stonewalling),
    (Kind::Contempt, Kind::Stonewalling),
    (Kind::PseudoFeeling, Kind::IStatement),
    (Kind::Defensiveness, Kind::Repair),
    (Kind::Contempt, Kind::Request),
    (Kind::Criticism, Kind::Request),
    (Kind::Blame, Kind::Request),
    (Kind::Absolute, Kind::Request),
    (Kind::Contempt, Kind::Validation),
    (Kind::Defensiveness, Kind::Validation),
    (Kind::Repair, Kind::IStatement),
    (Kind::Blame, Kind::IStatement),
    (Kind::Validation, Kind::Request),
    (Kind::Contempt, Kind::Criticism),
    (Kind::Validation, Kind::Repair),
    (Kind::Stonewalling, Kind::Request),
];

type Span = (Kind, usize, usize, &'static Rule, Option<usize>);

/// Spans that start more than this many bytes before a weak one cannot drop it.
const REACH: usize = 400;

/// `true` when `b`, a more specific reading, drops the weak span `a`.
#[inline]
fn drops_weak(a: &Span, b: &Span, drops: &[(Kind, Kind)]) -> bool {
    let overlaps = a.1 < b.2 && b.1 < a.2;
    drops.iter().any(|(strong, weak)| {
        a.0 == *weak
            && b.0 == *strong
            && !std::ptr::eq(a.3, b.3)
            && (overlaps || (a.0 == Kind::Blame && b.1 >= a.2 && b.1 <= a.2 + 8))
    })
}

/// The spans without those a more specific reading overlaps (`drops`: strong, weak).
fn drop_weak(mut merged: Vec<Span>, drops: &[(Kind, Kind)]) -> Vec<Span> {
    if merged.len() > 64 {
        return drop_weak_windowed(merged, drops);
    }
    // A message's few spans: every pair, and the kept ones in place (the windowed way sorts
    // an index and builds three lists first). Same window: `b` starts at most `REACH` bytes
    // before `a` and at most 8 after its end.
    let mut dropped = 0u64;
    for (i, a) in merged.iter().enumerate() {
        if drops.iter().any(|(_, weak)| a.0 == *weak)
            && merged
                .iter()
                .any(|b| b.1 + REACH >= a.1 && b.1 <= a.2 + 8 && drops_weak(a, b, drops))
        {
            dropped |= 1 << i;
        }
    }
    let mut i = 0;
    merged.retain(|_| {
        i += 1;
        dropped >> (i - 1) & 1 == 0
    });
    merged
}

/// [`drop_weak`] for many spans: each weak span looks only at the spans that start near it
/// (by a sorted index), so a long message stays linear.
fn drop_weak_windowed(merged: Vec<Span>, drops: &[(Kind, Kind)]) -> Vec<Span> {
    let mut order: Vec<usize> = (0..merged.len()).collect();
    order.sort_by_key(|&k| merged[k].1);
    let mut rank = vec![0usize; merged.len()];
    for (r, &k) in order.iter().enumerate() {
        rank[k] = r;
    }
    let keep: Vec<bool> = merged
        .iter()
        .enumerate()
        .map(|(ai, a)| {
            if !drops.iter().any(|(_, weak)| a.0 == *weak) {
                return true;
            }
            let r = rank[ai];
            let lo = order[..r].partition_point(|&k| merged[k].1 + REACH < a.1);
            let near = order[lo..]
                .iter()
                .take_while(|&&k| merged[k].1 <= a.2 + 8)
                .map(|&k| &merged[k]);
            !near.into_iter().any(|b| drops_weak(a, b, drops))
        })
        .collect();
    merged
        .into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect()
}

/// The findings for the kept spans (sorted by start), offsets mapped back to the original text.
fn findings_of(text: &str, n: &Norm, toks: &[Tok<'_>], out: &[Span]) -> Vec<Finding> {
    // worked out where needed rather than kept in a list: an ASCII message's char index
    // needs no offsets
    let bytes = |r: &Span| {
        let bs = floor_boundary(text, n.orig(r.1));
        let be = ceil_boundary(text, n.orig(r.2)).max(bs);
        (bs, be)
    };
    let chars = CharIndex::new(text, out.iter().flat_map(|r| <[usize; 2]>::from(bytes(r))));
    out.iter()
        .map(|r| (r, bytes(r)))
        .filter(|(_, (bs, be))| bs < be)
        .map(|(r, (bs, be))| Finding {
            kind: r.0,
            start: chars.get(bs),
            end: chars.get(be),
            byte_start: bs,
            byte_end: be,
            severity: r.3.sev.unwrap_or(default_severity(r.0)),
            explanation: explanation(r.0, r.3, r.4.map(|k| abs_phrase(toks, k))),
        })
        .collect()
}

/// "you" as the subject of a clause: not after a preposition ("for you", "with you") and
/// followed by a word ("…, you turn the tables"; the partner is the one doing it).
fn you_subject(st: &[Tok<'_>]) -> bool {
    st.iter().enumerate().any(|(k, t)| {
        t.word
            && t.text == "you"
            && st.get(k + 1).is_some_and(|n| n.word)
            && !(k > 0
                && matches!(
                    st[k - 1].text,
                    "with"
                        | "for"
                        | "to"
                        | "at"
                        | "about"
                        | "of"
                        | "than"
                        | "from"
                        | "like"
                        | "around"
                        | "on"
                        | "after"
                        | "without"
                        | "by"
                        | "behind"
                ))
    })
}

/// A second-person word in the match or in the rest of its sentence.
fn aimed_at_you(toks: &[Tok<'_>], r: &Raw) -> bool {
    let Some(first) = toks.get(r.i) else {
        return false;
    };
    let sent = first.sent;
    let lo = toks[..r.i]
        .iter()
        .rposition(|t| t.sent != sent)
        .map_or(0, |p| p + 1);
    toks[lo..]
        .iter()
        .take_while(|t| t.sent == sent)
        .any(|t| matches!(t.text, "you" | "your" | "yours" | "yourself" | "u" | "ur"))
}

fn abs_phrase(toks: &[Tok<'_>], k: usize) -> String {
    let w = toks[k].text;
    let next = |d: usize| toks.get(k + d).map_or("", |t| t.text);
    match w {
        "every" if next(1) == "single" => format!("every single {}", next(2)),
        "every" => format!("every {}", next(1)),
        "all" if next(1) == "the" => "all the time".to_string(),
        "all" => "all you ever".to_string(),
        "once" => "not once".to_string(),
        "24" => "24/7".to_string(),
        "again" => "again and again".to_string(),
        "over" => "over and over".to_string(),
        _ => w.to_string(),
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Byte → char offset for a set of byte offsets, in one pass over the text.
struct CharIndex {
    pairs: Vec<(usize, usize)>,
    /// An ASCII text: every char is one byte, so the offsets are the same (no list, no
    /// counting: most messages).
    ascii: bool,
}

impl CharIndex {
    fn new(text: &str, offsets: impl Iterator<Item = usize>) -> CharIndex {
        if text.is_ascii() {
            return CharIndex {
                pairs: Vec::new(),
                ascii: true,
            };
        }
        let mut want: Vec<usize> = offsets.collect();
        want.sort_unstable();
        want.dedup();
        let mut pairs = Vec::with_capacity(want.len());
        let bytes = text.as_bytes();
        let (mut b, mut c) = (0usize, 0usize);
        for w in want {
            c += bytes[b..w].iter().filter(|&&x| (x & 0xC0) != 0x80).count();
            b = w;
            pairs.push((w, c));
        }
        CharIndex {
            pairs,
            ascii: false,
        }
    }

    fn get(&self, byte: usize) -> usize {
        if self.ascii {
            return byte;
        }
        let i = self.pairs.partition_point(|p| p.0 < byte);
        self.pairs[i].1
    }
}

pub(crate) fn default_severity(k: Kind) -> Severity {
    match k {
        Kind::Contempt | Kind::Criticism => Severity::High,
        Kind::Blame | Kind::Absolute | Kind::Defensiveness | Kind::Stonewalling => Severity::Medium,
        Kind::PseudoFeeling => Severity::Gentle,
        _ => Severity::Info,
    }
}

fn explanation(kind: Kind, rule: &Rule, word: Option<String>) -> Cow<'static, str> {
    if kind == Kind::Absolute {
        if let Some(w) = word {
            let mut cap = String::with_capacity(w.len());
            let mut chars = w.chars();
            if let Some(f) = chars.next() {
                cap.push(f.to_ascii_uppercase());
                cap.push_str(chars.as_str());
            }
            return Cow::Owned(format!(
                "\u{201C}{cap}\u{201D} stretches one moment into a rule about them; naming the one time you mean is easier to hear."
            ));
        }
        return Cow::Borrowed(default_explanation(kind));
    }
    if let Some(x) = rule.expl
        && kind == rule.kinds[0]
    {
        return Cow::Borrowed(x);
    }
    Cow::Borrowed(default_explanation(kind))
}

pub(crate) fn default_explanation(k: Kind) -> &'static str {
    match k {
        Kind::Blame => {
            "This points at them instead of at what happened for you; starting from your side is easier to hear."
        }
        Kind::Absolute => {
            "A sweeping word turns one moment into a rule about them; naming the one time you mean is easier to hear."
        }
        Kind::Criticism => {
            "This is about who they are, not about what happened; describing the situation keeps them listening."
        }
        Kind::Contempt => {
            "Sarcasm and put-downs say \u{201C}you're beneath me\u{201D}; they sting longer than the problem itself."
        }
        Kind::Defensiveness => {
            "Defending or pointing back tends to raise the heat; owning even a small part helps them soften."
        }
        Kind::Stonewalling => {
            "Closing the door can feel like being shut out; if you're flooded, ask for a break and say when you'll be back."
        }
        Kind::PseudoFeeling => {
            "This says what you think they did, not what you feel; try the feeling underneath, like hurt, lonely or scared."
        }
        Kind::IStatement => {
            "You're naming your own feeling \u{2014} that invites them closer instead of putting them on guard."
        }
        Kind::Request => "A clear ask they can say yes or no to \u{2014} easy to work with.",
        Kind::Repair => {
            "A repair attempt: it lowers the temperature and keeps you both on the same side."
        }
        Kind::Validation => {
            "You're showing you understand their side \u{2014} that helps them feel heard."
        }
        Kind::Safety => {
            "If you or someone else may be in danger, help is one tap away, just for you."
        }
    }
}

fn pronouns(m: &Matchers, toks: &[Tok<'_>]) -> Pronouns {
    let mut p = Pronouns::default();
    for t in toks {
        if t.id == UNKNOWN {
            continue;
        }
        match m.pronoun[t.id as usize] {
            1 => p.i += 1,
            2 => p.we += 1,
            3 => p.you += 1,
            _ => {}
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pairwise [`drop_weak`] of a message's few spans keeps what the windowed one keeps,
    /// on random spans of every kind, near and far apart, from a few rules.
    #[test]
    fn drop_weak_pairwise_is_the_windowed_one() {
        let rules = rules::rules();
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        let kinds: Vec<Kind> = Kind::ALL.into_iter().collect();
        for round in 0..20_000 {
            let n = 1 + next(if round % 10 == 0 { 64 } else { 8 });
            let spread = [40, 400, 2000][round % 3];
            let spans: Vec<Span> = (0..n)
                .map(|_| {
                    let s = next(spread as u64);
                    let long = next(10) == 0;
                    let e = s + 1 + next(if long { 900 } else { 60 });
                    let rule = [&rules[0], &rules[1], &rules[2], &MODEL_RULE][next(4)];
                    (kinds[next(kinds.len() as u64)], s, e, rule, None)
                })
                .collect();
            let pairwise = drop_weak(spans.clone(), DROPS);
            let windowed = drop_weak_windowed(spans, DROPS);
            let key = |v: &[Span]| -> Vec<(Kind, usize, usize, usize)> {
                v.iter()
                    .map(|x| (x.0, x.1, x.2, x.3 as *const Rule as usize))
                    .collect()
            };
            assert_eq!(key(&pairwise), key(&windowed), "round {round}");
        }
    }

    /// The shortcuts of [`has_problem`] (skipping a proven tail, tokenising only what comes
    /// before it) agree with the full analysis on every corpus message followed by each tail.
    #[test]
    fn has_problem_agrees_with_the_full_analysis_before_every_tail() {
        let corpus = [
            include_str!("../corpus/messages_a.txt"),
            include_str!("../corpus/messages_b.txt"),
            include_str!("../corpus/messages_c.txt"),
            include_str!("../bench/messages.txt"),
        ];
        let mut checked = 0;
        for line in corpus.iter().flat_map(|c| c.lines()) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            for end in ["", ".", "!"] {
                for tail in crate::rewrite::TAILS {
                    let text = format!("{line}{end} {tail}");
                    // the rewrite check runs the rules (the learned layer is not asked)
                    let full = run_with(&text, &Norm::new(&text), None)
                        .findings
                        .iter()
                        .any(|f| f.kind.is_problem());
                    assert_eq!(has_problem(&text), full, "{text}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000);
    }

    /// The rule indexes only ever skip what cannot match: wherever a rule's pattern matches
    /// (tried at every known token of every sentence, guards aside), the rule is viable in
    /// that sentence (all its signatures have a token there) and either starts anywhere or
    /// is among the rules [`starting`] at that token (first, two and three tokens fit).
    #[test]
    fn rule_indexes_skip_no_match() {
        let m = &*rules::MATCHERS;
        let mut lines: Vec<String> = [
            include_str!("../corpus/messages_a.txt"),
            include_str!("../corpus/messages_b.txt"),
            include_str!("../corpus/messages_c.txt"),
            include_str!("../bench/messages.txt"),
        ]
        .iter()
        .flat_map(|c| c.lines())
        .map(str::to_string)
        .collect();
        for l in include_str!("../corpus/real/sentences.jsonl").lines() {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            lines.push(v["text"].as_str().expect("text").to_string());
        }
        let bit = |set: &RuleSet, ri: usize| set[ri / 64] & (1 << (ri % 64)) != 0;
        let (mut hits, mut third) = (0, 0);
        for line in &lines {
            let n = Norm::new(line);
            let t = tok::tokenize(&n.text, &m.vocab);
            let toks = &t.toks;
            for s in &t.sents {
                let viable = viable(m, toks, s, false);
                let mm = M {
                    toks,
                    limit: s.b as usize,
                };
                for i in s.a as usize..s.b as usize {
                    if toks[i].id == UNKNOWN {
                        continue;
                    }
                    let cand = starting(m, toks, s.b as usize, i, &viable).unwrap_or([0; 4]);
                    for (ri, r) in m.rules.iter().enumerate() {
                        if mm.at(&r.seq, i).is_some_and(|j| j > i) {
                            assert!(bit(&viable, ri), "rule {ri} not viable in {line:?}");
                            assert!(
                                bit(&cand, ri) || bit(&m.wild, ri),
                                "rule {ri} not started at token {i} of {line:?}"
                            );
                            hits += 1;
                            third += usize::from(!bit(&m.third_any, ri));
                        }
                    }
                }
            }
        }
        // enough matches, many of them by rules the three-token index filters
        assert!(
            hits > 3_000 && third > 500,
            "{hits} matches, {third} three-token"
        );
    }
}
