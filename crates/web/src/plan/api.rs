//! The action plan, reminder choices and the calendar feed as JSON.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::json::JsonBody;
use crate::plan::{self as uc, ActionState, NewActionInput, date_key};
use crate::state::AppState;
use crate::view::format::{iso, tz_of};
use rekindle_domain::plan::Recurrence;

#[derive(Serialize, ToSchema)]
pub struct OccurrenceOut {
    /// YYYY-MM-DD, in the caller's time zone.
    pub date: String,
    /// today | upcoming | still_open
    pub standing: String,
}

#[derive(Serialize, ToSchema)]
pub struct DoneEventOut {
    pub date: String,
    pub done: bool,
    /// True when the caller recorded it.
    pub by_me: bool,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ActionOut {
    pub id: String,
    pub title: String,
    pub notes: String,
    /// me | partner | both, from the caller's side.
    pub owner: String,
    /// The first (or only) date, YYYY-MM-DD.
    pub due_date: String,
    /// RFC 5545 RRULE value, absent for a one-off.
    pub rrule: Option<String>,
    /// In words, e.g. "Every week on Monday".
    pub repeats: Option<String>,
    /// proposed | accepted | declined
    pub assignment: String,
    /// A proposal waiting for the caller's answer.
    pub awaiting_me: bool,
    /// Kept from an earlier space, read-only.
    pub history: bool,
    pub agreement_id: Option<String>,
    /// Open occurrences around today: recent ones not done, today, the next one.
    pub open: Vec<OccurrenceOut>,
    /// Dates marked done.
    pub done: Vec<String>,
    pub events: Vec<DoneEventOut>,
    pub created_at: String,
}

fn out(a: ActionState, me: &str) -> ActionOut {
    ActionOut {
        repeats: a.schedule.rule.as_ref().map(Recurrence::describe),
        owner: a.owner.as_str().into(),
        assignment: a.assignment.as_str().into(),
        awaiting_me: a.awaiting_me,
        history: a.history,
        open: a
            .open
            .iter()
            .map(|(d, s)| OccurrenceOut {
                date: date_key(*d),
                standing: s.as_str().into(),
            })
            .collect(),
        done: a.done.iter().map(|d| date_key(*d)).collect(),
        events: a
            .events
            .iter()
            .map(|e| DoneEventOut {
                date: e.occurrence.clone(),
                done: e.done,
                by_me: e.user_id == me,
                at: iso(e.at),
            })
            .collect(),
        id: a.action.id.into(),
        title: a.action.title,
        notes: a.action.notes,
        due_date: a.action.due_date,
        rrule: a.action.rrule,
        agreement_id: a.action.agreement_id.map(String::from),
        created_at: iso(a.action.created_at),
    }
}

async fn one(state: &AppState, caller: &ApiCaller, id: &str) -> Result<ActionOut, AppError> {
    let (viewer, _) = crate::space::viewer(state, &caller.user.id).await?;
    let plan = uc::plan_for(state, &viewer, tz_of(&caller.user.time_zone)).await?;
    plan.actions
        .into_iter()
        .find(|a| a.action.id == id)
        .map(|a| out(a, &caller.user.id))
        .ok_or(AppError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/plan", operation_id = "listActions", tag = "plan",
    responses((status = 200, description = "Every action the caller may see, by date", body = [ActionOut])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<ActionOut>>> {
    let state = state.reading().await?;
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let plan = uc::plan_for(&state, &viewer, tz_of(&caller.user.time_zone)).await?;
    Ok(Json(
        plan.actions
            .into_iter()
            .map(|a| out(a, &caller.user.id))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ActionIn {
    pub title: String,
    /// me | partner | both. Partner or both waits for the partner's yes.
    pub owner: String,
    /// YYYY-MM-DD
    pub due_date: String,
    /// Optional RRULE subset: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY (weekly), BYMONTHDAY (monthly), UNTIL, COUNT.
    pub rrule: Option<String>,
    #[serde(default)]
    pub notes: String,
    /// The agreement this action comes from, if any.
    pub agreement_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/plan", operation_id = "createAction", tag = "plan", request_body = ActionIn,
    responses((status = 201, body = ActionOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<ActionIn>,
) -> ApiResult<(StatusCode, Json<ActionOut>)> {
    let (_, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let rule = match b.rrule.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(text) => Recurrence::parse(text).map(Some).map_err(|e| e.0),
    };
    let a = uc::create(
        &state,
        &caller.user,
        space.as_ref(),
        NewActionInput {
            title: b.title,
            owner: b.owner,
            due_date: b.due_date,
            rule,
            notes: b.notes,
            agreement_id: b.agreement_id,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(one(&state, &caller, &a.id).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/plan/{id}", operation_id = "getAction", tag = "plan",
    params(("id" = String, Path, description = "Action id")),
    responses((status = 200, body = ActionOut), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ActionOut>> {
    Ok(Json(one(&state, &caller, &id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct MarkIn {
    /// The occurrence, YYYY-MM-DD. Default: the only date of a one-off, or today.
    pub date: Option<String>,
}

async fn mark(
    state: AppState,
    caller: ApiCaller,
    id: String,
    b: MarkIn,
    done: bool,
) -> ApiResult<Json<ActionOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::mark(
        &state,
        &viewer,
        space.as_ref(),
        tz_of(&caller.user.time_zone),
        &id,
        b.date.as_deref(),
        done,
    )
    .await?;
    Ok(Json(one(&state, &caller, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/plan/{id}/done", operation_id = "markActionDone", tag = "plan", request_body = MarkIn,
    params(("id" = String, Path, description = "Action id")),
    responses((status = 200, body = ActionOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn done(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MarkIn>,
) -> ApiResult<Json<ActionOut>> {
    mark(state, caller, id, b, true).await
}

#[utoipa::path(post, path = "/api/v1/plan/{id}/undo", operation_id = "undoActionDone", tag = "plan", request_body = MarkIn,
    params(("id" = String, Path, description = "Action id")),
    responses((status = 200, body = ActionOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn undo(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MarkIn>,
) -> ApiResult<Json<ActionOut>> {
    mark(state, caller, id, b, false).await
}

#[derive(Deserialize, ToSchema)]
pub struct ProposalAnswerIn {
    pub accept: bool,
}

#[utoipa::path(post, path = "/api/v1/plan/{id}/answer", operation_id = "answerActionProposal", tag = "plan", request_body = ProposalAnswerIn,
    params(("id" = String, Path, description = "Action id")),
    responses((status = 200, body = ActionOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ProposalAnswerIn>,
) -> ApiResult<Json<ActionOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::answer(&state, &viewer, space.as_ref(), &id, b.accept).await?;
    Ok(Json(one(&state, &caller, &id).await?))
}
