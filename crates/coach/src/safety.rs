//! Words that may signal danger to the writer or to someone else (self-harm,
//! threats of violence). A `safety` finding is for the writer alone: the app
//! answers it with a private card of crisis resources, never with a note to the
//! partner, and it never triggers a rewrite.
//!
//! Matching is on lowercased, apostrophe-normalised text with word boundaries;
//! a negation just before the phrase ("I would never hurt you", "I don't want to
//! die") vetoes it. Precision matters, but here a miss costs more than a false
//! alarm, so the lists lean towards catching plain statements.

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

fn normalise(text: &str) -> (String, Vec<usize>) {
    // Lowercase char by char so offsets map back one-to-one to the input's chars.
    let mut out = String::with_capacity(text.len());
    let mut char_of_byte = Vec::with_capacity(text.len());
    for (ci, c) in text.chars().enumerate() {
        let c = match c {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            c if c.is_uppercase() => c.to_lowercase().next().unwrap_or(c),
            c => c,
        };
        let before = out.len();
        out.push(c);
        char_of_byte.extend(std::iter::repeat_n(ci, out.len() - before));
    }
    char_of_byte.push(text.chars().count());
    (out, char_of_byte)
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '\'')
}

fn negated(low: &str, at: usize) -> bool {
    let head = &low[..at];
    let words: Vec<&str> = head
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let tail = words
        .iter()
        .rev()
        .take(3)
        .rev()
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    NEGATIONS
        .iter()
        .any(|n| tail.split(' ').any(|w| w == *n) || tail.ends_with(n))
}

/// Safety findings in `text`, with char and byte spans.
pub fn findings(text: &str) -> Vec<Finding> {
    let (low, char_of_byte) = normalise(text);
    let byte_of_char: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let mut out: Vec<Finding> = Vec::new();
    for (list, explanation) in [(SELF_HARM, EXPLAIN_SELF), (VIOLENCE, EXPLAIN_OTHERS)] {
        for phrase in list {
            let mut from = 0;
            while let Some(i) = low[from..].find(phrase) {
                let s = from + i;
                let e = s + phrase.len();
                from = s + 1;
                if is_word(low[..s].chars().next_back()) || is_word(low[e..].chars().next()) {
                    continue;
                }
                if negated(&low, s)
                    || IDIOMS.iter().any(|idiom| {
                        low[s.saturating_sub(12)..].starts_with(idiom)
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
                    explanation: explanation.to_owned(),
                });
            }
        }
    }
    out.sort_by_key(|f| f.start);
    out
}

#[cfg(test)]
mod tests {
    use super::findings;

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
