//! Step 2's question decks: the project's own questions at three depths, how a
//! couple moves deeper as they answer, when the day's question is released, and
//! what each partner may see of a pair of sealed answers.

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Question {
    pub id: String,
    pub depth: u8,
    pub text: String,
    #[serde(skip_deserializing)]
    pub deck: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Deck {
    pub slug: String,
    pub title: String,
    pub blurb: String,
    #[serde(rename = "question")]
    pub questions: Vec<Question>,
}

#[derive(Deserialize)]
struct DeckFile {
    deck: Vec<Deck>,
}

pub const DEPTHS: [u8; 3] = [1, 2, 3];

pub fn depth_label(depth: u8) -> &'static str {
    match depth {
        1 => "Light",
        2 => "Deeper",
        _ => "Deep",
    }
}

static DECKS: LazyLock<Vec<Deck>> = LazyLock::new(|| {
    // The file ships inside the binary and is checked by the tests below, so a
    // parse failure here is a build defect, not a runtime condition.
    let mut file: DeckFile =
        toml::from_str(include_str!("../content/decks.toml")).expect("content/decks.toml is valid");
    for deck in &mut file.deck {
        for q in &mut deck.questions {
            q.deck = deck.slug.clone();
        }
    }
    file.deck
});

pub fn decks() -> &'static [Deck] {
    &DECKS
}

pub fn deck(slug: &str) -> Option<&'static Deck> {
    decks().iter().find(|d| d.slug == slug)
}

pub fn question(id: &str) -> Option<&'static Question> {
    decks()
        .iter()
        .flat_map(|d| d.questions.iter())
        .find(|q| q.id == id)
}

/// Answers exchanged (both partners answered) before a couple moves a level deeper.
pub const EXCHANGES_PER_LEVEL: usize = 3;

/// Escalating, reciprocal disclosure: light questions until the couple has
/// exchanged a few answers there, then deeper, then deep.
pub fn current_depth(exchanged_per_depth: [usize; 3]) -> u8 {
    if exchanged_per_depth[0] < EXCHANGES_PER_LEVEL {
        1
    } else if exchanged_per_depth[1] < EXCHANGES_PER_LEVEL {
        2
    } else {
        3
    }
}

/// Chooses the next question: from `deck` if the couple picked one, otherwise
/// from the decks in turn (`rotation` counts questions asked so far), at the
/// couple's current depth, never repeating one already asked. When the depth is
/// used up in that deck, the nearest other depth is used.
pub fn next_question(
    asked: &HashSet<&str>,
    exchanged_per_depth: [usize; 3],
    deck_slug: Option<&str>,
    rotation: usize,
) -> Option<&'static Question> {
    let target = current_depth(exchanged_per_depth);
    let all = decks();
    if all.is_empty() {
        return None;
    }
    let order: Vec<&Deck> = match deck_slug {
        Some(slug) => all.iter().filter(|d| d.slug == slug).collect(),
        None => (0..all.len())
            .map(|i| &all[(rotation + i) % all.len()])
            .collect(),
    };
    let mut depths: Vec<u8> = DEPTHS.to_vec();
    depths.sort_by_key(|d| (d.abs_diff(target), std::cmp::Reverse(*d <= target)));
    for depth in depths {
        for d in &order {
            if let Some(q) = d
                .questions
                .iter()
                .find(|q| q.depth == depth && !asked.contains(q.id.as_str()))
            {
                return Some(q);
            }
        }
    }
    None
}

/// The latest moment, at or before `now`, when a question is released for
/// someone in `tz` whose couple chose `hour` (local time). Across a DST gap the
/// release moves to the first valid instant after it.
pub fn latest_release(now: DateTime<Utc>, hour: u32, tz: Tz) -> DateTime<Utc> {
    let local_today = now.with_timezone(&tz).date_naive();
    let at = NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN);
    let instant = |date: chrono::NaiveDate| -> DateTime<Utc> {
        let naive = date.and_time(at);
        match tz.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
            chrono::LocalResult::None => {
                // Spring-forward gap: an hour later always exists.
                let later = naive + chrono::Duration::hours(1);
                tz.from_local_datetime(&later)
                    .earliest()
                    .map_or(now, |t| t.with_timezone(&Utc))
            }
        }
    };
    let today = instant(local_today);
    if today <= now {
        today
    } else {
        local_today
            .checked_sub_days(Days::new(1))
            .map_or(today, instant)
    }
}

/// Whether a new daily question is due: nothing released since the latest release moment.
pub fn release_due(
    now: DateTime<Utc>,
    last_release: Option<DateTime<Utc>>,
    hour: u32,
    tz: Tz,
) -> bool {
    match last_release {
        None => true,
        Some(last) => last < latest_release(now, hour, tz),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    None,
    Answered,
    Skipped,
}

/// What one partner sees of a question both are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairView {
    /// I have not answered: nothing at all is said about my partner.
    Unanswered,
    /// I passed on it: still nothing about my partner.
    IPassed,
    /// I answered; my partner has not yet.
    Waiting,
    /// I answered; my partner passed. My answer stays sealed.
    PartnerPassed,
    /// Both answered: both answers are visible to both.
    Open,
    /// I answered in a space that ended (my partner left or erased their
    /// account): my answer stays mine; their side is gone.
    PartnerGone,
}

/// What a person keeps of a question asked in a space that ended: their own
/// answer (or pass), never "waiting" for a partner who is gone.
pub fn ended_view(mine: Answer) -> PairView {
    match mine {
        Answer::None => PairView::Unanswered,
        Answer::Skipped => PairView::IPassed,
        Answer::Answered => PairView::PartnerGone,
    }
}

pub fn pair_view(mine: Answer, partner: Answer) -> PairView {
    match (mine, partner) {
        (Answer::None, _) => PairView::Unanswered,
        (Answer::Skipped, _) => PairView::IPassed,
        (Answer::Answered, Answer::None) => PairView::Waiting,
        (Answer::Answered, Answer::Skipped) => PairView::PartnerPassed,
        (Answer::Answered, Answer::Answered) => PairView::Open,
    }
}

impl PairView {
    pub fn as_str(self) -> &'static str {
        match self {
            PairView::Unanswered => "unanswered",
            PairView::IPassed => "i_passed",
            PairView::Waiting => "waiting",
            PairView::PartnerPassed => "partner_passed",
            PairView::Open => "open",
            PairView::PartnerGone => "partner_gone",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decks_meet_the_content_bar() {
        let all = decks();
        assert!(all.len() >= 6, "at least six themes");
        let total: usize = all.iter().map(|d| d.questions.len()).sum();
        assert!(total >= 180, "at least 180 questions, found {total}");
        let mut ids = HashSet::new();
        for d in all {
            for depth in DEPTHS {
                assert!(
                    d.questions.iter().filter(|q| q.depth == depth).count() >= 5,
                    "{} depth {depth}",
                    d.slug
                );
            }
            for q in &d.questions {
                assert!(ids.insert(q.id.as_str()), "duplicate id {}", q.id);
                assert!(DEPTHS.contains(&q.depth));
                assert_eq!(q.deck, d.slug);
                assert!(!q.text.trim().is_empty());
            }
        }
        assert_eq!(question("our-story-1-01").map(|q| q.depth), Some(1));
    }

    #[test]
    fn couples_move_deeper_as_they_exchange_answers() {
        assert_eq!(current_depth([0, 0, 0]), 1);
        assert_eq!(current_depth([2, 5, 5]), 1);
        assert_eq!(current_depth([3, 0, 0]), 2);
        assert_eq!(current_depth([3, 3, 0]), 3);
        let q = next_question(&HashSet::new(), [3, 0, 0], None, 0).unwrap();
        assert_eq!(q.depth, 2);
    }

    #[test]
    fn next_question_never_repeats_and_respects_a_chosen_deck() {
        let mut asked: HashSet<&str> = HashSet::new();
        let deck = &decks()[1];
        for _ in 0..deck.questions.len() {
            let q = next_question(&asked, [0, 0, 0], Some(&deck.slug), 0).expect("a question");
            assert_eq!(q.deck, deck.slug);
            assert!(asked.insert(q.id.as_str()), "repeated {}", q.id);
        }
        assert!(
            next_question(&asked, [0, 0, 0], Some(&deck.slug), 0).is_none(),
            "deck used up"
        );
        assert!(next_question(&asked, [0, 0, 0], None, 1).is_some());
    }

    #[test]
    fn rotation_moves_through_the_themes() {
        let asked = HashSet::new();
        let a = next_question(&asked, [0, 0, 0], None, 0).unwrap();
        let b = next_question(&asked, [0, 0, 0], None, 1).unwrap();
        assert_ne!(a.deck, b.deck);
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_daily_question_follows_the_chosen_local_hour() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 18:30 in Berlin (UTC+1 in winter): the 19:00 release is yesterday's.
        let now = utc("2026-11-29T17:30:00Z");
        assert_eq!(latest_release(now, 19, berlin), utc("2026-11-28T18:00:00Z"));
        assert!(!release_due(
            now,
            Some(utc("2026-11-28T18:00:00Z")),
            19,
            berlin
        ));
        // Half an hour later it is due.
        let later = utc("2026-11-29T18:30:00Z");
        assert!(release_due(
            later,
            Some(utc("2026-11-28T18:00:00Z")),
            19,
            berlin
        ));
        assert!(release_due(later, None, 19, berlin));
    }

    #[test]
    fn release_times_survive_daylight_saving_changes() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // 2026-03-08: clocks jump from 02:00 to 03:00; a 02:00 release moves to 03:00 EDT.
        assert_eq!(
            latest_release(utc("2026-03-08T12:00:00Z"), 2, ny),
            utc("2026-03-08T07:00:00Z")
        );
        // 2026-11-01: 01:00 happens twice; the first one counts.
        assert_eq!(
            latest_release(utc("2026-11-01T12:00:00Z"), 1, ny),
            utc("2026-11-01T05:00:00Z")
        );
        // Summer and winter 19:00 are different UTC instants.
        assert_eq!(
            latest_release(utc("2026-07-01T23:30:00Z"), 19, ny),
            utc("2026-07-01T23:00:00Z")
        );
        assert_eq!(
            latest_release(utc("2026-12-02T00:30:00Z"), 19, ny),
            utc("2026-12-02T00:00:00Z")
        );
    }

    #[test]
    fn a_sealed_answer_opens_only_when_both_answered() {
        use Answer::*;
        for partner in [None, Answered, Skipped] {
            assert_eq!(
                pair_view(None, partner),
                PairView::Unanswered,
                "nothing about the partner leaks"
            );
            assert_eq!(pair_view(Skipped, partner), PairView::IPassed);
        }
        assert_eq!(pair_view(Answered, None), PairView::Waiting);
        assert_eq!(pair_view(Answered, Skipped), PairView::PartnerPassed);
        assert_eq!(pair_view(Answered, Answered), PairView::Open);
    }
}
