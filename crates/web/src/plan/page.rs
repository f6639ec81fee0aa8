//! Step 6's pages: the plan (today, coming up, still open from earlier, done),
//! the form for a new action, answering a proposal, done and undo.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::plan::{self as uc, ActionState, NewActionInput, RepeatInput, date_key};
use crate::state::AppState;
use crate::view::form_errors;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, field_error, render_with_status, see_other};
use rekindle_domain::checkin::weekday_name;
use rekindle_domain::plan::{Assignment, Owner, Standing, parse_weekday_code};
use rekindle_storage::PlanDoneEvent;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    pub done: Option<String>,
    pub agreement: Option<String>,
    /// Any value: every line of "Still open" and "Coming up", not the first few.
    pub all: Option<String>,
}

/// Lines "Still open" and "Coming up" show each until the person asks for all:
/// a plan of many repeating actions would otherwise list every one of them
/// twice, more than a phone screen can take in.
const SHOWN: usize = 10;

/// This page's own notices, from a fixed list.
fn plan_notice(code: Option<&str>) -> Option<String> {
    let text = match code? {
        "added" => "Added to the plan.",
        "proposed" => "Added. It joins the plan once your partner says yes.",
        "marked" => "Marked done. Nice.",
        "undone" => "Marked as not done.",
        "accepted" => "It is part of the plan now.",
        "declined" => "Declined. Your partner will see that.",
        _ => return None,
    };
    Some(text.to_owned())
}

/// One line of the plan. It borrows what is the same on every line of an
/// action (a daily action shows on many), so a line costs its dates only.
pub struct Row<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub notes: &'a str,
    pub owner: &'a str,
    pub date: String,
    pub date_label: String,
    pub repeat: &'a str,
    pub can_mark: bool,
}

pub struct DoneRow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub date: String,
    pub date_label: String,
    pub by: String,
    pub when: String,
    pub done: bool,
    pub can_undo: bool,
}

/// An action still open from earlier: one row however many days were missed. `row` is the
/// latest open day; `days` every open day, latest first, when there is more than one (the
/// writer picks which day they did).
pub struct OpenRow<'a> {
    pub row: Row<'a>,
    pub days: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage<'a> {
    c: Chrome,
    in_space: bool,
    awaiting_me: Vec<Row<'a>>,
    today: Vec<Row<'a>>,
    still_open: Vec<OpenRow<'a>>,
    /// Lines of "Still open" left out (see [`SHOWN`]).
    open_hidden: usize,
    upcoming: Vec<Row<'a>>,
    upcoming_hidden: usize,
    /// Every line is shown (`?all`): the page offers the shorter view.
    showing_all: bool,
    awaiting_partner: Vec<Row<'a>>,
    history: Vec<DoneRow<'a>>,
    earlier: Vec<Row<'a>>,
}

fn day_label(d: chrono::NaiveDate, today: chrono::NaiveDate) -> String {
    let days = (d - today).num_days();
    match days {
        0 => "Today".into(),
        1 => "Tomorrow".into(),
        -1 => "Yesterday".into(),
        _ => crate::view::format::day(d),
    }
}

fn owner_label(owner: Owner, partner: &str) -> &str {
    match owner {
        Owner::Me => "You",
        Owner::Partner => partner,
        Owner::Both => "Both of you",
    }
}

/// A line for `a` on `date` (its first date when `None`); `repeat` is how its
/// rule reads, worked out once per action.
fn row<'a>(
    a: &'a ActionState,
    repeat: &'a str,
    date: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
    partner: &'a str,
) -> Row<'a> {
    let d = date.unwrap_or_else(|| a.schedule.first_occurrence().unwrap_or(a.schedule.start));
    Row {
        id: a.action.id.as_str(),
        title: &a.action.title,
        notes: &a.action.notes,
        owner: owner_label(a.owner, partner),
        date: date_key(d),
        date_label: day_label(d, today),
        repeat,
        can_mark: !a.history && a.action.assignment == Assignment::Accepted,
    }
}

/// How many done marks the plan lists under "Done lately".
const HISTORY_SHOWN: usize = 50;

/// The `most` latest done and undo marks of all actions, newest first (ties in
/// the plan's order), as (action index, mark). Chosen before any is made into a
/// line: a year of a daily plan holds thousands.
fn latest_marks(actions: &[ActionState], most: usize) -> Vec<(usize, &PlanDoneEvent)> {
    let mut marks: Vec<(usize, &PlanDoneEvent)> = actions
        .iter()
        .enumerate()
        .flat_map(|(i, a)| a.events.iter().map(move |e| (i, e)))
        .collect();
    let newest_first = |x: &(usize, &PlanDoneEvent), y: &(usize, &PlanDoneEvent)| {
        y.1.at
            .cmp(&x.1.at)
            .then(x.0.cmp(&y.0))
            .then_with(|| x.1.id.cmp(&y.1.id))
    };
    if marks.len() > most && most > 0 {
        marks.select_nth_unstable_by(most - 1, newest_first);
    }
    marks.truncate(most);
    marks.sort_by(newest_first);
    marks
}

/// One line of "Done": the action's index, the mark and the day it is for,
/// and whether it can be undone (the latest mark of an occurrence that is
/// still done).
struct DoneMark {
    action: usize,
    mark: PlanDoneEvent,
    date: chrono::NaiveDate,
    can_undo: bool,
}

/// What the plan page keeps between changes: the plan worked out for the day,
/// each action's repeat in words, and the marks "Done" lists. None of it
/// depends on who is looking beyond the plan's own viewer, and working the
/// list out once matters: a year of a daily plan holds thousands of marks.
struct KeptPlan {
    plan: uc::PlanView,
    repeats: Vec<String>,
    done_lately: Vec<DoneMark>,
}

impl KeptPlan {
    fn of(plan: uc::PlanView) -> KeptPlan {
        let repeats = plan
            .actions
            .iter()
            .map(|a| {
                a.schedule
                    .rule
                    .as_ref()
                    .map(|r| r.describe())
                    .unwrap_or_default()
            })
            .collect();
        let done_lately = latest_marks(&plan.actions, HISTORY_SHOWN)
            .into_iter()
            .filter_map(|(i, e)| {
                let a = &plan.actions[i];
                let date = uc::parse_date(&e.occurrence)?;
                let can_undo = !a.history
                    && e.done
                    && a.done.contains(&date)
                    && a.events
                        .iter()
                        .filter(|x| x.occurrence == e.occurrence)
                        .all(|x| x.at <= e.at);
                Some(DoneMark {
                    action: i,
                    mark: e.clone(),
                    date,
                    can_undo,
                })
            })
            .collect();
        KeptPlan {
            plan,
            repeats,
            done_lately,
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    let state = state.reading().await?;
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let tz = tz_of(&who.user.time_zone);
    let partner = space
        .as_ref()
        .and_then(|s| s.partner.as_ref().map(|p| p.display_name.clone()))
        .unwrap_or_else(|| "Your partner".into());
    // Kept between changes, for the day it was worked out on.
    let today = rekindle_domain::plan::local_date(state.clock().now(), tz);
    let kept = state
        .kept(
            "plan",
            who.user.id.as_str(),
            |k: &KeptPlan| k.plan.today == today,
            async {
                // Twice the marks listed: the database breaks ties in time by
                // id, the list by the plan's order, so a tie at the fiftieth
                // still finds its way in.
                let plan = uc::plan_shown(&state, &viewer, tz, 2 * HISTORY_SHOWN).await?;
                Ok(KeptPlan::of(plan))
            },
        )
        .await?;
    let (plan, repeats) = (&kept.plan, &kept.repeats);
    let mut page = PlanPage {
        c: Chrome::signed_in("Plan", &who).with_notice(plan_notice(q.done.as_deref())),
        in_space: viewer.couple_id.is_some(),
        awaiting_me: Vec::new(),
        today: Vec::new(),
        still_open: Vec::new(),
        open_hidden: 0,
        upcoming: Vec::new(),
        upcoming_hidden: 0,
        showing_all: q.all.is_some(),
        awaiting_partner: Vec::new(),
        history: Vec::new(),
        earlier: Vec::new(),
    };
    // Still open and coming up are chosen by date first and made into lines
    // after, so the lines left out cost nothing: (date, action, missed days).
    let mut open = Vec::new();
    let mut upcoming = Vec::new();
    for (i, (a, repeat)) in plan.actions.iter().zip(repeats).enumerate() {
        let line = |date| row(a, repeat, date, today, &partner);
        if a.awaiting_me {
            page.awaiting_me.push(line(None));
        } else if a.awaiting_partner {
            page.awaiting_partner.push(line(None));
        } else if a.history || a.action.assignment == Assignment::Declined {
            page.earlier.push(line(None));
        }
        let mut missed = Vec::new();
        for (d, s) in &a.open {
            match s {
                Standing::Today => page.today.push(line(Some(*d))),
                Standing::StillOpen => missed.push(*d),
                Standing::Upcoming => upcoming.push((*d, i)),
                Standing::Done => {}
            }
        }
        // A daily walk missed all week is one gentle line, not seven.
        missed.sort_unstable_by(|x, y| y.cmp(x));
        if let Some(&latest) = missed.first() {
            open.push((latest, i, missed));
        }
    }
    page.history = kept
        .done_lately
        .iter()
        .map(|m| {
            let a = &plan.actions[m.action];
            let e = &m.mark;
            DoneRow {
                id: a.action.id.as_str(),
                title: &a.action.title,
                date: e.occurrence.clone(),
                date_label: day_label(m.date, today),
                by: if e.user_id == who.user.id {
                    "You".into()
                } else {
                    partner.clone()
                },
                when: when(e.at, tz),
                done: e.done,
                can_undo: m.can_undo,
            }
        })
        .collect();
    // Stable sorts: actions on the same day keep the plan's order.
    upcoming.sort_by_key(|(d, _)| *d);
    open.sort_by_key(|(d, _, _)| *d);
    if !page.showing_all {
        page.upcoming_hidden = upcoming.len().saturating_sub(SHOWN);
        page.open_hidden = open.len().saturating_sub(SHOWN);
        upcoming.truncate(SHOWN);
        // The most recent of what is still open matter most; the oldest wait.
        open.drain(..page.open_hidden);
    }
    let line = |i: usize, date| row(&plan.actions[i], &repeats[i], Some(date), today, &partner);
    page.upcoming = upcoming.into_iter().map(|(d, i)| line(i, d)).collect();
    page.still_open = open
        .into_iter()
        .map(|(latest, i, missed)| OpenRow {
            row: line(i, latest),
            days: if missed.len() > 1 {
                missed
                    .iter()
                    .map(|d| (date_key(*d), day_label(*d, today)))
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect();
    render_with_status(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "plan_new.html")]
struct NewPage {
    c: Chrome,
    paired: bool,
    f: ActionForm,
    days: Vec<(&'static str, &'static str, bool)>,
    owners: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
}

impl NewPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub repeat: String,
    #[serde(default)]
    pub every: String,
    #[serde(default)]
    pub days: Vec<String>,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub agreement: String,
}

async fn new_page(
    state: &AppState,
    who: &SignedIn,
    f: ActionForm,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(state, &who.user.id).await?;
    let days = rekindle_domain::checkin::WEEKDAYS
        .iter()
        .map(|d| {
            let code = rekindle_domain::plan::weekday_code(*d);
            (
                code,
                weekday_name(*d),
                f.days.iter().any(|x| parse_weekday_code(x) == Some(*d)),
            )
        })
        .collect();
    render_with_status(
        status,
        &NewPage {
            c: Chrome::signed_in("New action", who),
            paired: viewer.partner_id.is_some(),
            days,
            owners: Owner::ALL.iter().map(|o| (o.as_str(), o.label())).collect(),
            f,
            errors,
        },
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    let today = rekindle_domain::plan::local_date(state.clock().now(), tz_of(&who.user.time_zone));
    let f = ActionForm {
        owner: "me".into(),
        due_date: date_key(today),
        repeat: "none".into(),
        every: "1".into(),
        agreement: q
            .agreement
            .filter(|a| {
                a.len() <= 64
                    && a.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
            })
            .unwrap_or_default(),
        ..ActionForm::default()
    };
    new_page(&state, &who, f, FieldErrors::new(), StatusCode::OK).await
}

pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<ActionForm>,
) -> PageResult {
    let (_, space) = crate::space::viewer(&state, &who.user.id).await?;
    let mut errors = FieldErrors::new();
    let rule = uc::recurrence_from_form(
        &RepeatInput {
            repeat: &f.repeat,
            every: &f.every,
            days: &f.days,
            until: &f.until,
        },
        &mut errors,
    );
    let result = match rule {
        None => Err(AppError::Invalid(errors)),
        Some(rule) => {
            uc::create(
                &state,
                &who.user,
                space.as_ref(),
                NewActionInput {
                    title: f.title.clone(),
                    owner: f.owner.clone(),
                    due_date: f.due_date.clone(),
                    rule: Ok(rule),
                    notes: f.notes.clone(),
                    agreement_id: Some(f.agreement.clone()),
                },
            )
            .await
        }
    };
    match result {
        Ok(a) if a.assignment == Assignment::Proposed => Ok(see_other("/plan?done=proposed")),
        Ok(_) => Ok(see_other("/plan?done=added")),
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "title")?;
            new_page(&state, &who, f, errors, status).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct MarkForm {
    #[serde(default)]
    pub on: String,
}

async fn mark(state: AppState, who: SignedIn, id: String, f: MarkForm, done: bool) -> PageResult {
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let on = Some(f.on.as_str()).filter(|s| !s.trim().is_empty());
    uc::mark(
        &state,
        &viewer,
        space.as_ref(),
        tz_of(&who.user.time_zone),
        &id,
        on,
        done,
    )
    .await?;
    Ok(see_other(if done {
        "/plan?done=marked"
    } else {
        "/plan?done=undone"
    }))
}

pub async fn done(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<MarkForm>,
) -> PageResult {
    mark(state, who, id, f, true).await
}

pub async fn undo(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<MarkForm>,
) -> PageResult {
    mark(state, who, id, f, false).await
}

pub async fn accept(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    uc::answer(&state, &viewer, space.as_ref(), &id, true).await?;
    Ok(see_other("/plan?done=accepted"))
}

pub async fn decline(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    uc::answer(&state, &viewer, space.as_ref(), &id, false).await?;
    Ok(see_other("/plan?done=declined"))
}
