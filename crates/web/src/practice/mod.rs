//! Starting alone: what a person can do before their partner joins (or if they
//! never do). A practice page for step 3's listening skill — say back a few
//! written sample statements, with the coach's paraphrase scaffold — and a short
//! guide to each of the seven steps. Nothing here is stored: practice answers
//! are read, commented on and forgotten.

pub mod page;

/// A written sample statement to practise paraphrasing, with the feeling and
/// the need a good paraphrase would catch (any of the words counts).
pub struct Sample {
    pub text: &'static str,
    pub feeling: &'static str,
    pub feeling_words: &'static [&'static str],
    pub need: &'static str,
    pub need_words: &'static [&'static str],
}

pub const SAMPLES: [Sample; 4] = [
    Sample {
        text: "I felt hurt when our plans changed at the last minute. I had been looking forward to our evening all week.",
        feeling: "hurt",
        feeling_words: &["hurt", "disappointed", "let down", "sad", "upset"],
        need: "looking forward to time together",
        need_words: &[
            "looking forward",
            "evening",
            "time together",
            "plans",
            "counting on",
        ],
    },
    Sample {
        text: "When the dishes pile up after a long day I get tired and overwhelmed. I need us to share the housework more.",
        feeling: "tired and overwhelmed",
        feeling_words: &["tired", "overwhelmed", "exhausted", "worn out", "stressed"],
        need: "sharing the housework",
        need_words: &["share", "help", "housework", "dishes", "together", "team"],
    },
    Sample {
        text: "I've been feeling lonely lately. I miss the walks we used to take together on Sundays.",
        feeling: "lonely",
        feeling_words: &["lonely", "alone", "miss", "disconnected", "sad"],
        need: "closeness, time together",
        need_words: &["walk", "together", "close", "time with", "connection"],
    },
    Sample {
        text: "I was proud of my presentation today and I wanted to tell someone who would be glad with me.",
        feeling: "proud",
        feeling_words: &["proud", "happy", "glad", "pleased", "excited"],
        need: "sharing it with someone who cares",
        need_words: &[
            "share",
            "tell",
            "someone",
            "glad with",
            "celebrate",
            "cares",
        ],
    },
];

/// What the practice page says back about a paraphrase: which parts it
/// caught, and the coach's problem findings (a paraphrase should not argue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub caught_feeling: bool,
    pub caught_need: bool,
    pub asks_back: bool,
    /// (quoted words, explanation) for each of the coach's problem findings.
    pub coach: Vec<(String, String)>,
}

pub const MAX_PRACTICE_CHARS: usize = 2000;

pub fn sample(i: usize) -> Option<&'static Sample> {
    SAMPLES.get(i)
}

/// Reads a practice paraphrase of `sample`. Nothing is stored.
pub fn feedback(sample: &Sample, paraphrase: &str) -> Feedback {
    let lower = paraphrase.to_lowercase();
    let chars: Vec<char> = paraphrase.chars().collect();
    Feedback {
        caught_feeling: sample.feeling_words.iter().any(|w| lower.contains(w)),
        caught_need: sample.need_words.iter().any(|w| lower.contains(w)),
        asks_back: lower.trim_end().ends_with('?')
            || lower.contains("is that right")
            || lower.contains("did i get"),
        coach: rekindle_coach::findings(paraphrase)
            .into_iter()
            .filter(|f| f.kind.is_problem())
            .map(|f| {
                (
                    chars
                        .get(f.start..f.end.min(chars.len()))
                        .map(|c| c.iter().collect())
                        .unwrap_or_default(),
                    f.explanation.to_string(),
                )
            })
            .collect(),
    }
}

/// What each step offers someone on their own, before the partner joins.
pub fn alone_note(step: u8) -> &'static str {
    match step {
        1 => {
            "On your own: think about when and where you two talk best, and which ground rules would help you feel safe. Talks open when your partner joins."
        }
        2 => {
            "On your own: keep a private journal. You decide later, entry by entry, what to share. Questions for two open when your partner joins."
        }
        3 => {
            "On your own: practise saying back what someone said, on sample statements, until it feels natural."
        }
        4 => {
            "On your own: the language coach reads along in every text box and suggests I-statements. Try it in your journal."
        }
        5 => {
            "On your own: note a small problem you would like to solve together, in your journal. The board opens when your partner joins."
        }
        6 => {
            "On your own: think of one small thing you could do this week. The shared plan opens when your partner joins."
        }
        _ => {
            "On your own: note what you appreciate about your partner as private drafts. Check-ins open when your partner joins."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paraphrase_that_catches_feeling_and_need_says_so() {
        let s = sample(0).unwrap();
        let f = feedback(
            s,
            "It sounds like you felt let down because you were looking forward to our evening. Is that right?",
        );
        assert!(f.caught_feeling && f.caught_need && f.asks_back);
        assert!(f.coach.is_empty(), "{:?}", f.coach);
    }

    #[test]
    fn an_arguing_paraphrase_misses_the_feeling_and_the_coach_notices() {
        let s = sample(0).unwrap();
        let f = feedback(s, "You always overreact when I change anything.");
        assert!(!f.caught_feeling);
        assert!(!f.asks_back);
        assert!(!f.coach.is_empty());
    }

    #[test]
    fn every_sample_has_words_to_catch_and_a_scaffold() {
        for s in &SAMPLES {
            assert!(!s.feeling_words.is_empty() && !s.need_words.is_empty());
            assert!(!rekindle_coach::paraphrase(s.text).is_empty());
        }
        assert!(sample(SAMPLES.len()).is_none());
        for n in 1..=7 {
            assert!(alone_note(n).starts_with("On your own"));
        }
    }
}
