//! Tokens and a small token-pattern language.
//!
//! The text is split into lowercase word tokens and punctuation tokens; contractions are
//! expanded to canonical words ("you're" → `you are`, "dont" → `do not`, "cant" → `can not`),
//! so one pattern covers every spelling. Each token keeps the byte span of the word it came from.
//!
//! Pattern notation (compiled once per process, in well under a millisecond):
//! - `word` one token; `,` `!` `"` `\?` `\.` punctuation tokens; emoji are single tokens;
//! - `(a b|c|d e)` alternatives of sequences; `x?` optional; `x*` zero or more (at most 8);
//!   `x+` one or more;
//! - `@NAME` a word list; `_` any word; `~ing` any word ending in "ing";
//! - `..N` up to N tokens inside the sentence (fewest first); `$` end of sentence.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub(crate) const UNKNOWN: u32 = u32::MAX;

/// A tiny fast hasher (FxHash-style) for the vocabulary.
#[derive(Default)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // the same little-endian word as copying the bytes into a zeroed array, without
            // the `memcpy` call a variable-length copy compiles to (one per word tokenised)
            let mut w = 0u64;
            for (k, &b) in rest.iter().enumerate() {
                w |= (b as u64) << (8 * k);
            }
            h = (h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        self.0 = h;
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

#[derive(Default)]
pub(crate) struct Vocab {
    /// Word → token id; after [`Vocab::seal`], a contraction spelling maps to `EXPAND | i`
    /// with its canonical tokens in `exp[i]`, so tokenising costs one lookup per word.
    pub map: FxMap<String, u32>,
    exp: Vec<Expansion>,
    /// Number of distinct token ids.
    len: usize,
    /// After [`Vocab::seal`]: what [`Vocab::get`] gives for each one-byte ASCII string (the
    /// symbols, one lookup each otherwise).
    ascii: Vec<u32>,
    /// After [`Vocab::seal`]: the map's entries for words of one to eight bytes, keyed by
    /// [`short_key`] (most words a message has).
    short: KeyTable,
}

/// An open-addressing table from 64-bit keys to 32-bit values, for the hot lookups whose
/// keys are integers: the vocabulary's short words ([`short_key`]) and the matcher's token
/// pair and triple indexes. A hash map's lookup was a cache miss on its control bytes and
/// another on the bucket, then (for a `String` key) a third on the key's own bytes for the
/// `memcmp`, and a branch on the tag match the CPU often guessed wrong (perf: a third of the
/// tokeniser's time); here a lookup reads one slot of sixteen bytes, its neighbours in the
/// same cache line, in a table at most half full (linear probing).
pub(crate) struct KeyTable {
    /// `(key, value)`, the value [`VACANT`] in an empty slot. The length is a power of two.
    slots: Vec<(u64, u32)>,
    /// `64 - log2(slots.len())`: the hash's top bits index the table.
    shift: u32,
}

/// The value of an empty [`KeyTable`] slot (no value stored is this).
const VACANT: u32 = u32::MAX;

impl Default for KeyTable {
    /// An empty table (every lookup misses).
    fn default() -> KeyTable {
        KeyTable::new(std::iter::empty())
    }
}

impl KeyTable {
    /// A table of these entries (distinct keys, values below [`VACANT`]).
    pub fn new(entries: impl Iterator<Item = (u64, u32)> + Clone) -> KeyTable {
        let len = (2 * entries.clone().count() + 1)
            .next_power_of_two()
            .max(16);
        let mut t = KeyTable {
            slots: vec![(0, VACANT); len],
            shift: 64 - len.trailing_zeros(),
        };
        for (key, v) in entries {
            assert!(v != VACANT, "a value is not the vacant mark");
            let mut i = t.home(key);
            while t.slots[i].1 != VACANT {
                assert!(t.slots[i].0 != key, "keys are distinct");
                i = (i + 1) & (len - 1);
            }
            t.slots[i] = (key, v);
        }
        t
    }

    #[inline(always)]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The value stored with `key`, if any.
    #[inline(always)]
    pub fn get(&self, key: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let (k, v) = self.slots[i];
            if v == VACANT {
                return None;
            }
            if k == key {
                return Some(v);
            }
            i = (i + 1) & mask;
        }
    }
}

/// A word of one to eight bytes, none of them zero, as the little-endian integer of its bytes
/// padded with zeros; `None` for any other string.
#[inline(always)]
fn short_key(w: &str) -> Option<u64> {
    let b = w.as_bytes();
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    let mut key = 0u64;
    for (k, &c) in b.iter().enumerate() {
        if c == 0 {
            return None;
        }
        key |= (c as u64) << (8 * k);
    }
    Some(key)
}

struct Expansion {
    /// The id the spelling itself had as a pattern word (or `UNKNOWN`).
    id: u32,
    parts: Vec<(&'static str, u32)>,
}

const EXPAND: u32 = 1 << 31;

impl Vocab {
    pub fn intern(&mut self, w: &str) -> u32 {
        debug_assert!(self.exp.is_empty(), "intern after seal");
        if let Some(&id) = self.map.get(w) {
            return id;
        }
        let id = self.map.len() as u32;
        self.map.insert(w.to_string(), id);
        id
    }

    /// The id of a word (`UNKNOWN` when no pattern uses it).
    pub fn get(&self, w: &str) -> u32 {
        match self.map.get(w) {
            None => UNKNOWN,
            Some(&v) if v & EXPAND != 0 => self.exp[(v & !EXPAND) as usize].id,
            Some(&v) => v,
        }
    }

    /// Every token id with the one text a token of that id has (after sealing): the words
    /// interned for patterns, and the contraction spellings under the ids they had before.
    pub fn texts(&self) -> impl Iterator<Item = (&str, u32)> {
        self.map
            .iter()
            .map(|(w, &v)| {
                if v & EXPAND != 0 {
                    (w.as_str(), self.exp[(v & !EXPAND) as usize].id)
                } else {
                    (w.as_str(), v)
                }
            })
            .filter(|&(_, id)| id != UNKNOWN)
    }

    /// Number of distinct token ids (ids are `0..len()`).
    pub fn len(&self) -> usize {
        if self.exp.is_empty() {
            self.map.len()
        } else {
            self.len
        }
    }

    /// Index the contractions with the ids of their canonical tokens (after every pattern
    /// is compiled; no interning afterwards).
    pub fn seal(&mut self) {
        self.len = self.map.len();
        let mut exp = Vec::new();
        for (spellings, canon) in CONTRACTIONS {
            let parts: Vec<(&'static str, u32)> = canon.iter().map(|p| (*p, self.get(p))).collect();
            for w in *spellings {
                let id = self.get(w);
                exp.push(Expansion {
                    id,
                    parts: parts.clone(),
                });
                self.map
                    .insert(w.to_string(), EXPAND | (exp.len() as u32 - 1));
            }
        }
        self.exp = exp;
        self.ascii = (0u8..128)
            .map(|b| self.get(std::str::from_utf8(&[b]).expect("ascii")))
            .collect();
        self.short = KeyTable::new(
            self.map
                .iter()
                .filter_map(|(w, &v)| short_key(w).map(|key| (key, v))),
        );
    }

    /// [`Vocab::get`], with one-byte ASCII strings read from a table (after sealing).
    #[inline]
    fn get_tok(&self, w: &str) -> u32 {
        match w.as_bytes() {
            &[b] if (b as usize) < self.ascii.len() => self.ascii[b as usize],
            _ => self.get(w),
        }
    }

    /// [`Vocab::lookup`] of a word the tokeniser found at byte `s` of the text `b` (its bytes
    /// are letters, digits, inner `'` and `-`, and non-ASCII letters: never zero), the short
    /// key read with one eight-byte load where the text goes on that far.
    #[inline(always)]
    fn lookup_word(&self, w: &str, b: &[u8], s: usize) -> Result<&[(&'static str, u32)], u32> {
        let len = w.len();
        let found = if len <= 8 {
            let key = match b.get(s..s + 8) {
                Some(w8) => {
                    u64::from_le_bytes(w8.try_into().expect("eight bytes"))
                        & (u64::MAX >> (64 - 8 * len))
                }
                None => short_key(w).unwrap_or(0),
            };
            self.short.get(key)
        } else {
            self.map.get(w).copied()
        };
        self.decode(found)
    }

    fn decode(&self, found: Option<u32>) -> Result<&[(&'static str, u32)], u32> {
        match found {
            None => Err(UNKNOWN),
            Some(v) if v & EXPAND != 0 => Ok(&self.exp[(v & !EXPAND) as usize].parts),
            Some(v) => Err(v),
        }
    }

    /// One lookup: the canonical tokens of a contraction, or the id of a word (after sealing;
    /// the tokeniser reads its words with [`Vocab::lookup_word`]).
    #[cfg(test)]
    fn lookup(&self, w: &str) -> Result<&[(&'static str, u32)], u32> {
        self.decode(match short_key(w) {
            Some(key) => self.short.get(key),
            None => self.map.get(w).copied(),
        })
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok<'a> {
    pub id: u32,
    pub text: &'a str,
    /// Byte span (in the normalised text) of the word or symbol this token came from.
    pub s: u32,
    pub e: u32,
    pub word: bool,
    /// Ends a sentence: . ! ? ; or a line break.
    pub term: bool,
    pub quoted: bool,
    pub sent: u32,
}

impl Tok<'static> {
    /// A placeholder (never read: see [`relabel`]).
    const NONE: Tok<'static> = Tok {
        id: UNKNOWN,
        text: "",
        s: 0,
        e: 0,
        word: false,
        term: false,
        quoted: false,
        sent: 0,
    };
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Sent {
    /// First token index and one past the last (terminators included).
    pub a: u32,
    pub b: u32,
    pub question: bool,
    pub yes_no: bool,
}

pub(crate) struct Tokens<'a> {
    pub toks: Vec<Tok<'a>>,
    pub sents: Vec<Sent>,
}

/// Token and sentence buffers kept for the next [`tokenize`] on this thread: every message
/// is tokenised once, and once or twice more per rewrite check, and a fresh pair of vectors
/// each time was two allocations and two frees per call. A few pairs, because a rewrite
/// check tokenises while the message's own tokens are still in use.
struct Spare {
    toks: Vec<Tok<'static>>,
    sents: Vec<Sent>,
}

/// At most this many spare pairs per thread (the deepest nesting is two).
const SPARES: usize = 4;
/// A new token vector has room for at least this many tokens (a message of ≈ 250 bytes).
const MIN_TOKS: usize = 64;
/// Buffers grown past this many tokens (a long message) are freed, not kept.
const SPARE_MAX_TOKS: usize = 4096;

thread_local! {
    static SPARE: std::cell::RefCell<Vec<Spare>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty token vector with room for `len_hint` tokens (a kept one when one is that
/// large: a smaller one would grow by copying, as often as doubling takes, which made long
/// messages slower than a fresh vector of the right size), and a sentence vector.
fn buffers<'a>(len_hint: usize) -> (Vec<Tok<'a>>, Vec<Sent>) {
    let spare = SPARE
        .try_with(|s| {
            let mut s = s.borrow_mut();
            match s.last() {
                Some(last) if last.toks.capacity() >= len_hint => s.pop(),
                _ => None,
            }
        })
        .ok()
        .flatten();
    match spare {
        Some(Spare { toks, sents }) => (relabel(toks), sents),
        // room for a typical message or rewrite at least, so the vector kept afterwards
        // serves the next ones
        None => (Vec::with_capacity(len_hint.max(MIN_TOKS)), Vec::new()),
    }
}

/// The same (empty) allocation with the tokens' borrow renamed: collecting an emptied
/// `Vec` through `into_iter().map()` into a type of the same size and alignment reuses its
/// buffer (no allocation, no unsafe).
fn relabel<'a, 'b>(mut v: Vec<Tok<'a>>) -> Vec<Tok<'b>> {
    v.clear();
    v.into_iter().map(|_| Tok::NONE).collect()
}

impl Drop for Tokens<'_> {
    fn drop(&mut self) {
        if self.toks.capacity() > SPARE_MAX_TOKS {
            return;
        }
        let mut sents = std::mem::take(&mut self.sents);
        sents.clear();
        let spare = Spare {
            toks: relabel(std::mem::take(&mut self.toks)),
            sents,
        };
        // (during thread exit the pool may be gone: then the buffers are simply freed)
        let _ = SPARE.try_with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < SPARES {
                s.push(spare);
            }
        });
    }
}

/// Spellings expanded to canonical words ("you're" → `you are`, "dont" → `do not`).
const CONTRACTIONS: &[(&[&str], &[&str])] = &[
    (&["don't", "dont"], &["do", "not"]),
    (&["doesn't", "doesnt"], &["does", "not"]),
    (&["didn't", "didnt"], &["did", "not"]),
    (&["won't", "wont"], &["will", "not"]),
    (&["can't", "cant", "cannot"], &["can", "not"]),
    (&["isn't", "isnt"], &["is", "not"]),
    (&["aren't", "arent"], &["are", "not"]),
    (&["wasn't", "wasnt"], &["was", "not"]),
    (&["weren't", "werent"], &["were", "not"]),
    (&["haven't", "havent"], &["have", "not"]),
    (&["hasn't", "hasnt"], &["has", "not"]),
    (&["hadn't", "hadnt"], &["had", "not"]),
    (&["wouldn't", "wouldnt"], &["would", "not"]),
    (&["couldn't", "couldnt"], &["could", "not"]),
    (&["shouldn't", "shouldnt"], &["should", "not"]),
    (&["mustn't"], &["must", "not"]),
    (&["ain't", "aint"], &["is", "not"]),
    (&["shan't"], &["shall", "not"]),
    (&["needn't"], &["need", "not"]),
    (&["i'm", "im"], &["i", "am"]),
    (&["i've", "ive"], &["i", "have"]),
    (&["i'd"], &["i", "would"]),
    (&["i'll"], &["i", "will"]),
    (&["you're", "youre"], &["you", "are"]),
    (&["you've", "youve"], &["you", "have"]),
    (&["you'd", "youd"], &["you", "would"]),
    (&["you'll", "youll"], &["you", "will"]),
    (&["we're"], &["we", "are"]),
    (&["we've"], &["we", "have"]),
    (&["we'd"], &["we", "would"]),
    (&["we'll"], &["we", "will"]),
    (&["they're", "theyre"], &["they", "are"]),
    (&["it's"], &["it", "is"]),
    (&["that's", "thats"], &["that", "is"]),
    (&["what's", "whats"], &["what", "is"]),
    (&["there's", "theres"], &["there", "is"]),
    (&["here's"], &["here", "is"]),
    (&["who's"], &["who", "is"]),
    (&["he's"], &["he", "is"]),
    (&["she's"], &["she", "is"]),
    (&["let's"], &["let", "us"]),
    (&["should've", "shouldve"], &["should", "have"]),
    (&["could've", "couldve"], &["could", "have"]),
    (&["would've", "wouldve"], &["would", "have"]),
    (&["might've"], &["might", "have"]),
    (&["must've"], &["must", "have"]),
    (&["gonna"], &["going", "to"]),
    (&["wanna"], &["want", "to"]),
    (&["gotta"], &["got", "to"]),
    (&["kinda"], &["kind", "of"]),
    (&["sorta"], &["sort", "of"]),
    (&["u"], &["you"]),
    (&["ur"], &["your"]),
    (&["y'all", "yall"], &["you"]),
    (&["'cause", "cuz", "coz", "cos"], &["because"]),
    (&["idk"], &["i", "do", "not", "know"]),
    (&["idc"], &["i", "do", "not", "care"]),
    (&["tbh"], &["to", "be", "honest"]),
    (&["pls", "plz"], &["please"]),
    (&["thx"], &["thanks"]),
    (&["rn"], &["right", "now"]),
    (&["okay", "k", "kk"], &["ok"]),
    (&["nevermind"], &["never", "mind"]),
    (&["everytime"], &["every", "time"]),
    (&["alright"], &["all", "right"]),
    (
        &["selfcentered", "self-centred", "selfcentred"],
        &["self-centered"],
    ),
    (&["apologise"], &["apologize"]),
    (&["apologised"], &["apologized"]),
    (&["criticise"], &["criticize"]),
    (&["criticised"], &["criticized"]),
    (&["criticising"], &["criticizing"]),
    (&["realise"], &["realize"]),
    (&["patronised"], &["patronized"]),
    (&["victimised"], &["victimized"]),
    (&["prioritised"], &["prioritized"]),
    (&["deprioritised"], &["deprioritized"]),
    (&["disorganised"], &["disorganized"]),
    (&["judgemental"], &["judgmental"]),
    (&["mum"], &["mom"]),
];

const AUX: &[&str] = &[
    "do", "does", "did", "are", "is", "was", "were", "have", "has", "had", "will", "would", "can",
    "could", "should", "shall", "am", "may", "might", "must",
];

const DISCOURSE: &[&str] = &[
    "so", "and", "but", "ok", "hey", "babe", "hon", "honey", "um", "uh", "also", "then", "quick",
    "question", "love", "wait", "oh", "sweetie", "just", "well",
];

/// ASCII letters and digits, as a table: the scan over a word's bytes is the tokeniser's
/// hottest loop.
static WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

#[inline(always)]
fn is_word_byte(b: u8) -> bool {
    WORD_BYTE[b as usize]
}

/// The end of the run of word bytes from `i`, eight bytes at a time ([`word_lanes`]). The
/// index loop it replaces reloaded the slice and the table from the stack for every byte
/// inside the tokeniser's big loop (eleven instructions a byte, ≈ 3 % of a run; out of
/// line this was more).
#[inline(always)]
fn word_end(b: &[u8], mut i: usize) -> usize {
    // eight bytes at a time while eight are left (most words end in the first eight)
    while let Some(w) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        let stop = !word_lanes(w) & LANE_HIGH;
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|&c| !is_word_byte(c))
        .map_or(b.len(), |p| i + p)
}

const LANE_ONES: u64 = 0x0101_0101_0101_0101;
const LANE_HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte lane of `w` set where the byte is an ASCII letter or digit
/// (what [`is_word_byte`] says of it), without a table lookup per byte.
#[inline(always)]
fn word_lanes(w: u64) -> u64 {
    // a lane's byte is in lo..=hi when adding 0x80 - lo sets its high bit and adding
    // 0x7f - hi does not; bytes of 0x80 and up are masked out first (no carry between lanes:
    // every lane stays below 0x80 + 0x80)
    let ascii = !w & LANE_HIGH;
    let x = w & !LANE_HIGH;
    let in_range = |x: u64, lo: u8, hi: u8| {
        x.wrapping_add(LANE_ONES * (0x80 - lo) as u64)
            & !x.wrapping_add(LANE_ONES * (0x7f - hi) as u64)
    };
    let letters = in_range(x | (LANE_ONES * 0x20), b'a', b'z');
    let digits = in_range(x, b'0', b'9');
    (letters | digits) & ascii
}

/// Split normalised text into tokens.
pub(crate) fn tokenize<'a>(t: &'a str, vocab: &Vocab) -> Tokens<'a> {
    let b = t.as_bytes();
    let (mut toks, mut sents) = buffers(b.len() / 4 + 4);
    let mut i = 0;
    let n = b.len();
    while i < n {
        let c = b[i];
        if c.is_ascii_whitespace() {
            if c == b'\n' {
                push(&mut toks, t, "\n", i, i + 1, false, true, vocab);
            }
            i += 1;
            continue;
        }
        if is_word_byte(c) || (c >= 0x80 && char_at(t, i).is_some_and(|ch| ch.is_alphanumeric())) {
            let s = i;
            loop {
                i = word_end(b, i);
                if i >= n {
                    break;
                }
                let c = b[i];
                if c >= 0x80 {
                    match char_at(t, i) {
                        Some(ch) if ch.is_alphanumeric() => i += ch.len_utf8(),
                        _ => break,
                    }
                } else if (c == b'\'' || c == b'-') && i + 1 < n && is_word_byte(b[i + 1]) && i > s
                {
                    i += 1;
                } else {
                    break;
                }
            }
            let w = &t[s..i];
            match vocab.lookup_word(w, b, s) {
                Ok(parts) => {
                    for &(p, id) in parts {
                        toks.push(Tok {
                            id,
                            text: p,
                            s: s as u32,
                            e: i as u32,
                            word: true,
                            term: false,
                            quoted: false,
                            sent: 0,
                        });
                    }
                }
                Err(id) => {
                    // possessive / other 's: keep the base word as its own token
                    if let Some(base) = w.strip_suffix("'s").or_else(|| w.strip_suffix("'d")) {
                        push(&mut toks, t, base, s, i, true, false, vocab);
                        let tail: &'static str = if w.ends_with("'s") { "is" } else { "would" };
                        push(&mut toks, tail, tail, s, i, true, false, vocab);
                    } else if let Some(base) = w.strip_suffix("'ll") {
                        push(&mut toks, t, base, s, i, true, false, vocab);
                        push(&mut toks, "will", "will", s, i, true, false, vocab);
                    } else {
                        toks.push(Tok {
                            id,
                            text: w,
                            s: s as u32,
                            e: i as u32,
                            word: true,
                            term: false,
                            quoted: false,
                            sent: 0,
                        });
                    }
                }
            }
            continue;
        }
        // punctuation or symbol: one char
        let len = char_at(t, i).map_or(1, |ch| ch.len_utf8());
        let sym = &t[i..i + len];
        let term = matches!(c, b'.' | b'!' | b'?' | b';');
        push(&mut toks, t, sym, i, i + len, false, term, vocab);
        i += len;
    }
    mark(&mut toks, &mut sents);
    Tokens { toks, sents }
}

fn char_at(t: &str, i: usize) -> Option<char> {
    t.get(i..).and_then(|s| s.chars().next())
}

#[allow(clippy::too_many_arguments)]
fn push<'a>(
    toks: &mut Vec<Tok<'a>>,
    _src: &'a str,
    text: &'a str,
    s: usize,
    e: usize,
    word: bool,
    term: bool,
    vocab: &Vocab,
) {
    toks.push(Tok {
        id: vocab.get_tok(text),
        text,
        s: s as u32,
        e: e as u32,
        word,
        term,
        quoted: false,
        sent: 0,
    });
}

/// Sentences, questions and quoted regions.
fn mark(toks: &mut [Tok<'_>], sents: &mut Vec<Sent>) {
    let mut a = 0usize;
    let mut i = 0usize;
    let n = toks.len();
    while i < n {
        if toks[i].term {
            let mut j = i;
            let mut q = false;
            while j < n && (toks[j].term || toks[j].text == "\"" || toks[j].text == ")") {
                q |= toks[j].text == "?";
                j += 1;
            }
            sents.push(sent(toks, a, j, q));
            a = j;
            i = j;
        } else {
            i += 1;
        }
    }
    if a < n || sents.is_empty() {
        sents.push(sent(toks, a, n, false));
    }
    for (k, s) in sents.iter().enumerate() {
        for t in &mut toks[s.a as usize..s.b as usize] {
            t.sent = k as u32;
        }
    }
    // double quotes pair up within a line; single quotes pair when they open before a word
    let mut open: Option<usize> = None;
    let mut sopen: Option<usize> = None;
    for i in 0..n {
        let t = toks[i].text;
        if t == "\n" {
            open = None;
            sopen = None;
        } else if t == "\"" {
            match open.take() {
                Some(o) => toks[o..i].iter_mut().for_each(|t| t.quoted = true),
                None => open = Some(i),
            }
        } else if t == "'" {
            let next_word = toks.get(i + 1).is_some_and(|t| t.word);
            let prev_word = i > 0 && toks[i - 1].word && toks[i - 1].e == toks[i].s;
            match sopen {
                Some(o) if !next_word || prev_word => {
                    toks[o..i].iter_mut().for_each(|t| t.quoted = true);
                    sopen = None;
                }
                None if next_word && !prev_word => sopen = Some(i),
                _ => {}
            }
        }
    }
}

fn sent(toks: &[Tok<'_>], a: usize, b: usize, question: bool) -> Sent {
    let mut yes_no = false;
    if question {
        for t in toks[a..b].iter().filter(|t| t.word).take(4) {
            if AUX.contains(&t.text) {
                yes_no = true;
                break;
            }
            if !DISCOURSE.contains(&t.text) {
                break;
            }
        }
    }
    Sent {
        a: a as u32,
        b: b as u32,
        question,
        yes_no,
    }
}

// ---- patterns ------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(crate) enum Elem {
    Tok(u32),
    Set(Vec<u32>),
    Alt(Vec<Vec<Elem>>),
    /// Many alternatives, indexed by the token they can start with.
    AltIx(Box<AltIx>),
    Opt(Box<Elem>),
    Star(Box<Elem>, bool),
    Any,
    Suffix(String),
    Gap(u8),
    End,
}

#[derive(Debug, Clone)]
pub(crate) struct AltIx {
    alts: Vec<Vec<Elem>>,
    by_first: FxMap<u32, Vec<u16>>,
    /// Alternatives that may start with any token or match empty.
    wild: Vec<u16>,
}

impl AltIx {
    fn new(alts: Vec<Vec<Elem>>) -> AltIx {
        let mut by_first: FxMap<u32, Vec<u16>> = FxMap::default();
        let mut wild = Vec::new();
        for (i, a) in alts.iter().enumerate() {
            let mut ids = Vec::new();
            match first_seq(a, &mut ids) {
                Ok(false) => {
                    ids.sort_unstable();
                    ids.dedup();
                    for id in ids {
                        by_first.entry(id).or_default().push(i as u16);
                    }
                }
                _ => wild.push(i as u16),
            }
        }
        AltIx {
            alts,
            by_first,
            wild,
        }
    }
}

/// Index large alternations (after the whole pattern set is known).
fn index(e: Elem) -> Elem {
    match e {
        Elem::Alt(alts) => {
            let alts: Vec<Vec<Elem>> = alts
                .into_iter()
                .map(|a| a.into_iter().map(index).collect())
                .collect();
            if alts.len() > 2 {
                Elem::AltIx(Box::new(AltIx::new(alts)))
            } else {
                Elem::Alt(alts)
            }
        }
        Elem::Opt(x) => Elem::Opt(Box::new(index(*x))),
        Elem::Star(x, m) => Elem::Star(Box::new(index(*x)), m),
        other => other,
    }
}

pub(crate) fn index_seq(seq: Vec<Elem>) -> Vec<Elem> {
    seq.into_iter().map(index).collect()
}

pub(crate) struct Compiler<'v> {
    pub vocab: &'v mut Vocab,
    pub lists: FxMap<&'static str, Elem>,
}

impl Compiler<'_> {
    pub fn define(&mut self, name: &'static str, src: &str) {
        let seq = self.compile(src);
        let e = if seq.len() == 1 {
            seq.into_iter().next().unwrap_or(Elem::Alt(vec![]))
        } else {
            Elem::Alt(vec![seq])
        };
        self.lists.insert(name, e);
    }

    pub fn compile(&mut self, src: &str) -> Vec<Elem> {
        let toks = lex(src);
        let mut pos = 0;
        let alts = self.alt(&toks, &mut pos);
        assert!(pos == toks.len(), "unbalanced pattern: {src}");
        if alts.len() == 1 {
            alts.into_iter().next().unwrap_or_default()
        } else {
            vec![simplify(Elem::Alt(alts))]
        }
    }

    fn alt(&mut self, t: &[&str], pos: &mut usize) -> Vec<Vec<Elem>> {
        let mut alts = vec![self.seq(t, pos)];
        while *pos < t.len() && t[*pos] == "|" {
            *pos += 1;
            alts.push(self.seq(t, pos));
        }
        alts
    }

    fn seq(&mut self, t: &[&str], pos: &mut usize) -> Vec<Elem> {
        let mut out = Vec::new();
        while *pos < t.len() && t[*pos] != "|" && t[*pos] != ")" {
            let tok = t[*pos];
            *pos += 1;
            let mut e = if tok == "(" {
                let a = self.alt(t, pos);
                assert!(*pos < t.len() && t[*pos] == ")", "missing )");
                *pos += 1;
                simplify(Elem::Alt(a))
            } else if let Some(name) = tok.strip_prefix('@') {
                self.lists
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| panic!("unknown list @{name}"))
            } else if tok == "_" {
                Elem::Any
            } else if let Some(suf) = tok.strip_prefix('~') {
                Elem::Suffix(suf.to_string())
            } else if let Some(n) = tok.strip_prefix("..") {
                Elem::Gap(n.parse().unwrap_or(3))
            } else if tok == "$" {
                Elem::End
            } else {
                let w = tok.strip_prefix('\\').unwrap_or(tok);
                Elem::Tok(self.vocab.intern(w))
            };
            while *pos < t.len() && matches!(t[*pos], "?" | "*" | "+") {
                e = match t[*pos] {
                    "?" => Elem::Opt(Box::new(e)),
                    "*" => Elem::Star(Box::new(e), false),
                    _ => Elem::Star(Box::new(e), true),
                };
                *pos += 1;
            }
            out.push(e);
        }
        out
    }
}

fn simplify(e: Elem) -> Elem {
    if let Elem::Alt(alts) = &e {
        // flatten single-token alternatives into a set
        if alts
            .iter()
            .all(|a| a.len() == 1 && matches!(a[0], Elem::Tok(_) | Elem::Set(_)))
        {
            let mut ids = Vec::new();
            for a in alts {
                match &a[0] {
                    Elem::Tok(i) => ids.push(*i),
                    Elem::Set(s) => ids.extend_from_slice(s),
                    _ => {}
                }
            }
            ids.sort_unstable();
            ids.dedup();
            return Elem::Set(ids);
        }
        if alts.len() == 1 && alts[0].len() == 1 {
            return alts[0][0].clone();
        }
    }
    e
}

/// Split a pattern source into lexemes: words, ( ) | ? * +, and `\x` escapes. The lexemes
/// borrow from the source: the build lexes a few hundred patterns.
fn lex<'s>(src: &'s str) -> Vec<&'s str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let flush = |start: &mut Option<usize>, out: &mut Vec<&'s str>, end: usize| {
        if let Some(s) = start.take() {
            out.push(&src[s..end]);
        }
    };
    let mut chars = src.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                flush(&mut start, &mut out, i);
                if let Some((j, n)) = chars.next() {
                    out.push(&src[i..j + n.len_utf8()]);
                }
            }
            ' ' | '\n' | '\t' => flush(&mut start, &mut out, i),
            '(' | ')' | '|' | '?' | '*' | '+' => {
                flush(&mut start, &mut out, i);
                out.push(&src[i..i + 1]);
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    flush(&mut start, &mut out, src.len());
    out
}

/// Words too common to make a good signature.
const COMMON: &[&str] = &[
    "you", "i", "are", "the", "a", "an", "to", "not", "do", "is", "it", "that", "we", "my", "your",
    "me", "am", "was", "have", "of", "and", "so", "this", "be", "just", "really", ",", "will",
    "would", "can", "could", "did", "in", "on", "at", "for", "with", "us", "what",
];

/// The ids of the words too common to make a good signature.
pub(crate) fn common_ids(vocab: &Vocab) -> Vec<u32> {
    COMMON.iter().map(|w| vocab.get(w)).collect()
}

/// Signatures for a pattern: sets of token ids, each from a different required element, so
/// that a sentence the pattern matches in holds at least one id of every set. Most selective
/// first (the first is the one a single-signature index would pick); at most `max`.
pub(crate) fn signatures(seq: &[Elem], common: &[u32], max: usize) -> Vec<Vec<u32>> {
    let mut all: Vec<(usize, usize, Vec<u32>)> = Vec::new();
    for (at, e) in seq.iter().enumerate() {
        let mut ids = Vec::new();
        let nullable = match first_elem(e, &mut ids) {
            Ok(n) => n,
            Err(()) => continue,
        };
        // only elements that always consume their first token count (no Opt/Star/End)
        if nullable || matches!(e, Elem::Opt(_) | Elem::Star(..) | Elem::End) {
            continue;
        }
        ids.sort_unstable();
        ids.dedup();
        let cost = ids.len() + 50 * ids.iter().filter(|i| common.contains(i)).count();
        all.push((cost, at, ids));
    }
    // cheapest first; among equals the earliest element
    all.sort_by_key(|(cost, at, _)| (*cost, *at));
    all.dedup_by(|a, b| a.2 == b.2);
    all.into_iter().take(max).map(|(_, _, ids)| ids).collect()
}

/// First-token information: pushes the ids a match can start with into `out`; returns
/// `false` when the pattern can start at any token (then `out` is meaningless).
pub(crate) fn first(seq: &[Elem], out: &mut Vec<u32>) -> bool {
    matches!(first_seq(seq, out), Ok(false))
}

fn first_seq(seq: &[Elem], out: &mut Vec<u32>) -> Result<bool, ()> {
    for e in seq {
        if !first_elem(e, out)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Ok(nullable) or Err(()) when any token may start a match.
fn first_elem(e: &Elem, out: &mut Vec<u32>) -> Result<bool, ()> {
    match e {
        Elem::Tok(i) => {
            out.push(*i);
            Ok(false)
        }
        Elem::Set(s) => {
            out.extend_from_slice(s);
            Ok(false)
        }
        Elem::Alt(alts) => {
            let mut nullable = false;
            for a in alts {
                nullable |= first_seq(a, out)?;
            }
            Ok(nullable)
        }
        Elem::AltIx(ix) => {
            let mut nullable = false;
            for a in &ix.alts {
                nullable |= first_seq(a, out)?;
            }
            Ok(nullable)
        }
        Elem::Opt(x) => {
            first_elem(x, out)?;
            Ok(true)
        }
        Elem::Star(x, min1) => {
            let n = first_elem(x, out)?;
            Ok(!*min1 || n)
        }
        Elem::End => Ok(true),
        Elem::Any | Elem::Suffix(_) | Elem::Gap(_) => Err(()),
    }
}

/// A token position in [`first2`] that any token may fill.
pub(crate) const WILD: u32 = u32::MAX - 1;

/// At most this many two-token prefixes per pattern (beyond that the pattern is not indexed).
const MAX_PREFIXES: usize = 4096;

/// A prefix of at most two tokens: (length, first, second).
type Prefix = (u8, u32, u32);

/// Every way the first two tokens of a match of `seq` can look, as (length, first, second):
/// length 2 for a match of two or more tokens, 1 for a one-token match, 0 for an empty one;
/// [`WILD`] where any token fits. A superset (the end test and repeat bounds are ignored);
/// `None` when there would be too many.
pub(crate) fn first2(seq: &[Elem]) -> Option<Vec<Prefix>> {
    let mut acc = vec![(0, 0, 0)];
    for e in seq {
        // once every prefix has two tokens, the rest of the pattern cannot change them
        if acc.iter().all(|p| p.0 == 2) {
            break;
        }
        acc = concat(&acc, &first2_elem(e)?)?;
    }
    Some(acc)
}

fn concat(a: &[Prefix], b: &[Prefix]) -> Option<Vec<Prefix>> {
    if a == [(0, 0, 0)] {
        return Some(b.to_vec());
    }
    let mut out = Vec::new();
    for &x in a {
        if out.len() > 4 * MAX_PREFIXES {
            return None;
        }
        if x.0 == 2 {
            out.push(x);
            continue;
        }
        for &y in b {
            out.push(match (x.0, y.0) {
                (0, _) => y,
                (_, 0) => x,
                _ => (2, x.1, y.1),
            });
        }
    }
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_PREFIXES).then_some(out)
}

fn first2_elem(e: &Elem) -> Option<Vec<Prefix>> {
    let mut out = match e {
        // already sorted and without duplicates
        Elem::Tok(id) => return Some(vec![(1, *id, 0)]),
        Elem::Set(ids) => return Some(ids.iter().map(|&id| (1, id, 0)).collect()),
        Elem::Any | Elem::Suffix(_) => vec![(1, WILD, 0)],
        Elem::Gap(n) => {
            [(0, 0, 0), (1, WILD, 0), (2, WILD, WILD)][..(*n as usize + 1).min(3)].to_vec()
        }
        Elem::End => vec![(0, 0, 0)],
        Elem::Opt(x) => {
            let mut v = first2_elem(x)?;
            v.push((0, 0, 0));
            v
        }
        Elem::Star(x, min1) => {
            let one = first2_elem(x)?;
            let mut acc = one.clone();
            if !*min1 {
                acc.push((0, 0, 0));
            }
            loop {
                let mut next = concat(&acc, &one)?;
                next.extend_from_slice(&acc);
                next.sort_unstable();
                next.dedup();
                if next.len() == acc.len() {
                    break acc;
                }
                acc = next;
            }
        }
        Elem::Alt(alts) => {
            let mut v = Vec::new();
            for a in alts {
                v.extend(first2(a)?);
            }
            v
        }
        Elem::AltIx(ix) => {
            let mut v = Vec::new();
            for a in &ix.alts {
                v.extend(first2(a)?);
            }
            v
        }
    };
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_PREFIXES).then_some(out)
}

/// A prefix of at most three tokens: (length, tokens), [`WILD`] where any token fits and 0
/// past the length.
/// At most this many three-token prefixes per pattern (beyond that its third token is not
/// indexed: building the index stays cheap beside the first message).
const MAX_PREFIXES3: usize = 64;

pub(crate) type Prefix3 = (u8, [u32; 3]);

/// Every way the first three tokens of a match of `seq` can look (as [`first2`] does for
/// two): length 3 for a match of three or more tokens, less for a shorter one. A superset;
/// `None` when there would be too many.
pub(crate) fn first3(seq: &[Elem]) -> Option<Vec<Prefix3>> {
    let mut acc = vec![(0, [0; 3])];
    for e in seq {
        if acc.iter().all(|p| p.0 == 3) {
            break;
        }
        acc = concat3(&acc, &first3_elem(e)?)?;
    }
    Some(acc)
}

fn concat3(a: &[Prefix3], b: &[Prefix3]) -> Option<Vec<Prefix3>> {
    let mut out = Vec::with_capacity((a.len() * b.len()).min(4 * MAX_PREFIXES3 + 8));
    for &x in a {
        if out.len() > 4 * MAX_PREFIXES3 {
            return None;
        }
        if x.0 == 3 {
            out.push(x);
            continue;
        }
        for &y in b {
            let mut p = x;
            for &t in &y.1[..y.0 as usize] {
                if p.0 == 3 {
                    break;
                }
                p.1[p.0 as usize] = t;
                p.0 += 1;
            }
            out.push(p);
        }
    }
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_PREFIXES3).then_some(out)
}

fn first3_elem(e: &Elem) -> Option<Vec<Prefix3>> {
    const EMPTY: Prefix3 = (0, [0; 3]);
    let mut out = match e {
        Elem::Tok(id) => vec![(1, [*id, 0, 0])],
        Elem::Set(ids) if ids.len() > MAX_PREFIXES3 => return None,
        Elem::Set(ids) => ids.iter().map(|&id| (1, [id, 0, 0])).collect(),
        Elem::Any | Elem::Suffix(_) => vec![(1, [WILD, 0, 0])],
        Elem::Gap(n) => [
            EMPTY,
            (1, [WILD, 0, 0]),
            (2, [WILD, WILD, 0]),
            (3, [WILD, WILD, WILD]),
        ][..(*n as usize + 1).min(4)]
            .to_vec(),
        Elem::End => vec![EMPTY],
        Elem::Opt(x) => {
            let mut v = first3_elem(x)?;
            v.push(EMPTY);
            v
        }
        Elem::Star(x, min1) => {
            let one = first3_elem(x)?;
            let mut acc = one.clone();
            if !*min1 {
                acc.push(EMPTY);
            }
            loop {
                let mut next = concat3(&acc, &one)?;
                next.extend_from_slice(&acc);
                next.sort_unstable();
                next.dedup();
                if next.len() == acc.len() {
                    break acc;
                }
                acc = next;
            }
        }
        Elem::Alt(alts) => {
            let mut v = Vec::new();
            for a in alts {
                v.extend(first3(a)?);
                if v.len() > 4 * MAX_PREFIXES3 {
                    return None;
                }
            }
            v
        }
        Elem::AltIx(ix) => {
            let mut v = Vec::new();
            for a in &ix.alts {
                v.extend(first3(a)?);
                if v.len() > 4 * MAX_PREFIXES3 {
                    return None;
                }
            }
            v
        }
    };
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_PREFIXES3).then_some(out)
}

/// The token ids a pattern can start with, as a bitset over the vocabulary; `None` when
/// the pattern may start at any token (or match empty).
pub(crate) struct FirstSet(Option<Vec<u64>>);

impl FirstSet {
    /// A set that lets every token through.
    pub fn any() -> FirstSet {
        FirstSet(None)
    }

    pub fn new(seq: &[Elem], vocab_len: usize) -> FirstSet {
        let mut ids = Vec::new();
        if !first(seq, &mut ids) {
            return FirstSet(None);
        }
        let mut bits = vec![0u64; vocab_len.div_ceil(64).max(1)];
        for id in ids {
            let id = id as usize;
            if id / 64 >= bits.len() {
                bits.resize(id / 64 + 1, 0);
            }
            bits[id / 64] |= 1 << (id % 64);
        }
        FirstSet(Some(bits))
    }

    /// `false` only when no match can start at a token with this id.
    #[inline]
    pub fn may_start(&self, id: u32) -> bool {
        match &self.0 {
            None => true,
            Some(b) => {
                let i = id as usize;
                b.get(i / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1)
            }
        }
    }
}

/// The most tokens a match of `seq` can consume.
pub(crate) fn max_len(seq: &[Elem]) -> usize {
    seq.iter()
        .map(max_len_elem)
        .fold(0usize, |a, b| a.saturating_add(b))
}

fn max_len_elem(e: &Elem) -> usize {
    match e {
        Elem::Tok(_) | Elem::Set(_) | Elem::Any | Elem::Suffix(_) => 1,
        Elem::Alt(alts) => alts.iter().map(|a| max_len(a)).max().unwrap_or(0),
        Elem::AltIx(ix) => ix.alts.iter().map(|a| max_len(a)).max().unwrap_or(0),
        Elem::Opt(x) => max_len_elem(x),
        Elem::Star(x, _) => max_len_elem(x).saturating_mul(MAX_REPEAT),
        Elem::Gap(n) => *n as usize,
        Elem::End => 0,
    }
}

/// Matching over a token slice. `limit` is one past the last token a match may use.
pub(crate) struct M<'t, 'a> {
    pub toks: &'t [Tok<'a>],
    pub limit: usize,
}

const MAX_REPEAT: usize = 8;

enum Step {
    To(usize),
    Fail,
    Branch,
}

impl M<'_, '_> {
    /// First match of `seq` starting at `pos` (greedy, backtracking); returns its end.
    pub fn at(&self, seq: &[Elem], pos: usize) -> Option<usize> {
        let mut end = None;
        self.seq(seq, pos, &mut |p| {
            end = Some(p);
            true
        });
        end
    }

    /// A match of `seq` starting at `pos` that ends exactly at `end`.
    pub fn at_to(&self, seq: &[Elem], pos: usize, end: usize) -> bool {
        self.seq(seq, pos, &mut |p| p == end)
    }

    fn seq(&self, s: &[Elem], mut pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        // elements with at most one way to match are stepped over in a loop; a continuation
        // is built only for the first element that can backtrack
        let mut s = s;
        loop {
            let Some((e, rest)) = s.split_first() else {
                return k(pos);
            };
            match self.step(e, pos) {
                Step::To(p) => {
                    pos = p;
                    s = rest;
                }
                Step::Fail => return false,
                // the last element hands its ends straight to `k`: no closure around it
                Step::Branch if rest.is_empty() => return self.elem(e, pos, k),
                Step::Branch => return self.elem(e, pos, &mut |p| self.seq(rest, p, k)),
            }
        }
    }

    /// The outcome of a deterministic element at `pos` (same tests as [`M::elem`]).
    #[inline(always)]
    fn step(&self, e: &Elem, pos: usize) -> Step {
        let ok = match e {
            Elem::Tok(id) => self.tok_ok(pos) && self.toks[pos].id == *id,
            Elem::Set(ids) => self.tok_ok(pos) && ids.binary_search(&self.toks[pos].id).is_ok(),
            Elem::Any => self.tok_ok(pos) && self.toks[pos].word,
            Elem::Suffix(suf) => {
                self.tok_ok(pos)
                    && self.toks[pos].word
                    && self.toks[pos].text.len() > suf.len() + 1
                    && self.toks[pos].text.ends_with(suf.as_str())
            }
            Elem::End => {
                return if self.at_end(pos) {
                    Step::To(pos)
                } else {
                    Step::Fail
                };
            }
            _ => return Step::Branch,
        };
        if ok { Step::To(pos + 1) } else { Step::Fail }
    }

    /// `false` when one of the first four elements of `seq` is a token or set (after only
    /// such elements) that the token there is not: the same tests [`M::step`] makes before
    /// anything else runs, without the call.
    #[inline(always)]
    fn may_start(&self, seq: &[Elem], pos: usize) -> bool {
        for (p, e) in (pos..).zip(seq.iter().take(4)) {
            let ok = match e {
                Elem::Tok(id) => self.tok_ok(p) && self.toks[p].id == *id,
                Elem::Set(ids) => self.tok_ok(p) && ids.binary_search(&self.toks[p].id).is_ok(),
                _ => return true,
            };
            if !ok {
                return false;
            }
        }
        true
    }

    fn at_end(&self, pos: usize) -> bool {
        pos >= self.toks.len()
            || self.toks[pos].term
            || self.toks[pos].text == "\n"
            || (pos > 0 && self.toks[pos].sent != self.toks[pos - 1].sent)
    }

    #[inline(always)]
    fn tok_ok(&self, pos: usize) -> bool {
        pos < self.limit
    }

    fn elem(&self, e: &Elem, pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        match e {
            Elem::Tok(id) => self.tok_ok(pos) && self.toks[pos].id == *id && k(pos + 1),
            Elem::Set(ids) => {
                self.tok_ok(pos) && ids.binary_search(&self.toks[pos].id).is_ok() && k(pos + 1)
            }
            // an alternative whose first token does not fit fails before its continuation runs:
            // test that here rather than in a call
            Elem::Alt(alts) => alts
                .iter()
                .any(|a| self.may_start(a, pos) && self.seq(a, pos, k)),
            Elem::AltIx(ix) => {
                let hit: &[u16] = if self.tok_ok(pos) {
                    ix.by_first
                        .get(&self.toks[pos].id)
                        .map_or(&[], Vec::as_slice)
                } else {
                    &[]
                };
                // try candidates in pattern order (merge of two sorted lists)
                let (mut a, mut b) = (0, 0);
                while a < hit.len() || b < ix.wild.len() {
                    let i = if b >= ix.wild.len() || (a < hit.len() && hit[a] < ix.wild[b]) {
                        a += 1;
                        hit[a - 1]
                    } else {
                        b += 1;
                        ix.wild[b - 1]
                    };
                    let alt = &ix.alts[i as usize];
                    if self.may_start(alt, pos) && self.seq(alt, pos, k) {
                        return true;
                    }
                }
                false
            }
            Elem::Opt(x) => self.elem(x, pos, k) || k(pos),
            Elem::Star(x, min1) => self.star(x, pos, 0, *min1, k),
            Elem::Any => self.tok_ok(pos) && self.toks[pos].word && k(pos + 1),
            Elem::Suffix(suf) => {
                self.tok_ok(pos)
                    && self.toks[pos].word
                    && self.toks[pos].text.len() > suf.len() + 1
                    && self.toks[pos].text.ends_with(suf.as_str())
                    && k(pos + 1)
            }
            Elem::Gap(n) => {
                for p in pos..=pos + *n as usize {
                    if k(p) {
                        return true;
                    }
                    if !self.tok_ok(p) || self.toks[p].term {
                        return false;
                    }
                }
                false
            }
            Elem::End => self.at_end(pos) && k(pos),
        }
    }

    fn star(
        &self,
        x: &Elem,
        pos: usize,
        count: usize,
        min1: bool,
        k: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        if count < MAX_REPEAT
            && self.elem(x, pos, &mut |p| {
                p > pos && self.star(x, p, count + 1, min1, k)
            })
        {
            return true;
        }
        (count > 0 || !min1) && k(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-byte word scan ends where the byte-by-byte one does, at every start, for
    /// every byte value after a run of word bytes of every length below eight and beyond.
    #[test]
    fn word_end_is_the_byte_scan() {
        let scalar = |b: &[u8], i: usize| {
            b[i..]
                .iter()
                .position(|&c| !is_word_byte(c))
                .map_or(b.len(), |p| i + p)
        };
        for stop in 0..=255u8 {
            for run in 0..20 {
                let mut b: Vec<u8> = (0..run).map(|k| b"aZ09zA9m"[k % 8]).collect();
                b.push(stop);
                b.extend_from_slice(b"abc def");
                for i in 0..b.len() {
                    assert_eq!(word_end(&b, i), scalar(&b, i), "{b:?} from {i}");
                }
            }
        }
        for b in 0..=255u8 {
            let w = u64::from_le_bytes([b, b'a', b, b'9', b, b' ', b, b]);
            let lanes = word_lanes(w);
            for (k, &c) in w.to_le_bytes().iter().enumerate() {
                assert_eq!(lanes >> (8 * k + 7) & 1 == 1, is_word_byte(c), "{c}");
            }
        }
    }

    /// The hasher's tail word is the one a zero-padded copy gives (the vocabulary's hashes,
    /// hence its layout, are what they were before the copy was removed).
    #[test]
    fn fx_tail_word_is_the_padded_copy() {
        let bytes: Vec<u8> = (0..40u8)
            .map(|b| b.wrapping_mul(37).wrapping_add(11))
            .collect();
        for len in 0..bytes.len() {
            let b = &bytes[..len];
            let mut want = 0u64;
            for c in b.chunks(8) {
                let mut a = [0u8; 8];
                a[..c.len()].copy_from_slice(c);
                want = (want.rotate_left(5) ^ u64::from_le_bytes(a))
                    .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
            }
            let mut h = Fx::default();
            h.write(b);
            assert_eq!(h.finish(), want, "length {len}");
        }
    }

    /// The short-word table answers as the map does: for every word of the vocabulary (short
    /// or not, contractions included), for their prefixes and one-byte changes (mostly not
    /// words), and for every word of the corpora.
    #[test]
    fn short_words_are_found_as_in_the_map() {
        let v = &crate::rules::MATCHERS.vocab;
        let via_map = |w: &str| match v.map.get(w) {
            None => Err(UNKNOWN),
            Some(&x) if x & EXPAND != 0 => Ok(&v.exp[(x & !EXPAND) as usize].parts[..]),
            Some(&x) => Err(x),
        };
        let mut words: Vec<String> = Vec::new();
        for w in v.map.keys() {
            words.push(w.clone());
            for k in 1..w.len() {
                if let Some(p) = w.get(..k) {
                    words.push(p.to_string());
                }
            }
            let mut b = w.clone().into_bytes();
            b[0] = if b[0] == b'z' {
                b'a'
            } else {
                b[0].wrapping_add(1)
            };
            if let Ok(x) = String::from_utf8(b) {
                words.push(x);
            }
        }
        let corpus = [
            include_str!("../corpus/messages_a.txt"),
            include_str!("../corpus/messages_b.txt"),
            include_str!("../corpus/messages_c.txt"),
            include_str!("../bench/messages.txt"),
        ];
        for line in corpus.iter().flat_map(|c| c.lines()) {
            words.extend(line.to_lowercase().split_whitespace().map(str::to_string));
        }
        words.extend(["", "\0", "a\0b", "abcdefghi", "ab\u{e9}", "\u{1f600}"].map(String::from));
        let mut short = 0;
        for w in &words {
            assert_eq!(v.lookup(w), via_map(w), "{w:?}");
            if !w.is_empty() && !w.contains('\0') {
                // as the tokeniser reads it: with text after it (one load) and at the end
                let text = format!("x {w} and more text");
                assert_eq!(v.lookup_word(w, text.as_bytes(), 2), via_map(w), "{w:?}");
                assert_eq!(v.lookup_word(w, w.as_bytes(), 0), via_map(w), "{w:?}");
            }
            short += usize::from(short_key(w).is_some() && v.map.contains_key(w.as_str()));
        }
        assert!(short > 1000, "{short}");
    }
}
