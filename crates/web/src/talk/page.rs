//! The talk room's pages: asking for a talk, the ground rules, the room itself
//! (it works with plain forms; `talk.js` adds the live socket) and reflections.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use rekindle_storage::{ProblemId, Space, TalkId, TalkRow, UserId};
use serde::Deserialize;

use crate::coach::Coached;
use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::state::AppState;
use crate::talk::{self as uc, TalkError};
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, field_error, render, render_with_status, see_other};
use rekindle_domain::talk::{self as dt, Command, Event, MINUTE_MS, Phase, Recorded};

fn partner_name(space: Option<&Space>) -> String {
    space
        .and_then(|s| s.partner.as_ref().map(|p| p.display_name.clone()))
        .unwrap_or_else(|| "Your partner".into())
}

pub fn phase_label(phase: Phase) -> &'static str {
    match phase {
        Phase::Requested => "Waiting for a time",
        Phase::Scheduled => "Scheduled",
        Phase::Arriving => "Gathering",
        Phase::Live => "Under way",
        Phase::TimeOut => "Time-out",
        Phase::Ended => "Over",
    }
}

pub struct TalkLine {
    pub id: String,
    pub topic: String,
    pub phase: &'static str,
    pub when: String,
}

fn line(t: &TalkRow, tz: Tz) -> TalkLine {
    TalkLine {
        id: t.id.clone().into(),
        topic: if t.topic.is_empty() {
            "A talk".into()
        } else {
            t.topic.clone()
        },
        phase: phase_label(t.phase),
        when: when(t.scheduled_at.unwrap_or(t.created_at), tz),
    }
}

/// For the home page: talks not over yet, soonest first.
pub async fn upcoming(
    state: &AppState,
    user_id: &UserId,
    space: Option<&Space>,
    tz: Tz,
) -> Result<Vec<TalkLine>, AppError> {
    if space.is_none_or(|s| s.partner.is_none()) {
        return Ok(Vec::new());
    }
    let viewer = rekindle_storage::Viewer::new(user_id, space);
    let talks = state.repo.open_talks_for(&viewer, 5).await?;
    Ok(talks.iter().map(|t| line(t, tz)).collect())
}

#[derive(Template)]
#[template(path = "talks.html")]
struct ListPage {
    c: Chrome,
    paired: bool,
    partner: String,
    r: std::sync::Arc<ListReads>,
    errors: FieldErrors,
    topic: String,
    times: [String; 3],
    length: String,
    mode: String,
    turn: String,
}

/// What the list of talks reads for one person: kept between changes
/// (`AppState::kept`), so a view while nothing changed reads nothing.
struct ListReads {
    rules_agreed: bool,
    open: Vec<TalkLine>,
    past: Vec<TalkLine>,
    /// Talks of a space that ended: only this person's parts remain.
    earlier: Vec<TalkLine>,
    threshold: i64,
}

impl ListPage {
    fn err(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }
}

#[derive(Deserialize, Default)]
pub struct RequestForm {
    #[serde(default)]
    topic: String,
    #[serde(default)]
    time1: String,
    #[serde(default)]
    time2: String,
    #[serde(default)]
    time3: String,
    #[serde(default)]
    length: String,
    /// typed | one_phone | two_phones
    #[serde(default)]
    mode: String,
    /// Aloud: minutes per turn, or empty.
    #[serde(default)]
    turn: String,
}

async fn list_page(
    state: &AppState,
    who: &SignedIn,
    form: RequestForm,
    errors: FieldErrors,
) -> Result<ListPage, AppError> {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let tz = tz_of(&who.user.time_zone);
    let paired = space
        .as_ref()
        .is_some_and(|s| s.partner.is_some() && !s.paused);
    let read = async {
        let talks = state.repo.talks_for(&viewer).await?;
        // Both current partners accepted the current version (as the journey counts it).
        let rules_agreed = match &space {
            Some(s) => state
                .repo
                .ground_rules(&s.couple_id)
                .await?
                .is_some_and(|r| r.accepted_by.len() >= 2),
            None => false,
        };
        let (past, open): (Vec<_>, Vec<_>) = talks.iter().partition(|t| t.phase == Phase::Ended);
        let earlier = uc::past_talks(state, &who.user.id).await?;
        Ok(ListReads {
            rules_agreed,
            open: open.into_iter().map(|t| line(t, tz)).collect(),
            past: past.into_iter().map(|t| line(t, tz)).collect(),
            earlier: earlier.iter().map(|t| line(t, tz)).collect(),
            threshold: uc::threshold(state, &who.user.id).await?,
        })
    };
    let r = state
        .kept("talks-list", who.user.id.as_str(), |_| true, read)
        .await?;
    Ok(ListPage {
        c: Chrome::signed_in("Talks", who),
        paired,
        partner: partner_name(space.as_ref()),
        r,
        errors,
        topic: form.topic,
        times: [form.time1, form.time2, form.time3],
        length: form.length,
        mode: if form.mode.is_empty() {
            "typed".into()
        } else {
            form.mode
        },
        turn: form.turn,
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    /// A problem-board problem the couple wanted to talk about first: its name
    /// becomes the proposed topic.
    problem: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let state = state.reading().await?;
    let mut form = RequestForm::default();
    if let Some(id) = q.problem.as_deref().filter(|id| id.len() <= 64) {
        let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
        if let Some(p) = state
            .repo
            .board_problem(&viewer, &ProblemId::from(id))
            .await?
        {
            form.topic = p.title;
        }
    }
    render(&list_page(&state, &who, form, FieldErrors::new()).await?)
}

/// "2026-11-28T19:30" in the person's zone.
fn parse_local(s: &str, tz: Tz) -> Option<i64> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
}

fn parse_times(raw: &[&str], tz: Tz) -> Result<Vec<i64>, AppError> {
    let mut out = Vec::new();
    for r in raw.iter().filter(|r| !r.trim().is_empty()) {
        out.push(parse_local(r, tz).ok_or_else(|| {
            AppError::field(
                "time1",
                "Please give a date and time like 2026-12-01 19:30.",
            )
        })?);
    }
    if out.is_empty() {
        return Err(AppError::field("time1", "Propose at least one time."));
    }
    Ok(out)
}

fn refusal_field(e: TalkError, field: &'static str) -> AppError {
    match e {
        TalkError::Refused(r) => AppError::field(field, r.to_string()),
        TalkError::App(a) => a,
    }
}

pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<RequestForm>,
) -> PageResult {
    let tz = tz_of(&who.user.time_zone);
    let attempt = async {
        let (_, space) = crate::space::viewer(&state, &who.user.id).await?;
        let space = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?.clone();
        let mode = match form.mode.trim() {
            "" => dt::Mode::Typed,
            m => dt::Mode::parse(m)
                .ok_or_else(|| AppError::field("mode", "Pick how you will talk."))?,
        };
        let raw = [
            form.time1.as_str(),
            form.time2.as_str(),
            form.time3.as_str(),
        ];
        // Aloud, in one room, no time means now.
        let times = if mode.is_aloud() && raw.iter().all(|t| t.trim().is_empty()) {
            Vec::new()
        } else {
            parse_times(&raw, tz)?
        };
        let turn = match form.turn.trim() {
            "" => None,
            t => Some(
                t.parse::<u32>()
                    .ok()
                    .filter(|t| mode.is_aloud() && dt::TURN_LENGTHS.contains(t))
                    .ok_or_else(|| AppError::field("turn", "Pick a turn length from the list."))?,
            ),
        };
        let length = match form.length.trim() {
            "" => None,
            l => Some(
                l.parse::<u32>()
                    .map_err(|_| AppError::field("length", "Pick a length from the list."))?,
            ),
        };
        let id = uc::request(
            &state,
            &space,
            &who.user.id,
            &form.topic,
            &times,
            length,
            mode,
            turn,
        )
        .await
        .map_err(|e| refusal_field(e, "time1"))?;
        // Aloud with no time given: the room opens now (both still pledge).
        if mode.is_aloud() && times.is_empty() {
            let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
            uc::command(&state, &viewer, &id, Command::StartNow)
                .await
                .map_err(|e| refusal_field(e, "time1"))?;
        }
        Ok::<_, AppError>(id)
    };
    match attempt.await {
        Ok(id) => Ok(see_other(&format!("/talks/{id}"))),
        Err(AppError::Invalid(errors)) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &list_page(&state, &who, form, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---- ground rules --------------------------------------------------------------

#[derive(Template)]
#[template(path = "talk_rules.html")]
struct RulesPage {
    c: Chrome,
    version: i64,
    rules: Vec<String>,
    body: String,
    min_time_out: i64,
    i_accepted: bool,
    partner_accepted: bool,
    partner: String,
    errors: FieldErrors,
}

impl RulesPage {
    fn err(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }
}

async fn rules_page(
    state: &AppState,
    who: &SignedIn,
    edit: Option<(String, i64)>,
    errors: FieldErrors,
) -> Result<RulesPage, AppError> {
    let (_, space) = crate::space::viewer(state, &who.user.id).await?;
    let space = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let r = uc::rules(state, &space.couple_id).await?;
    let partner_id = space
        .partner
        .as_ref()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let (body, min) = edit.unwrap_or_else(|| (r.body.clone(), r.min_time_out));
    Ok(RulesPage {
        c: Chrome::signed_in("Ground rules", who),
        version: r.version,
        rules: r.body.lines().map(str::to_owned).collect(),
        body,
        min_time_out: min,
        i_accepted: r.accepted_by.contains(&who.user.id),
        partner_accepted: r.accepted_by.contains(&partner_id),
        partner: partner_name(Some(space)),
        errors,
    })
}

pub async fn rules(State(state): State<AppState>, who: SignedIn) -> PageResult {
    render(&rules_page(&state, &who, None, FieldErrors::new()).await?)
}

#[derive(Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    rules: String,
    #[serde(default)]
    min_time_out: String,
}

pub async fn save_rules(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<RulesForm>,
) -> PageResult {
    let (_, space) = crate::space::viewer(&state, &who.user.id).await?;
    let space = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let min = form.min_time_out.trim().parse::<i64>().unwrap_or(0);
    match uc::save_rules(&state, space, &who.user.id, &form.rules, min).await {
        Ok(_) => Ok(see_other("/talks/rules")),
        Err(AppError::Invalid(errors)) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &rules_page(&state, &who, Some((form.rules, min)), errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    version: i64,
}

pub async fn accept_rules(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<AcceptForm>,
) -> PageResult {
    let (_, space) = crate::space::viewer(&state, &who.user.id).await?;
    let space = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    uc::accept_rules(&state, space, &who.user.id, form.version).await?;
    Ok(see_other("/talks/rules"))
}

// ---- the room ------------------------------------------------------------------

pub struct Entry {
    pub seq: i64,
    pub mine: bool,
    pub who: String,
    /// statement | paraphrase | confirmed | not_quite | question | note
    pub kind: &'static str,
    pub label: String,
    pub text: String,
}

fn entries(events: &[Recorded], me: &str, partner: &str, tz: Tz) -> Vec<Entry> {
    let mut out = Vec::new();
    for r in events {
        let mine = r.by == me;
        let who = if mine {
            "You".to_owned()
        } else {
            partner.to_owned()
        };
        let (kind, label, text, harsh) = match &r.event {
            Event::Requested { topic, .. } => {
                ("note", "asked for a talk".into(), topic.clone(), false)
            }
            Event::Proposed { times } => (
                "note",
                "suggested other times".into(),
                times
                    .iter()
                    .map(|t| when(*t, tz))
                    .collect::<Vec<_>>()
                    .join(" · "),
                false,
            ),
            // "Talk now" schedules the talk for the moment it was chosen.
            Event::Scheduled { at } if *at <= r.at + MINUTE_MS => {
                ("note", "chose to talk now".into(), String::new(), false)
            }
            Event::Scheduled { at } => ("note", "agreed on a time:".into(), when(*at, tz), false),
            Event::Opened => ("note", "opened the room".into(), String::new(), false),
            Event::Arrived => ("note", "arrived".into(), String::new(), false),
            Event::Pledged => (
                "note",
                if mine {
                    "promised your full attention".into()
                } else {
                    "promised their full attention".into()
                },
                String::new(),
                false,
            ),
            Event::Began { .. } => ("note", "started the talk".into(), String::new(), false),
            Event::Statement { text, harsh } => ("statement", "said:".into(), text.clone(), *harsh),
            Event::Paraphrase { text } => (
                "paraphrase",
                if mine {
                    "said back what you heard:".into()
                } else {
                    "said back what they heard:".into()
                },
                text.clone(),
                false,
            ),
            Event::Confirmed { .. } => {
                ("confirmed", "Yes, that's it.".into(), String::new(), false)
            }
            Event::NotQuite { text } if text.is_empty() => {
                ("not_quite", "Not quite.".into(), String::new(), false)
            }
            Event::NotQuite { text } => ("not_quite", "Not quite:".into(), text.clone(), false),
            Event::Question { text } => ("question", "asked:".into(), text.clone(), false),
            Event::Spoke => (
                "statement",
                "had their say (aloud)".into(),
                String::new(),
                false,
            ),
            Event::SaidBack => (
                "paraphrase",
                "said back what they heard (aloud)".into(),
                String::new(),
                false,
            ),
            // A note its author chose to share (private notes are not in the log).
            Event::NoteShared { text } => {
                ("shared_note", "shared a note:".into(), text.clone(), false)
            }
            Event::FloorAsked => ("note", "asked for the floor".into(), String::new(), false),
            Event::FloorDeclined => (
                "note",
                if mine {
                    "asked to go on a little longer"
                } else {
                    "would like to go on a little longer"
                }
                .into(),
                String::new(),
                false,
            ),
            Event::FloorPassed { .. } => ("note", "passed the floor".into(), String::new(), false),
            // The same words for both: a break was asked for, nothing about why.
            Event::TimeOut { return_at, .. } => (
                "note",
                "asked for a break".into(),
                format!("Back at {}", when(*return_at, tz)),
                false,
            ),
            Event::Back => (
                "note",
                if mine { "are back" } else { "is back" }.into(),
                String::new(),
                false,
            ),
            Event::Resumed => ("note", "came back to the talk".into(), String::new(), false),
            Event::Ended => ("note", "ended the talk".into(), String::new(), false),
        };
        let _ = harsh;
        out.push(Entry {
            seq: r.seq,
            mine,
            who: who.clone(),
            kind,
            label,
            text,
        });
    }
    out
}

pub struct ReflectionView {
    pub mine: bool,
    pub understood: String,
    pub feel_now: String,
}

#[derive(Template)]
#[template(path = "talk.html")]
struct RoomPage {
    c: Chrome,
    /// The coach's answer about the statement when the speaker asked it (the no-JS coach path).
    coach_panel: Option<crate::coach::CoachPanel>,
    id: String,
    topic: String,
    phase: &'static str,
    phase_label: &'static str,
    awaiting: String,
    seq: i64,
    partner: String,
    allowed: Vec<&'static str>,
    allowed_key: String,
    proposals: Vec<(i64, String)>,
    scheduled: String,
    partner_arrived: bool,
    partner_pledged: bool,
    rules: Vec<String>,
    rules_accepted: bool,
    gentle_clock: String,
    you_speak: bool,
    entries: Vec<Entry>,
    latest_statement: String,
    suggestion: String,
    min_time_out: i64,
    return_choices: Vec<(i64, String)>,
    time_out_until: i64,
    server_now: i64,
    time_out_left: String,
    time_out_return: String,
    time_out_mine: bool,
    reflections: Vec<ReflectionView>,
    my_understood: String,
    my_feel_now: String,
    my_shared: bool,
    errors: FieldErrors,
    text: String,
    // Talk aloud
    aloud: bool,
    one_phone: bool,
    /// Aloud: whose floor it is, by name ("You" for the viewer on two phones).
    floor_name: String,
    /// Aloud: who acts next; on one phone, who should hold the phone.
    actor_name: String,
    /// On one phone, the move is the partner's: the form says so.
    as_partner: bool,
    /// What the one acting next may do (on one phone, the partner's moves too).
    acts: Vec<&'static str>,
    /// On one phone, before the partner joined here or on their own device.
    partner_may_join_here: bool,
    turn_clock: String,
    turn_until: i64,
    /// One phone in a time-out: who is not back yet may say so on this phone.
    back_here: Vec<(bool, String)>,
    // The flooding check (this person's own only)
    calm_ask: bool,
    calm_suggest: bool,
    calm_before_after: Option<(i64, i64)>,
    calm_latest: Option<i64>,
    threshold: i64,
    // One-line notes (this person's own only)
    /// Notes may be written now (a talk held aloud, live or in a break, on a
    /// screen that is this person's alone).
    notes_open: bool,
    /// Their own notes: shown whenever the screen is theirs alone.
    notes: Vec<NoteView>,
    note_text: String,
}

pub struct NoteView {
    pub id: String,
    pub text: String,
    pub shared: bool,
}

impl RoomPage {
    fn acts_can(&self, cmd: &str) -> bool {
        self.acts.contains(&cmd)
    }
    fn can(&self, cmd: &str) -> bool {
        self.allowed.contains(&cmd)
    }
    fn err(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }
}

#[derive(Deserialize, Default)]
pub struct RoomQuery {
    suggest: Option<String>,
}

async fn room(
    state: &AppState,
    who: &SignedIn,
    id: &str,
    suggest: bool,
    errors: FieldErrors,
    text: String,
) -> Result<RoomPage, AppError> {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let loaded = uc::load(state, &viewer, id).await?;
    let ctx = uc::context_for(state, &loaded).await?;
    let tz = tz_of(&who.user.time_zone);
    let me = who.user.id.as_str();
    let talk = &loaded.talk;
    let partner = partner_name(space.as_ref());
    let other = talk.other(me).to_owned();
    let couple = loaded.row.couple_id.clone().unwrap_or_default();
    let rules = uc::rules(state, &couple).await?;
    let latest_statement = talk
        .latest_statement
        .and_then(|s| loaded.events.iter().find(|r| r.seq == s))
        .map(|r| match &r.event {
            Event::Statement { text, .. } => text.clone(),
            _ => String::new(),
        })
        .unwrap_or_default();
    let suggestion = if suggest && !latest_statement.is_empty() {
        rekindle_coach::paraphrase(&latest_statement)
    } else {
        String::new()
    };
    let min = ctx.min_time_out.max(dt::MIN_TIME_OUT_MINUTES);
    let return_choices = [min, 30, 60, 120, 240, 24 * 60]
        .into_iter()
        .filter(|m| *m >= min)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|m| {
            (
                m,
                if m < 60 {
                    format!("in {m} minutes")
                } else if m % 60 == 0 {
                    format!("in {} hour{}", m / 60, if m == 60 { "" } else { "s" })
                } else {
                    format!("in {m} minutes")
                },
            )
        })
        .collect();
    let (time_out_until, time_out_left, time_out_return, time_out_mine) = match &talk.time_out {
        Some(t) => {
            // One clock: the countdown runs to the return time shown beside it.
            let left = (t.return_at - ctx.now).max(0);
            (
                t.return_at,
                if left == 0 {
                    "It is time to come back.".into()
                } else {
                    format!(
                        "{} min until the planned return",
                        (left + MINUTE_MS - 1) / MINUTE_MS
                    )
                },
                when(t.return_at, tz),
                t.by == me,
            )
        }
        None => (0, String::new(), String::new(), false),
    };
    let gentle_clock = match (talk.began_at, talk.length_min, talk.phase) {
        (Some(b), Some(l), Phase::Live) => {
            let end = b + i64::from(l) * MINUTE_MS;
            if ctx.now < end {
                format!(
                    "{l} minutes set aside; about {} left.",
                    (end - ctx.now + MINUTE_MS - 1) / MINUTE_MS
                )
            } else {
                format!(
                    "You set aside {l} minutes, and they have passed. Go on if it helps, or find a good place to stop."
                )
            }
        }
        _ => String::new(),
    };
    let reflections = state
        .repo
        .reflections_for(&viewer, &TalkId::from(id))
        .await?;
    uc::reflections_seen(state, &viewer, id, &reflections).await?;
    let mine = reflections.iter().find(|r| r.user_id == me);
    let allowed = talk.allowed(me, &ctx);
    // Talk aloud: on one phone the phone acts for whoever's move it is, once
    // both promised their attention (see `Talk::may_act_for`).
    let aloud = talk.mode.is_aloud();
    let one_phone = talk.mode == dt::Mode::OnePhone;
    let name_of = |u: &str| {
        if u == me {
            if one_phone {
                who.user.display_name.clone()
            } else {
                "You".to_owned()
            }
        } else {
            partner.clone()
        }
    };
    let actor = match talk.next_actor() {
        Some(a) if one_phone && talk.may_act_for(me, a).is_ok() => a.to_owned(),
        _ => me.to_owned(),
    };
    let acts = if actor == me {
        allowed.clone()
    } else {
        talk.allowed(&actor, &ctx)
    };
    let (turn_clock, turn_until) = match (talk.turn_started_at, talk.turn_min, talk.phase) {
        (Some(start), Some(min), Phase::Live) if aloud => {
            let until = start + i64::from(min) * MINUTE_MS;
            let text = if ctx.now < until {
                format!(
                    "About {min} minutes a turn; about {} left.",
                    (until - ctx.now + MINUTE_MS - 1) / MINUTE_MS
                )
            } else {
                "This turn's minutes have passed. Finish your thought, no hurry.".to_owned()
            };
            (text, until)
        }
        _ => (String::new(), 0),
    };
    let back_here = match (&talk.time_out, one_phone) {
        (Some(t), true) => [me.to_owned(), other.clone()]
            .into_iter()
            .filter(|u| !t.back.contains(u) && talk.may_act_for(me, u).is_ok())
            .map(|u| (u != me, name_of(&u)))
            .collect(),
        _ => Vec::new(),
    };
    // The flooding check is this person's alone. On one phone passed across the
    // screen is seen by both, so it is asked only before and after the talk.
    let calm = uc::calm_view(state, &who.user.id, id, talk).await?;
    let shared_screen = one_phone && matches!(talk.phase, Phase::Live | Phase::TimeOut);
    // Notes are private to their author: on one phone passed across they wait
    // for the author's own screen (their own phone, or after the talk).
    let notes = if aloud && !shared_screen {
        state
            .repo
            .talk_notes_of(&who.user.id, &TalkId::from(id))
            .await?
            .into_iter()
            .map(|n| NoteView {
                id: n.id,
                text: n.body,
                shared: n.shared_at.is_some(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let notes_open = !shared_screen && talk.may_note(me).is_ok();
    Ok(RoomPage {
        coach_panel: None,
        notes_open,
        notes,
        note_text: String::new(),
        aloud,
        one_phone,
        floor_name: talk.floor.as_deref().map(&name_of).unwrap_or_default(),
        actor_name: name_of(&actor),
        as_partner: actor != me,
        acts,
        partner_may_join_here: one_phone
            && talk.phase == Phase::Arriving
            && !talk.pledged.contains(&other),
        turn_clock,
        turn_until,
        back_here,
        calm_ask: calm.wanted && !shared_screen,
        calm_suggest: calm.suggest_break && !shared_screen,
        calm_before_after: calm.before_after,
        calm_latest: if shared_screen { None } else { calm.latest },
        threshold: calm.threshold,
        c: Chrome::signed_in("Talk", who),
        id: id.to_owned(),
        topic: talk.topic.clone(),
        phase: talk.phase.as_str(),
        phase_label: phase_label(talk.phase),
        awaiting: talk.awaiting(me),
        seq: talk.last_seq,
        allowed_key: allowed.join(","),
        allowed,
        proposals: talk.proposals.iter().map(|t| (*t, when(*t, tz))).collect(),
        scheduled: talk.scheduled_at.map(|t| when(t, tz)).unwrap_or_default(),
        partner_arrived: talk.arrived.contains(&other),
        partner_pledged: talk.pledged.contains(&other),
        rules: rules.body.lines().map(str::to_owned).collect(),
        rules_accepted: ctx.rules_accepted,
        gentle_clock,
        you_speak: talk.floor.as_deref() == Some(me),
        entries: entries(&loaded.events, me, &partner, tz),
        latest_statement,
        suggestion,
        min_time_out: min,
        return_choices,
        time_out_until,
        server_now: ctx.now,
        time_out_left,
        time_out_return,
        time_out_mine,
        my_understood: mine.map(|r| r.understood.clone()).unwrap_or_default(),
        my_feel_now: mine.map(|r| r.feel_now.clone()).unwrap_or_default(),
        my_shared: mine.is_some_and(|r| r.shared),
        reflections: reflections
            .iter()
            .map(|r| ReflectionView {
                mine: r.user_id == me,
                understood: r.understood.clone(),
                feel_now: r.feel_now.clone(),
            })
            .collect(),
        partner,
        errors,
        text,
    })
}

/// A talk from a space that ended: what this person said and wrote, read-only;
/// the other partner's parts are gone and the page says so.
#[derive(Template)]
#[template(path = "talk_past.html")]
struct PastPage {
    c: Chrome,
    id: String,
    topic: String,
    when: String,
    entries: Vec<Entry>,
    reflection: Option<ReflectionView>,
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<RoomQuery>,
) -> PageResult {
    if id.len() <= 64
        && let Some(p) = uc::past_talk(&state, &who.user.id, &id).await?
    {
        let tz = tz_of(&who.user.time_zone);
        let l = line(&p.row, tz);
        return render(&PastPage {
            c: Chrome::signed_in("A talk from before", &who),
            id: p.row.id.as_str().to_owned(),
            topic: l.topic,
            when: l.when,
            entries: entries(&p.events, who.user.id.as_str(), "", tz),
            reflection: p.reflection.map(|r| ReflectionView {
                mine: true,
                understood: r.understood,
                feel_now: r.feel_now,
            }),
        });
    }
    render(
        &room(
            &state,
            &who,
            &id,
            q.suggest.is_some(),
            FieldErrors::new(),
            String::new(),
        )
        .await?,
    )
}

#[derive(Deserialize, Default)]
pub struct ActForm {
    cmd: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    at: Option<i64>,
    #[serde(default)]
    time: String,
    #[serde(default)]
    minutes: Option<i64>,
    #[serde(default)]
    return_after: Option<i64>,
    /// On one phone passed across: "1" when the move is the partner's.
    #[serde(default)]
    as_partner: Option<String>,
}

fn command_of(f: &ActForm, now: i64, tz: Tz) -> Result<Command, AppError> {
    let text = f.text.clone();
    Ok(match f.cmd.as_str() {
        "propose" => Command::Propose {
            times: parse_times(&[&f.time], tz)?,
        },
        "accept" => Command::Accept {
            at: f
                .at
                .ok_or_else(|| AppError::field("time1", "Pick one of the times."))?,
        },
        "start_now" => Command::StartNow,
        "arrive" => Command::Arrive,
        "pledge" => Command::Pledge,
        "statement" => Command::Statement { text, harsh: false },
        "paraphrase" => Command::Paraphrase { text },
        "confirm" => Command::Confirm,
        "not_quite" => Command::NotQuite { text },
        "question" => Command::Question { text },
        "hand_over" => Command::HandOver,
        "ask_floor" => Command::AskFloor,
        "grant_floor" => Command::GrantFloor,
        "decline_floor" => Command::DeclineFloor,
        "time_out" => {
            let minutes = f.minutes.unwrap_or(dt::MIN_TIME_OUT_MINUTES);
            let back = f.return_after.unwrap_or(minutes).max(minutes);
            Command::TimeOut {
                minutes,
                return_at: now.saturating_add(back.saturating_mul(MINUTE_MS)),
            }
        }
        "back" => Command::Back,
        "spoke" => Command::Spoke,
        "said_back" => Command::SaidBack,
        "end" => Command::End,
        _ => return Err(AppError::BadRequest("Unknown action.".into())),
    })
}

pub async fn act(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Coached(mut form, ask): Coached<ActForm>,
) -> PageResult {
    if form.cmd == "statement"
        && let Some(panel) = ask.asked(&mut [("text", &mut form.text)])
    {
        let mut page = room(&state, &who, &id, false, FieldErrors::new(), form.text).await?;
        page.coach_panel = Some(panel);
        return render(&page);
    }
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    let tz = tz_of(&who.user.time_zone);
    let cmd = command_of(&form, state.clock().now_ms(), tz)?;
    let result = match form.as_partner.as_deref() {
        Some("1") => {
            let loaded = uc::load(&state, &viewer, &id).await?;
            let partner = rekindle_storage::UserId::from(loaded.talk.other(&viewer.user_id));
            uc::command_as(&state, &viewer, &id, &partner, cmd).await
        }
        _ => uc::command(&state, &viewer, &id, cmd).await,
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/talks/{id}#latest"))),
        Err(TalkError::Refused(r)) => refused(&state, &who, &id, "text", r, form.text).await,
        Err(TalkError::App(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ReflectForm {
    #[serde(default)]
    understood: String,
    #[serde(default)]
    feel_now: String,
    #[serde(default)]
    share: Option<String>,
}

pub async fn reflect(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ReflectForm>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    match uc::reflect(
        &state,
        &viewer,
        &id,
        &form.understood,
        &form.feel_now,
        form.share.is_some(),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/talks/{id}#reflection"))),
        Err(AppError::Invalid(errors)) => {
            let mut page = room(&state, &who, &id, false, errors, String::new()).await?;
            page.my_understood = form.understood;
            page.my_feel_now = form.feel_now;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CalmForm {
    #[serde(default)]
    calm: String,
}

/// The private flooding check: "how calm or stirred up am I?", 0 to 10.
pub async fn calm(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CalmForm>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    let value = form.calm.trim().parse::<i64>().unwrap_or(-1);
    match uc::record_calm(&state, &viewer, &id, value).await {
        // Straight to the private suggestion when there is one.
        Ok(view) if view.suggest_break => Ok(see_other(&format!("/talks/{id}#calm-break"))),
        Ok(_) => Ok(see_other(&format!("/talks/{id}#calm-note"))),
        Err(AppError::Invalid(errors)) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &room(&state, &who, &id, false, errors, String::new()).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    text: String,
}

/// A one-line note, private to its author, during a talk held aloud.
pub async fn add_note(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    let why = match uc::add_note(&state, &viewer, &id, &form.text).await {
        Ok(_) => return Ok(see_other(&format!("/talks/{id}#notes"))),
        Err(TalkError::App(AppError::Invalid(errors))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors.into_values().next().unwrap_or_default(),
        ),
        Err(TalkError::Refused(r)) => (StatusCode::CONFLICT, r.to_string()),
        Err(TalkError::App(e)) => return Err(e.into()),
    };
    let mut page = room(
        &state,
        &who,
        &id,
        false,
        FieldErrors::from([("note", why.1)]),
        String::new(),
    )
    .await?;
    page.note_text = form.text;
    render_with_status(why.0, &page)
}

/// The room again, answered 409, with why a step was refused beside `field`
/// (and what the person had typed kept in the box).
async fn refused(
    state: &AppState,
    who: &SignedIn,
    id: &str,
    field: &'static str,
    why: impl ToString,
    text: String,
) -> PageResult {
    let errors = FieldErrors::from([(field, why.to_string())]);
    render_with_status(
        StatusCode::CONFLICT,
        &room(state, who, id, false, errors, text).await?,
    )
}

/// The author shares one of their notes with their partner.
pub async fn share_note(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, note)): Path<(String, String)>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    match uc::share_note(&state, &viewer, &id, &note).await {
        Ok(_) => Ok(see_other(&format!("/talks/{id}#notes"))),
        Err(TalkError::Refused(r)) => refused(&state, &who, &id, "note", r, String::new()).await,
        Err(TalkError::App(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct JoinHereForm {
    #[serde(default)]
    password: String,
}

/// "We're on one phone": the partner enters their own password on this phone
/// and promises their attention.
pub async fn join_here(
    State(state): State<AppState>,
    who: SignedIn,
    ip: crate::http::auth::ClientIp,
    Path(id): Path<String>,
    Form(form): Form<JoinHereForm>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    match uc::join_on_phone(&state, &viewer, &id, &form.password, &ip.0).await {
        Ok(()) => Ok(see_other(&format!("/talks/{id}#latest"))),
        Err(TalkError::App(AppError::Invalid(errors))) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &room(&state, &who, &id, false, errors, String::new()).await?,
        ),
        Err(TalkError::Refused(r)) => refused(&state, &who, &id, "text", r, String::new()).await,
        Err(TalkError::App(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ThresholdForm {
    #[serde(default)]
    threshold: String,
}

/// The person's own threshold for the flooding check.
pub async fn set_threshold(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<ThresholdForm>,
) -> PageResult {
    let value = form.threshold.trim().parse::<i64>().unwrap_or(0);
    match uc::set_threshold(&state, &who.user.id, value).await {
        Ok(()) => Ok(see_other("/talks#calm-settings")),
        Err(AppError::Invalid(errors)) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &list_page(&state, &who, RequestForm::default(), errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    uc::delete(&state, &viewer, &id).await?;
    Ok(see_other("/talks"))
}
