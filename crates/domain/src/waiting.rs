//! "Waiting for you": what needs *this* person because their partner acted.
//!
//! Items are derived from the state of each tool every time they are read (one
//! query in storage), so they cannot go stale: an item disappears the moment the
//! person does what it asks, the partner leaves, or the space is paused. Only
//! the things a partner *shared* (journal entries, talk reflections) need a
//! memory of what the person already opened ("seen").
//!
//! An item names the partner and the kind of thing, never what anybody wrote,
//! and nothing about safety checks is ever an item.

use serde::Serialize;

/// How long a shared entry, reflection or answered question keeps waiting
/// before it quietly drops off the list (it stays in its tool).
pub const FRESH_FOR_MS: i64 = 14 * 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitingKind {
    /// The partner answered a question you have not.
    Question,
    /// The partner put a problem on the board for the two of you.
    ProblemProposed,
    /// The partner finished their ideas; yours are missing.
    Ideas,
    /// The partner rated the ideas; your ratings are missing.
    Ratings,
    /// The partner answered how an agreement went; your answer is missing.
    FollowUp,
    /// An agreement the partner wrote awaits your yes.
    Agreement,
    /// An action the partner planned awaits your yes.
    Action,
    /// The partner asked for a talk or proposed times.
    TalkRequest,
    /// The partner is in the talk room.
    TalkArrived,
    /// A check-in is open and the partner has done theirs.
    Checkin,
    /// The partner shared a journal entry with you.
    SharedEntry,
    /// The partner shared their reflection on a talk.
    SharedReflection,
    /// The partner sent you an appreciation.
    Appreciation,
    /// The optional, gentle prompt to note something you appreciated (off by
    /// default; on a few days a week; never counted).
    AppreciationPrompt,
}

pub const ALL_KINDS: [WaitingKind; 14] = [
    WaitingKind::Question,
    WaitingKind::ProblemProposed,
    WaitingKind::Ideas,
    WaitingKind::Ratings,
    WaitingKind::FollowUp,
    WaitingKind::Agreement,
    WaitingKind::Action,
    WaitingKind::TalkRequest,
    WaitingKind::TalkArrived,
    WaitingKind::Checkin,
    WaitingKind::SharedEntry,
    WaitingKind::SharedReflection,
    WaitingKind::Appreciation,
    WaitingKind::AppreciationPrompt,
];

impl WaitingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitingKind::Question => "question",
            WaitingKind::ProblemProposed => "problem_proposed",
            WaitingKind::Ideas => "ideas",
            WaitingKind::Ratings => "ratings",
            WaitingKind::FollowUp => "follow_up",
            WaitingKind::Agreement => "agreement",
            WaitingKind::Action => "action",
            WaitingKind::TalkRequest => "talk_request",
            WaitingKind::TalkArrived => "talk_arrived",
            WaitingKind::Checkin => "checkin",
            WaitingKind::SharedEntry => "shared_entry",
            WaitingKind::SharedReflection => "shared_reflection",
            WaitingKind::Appreciation => "appreciation",
            WaitingKind::AppreciationPrompt => "appreciation_prompt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_KINDS.into_iter().find(|k| k.as_str() == s)
    }

    /// What the item says, naming the partner and nothing they wrote.
    pub fn sentence(self, partner: &str) -> String {
        match self {
            WaitingKind::Question => format!("{partner} answered a question. Your turn."),
            WaitingKind::ProblemProposed => {
                format!("{partner} put something on the problem board.")
            }
            WaitingKind::Ideas => format!("{partner} finished their ideas. Add yours."),
            WaitingKind::Ratings => format!("{partner} rated the ideas. Rate them too."),
            WaitingKind::FollowUp => format!("{partner} said how your agreement went. Your view?"),
            WaitingKind::Agreement => format!("{partner} wrote an agreement. Is it a yes?"),
            WaitingKind::Action => format!("{partner} planned something for you. Is it a yes?"),
            WaitingKind::TalkRequest => format!("{partner} would like to talk. Pick a time."),
            WaitingKind::TalkArrived => format!("{partner} is in the talk room."),
            WaitingKind::Checkin => format!("{partner} did the check-in. Yours is open."),
            WaitingKind::SharedEntry => format!("{partner} shared a journal entry with you."),
            WaitingKind::SharedReflection => {
                format!("{partner} shared how your talk felt to them.")
            }
            WaitingKind::Appreciation => format!("{partner} sent you an appreciation."),
            WaitingKind::AppreciationPrompt => {
                format!("Anything you appreciated about {partner} lately? Note it, if you like.")
            }
        }
    }

    /// A short label for settings ("notify me about…").
    pub fn label(self) -> &'static str {
        match self {
            WaitingKind::Question => "Questions your partner answered",
            WaitingKind::ProblemProposed => "Problems put on the board",
            WaitingKind::Ideas => "Ideas to add",
            WaitingKind::Ratings => "Ideas to rate",
            WaitingKind::FollowUp => "Agreements to look back on",
            WaitingKind::Agreement => "Agreements awaiting your yes",
            WaitingKind::Action => "Plans awaiting your yes",
            WaitingKind::TalkRequest => "Talk requests",
            WaitingKind::TalkArrived => "Your partner in the talk room",
            WaitingKind::Checkin => "Check-ins",
            WaitingKind::SharedEntry => "Shared journal entries",
            WaitingKind::SharedReflection => "Shared reflections",
            WaitingKind::Appreciation => "Appreciations your partner sent",
            WaitingKind::AppreciationPrompt => {
                "The appreciation prompt (only if you turned it on under Appreciations)"
            }
        }
    }
}

crate::stored::try_from_stored!(WaitingKind, "waiting kind");

/// One thing waiting, as storage finds it: which kind, the record it is about
/// and, where one record can wait more than once, what makes this time new (a
/// board round, the talk's log position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub kind: WaitingKind,
    pub record: String,
    pub occasion: String,
    /// When it started waiting (for ordering, newest first).
    pub since: i64,
}

impl Waiting {
    /// Stable and unique per person: the same item keeps its key for as long as
    /// it waits, and a new occasion (the next round, a new time proposal) gets a
    /// new one. Push notifications send at most one per key.
    pub fn key(&self) -> String {
        if self.occasion.is_empty() {
            format!("{}:{}", self.kind.as_str(), self.record)
        } else {
            format!("{}:{}:{}", self.kind.as_str(), self.record, self.occasion)
        }
    }

    /// Where the person acts on it.
    pub fn href(&self) -> String {
        let r = &self.record;
        match self.kind {
            WaitingKind::Question => format!("/questions/{r}"),
            WaitingKind::ProblemProposed
            | WaitingKind::Ideas
            | WaitingKind::Ratings
            | WaitingKind::FollowUp
            | WaitingKind::Agreement => format!("/board/{r}"),
            WaitingKind::Action => format!("/plan#action-{r}"),
            WaitingKind::TalkRequest | WaitingKind::TalkArrived | WaitingKind::SharedReflection => {
                format!("/talks/{r}")
            }
            WaitingKind::Checkin => format!("/checkins/{r}"),
            WaitingKind::SharedEntry => format!("/journal/{r}"),
            WaitingKind::Appreciation => format!("/appreciations#appreciation-{r}"),
            WaitingKind::AppreciationPrompt => "/appreciations".to_owned(),
        }
    }
}

/// The "seen" key storage keeps when a person opens something shared with them.
pub fn seen_key(kind: WaitingKind, record: &str) -> String {
    format!("{}:{record}", kind.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_names_no_content() {
        for k in ALL_KINDS {
            assert_eq!(WaitingKind::parse(k.as_str()), Some(k));
            let s = k.sentence("Sam");
            assert!(s.contains("Sam"), "{s}");
            assert!(!k.label().is_empty());
        }
        assert_eq!(WaitingKind::parse("safety"), None);
    }

    #[test]
    fn a_new_occasion_is_a_new_key() {
        let a = Waiting {
            kind: WaitingKind::Ideas,
            record: "p1".into(),
            occasion: "1".into(),
            since: 0,
        };
        let b = Waiting {
            occasion: "2".into(),
            ..a.clone()
        };
        assert_ne!(a.key(), b.key());
        assert_eq!(a.key(), "ideas:p1:1");
        assert_eq!(a.href(), "/board/p1");
        let e = Waiting {
            kind: WaitingKind::SharedEntry,
            record: "e1".into(),
            occasion: String::new(),
            since: 0,
        };
        assert_eq!(e.key(), seen_key(WaitingKind::SharedEntry, "e1"));
    }
}
