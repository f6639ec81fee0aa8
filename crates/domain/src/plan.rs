//! Step 6's action plan and reminder rules: who an action belongs to, when it
//! recurs (an RFC 5545 RRULE subset), which occurrences are done, open or still
//! open from earlier (never a score), whether an assignment needs the partner's
//! acceptance, and which reminders are due for a person at a given instant.
//!
//! Actions fall on local dates (all-day): an occurrence is a date in the
//! person's own time zone. Times of day only matter for reminders, which are
//! resolved to instants with the DST rules of RFC 5545 (a local time that does
//! not exist moves forward by the length of the gap; a repeated one takes the first).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

// ---- owners and acceptance ------------------------------------------------------

/// Whose action it is, as the person creating it says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    Me,
    Partner,
    Both,
}

impl Owner {
    pub const ALL: [Owner; 3] = [Owner::Me, Owner::Partner, Owner::Both];

    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Me => "me",
            Owner::Partner => "partner",
            Owner::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Owner::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Owner::Me => "Me",
            Owner::Partner => "My partner",
            Owner::Both => "Both of us",
        }
    }

    /// An action that puts something on the partner's plate waits for their yes.
    pub fn needs_acceptance(self) -> bool {
        matches!(self, Owner::Partner | Owner::Both)
    }

    /// The state a new action starts in.
    pub fn initial_state(self) -> Assignment {
        if self.needs_acceptance() {
            Assignment::Proposed
        } else {
            Assignment::Accepted
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    Proposed,
    Accepted,
    Declined,
}

impl Assignment {
    pub fn as_str(self) -> &'static str {
        match self {
            Assignment::Proposed => "proposed",
            Assignment::Accepted => "accepted",
            Assignment::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Assignment::Proposed,
            Assignment::Accepted,
            Assignment::Declined,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

crate::stored::try_from_stored!(Assignment, "action assignment");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRefusal {
    /// Only the partner it was proposed to answers a proposal.
    NotTheirs,
    /// It was already answered.
    AlreadyAnswered,
}

/// Whether `answerer` may accept or decline a proposal made by `creator`.
pub fn may_answer(state: Assignment, creator: &str, answerer: &str) -> Result<(), AnswerRefusal> {
    if creator == answerer {
        return Err(AnswerRefusal::NotTheirs);
    }
    if state != Assignment::Proposed {
        return Err(AnswerRefusal::AlreadyAnswered);
    }
    Ok(())
}

// ---- recurrence: an RRULE subset ---------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freq {
    Daily,
    /// On these weekdays (Monday first, no repeats); empty means the start date's weekday.
    Weekly(Vec<Weekday>),
    /// On this day of the month (1–31); months without it are skipped, as RFC 5545 says.
    Monthly(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    pub freq: Freq,
    /// Every n days / weeks / months (1–365).
    pub interval: u32,
    /// The last date an occurrence may fall on.
    pub until: Option<NaiveDate>,
    /// How many occurrences in total (1–1000).
    pub count: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RruleError(pub String);

impl std::fmt::Display for RruleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(m: impl Into<String>) -> Result<T, RruleError> {
    Err(RruleError(m.into()))
}

pub fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

pub fn parse_weekday_code(s: &str) -> Option<Weekday> {
    // Compared without an upper-cased copy: the plan expands every repeating
    // action's rule on each view, and a copy per day tried added up.
    let s = s.trim();
    crate::checkin::WEEKDAYS
        .into_iter()
        .find(|d| weekday_code(*d).eq_ignore_ascii_case(s))
}

const MAX_INTERVAL: u32 = 365;
const MAX_COUNT: u32 = 1000;

impl Recurrence {
    pub fn daily() -> Self {
        Recurrence {
            freq: Freq::Daily,
            interval: 1,
            until: None,
            count: None,
        }
    }

    /// Parses the subset: `FREQ=DAILY|WEEKLY|MONTHLY`, `INTERVAL`, `BYDAY` (weekly,
    /// plain two-letter days), `BYMONTHDAY` (monthly, one day 1–31), `UNTIL`
    /// (a date, or a UTC date-time whose date is taken), `COUNT`. An optional
    /// `RRULE:` prefix is accepted.
    pub fn parse(text: &str) -> Result<Self, RruleError> {
        let text = text.trim();
        let text = text
            .strip_prefix("RRULE:")
            .or_else(|| text.strip_prefix("rrule:"))
            .unwrap_or(text);
        let mut freq = None;
        let mut interval = 1;
        let mut until = None;
        let mut count = None;
        let mut byday: Option<Vec<Weekday>> = None;
        let mut bymonthday: Option<u32> = None;
        for part in text.split(';').filter(|p| !p.trim().is_empty()) {
            let Some((k, v)) = part.split_once('=') else {
                return err(format!("\"{part}\" is not NAME=VALUE"));
            };
            let v = v.trim();
            match k.trim().to_ascii_uppercase().as_str() {
                "FREQ" => {
                    freq = Some(
                        match ["DAILY", "WEEKLY", "MONTHLY"]
                            .into_iter()
                            .find(|f| f.eq_ignore_ascii_case(v))
                        {
                            Some(f) => f,
                            None => return err("FREQ must be DAILY, WEEKLY or MONTHLY"),
                        },
                    )
                }
                "INTERVAL" => match v.parse::<u32>() {
                    Ok(n) if (1..=MAX_INTERVAL).contains(&n) => interval = n,
                    _ => return err("INTERVAL must be a whole number from 1 to 365"),
                },
                "COUNT" => match v.parse::<u32>() {
                    Ok(n) if (1..=MAX_COUNT).contains(&n) => count = Some(n),
                    _ => return err("COUNT must be a whole number from 1 to 1000"),
                },
                "UNTIL" => {
                    let date = v.get(..8).unwrap_or("");
                    match NaiveDate::parse_from_str(date, "%Y%m%d") {
                        Ok(d) if v.len() == 8 || v.len() == 16 => until = Some(d),
                        _ => return err("UNTIL must be a date such as 20270131"),
                    }
                }
                "BYDAY" => {
                    let mut days = Vec::new();
                    for code in v.split(',') {
                        match parse_weekday_code(code) {
                            Some(d) if !days.contains(&d) => days.push(d),
                            Some(_) => {}
                            None => return err("BYDAY takes days such as MO,WE,FR"),
                        }
                    }
                    days.sort_by_key(|d| d.num_days_from_monday());
                    byday = Some(days);
                }
                "BYMONTHDAY" => match v.parse::<u32>() {
                    Ok(n) if (1..=31).contains(&n) => bymonthday = Some(n),
                    _ => return err("BYMONTHDAY must be one day from 1 to 31"),
                },
                "WKST" if v.eq_ignore_ascii_case("MO") => {}
                other => return err(format!("{other} is not supported here")),
            }
        }
        if until.is_some() && count.is_some() {
            return err("use UNTIL or COUNT, not both");
        }
        let freq = match (freq, byday, bymonthday) {
            (None, _, _) => return err("FREQ is missing"),
            (Some("DAILY"), None, None) => Freq::Daily,
            (Some("WEEKLY"), days, None) => Freq::Weekly(days.unwrap_or_default()),
            (Some("MONTHLY"), None, day) => Freq::Monthly(day.unwrap_or(0)),
            (Some(_), Some(_), _) => return err("BYDAY goes with FREQ=WEEKLY only"),
            (Some(_), _, Some(_)) => return err("BYMONTHDAY goes with FREQ=MONTHLY only"),
            (Some(_), None, None) => return err("FREQ must be DAILY, WEEKLY or MONTHLY"),
        };
        Ok(Recurrence {
            freq,
            interval,
            until,
            count,
        })
    }

    /// Fills in what the start date implies (BYDAY for weekly, BYMONTHDAY for
    /// monthly), so the stored rule reads the same in every calendar.
    pub fn anchored(mut self, start: NaiveDate) -> Self {
        match &mut self.freq {
            Freq::Weekly(days) if days.is_empty() => days.push(start.weekday()),
            Freq::Monthly(day) if *day == 0 => *day = start.day(),
            _ => {}
        }
        self
    }

    /// The RRULE value (without the `RRULE:` name), in a fixed order.
    pub fn format(&self) -> String {
        let mut out = match &self.freq {
            Freq::Daily => "FREQ=DAILY".to_owned(),
            Freq::Weekly(_) => "FREQ=WEEKLY".to_owned(),
            Freq::Monthly(_) => "FREQ=MONTHLY".to_owned(),
        };
        if self.interval > 1 {
            out.push_str(&format!(";INTERVAL={}", self.interval));
        }
        match &self.freq {
            Freq::Weekly(days) if !days.is_empty() => {
                let codes: Vec<&str> = days.iter().map(|d| weekday_code(*d)).collect();
                out.push_str(&format!(";BYDAY={}", codes.join(",")));
            }
            Freq::Monthly(day) if *day > 0 => out.push_str(&format!(";BYMONTHDAY={day}")),
            _ => {}
        }
        if let Some(u) = self.until {
            out.push_str(&format!(";UNTIL={}", u.format("%Y%m%d")));
        }
        if let Some(c) = self.count {
            out.push_str(&format!(";COUNT={c}"));
        }
        out
    }

    /// Plain words for the page: "Every 2 weeks on Monday, Wednesday".
    pub fn describe(&self) -> String {
        let n = self.interval;
        let mut s = match &self.freq {
            Freq::Daily if n == 1 => "Every day".to_owned(),
            Freq::Daily => format!("Every {n} days"),
            Freq::Weekly(days) => {
                let names: Vec<&str> = days
                    .iter()
                    .map(|d| crate::checkin::weekday_name(*d))
                    .collect();
                let every = if n == 1 {
                    "Every week".to_owned()
                } else {
                    format!("Every {n} weeks")
                };
                if names.is_empty() {
                    every
                } else {
                    format!("{every} on {}", names.join(", "))
                }
            }
            Freq::Monthly(day) => {
                let every = if n == 1 {
                    "Every month".to_owned()
                } else {
                    format!("Every {n} months")
                };
                if *day > 0 {
                    format!("{every} on day {day}")
                } else {
                    every
                }
            }
        };
        if let Some(u) = self.until {
            s.push_str(&format!(", until {}", u.format("%-d %B %Y")));
        }
        if let Some(c) = self.count {
            s.push_str(&format!(", {c} times"));
        }
        s
    }

    fn matches(&self, start: NaiveDate, d: NaiveDate) -> bool {
        if d < start {
            return false;
        }
        let n = i64::from(self.interval.max(1));
        match &self.freq {
            Freq::Daily => (d - start).num_days() % n == 0,
            Freq::Weekly(days) => {
                let on_day = if days.is_empty() {
                    d.weekday() == start.weekday()
                } else {
                    days.contains(&d.weekday())
                };
                // Weeks start on Monday (WKST=MO) and are counted from the start's week.
                let week0 =
                    start - Duration::days(i64::from(start.weekday().num_days_from_monday()));
                let weeks = (d - week0).num_days() / 7;
                on_day && weeks % n == 0
            }
            Freq::Monthly(day) => {
                let day = if *day == 0 { start.day() } else { *day };
                let months = (i64::from(d.year()) - i64::from(start.year())) * 12
                    + i64::from(d.month())
                    - i64::from(start.month());
                d.day() == day && months % n == 0
            }
        }
    }
}

/// An action's dates: the due date, and its rule when it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub start: NaiveDate,
    pub rule: Option<Recurrence>,
}

/// How far expansion looks for one call; a year of daily occurrences is plenty.
const MAX_SPAN_DAYS: i64 = 800;

impl Schedule {
    /// Every occurrence date in `[from, to]`, in order. The first occurrence is
    /// the first date on or after the chosen start that matches the rule (a
    /// weekly Mon/Wed/Fri action started on a Saturday first falls on Monday);
    /// COUNT counts from it. This is the date a calendar gets as DTSTART, so
    /// every RFC 5545 client expands the same dates as the plan (a DTSTART that
    /// does not match its rule leaves the recurrence set undefined).
    pub fn occurrences(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        self.occurrences_between(from, to).collect()
    }

    /// [`Self::occurrences`] one at a time, so a caller that needs the first
    /// (the next date, whether a day has one) stops there instead of listing a
    /// year of a daily action.
    pub fn occurrences_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = NaiveDate> + '_ {
        let (mut d, to, limit) = match &self.rule {
            None => (self.start, to, self.start),
            Some(rule) => {
                let to = match rule.until {
                    Some(u) => to.min(u),
                    None => to,
                };
                // COUNT needs counting from the start; otherwise begin at `from`.
                let d = if rule.count.is_some() {
                    self.start
                } else {
                    from.max(self.start)
                };
                (d, to, d + Duration::days(MAX_SPAN_DAYS))
            }
        };
        let mut seen = 0u32;
        let mut over = false;
        std::iter::from_fn(move || {
            let Some(rule) = &self.rule else {
                // A one-off: its start, if it is in the window.
                if over {
                    return None;
                }
                over = true;
                return (self.start >= from && self.start <= to).then_some(self.start);
            };
            while !over && d <= to && d <= limit {
                let here = d;
                match d.succ_opt() {
                    Some(n) => d = n,
                    None => over = true,
                }
                if rule.matches(self.start, here) {
                    seen += 1;
                    if rule.count.is_some_and(|c| seen > c) {
                        over = true;
                        return None;
                    }
                    if here >= from {
                        return Some(here);
                    }
                }
            }
            None
        })
    }

    /// The first occurrence: the start itself for a one-off, else the first date
    /// on or after the start that matches the rule. `None` when the rule has no
    /// date at all (an UNTIL before the first match).
    pub fn first_occurrence(&self) -> Option<NaiveDate> {
        self.occurrences(self.start, self.start + Duration::days(MAX_SPAN_DAYS))
            .first()
            .copied()
    }

    /// Whether an occurrence falls on `d`.
    pub fn falls_on(&self, d: NaiveDate) -> bool {
        self.occurrences_between(d, d).next() == Some(d)
    }

    /// The first occurrence on or after `d`.
    pub fn next_on_or_after(&self, d: NaiveDate) -> Option<NaiveDate> {
        self.occurrences_between(d, d + Duration::days(400)).next()
    }
}

/// The local date at an instant in a time zone.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// `date` at `time` in `tz` as an instant. A time inside a spring-forward gap is
/// read with the offset before the gap (so 02:30 becomes 03:30 summer time, as
/// RFC 5545 §3.3.5 says); a time that happens twice takes the first.
pub fn local_instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            // The offset in force just before the gap.
            let before = naive - Duration::hours(3);
            let offset = tz
                .from_local_datetime(&before)
                .earliest()
                .map(|t| t.offset().fix().local_minus_utc())
                .unwrap_or(0);
            Utc.from_utc_datetime(&(naive - Duration::seconds(i64::from(offset))))
        }
    }
}

use chrono::Offset;

// ---- the plan as a person sees it ----------------------------------------------------

/// Where one occurrence stands for the person looking, relative to their today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Done,
    Today,
    Upcoming,
    /// Its date has passed and it is not marked done. Shown gently ("still open
    /// from earlier"), never counted against anyone.
    StillOpen,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Done => "done",
            Standing::Today => "today",
            Standing::Upcoming => "upcoming",
            Standing::StillOpen => "still_open",
        }
    }
}

/// How far back a missed occurrence of a repeating action stays on the list.
/// Older ones simply drop off: the next one is a fresh start.
pub const LOOK_BACK_DAYS: i64 = 7;

pub fn standing(date: NaiveDate, today: NaiveDate, done: bool) -> Standing {
    if done {
        Standing::Done
    } else if date == today {
        Standing::Today
    } else if date > today {
        Standing::Upcoming
    } else {
        Standing::StillOpen
    }
}

/// The occurrences worth showing around `today`: open ones from the last week
/// (a one-off stays until done, however old), today, and the next one ahead.
pub fn open_occurrences(
    s: &Schedule,
    today: NaiveDate,
    is_done: impl Fn(NaiveDate) -> bool,
) -> Vec<(NaiveDate, Standing)> {
    let mut out = Vec::new();
    if s.rule.is_none() {
        if !is_done(s.start) {
            out.push((s.start, standing(s.start, today, false)));
        }
        return out;
    }
    for d in s.occurrences(today - Duration::days(LOOK_BACK_DAYS), today) {
        if !is_done(d) {
            out.push((d, standing(d, today, false)));
        }
    }
    if let Some(next) = s.next_on_or_after(today + Duration::days(1)) {
        out.push((next, Standing::Upcoming));
    }
    out
}

/// The latest done/undo event per occurrence decides; the history keeps them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneEvent {
    pub date: NaiveDate,
    pub done: bool,
    pub at_ms: i64,
}

pub fn done_dates(events: &[DoneEvent]) -> Vec<NaiveDate> {
    let mut latest: std::collections::BTreeMap<NaiveDate, (i64, bool)> = Default::default();
    for e in events {
        let entry = latest.entry(e.date).or_insert((i64::MIN, false));
        if e.at_ms >= entry.0 {
            *entry = (e.at_ms, e.done);
        }
    }
    latest
        .into_iter()
        .filter(|(_, (_, done))| *done)
        .map(|(d, _)| d)
        .collect()
}

// ---- reminders -------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    Actions,
    FollowUps,
    Talks,
    Checkins,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 4] = [
        ReminderKind::Actions,
        ReminderKind::FollowUps,
        ReminderKind::Talks,
        ReminderKind::Checkins,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Actions => "actions",
            ReminderKind::FollowUps => "follow_ups",
            ReminderKind::Talks => "talks",
            ReminderKind::Checkins => "checkins",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ReminderKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            ReminderKind::Actions => "Actions due that day",
            ReminderKind::FollowUps => "Follow-ups on agreements",
            ReminderKind::Talks => "Planned talks",
            ReminderKind::Checkins => "Check-ins",
        }
    }
}

/// A person's reminder choices. Nothing is on until they choose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPrefs {
    pub kinds: Vec<ReminderKind>,
    /// Local time of day the reminder goes out.
    pub at: NaiveTime,
    pub tz: Tz,
}

impl ReminderPrefs {
    pub fn kinds_text(kinds: &[ReminderKind]) -> String {
        let mut ks: Vec<ReminderKind> = kinds.to_vec();
        ks.sort();
        ks.dedup();
        ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
    }

    pub fn parse_kinds(text: &str) -> Vec<ReminderKind> {
        let mut ks: Vec<ReminderKind> = text.split(',').filter_map(ReminderKind::parse).collect();
        ks.sort();
        ks.dedup();
        ks
    }
}

/// One reminder to send: sent once per person, kind and local date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    pub kind: ReminderKind,
    pub date: NaiveDate,
    /// When it became due.
    pub due_at: DateTime<Utc>,
    pub key: String,
}

pub fn reminder_key(person: &str, kind: ReminderKind, date: NaiveDate) -> String {
    format!("{person}:{}:{}", kind.as_str(), date.format("%Y-%m-%d"))
}

/// The reminders due for `person` at `now`: for each kind they chose with
/// something planned on their local today (`planned(kind, date)`), once the
/// chosen local time has come. A day that has passed is not caught up the next
/// day: a late reminder about yesterday helps nobody.
pub fn due_reminders(
    person: &str,
    prefs: &ReminderPrefs,
    now: DateTime<Utc>,
    planned: impl Fn(ReminderKind, NaiveDate) -> bool,
) -> Vec<DueReminder> {
    let today = local_date(now, prefs.tz);
    let due_at = local_instant(today, prefs.at, prefs.tz);
    if now < due_at {
        return Vec::new();
    }
    prefs
        .kinds
        .iter()
        .filter(|k| planned(**k, today))
        .map(|k| DueReminder {
            kind: *k,
            date: today,
            due_at,
            key: reminder_key(person, *k, today),
        })
        .collect()
}

/// Waiting time before the next attempt after `attempts` failed sends:
/// 1, 2, 4, … minutes, at most six hours.
pub fn retry_backoff(attempts: u32) -> Duration {
    let exp = attempts.saturating_sub(1).min(16);
    let minutes = 1i64 << exp;
    Duration::minutes(minutes.min(360))
}

/// After this many failed attempts a reminder is given up (and logged).
pub const MAX_SEND_ATTEMPTS: u32 = 8;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_one_off_occurs_once_and_only_inside_the_window() {
        let s = Schedule {
            start: d("2027-03-10"),
            rule: None,
        };
        assert_eq!(
            s.occurrences(d("2027-03-01"), d("2027-03-31")),
            [d("2027-03-10")]
        );
        assert!(s.occurrences(d("2027-03-01"), d("2027-03-09")).is_empty());
        assert!(s.occurrences(d("2027-03-11"), d("2027-03-31")).is_empty());
        assert!(s.falls_on(d("2027-03-10")) && !s.falls_on(d("2027-03-11")));
        assert_eq!(s.next_on_or_after(d("2027-03-01")), Some(d("2027-03-10")));
        assert_eq!(s.next_on_or_after(d("2027-03-11")), None);
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    const BERLIN: Tz = chrono_tz::Europe::Berlin;

    #[test]
    fn rrules_round_trip() {
        for text in [
            "FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=3;COUNT=5",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20271231",
            "FREQ=MONTHLY;BYMONTHDAY=31",
        ] {
            let r = Recurrence::parse(text).unwrap();
            assert_eq!(r.format(), text);
        }
        let r = Recurrence::parse("RRULE:freq=weekly;byday=fr,mo,mo").unwrap();
        assert_eq!(r.format(), "FREQ=WEEKLY;BYDAY=MO,FR");
        let r = Recurrence::parse("FREQ=DAILY;UNTIL=20270105T225959Z").unwrap();
        assert_eq!(r.until, Some(d("2027-01-05")));
    }

    #[test]
    fn unsupported_or_wrong_rules_say_why() {
        for bad in [
            "",
            "FREQ=YEARLY",
            "FREQ=DAILY;BYDAY=MO",
            "FREQ=WEEKLY;BYDAY=XX",
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;COUNT=2;UNTIL=20270101",
            "FREQ=DAILY;BYHOUR=3",
            "nonsense",
        ] {
            assert!(Recurrence::parse(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn weekly_on_chosen_days_every_other_week() {
        let s = Schedule {
            start: d("2027-03-01"), // a Monday
            rule: Some(Recurrence::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH").unwrap()),
        };
        assert_eq!(
            s.occurrences(d("2027-03-01"), d("2027-03-31")),
            vec![
                d("2027-03-01"),
                d("2027-03-04"),
                d("2027-03-15"),
                d("2027-03-18"),
                d("2027-03-29")
            ]
        );
    }

    #[test]
    fn monthly_skips_months_without_the_day_and_count_stops() {
        let s = Schedule {
            start: d("2027-01-31"),
            rule: Some(Recurrence::parse("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3").unwrap()),
        };
        assert_eq!(
            s.occurrences(d("2027-01-01"), d("2027-12-31")),
            vec![d("2027-01-31"), d("2027-03-31"), d("2027-05-31")]
        );
        let daily = Schedule {
            start: d("2027-01-01"),
            rule: Some(Recurrence::parse("FREQ=DAILY;UNTIL=20270103").unwrap()),
        };
        assert_eq!(daily.occurrences(d("2026-12-01"), d("2027-02-01")).len(), 3);
        assert!(daily.falls_on(d("2027-01-02")));
        assert!(!daily.falls_on(d("2027-01-04")));
    }

    fn sched(start: &str, rule: &str) -> Schedule {
        Schedule {
            start: d(start),
            rule: Some(Recurrence::parse(rule).unwrap().anchored(d(start))),
        }
    }

    fn dates(list: &[&str]) -> Vec<NaiveDate> {
        list.iter().map(|x| d(x)).collect()
    }

    #[test]
    fn a_weekly_action_started_on_a_day_off_its_rule_first_falls_on_the_next_matching_day() {
        // Saturday 6 March 2027, Mon/Wed/Fri: the Saturday is no occurrence.
        let s = sched("2027-03-06", "FREQ=WEEKLY;BYDAY=MO,WE,FR");
        assert_eq!(s.first_occurrence(), Some(d("2027-03-08")));
        assert!(!s.falls_on(d("2027-03-06")));
        assert_eq!(
            s.occurrences(d("2027-03-01"), d("2027-03-14")),
            dates(&["2027-03-08", "2027-03-10", "2027-03-12"])
        );
        // Every other week: the weeks are counted from the chosen start's week
        // (WKST=MO), and the first occurrence lies in such a week, so a calendar
        // counting from DTSTART = the first occurrence gets the same dates.
        let s = sched("2027-03-06", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO");
        assert_eq!(s.first_occurrence(), Some(d("2027-03-15")));
        assert_eq!(
            s.occurrences(d("2027-03-01"), d("2027-04-15")),
            dates(&["2027-03-15", "2027-03-29", "2027-04-12"])
        );
        // Without BYDAY the chosen day is the rule's day.
        let s = sched("2027-03-06", "FREQ=WEEKLY");
        assert_eq!(s.first_occurrence(), Some(d("2027-03-06")));
    }

    #[test]
    fn daily_starts_on_the_chosen_day() {
        let s = sched("2027-03-06", "FREQ=DAILY;INTERVAL=3;COUNT=3");
        assert_eq!(s.first_occurrence(), Some(d("2027-03-06")));
        assert_eq!(
            s.occurrences(d("2027-01-01"), d("2027-12-31")),
            dates(&["2027-03-06", "2027-03-09", "2027-03-12"])
        );
    }

    #[test]
    fn monthly_on_the_31st_started_mid_february_first_falls_on_31_march() {
        let s = sched("2027-02-10", "FREQ=MONTHLY;BYMONTHDAY=31");
        assert_eq!(s.first_occurrence(), Some(d("2027-03-31")));
        assert!(!s.falls_on(d("2027-02-10")));
        assert_eq!(
            s.occurrences(d("2027-02-01"), d("2027-08-31")),
            dates(&["2027-03-31", "2027-05-31", "2027-07-31", "2027-08-31"])
        );
        // Every other month, counted from the chosen start's month: Feb, Apr, Jun, Aug…
        let s = sched("2027-02-10", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31");
        assert_eq!(
            s.occurrences(d("2027-02-01"), d("2027-12-31")),
            dates(&["2027-08-31", "2027-10-31", "2027-12-31"])
        );
    }

    #[test]
    fn count_counts_from_the_first_matching_date_and_until_may_leave_nothing() {
        let s = sched("2027-03-06", "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=4");
        assert_eq!(
            s.occurrences(d("2027-01-01"), d("2027-12-31")),
            dates(&["2027-03-08", "2027-03-10", "2027-03-12", "2027-03-15"])
        );
        let s = sched("2027-03-06", "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270310");
        assert_eq!(
            s.occurrences(d("2027-01-01"), d("2027-12-31")),
            dates(&["2027-03-08", "2027-03-10"])
        );
        let s = sched("2027-03-06", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270307");
        assert_eq!(s.first_occurrence(), None);
        assert!(s.occurrences(d("2027-01-01"), d("2027-12-31")).is_empty());
        let s = sched("2027-02-10", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=2");
        assert_eq!(
            s.occurrences(d("2027-01-01"), d("2027-12-31")),
            dates(&["2027-03-31", "2027-05-31"])
        );
    }

    #[test]
    fn today_is_the_persons_local_date_not_utcs() {
        // Sunday 7 March 2027, 20:00 UTC is already Monday 05:00 in Tokyo.
        let now = t("2027-03-07T20:00:00Z");
        let s = sched("2027-03-06", "FREQ=WEEKLY;BYDAY=MO,WE,FR");
        let tokyo = local_date(now, chrono_tz::Asia::Tokyo);
        assert_eq!(tokyo, d("2027-03-08"));
        let open = open_occurrences(&s, tokyo, |_| false);
        assert_eq!(
            open,
            vec![
                (d("2027-03-08"), Standing::Today),
                (d("2027-03-10"), Standing::Upcoming)
            ]
        );
        // In UTC it is still Sunday: nothing today, the Saturday start is not
        // "still open", Monday is next.
        let utc = local_date(now, chrono_tz::UTC);
        assert_eq!(
            open_occurrences(&s, utc, |_| false),
            vec![(d("2027-03-08"), Standing::Upcoming)]
        );
        // The reminder for Tokyo's Monday is due; on UTC's Sunday nothing is planned.
        let prefs = ReminderPrefs {
            kinds: vec![ReminderKind::Actions],
            at: hm(5, 0),
            tz: chrono_tz::Asia::Tokyo,
        };
        let due = due_reminders("u", &prefs, now, |_, day| s.falls_on(day));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].date, d("2027-03-08"));
        let prefs = ReminderPrefs {
            tz: chrono_tz::UTC,
            at: hm(19, 0),
            ..prefs
        };
        assert!(due_reminders("u", &prefs, now, |_, day| s.falls_on(day)).is_empty());
    }

    #[test]
    fn anchored_rules_name_the_start_day() {
        let r = Recurrence::parse("FREQ=WEEKLY")
            .unwrap()
            .anchored(d("2027-03-03"));
        assert_eq!(r.format(), "FREQ=WEEKLY;BYDAY=WE");
        let r = Recurrence::parse("FREQ=MONTHLY")
            .unwrap()
            .anchored(d("2027-03-03"));
        assert_eq!(r.format(), "FREQ=MONTHLY;BYMONTHDAY=3");
    }

    #[test]
    fn daily_dates_do_not_drift_across_dst_in_berlin() {
        // A daily action expanded across both 2027 transitions (28 March, 31 October):
        // one occurrence per local date, none doubled or lost.
        let s = Schedule {
            start: d("2027-03-26"),
            rule: Some(Recurrence::daily()),
        };
        let dates = s.occurrences(d("2027-03-26"), d("2027-03-30"));
        assert_eq!(dates.len(), 5);
        let s = Schedule {
            start: d("2027-10-29"),
            rule: Some(Recurrence::daily()),
        };
        let dates = s.occurrences(d("2027-10-29"), d("2027-11-02"));
        assert_eq!(dates.len(), 5);
        // And their reminder instants at 08:00 local shift by one hour in UTC.
        assert_eq!(
            local_instant(d("2027-03-27"), hm(8, 0), BERLIN),
            t("2027-03-27T07:00:00Z")
        );
        assert_eq!(
            local_instant(d("2027-03-28"), hm(8, 0), BERLIN),
            t("2027-03-28T06:00:00Z")
        );
        assert_eq!(
            local_instant(d("2027-10-31"), hm(8, 0), BERLIN),
            t("2027-10-31T07:00:00Z")
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_and_a_repeated_one_takes_the_first() {
        // 02:30 does not exist in Berlin on 28 March 2027: read with +01:00 it is 01:30 UTC (03:30 CEST).
        assert_eq!(
            local_instant(d("2027-03-28"), hm(2, 30), BERLIN),
            t("2027-03-28T01:30:00Z")
        );
        // 02:30 happens twice on 31 October 2027: the first (still +02:00) is 00:30 UTC.
        assert_eq!(
            local_instant(d("2027-10-31"), hm(2, 30), BERLIN),
            t("2027-10-31T00:30:00Z")
        );
    }

    fn prefs(kinds: &[ReminderKind], at: NaiveTime) -> ReminderPrefs {
        ReminderPrefs {
            kinds: kinds.to_vec(),
            at,
            tz: BERLIN,
        }
    }

    #[test]
    fn a_reminder_is_due_from_the_local_time_that_day_only() {
        let p = prefs(&[ReminderKind::Actions], hm(8, 0));
        let planned = |_: ReminderKind, _: NaiveDate| true;
        // 06:59 UTC in winter is 07:59 in Berlin: not yet.
        assert!(due_reminders("u1", &p, t("2027-01-11T06:59:00Z"), planned).is_empty());
        let due = due_reminders("u1", &p, t("2027-01-11T07:00:00Z"), planned);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].key, "u1:actions:2027-01-11");
        assert_eq!(due[0].due_at, t("2027-01-11T07:00:00Z"));
        // Later that day the key is the same, so the outbox sends it once.
        let again = due_reminders("u1", &p, t("2027-01-11T21:00:00Z"), planned);
        assert_eq!(again[0].key, due[0].key);
        // 23:30 UTC is already the next local day, before 08:00: nothing.
        assert!(due_reminders("u1", &p, t("2027-01-11T23:30:00Z"), planned).is_empty());
    }

    #[test]
    fn reminders_only_for_chosen_kinds_with_something_planned() {
        let p = prefs(&[ReminderKind::Actions, ReminderKind::Checkins], hm(7, 0));
        let planned = |k: ReminderKind, _: NaiveDate| k == ReminderKind::Checkins;
        let due = due_reminders("u1", &p, t("2027-06-01T12:00:00Z"), planned);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].kind, ReminderKind::Checkins);
        let none = prefs(&[], hm(7, 0));
        assert!(due_reminders("u1", &none, t("2027-06-01T12:00:00Z"), |_, _| true).is_empty());
    }

    #[test]
    fn a_reminder_set_in_the_spring_gap_goes_out_at_0330_summer_time() {
        let p = prefs(&[ReminderKind::Actions], hm(2, 30));
        let planned = |_: ReminderKind, _: NaiveDate| true;
        assert!(due_reminders("u", &p, t("2027-03-28T01:29:00Z"), planned).is_empty());
        let due = due_reminders("u", &p, t("2027-03-28T01:30:00Z"), planned);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].date, d("2027-03-28"));
    }

    #[test]
    fn autumn_repeat_sends_on_the_first_0230_and_keeps_one_key() {
        let p = prefs(&[ReminderKind::Actions], hm(2, 30));
        let planned = |_: ReminderKind, _: NaiveDate| true;
        let first = due_reminders("u", &p, t("2027-10-31T00:30:00Z"), planned);
        let second = due_reminders("u", &p, t("2027-10-31T01:30:00Z"), planned);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].key, second[0].key);
    }

    #[test]
    fn still_open_is_gentle_and_limited_to_a_week_for_repeating_actions() {
        let s = Schedule {
            start: d("2027-01-01"),
            rule: Some(Recurrence::daily()),
        };
        let today = d("2027-02-01");
        let open = open_occurrences(&s, today, |x| x == d("2027-01-31"));
        assert_eq!(open.first().map(|o| o.0), Some(d("2027-01-25")));
        assert!(!open.iter().any(|o| o.0 == d("2027-01-31")));
        assert!(open.contains(&(today, Standing::Today)));
        assert_eq!(open.last(), Some(&(d("2027-02-02"), Standing::Upcoming)));
        let once = Schedule {
            start: d("2026-06-01"),
            rule: None,
        };
        assert_eq!(
            open_occurrences(&once, today, |_| false),
            vec![(d("2026-06-01"), Standing::StillOpen)]
        );
        assert!(open_occurrences(&once, today, |_| true).is_empty());
    }

    #[test]
    fn the_latest_event_decides_whether_an_occurrence_is_done() {
        let ev = |date: &str, done, at_ms| DoneEvent {
            date: d(date),
            done,
            at_ms,
        };
        let events = [
            ev("2027-01-01", true, 1),
            ev("2027-01-01", false, 2),
            ev("2027-01-02", true, 3),
            ev("2027-01-03", false, 4),
            ev("2027-01-03", true, 5),
        ];
        assert_eq!(done_dates(&events), vec![d("2027-01-02"), d("2027-01-03")]);
    }

    #[test]
    fn assigning_to_the_partner_waits_for_their_answer() {
        assert_eq!(Owner::Me.initial_state(), Assignment::Accepted);
        assert_eq!(Owner::Partner.initial_state(), Assignment::Proposed);
        assert_eq!(Owner::Both.initial_state(), Assignment::Proposed);
        assert_eq!(may_answer(Assignment::Proposed, "a", "b"), Ok(()));
        assert_eq!(
            may_answer(Assignment::Proposed, "a", "a"),
            Err(AnswerRefusal::NotTheirs)
        );
        assert_eq!(
            may_answer(Assignment::Accepted, "a", "b"),
            Err(AnswerRefusal::AlreadyAnswered)
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(retry_backoff(1), Duration::minutes(1));
        assert_eq!(retry_backoff(2), Duration::minutes(2));
        assert_eq!(retry_backoff(4), Duration::minutes(8));
        assert_eq!(retry_backoff(30), Duration::minutes(360));
    }
}
