//! A private iCalendar feed per person at a secret, revocable URL
//! (`/calendar/{token}.ics`). Only a digest of the token is stored. Event
//! titles are neutral unless the person chose detailed ones.
//!
//! All-day events (actions) carry `DTSTART;VALUE=DATE` and their RRULE; timed
//! events (check-ins, talks) are in UTC. Event sources are a list, one `Source`
//! per tool: actions, check-ins, agreement follow-ups and scheduled talks.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use icalendar::{Calendar, Component, Event, EventLike};
use rekindle_domain::checkin::Cadence;
use rekindle_domain::plan::{self as dp, Assignment, Owner};
use rekindle_domain::talk::Phase;
use rekindle_storage::{CoupleId, User, UserId, Viewer};

use crate::http::error::AppError;
use crate::http::secrets::{digest, random_token};
use crate::state::AppState;
use crate::view::format::tz_of;

pub enum When {
    Day(NaiveDate),
    At(DateTime<Utc>, Duration),
}

pub struct FeedEvent {
    pub uid: String,
    pub neutral: &'static str,
    pub detailed: String,
    pub notes: String,
    pub when: When,
    pub rrule: Option<String>,
    /// Dates of a repeating event that were marked done (kept, marked so).
    pub completed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Actions,
    Checkins,
    FollowUps,
    Talks,
}

/// Every source, in the order events are listed.
pub const SOURCES: &[Source] = &[
    Source::Actions,
    Source::Checkins,
    Source::FollowUps,
    Source::Talks,
];

/// Talks of the viewer's space agreed for a time, with that time.
pub async fn scheduled_talks(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<(rekindle_storage::TalkRow, DateTime<Utc>)>, AppError> {
    if viewer.couple_id.is_none() {
        return Ok(Vec::new());
    }
    Ok(state
        .repo
        .talks_for(viewer)
        .await?
        .into_iter()
        .filter(|t| t.phase == Phase::Scheduled)
        .filter_map(|t| {
            let at = DateTime::from_timestamp_millis(t.scheduled_at?)?;
            Some((t, at))
        })
        .collect())
}

/// Follow-up days (local dates in `tz`) of the space's agreements still on trial.
pub async fn follow_up_days(
    state: &AppState,
    viewer: &Viewer,
    tz: Tz,
) -> Result<Vec<(String, NaiveDate)>, AppError> {
    let (Some(couple), Some(_)) = (&viewer.couple_id, &viewer.partner_id) else {
        return Ok(Vec::new());
    };
    Ok(state
        .repo
        .board_follow_up_times(couple)
        .await?
        .into_iter()
        .filter_map(|(id, at)| {
            let at = DateTime::from_timestamp_millis(at)?;
            Some((id, at.with_timezone(&tz).date_naive()))
        })
        .collect())
}

const NEUTRAL: &str = "Something planned";

/// The couple's scheduled check-ins between two local dates (inclusive), in `tz`.
pub async fn checkins_between(
    state: &AppState,
    couple_id: &CoupleId,
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
) -> Result<Vec<DateTime<Utc>>, AppError> {
    let Some(stored) = state.repo.checkin_schedule(couple_id).await? else {
        return Ok(Vec::new());
    };
    let rhythm = stored.rhythm;
    let weekday = usize::try_from(stored.weekday)
        .ok()
        .and_then(|i| rekindle_domain::checkin::WEEKDAYS.get(i).copied())
        .unwrap_or(chrono::Weekday::Sun);
    let cadence = Cadence {
        rhythm,
        weekday,
        hour: u32::try_from(stored.hour).unwrap_or(19).min(23),
    };
    let anchor = DateTime::from_timestamp_millis(stored.anchor_at).unwrap_or_default();
    let start = dp::local_instant(from, NaiveTime::MIN, tz);
    let end = dp::local_instant(to + Duration::days(1), NaiveTime::MIN, tz) - Duration::seconds(1);
    Ok(cadence.occurrences(anchor, start, end, tz))
}

async fn collect(
    state: &AppState,
    source: Source,
    user: &User,
    viewer: &Viewer,
    today: NaiveDate,
) -> Result<Vec<FeedEvent>, AppError> {
    let tz = tz_of(&user.time_zone);
    match source {
        Source::Actions => {
            let plan = crate::plan::plan_for(state, viewer, tz).await?;
            Ok(plan
                .actions
                .into_iter()
                .filter(|a| {
                    !a.history
                        && a.assignment == Assignment::Accepted
                        && matches!(a.owner, Owner::Me | Owner::Both)
                })
                // DTSTART is the first occurrence, which matches the rule: a
                // start that does not (a Saturday for Mon/Wed/Fri) would leave the
                // recurrence set undefined (RFC 5545) and calendars would show it.
                .filter_map(|a| {
                    let first = a.schedule.first_occurrence()?;
                    Some(FeedEvent {
                        uid: format!("action-{}", a.action.id),
                        neutral: NEUTRAL,
                        completed: a.schedule.rule.is_none() && a.done.contains(&first),
                        detailed: a.action.title.clone(),
                        notes: a.action.notes.clone(),
                        when: When::Day(first),
                        rrule: a.action.rrule.clone(),
                    })
                })
                .collect())
        }
        Source::Checkins => {
            let (Some(couple), Some(_)) = (&viewer.couple_id, &viewer.partner_id) else {
                return Ok(Vec::new());
            };
            let times =
                checkins_between(state, couple, today, today + Duration::days(84), tz).await?;
            Ok(times
                .into_iter()
                .map(|t| FeedEvent {
                    uid: format!("checkin-{couple}-{}", t.timestamp()),
                    neutral: NEUTRAL,
                    detailed: "Check-in together".into(),
                    notes: String::new(),
                    when: When::At(t, Duration::hours(1)),
                    rrule: None,
                    completed: false,
                })
                .collect())
        }
        Source::FollowUps => Ok(follow_up_days(state, viewer, tz)
            .await?
            .into_iter()
            .map(|(id, day)| FeedEvent {
                uid: format!("followup-{id}"),
                neutral: NEUTRAL,
                detailed: "Look back together on an agreement".into(),
                notes: String::new(),
                when: When::Day(day),
                rrule: None,
                completed: false,
            })
            .collect()),
        Source::Talks => Ok(scheduled_talks(state, viewer)
            .await?
            .into_iter()
            .map(|(t, at)| FeedEvent {
                uid: format!("talk-{}", t.id),
                neutral: NEUTRAL,
                detailed: if t.topic.is_empty() {
                    "A talk together".into()
                } else {
                    format!("Talk: {}", t.topic)
                },
                notes: String::new(),
                when: When::At(at, Duration::minutes(45)),
                rrule: None,
                completed: false,
            })
            .collect()),
    }
}

/// The whole feed for one person.
pub async fn feed(state: &AppState, user: &User, detailed: bool) -> Result<String, AppError> {
    let space = state.repo.space_of(&user.id).await?;
    let viewer = Viewer::new(&user.id, space.as_ref());
    let tz = tz_of(&user.time_zone);
    let now = state.clock().now();
    let today = dp::local_date(now, tz);
    let mut cal = Calendar::new();
    cal.name(&state.config.instance_name);
    let host = state
        .config
        .public_url
        .as_deref()
        .and_then(|u| u.split("://").nth(1))
        .map(|h| h.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| "rekindle.invalid".into());
    for source in SOURCES {
        for e in collect(state, *source, user, &viewer, today).await? {
            let mut ev = Event::new();
            ev.uid(&format!("{}@{host}", e.uid)).timestamp(now);
            if detailed {
                ev.summary(&e.detailed);
                if !e.notes.is_empty() {
                    ev.description(&e.notes);
                }
            } else {
                ev.summary(e.neutral);
            }
            match e.when {
                When::Day(d) => {
                    ev.starts(d).ends(d + Duration::days(1));
                }
                When::At(t, len) => {
                    ev.starts(t).ends(t + len);
                }
            }
            if let Some(rule) = &e.rrule {
                ev.add_property("RRULE", rule.as_str());
            }
            if e.completed {
                ev.add_property("STATUS", "CONFIRMED");
            }
            cal.push(ev.done());
        }
    }
    Ok(cal.done().to_string())
}

/// A new secret feed URL token for the person; any earlier one stops working.
pub async fn new_token(
    state: &AppState,
    user_id: &UserId,
    detailed: bool,
) -> Result<String, AppError> {
    let token = format!("cal_{}", random_token(24));
    state
        .repo
        .set_calendar_feed(user_id, &digest(&token), detailed, state.clock().now_ms())
        .await?;
    Ok(token)
}

/// `/calendar/{file}`: the file is `{token}.ics`.
pub fn token_from_file(file: &str) -> Option<&str> {
    let t = file.strip_suffix(".ics")?;
    (t.starts_with("cal_")
        && t.len() < 100
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    .then_some(t)
}

pub fn feed_url(base: &str, token: &str) -> String {
    format!("{}/calendar/{token}.ics", base.trim_end_matches('/'))
}
