use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Candidate, LinkView, Summary};
use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, Problem};
use crate::http::json::JsonBody;
use crate::state::AppState;
use crate::view::format::iso;

#[derive(Serialize, ToSchema)]
pub struct HandoffOut {
    /// Moves on with every change by either partner; approve this number.
    pub version: i64,
    /// Everything both can see that may go in, and who chose it.
    pub items: Vec<Candidate>,
    /// The summary as it reads at this version.
    pub summary: Summary,
    /// SHA-256 of the summary's content (what an approval covers).
    pub digest: String,
    pub approved_by_me: bool,
    pub approved_by_partner: bool,
    /// Both approved the same version: printable, and links can be made.
    #[serde(rename = "final")]
    pub is_final: bool,
    pub links: Vec<LinkView>,
}

fn out(d: super::Draft) -> HandoffOut {
    HandoffOut {
        version: d.version,
        items: d.candidates,
        summary: d.summary,
        digest: d.digest,
        approved_by_me: d.approved_by_me,
        approved_by_partner: d.approved_by_partner,
        is_final: d.final_summary.is_some(),
        links: d.links,
    }
}

#[utoipa::path(get, path = "/api/v1/handoff", operation_id = "getHandoff", tag = "handoff",
    responses((status = 200, body = HandoffOut), (status = 409, description = "Needs both partners in an active space", body = Problem)))]
pub async fn show(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Json<HandoffOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let d = super::draft(&state, &viewer, space.as_ref(), &caller.user.display_name).await?;
    Ok(Json(out(d)))
}

#[derive(Deserialize, ToSchema)]
pub struct ChoiceIn {
    /// An item's `key` from `items`.
    pub item: String,
    pub chosen: bool,
}

#[utoipa::path(put, path = "/api/v1/handoff/items", operation_id = "chooseHandoffItem", tag = "handoff", request_body = ChoiceIn,
    responses((status = 200, description = "The summary at its new version", body = HandoffOut),
        (status = 409, description = "Needs both partners in an active space", body = Problem),
        (status = 422, body = Problem)))]
pub async fn choose(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<ChoiceIn>,
) -> ApiResult<Json<HandoffOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let name = &caller.user.display_name;
    super::choose(&state, &viewer, space.as_ref(), name, &b.item, b.chosen).await?;
    Ok(Json(out(super::draft(
        &state,
        &viewer,
        space.as_ref(),
        name,
    )
    .await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct ApproveIn {
    /// The version read; approving any other is refused with 409.
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/handoff/approve", operation_id = "approveHandoff", tag = "handoff", request_body = ApproveIn,
    responses((status = 200, body = HandoffOut),
        (status = 409, description = "A stale version, an empty summary, or no partner", body = Problem),
        (status = 422, body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<ApproveIn>,
) -> ApiResult<Json<HandoffOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let d = super::approve(
        &state,
        &viewer,
        space.as_ref(),
        &caller.user.display_name,
        b.version,
    )
    .await?;
    Ok(Json(out(d)))
}

#[utoipa::path(get, path = "/api/v1/handoff/final", operation_id = "getFinalHandoff", tag = "handoff",
    responses((status = 200, description = "Exactly what both approved", body = Summary),
        (status = 409, description = "Not approved by both yet, or no partner", body = Problem)))]
pub async fn final_summary(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Summary>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    Ok(Json(
        super::final_summary(&state, &viewer, space.as_ref(), &caller.user.display_name).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct LinkIn {
    /// How many days the link works: 1 to 14 (default 14).
    #[serde(default)]
    pub days: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct LinkOut {
    pub id: String,
    /// The link for the counselor; shown only now (only a digest of its token is kept).
    pub url: String,
    pub expires_at: String,
}

#[utoipa::path(post, path = "/api/v1/handoff/links", operation_id = "createHandoffLink", tag = "handoff", request_body = LinkIn,
    responses((status = 201, body = LinkOut),
        (status = 409, description = "Not approved by both yet, or no partner", body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    JsonBody(b): JsonBody<LinkIn>,
) -> ApiResult<(StatusCode, Json<LinkOut>)> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let l = super::create_link(&state, &viewer, space.as_ref(), b.days).await?;
    Ok((
        StatusCode::CREATED,
        Json(LinkOut {
            url: format!(
                "{}/handoff/s/{}",
                crate::http::base_url(&state, &headers),
                l.token
            ),
            id: l.id,
            expires_at: iso(l.expires_at),
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/handoff/links/{id}", operation_id = "revokeHandoffLink", tag = "handoff",
    params(("id" = String, Path, description = "Link id")),
    responses((status = 204, description = "The link no longer works"), (status = 404, body = Problem),
        (status = 409, description = "No partner", body = Problem)))]
pub async fn revoke_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let (_, space) = crate::space::viewer(&state, &caller.user.id).await?;
    super::revoke(&state, space.as_ref(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
