//! The talk room over JSON. The live room is the socket (`/talks/{id}/ws`, see
//! docs/talk-protocol.md); these endpoints let any client do the same without one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rekindle_domain::talk::{Command, Mode};
use rekindle_storage::{CoupleId, TalkId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::http::auth::ApiCaller;
use crate::http::error::{ApiError, ApiResult, AppError, Problem};
use crate::http::json::{ApiQuery, JsonBody};
use crate::state::AppState;
use crate::talk::{self as uc, TalkError};

fn refused(e: TalkError) -> Response {
    match e {
        TalkError::App(a) => ApiError(a).into_response(),
        TalkError::Refused(r) => {
            let problem = Problem {
                kind: format!("https://rekindle.invalid/problems/talk/{}", r.code()),
                title: "Not possible now".into(),
                status: 409,
                detail: r.to_string(),
                errors: None,
            };
            (
                StatusCode::CONFLICT,
                [(header::CONTENT_TYPE, "application/problem+json")],
                serde_json::to_vec(&problem).unwrap_or_default(),
            )
                .into_response()
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TalkSummaryOut {
    pub id: String,
    pub topic: String,
    /// requested | scheduled | arriving | live | time_out | ended
    pub phase: String,
    /// Milliseconds since the epoch.
    pub scheduled_at: Option<i64>,
    pub began_at: Option<i64>,
    /// "me" or "partner"
    pub requested_by: String,
    pub last_seq: i64,
    /// True for a talk of a space that ended (the partner left or erased their
    /// account): it holds only this person's parts and is read-only.
    pub space_ended: bool,
}

#[utoipa::path(get, path = "/api/v1/talks", operation_id = "listTalks", tag = "talks",
    responses((status = 200, body = [TalkSummaryOut]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<TalkSummaryOut>>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let mut rows = state.repo.talks_for(&viewer).await?;
    rows.extend(uc::past_talks(&state, &viewer.user_id).await?);
    Ok(Json(
        rows.into_iter()
            .map(|t| TalkSummaryOut {
                requested_by: uc::who(&viewer.user_id, &t.requested_by).into(),
                space_ended: t.couple_id.is_none(),
                id: t.id.into(),
                topic: t.topic,
                phase: t.phase.as_str().to_owned(),
                scheduled_at: t.scheduled_at,
                began_at: t.began_at,
                last_seq: t.last_seq,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TalkRequestIn {
    #[serde(default)]
    pub topic: String,
    /// One to five proposed start times, milliseconds since the epoch (aloud:
    /// none means now).
    #[schema(schema_with = epoch_ms_list)]
    pub times: Vec<i64>,
    /// 20, 30, 45 or 60 minutes; absent for no set length.
    pub length_min: Option<u32>,
    /// typed (default), one_phone (aloud, one phone passed across) or
    /// two_phones (aloud, one phone each). Aloud, `times` may be empty: now.
    #[serde(default)]
    pub mode: Option<String>,
    /// Aloud only: a gentle timer per turn, 2, 3, 5 or 8 minutes.
    pub turn_min: Option<u32>,
}

/// Up to five times in milliseconds since the epoch, no later than the year 9999
/// (so a whole number written as `1.0e15`-style JSON is still read exactly).
fn epoch_ms_list() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(0))
                .maximum(Some(253_402_300_799_999_i64)),
        )
        .max_items(Some(dt_max_times()))
        .description(Some(
            "One to five proposed start times, milliseconds since the epoch (aloud: none means now).",
        ))
        .build()
}

fn dt_max_times() -> usize {
    rekindle_domain::talk::MAX_PROPOSED_TIMES
}

#[derive(Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: String,
}

#[utoipa::path(post, path = "/api/v1/talks", operation_id = "requestTalk", tag = "talks", request_body = TalkRequestIn,
    responses((status = 201, body = CreatedOut), (status = 409, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<TalkRequestIn>,
) -> Response {
    let run = async {
        let (_, space) = crate::space::viewer(&state, &caller.user.id).await?;
        let space = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?.clone();
        Ok::<_, TalkError>(space)
    };
    let space = match run.await {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    let mode = match b.mode.as_deref() {
        None => Mode::Typed,
        Some(m) => match Mode::parse(m) {
            Some(m) => m,
            None => {
                return ApiError(AppError::field(
                    "mode",
                    "mode is typed, one_phone or two_phones.",
                ))
                .into_response();
            }
        },
    };
    match uc::request(
        &state,
        &space,
        &caller.user.id,
        &b.topic,
        &b.times,
        b.length_min,
        mode,
        b.turn_min,
    )
    .await
    {
        Ok(id) => (StatusCode::CREATED, Json(CreatedOut { id })).into_response(),
        Err(e) => refused(e),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReflectionOut {
    /// "me" or "partner" (the partner's appears only once they shared it)
    pub by: String,
    pub understood: String,
    pub feel_now: String,
    pub shared: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TalkOut {
    pub id: String,
    /// The talk as the server sees it for the caller (see docs/talk-protocol.md, `state`).
    #[schema(value_type = Object)]
    pub state: Value,
    /// The log after `after`, as `event` messages.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Value>,
    pub reflections: Vec<ReflectionOut>,
    /// The ground rules shown at the start of every talk, one per line.
    pub rules: Vec<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AfterQuery {
    /// Only events with a larger sequence number.
    #[serde(default)]
    pub after: i64,
}

#[utoipa::path(get, path = "/api/v1/talks/{id}", operation_id = "getTalk", tag = "talks",
    params(("id" = String, Path, description = "Talk id"), AfterQuery),
    responses((status = 200, body = TalkOut), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AfterQuery>,
) -> ApiResult<Json<TalkOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    if id.len() <= 64
        && let Some(p) = uc::past_talk(&state, &viewer.user_id, &id).await?
    {
        // A talk of a space that ended: this person's parts only, read-only.
        return Ok(Json(TalkOut {
            id,
            state: serde_json::json!({
                "phase": p.row.phase.as_str(),
                "topic": p.row.topic,
                "space_ended": true,
                "allowed": [],
            }),
            events: p
                .events
                .iter()
                .filter(|r| r.seq > q.after)
                .map(|r| uc::event_json(r, &viewer.user_id))
                .collect(),
            reflections: p
                .reflection
                .into_iter()
                .map(|r| ReflectionOut {
                    by: "me".into(),
                    understood: r.understood,
                    feel_now: r.feel_now,
                    shared: r.shared,
                })
                .collect(),
            rules: Vec::new(),
        }));
    }
    let loaded = uc::load(&state, &viewer, &id).await?;
    let ctx = uc::context_for(&state, &loaded).await?;
    let couple = loaded.row.couple_id.clone().unwrap_or_default();
    let rules = uc::rules(&state, &couple).await?;
    let reflections = state
        .repo
        .reflections_for(&viewer, &TalkId::from(&id))
        .await?;
    uc::reflections_seen(&state, &viewer, &id, &reflections).await?;
    Ok(Json(TalkOut {
        id,
        state: uc::state_json(&loaded.talk, &viewer.user_id, &ctx),
        events: loaded
            .events
            .iter()
            .filter(|r| r.seq > q.after)
            .map(|r| uc::event_json(r, &viewer.user_id))
            .collect(),
        reflections: reflections
            .into_iter()
            .map(|r| ReflectionOut {
                by: uc::who(&viewer.user_id, &r.user_id).into(),
                understood: r.understood,
                feel_now: r.feel_now,
                shared: r.shared,
            })
            .collect(),
        rules: rules.body.lines().map(str::to_owned).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CommandOut {
    /// The events the command added, as `event` messages.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Value>,
}

/// The commands of the talk room as the document describes them; the server
/// reads them as [`Command`] (docs/talk-protocol.md says what each one does).
#[allow(dead_code)]
#[derive(Deserialize, ToSchema)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum CommandIn {
    /// Proposed times, as Unix seconds.
    Propose {
        times: Vec<i64>,
    },
    /// One of the proposed times, as Unix seconds.
    Accept {
        at: i64,
    },
    StartNow,
    Arrive,
    Pledge,
    Statement {
        text: String,
    },
    Paraphrase {
        text: String,
    },
    Confirm,
    NotQuite {
        text: String,
    },
    Question {
        text: String,
    },
    HandOver,
    AskFloor,
    GrantFloor,
    DeclineFloor,
    /// Aloud, the speaker: "I've said it" (no words are sent or kept).
    Spoke,
    /// Aloud, the listener: "I said back what I heard".
    SaidBack,
    /// At least 20 minutes; `return_at` as Unix seconds, within 24 hours.
    TimeOut {
        minutes: i64,
        return_at: i64,
    },
    Back,
    End,
}

/// One command, as on the socket: `{"cmd": "statement", "text": "…"}` etc.
#[utoipa::path(post, path = "/api/v1/talks/{id}/commands", operation_id = "sendTalkCommand", tag = "talks",
    params(("id" = String, Path, description = "Talk id")),
    request_body(content = CommandIn, description = "A command (see docs/talk-protocol.md)"),
    responses((status = 200, body = CommandOut), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 409, description = "Refused by the talk's rules; the type names the reason", body = Problem)))]
pub async fn command(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Response {
    let cmd: Command = match serde_json::from_value(body) {
        Ok(c) => c,
        Err(e) => {
            return ApiError(AppError::BadRequest(format!(
                "That command could not be read: {e}"
            )))
            .into_response();
        }
    };
    let viewer = match crate::space::viewer(&state, &caller.user.id).await {
        Ok((v, _)) => v,
        Err(e) => return ApiError(e).into_response(),
    };
    match uc::command(&state, &viewer, &id, cmd).await {
        Ok(rec) => Json(CommandOut {
            events: rec
                .iter()
                .map(|r| uc::event_json(r, &viewer.user_id))
                .collect(),
        })
        .into_response(),
        Err(e) => refused(e),
    }
}

#[utoipa::path(delete, path = "/api/v1/talks/{id}", operation_id = "deleteTalk", tag = "talks",
    params(("id" = String, Path, description = "Talk id")),
    responses((status = 204, description = "Deleted for both partners (a talk from a space that ended: only the caller's parts)"), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::delete(&state, &viewer, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReflectionIn {
    #[serde(default)]
    pub understood: String,
    #[serde(default)]
    pub feel_now: String,
    /// Share it with the partner (private otherwise).
    #[serde(default)]
    pub shared: bool,
}

#[utoipa::path(put, path = "/api/v1/talks/{id}/reflection", operation_id = "setTalkReflection", tag = "talks", request_body = ReflectionIn,
    params(("id" = String, Path, description = "Talk id")),
    responses((status = 204, description = "Saved"), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn reflect(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ReflectionIn>,
) -> ApiResult<StatusCode> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::reflect(&state, &viewer, &id, &b.understood, &b.feel_now, b.shared).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RulesIo {
    /// 0: the defaults, never accepted yet.
    #[serde(default)]
    pub version: i64,
    pub rules: Vec<String>,
    /// The couple's shortest time-out in minutes (20 or more).
    #[serde(default = "twenty")]
    pub min_time_out: i64,
    /// "me" and/or "partner": who accepted this version.
    #[serde(default)]
    pub accepted_by: Vec<String>,
}

fn twenty() -> i64 {
    20
}

async fn rules_out(state: &AppState, couple_id: &CoupleId, me: &str) -> Result<RulesIo, AppError> {
    let r = uc::rules(state, couple_id).await?;
    Ok(RulesIo {
        version: r.version,
        rules: r.body.lines().map(str::to_owned).collect(),
        min_time_out: r.min_time_out,
        accepted_by: r
            .accepted_by
            .iter()
            .map(|a| uc::who(me, a).to_owned())
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/talks/rules", operation_id = "getGroundRules", tag = "talks",
    responses((status = 200, body = RulesIo), (status = 409, body = Problem)))]
pub async fn rules(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Json<RulesIo>> {
    let (_, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let space = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    Ok(Json(
        rules_out(&state, &space.couple_id, &caller.user.id).await?,
    ))
}

/// A new version of the rules; the editor accepts it, the partner must too.
#[utoipa::path(put, path = "/api/v1/talks/rules", operation_id = "setGroundRules", tag = "talks", request_body = RulesIo,
    responses((status = 200, body = RulesIo), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_rules(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<RulesIo>,
) -> ApiResult<Json<RulesIo>> {
    let (_, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let space = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    uc::save_rules(
        &state,
        space,
        &caller.user.id,
        &b.rules.join("\n"),
        b.min_time_out,
    )
    .await?;
    Ok(Json(
        rules_out(&state, &space.couple_id, &caller.user.id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptIn {
    /// The version read (0 accepts the defaults).
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/talks/rules/accept", operation_id = "acceptGroundRules", tag = "talks", request_body = AcceptIn,
    responses((status = 200, body = RulesIo), (status = 409, description = "Not the current version", body = Problem)))]
pub async fn accept_rules(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<AcceptIn>,
) -> ApiResult<Json<RulesIo>> {
    let (_, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let space = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    uc::accept_rules(&state, space, &caller.user.id, b.version).await?;
    Ok(Json(
        rules_out(&state, &space.couple_id, &caller.user.id).await?,
    ))
}

// ---- the flooding check: the caller's own numbers only ------------------------

#[derive(Deserialize, ToSchema)]
pub struct CalmIn {
    /// How calm or stirred up the caller is: 0 (calm) to 10 (very stirred up).
    pub value: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CalmReadingOut {
    /// before, floor-<n> (at the n-th change of floor) or after
    pub moment: String,
    pub value: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CalmOut {
    /// The caller's own checks in this talk; never the partner's.
    pub readings: Vec<CalmReadingOut>,
    /// The caller's threshold (default 7).
    pub threshold: i64,
    /// The latest check at this moment is at or above the threshold: a break
    /// (a time-out) is suggested to the caller alone.
    pub suggest_break: bool,
    /// Whether the check is asked now (before the talk, at a change of floor, after).
    pub asked_now: bool,
    /// Once the talk is over, the caller's first and last check.
    pub before: Option<i64>,
    pub after: Option<i64>,
}

async fn calm_out(
    state: &AppState,
    user: &rekindle_storage::UserId,
    id: &str,
    view: uc::CalmView,
) -> Result<CalmOut, AppError> {
    let readings = state.repo.calm_readings(user, &TalkId::from(id)).await?;
    Ok(CalmOut {
        readings: readings
            .into_iter()
            .map(|r| CalmReadingOut {
                moment: r.moment,
                value: r.value,
            })
            .collect(),
        threshold: view.threshold,
        suggest_break: view.suggest_break,
        asked_now: view.wanted,
        before: view.before_after.map(|b| b.0),
        after: view.before_after.map(|b| b.1),
    })
}

#[utoipa::path(get, path = "/api/v1/talks/{id}/calm", operation_id = "getMyCalmChecks", tag = "talks",
    params(("id" = String, Path, description = "Talk id")),
    responses((status = 200, body = CalmOut), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn calm(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<CalmOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let loaded = uc::load(&state, &viewer, &id).await?;
    let view = uc::calm_view(&state, &viewer.user_id, &id, &loaded.talk).await?;
    Ok(Json(calm_out(&state, &viewer.user_id, &id, view).await?))
}

/// A private check for the talk's current moment; the partner is not told.
#[utoipa::path(post, path = "/api/v1/talks/{id}/calm", operation_id = "recordMyCalmCheck", tag = "talks", request_body = CalmIn,
    params(("id" = String, Path, description = "Talk id")),
    responses((status = 200, body = CalmOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 409, description = "The room is not open yet", body = Problem),
              (status = 422, description = "Not a number from 0 to 10", body = Problem)))]
pub async fn record_calm(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CalmIn>,
) -> ApiResult<Json<CalmOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let view = uc::record_calm(&state, &viewer, &id, b.value).await?;
    Ok(Json(calm_out(&state, &viewer.user_id, &id, view).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CalmThresholdIo {
    /// From 1 to 10: at or above, a break is suggested (default 7).
    pub threshold: i64,
}

#[utoipa::path(get, path = "/api/v1/talks/calm-threshold", operation_id = "getMyCalmThreshold", tag = "talks",
    responses((status = 200, body = CalmThresholdIo), (status = 401, body = Problem)))]
pub async fn calm_threshold(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<CalmThresholdIo>> {
    Ok(Json(CalmThresholdIo {
        threshold: uc::threshold(&state, &caller.user.id).await?,
    }))
}

#[utoipa::path(put, path = "/api/v1/talks/calm-threshold", operation_id = "setMyCalmThreshold", tag = "talks", request_body = CalmThresholdIo,
    responses((status = 200, body = CalmThresholdIo), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 422, description = "Not a number from 1 to 10", body = Problem)))]
pub async fn set_calm_threshold(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<CalmThresholdIo>,
) -> ApiResult<Json<CalmThresholdIo>> {
    uc::set_threshold(&state, &caller.user.id, b.threshold).await?;
    Ok(Json(CalmThresholdIo {
        threshold: uc::threshold(&state, &caller.user.id).await?,
    }))
}

/// One of the caller's own one-line notes in a talk held aloud.
#[derive(Serialize, ToSchema)]
pub struct NoteOut {
    pub id: String,
    /// One line, at most 140 characters.
    pub text: String,
    /// Shared with the partner (then it is in the talk's log as `note_shared`).
    pub shared: bool,
    pub created_at: String,
}

impl From<rekindle_storage::TalkNote> for NoteOut {
    fn from(n: rekindle_storage::TalkNote) -> Self {
        NoteOut {
            id: n.id,
            text: n.body,
            shared: n.shared_at.is_some(),
            created_at: crate::view::format::iso(n.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NoteIn {
    /// One line, 1 to 140 characters after trimming.
    pub text: String,
}

/// The caller's own notes in a talk (private and shared); never the partner's
/// private ones (a note the partner shared is in the talk's events).
#[utoipa::path(get, path = "/api/v1/talks/{id}/notes", operation_id = "listMyTalkNotes", tag = "talks",
    params(("id" = String, Path, description = "Talk id")),
    responses((status = 200, body = Vec<NoteOut>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn notes(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<NoteOut>>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let notes = uc::my_notes(&state, &viewer, &id).await?;
    Ok(Json(notes.into_iter().map(NoteOut::from).collect()))
}

/// Jots a one-line note, private to the caller, while a talk held aloud runs.
#[utoipa::path(post, path = "/api/v1/talks/{id}/notes", operation_id = "addTalkNote", tag = "talks", request_body = NoteIn,
    params(("id" = String, Path, description = "Talk id")),
    responses((status = 201, body = NoteOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 404, body = Problem),
              (status = 409, description = "Not a talk held aloud, or not running now; the type names the reason", body = Problem),
              (status = 422, description = "Empty, more than one line or longer than 140 characters", body = Problem)))]
pub async fn add_note(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NoteIn>,
) -> Response {
    let viewer = match crate::space::viewer(&state, &caller.user.id).await {
        Ok((v, _)) => v,
        Err(e) => return ApiError(e).into_response(),
    };
    match uc::add_note(&state, &viewer, &id, &b.text).await {
        Ok(n) => (StatusCode::CREATED, Json(NoteOut::from(n))).into_response(),
        Err(e) => refused(e),
    }
}

/// Shares one of the caller's notes with their partner: it reaches them live
/// and stays in the talk's history. Only its author can share a note.
#[utoipa::path(post, path = "/api/v1/talks/{id}/notes/{note}/share", operation_id = "shareTalkNote", tag = "talks",
    params(("id" = String, Path, description = "Talk id"), ("note" = String, Path, description = "Note id")),
    responses((status = 200, body = NoteOut), (status = 401, body = Problem),
              (status = 404, description = "No such note of the caller's in this talk", body = Problem),
              (status = 409, description = "Shared already, or the talk is not running; the type names the reason", body = Problem)))]
pub async fn share_note(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, note)): Path<(String, String)>,
) -> Response {
    let viewer = match crate::space::viewer(&state, &caller.user.id).await {
        Ok((v, _)) => v,
        Err(e) => return ApiError(e).into_response(),
    };
    match uc::share_note(&state, &viewer, &id, &note).await {
        Ok(n) => Json(NoteOut::from(n)).into_response(),
        Err(e) => refused(e),
    }
}
