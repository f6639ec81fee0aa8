//! Step 2's question decks: the project's own questions at three depths, which
//! decks a couple is asked from, the daily pick (no repeat until every allowed
//! question was asked, light and deep mixed through the week), when the day's
//! question is released, and what each partner may see of a pair of sealed answers.

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
    /// What the partner can ask after both answers are open.
    #[serde(default)]
    pub follow_up: String,
    #[serde(skip_deserializing)]
    pub deck: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Deck {
    pub slug: String,
    pub title: String,
    pub blurb: String,
    /// Off until a person switches it on (affection, hard seasons, faith).
    #[serde(default)]
    pub starts_off: bool,
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

/// Every question by its id: a history lists hundreds, and each is looked up.
static BY_ID: LazyLock<std::collections::HashMap<&'static str, &'static Question>> =
    LazyLock::new(|| {
        decks()
            .iter()
            .flat_map(|d| d.questions.iter())
            .map(|q| (q.id.as_str(), q))
            .collect()
    });

pub fn question(id: &str) -> Option<&'static Question> {
    BY_ID.get(id).copied()
}

/// The first few days of a couple are light, to get going.
pub const WARM_UP_DAYS: usize = 3;

/// After the warm-up a week mixes light, deeper and deep questions instead of
/// only climbing: mostly light, a deeper one now and then, one deep one a week.
pub const WEEK: [u8; 7] = [1, 2, 1, 3, 1, 2, 1];

/// The depth aimed at on the couple's `day`-th question (0-based).
pub fn depth_for_day(day: usize) -> u8 {
    if day < WARM_UP_DAYS {
        1
    } else {
        WEEK[(day - WARM_UP_DAYS) % WEEK.len()]
    }
}

/// Whether one person has a deck on: their own choice, or the deck's default
/// (decks marked `starts_off` are opted into).
pub fn on_for_person(deck: &Deck, choices: &[(String, bool)]) -> bool {
    choices
        .iter()
        .find(|(slug, _)| *slug == deck.slug)
        .map_or(!deck.starts_off, |(_, on)| *on)
}

/// The decks a couple is asked from: those on for both partners. Either
/// partner switching a deck off takes it out for the two of them.
pub fn decks_for_couple(a: &[(String, bool)], b: &[(String, bool)]) -> HashSet<&'static str> {
    decks()
        .iter()
        .filter(|d| on_for_person(d, a) && on_for_person(d, b))
        .map(|d| d.slug.as_str())
        .collect()
}

/// Chooses the couple's next question, never one already asked. Only decks in
/// `allowed` are used; `deck` narrows that to one deck the couple picked. The
/// depth follows [`depth_for_day`] (the nearest other depth when that one is
/// used up) and, among the decks with a question left at that depth, the one
/// least used so far comes first, so the themes take turns. `None` only once
/// every allowed question was asked.
pub fn next_question(
    asked: &HashSet<&str>,
    allowed: &HashSet<&str>,
    deck: Option<&str>,
    day: usize,
) -> Option<&'static Question> {
    let all = decks();
    let candidates: Vec<(usize, &Deck)> = all
        .iter()
        .enumerate()
        .filter(|(_, d)| allowed.contains(d.slug.as_str()) && deck.is_none_or(|s| s == d.slug))
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let n = all.len();
    let target = depth_for_day(day);
    let mut depths: Vec<u8> = DEPTHS.to_vec();
    depths.sort_by_key(|d| (d.abs_diff(target), std::cmp::Reverse(*d <= target)));
    for depth in depths {
        let best = candidates
            .iter()
            .filter_map(|(i, d)| {
                let q = d
                    .questions
                    .iter()
                    .find(|q| q.depth == depth && !asked.contains(q.id.as_str()))?;
                let used = d
                    .questions
                    .iter()
                    .filter(|q| asked.contains(q.id.as_str()))
                    .count();
                // Share of the deck used (in thousandths), then the rotation.
                let share = used * 1000 / d.questions.len().max(1);
                Some(((share, (i + n - day % n) % n), q))
            })
            .min_by_key(|(key, _)| *key);
        if let Some((_, q)) = best {
            return Some(q);
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
                assert!(
                    question(&q.id).is_some_and(|found| std::ptr::eq(found, q)),
                    "{} is found by its id",
                    q.id
                );
                // Storage reads a question's depth from its id (`deck-depth-nn`)
                // so the journey needs no list of asked questions.
                let (rest, nn) = q.id.rsplit_once('-').unwrap_or_default();
                let depth_in_id = rest.rsplit_once('-').map(|(_, d)| d);
                assert!(
                    depth_in_id == Some(q.depth.to_string().as_str())
                        && nn.len() == 2
                        && nn.bytes().all(|b| b.is_ascii_digit()),
                    "{} is not deck-depth-nn with depth {}",
                    q.id,
                    q.depth
                );
                assert!(DEPTHS.contains(&q.depth));
                assert_eq!(q.deck, d.slug);
                assert!(!q.text.trim().is_empty());
            }
        }
        assert_eq!(question("our-story-1-01").map(|q| q.depth), Some(1));
        assert!(question("no-such-deck-1-01").is_none());
    }

    fn defaults() -> HashSet<&'static str> {
        decks_for_couple(&[], &[])
    }

    #[test]
    fn opt_in_decks_start_off_and_either_partner_can_switch_a_deck_off() {
        let on = defaults();
        for slug in ["affection", "hard-seasons", "faith-and-meaning"] {
            assert!(deck(slug).is_some_and(|d| d.starts_off), "{slug} is opt-in");
            assert!(!on.contains(slug), "{slug} starts off");
        }
        assert!(on.contains("intimacy") && on.contains("everyday-life"));
        let mine = vec![("affection".to_owned(), true)];
        assert!(
            !decks_for_couple(&mine, &[]).contains("affection"),
            "one partner alone cannot switch it on for both"
        );
        assert!(decks_for_couple(&mine, &mine).contains("affection"));
        let off = vec![("intimacy".to_owned(), false)];
        assert!(!decks_for_couple(&[], &off).contains("intimacy"));
        assert!(!decks_for_couple(&off, &[]).contains("intimacy"));
    }

    #[test]
    fn a_year_of_daily_questions_never_repeats_with_opt_ins_and_intimacy_off() {
        let off = vec![("intimacy".to_owned(), false)];
        let allowed = decks_for_couple(&off, &[]);
        let mut asked: HashSet<&str> = HashSet::new();
        let mut depths = [0usize; 3];
        for day in 0..400 {
            let q = next_question(&asked, &allowed, None, day)
                .unwrap_or_else(|| panic!("ran out on day {day}"));
            assert!(asked.insert(q.id.as_str()), "day {day} repeated {}", q.id);
            assert!(
                !["intimacy", "affection", "hard-seasons", "faith-and-meaning"]
                    .contains(&q.deck.as_str()),
                "{} is off",
                q.deck
            );
            depths[usize::from(q.depth) - 1] += 1;
        }
        // The year mixes depths rather than climbing to deep and staying there.
        assert!(depths[0] > depths[2] && depths[2] >= 40, "{depths:?}");
    }

    #[test]
    fn every_allowed_question_is_asked_before_the_pick_runs_out() {
        let allowed: HashSet<&str> = ["play", "our-story"].into_iter().collect();
        let size: usize = ["play", "our-story"]
            .iter()
            .map(|s| deck(s).unwrap().questions.len())
            .sum();
        let mut asked: HashSet<&str> = HashSet::new();
        for day in 0..size {
            let q = next_question(&asked, &allowed, None, day).expect("a question");
            assert!(asked.insert(q.id.as_str()));
        }
        assert!(next_question(&asked, &allowed, None, size).is_none());
    }

    #[test]
    fn a_week_mixes_light_and_deep_and_the_themes_take_turns() {
        let allowed = defaults();
        let mut asked: HashSet<&str> = HashSet::new();
        let mut days = Vec::new();
        for day in 0..WARM_UP_DAYS + 7 {
            let q = next_question(&asked, &allowed, None, day).unwrap();
            asked.insert(q.id.as_str());
            days.push(q);
        }
        assert!(days[..WARM_UP_DAYS].iter().all(|q| q.depth == 1));
        let week = &days[WARM_UP_DAYS..];
        let deep_at = week.iter().position(|q| q.depth == 3).expect("a deep one");
        // Deep is not where it stays: light comes back after it.
        assert!(week[deep_at + 1..].iter().any(|q| q.depth == 1));
        let themes: HashSet<&str> = days.iter().map(|q| q.deck.as_str()).collect();
        assert_eq!(
            themes.len(),
            days.len(),
            "no theme twice in the first ten days"
        );
    }

    #[test]
    fn next_question_never_repeats_and_respects_a_chosen_deck() {
        let mut asked: HashSet<&str> = HashSet::new();
        let allowed = defaults();
        let deck = &decks()[1];
        for day in 0..deck.questions.len() {
            let q = next_question(&asked, &allowed, Some(&deck.slug), day).expect("a question");
            assert_eq!(q.deck, deck.slug);
            assert!(asked.insert(q.id.as_str()), "repeated {}", q.id);
        }
        assert!(
            next_question(&asked, &allowed, Some(&deck.slug), 0).is_none(),
            "deck used up"
        );
        assert!(next_question(&asked, &allowed, None, 1).is_some());
        assert!(
            next_question(&HashSet::new(), &allowed, Some("affection"), 0).is_none(),
            "a deck that is off is not asked from"
        );
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
