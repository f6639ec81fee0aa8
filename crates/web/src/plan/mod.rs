//! Step 6's action plan, shared by pages, the API, reminders and the calendar
//! feed: creating actions (owner, due date, recurrence, notes, the agreement it
//! came from), answering a proposal, marking an occurrence done or undoing it,
//! and the plan as one person sees it today in their own time zone.

pub mod api;
pub mod page;

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rekindle_domain::plan::{
    self as dp, AnswerRefusal, Assignment, DoneEvent, Freq, Owner, Recurrence, Schedule, Standing,
};
use rekindle_storage::{
    ActionId, AgreementId, CoupleId, DayAction, PlanAction, PlanDoneEvent, Space, User, Viewer,
};

use crate::http::error::{AppError, FieldErrors};
use crate::http::secrets::new_id;
use crate::state::AppState;

pub const TITLE_MAX_CHARS: usize = 200;
pub const NOTES_MAX_CHARS: usize = 2_000;

/// Whether `agreement_id` names an agreement both partners of the creator's
/// couple agreed to on the problem board.
pub async fn agreement_link_ok(
    state: &AppState,
    couple_id: &CoupleId,
    agreement_id: &str,
) -> Result<bool, AppError> {
    Ok(state
        .repo
        .board_agreement_in(couple_id, &AgreementId::from(agreement_id))
        .await?)
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // Stored dates are always YYYY-MM-DD (`date_key`): read those digit by digit.
    // chrono's format-string parser, kept for anything else a form may send,
    // was a few per cent of the home page's CPU (a date per action and mark).
    match iso_date(s) {
        Some(d) => Some(d),
        None => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
    }
    .filter(|d| (2000..=2200).contains(&chrono::Datelike::year(d)))
}

/// `YYYY-MM-DD` exactly, or `None` (also for a date that does not exist).
fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

pub use crate::view::format::date_key;

/// The recurrence controls of the form, turned into a rule.
pub struct RepeatInput<'a> {
    /// none | daily | weekly | monthly
    pub repeat: &'a str,
    pub every: &'a str,
    /// Two-letter day codes for weekly.
    pub days: &'a [String],
    pub until: &'a str,
}

pub fn recurrence_from_form(
    r: &RepeatInput<'_>,
    errors: &mut FieldErrors,
) -> Option<Option<Recurrence>> {
    let interval = if r.every.trim().is_empty() {
        Some(1)
    } else {
        r.every
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=365).contains(n))
    };
    let Some(interval) = interval else {
        errors.insert("every", "Enter a whole number from 1 to 365.".into());
        return None;
    };
    let until = if r.until.trim().is_empty() {
        None
    } else {
        match parse_date(r.until) {
            Some(d) => Some(d),
            None => {
                errors.insert("until", "Enter a date such as 2027-03-31.".into());
                return None;
            }
        }
    };
    let freq = match r.repeat.trim() {
        "" | "none" => return Some(None),
        "daily" => Freq::Daily,
        "weekly" => {
            let mut days = Vec::new();
            for code in r.days {
                match dp::parse_weekday_code(code) {
                    Some(d) if !days.contains(&d) => days.push(d),
                    Some(_) => {}
                    None => {
                        errors.insert("days", "Choose days of the week.".into());
                        return None;
                    }
                }
            }
            days.sort_by_key(|d: &chrono::Weekday| d.num_days_from_monday());
            Freq::Weekly(days)
        }
        "monthly" => Freq::Monthly(0),
        _ => {
            errors.insert("repeat", "Choose how often it repeats.".into());
            return None;
        }
    };
    Some(Some(Recurrence {
        freq,
        interval,
        until,
        count: None,
    }))
}

pub struct NewActionInput {
    pub title: String,
    pub owner: String,
    pub due_date: String,
    /// Already parsed (the form) or as text (the API).
    pub rule: Result<Option<Recurrence>, String>,
    pub notes: String,
    pub agreement_id: Option<String>,
}

fn require_space(space: Option<&Space>) -> Result<&Space, AppError> {
    crate::space::not_paused(space)?;
    space.ok_or_else(|| {
        AppError::Conflict("The plan lives in your shared space: create or join one first.".into())
    })
}

pub async fn create(
    state: &AppState,
    user: &User,
    space: Option<&Space>,
    input: NewActionInput,
) -> Result<PlanAction, AppError> {
    let space = require_space(space)?;
    let mut errors = FieldErrors::new();
    let title = input.title.trim().to_owned();
    if title.is_empty() {
        errors.insert("title", "Name the action in a few words.".into());
    } else if title.chars().count() > TITLE_MAX_CHARS {
        errors.insert("title", "Keep it under 200 characters.".into());
    }
    let notes = input.notes.trim().to_owned();
    if notes.chars().count() > NOTES_MAX_CHARS {
        errors.insert("notes", "Notes can be up to 2,000 characters.".into());
    }
    let owner = Owner::parse(&input.owner);
    match owner {
        None => {
            errors.insert("owner", "Choose me, my partner or both of us.".into());
        }
        Some(o) if o.needs_acceptance() && space.partner.is_none() => {
            errors.insert(
                "owner",
                "Once your partner has joined you can plan things together.".into(),
            );
        }
        _ => {}
    }
    let due = parse_date(&input.due_date);
    if due.is_none() {
        errors.insert("due_date", "Enter a date such as 2027-03-31.".into());
    }
    let rule = match input.rule {
        Ok(r) => r,
        Err(e) => {
            errors.insert("rrule", e);
            None
        }
    };
    if let (Some(d), Some(r)) = (due, &rule)
        && r.until.is_some_and(|u| u < d)
    {
        errors.insert("until", "The last date comes after the first one.".into());
    }
    // The first occurrence is the first date on or after the chosen one that
    // matches the repeat (a Mon/Wed/Fri action chosen on a Saturday starts on
    // Monday); it is what is stored, shown and given to calendars as DTSTART.
    let first = match (due, &rule) {
        (Some(d), Some(r)) => {
            let first = Schedule {
                start: d,
                rule: Some(r.clone().anchored(d)),
            }
            .first_occurrence();
            if first.is_none() && !errors.contains_key("until") {
                errors.insert(
                    "rrule",
                    "This repeat has no date on or after the first date.".into(),
                );
            }
            first
        }
        (d, _) => d,
    };
    let agreement_id = input
        .agreement_id
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty());
    if let Some(a) = &agreement_id
        && (a.len() > 64 || !agreement_link_ok(state, &space.couple_id, a).await?)
    {
        errors.insert("agreement", "That agreement is not one of yours.".into());
    }
    let (Some(owner), Some(due), Some(first), true) = (owner, due, first, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let partner_id = space.partner.as_ref().map(|p| p.id.clone());
    let action = PlanAction {
        id: new_id().into(),
        couple_id: Some(space.couple_id.clone()),
        created_by: user.id.clone(),
        owner_id: match owner {
            Owner::Me => Some(user.id.clone()),
            Owner::Partner => partner_id,
            Owner::Both => None,
        },
        agreement_id: agreement_id.map(AgreementId::from),
        title,
        notes,
        due_date: date_key(first),
        rrule: rule.map(|r| r.anchored(due).format()),
        assignment: owner.initial_state(),
        answered_at: None,
        created_at: state.clock().now_ms(),
    };
    state.repo.create_action(&action).await?;
    Ok(action)
}

/// The partner it was proposed to says yes or no.
pub async fn answer(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    id: &str,
    accept: bool,
) -> Result<(), AppError> {
    require_space(space)?;
    let a = state
        .repo
        .action_for(viewer, &ActionId::from(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let st = a.assignment;
    match dp::may_answer(st, &a.created_by, &viewer.user_id) {
        Err(AnswerRefusal::NotTheirs) => Err(AppError::Conflict(
            "This one waits for your partner's answer.".into(),
        )),
        Err(AnswerRefusal::AlreadyAnswered) => {
            Err(AppError::Conflict("This was already answered.".into()))
        }
        Ok(()) => {
            if state
                .repo
                .answer_action(viewer, &ActionId::from(id), accept, state.clock().now_ms())
                .await?
            {
                Ok(())
            } else {
                Err(AppError::Conflict("This was already answered.".into()))
            }
        }
    }
}

pub fn schedule_of(a: &PlanAction) -> Schedule {
    schedule(&a.due_date, a.rrule.as_deref())
}

/// An action's dates from its stored first date and rule.
fn schedule(due_date: &str, rrule: Option<&str>) -> Schedule {
    Schedule {
        start: parse_date(due_date).unwrap_or(NaiveDate::MIN),
        rule: rrule.and_then(|r| Recurrence::parse(r).ok()),
    }
}

/// Done marks by action, each action's in the order read.
fn by_action(events: Vec<PlanDoneEvent>) -> HashMap<ActionId, Vec<PlanDoneEvent>> {
    let mut by_action: HashMap<ActionId, Vec<PlanDoneEvent>> = HashMap::new();
    for e in events {
        by_action.entry(e.action_id.clone()).or_default().push(e);
    }
    by_action
}

fn events_of(events: &[PlanDoneEvent], action_id: &str) -> Vec<DoneEvent> {
    events
        .iter()
        .filter(|e| e.action_id == action_id)
        .filter_map(|e| {
            Some(DoneEvent {
                date: parse_date(&e.occurrence)?,
                done: e.done,
                at_ms: e.at,
            })
        })
        .collect()
}

/// Marks one occurrence done (or undoes it). `on` defaults to the only date of a
/// one-off, or today for a repeating action.
pub async fn mark(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    tz: Tz,
    id: &str,
    on: Option<&str>,
    done: bool,
) -> Result<NaiveDate, AppError> {
    require_space(space)?;
    let a = state
        .repo
        .action_for(viewer, &ActionId::from(id))
        .await?
        .ok_or(AppError::NotFound)?;
    if a.couple_id.is_none() || a.couple_id != viewer.couple_id {
        return Err(AppError::Conflict(
            "This action belongs to an earlier space; it is kept as history.".into(),
        ));
    }
    if a.assignment != Assignment::Accepted {
        return Err(AppError::Conflict(
            "It can be marked once both of you have said yes to it.".into(),
        ));
    }
    let s = schedule_of(&a);
    let today = dp::local_date(state.clock().now(), tz);
    let date = match on.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => parse_date(text)
            .ok_or_else(|| AppError::field("on", "Enter a date such as 2027-03-31."))?,
        None if s.rule.is_none() => s.start,
        None => today,
    };
    if !s.falls_on(date) {
        return Err(AppError::field(
            "on",
            "That date is not one of this action's dates.",
        ));
    }
    let events = state
        .repo
        .done_events(viewer, Some(&ActionId::from(id)))
        .await?;
    let is_done = dp::done_dates(&events_of(&events, id)).contains(&date);
    if is_done == done {
        return Ok(date);
    }
    state
        .repo
        .record_done(
            viewer,
            &PlanDoneEvent {
                id: new_id(),
                action_id: id.to_owned().into(),
                occurrence: date_key(date),
                user_id: viewer.user_id.clone(),
                done,
                at: state.clock().now_ms(),
            },
        )
        .await?;
    Ok(date)
}

// ---- the plan as one person sees it -------------------------------------------------

/// One action with what the viewer needs to know about it.
pub struct ActionState {
    pub action: PlanAction,
    /// Owner relative to the viewer.
    pub owner: Owner,
    pub assignment: Assignment,
    pub schedule: Schedule,
    /// Kept from an earlier space: read-only.
    pub history: bool,
    /// A proposal waiting for the viewer's answer.
    pub awaiting_me: bool,
    pub awaiting_partner: bool,
    pub open: Vec<(NaiveDate, Standing)>,
    pub done: Vec<NaiveDate>,
    pub events: Vec<PlanDoneEvent>,
}

pub fn owner_for(a: &PlanAction, me: &str) -> Owner {
    match &a.owner_id {
        None => Owner::Both,
        Some(o) if o == me => Owner::Me,
        Some(_) => Owner::Partner,
    }
}

pub struct PlanView {
    pub today: NaiveDate,
    pub actions: Vec<ActionState>,
}

pub async fn plan_for(state: &AppState, viewer: &Viewer, tz: Tz) -> Result<PlanView, AppError> {
    let today = dp::local_date(state.clock().now(), tz);
    let events = state.repo.done_events(viewer, None).await?;
    plan_with(state, viewer, today, events).await
}

/// The plan as its page shows it: what is open this week, and the `newest`
/// latest marks (with the other marks of their days). Only those marks are
/// read, so each action's `done` and `events` hold those of the week (all of a
/// one-off's) and of the days the newest marks are for; the API and the
/// calendar, which show every mark, use `plan_for`.
pub async fn plan_shown(
    state: &AppState,
    viewer: &Viewer,
    tz: Tz,
    newest: usize,
) -> Result<PlanView, AppError> {
    let today = dp::local_date(state.clock().now(), tz);
    // The days `open_occurrences` looks at.
    let since = date_key(today - chrono::Duration::days(dp::LOOK_BACK_DAYS));
    let wanted = i64::try_from(newest).unwrap_or(i64::MAX);
    // A plan ticked off every day has its newest marks within the last
    // fortnight: looking only there spares ordering a year of marks
    // (`Store::done_events_shown`). If fewer than `newest` were made since,
    // older marks may belong among the newest, so all are looked at.
    let recent = state.clock().now_ms() - RECENT_MARKS_MS;
    let mut events = state
        .repo
        .done_events_shown(viewer, &since, wanted, recent)
        .await?;
    if !holds_newest(&events, recent, newest) {
        events = state
            .repo
            .done_events_shown(viewer, &since, wanted, i64::MIN)
            .await?;
    }
    plan_with(state, viewer, today, events).await
}

/// How far back the plan page first looks for the newest marks.
const RECENT_MARKS_MS: i64 = 14 * 24 * 3_600_000;

/// Whether marks read with the newest looked for since `recent` hold the
/// `newest` latest overall: they do when at least that many were made since.
fn holds_newest(events: &[PlanDoneEvent], recent: i64, newest: usize) -> bool {
    events.iter().filter(|e| e.at >= recent).count() >= newest
}

async fn plan_with(
    state: &AppState,
    viewer: &Viewer,
    today: NaiveDate,
    events: Vec<PlanDoneEvent>,
) -> Result<PlanView, AppError> {
    let actions = state.repo.actions_for(viewer).await?;
    // A year of a daily plan is thousands of marks: shared out by action in one
    // pass, not searched once per action.
    let mut by_action = by_action(events);
    let mut out = Vec::with_capacity(actions.len());
    for a in actions {
        let schedule = schedule_of(&a);
        let mine_events = by_action.remove(&a.id).unwrap_or_default();
        let done = dp::done_dates(&events_of(&mine_events, &a.id));
        let assignment = a.assignment;
        let history = a.couple_id.is_none() || a.couple_id != viewer.couple_id;
        let open = if assignment == Assignment::Accepted && !history {
            dp::open_occurrences(&schedule, today, |d| done.contains(&d))
        } else {
            Vec::new()
        };
        out.push(ActionState {
            owner: owner_for(&a, &viewer.user_id),
            awaiting_me: !history
                && assignment == Assignment::Proposed
                && a.created_by != viewer.user_id,
            awaiting_partner: !history
                && assignment == Assignment::Proposed
                && a.created_by == viewer.user_id,
            assignment,
            schedule,
            history,
            open,
            done,
            events: mine_events,
            action: a,
        });
    }
    Ok(PlanView {
        today,
        actions: out,
    })
}

/// Whether the person has something of theirs (or both) still to do on `date`.
pub async fn has_action_on(
    state: &AppState,
    viewer: &Viewer,
    date: NaiveDate,
) -> Result<bool, AppError> {
    Ok(!undone_on(state, viewer, date, 1).await?.is_empty())
}

/// A short list for the home page: what is the viewer's today.
pub async fn today_titles(
    state: &AppState,
    viewer: &Viewer,
    today: NaiveDate,
) -> Result<Vec<String>, AppError> {
    Ok(undone_on(state, viewer, today, 5)
        .await?
        .into_iter()
        .map(|a| a.title)
        .collect())
}

/// Up to `most` of the person's accepted actions (theirs or both's) that fall
/// on `date` and are not done for it, in the plan's order. Only actions that
/// may fall on the day and are not done for it are read (one statement), and
/// each rule is expanded for that one day.
async fn undone_on(
    state: &AppState,
    viewer: &Viewer,
    date: NaiveDate,
    most: usize,
) -> Result<Vec<DayAction>, AppError> {
    Ok(state
        .repo
        .actions_undone_on(viewer, &date_key(date))
        .await?
        .into_iter()
        .filter(|a| schedule(&a.due_date, a.rrule.as_deref()).falls_on(date))
        .take(most)
        .collect())
}

// ---- export -------------------------------------------------------------------------

#[derive(serde::Serialize)]
pub struct ExportAction {
    pub id: String,
    /// me | partner | both
    pub owner: &'static str,
    pub created_by_me: bool,
    pub title: String,
    pub notes: String,
    pub due_date: String,
    pub rrule: Option<String>,
    pub assignment: String,
    pub agreement_id: Option<String>,
    pub created_at: String,
    /// Every done / undo, oldest first.
    pub history: Vec<ExportDone>,
}

#[derive(serde::Serialize)]
pub struct ExportDone {
    pub date: String,
    pub done: bool,
    pub by_me: bool,
    pub at: String,
}

/// The actions the person can see (their space's and their own from earlier
/// spaces), with their done history.
pub async fn export(state: &AppState, viewer: &Viewer) -> Result<Vec<ExportAction>, AppError> {
    let me = viewer.user_id.as_str();
    let mut by_action = by_action(state.repo.done_events(viewer, None).await?);
    let actions = state
        .repo
        .actions_for(viewer)
        .await?
        .into_iter()
        .map(|a| ExportAction {
            owner: owner_for(&a, me).as_str(),
            created_by_me: a.created_by == me,
            history: by_action
                .remove(&a.id)
                .unwrap_or_default()
                .into_iter()
                .map(|e| ExportDone {
                    date: e.occurrence,
                    done: e.done,
                    by_me: e.user_id == me,
                    at: crate::view::format::iso(e.at),
                })
                .collect(),
            created_at: crate::view::format::iso(a.created_at),
            id: a.id.into(),
            title: a.title,
            notes: a.notes,
            due_date: a.due_date,
            rrule: a.rrule,
            assignment: a.assignment.as_str().to_owned(),
            agreement_id: a.agreement_id.map(String::from),
        })
        .collect();
    Ok(actions)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `parse_date` answered before it read `YYYY-MM-DD` itself.
    fn through_chrono(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2200).contains(&chrono::Datelike::year(d)))
    }

    #[test]
    fn dates_read_as_chrono_reads_them() {
        let mut d = NaiveDate::from_ymd_opt(1998, 12, 1).unwrap();
        while d < NaiveDate::from_ymd_opt(2031, 2, 1).unwrap() {
            let key = date_key(d);
            assert_eq!(parse_date(&key), through_chrono(&key), "{key}");
            d = d.succ_opt().unwrap();
        }
        for s in [
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2026-1-5",
            " 2026-01-05 ",
            "2026-01-5",
            "+2026-01-05",
            "20260105",
            "2026/01/05",
            "2O26-01-05",
            "2026-01-05x",
            "",
            "-",
            "1999-12-31",
            "2200-12-31",
            "2201-01-01",
            "0000-01-01",
            "٢٠٢٦-01-05",
            "2026-0١-05",
        ] {
            assert_eq!(parse_date(s), through_chrono(s), "{s:?}");
        }
    }

    fn mark(at: i64) -> PlanDoneEvent {
        PlanDoneEvent {
            id: format!("m{at}"),
            action_id: ActionId::from("a".to_owned()),
            occurrence: "2027-01-01".into(),
            user_id: rekindle_storage::UserId::from("u".to_owned()),
            done: true,
            at,
        }
    }

    #[test]
    fn the_recent_marks_hold_the_newest_only_when_enough_were_made_since() {
        let marks: Vec<_> = (0..10).map(mark).collect();
        // Five made at or after 5: enough for the newest 5, not for 6.
        assert!(holds_newest(&marks, 5, 5));
        assert!(!holds_newest(&marks, 5, 6));
        assert!(holds_newest(&marks, i64::MIN, 10));
        assert!(!holds_newest(&[], 0, 1));
    }
}
