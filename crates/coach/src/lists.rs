//! Rekindle's own feelings and needs vocabulary.
//!
//! Written for this project (not copied from any published list). Feelings are grouped by
//! whether they tend to show up when needs are met or not met; needs are grouped by theme.
//! The rewrite engine draws its suggested feeling/need and the alternatives it offers from
//! these groups, and the detector uses [`FAUX_FEELINGS`] to spot judgments dressed as feelings.

use serde::Serialize;

/// A named group of feeling words.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FeelingGroup {
    /// Short name of the group, e.g. `"sad"`.
    pub name: &'static str,
    /// `true` for feelings that come when needs are met, `false` when they are not.
    pub needs_met: bool,
    /// Words a partner can put after "I feel …".
    pub words: &'static [&'static str],
}

/// A named group of needs.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct NeedGroup {
    /// Theme of the group, e.g. `"connection"`.
    pub name: &'static str,
    /// Needs that fit after "I need …".
    pub words: &'static [&'static str],
}

/// A word that sounds like a feeling but mostly says what the other person did.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FauxFeeling {
    /// The word as people write it, e.g. `"ignored"`.
    pub word: &'static str,
    /// Feelings that often sit underneath it (first one is the default suggestion).
    pub feelings: &'static [&'static str],
    /// Needs that often sit underneath it (first one is the default suggestion).
    pub needs: &'static [&'static str],
}

/// Feelings, grouped. Groups with `needs_met: false` come first.
pub static FEELINGS: &[FeelingGroup] = &[
    FeelingGroup {
        name: "sad",
        needs_met: false,
        words: &[
            "sad",
            "down",
            "heavy-hearted",
            "disappointed",
            "discouraged",
            "heartbroken",
            "blue",
        ],
    },
    FeelingGroup {
        name: "lonely",
        needs_met: false,
        words: &["lonely", "distant", "disconnected", "homesick", "alone"],
    },
    FeelingGroup {
        name: "hurt",
        needs_met: false,
        words: &["hurt", "stung", "crushed", "shocked", "raw"],
    },
    FeelingGroup {
        name: "afraid",
        needs_met: false,
        words: &[
            "scared", "worried", "anxious", "nervous", "uneasy", "insecure", "afraid",
        ],
    },
    FeelingGroup {
        name: "angry",
        needs_met: false,
        words: &[
            "frustrated",
            "irritated",
            "annoyed",
            "angry",
            "resentful",
            "fed up",
        ],
    },
    FeelingGroup {
        name: "tired",
        needs_met: false,
        words: &[
            "overwhelmed",
            "exhausted",
            "worn out",
            "drained",
            "stretched thin",
            "tired",
        ],
    },
    FeelingGroup {
        name: "confused",
        needs_met: false,
        words: &["confused", "torn", "unsure", "puzzled"],
    },
    FeelingGroup {
        name: "tense",
        needs_met: false,
        words: &["tense", "on edge", "stressed", "restless", "jittery"],
    },
    FeelingGroup {
        name: "ashamed",
        needs_met: false,
        words: &["embarrassed", "ashamed", "self-conscious", "guilty"],
    },
    FeelingGroup {
        name: "warm",
        needs_met: true,
        words: &[
            "grateful",
            "touched",
            "tender",
            "moved",
            "close to you",
            "warm",
        ],
    },
    FeelingGroup {
        name: "happy",
        needs_met: true,
        words: &["happy", "glad", "joyful", "delighted", "cheerful"],
    },
    FeelingGroup {
        name: "calm",
        needs_met: true,
        words: &[
            "calm", "relieved", "relaxed", "at ease", "peaceful", "content",
        ],
    },
    FeelingGroup {
        name: "hopeful",
        needs_met: true,
        words: &["hopeful", "encouraged", "optimistic", "excited", "eager"],
    },
    FeelingGroup {
        name: "safe",
        needs_met: true,
        words: &["safe", "secure", "confident", "steady"],
    },
];

/// Needs, grouped by theme.
pub static NEEDS: &[NeedGroup] = &[
    NeedGroup {
        name: "connection",
        words: &[
            "connection",
            "closeness",
            "time together",
            "attention",
            "warmth",
            "affection",
        ],
    },
    NeedGroup {
        name: "being understood",
        words: &[
            "to be heard",
            "understanding",
            "to be seen",
            "empathy",
            "acknowledgement",
        ],
    },
    NeedGroup {
        name: "partnership",
        words: &[
            "support",
            "teamwork",
            "shared effort",
            "help",
            "fairness",
            "balance",
        ],
    },
    NeedGroup {
        name: "reliability",
        words: &[
            "reliability",
            "predictability",
            "follow-through",
            "consideration",
            "clarity",
        ],
    },
    NeedGroup {
        name: "trust",
        words: &[
            "trust",
            "honesty",
            "reassurance",
            "openness",
            "transparency",
        ],
    },
    NeedGroup {
        name: "respect",
        words: &[
            "respect",
            "kindness",
            "appreciation",
            "acceptance",
            "equality",
            "dignity",
            "care",
        ],
    },
    NeedGroup {
        name: "security",
        words: &["security", "stability", "safety", "peace of mind"],
    },
    NeedGroup {
        name: "rest",
        words: &["rest", "ease", "space", "a pause", "calm"],
    },
    NeedGroup {
        name: "autonomy",
        words: &["a say", "freedom", "independence", "room to decide"],
    },
    NeedGroup {
        name: "order",
        words: &["order", "ease at home", "a shared plan", "structure"],
    },
    NeedGroup {
        name: "play",
        words: &["fun", "lightness", "playfulness", "adventure"],
    },
];

/// Judgments dressed as feelings, with what often sits underneath.
pub static FAUX_FEELINGS: &[FauxFeeling] = &[
    FauxFeeling {
        word: "abandoned",
        feelings: &["scared", "lonely", "sad"],
        needs: &["reassurance", "closeness", "reliability"],
    },
    FauxFeeling {
        word: "attacked",
        feelings: &["scared", "hurt", "tense"],
        needs: &["safety", "kindness", "respect"],
    },
    FauxFeeling {
        word: "belittled",
        feelings: &["hurt", "embarrassed", "angry"],
        needs: &["respect", "appreciation", "dignity"],
    },
    FauxFeeling {
        word: "betrayed",
        feelings: &["hurt", "shocked", "heartbroken"],
        needs: &["trust", "honesty", "reliability"],
    },
    FauxFeeling {
        word: "blamed",
        feelings: &["hurt", "frustrated", "tense"],
        needs: &["understanding", "fairness", "acknowledgement"],
    },
    FauxFeeling {
        word: "criticized",
        feelings: &["hurt", "discouraged", "tense"],
        needs: &["appreciation", "acceptance", "kindness"],
    },
    FauxFeeling {
        word: "disrespected",
        feelings: &["hurt", "angry", "sad"],
        needs: &["respect", "consideration", "dignity"],
    },
    FauxFeeling {
        word: "dismissed",
        feelings: &["hurt", "frustrated", "lonely"],
        needs: &["to be heard", "understanding", "respect"],
    },
    FauxFeeling {
        word: "ignored",
        feelings: &["lonely", "hurt", "sad"],
        needs: &["attention", "connection", "to be seen"],
    },
    FauxFeeling {
        word: "insulted",
        feelings: &["hurt", "angry", "embarrassed"],
        needs: &["respect", "kindness", "dignity"],
    },
    FauxFeeling {
        word: "invalidated",
        feelings: &["hurt", "frustrated", "discouraged"],
        needs: &["acknowledgement", "understanding", "to be heard"],
    },
    FauxFeeling {
        word: "invisible",
        feelings: &["lonely", "sad", "hurt"],
        needs: &["to be seen", "attention", "connection"],
    },
    FauxFeeling {
        word: "judged",
        feelings: &["hurt", "embarrassed", "tense"],
        needs: &["acceptance", "understanding", "kindness"],
    },
    FauxFeeling {
        word: "let down",
        feelings: &["disappointed", "sad", "hurt"],
        needs: &["reliability", "follow-through", "trust"],
    },
    FauxFeeling {
        word: "manipulated",
        feelings: &["uneasy", "confused", "angry"],
        needs: &["honesty", "a say", "transparency"],
    },
    FauxFeeling {
        word: "misunderstood",
        feelings: &["frustrated", "lonely", "sad"],
        needs: &["understanding", "to be heard", "clarity"],
    },
    FauxFeeling {
        word: "neglected",
        feelings: &["lonely", "sad", "hurt"],
        needs: &["attention", "care", "connection"],
    },
    FauxFeeling {
        word: "patronized",
        feelings: &["irritated", "embarrassed", "frustrated"],
        needs: &["respect", "equality", "dignity"],
    },
    FauxFeeling {
        word: "pressured",
        feelings: &["tense", "anxious", "overwhelmed"],
        needs: &["a say", "space", "ease"],
    },
    FauxFeeling {
        word: "rejected",
        feelings: &["hurt", "sad", "insecure"],
        needs: &["acceptance", "closeness", "reassurance"],
    },
    FauxFeeling {
        word: "taken for granted",
        feelings: &["sad", "tired", "resentful"],
        needs: &["appreciation", "acknowledgement", "fairness"],
    },
    FauxFeeling {
        word: "unappreciated",
        feelings: &["sad", "discouraged", "tired"],
        needs: &["appreciation", "acknowledgement", "fairness"],
    },
    FauxFeeling {
        word: "unheard",
        feelings: &["frustrated", "lonely", "sad"],
        needs: &["to be heard", "understanding", "attention"],
    },
    FauxFeeling {
        word: "unloved",
        feelings: &["sad", "lonely", "insecure"],
        needs: &["affection", "reassurance", "closeness"],
    },
    FauxFeeling {
        word: "unsupported",
        feelings: &["overwhelmed", "lonely", "tired"],
        needs: &["support", "teamwork", "help"],
    },
    FauxFeeling {
        word: "used",
        feelings: &["hurt", "angry", "sad"],
        needs: &["fairness", "respect", "care"],
    },
];

/// Feelings that pair naturally with "I feel …" in a rewrite, as a flat list.
pub fn all_feelings() -> impl Iterator<Item = &'static str> {
    FEELINGS.iter().flat_map(|g| g.words.iter().copied())
}

/// Needs as a flat list.
pub fn all_needs() -> impl Iterator<Item = &'static str> {
    NEEDS.iter().flat_map(|g| g.words.iter().copied())
}

/// The group a feeling word belongs to (first match).
pub fn feeling_group(word: &str) -> Option<&'static FeelingGroup> {
    FEELINGS.iter().find(|g| g.words.contains(&word))
}

/// The group a need belongs to (first match).
pub fn need_group(word: &str) -> Option<&'static NeedGroup> {
    NEEDS.iter().find(|g| g.words.contains(&word))
}

/// Look up a faux feeling by its word (also accepts British spellings of -ized words).
pub fn faux(word: &str) -> Option<&'static FauxFeeling> {
    let w = word.trim();
    FAUX_FEELINGS.iter().find(|f| {
        f.word == w
            || (f.word.ends_with("ized")
                && w.ends_with("ised")
                && f.word[..f.word.len() - 4] == w[..w.len() - 4])
    })
}
