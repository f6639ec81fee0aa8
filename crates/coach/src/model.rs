//! The learned layer: one linear model (logistic regression) per kind over hashed word
//! uni- and bigrams, character 4-grams and the kinds the rules found in the same sentence.
//!
//! The rules keep the spans and the explanations; the model only adds a kind the rules did
//! not find in a sentence, and then the span is that sentence and the explanation is the
//! kind's own. The weights are trained by `cargo run --release -p rekindle-coach --example
//! train` (deterministic: fixed seed, fixed order) and embedded here; no I/O at run time.
//!
//! Besides one output per kind there is a twelfth, "any problem": when it fires on a
//! sentence where neither the rules nor the per-kind outputs found a problem, the problem
//! kind whose output is nearest its own threshold is added (its span the sentence, its
//! explanation the kind's own).
//!
//! Weights file (`model/weights.bin`, little endian): magic `RKC2`, `u32` dimension,
//! `f32` scale, 12 × `f32` bias, 12 × `f32` threshold (logit), then dimension × 12 × `i16`
//! (row per hashed feature, one weight per kind in [`Kind::ALL`] order, then "any problem").

#![allow(clippy::needless_range_loop)] // weight rows are indexed by kind

use std::sync::{LazyLock, OnceLock};

use crate::Kind;
use crate::tok::{FxMap, Tok};

/// Number of hashed feature buckets.
pub const DIM: usize = 1 << 16;
/// Number of kinds scored (the first 11 of [`Kind`], in [`Kind::ALL`] order).
pub const NK: usize = 11;
/// Number of outputs: the kinds, then "any problem" (index [`ANY`]).
pub const NOUT: usize = NK + 1;
/// The "any problem" output.
pub const ANY: usize = NK;

static RAW: &[u8] = include_bytes!("../model/weights.bin");
/// The rows of [`RAW`] compacted by `build.rs`: a `u16` per hashed feature naming its row
/// among the distinct rows (empty when the file could not be compacted).
static IDX: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/weights_idx.bin"));
/// The distinct rows of [`RAW`], the zero row first ([`NOUT`] little-endian `i16` each).
static ROWS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/weights_rows.bin"));

/// Added to the trained threshold at run time: a problem finding the rules did not make
/// needs a clear margin (precision first; a borderline call stays silent).
const MARGIN: [f32; NK] = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0];

/// The decoded model.
pub(crate) struct Model {
    scale: f32,
    bias: [f32; NOUT],
    thr: [f32; NOUT],
    /// Per hashed feature: where its weights are in `rows`. About half the rows of the file
    /// are all zero and many others repeat, so the distinct rows take about a third of the
    /// file's 1.5 MB: the weights a run reads stay in the core's cache far more often.
    /// A fixed-size array: a hashed feature (always below [`DIM`]) needs no bounds check.
    idx: Box<[u16; DIM]>,
    /// The distinct rows, the zero row first.
    rows: Vec<[i16; NOUT]>,
    /// Per token id of the rules' vocabulary: the weight sums of the character 4-grams that
    /// lie within that word and the spaces around it ([`word_gram_sums`]), made on first use.
    word_grams: OnceLock<Vec<[i32; NOUT]>>,
}

impl Model {
    /// The weights of hashed feature `f`.
    #[inline(always)]
    fn row(&self, f: u32) -> &[i16; NOUT] {
        debug_assert!((f as usize) < DIM);
        &self.rows[self.idx[f as usize % DIM] as usize]
    }

    /// [`Model::word_grams`], made on first use from the rules' vocabulary.
    fn word_grams(&self) -> &[[i32; NOUT]] {
        self.word_grams
            .get_or_init(|| word_gram_sums(self, &crate::rules::MATCHERS.vocab))
    }
}

fn rd_f32(b: &[u8], at: usize) -> f32 {
    f32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn rd_row(row: &[u8]) -> [i16; NOUT] {
    let mut r = [0i16; NOUT];
    for (k, x) in r.iter_mut().enumerate() {
        *x = i16::from_le_bytes([row[2 * k], row[2 * k + 1]]);
    }
    r
}

/// The embedded model: its rows as `build.rs` compacted them (the same weights per feature
/// as [`decode`] gives, `model::tests` checks every one), or decoded from the file.
pub(crate) static MODEL: LazyLock<Option<Model>> =
    LazyLock::new(|| decode_compact(RAW, IDX, ROWS).or_else(|| decode(RAW)));

/// Scale, biases and thresholds of a weights file of the expected format and size.
#[allow(clippy::type_complexity)]
fn head(b: &[u8]) -> Option<(f32, [f32; NOUT], [f32; NOUT])> {
    let head = 4 + 4 + 4 + NOUT * 8;
    if b.len() < head || &b[..4] != b"RKC2" {
        return None;
    }
    let dim = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    if dim != DIM || b.len() != head + DIM * NOUT * 2 {
        return None;
    }
    let scale = rd_f32(b, 8);
    let mut bias = [0f32; NOUT];
    let mut thr = [0f32; NOUT];
    for k in 0..NOUT {
        bias[k] = rd_f32(b, 12 + 4 * k);
        thr[k] = rd_f32(b, 12 + 4 * NOUT + 4 * k);
    }
    Some((scale, bias, thr))
}

/// The model from the file's head and `build.rs`'s compacted rows (`None` when they do not
/// fit the file).
fn decode_compact(b: &[u8], idx: &[u8], rows: &[u8]) -> Option<Model> {
    let (scale, bias, thr) = head(b)?;
    if idx.len() != DIM * 2 || rows.is_empty() || !rows.len().is_multiple_of(NOUT * 2) {
        return None;
    }
    let rows: Vec<[i16; NOUT]> = rows.chunks_exact(NOUT * 2).map(rd_row).collect();
    let idx: Vec<u16> = idx
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    if idx.iter().any(|&i| i as usize >= rows.len()) {
        return None;
    }
    let idx = idx.into_boxed_slice().try_into().ok()?;
    Some(Model {
        scale,
        bias,
        thr,
        idx,
        rows,
        word_grams: OnceLock::new(),
    })
}

/// The model from a weights file, its rows deduplicated here (as `build.rs` does for the
/// embedded one).
fn decode(b: &[u8]) -> Option<Model> {
    let (scale, bias, thr) = head(b)?;
    let body = &b[4 + 4 + 4 + NOUT * 8..];
    // DIM = 2^16 rows, so at most 2^16 distinct ones: a u16 indexes them all
    let mut rows: Vec<[i16; NOUT]> = vec![[0; NOUT]];
    let mut seen: FxMap<[i16; NOUT], u16> = FxMap::default();
    seen.insert([0; NOUT], 0);
    let idx: Vec<u16> = body
        .chunks_exact(NOUT * 2)
        .map(|row| {
            let r = rd_row(row);
            *seen.entry(r).or_insert_with(|| {
                rows.push(r);
                (rows.len() - 1) as u16
            })
        })
        .collect();
    let idx = idx.into_boxed_slice().try_into().ok()?;
    Some(Model {
        scale,
        bias,
        thr,
        idx,
        rows,
        word_grams: OnceLock::new(),
    })
}

/// A model decoded from weights bytes (for the training command's out-of-fold figures).
#[doc(hidden)]
pub struct Loaded(pub(crate) Model);

/// Decode weights bytes (the format of [`encode`]).
#[doc(hidden)]
pub fn load(b: &[u8]) -> Option<Loaded> {
    decode(b).map(Loaded)
}

/// Encode a model (for the training command).
#[doc(hidden)]
pub fn encode(bias: &[f32; NOUT], thr: &[f32; NOUT], w: &[[f32; NOUT]]) -> Vec<u8> {
    assert_eq!(w.len(), DIM);
    let max = w
        .iter()
        .flat_map(|r| r.iter())
        .fold(0f32, |m, x| m.max(x.abs()))
        .max(1e-6);
    let scale = max / 32767.0;
    let mut out = Vec::with_capacity(12 + NOUT * 8 + DIM * NOUT * 2);
    out.extend_from_slice(b"RKC2");
    out.extend_from_slice(&(DIM as u32).to_le_bytes());
    out.extend_from_slice(&scale.to_le_bytes());
    for b in bias {
        out.extend_from_slice(&b.to_le_bytes());
    }
    for t in thr {
        out.extend_from_slice(&t.to_le_bytes());
    }
    for r in w {
        for x in r {
            let q = (x / scale).round().clamp(-32767.0, 32767.0) as i16;
            out.extend_from_slice(&q.to_le_bytes());
        }
    }
    out
}

#[inline]
fn mix(h: u32, x: u32) -> u32 {
    (h.rotate_left(5) ^ x).wrapping_mul(0x9E37_79B9)
}

fn hash_bytes(seed: u32, b: &[u8]) -> u32 {
    let mut h = seed.wrapping_mul(0x85EB_CA6B) ^ 0x2545_F491;
    for &c in b {
        h = mix(h, c as u32);
    }
    h ^ (h >> 15)
}

#[inline]
fn bucket(h: u32) -> u32 {
    (h ^ (h >> 16)).wrapping_mul(0x7FEB_352D) >> 16
}

/// Hashed features of a run of tokens plus the rule kinds found there (bit `k` = `Kind::ALL[k]`).
/// Pushes bucket indices (may repeat) onto `out`.
pub(crate) fn features(toks: &[Tok<'_>], rule_kinds: u16, out: &mut Vec<u32>, buf: &mut Vec<u8>) {
    out.clear();
    each_feature(toks, rule_kinds, buf, |f| out.push(f));
}

/// The weight sums per output over the features of `toks` (what [`features`] lists), each
/// feature's row added as soon as it is hashed: the analysis keeps no feature list (≈ 70
/// features a sentence, each pushed, stored and read back before).
// Kept out of line: inlined into `engine::run_with` (which happens when the code around it
// changes, e.g. a smaller tokeniser) its loop compiled to ≈ 25 M more instructions over the
// 40,000 benchmark lines (callgrind), 15 % more for the same sums.
//
// The 4-grams are summed in two parts (the sums are integers: their order does not change
// them). A window whose two middle bytes are in one word lies within that word and the spaces
// around it, so its row depends on the word alone: for a known token the sum of those rows
// is read from [`Model::word_grams`] (one 48-byte row instead of a hash and a row per byte of
// the word). The other windows have the space before a word as their second or third byte;
// they are hashed when that word is appended. `tests::scores_as_features_are_hashed_equal_the_listed_features`
// compares the sums with the listed features.
#[inline(never)]
pub(crate) fn scores(
    m: &Model,
    toks: &[Tok<'_>],
    rule_kinds: u16,
    buf: &mut Vec<u8>,
    word_hash: &[u32],
) -> [i32; NOUT] {
    let grams = m.word_grams();
    let mut sums = Sums::default();
    each_scored_feature(toks, rule_kinds, buf, word_hash, grams.len(), |f| {
        sums.add(m.row(f))
    });
    // the known words' own 4-grams, in a loop of their own: with these adds in the loop
    // above the compiler kept the twelve sums in scalar registers (no vector adds), and the
    // run took 12 % more instructions, not fewer
    let mut words = Sums::default();
    for t in toks {
        if t.word
            && !t.text.is_empty()
            && let Some(g) = grams.get(t.id as usize)
        {
            words.add_wide(g);
        }
    }
    sums.add_wide(&words.total());
    sums.total()
}

/// What [`scores`] sums, handed to `emit` (in another order than [`each_feature`]'s), less
/// the 4-grams within the words whose id is below `known` (the caller adds those from
/// [`Model::word_grams`]).
#[inline(always)]
fn each_scored_feature(
    toks: &[Tok<'_>],
    rule_kinds: u16,
    buf: &mut Vec<u8>,
    word_hash: &[u32],
    known: usize,
    mut emit: impl FnMut(u32),
) {
    buf.clear();
    buf.push(b' ');
    let mut prev = hash_bytes(7, b"<s>");
    for t in toks {
        let w = t.text.as_bytes();
        if w.is_empty() {
            continue;
        }
        let hw = match word_hash.get(t.id as usize) {
            Some(&h) => h,
            None => hash_bytes(1, w),
        };
        let own = t.word && (t.id as usize) < known;
        if !own {
            emit(bucket(hw));
        }
        emit(bucket(mix(prev, hw) ^ 0x5bd1_e995));
        prev = hw;
        if t.word {
            // the word starts at `p`, the space before it is at `p - 1`
            let p = buf.len();
            buf.extend_from_slice(w);
            buf.push(b' ');
            // the windows with that space as second or third byte (none before the first word)
            for j in p.saturating_sub(3)..p.saturating_sub(1) {
                emit(gram_at(buf, j));
            }
            if !own {
                for j in p - 1..p + w.len() - 2 {
                    emit(gram_at(buf, j));
                }
            }
        }
    }
    emit(bucket(mix(prev, hash_bytes(1, b"</s>")) ^ 0x5bd1_e995));
    for k in 0..NK {
        if rule_kinds & (1 << k) != 0 {
            emit(bucket(hash_bytes(4, &[k as u8])));
            emit(bucket(hash_bytes(4, &[k as u8, 1])));
        }
    }
}

/// The feature of the 4-gram window `b[j..j + 4]` (as [`each_feature`] hashes it).
#[inline(always)]
fn gram_at(b: &[u8], j: usize) -> u32 {
    gram(b[j], b[j + 1], b[j + 2], b[j + 3])
}

#[inline(always)]
fn gram(a: u8, b: u8, c: u8, d: u8) -> u32 {
    let h = mix(
        mix(mix(mix(0x3c6e_f372, a as u32), b as u32), c as u32),
        d as u32,
    );
    bucket(h ^ 0x1b87_3593)
}

/// Per token id: the weight sums of the 4-gram windows of `" text "` (the token's one text,
/// see [`crate::tok::Vocab::texts`]), which are the windows of the sentence's word string
/// whose two middle bytes are that word's ([`scores`]). Ids are `0..vocab.len()`; a few
/// thousand words, 48 bytes each.
fn word_gram_sums(m: &Model, vocab: &crate::tok::Vocab) -> Vec<[i32; NOUT]> {
    let mut out = vec![[0; NOUT]; vocab.len()];
    let mut padded = Vec::new();
    for (w, id) in vocab.texts() {
        padded.clear();
        padded.push(b' ');
        padded.extend_from_slice(w.as_bytes());
        padded.push(b' ');
        let mut sums = Sums::default();
        sums.add(m.row(bucket(hash_bytes(1, w.as_bytes()))));
        for win in padded.windows(4) {
            sums.add(m.row(gram(win[0], win[1], win[2], win[3])));
        }
        out[id as usize] = sums.total();
    }
    out
}

/// The hash a token's text has as a word feature (`hash_bytes(1, text)`), per token id of
/// `vocab`: a known token's is read instead of worked out byte by byte (≈ 70 % of a message's
/// tokens are known words). Every id names one text: the interned word, or a contraction's
/// spelling, whose own id `Vocab::get` still gives.
pub(crate) fn word_hashes(vocab: &crate::tok::Vocab) -> Vec<u32> {
    let mut out = vec![None; vocab.len()];
    for (w, id) in vocab.texts() {
        out[id as usize] = Some(hash_bytes(1, w.as_bytes()));
    }
    out.into_iter()
        .map(|h| h.expect("every token id has a text"))
        .collect()
}

/// The features of [`features`], in its order, handed to `emit` one by one (`buf` holds the
/// words for the character 4-grams).
#[inline(always)]
fn each_feature(toks: &[Tok<'_>], rule_kinds: u16, buf: &mut Vec<u8>, mut emit: impl FnMut(u32)) {
    buf.clear();
    buf.push(b' ');
    let mut prev = hash_bytes(7, b"<s>");
    for t in toks {
        let w = t.text.as_bytes();
        if w.is_empty() {
            continue;
        }
        let hw = hash_bytes(1, w);
        emit(bucket(hw));
        emit(bucket(mix(prev, hw) ^ 0x5bd1_e995));
        prev = hw;
        if t.word {
            buf.extend_from_slice(w);
            buf.push(b' ');
        }
    }
    emit(bucket(mix(prev, hash_bytes(1, b"</s>")) ^ 0x5bd1_e995));
    if buf.len() >= 4 {
        // each window of four bytes, the last three carried over (one load a window)
        let (mut a, mut b, mut c) = (buf[0], buf[1], buf[2]);
        for &d in &buf[3..] {
            emit(gram(a, b, c, d));
            (a, b, c) = (b, c, d);
        }
    }
    for k in 0..NK {
        if rule_kinds & (1 << k) != 0 {
            emit(bucket(hash_bytes(4, &[k as u8])));
            emit(bucket(hash_bytes(4, &[k as u8, 1])));
        }
    }
}

/// Weight sums per output.
#[derive(Default)]
struct Sums {
    acc: [i32; NOUT],
}

impl Sums {
    #[inline(always)]
    fn add(&mut self, row: &[i16; NOUT]) {
        for k in 0..NOUT {
            self.acc[k] += row[k] as i32;
        }
    }

    /// Add sums made earlier (a word's 4-grams).
    #[inline(always)]
    fn add_wide(&mut self, sums: &[i32; NOUT]) {
        for k in 0..NOUT {
            self.acc[k] += sums[k];
        }
    }

    fn total(&self) -> [i32; NOUT] {
        self.acc
    }
}

/// The kinds (bit `k` = `Kind::ALL[k]`) the model predicts for these features.
/// `rules` are the kinds the rules found in the same sentence: "any problem" adds a kind
/// only where neither they nor the per-kind outputs found a problem.
#[cfg(test)]
pub(crate) fn predict(m: &Model, feats: &[u32], rules: u16) -> u16 {
    let mut sums = Sums::default();
    for &f in feats {
        sums.add(m.row(f));
    }
    decide(m, &sums.total(), rules)
}

/// The kinds the model predicts from the weight sums of a sentence's features ([`scores`]);
/// `rules` as for [`predict`].
pub(crate) fn decide(m: &Model, acc: &[i32; NOUT], rules: u16) -> u16 {
    let mut out = 0u16;
    let mut best = (f32::NEG_INFINITY, 0usize);
    for k in 0..NK {
        let margin = m.bias[k] + acc[k] as f32 * m.scale - (m.thr[k] + MARGIN[k]);
        if margin > 0.0 {
            out |= 1 << k;
        }
        if PROBLEM[k] && margin > best.0 {
            best = (margin, k);
        }
    }
    if (out | rules) & PROBLEM_BITS == 0
        && best.0.is_finite()
        && m.bias[ANY] + acc[ANY] as f32 * m.scale > m.thr[ANY]
    {
        out |= 1 << best.1;
    }
    out
}

/// The problem kinds "any problem" may name (criticism stays with the rules: the model
/// cannot read "you're not selfish").
const PROBLEM: [bool; NK] = [
    true, true, false, true, true, true, true, false, false, false, false,
];

/// The problem kinds as bits.
const PROBLEM_BITS: u16 = 0b111_1111;

/// Margins (logit minus threshold) per kind for a text taken as one unit (diagnostics).
#[doc(hidden)]
pub fn margins(text: &str) -> [f32; NK] {
    let Some(m) = &*MODEL else {
        return [f32::NEG_INFINITY; NK];
    };
    let feats = text_features(text);
    let mut acc = [0i32; NOUT];
    for &f in &feats {
        for k in 0..NOUT {
            acc[k] += m.row(f)[k] as i32;
        }
    }
    let mut out = [0f32; NK];
    for k in 0..NK {
        out[k] = m.bias[k] + acc[k] as f32 * m.scale - m.thr[k] - MARGIN[k];
    }
    out
}

/// Whether a sentence may carry a criticism the model reads: a second-person word and no
/// negation ("you're not selfish", "I'm not saying you're lazy" stay clean).
pub(crate) fn criticism_may_apply(toks: &[Tok<'_>]) -> bool {
    let mut you = false;
    for t in toks.iter().filter(|t| t.word) {
        match t.text {
            "not" | "never" | "no" => return false,
            "you" | "your" | "yourself" | "yours" => you = true,
            _ => {}
        }
    }
    you
}

/// Whether a sentence may carry a request the model reads: it asks something (a
/// question mark) or has a word that asks ("please", "could", "let us", "how about",
/// "I would like", "I need"). A bare noun phrase ("Evenings with the car", a
/// problem's title) asks nothing, whatever its words.
pub(crate) fn request_may_apply(toks: &[Tok<'_>]) -> bool {
    toks.iter().any(|t| {
        matches!(
            t.text,
            "?" | "please"
                | "could"
                | "would"
                | "can"
                | "will"
                | "let"
                | "want"
                | "like"
                | "need"
                | "wish"
                | "try"
                | "how"
                | "maybe"
                | "shall"
                | "should"
        )
    })
}

/// A stonewalling the model reads is a brush-off: a sentence of at most this many words
/// ("Do whatever you want.", "Whatever, fine."); a longer one is an offer or a plan
/// ("Whatever you want for dinner is fine.") unless the rules say otherwise.
pub const BRUSH_OFF_WORDS: usize = 6;

/// Whether a sentence is short enough to be a brush-off.
pub(crate) fn brush_off(toks: &[Tok<'_>]) -> bool {
    // contractions are expanded ("don't" → "do not"), so count the words as written
    let mut n = 0;
    let mut last = (u32::MAX, u32::MAX);
    for t in toks.iter().filter(|t| t.word) {
        if (t.s, t.e) != last {
            n += 1;
        }
        last = (t.s, t.e);
    }
    n <= BRUSH_OFF_WORDS
}

/// Bit for a kind (none for safety).
pub(crate) fn bit(k: Kind) -> u16 {
    Kind::ALL.iter().position(|&x| x == k).map_or(0, |p| 1 << p)
}

/// Features of a whole text taken as one unit (for the training command).
#[doc(hidden)]
pub fn text_features(text: &str) -> Vec<u32> {
    crate::engine::unit_features(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_weights_decode_with_the_any_problem_output() {
        let m = MODEL.as_ref().expect("model/weights.bin decodes (RKC2)");
        assert_eq!(m.idx.len(), DIM);
        // the rows build.rs compacted are the ones in use, and every hashed feature reads
        // the weights the file gives it, there and in a model decoded at run time
        assert!(decode_compact(RAW, IDX, ROWS).is_some());
        let d = decode(RAW).expect("decodes");
        for (f, row) in RAW[4 + 4 + 4 + NOUT * 8..]
            .chunks_exact(NOUT * 2)
            .enumerate()
        {
            assert_eq!(*m.row(f as u32), rd_row(row), "feature {f}");
            assert_eq!(*d.row(f as u32), rd_row(row), "feature {f}");
        }
        // a trained threshold, or 1e9 when the training budget left no room for it
        assert!(
            m.thr[ANY].is_finite(),
            "the any-problem output is in the file"
        );
        // an old-format file is refused rather than misread
        let mut old = RAW.to_vec();
        old[..4].copy_from_slice(b"RKC1");
        assert!(decode(&old).is_none());
    }

    /// The analysis sums each feature's weights as it is hashed ([`scores`]): the same sums,
    /// hence the same predictions, as listing the features and summing the list, for every
    /// sentence of the corpora under several masks of rule kinds.
    #[test]
    fn scores_as_features_are_hashed_equal_the_listed_features() {
        let m = MODEL.as_ref().expect("model decodes");
        let vocab = &crate::rules::MATCHERS.vocab;
        let corpus = [
            include_str!("../corpus/messages_a.txt"),
            include_str!("../corpus/messages_b.txt"),
            include_str!("../corpus/messages_c.txt"),
            include_str!("../bench/messages.txt"),
        ];
        let (mut feats, mut buf) = (Vec::new(), Vec::new());
        let mut sentences = 0;
        for line in corpus.iter().flat_map(|c| c.lines()) {
            let n = crate::norm::Norm::new(line);
            let t = crate::tok::tokenize(&n.text, vocab);
            for s in &t.sents {
                let st = &t.toks[s.a as usize..s.b as usize];
                for mask in [0u16, 0b1, 0b101_0000_0010, 0b111_1111_1111] {
                    features(st, mask, &mut feats, &mut buf);
                    let mut listed = Sums::default();
                    feats.iter().for_each(|&f| listed.add(m.row(f)));
                    let sums = scores(m, st, mask, &mut buf, &crate::rules::MATCHERS.word_hash);
                    assert_eq!(sums, listed.total(), "{line:?}");
                    assert_eq!(decide(m, &sums, mask), predict(m, &feats, mask), "{line:?}");
                }
                sentences += 1;
            }
        }
        assert!(sentences > 1000, "{sentences}");
    }
}
