//! Appreciations: a quick note of something a person appreciated about their
//! partner ("Thank you for …", "I admired how you …").
//!
//! An appreciation is the author's: a private draft until they send it, and
//! only then shown to the partner of the space they share now. The partner may
//! keep the ones that mattered to them. Nothing here counts: there is no tally,
//! no streak, and the optional prompt (off by default) only asks on a few days
//! of the week, never more than once a day, and never says how many.
//!
//! The coach reads along: besides the language coach's usual findings, a thank
//! you can hide a barb ("thanks for *finally* …", "for once"), which
//! [`hidden_barbs`] points out to the author before sending.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

/// An appreciation is short: a line or a few.
pub const MAX_CHARS: usize = 1000;

/// How far back the check-in's appreciation part looks for sent ones.
pub const WEEK_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// The days the optional prompt may ask (a few times a week, never daily).
pub const PROMPT_DAYS: [Weekday; 3] = [Weekday::Mon, Weekday::Wed, Weekday::Sat];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Private to the author.
    Draft,
    /// Shown to the partner of the space it was sent in.
    Sent,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Sent => "sent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Status::Draft, Status::Sent]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

crate::stored::try_from_stored!(Status, "appreciation status");

/// The two ways to begin, offered as starters; any other wording is fine too.
pub const STARTERS: [&str; 3] = [
    "Thank you for ",
    "I admired how you ",
    "I really appreciated it when you ",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    Empty,
    TooLong,
    /// Only a starter, with nothing after it.
    OnlyStarter,
}

impl TextError {
    pub fn message(self) -> &'static str {
        match self {
            TextError::Empty => "Write what you appreciated; a line is enough.",
            TextError::TooLong => "Keep it under 1,000 characters. A line or two says a lot.",
            TextError::OnlyStarter => "Finish the sentence: what did they do?",
        }
    }
}

/// Checks an appreciation's text and returns it trimmed.
pub fn check_text(text: &str) -> Result<String, TextError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(TextError::Empty);
    }
    if t.chars().count() > MAX_CHARS {
        return Err(TextError::TooLong);
    }
    if STARTERS.iter().any(|s| {
        s.trim()
            .eq_ignore_ascii_case(t.trim_end_matches(['.', '…', ' ']))
    }) {
        return Err(TextError::OnlyStarter);
    }
    Ok(t.to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Only the author changes, sends or deletes their appreciation.
    NotTheAuthor,
    /// A sent appreciation is no longer edited (the partner may have read it).
    AlreadySent,
    /// Only the partner it was sent to keeps it, and only a sent one.
    NotTheirs,
}

/// Whether `who` may edit or send an appreciation written by `author`.
pub fn may_edit(status: Status, author: &str, who: &str) -> Result<(), Refusal> {
    if author != who {
        return Err(Refusal::NotTheAuthor);
    }
    if status == Status::Sent {
        return Err(Refusal::AlreadySent);
    }
    Ok(())
}

/// Whether `who` may keep (or let go of) an appreciation written by `author`.
pub fn may_keep(status: Status, author: &str, who: &str) -> Result<(), Refusal> {
    if author == who || status != Status::Sent {
        return Err(Refusal::NotTheirs);
    }
    Ok(())
}

/// A barb hidden in a thank you, found by [`hidden_barbs`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Barb {
    /// Character offsets of the words in the text.
    pub start: usize,
    pub end: usize,
    pub words: String,
    pub explanation: &'static str,
}

// The word itself is shown beside each text, so the texts do not name it (one text serves
// several words: "finally" and "at last", "but" and "though").
const FINALLY: &str = "This says it should have happened long ago, so the thanks can sound like a complaint. Try leaving it out.";
const FOR_ONCE: &str =
    "This points at all the times it did not happen. Thank them for this time alone.";
const ABOUT_TIME: &str =
    "This sounds like a reproach, not a thank you. Say what it meant to you instead.";
const BUT: &str = "A turn after the thanks takes the thanks back. Keep the appreciation on its own; the rest can wait for a talk.";
const ACTUALLY: &str =
    "This can sound surprised that they managed. Try saying what you noticed instead.";
const EVEN_YOU: &str =
    "This compares them with what you expected of them. Leave the comparison out.";
const ANY: &str = "This hints that something was missing before. Say what you saw this time.";

/// Phrases that turn a thank you into a reproach, with what to say about them.
/// Matched on whole words, case-insensitively.
const BARBS: [(&str, &str); 14] = [
    ("finally", FINALLY),
    ("at last", FINALLY),
    ("for once", FOR_ONCE),
    ("for a change", FOR_ONCE),
    ("for the first time", FOR_ONCE),
    ("it's about time", ABOUT_TIME),
    ("about time", ABOUT_TIME),
    ("without being asked twice", ANY),
    ("without me having to ask", ANY),
    ("actually", ACTUALLY),
    ("even you", EVEN_YOU),
    ("i guess", ANY),
    ("but", BUT),
    ("though", BUT),
];

/// The hidden barbs in an appreciation, in text order, one per place.
pub fn hidden_barbs(text: &str) -> Vec<Barb> {
    let lower: Vec<char> = text
        .chars()
        .map(|c| {
            let l = c.to_lowercase().next().unwrap_or(c);
            if l == '’' { '\'' } else { l }
        })
        .collect();
    let original: Vec<char> = text.chars().collect();
    let is_word = |c: char| c.is_alphanumeric() || c == '\'';
    let mut found: Vec<Barb> = Vec::new();
    for (phrase, explanation) in BARBS {
        let p: Vec<char> = phrase.chars().collect();
        let mut i = 0;
        while i + p.len() <= lower.len() {
            let before_ok = i == 0 || !is_word(lower[i - 1]);
            let after_ok = i + p.len() == lower.len() || !is_word(lower[i + p.len()]);
            if before_ok && after_ok && lower[i..i + p.len()] == p[..] {
                let (start, end) = (i, i + p.len());
                // "but" only barbs after some thanks: "Thank you, but …".
                let thanks_first = phrase != "but" && phrase != "though"
                    || lower[..start].iter().collect::<String>().contains("thank")
                    || lower[..start]
                        .iter()
                        .collect::<String>()
                        .contains("appreciat");
                if thanks_first && !found.iter().any(|b| b.start < end && start < b.end) {
                    found.push(Barb {
                        start,
                        end,
                        words: original[start..end].iter().collect(),
                        explanation,
                    });
                }
                i = end;
            } else {
                i += 1;
            }
        }
    }
    found.sort_by_key(|b| b.start);
    found
}

/// Whether the optional prompt asks on this local date: only when the person
/// turned it on, only on the prompt days. It never counts anything.
pub fn prompt_due(on: bool, local: NaiveDate) -> bool {
    on && PROMPT_DAYS.contains(&local.weekday())
}

/// The key of the prompt for one local date: dismissing it (or writing one)
/// that day quiets it until the next prompt day.
pub fn prompt_occasion(local: NaiveDate) -> String {
    local.format("%Y-%m-%d").to_string()
}

/// Whether the prompt waits now for a person who turned it on, living in time
/// zone `tz`, who last wrote an appreciation or set the prompt aside at
/// `last_acted_ms` (0 if never): on a prompt day, until they do either that day.
/// Returns the day's occasion and the instant it started waiting (local midnight).
pub fn prompt_waiting(tz: &str, now_ms: i64, last_acted_ms: i64) -> Option<(String, i64)> {
    use chrono::{DateTime, NaiveTime, Utc};
    let tz: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    let now = DateTime::<Utc>::from_timestamp_millis(now_ms)?;
    let today = crate::plan::local_date(now, tz);
    if !prompt_due(true, today) {
        return None;
    }
    if last_acted_ms > 0
        && let Some(last) = DateTime::<Utc>::from_timestamp_millis(last_acted_ms)
        && crate::plan::local_date(last, tz) == today
    {
        return None;
    }
    let since = crate::plan::local_instant(today, NaiveTime::MIN, tz).timestamp_millis();
    Some((prompt_occasion(today), since))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_checked_and_trimmed() {
        assert_eq!(
            check_text("  Thank you for the tea.  "),
            Ok("Thank you for the tea.".into())
        );
        assert_eq!(check_text("   "), Err(TextError::Empty));
        assert_eq!(
            check_text(&"a".repeat(MAX_CHARS + 1)),
            Err(TextError::TooLong)
        );
        assert!(check_text(&"a".repeat(MAX_CHARS)).is_ok());
        assert_eq!(check_text("Thank you for …"), Err(TextError::OnlyStarter));
        assert_eq!(check_text("I admired how you"), Err(TextError::OnlyStarter));
    }

    #[test]
    fn only_the_author_edits_and_only_drafts() {
        assert_eq!(may_edit(Status::Draft, "a", "a"), Ok(()));
        assert_eq!(
            may_edit(Status::Draft, "a", "b"),
            Err(Refusal::NotTheAuthor)
        );
        assert_eq!(may_edit(Status::Sent, "a", "a"), Err(Refusal::AlreadySent));
    }

    #[test]
    fn only_the_partner_keeps_and_only_sent_ones() {
        assert_eq!(may_keep(Status::Sent, "a", "b"), Ok(()));
        assert_eq!(may_keep(Status::Sent, "a", "a"), Err(Refusal::NotTheirs));
        assert_eq!(may_keep(Status::Draft, "a", "b"), Err(Refusal::NotTheirs));
    }

    #[test]
    fn a_barb_hidden_in_thanks_is_found() {
        let b = hidden_barbs("Thanks for finally doing the dishes.");
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].words, "finally");
        assert_eq!((b[0].start, b[0].end), (11, 18));
        let b = hidden_barbs("Thank you for listening for once. It's about time!");
        let words: Vec<_> = b.iter().map(|b| b.words.as_str()).collect();
        assert_eq!(words, ["for once", "It's about time"]);
        let b = hidden_barbs("Thank you for dinner, but the kitchen is a mess.");
        assert_eq!(b[0].words, "but");
        let b = hidden_barbs("Thanks, you ACTUALLY remembered.");
        assert_eq!(b[0].words, "ACTUALLY");
    }

    #[test]
    fn plain_warm_thanks_has_no_barb() {
        for t in [
            "Thank you for making tea when I came home tired.",
            "I admired how you stayed calm with your mother on the phone.",
            "I really appreciated it when you held my hand at the doctor's.",
            "Butter on my toast, just the way I like it. Thank you.",
            "All but forgotten, you still remembered my friend's name.",
            "Finalists or not, I loved watching the match with you.",
        ] {
            assert_eq!(hidden_barbs(t), Vec::new(), "{t}");
        }
    }

    #[test]
    fn the_prompt_asks_only_when_on_and_only_a_few_days_a_week() {
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert!(prompt_due(true, monday));
        assert!(!prompt_due(false, monday));
        let days = (0..7)
            .filter(|d| prompt_due(true, monday + chrono::Duration::days(*d)))
            .count();
        assert_eq!(days, 3);
        assert_eq!(prompt_occasion(monday), "2026-12-07");
    }

    #[test]
    fn the_prompt_waits_until_written_or_set_aside_that_day() {
        // Monday 2026-12-07 09:00 in Berlin is 08:00 UTC.
        let mon_9 = 1_796_630_400_000;
        let (day, since) = prompt_waiting("Europe/Berlin", mon_9, 0).unwrap();
        assert_eq!(day, "2026-12-07");
        assert_eq!(since, mon_9 - 9 * 3_600_000);
        // Written (or set aside) earlier that local day: quiet.
        assert_eq!(
            prompt_waiting("Europe/Berlin", mon_9, mon_9 - 3_600_000),
            None
        );
        // Written the evening before: it asks again.
        assert!(prompt_waiting("Europe/Berlin", mon_9, mon_9 - 12 * 3_600_000).is_some());
        // Tuesday is not a prompt day.
        assert_eq!(prompt_waiting("Europe/Berlin", mon_9 + 86_400_000, 0), None);
    }

    #[test]
    fn stored_status_reads_back() {
        for s in [Status::Draft, Status::Sent] {
            assert_eq!(Status::try_from(s.as_str().to_owned()), Ok(s));
        }
        assert!(Status::try_from("kept".to_owned()).is_err());
    }
}
