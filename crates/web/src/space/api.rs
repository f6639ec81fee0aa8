use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use rekindle_storage::InvitationId;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::ApiCaller;
use crate::http::base_url;
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::secrets::digest;
use crate::state::AppState;
use crate::view::format::iso;
use rekindle_domain::journey::{Facts, journey as derive_journey};

#[derive(Serialize, ToSchema)]
pub struct PartnerOut {
    pub display_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct SpaceOut {
    pub id: String,
    pub joined_at: String,
    /// Absent until the partner has joined.
    pub partner: Option<PartnerOut>,
    /// Paused for safety; says nothing about who paused or why.
    pub paused: bool,
}

impl From<rekindle_storage::Space> for SpaceOut {
    fn from(s: rekindle_storage::Space) -> Self {
        SpaceOut {
            id: s.couple_id.into(),
            joined_at: iso(s.joined_at),
            partner: s.partner.map(|p| PartnerOut {
                display_name: p.display_name,
            }),
            paused: s.paused,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/space", operation_id = "getSpace", tag = "space",
    responses((status = 200, body = SpaceOut), (status = 404, description = "Not in a space", body = Problem)))]
pub async fn show(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Json<SpaceOut>> {
    let space = state
        .repo
        .space_of(&caller.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(space.into()))
}

#[utoipa::path(post, path = "/api/v1/space", operation_id = "createSpace", tag = "space",
    responses((status = 201, body = SpaceOut), (status = 409, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<(StatusCode, Json<SpaceOut>)> {
    let space = crate::space::create_space(&state, &caller.user.id).await?;
    Ok((StatusCode::CREATED, Json(space.into())))
}

#[utoipa::path(delete, path = "/api/v1/space", operation_id = "leaveSpace", tag = "space",
    responses((status = 204, description = "Left the space; authored content stays with its author"), (status = 404, body = Problem)))]
pub async fn leave(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<StatusCode> {
    if crate::space::leave_space(&state, &caller.user.id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}

#[derive(Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: String,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct NewInvitationOut {
    pub id: String,
    /// The single-use link; only returned now.
    pub url: String,
    pub code: String,
    pub expires_at: String,
}

#[utoipa::path(get, path = "/api/v1/space/invitations", operation_id = "listInvitations", tag = "space",
    responses((status = 200, description = "Open invitations", body = [InvitationOut]), (status = 404, body = Problem)))]
pub async fn invitations(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<InvitationOut>>> {
    let space = state
        .repo
        .space_of(&caller.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let list = state
        .repo
        .open_invitations(&space.couple_id, state.clock().now_ms())
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|i| InvitationOut {
                id: i.id.into(),
                created_at: iso(i.created_at),
                expires_at: iso(i.expires_at),
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/space/invitations", operation_id = "createInvitation", tag = "space",
    responses((status = 201, body = NewInvitationOut), (status = 409, body = Problem)))]
pub async fn invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<NewInvitationOut>)> {
    let link = crate::space::invite(&state, &caller.user.id).await?;
    let url = format!("{}/join/{}", base_url(&state, &headers), link.code);
    Ok((
        StatusCode::CREATED,
        Json(NewInvitationOut {
            id: link.id,
            url,
            code: link.code,
            expires_at: iso(link.expires_at),
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/space/invitations/{id}", operation_id = "revokeInvitation", tag = "space",
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let space = state
        .repo
        .space_of(&caller.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if state
        .repo
        .revoke_invitation(
            &space.couple_id,
            &InvitationId::from(&id),
            state.clock().now_ms(),
        )
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}

#[derive(Serialize, ToSchema)]
pub struct InvitationPreviewOut {
    pub inviter_name: String,
}

#[utoipa::path(get, path = "/api/v1/invitations/{code}", operation_id = "previewInvitation", tag = "space",
    params(("code" = String, Path, description = "The code from the invitation link")),
    responses((status = 200, body = InvitationPreviewOut), (status = 404, body = Problem)))]
pub async fn preview(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<InvitationPreviewOut>> {
    match state
        .repo
        .invitation_by_code(&digest(&code), state.clock().now_ms())
        .await?
    {
        Some(p) if p.valid => Ok(Json(InvitationPreviewOut {
            inviter_name: p.inviter_name,
        })),
        _ => Err(AppError::NotFound.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/invitations/{code}/accept", operation_id = "acceptInvitation", tag = "space",
    params(("code" = String, Path, description = "The code from the invitation link")),
    responses((status = 200, body = SpaceOut), (status = 409, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<SpaceOut>> {
    Ok(Json(
        crate::space::accept(&state, &code, &caller.user.id)
            .await?
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct StepOut {
    pub number: u8,
    pub slug: String,
    pub title: String,
    pub purpose: String,
    pub exercise: String,
    /// Path of the page holding this step's tool, when it exists.
    pub tool_path: Option<String>,
    /// upcoming | awaiting_partner | not_started | begun | done
    pub progress: String,
    pub detail: String,
}

#[utoipa::path(get, path = "/api/v1/journey", operation_id = "getJourney", tag = "space",
    responses((status = 200, description = "The seven steps and where the couple stands", body = [StepOut])))]
pub async fn journey(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<StepOut>>> {
    let state = state.reading().await?;
    let facts = match state.repo.space_of(&caller.user.id).await? {
        Some(s) => state.repo.journey_facts(&s.couple_id).await?,
        None => Facts::default(),
    };
    Ok(Json(
        derive_journey(&facts)
            .into_iter()
            .map(|s| StepOut {
                number: s.number,
                slug: s.slug.into(),
                title: s.title.into(),
                purpose: s.purpose.into(),
                exercise: s.exercise.into(),
                tool_path: s.tool_path.map(Into::into),
                progress: s.progress.as_str().into(),
                detail: s.detail,
            })
            .collect(),
    ))
}
