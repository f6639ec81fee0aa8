//! Step 7's check-ins: the published instruments (exact items, answer labels and
//! scoring), the couple's rhythm and when the next check-in falls, what each
//! partner may see of a pair of sealed submissions, and the early-warning rules.
//!
//! Instruments:
//! - CSI-4: Funk, J. L., & Rogge, R. D. (2007). Testing the ruler with item response
//!   theory: Increasing precision of measurement for relationship satisfaction with the
//!   Couples Satisfaction Index. *Journal of Family Psychology, 21*(4), 572–583.
//! - Technology Device Interference Scale: McDaniel, B. T., & Coyne, S. M. (2016).
//!   "Technoference": The interference of technology in couple relationships and
//!   implications for women's personal and relational well-being. *Psychology of
//!   Popular Media Culture, 5*(1), 85–98.
//! - Shared time: Milek, A., Butler, E. A., & Bodenmann, G. (2015). The interplay of
//!   couple's shared time, women's intimacy, and intradyadic stress. *Journal of Family
//!   Psychology, 29*(6), 831–842. (Not a scale: a plain log of hours together.)

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use crate::visibility::{Reveal, reveal};

// ---- instruments -------------------------------------------------------------

/// One published item with its answer labels; the value of a label is its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub key: &'static str,
    pub text: &'static str,
    pub labels: &'static [&'static str],
}

impl Item {
    pub fn max(&self) -> u8 {
        u8::try_from(self.labels.len().saturating_sub(1)).unwrap_or(u8::MAX)
    }
}

pub const CSI4_CITATION: &str = "Couples Satisfaction Index, 4-item version (CSI-4): Funk, J. L., & Rogge, R. D. (2007). \
     Testing the ruler with item response theory: Increasing precision of measurement for relationship satisfaction \
     with the Couples Satisfaction Index. Journal of Family Psychology, 21(4), 572–583. Free for research and clinical use.";

const HAPPINESS: &[&str] = &[
    "Extremely unhappy",
    "Fairly unhappy",
    "A little unhappy",
    "Happy",
    "Very happy",
    "Extremely happy",
    "Perfect",
];
const TRUE_SCALE: &[&str] = &[
    "Not at all true",
    "A little true",
    "Somewhat true",
    "Mostly true",
    "Almost completely true",
    "Completely true",
];
const AMOUNT_SCALE: &[&str] = &[
    "Not at all",
    "A little",
    "Somewhat",
    "Mostly",
    "Almost completely",
    "Completely",
];

/// The CSI-4 items exactly as published, in order.
pub const CSI4: [Item; 4] = [
    Item {
        key: "csi1",
        text: "Please indicate the degree of happiness, all things considered, of your relationship.",
        labels: HAPPINESS,
    },
    Item {
        key: "csi2",
        text: "I have a warm and comfortable relationship with my partner.",
        labels: TRUE_SCALE,
    },
    Item {
        key: "csi3",
        text: "How rewarding is your relationship with your partner?",
        labels: AMOUNT_SCALE,
    },
    Item {
        key: "csi4",
        text: "In general, how satisfied are you with your relationship?",
        labels: AMOUNT_SCALE,
    },
];

/// CSI-4 totals below this indicate relationship distress (Funk & Rogge 2007).
pub const CSI4_DISTRESS_CUTOFF: f64 = 13.5;
pub const CSI4_MAX: u8 = 21;

pub const TECHNOFERENCE_CITATION: &str = "Technology Device Interference Scale: McDaniel, B. T., & Coyne, S. M. (2016). \
     \"Technoference\": The interference of technology in couple relationships and implications for women's personal \
     and relational well-being. Psychology of Popular Media Culture, 5(1), 85–98.";

pub const TECHNOFERENCE_STEM: &str = "How frequently do the following devices get in the way of or even interrupt your interactions with your partner?";

const FREQUENCY: &[&str] = &[
    "Never",
    "Rarely",
    "Sometimes",
    "Often",
    "Very often",
    "All the time",
];

pub const TECHNOFERENCE: [Item; 4] = [
    Item {
        key: "tech1",
        text: "Cellphone / smartphone",
        labels: FREQUENCY,
    },
    Item {
        key: "tech2",
        text: "Television",
        labels: FREQUENCY,
    },
    Item {
        key: "tech3",
        text: "Computer or laptop",
        labels: FREQUENCY,
    },
    Item {
        key: "tech4",
        text: "iPad or other tablet",
        labels: FREQUENCY,
    },
];
pub const TECHNOFERENCE_MAX: f64 = 5.0;

pub const SHARED_TIME_CITATION: &str = "Shared time log, after Milek, A., Butler, E. A., & Bodenmann, G. (2015). \
     The interplay of couple's shared time, women's intimacy, and intradyadic stress. Journal of Family Psychology, \
     29(6), 831–842.";

/// Hours in a week: the most anyone can spend together in the past week.
pub const HOURS_PER_WEEK: u16 = 168;

/// One partner's measures in one check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scores {
    pub csi: [u8; 4],
    pub tech: [u8; 4],
    pub hours_together: u16,
    pub hours_device_free: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreProblem {
    /// An item's answer is outside its scale (the field key).
    OutOfRange(&'static str),
    TooManyHours,
    /// Device-free hours cannot exceed the hours spent together.
    DeviceFreeAboveTogether,
}

impl ScoreProblem {
    pub fn message(self) -> &'static str {
        match self {
            ScoreProblem::OutOfRange(_) => "Choose one of the answers.",
            ScoreProblem::TooManyHours => "A week has 168 hours; enter a number from 0 to 168.",
            ScoreProblem::DeviceFreeAboveTogether => {
                "This can be at most the hours you spent together."
            }
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            ScoreProblem::OutOfRange(key) => key,
            ScoreProblem::TooManyHours => "hours_together",
            ScoreProblem::DeviceFreeAboveTogether => "hours_device_free",
        }
    }
}

impl Scores {
    /// Every problem with the answers, so a form can show each next to its field.
    pub fn problems(&self) -> Vec<ScoreProblem> {
        let mut out = Vec::new();
        for (item, v) in CSI4
            .iter()
            .zip(self.csi)
            .chain(TECHNOFERENCE.iter().zip(self.tech))
        {
            if v > item.max() {
                out.push(ScoreProblem::OutOfRange(item.key));
            }
        }
        if self.hours_together > HOURS_PER_WEEK {
            out.push(ScoreProblem::TooManyHours);
        } else if self.hours_device_free > self.hours_together {
            out.push(ScoreProblem::DeviceFreeAboveTogether);
        }
        out
    }

    /// CSI-4 total: the plain sum of the four items, 0–21.
    pub fn csi_total(&self) -> u8 {
        self.csi.iter().sum()
    }

    /// Technoference: the mean of the four device items, 0–5.
    pub fn technoference(&self) -> f64 {
        f64::from(self.tech.iter().map(|v| u16::from(*v)).sum::<u16>()) / 4.0
    }
}

pub fn distressed(csi_total: u8) -> bool {
    f64::from(csi_total) < CSI4_DISTRESS_CUTOFF
}

// ---- reliable change -----------------------------------------------------------

/// Reliability of the CSI-4 used for reliable change: internal consistency
/// (Cronbach's α = .94) reported by Funk & Rogge (2007) for the CSI-4. Jacobson &
/// Truax's formula is often used with α when no test–retest figure is at hand, as here.
pub const CSI4_RELIABILITY: f64 = 0.94;

/// Standard deviation of CSI-4 totals used for reliable change.
///
/// NOT VERIFIED: we could not check the exact SD Funk & Rogge (2007) report for
/// CSI-4 totals in their sample. 4.5 points is an approximate figure of the order
/// seen in published samples (roughly 4–5 points on the 0–21 scale). Replace it with
/// the published value once someone has confirmed it in the paper; the worked
/// examples in the tests below show what changes.
pub const CSI4_SD: f64 = 4.5;

/// |RCI| above this counts as a reliable change (p < .05, two-sided).
///
/// With the figures above, S_diff = 4.5 · √2 · √(1 − .94) ≈ 1.56 and
/// 1.96 · S_diff ≈ 3.06, so on the 0–21 scale the rule is simply "a drop of 4
/// points or more" (`RELIABLE_DROP_POINTS`). Two caveats keep it modest: the SD
/// is unverified, and α (internal consistency) overstates how stable scores are
/// from one week to the next, so real week-to-week noise is larger than this
/// assumes. The product treats it as a prompt to talk, never as a measurement.
pub const RCI_CRITICAL: f64 = 1.96;

/// Jacobson & Truax (1991) reliable change index:
/// RCI = (x2 − x1) / S_diff, with S_diff = SD · √2 · √(1 − r).
pub fn rci(x1: f64, x2: f64, sd: f64, r: f64) -> f64 {
    let s_diff = sd * 2f64.sqrt() * (1.0 - r).sqrt();
    if s_diff <= 0.0 {
        0.0
    } else {
        (x2 - x1) / s_diff
    }
}

/// The smallest drop the reliable-change rule above flags, in CSI-4 points.
pub const RELIABLE_DROP_POINTS: u8 = 4;

/// Whether the CSI-4 fell from `before` to `after` by the reliable-change rule
/// (in practice: by `RELIABLE_DROP_POINTS` or more).
pub fn reliable_drop(before: u8, after: u8) -> bool {
    rci(
        f64::from(before),
        f64::from(after),
        CSI4_SD,
        CSI4_RELIABILITY,
    ) < -RCI_CRITICAL
}

/// Partners' CSI-4 totals in the same check-in further apart than this many
/// points raise a gentle flag.
///
/// Why 5: two scores measured with the CSI-4's noise differ by up to about
/// 1.96 · S_diff ≈ 3.1 points by chance alone (S_diff ≈ 1.56 with the SD and α
/// above), so the margin must sit clearly above that; 5 points is about one
/// standard deviation of the scale, a gap large enough that the two of you are
/// likely experiencing the relationship quite differently. This is a product
/// judgment built on those figures (a product choice), not a published cutoff.
pub const DIVERGENCE_MARGIN: u8 = 5;

// ---- rhythm ------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rhythm {
    Weekly,
    Fortnightly,
    Monthly,
}

impl Rhythm {
    pub const ALL: [Rhythm; 3] = [Rhythm::Weekly, Rhythm::Fortnightly, Rhythm::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Rhythm::Weekly => "weekly",
            Rhythm::Fortnightly => "fortnightly",
            Rhythm::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Rhythm::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Rhythm::Weekly => "Every week",
            Rhythm::Fortnightly => "Every two weeks",
            Rhythm::Monthly => "Once a month (the first such weekday)",
        }
    }

    /// How long a check-in stays open for answers. If both have not answered by
    /// then it is set aside quietly and the next one follows the rhythm.
    pub fn open_for(self) -> Duration {
        match self {
            Rhythm::Weekly => Duration::days(7),
            Rhythm::Fortnightly => Duration::days(14),
            Rhythm::Monthly => Duration::days(28),
        }
    }
}

crate::stored::try_from_stored!(Rhythm, "check-in rhythm");

pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

pub fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// The couple's rhythm: which weeks, which weekday and which hour (local to each partner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    pub rhythm: Rhythm,
    pub weekday: Weekday,
    pub hour: u32,
}

impl Default for Cadence {
    /// Weekly on Sunday at 19:00.
    fn default() -> Self {
        Cadence {
            rhythm: Rhythm::Weekly,
            weekday: Weekday::Sun,
            hour: 19,
        }
    }
}

/// `date` at `hour` in `tz`. A spring-forward gap moves to the first valid
/// instant an hour later; an autumn repeat takes the first of the two.
pub fn local_instant(date: NaiveDate, hour: u32, tz: Tz) -> DateTime<Utc> {
    let at = NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN);
    let naive = date.and_time(at);
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let later = naive + Duration::hours(1);
            tz.from_local_datetime(&later)
                .earliest()
                .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc))
        }
    }
}

impl Cadence {
    /// The first date at or after the anchor that is a check-in day: two-weekly
    /// rhythms count their weeks from it.
    fn base(&self, anchor: DateTime<Utc>, tz: Tz) -> NaiveDate {
        let mut d = anchor.with_timezone(&tz).date_naive();
        for _ in 0..400 {
            if self.day_matches(d, None) && local_instant(d, self.hour, tz) >= anchor {
                return d;
            }
            d = d.succ_opt().unwrap_or(d);
        }
        d
    }

    fn day_matches(&self, d: NaiveDate, base: Option<NaiveDate>) -> bool {
        if d.weekday() != self.weekday {
            return false;
        }
        match (self.rhythm, base) {
            (Rhythm::Weekly, _) | (Rhythm::Fortnightly, None) => true,
            (Rhythm::Fortnightly, Some(b)) => d >= b && (d - b).num_days() % 14 == 0,
            (Rhythm::Monthly, _) => d.day() <= 7,
        }
    }

    /// Every scheduled moment in `[from, to]` that is not before the anchor (the
    /// moment the rhythm was chosen), in time order.
    pub fn occurrences(
        &self,
        anchor: DateTime<Utc>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: Tz,
    ) -> Vec<DateTime<Utc>> {
        let base = self.base(anchor, tz);
        let start = from
            .max(anchor)
            .with_timezone(&tz)
            .date_naive()
            .pred_opt()
            .unwrap_or(base)
            .max(base);
        let end = to
            .with_timezone(&tz)
            .date_naive()
            .succ_opt()
            .unwrap_or(base);
        let mut out = Vec::new();
        let mut d = start;
        while d <= end {
            if self.day_matches(d, Some(base)) {
                let t = local_instant(d, self.hour, tz);
                if t >= from && t <= to && t >= anchor {
                    out.push(t);
                }
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        out
    }

    /// The next scheduled check-in strictly after `after`. A missed one is not
    /// carried: the rhythm simply moves on to the next date.
    pub fn next_after(&self, anchor: DateTime<Utc>, after: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        let horizon = after + Duration::days(70);
        self.occurrences(anchor, after, horizon, tz)
            .into_iter()
            .find(|t| *t > after)
            .unwrap_or(horizon)
    }

    /// The latest scheduled moment at or before `now`, if the rhythm has begun.
    pub fn latest_at_or_before(
        &self,
        anchor: DateTime<Utc>,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Option<DateTime<Utc>> {
        self.occurrences(anchor, now - Duration::days(70), now, tz)
            .into_iter()
            .last()
    }
}

/// Whether a new check-in should open by itself: a scheduled moment has passed
/// since the last one was opened.
pub fn open_due(
    latest_scheduled: Option<DateTime<Utc>>,
    last_opened: Option<DateTime<Utc>>,
) -> bool {
    match (latest_scheduled, last_opened) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(s), Some(o)) => o < s,
    }
}

/// Rule 4's count: scheduled periods (from one scheduled moment to the next) that
/// have fully passed without a completed check-in, counted back from the most
/// recent one. `scheduled` are the moments up to now, in order; a check-in
/// completed at any time within a period keeps it.
pub fn missed_in_a_row(scheduled: &[DateTime<Utc>], completed: &[DateTime<Utc>]) -> usize {
    let mut missed = 0;
    for w in scheduled.windows(2).rev() {
        let (start, end) = (w[0], w[1]);
        if completed.iter().any(|c| *c >= start && *c < end) {
            break;
        }
        missed += 1;
    }
    missed
}

// ---- sealing -----------------------------------------------------------------

/// What one partner sees of a check-in: nothing of the partner until both have
/// submitted ([`Reveal::Open`]); then their written answers, and their scores
/// only if they did not keep them private.
pub fn pair_view(mine_submitted: bool, partner_submitted: bool) -> Reveal {
    reveal(mine_submitted, partner_submitted)
}

pub fn partner_scores_visible(view: Reveal, partner_kept_private: bool) -> bool {
    view == Reveal::Open && !partner_kept_private
}

// ---- early warnings ------------------------------------------------------------

/// One completed check-in as one partner may see it: their own CSI-4 total, and
/// the partner's only if the partner shared it. Callers build this from what the
/// storage layer returned, so a private score is already absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub mine: Option<u8>,
    pub partner: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Rule 1: CSI-4 below 13.5 in the two latest check-ins.
    LowTwice,
    /// Rule 2: a drop beyond the reliable change index between the two latest check-ins.
    ReliableDrop,
    /// Rule 3: the partners' totals in the latest check-in are more than the margin apart.
    FarApart,
    /// Rule 4: two scheduled check-ins in a row passed without one.
    MissedTwice,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::LowTwice => "low_twice",
            WarningKind::ReliableDrop => "reliable_drop",
            WarningKind::FarApart => "far_apart",
            WarningKind::MissedTwice => "missed_twice",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum About {
    Me,
    Partner,
    Us,
}

impl About {
    pub fn as_str(self) -> &'static str {
        match self {
            About::Me => "me",
            About::Partner => "partner",
            About::Us => "us",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub about: About,
    /// The kind words shown first.
    pub message: String,
    /// What the warning is based on, in numbers.
    pub basis: String,
    /// What might help.
    pub suggestion: String,
}

const TALK_OR_HELP: &str = "It may help to set aside an unhurried time to talk about how things feel lately. \
     If it keeps feeling heavy, a couples counselor can help; see \"Finding help\".";

/// Whose scores a warning is about, for the wording.
fn whose(about: About, partner: &str) -> String {
    match about {
        About::Me => "Your".into(),
        _ => format!("{partner}'s"),
    }
}

fn low_twice(about: About, a: u8, b: u8, partner: &str) -> Warning {
    let cap = whose(about, partner);
    let message = match about {
        About::Me => "The last two check-ins suggest things have felt hard for you lately. That is worth being gentle about.".into(),
        _ => format!("The last two check-ins suggest things have felt hard for {partner} lately. A caring word could go a long way."),
    };
    Warning {
        kind: WarningKind::LowTwice,
        about,
        message,
        basis: format!(
            "{cap} CSI-4 totals in the last two check-ins were {a} and {b} out of 21, both below 13.5, \
             the point below which the scale's authors see signs of relationship distress."
        ),
        suggestion: TALK_OR_HELP.into(),
    }
}

fn dropped(about: About, before: u8, after: u8, partner: &str) -> Warning {
    let cap = whose(about, partner);
    let value = rci(
        f64::from(before),
        f64::from(after),
        CSI4_SD,
        CSI4_RELIABILITY,
    );
    let message = match about {
        About::Me => {
            "Your sense of the relationship dipped noticeably since the last check-in.".into()
        }
        _ => format!(
            "{partner}'s sense of the relationship dipped noticeably since the last check-in."
        ),
    };
    Warning {
        kind: WarningKind::ReliableDrop,
        about,
        message,
        basis: format!(
            "{cap} CSI-4 total went from {before} to {after}: a drop of {RELIABLE_DROP_POINTS} points or more, which \
             Rekindle flags (Jacobson & Truax's reliable-change rule with the CSI-4's published α of .94 and an SD of \
             about 4.5; index {value:.2}). Scores move from week to week more than α suggests, so take it as a reason \
             to talk, not as a measurement."
        ),
        suggestion: TALK_OR_HELP.into(),
    }
}

/// The early warnings one partner may see, from the completed check-ins they may
/// see (oldest first) and the couple's run of missed check-ins.
///
/// A partner's score that is absent (kept private, or not yet revealed) is never
/// guessed at: rules about the partner, and the gap between you, need both of the
/// partner's numbers to be visible; otherwise they stay silent.
pub fn warnings(points: &[Point], missed_in_a_row: usize, partner: &str) -> Vec<Warning> {
    let mut out = Vec::new();
    let last_two = match points {
        [.., a, b] => Some((*a, *b)),
        _ => None,
    };
    if let Some((prev, last)) = last_two {
        for (about, x1, x2) in [
            (About::Me, prev.mine, last.mine),
            (About::Partner, prev.partner, last.partner),
        ] {
            let (Some(x1), Some(x2)) = (x1, x2) else {
                continue;
            };
            if distressed(x1) && distressed(x2) {
                out.push(low_twice(about, x1, x2, partner));
            }
            if reliable_drop(x1, x2) {
                out.push(dropped(about, x1, x2, partner));
            }
        }
    }
    if let Some(Point {
        mine: Some(m),
        partner: Some(p),
    }) = points.last()
        && m.abs_diff(*p) > DIVERGENCE_MARGIN
    {
        out.push(Warning {
            kind: WarningKind::FarApart,
            about: About::Us,
            message: format!("You and {partner} seem to be experiencing the relationship quite differently right now."),
            basis: format!(
                "In the latest check-in your CSI-4 totals were {m} and {p}, {} points apart; \
                 Rekindle mentions gaps of more than {DIVERGENCE_MARGIN} points.",
                m.abs_diff(*p)
            ),
            suggestion: "Ask each other, with curiosity rather than defence, what the week was like from the other side. \
                         If talking about it keeps going badly, a couples counselor can help; see \"Finding help\"."
                .into(),
        });
    }
    if missed_in_a_row >= 2 {
        out.push(Warning {
            kind: WarningKind::MissedTwice,
            about: About::Us,
            message: "Life got busy: your last two check-ins did not happen. No harm done; the next one is a fresh start.".into(),
            basis: format!("{missed_in_a_row} scheduled check-ins in a row passed without one being completed."),
            suggestion: "If the rhythm no longer fits your weeks, choose another one together. \
                         If checking in has started to feel hard, that is worth talking about too, or bringing to a counselor."
                .into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reliable_drop_rule_is_a_drop_of_four_points_or_more() {
        for before in 0..=21u8 {
            for after in 0..=before {
                assert_eq!(
                    reliable_drop(before, after),
                    before - after >= RELIABLE_DROP_POINTS,
                    "{before} → {after}"
                );
            }
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn scores(csi: [u8; 4]) -> Scores {
        Scores {
            csi,
            tech: [0; 4],
            hours_together: 10,
            hours_device_free: 5,
        }
    }

    #[test]
    fn the_instruments_are_the_published_ones() {
        assert_eq!(CSI4[0].labels.len(), 7, "item 1 is scored 0–6");
        assert_eq!(CSI4[0].labels[0], "Extremely unhappy");
        assert_eq!(CSI4[0].labels[6], "Perfect");
        for item in &CSI4[1..] {
            assert_eq!(item.labels.len(), 6, "items 2–4 are scored 0–5");
        }
        assert_eq!(CSI4[1].labels[5], "Completely true");
        assert_eq!(
            CSI4[3].text,
            "In general, how satisfied are you with your relationship?"
        );
        assert_eq!(CSI4.iter().map(|i| u32::from(i.max())).sum::<u32>(), 21);
        assert!(
            TECHNOFERENCE
                .iter()
                .all(|i| i.labels == FREQUENCY && i.max() == 5)
        );
        assert!(CSI4_CITATION.contains("Funk") && TECHNOFERENCE_CITATION.contains("McDaniel"));
    }

    #[test]
    fn csi4_total_is_the_sum_and_distress_is_below_13_5() {
        assert_eq!(scores([0, 0, 0, 0]).csi_total(), 0);
        assert_eq!(scores([6, 5, 5, 5]).csi_total(), 21);
        // 3 + 4 + 3 + 3 = 13: below 13.5.
        let s = scores([3, 4, 3, 3]);
        assert_eq!(s.csi_total(), 13);
        assert!(distressed(13));
        assert!(!distressed(14));
    }

    #[test]
    fn technoference_is_the_mean_of_the_four_devices() {
        let s = Scores {
            csi: [3; 4],
            tech: [4, 2, 1, 0],
            hours_together: 0,
            hours_device_free: 0,
        };
        assert!((s.technoference() - 1.75).abs() < 1e-9);
    }

    #[test]
    fn answers_outside_the_scales_are_refused_field_by_field() {
        assert!(scores([6, 5, 5, 5]).problems().is_empty());
        let bad = Scores {
            csi: [7, 6, 0, 0],
            tech: [0, 0, 0, 6],
            hours_together: 4,
            hours_device_free: 5,
        };
        let fields: Vec<&str> = bad.problems().iter().map(|p| p.field()).collect();
        assert_eq!(fields, ["csi1", "csi2", "tech4", "hours_device_free"]);
        let week = Scores {
            hours_together: 169,
            ..scores([3; 4])
        };
        assert_eq!(week.problems(), [ScoreProblem::TooManyHours]);
    }

    #[test]
    fn reliable_change_index_worked_examples() {
        // Generic example: SD 4, r = .90: S_diff = 4 · √2 · √0.10 = 1.78885; 10 → 14 gives 4 / 1.78885 = 2.236.
        assert!((rci(10.0, 14.0, 4.0, 0.90) - 2.236_07).abs() < 1e-4);
        // With the CSI-4 figures used here (SD 4.5, α .94): S_diff = 4.5 · 1.41421 · 0.24495 = 1.55885.
        // 18 → 14 is −4 / 1.55885 = −2.566: beyond −1.96, a reliable drop.
        assert!((rci(18.0, 14.0, CSI4_SD, CSI4_RELIABILITY) + 2.566).abs() < 1e-3);
        assert!(reliable_drop(18, 14));
        // 18 → 15 is −3 / 1.55885 = −1.925: within noise.
        assert!((rci(18.0, 15.0, CSI4_SD, CSI4_RELIABILITY) + 1.925).abs() < 1e-3);
        assert!(!reliable_drop(18, 15));
        // A rise is never a drop.
        assert!(!reliable_drop(10, 20));
    }

    const P: &str = "Ben";

    fn kinds(w: &[Warning]) -> Vec<(WarningKind, About)> {
        w.iter().map(|w| (w.kind, w.about)).collect()
    }

    #[test]
    fn rule_1_below_the_cutoff_twice_in_a_row() {
        // My totals 12 then 13: both below 13.5, and 12 → 13 is no drop.
        let pts = [
            Point {
                mine: Some(12),
                partner: Some(16),
            },
            Point {
                mine: Some(13),
                partner: Some(16),
            },
        ];
        let w = warnings(&pts, 0, P);
        assert_eq!(kinds(&w), [(WarningKind::LowTwice, About::Me)]);
        assert!(
            w[0].basis.contains("12 and 13"),
            "says what it is based on: {}",
            w[0].basis
        );
        assert!(w[0].suggestion.contains("counselor"));
        // Once only is not twice in a row.
        let once = [
            Point {
                mine: Some(16),
                partner: Some(16),
            },
            Point {
                mine: Some(13),
                partner: Some(15),
            },
        ];
        assert!(warnings(&once, 0, P).is_empty());
        // The partner's low scores count only when both were shared.
        let theirs = [
            Point {
                mine: Some(16),
                partner: Some(10),
            },
            Point {
                mine: Some(16),
                partner: Some(11),
            },
        ];
        assert_eq!(
            kinds(&warnings(&theirs, 0, P))[0],
            (WarningKind::LowTwice, About::Partner)
        );
        let private = [
            Point {
                mine: Some(16),
                partner: Some(10),
            },
            Point {
                mine: Some(16),
                partner: None,
            },
        ];
        assert!(
            warnings(&private, 0, P).is_empty(),
            "a partner who kept scores private is never exposed"
        );
    }

    #[test]
    fn rule_2_a_drop_beyond_the_reliable_change_index() {
        let pts = [
            Point {
                mine: Some(19),
                partner: None,
            },
            Point {
                mine: Some(15),
                partner: None,
            },
        ];
        let w = warnings(&pts, 0, P);
        assert_eq!(kinds(&w), [(WarningKind::ReliableDrop, About::Me)]);
        assert!(
            w[0].basis.contains("19 to 15") && w[0].basis.contains("-2.57"),
            "{}",
            w[0].basis
        );
        let small = [
            Point {
                mine: Some(19),
                partner: None,
            },
            Point {
                mine: Some(16),
                partner: None,
            },
        ];
        assert!(warnings(&small, 0, P).is_empty());
        // The partner's drop shows only with both of their scores shared.
        let theirs = [
            Point {
                mine: Some(17),
                partner: Some(20),
            },
            Point {
                mine: Some(17),
                partner: Some(14),
            },
        ];
        assert!(
            kinds(&warnings(&theirs, 0, P)).contains(&(WarningKind::ReliableDrop, About::Partner))
        );
        let hidden = [
            Point {
                mine: Some(17),
                partner: None,
            },
            Point {
                mine: Some(17),
                partner: Some(14),
            },
        ];
        assert!(warnings(&hidden, 0, P).is_empty());
    }

    #[test]
    fn rule_3_partners_far_apart() {
        // 20 and 14 are 6 points apart: more than the margin of 5.
        let w = warnings(
            &[Point {
                mine: Some(20),
                partner: Some(14),
            }],
            0,
            P,
        );
        assert_eq!(kinds(&w), [(WarningKind::FarApart, About::Us)]);
        assert!(w[0].basis.contains("6 points apart"));
        // Exactly 5 apart is within the margin.
        assert!(
            warnings(
                &[Point {
                    mine: Some(19),
                    partner: Some(14)
                }],
                0,
                P
            )
            .is_empty()
        );
        // Unknown partner score: no comparison at all.
        assert!(
            warnings(
                &[Point {
                    mine: Some(20),
                    partner: None
                }],
                0,
                P
            )
            .is_empty()
        );
    }

    #[test]
    fn rule_4_two_missed_in_a_row() {
        let w = warnings(&[], 2, P);
        assert_eq!(kinds(&w), [(WarningKind::MissedTwice, About::Us)]);
        assert!(
            !w[0].message.to_lowercase().contains("fail"),
            "worded kindly"
        );
        assert!(warnings(&[], 1, P).is_empty());
        // Weekly on Sundays; check-ins completed in the first week only.
        let sundays: Vec<_> = [
            "2026-03-01T18:00:00Z",
            "2026-03-08T18:00:00Z",
            "2026-03-15T18:00:00Z",
            "2026-03-22T18:00:00Z",
        ]
        .iter()
        .map(|s| utc(s))
        .collect();
        let done = [utc("2026-03-02T20:00:00Z")];
        // Periods 8–15 and 15–22 passed with nothing: two in a row.
        assert_eq!(missed_in_a_row(&sundays, &done), 2);
        let later = [utc("2026-03-02T20:00:00Z"), utc("2026-03-16T09:00:00Z")];
        assert_eq!(missed_in_a_row(&sundays, &later), 0);
        assert_eq!(
            missed_in_a_row(&sundays[..1], &[]),
            0,
            "nothing has passed yet"
        );
    }

    #[test]
    fn the_next_check_in_follows_the_rhythm_in_local_time() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let weekly = Cadence::default(); // Sundays 19:00
        // Chosen on Wednesday 4 March 2026: next is Sunday 8 March, 19:00 CET = 18:00 UTC.
        let anchor = utc("2026-03-04T10:00:00Z");
        assert_eq!(
            weekly.next_after(anchor, anchor, berlin),
            utc("2026-03-08T18:00:00Z")
        );
        // Missed: on Monday the rhythm simply moves on to the following Sunday.
        assert_eq!(
            weekly.next_after(anchor, utc("2026-03-09T08:00:00Z"), berlin),
            utc("2026-03-15T18:00:00Z")
        );
        // Every two weeks counts from the first check-in day.
        let fortnightly = Cadence {
            rhythm: Rhythm::Fortnightly,
            ..weekly
        };
        assert_eq!(
            fortnightly.next_after(anchor, utc("2026-03-08T18:30:00Z"), berlin),
            utc("2026-03-22T18:00:00Z")
        );
        // Monthly: the first Sunday of each month.
        let monthly = Cadence {
            rhythm: Rhythm::Monthly,
            ..weekly
        };
        assert_eq!(
            monthly.next_after(anchor, anchor, berlin),
            utc("2026-04-05T17:00:00Z"),
            "CEST by April"
        );
        let occ = weekly.occurrences(anchor, anchor, utc("2026-03-23T00:00:00Z"), berlin);
        assert_eq!(occ.len(), 3);
        assert_eq!(
            weekly.latest_at_or_before(anchor, utc("2026-03-10T00:00:00Z"), berlin),
            Some(utc("2026-03-08T18:00:00Z"))
        );
        assert_eq!(
            weekly.latest_at_or_before(anchor, utc("2026-03-05T00:00:00Z"), berlin),
            None,
            "not before it was chosen"
        );
    }

    #[test]
    fn check_in_times_survive_daylight_saving_changes() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // Sundays 19:00 local: 8 March 2026 is the spring-forward day (EST → EDT).
        let weekly = Cadence::default();
        let anchor = utc("2026-03-02T12:00:00Z");
        assert_eq!(
            weekly.next_after(anchor, anchor, ny),
            utc("2026-03-08T23:00:00Z"),
            "19:00 EDT"
        );
        assert_eq!(
            weekly.next_after(anchor, utc("2026-03-01T00:00:00Z"), ny),
            utc("2026-03-08T23:00:00Z")
        );
        // The Sunday before was still EST: 19:00 = 00:00 UTC next day.
        let early = utc("2026-02-23T12:00:00Z");
        assert_eq!(
            weekly.next_after(early, early, ny),
            utc("2026-03-02T00:00:00Z")
        );
        // A 02:00 check-in on the spring-forward day moves to 03:00 EDT.
        let at_two = Cadence { hour: 2, ..weekly };
        assert_eq!(
            at_two.next_after(anchor, anchor, ny),
            utc("2026-03-08T07:00:00Z")
        );
        // 1 November 2026: 01:00 happens twice; the first counts.
        let at_one = Cadence { hour: 1, ..weekly };
        let oct = utc("2026-10-27T12:00:00Z");
        assert_eq!(at_one.next_after(oct, oct, ny), utc("2026-11-01T05:00:00Z"));
    }

    #[test]
    fn a_check_in_opens_by_itself_once_its_time_has_come() {
        let s = utc("2026-03-08T18:00:00Z");
        assert!(!open_due(None, None), "not before the first scheduled time");
        assert!(open_due(Some(s), None));
        assert!(
            open_due(Some(s), Some(utc("2026-03-04T10:00:00Z"))),
            "an early one does not count for the next date"
        );
        assert!(!open_due(Some(s), Some(utc("2026-03-08T18:05:00Z"))));
    }

    #[test]
    fn submissions_are_sealed_and_private_scores_stay_private() {
        assert_eq!(
            pair_view(false, true),
            Reveal::AwaitingMe,
            "nothing about the partner before I submit"
        );
        assert_eq!(pair_view(true, false), Reveal::AwaitingPartner);
        assert_eq!(pair_view(true, true), Reveal::Open);
        assert!(partner_scores_visible(Reveal::Open, false));
        assert!(!partner_scores_visible(Reveal::Open, true));
        assert!(!partner_scores_visible(Reveal::AwaitingPartner, false));
        assert!(!partner_scores_visible(Reveal::AwaitingMe, false));
    }

    #[test]
    fn rhythms_round_trip() {
        for r in Rhythm::ALL {
            assert_eq!(Rhythm::parse(r.as_str()), Some(r));
        }
        assert_eq!(Rhythm::parse("daily"), None);
    }
}
