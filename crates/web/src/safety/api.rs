use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::json::JsonBody;
use crate::safety::resources::Resource;
use crate::state::AppState;
use crate::view::format::iso;

#[derive(Deserialize, ToSchema)]
pub struct EraseIn {
    pub password: String,
}

#[utoipa::path(delete, path = "/api/v1/me", operation_id = "eraseMe", tag = "safety", request_body = EraseIn,
    responses((status = 204, description = "The account and everything it authored are erased"), (status = 422, description = "Not the caller's password; nothing was erased", body = Problem)))]
pub async fn erase_me(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<EraseIn>,
) -> ApiResult<StatusCode> {
    let hash = state
        .repo
        .password_hash(&caller.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::http::secrets::verify_password(b.password, hash).await {
        return Err(
            AppError::field("password", "That is not your password; nothing was erased.").into(),
        );
    }
    state
        .repo
        .erase_user(&caller.user.id, state.clock().now_ms())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/export", operation_id = "exportMyData", tag = "safety",
    responses((status = 200, description = "A zip archive: rekindle.json and CSV tables", content_type = "application/zip")))]
pub async fn export(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Response> {
    Ok(crate::export::download(
        crate::export::archive(&state, &caller.user.id).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CheckOut {
    pub taken_at: String,
    /// HITS answers, 1 (never) to 5 (frequently): hurt, insult, threaten, scream.
    pub answers: [i64; 4],
    pub total: i64,
    pub positive: bool,
}

#[utoipa::path(get, path = "/api/v1/safety/check", operation_id = "listSafetyChecks", tag = "safety",
    responses((status = 200, description = "My own checks only", body = [CheckOut])))]
pub async fn my_checks(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<CheckOut>>> {
    let list = state.repo.screens_of(&caller.user.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| CheckOut {
                taken_at: iso(s.created_at),
                answers: [s.hurt, s.insult, s.threaten, s.scream],
                total: s.total,
                positive: s.positive,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CheckIn {
    /// Four answers on the HITS scale, 1 (never) to 5 (frequently).
    #[schema(min_items = 4, max_items = 4, value_type = Vec<i64>)]
    pub answers: [i64; 4],
}

#[derive(Serialize, ToSchema)]
pub struct CheckResultOut {
    pub total: u8,
    pub positive: bool,
    /// Shown when positive: where to find help now.
    pub resources: Vec<ResourceOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ResourceOut {
    pub name: String,
    pub contact: String,
    pub note: String,
}

impl From<Resource> for ResourceOut {
    fn from(r: Resource) -> Self {
        ResourceOut {
            name: r.name,
            contact: r.contact,
            note: r.note,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/safety/check", operation_id = "takeSafetyCheck", tag = "safety", request_body = CheckIn,
    responses((status = 201, body = CheckResultOut), (status = 422, body = Problem)))]
pub async fn take_check(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<CheckIn>,
) -> ApiResult<(StatusCode, Json<CheckResultOut>)> {
    // Out-of-range numbers are a field problem (422), not an unreadable body.
    let answers = b.answers.map(|a| u8::try_from(a).unwrap_or(0));
    if answers.iter().any(|a| !(1..=5).contains(a)) {
        return Err(AppError::field(
            "answers",
            "Each answer is from 1 (never) to 5 (frequently).",
        )
        .into());
    }
    let r = crate::safety::take(&state, &caller.user.id, answers).await?;
    let resources = if r.positive {
        state
            .config
            .resources
            .crisis
            .iter()
            .cloned()
            .map(Into::into)
            .collect()
    } else {
        Vec::new()
    };
    Ok((
        StatusCode::CREATED,
        Json(CheckResultOut {
            total: r.total,
            positive: r.positive,
            resources,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/space/pause", operation_id = "pauseSpace", tag = "safety",
    responses((status = 204, description = "Paused; the partner sees only that the space is paused"), (status = 409, body = Problem)))]
pub async fn pause(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<StatusCode> {
    if state.repo.pause_space(&caller.user.id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::Conflict("There is no active space to pause.".into()).into())
    }
}

#[utoipa::path(delete, path = "/api/v1/space/pause", operation_id = "resumeSpace", tag = "safety",
    responses((status = 204, description = "Resumed"), (status = 404, description = "Not paused by the caller", body = Problem)))]
pub async fn resume(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<StatusCode> {
    if state.repo.resume_space(&caller.user.id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}
