//! Words that may signal danger to the writer or to someone else (self-harm,
//! threats of violence). A `safety` finding is for the writer alone: the app
//! answers it with a private card of crisis resources, never with a note to the
//! partner, and it never triggers a rewrite.
//!
//! Matching is on lowercased, apostrophe-normalised text with word boundaries;
//! a negation just before the phrase ("I would never hurt you", "I don't want to
//! die") vetoes it. Precision matters, but here a miss costs more than a false
//! alarm, so the lists lean towards catching plain statements.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::{Finding, Kind, Severity};

const SELF_HARM: &[&str] = &[
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "want to die",
    "wanna die",
    "wish i was dead",
    "wish i were dead",
    "better off dead",
    "better off without me",
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "cut myself",
    "cutting myself",
    "suicide",
    "suicidal",
    "no reason to live",
    "nothing to live for",
    "want to be alive",
    "end it all",
    "not be here anymore",
    "disappear forever",
];

const VIOLENCE: &[&str] = &[
    "i will kill you",
    "i'll kill you",
    "i am going to kill you",
    "i'm going to kill you",
    "gonna kill you",
    "i will hurt you",
    "i'll hurt you",
    "i am going to hurt you",
    "i'm going to hurt you",
    "gonna hurt you",
    "i will hit you",
    "i'll hit you",
    "i'm going to hit you",
    "i will break your",
    "i'll break your",
    "i'll make you pay",
    "i will make you pay",
    "you'll regret it",
    "you will regret it",
    "i'll destroy you",
    "hit me",
    "hits me",
    "hurt me again",
    "threatened me",
    "threatens me",
    "choked me",
    "chokes me",
    "afraid of you",
    "scared of you",
    "afraid for my life",
];

const NEGATIONS: &[&str] = &[
    "not",
    "never",
    "don't",
    "do not",
    "dont",
    "wouldn't",
    "would not",
    "won't",
    "no longer",
];

/// Idioms that contain a phrase but mean no harm.
const IDIOMS: &[&str] = &[
    "killing myself laughing",
    "kill myself laughing",
    "hit me up",
    "hit me with",
    "it hit me",
    "hits me up",
];

const EXPLAIN_SELF: &str = "It sounds like you may be going through something very hard. You deserve support right now: help is one tap away, just for you.";
const EXPLAIN_OTHERS: &str = "Words about hurting or fearing someone matter. If anyone is in danger, help is one tap away, just for you.";

/// Lowercased text (char by char, so every output char comes from exactly one input char).
fn normalise(text: &str) -> String {
    if text.is_ascii() {
        let low = crate::norm::ascii_lower(text);
        return if low.contains('`') {
            low.replace('`', "'")
        } else {
            low
        };
    }
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // ASCII bytes (most of any message) without decoding a char: what `fold` gives,
        // without the Unicode case tables
        let c = b[i];
        if c < 0x80 {
            out.push(if c == b'`' {
                '\''
            } else {
                c.to_ascii_lowercase() as char
            });
            i += 1;
            continue;
        }
        let Some(ch) = text[i..].chars().next() else {
            break;
        };
        out.push(fold(ch));
        i += ch.len_utf8();
    }
    out
}

fn fold(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '`' => '\'',
        c if c.is_uppercase() => c.to_lowercase().next().unwrap_or(c),
        c => c,
    }
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '\'')
}

/// One of the negations among the (at most) three words just before byte `at`.
fn negated(low: &str, at: usize) -> bool {
    // the last three words of `low[..at]` (a word = alphanumerics and apostrophes), bounded scan
    let mut words: Vec<&str> = Vec::with_capacity(3);
    let head = &low[..at];
    let mut end: Option<usize> = None;
    for (i, c) in head.char_indices().rev() {
        let w = c.is_alphanumeric() || c == '\'';
        match (w, end) {
            (true, None) => end = Some(i + c.len_utf8()),
            (false, Some(e)) => {
                words.push(&head[i + c.len_utf8()..e]);
                end = None;
                if words.len() == 3 {
                    break;
                }
            }
            _ => {}
        }
    }
    if let (Some(e), true) = (end, words.len() < 3) {
        words.push(&head[..e]);
    }
    words.reverse();
    let tail = words.join(" ");
    NEGATIONS
        .iter()
        .any(|n| tail.split(' ').any(|w| w == *n) || tail.ends_with(n))
}

/// Four-byte pieces of the phrases, at least one in every phrase of both lists
/// (`tests::every_phrase_holds_a_key`): a text holding none of them holds no phrase. For
/// each phrase the piece rarest in the own corpus (`corpus/messages_*.txt`) was taken, so
/// that few messages hold one (the choice only changes the speed, never a finding).
const KEYS: &[&str] = &[
    "kill", " lif", " die", "as d", "dead", "f wi", "rt m", "rtin", "arm ", "armi", "cut ", "cutt",
    "icid", "live", "it a", "ot b", "orev", "i wi", "ll h", "am g", "m go", "a hu", "ak y", "u pa",
    " reg", " des", "hit ", "hits", "aten", "chok", "id o", "ared",
];

/// Bits of [`key_slot`] of four bytes; set for the [`KEYS`] (4 KiB).
static KEY_BITS: LazyLock<Box<[u64; 512]>> = LazyLock::new(|| {
    let mut bits = Box::new([0u64; 512]);
    for k in KEYS {
        let b: [u8; 4] = k.as_bytes().try_into().expect("four bytes");
        let h = key_slot(u32::from_be_bytes(b));
        bits[h / 64] |= 1 << (h % 64);
    }
    bits
});

/// A 15-bit slot for four bytes (as one big-endian integer).
#[inline(always)]
fn key_slot(w: u32) -> usize {
    (w.wrapping_mul(0x9E37_79B1) >> 17) as usize
}

/// `false` when `low` holds none of the [`KEYS`], hence no phrase: one multiply and one bit
/// test a byte, where the phrase automaton's scan took ≈ 16 instructions a byte (most
/// messages hold no phrase, and every message is scanned). `true` may be a slot shared by
/// another four bytes: then the automaton decides.
fn may_hold_phrase(low: &[u8]) -> bool {
    let bits = &*KEY_BITS;
    let Some((head, rest)) = low.split_first_chunk::<3>() else {
        return false;
    };
    let mut w = u32::from_be_bytes([0, head[0], head[1], head[2]]);
    for &b in rest {
        w = (w << 8) | b as u32;
        let h = key_slot(w);
        if bits[h / 64] >> (h % 64) & 1 != 0 {
            return true;
        }
    }
    false
}

/// No phrase in `low` at all (the first step of every scan).
fn holds_no_phrase(low: &str) -> bool {
    !may_hold_phrase(low.as_bytes()) || !PHRASES.0.is_match(low)
}

/// Every phrase of both lists, self-harm first, in list order (the pattern id is the rank).
static PHRASES: LazyLock<(AhoCorasick, usize)> = LazyLock::new(|| {
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        // every message is scanned: a DFA scans ~3x faster than a contiguous NFA for about
        // 0.3 ms more build time
        .kind(Some(AhoCorasickKind::DFA))
        .build(SELF_HARM.iter().chain(VIOLENCE.iter()))
        .expect("safety phrases compile");
    (ac, SELF_HARM.len())
});

/// Build the phrase matcher now (part of [`crate::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&PHRASES);
    LazyLock::force(&KEY_BITS);
}

/// Safety findings in `text`, with char and byte spans.
pub fn findings(text: &str) -> Vec<Finding> {
    scan(text, &normalise(text))
}

/// [`findings`], given `lower`: `text` lowercased ASCII-wise, as the analysis has it already
/// ([`crate::norm::Norm`] of an ASCII text). For an ASCII text without a backtick that is
/// what [`normalise`] gives, so it is not worked out a second time.
///
/// For other text `lower` is [`crate::norm::Norm`]'s text, which differs from [`normalise`]'s
/// but still rules most messages out: a phrase (all ASCII) in the scan's text is in `lower`
/// too, char for char, unless the text holds a char that only the scan turns into ASCII (see
/// [`folds_to_ascii_apart`]). So when `lower` holds no phrase, neither does the scan's text,
/// and the char-by-char lowercasing of the whole message is skipped (29 % of the benchmark's
/// lines are not ASCII, mostly for a typographic apostrophe).
pub(crate) fn findings_lowered(text: &str, lower: &str) -> Vec<Finding> {
    if text.is_ascii() && lower.len() == text.len() && !lower.contains('`') {
        debug_assert_eq!(normalise(text), lower);
        scan(text, lower)
    } else if !folds_to_ascii_apart(text) && holds_no_phrase(lower) {
        debug_assert!(findings(text).is_empty(), "{text:?}");
        Vec::new()
    } else {
        findings(text)
    }
}

/// `true` when `text` may hold a char that [`normalise`] turns into an ASCII char other than
/// the one [`crate::norm::Norm`] gives: the backtick (the scan's apostrophe, `Norm` keeps it)
/// and the two uppercase letters outside ASCII whose lowercase starts with an ASCII letter,
/// KELVIN SIGN (to `k`, bytes E2 84 AA) and I WITH DOT ABOVE (to `i`, bytes C4 B0);
/// `tests::only_known_chars_fold_to_ascii_apart` checks every char. Tested by a byte of each
/// (0xAA and 0xC4 also occur in other chars: those texts merely take the full scan).
fn folds_to_ascii_apart(text: &str) -> bool {
    text.bytes().any(|b| matches!(b, b'`' | 0xAA | 0xC4))
}

/// The findings, with `low` = `normalise(text)`.
fn scan(text: &str, low: &str) -> Vec<Finding> {
    let (ac, n_self) = &*PHRASES;
    // the plain search finds a match exactly when the overlapping one finds any, and it runs
    // the DFA's faster loop; the keys' test before it is faster still: most messages stop here
    if holds_no_phrase(low) {
        return Vec::new();
    }
    // every occurrence of every phrase, in the order the lists are checked: by phrase, then position
    let mut cands: Vec<(usize, usize, usize)> = ac
        .find_overlapping_iter(low)
        .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
        .collect();
    if cands.is_empty() {
        return Vec::new();
    }
    cands.sort_unstable();
    // char offset of every byte of `low`, and byte offset in `text` of every char
    let mut char_of_byte = Vec::with_capacity(low.len() + 1);
    for (ci, c) in low.chars().enumerate() {
        char_of_byte.extend(std::iter::repeat_n(ci, c.len_utf8()));
    }
    char_of_byte.push(text.chars().count());
    let byte_of_char: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let mut out: Vec<Finding> = Vec::new();
    for (pid, s, e) in cands {
        let explanation = if pid < *n_self {
            EXPLAIN_SELF
        } else {
            EXPLAIN_OTHERS
        };
        if is_word(low[..s].chars().next_back()) || is_word(low[e..].chars().next()) {
            continue;
        }
        if negated(low, s)
            || IDIOMS.iter().any(|idiom| {
                low.get(s.saturating_sub(12)..)
                    .is_some_and(|t| t.starts_with(idiom))
                    || low[s..].starts_with(idiom)
            })
        {
            continue;
        }
        let (start, end) = (char_of_byte[s], char_of_byte[e]);
        if out.iter().any(|f| f.start < end && start < f.end) {
            continue;
        }
        out.push(Finding {
            kind: Kind::Safety,
            start,
            end,
            byte_start: byte_of_char[start],
            byte_end: byte_of_char[end],
            severity: Severity::High,
            explanation: Cow::Borrowed(explanation),
        });
    }
    out.sort_by_key(|f| f.start);
    out
}

#[cfg(test)]
mod tests {
    use super::{findings, fold, normalise};

    /// The ASCII shortcut in `normalise` gives what `fold` gives, on every ASCII char.
    #[test]
    fn ascii_shortcut_is_fold() {
        for b in 0u8..128 {
            let c = char::from(b);
            if c != '`' {
                assert_eq!(c.to_ascii_lowercase(), fold(c), "{b}");
            }
        }
        let mixed = "You\u{2019}re `HURT` \u{00C9}T\u{00C9} Ok";
        let want: String = mixed.chars().map(fold).collect();
        assert_eq!(normalise(mixed), want);
    }

    /// The analysis hands the scan its normalised text: the findings (spans included) are
    /// those of the scan's own lowercasing, for ASCII, backticks and non-ASCII text alike.
    #[test]
    fn lowered_text_gives_the_same_findings() {
        let mut n = 0;
        for t in [
            "I want to DIE",
            "If you leave I'll KILL you. I'm scared of you.",
            "I `want` to die",
            "Ich will sterben \u{00C9}T\u{00C9}: I WANT TO DIE, he hit me",
            "I\u{2019}m going to kill myself",
            "I don't want to die",
            "You never listen",
            "",
        ] {
            let lower = crate::norm::Norm::new(t).text;
            let want = findings(t);
            n += want.len();
            assert_eq!(super::findings_lowered(t, &lower), want, "{t}");
        }
        assert!(n >= 5, "the inputs carry findings ({n})");
    }

    /// Every phrase holds one of the keys, so the key test never rules out a phrase; the
    /// test finds each key at any place in a text, and finds none in texts without one.
    #[test]
    fn every_phrase_holds_a_key() {
        for p in super::SELF_HARM.iter().chain(super::VIOLENCE) {
            assert!(super::KEYS.iter().any(|k| p.contains(k)), "{p}");
        }
        for k in super::KEYS {
            for pre in ["", "a", "ab", "abc", "abcdefgh"] {
                for post in ["", "x", "xyz"] {
                    let t = format!("{pre}{k}{post}");
                    assert!(super::may_hold_phrase(t.as_bytes()), "{t:?}");
                }
            }
        }
        assert!(!super::may_hold_phrase(b"abc"));
        assert!(!super::may_hold_phrase(b""));
        let clean = "i love you and the dishes can wait until tomorrow morning";
        assert!(!super::may_hold_phrase(clean.as_bytes()));
    }

    /// The chars for which the scan's lowercasing gives an ASCII char that `Norm` does not
    /// give are the ones `folds_to_ascii_apart` looks for (every char checked).
    #[test]
    fn only_known_chars_fold_to_ascii_apart() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let ours = fold(c);
            if !ours.is_ascii() {
                continue;
            }
            let norm = crate::norm::Norm::new(c.encode_utf8(&mut [0; 4])).text;
            if norm != ours.to_string() {
                assert!(
                    super::folds_to_ascii_apart(&c.to_string()),
                    "{c:?} -> {ours:?}"
                );
            }
        }
        for c in ['\u{212A}', '\u{0130}', '`'] {
            assert!(super::folds_to_ascii_apart(&c.to_string()), "{c:?}");
        }
    }

    /// Non-ASCII text without a phrase in `Norm`'s text takes the shortcut; with one (or with
    /// a char the shortcut cannot vouch for) the full scan, which still finds it.
    #[test]
    fn non_ascii_text_is_ruled_out_by_the_normalised_text() {
        for (t, want) in [
            ("I\u{2019}m fine, caf\u{00E9} later", 0),
            ("I\u{2019}m going to \u{212A}ILL MYSELF", 1),
            ("\u{0130} want to die", 1),
            ("\u{00C9}T\u{00C9}: I WANT TO DIE", 1),
            ("I\u{2019}ll hurt you \u{2014} I\u{2019}m scared of you", 2),
        ] {
            let lower = crate::norm::Norm::new(t).text;
            let got = super::findings_lowered(t, &lower);
            assert_eq!(got, findings(t), "{t}");
            assert_eq!(got.len(), want, "{t}");
        }
    }

    fn flagged(t: &str) -> bool {
        !findings(t).is_empty()
    }

    #[test]
    fn plain_statements_of_danger_are_caught() {
        for t in [
            "Sometimes I think everyone would be better off without me",
            "I want to die",
            "I've been thinking about suicide",
            "If you leave I'll kill you",
            "He hit me again last night",
            "I'm scared of you when you drink",
            "I just want to END IT ALL",
        ] {
            assert!(flagged(t), "{t}");
        }
    }

    #[test]
    fn negations_and_idioms_are_not() {
        for t in [
            "I would never hurt you",
            "I don't want to die without seeing Rome",
            "I was killing myself laughing at your joke",
            "Hit me up when you're free",
            "This film is about a suicide squad of cats",
        ] {
            let f = findings(t);
            // The film line is a known over-catch: a miss costs more than a false alarm here.
            if t.contains("film") {
                continue;
            }
            assert!(f.is_empty(), "{t}: {f:?}");
        }
    }

    #[test]
    fn multibyte_text_before_an_idiom_window_does_not_panic() {
        let f = findings("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9} hit me");
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].start, f[0].end), (8, 14));
    }

    #[test]
    fn spans_are_char_offsets_into_the_input() {
        let t = "Ça va? I’ll hurt you.";
        let f = findings(t);
        assert_eq!(f.len(), 1);
        let words: String = t
            .chars()
            .skip(f[0].start)
            .take(f[0].end - f[0].start)
            .collect();
        assert_eq!(words, "I’ll hurt you");
        assert_eq!(&t[f[0].byte_start..f[0].byte_end], "I’ll hurt you");
    }
}
