use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::WaitingItem;
use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, Problem};
use crate::state::AppState;

/// Everything waiting for the caller, newest first.
#[derive(Serialize, ToSchema)]
pub struct WaitingList {
    pub count: usize,
    pub items: Vec<WaitingItem>,
}

impl WaitingList {
    pub fn new(items: Vec<WaitingItem>) -> Self {
        WaitingList {
            count: items.len(),
            items,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/waiting", operation_id = "listWaiting", tag = "waiting",
    responses(
        (status = 200, description = "What needs me because my partner acted", body = WaitingList),
        (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<WaitingList>> {
    let state = state.reading().await?;
    let items = super::items_for(&state, &caller.user.id).await?;
    Ok(Json(WaitingList::new(items)))
}

#[utoipa::path(get, path = "/api/v1/waiting/events", operation_id = "streamWaitingEvents", tag = "waiting",
    description = "Server-sent events: a `waiting` event with the whole list (as `GET /api/v1/waiting`) at once and \
                   whenever it changes. The stream ends when the sign-in stops holding (sign-out, password change, \
                   token revoked, account erased) or the caller leaves or joins a space; reconnect to continue.",
    responses(
        (status = 200, description = "An event stream", content_type = "text/event-stream", body = String),
        (status = 401, body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<axum::response::Response> {
    Ok(super::live::stream(state, caller).await?.into_response())
}
