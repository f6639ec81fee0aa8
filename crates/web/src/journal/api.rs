use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rekindle_storage::EntryId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::json::JsonBody;
use crate::state::AppState;
use crate::view::format::iso;
use rekindle_domain::Visibility;

#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    pub id: String,
    /// True when the caller wrote it.
    pub mine: bool,
    /// private | shared
    pub visibility: String,
    pub title: String,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
}

fn out(e: rekindle_storage::Entry, me: &str) -> EntryOut {
    EntryOut {
        mine: e.owner_id == me,
        visibility: e.visibility.as_str().into(),
        id: e.id.into(),
        title: e.title,
        body: e.body,
        created_at: iso(e.created_at),
        updated_at: iso(e.updated_at),
    }
}

#[utoipa::path(get, path = "/api/v1/journal", operation_id = "listJournalEntries", tag = "journal",
    responses((status = 200, description = "My entries and the ones my partner shared", body = [EntryOut])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<EntryOut>>> {
    let state = state.reading().await?;
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let entries = state.repo.entries_for(&viewer).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| out(e, &caller.user.id))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct EntryIn {
    #[serde(default)]
    pub title: String,
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/journal", operation_id = "createJournalEntry", tag = "journal", request_body = EntryIn,
    responses((status = 201, description = "Created, private", body = EntryOut), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<EntryIn>,
) -> ApiResult<(StatusCode, Json<EntryOut>)> {
    let e = crate::journal::create_entry(&state, &caller.user.id, &b.title, &b.body).await?;
    Ok((StatusCode::CREATED, Json(out(e, &caller.user.id))))
}

#[utoipa::path(get, path = "/api/v1/journal/{id}", operation_id = "getJournalEntry", tag = "journal",
    params(("id" = String, Path, description = "Entry id")),
    responses((status = 200, body = EntryOut), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<EntryOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let e = state
        .repo
        .entry_for(&viewer, &EntryId::from(&id))
        .await?
        .ok_or(AppError::NotFound)?;
    crate::journal::opened(&state, &viewer, &e).await?;
    Ok(Json(out(e, &caller.user.id)))
}

#[derive(Deserialize, ToSchema)]
pub struct EntryPatch {
    pub title: Option<String>,
    pub body: Option<String>,
    /// private | shared
    pub visibility: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/journal/{id}", operation_id = "updateJournalEntry", tag = "journal", request_body = EntryPatch,
    params(("id" = String, Path, description = "Entry id")),
    responses((status = 200, body = EntryOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<EntryPatch>,
) -> ApiResult<Json<EntryOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let current = state
        .repo
        .entry_for(&viewer, &EntryId::from(&id))
        .await?
        .filter(|e| e.owner_id == caller.user.id)
        .ok_or(AppError::NotFound)?;
    let visibility = match b.visibility.as_deref() {
        None => None,
        Some(v) => Some(
            Visibility::parse(v)
                .ok_or_else(|| AppError::field("visibility", "Use \"private\" or \"shared\"."))?,
        ),
    };
    if b.title.is_some() || b.body.is_some() {
        let (title, body) = crate::journal::check_entry(
            b.title.as_deref().unwrap_or(&current.title),
            b.body.as_deref().unwrap_or(&current.body),
        )?;
        state
            .repo
            .update_entry(
                &caller.user.id,
                &EntryId::from(&id),
                &title,
                &body,
                state.clock().now_ms(),
            )
            .await?;
    }
    if let Some(v) = visibility {
        let shared = v == Visibility::Shared;
        crate::journal::set_shared(&state, &viewer, space.as_ref(), &id, shared).await?;
    }
    let e = state
        .repo
        .entry_for(&viewer, &EntryId::from(&id))
        .await?
        .ok_or(AppError::NotFound)?;
    crate::journal::opened(&state, &viewer, &e).await?;
    Ok(Json(out(e, &caller.user.id)))
}

#[utoipa::path(delete, path = "/api/v1/journal/{id}", operation_id = "deleteJournalEntry", tag = "journal",
    params(("id" = String, Path, description = "Entry id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if state
        .repo
        .delete_entry(&caller.user.id, &EntryId::from(&id))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}
