use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rekindle_storage::{Appreciation, AppreciationId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::CoachNote;
use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::json::JsonBody;
use crate::state::AppState;
use crate::view::format::iso;

#[derive(Serialize, ToSchema)]
pub struct AppreciationOut {
    pub id: String,
    /// True when the caller wrote it.
    pub mine: bool,
    /// draft (private to its author) | sent
    pub status: String,
    pub body: String,
    /// The caller kept it (only for ones the partner sent; always false on one's own).
    pub kept: bool,
    /// Sent in a space that has since ended: only its author still sees it.
    pub from_before: bool,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// What the coach notices, for the author's drafts only (a hidden barb, blame…).
    pub coach: Vec<CoachNote>,
}

pub(crate) fn out(a: Appreciation, me: &str) -> AppreciationOut {
    let mine = a.author_id == me;
    AppreciationOut {
        coach: if mine && a.status == rekindle_domain::appreciation::Status::Draft {
            super::coach_notes(&a.body)
        } else {
            Vec::new()
        },
        mine,
        status: a.status.as_str().into(),
        kept: a.kept,
        from_before: a.from_before,
        created_at: iso(a.created_at),
        sent_at: a.sent_at.map(iso),
        id: a.id.into(),
        body: a.body,
    }
}

#[utoipa::path(get, path = "/api/v1/appreciations", operation_id = "listAppreciations", tag = "appreciations",
    responses((status = 200, description = "My appreciations (drafts and sent) and the ones my partner sent me", body = [AppreciationOut])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<AppreciationOut>>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let list = state.repo.appreciations_for(&viewer).await?;
    super::opened(&state, &viewer, &list).await?;
    Ok(Json(
        list.into_iter().map(|a| out(a, &caller.user.id)).collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AppreciationIn {
    /// "Thank you for …", "I admired how you …" (up to 1,000 characters).
    pub body: String,
    /// Send it to the partner at once; otherwise it stays a private draft.
    #[serde(default)]
    pub send: bool,
}

#[utoipa::path(post, path = "/api/v1/appreciations", operation_id = "createAppreciation", tag = "appreciations", request_body = AppreciationIn,
    responses((status = 201, description = "Written: a private draft, or sent", body = AppreciationOut),
        (status = 409, description = "Sending needs a partner in an active space", body = Problem),
        (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<AppreciationIn>,
) -> ApiResult<(StatusCode, Json<AppreciationOut>)> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let a = super::create(&state, &viewer, space.as_ref(), &b.body, b.send).await?;
    Ok((StatusCode::CREATED, Json(out(a, &caller.user.id))))
}

#[utoipa::path(get, path = "/api/v1/appreciations/{id}", operation_id = "getAppreciation", tag = "appreciations",
    params(("id" = String, Path, description = "Appreciation id")),
    responses((status = 200, body = AppreciationOut), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<AppreciationOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let a = super::load(&state, &viewer, &AppreciationId::from(id)).await?;
    super::opened(&state, &viewer, std::slice::from_ref(&a)).await?;
    Ok(Json(out(a, &caller.user.id)))
}

#[derive(Deserialize, ToSchema)]
pub struct AppreciationPatch {
    pub body: String,
}

#[utoipa::path(patch, path = "/api/v1/appreciations/{id}", operation_id = "updateAppreciation", tag = "appreciations", request_body = AppreciationPatch,
    params(("id" = String, Path, description = "Appreciation id")),
    responses((status = 200, body = AppreciationOut), (status = 404, body = Problem),
        (status = 409, description = "Already sent", body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AppreciationPatch>,
) -> ApiResult<Json<AppreciationOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let a = super::edit(&state, &viewer, &AppreciationId::from(id), &b.body).await?;
    Ok(Json(out(a, &caller.user.id)))
}

#[utoipa::path(post, path = "/api/v1/appreciations/{id}/send", operation_id = "sendAppreciation", tag = "appreciations",
    params(("id" = String, Path, description = "Appreciation id")),
    responses((status = 200, body = AppreciationOut), (status = 404, body = Problem),
        (status = 409, description = "Already sent, or no partner to send to", body = Problem)))]
pub async fn send(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<AppreciationOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let a = super::send(&state, &viewer, space.as_ref(), &AppreciationId::from(id)).await?;
    Ok(Json(out(a, &caller.user.id)))
}

#[derive(Deserialize, ToSchema)]
pub struct KeptIn {
    pub kept: bool,
}

#[utoipa::path(put, path = "/api/v1/appreciations/{id}/kept", operation_id = "keepAppreciation", tag = "appreciations", request_body = KeptIn,
    params(("id" = String, Path, description = "Appreciation id")),
    responses((status = 200, body = AppreciationOut), (status = 404, body = Problem),
        (status = 409, description = "Keeping is for the partner it was sent to", body = Problem)))]
pub async fn keep(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<KeptIn>,
) -> ApiResult<Json<AppreciationOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let a = super::keep(&state, &viewer, &AppreciationId::from(id), b.kept).await?;
    Ok(Json(out(a, &caller.user.id)))
}

#[utoipa::path(delete, path = "/api/v1/appreciations/{id}", operation_id = "deleteAppreciation", tag = "appreciations",
    params(("id" = String, Path, description = "Appreciation id")),
    responses((status = 204, description = "Deleted (a sent one disappears for the partner too)"), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    super::delete(&state, &caller.user.id, &AppreciationId::from(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PromptSetting {
    /// The gentle prompt a few times a week (off by default; never counts).
    pub on: bool,
}

#[utoipa::path(get, path = "/api/v1/appreciations/prompt", operation_id = "getAppreciationPrompt", tag = "appreciations",
    responses((status = 200, body = PromptSetting)))]
pub async fn get_prompt(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<PromptSetting>> {
    Ok(Json(PromptSetting {
        on: state.repo.appreciation_prompt_on(&caller.user.id).await?,
    }))
}

#[utoipa::path(put, path = "/api/v1/appreciations/prompt", operation_id = "setAppreciationPrompt", tag = "appreciations", request_body = PromptSetting,
    responses((status = 200, body = PromptSetting), (status = 422, body = Problem)))]
pub async fn put_prompt(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<PromptSetting>,
) -> ApiResult<Json<PromptSetting>> {
    state
        .repo
        .set_appreciation_prompt(&caller.user.id, b.on, state.clock().now_ms())
        .await?;
    Ok(Json(PromptSetting { on: b.on }))
}

/// The language coach for an appreciation: the coach's findings (same shape as
/// `POST /api/v1/coach/analyze`) plus hidden barbs ("thanks for *finally* …"), of
/// kind `hidden_barb`.
/// Advice only: nothing is stored and sending is never blocked.
#[utoipa::path(post, path = "/api/v1/appreciations/coach", operation_id = "coachAppreciation", tag = "appreciations", request_body = crate::coach::api::CoachIn,
    responses((status = 200, body = crate::coach::api::AnalysisOut), (status = 413, body = Problem)))]
pub async fn coach(
    _caller: ApiCaller,
    JsonBody(b): JsonBody<crate::coach::api::CoachIn>,
) -> ApiResult<Json<serde_json::Value>> {
    if b.text.chars().count() > crate::coach::api::MAX_COACH_CHARS {
        return Err(AppError::PayloadTooLarge(
            "The coach reads up to 10000 characters at a time.".into(),
        )
        .into());
    }
    let analysis = rekindle_coach::analyze(&b.text);
    let mut out = rekindle_coach::report::json(&b.text, &analysis);
    if let Some(findings) = out.get_mut("findings").and_then(|f| f.as_array_mut()) {
        for barb in rekindle_domain::appreciation::hidden_barbs(&b.text) {
            findings.push(serde_json::json!({
                // Its own kind, labelled "Hidden barb" as on the page without JavaScript.
                "kind": "hidden_barb",
                "start": barb.start,
                "end": barb.end,
                "severity": "low",
                "explanation": barb.explanation,
            }));
        }
    }
    Ok(Json(out))
}
