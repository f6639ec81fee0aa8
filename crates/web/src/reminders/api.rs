//! Reminder choices and the calendar feed on the API.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::json::JsonBody;
use crate::reminders::{self, calendar};
use crate::state::AppState;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RemindersIo {
    /// Any of: actions, checkins (follow_ups and talks once those exist). Empty: no reminders.
    pub kinds: Vec<String>,
    /// Local time of day, HH:MM, in the caller's time zone.
    pub time: String,
    /// Read-only: whether this server can send email at all.
    #[serde(default)]
    pub email_available: bool,
}

#[utoipa::path(get, path = "/api/v1/plan/reminders", operation_id = "getReminders", tag = "reminders",
    responses((status = 200, body = RemindersIo)))]
pub async fn get_reminders(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<RemindersIo>> {
    let c = reminders::choices(&state, &caller.user.id).await?;
    Ok(Json(RemindersIo {
        kinds: c.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        time: reminders::time_text(c.minute_of_day),
        email_available: state.config.smtp.is_some(),
    }))
}

#[utoipa::path(put, path = "/api/v1/plan/reminders", operation_id = "setReminders", tag = "reminders", request_body = RemindersIo,
    responses((status = 200, body = RemindersIo), (status = 422, body = Problem)))]
pub async fn put_reminders(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<RemindersIo>,
) -> ApiResult<Json<RemindersIo>> {
    let c = reminders::save_choices(&state, &caller.user.id, &b.kinds, &b.time).await?;
    Ok(Json(RemindersIo {
        kinds: c.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        time: reminders::time_text(c.minute_of_day),
        email_available: state.config.smtp.is_some(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct FeedIn {
    /// Event titles name what is planned (default: neutral titles).
    #[serde(default)]
    pub detailed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct FeedOut {
    /// The secret feed URL; shown only in this response.
    pub url: String,
    pub detailed: bool,
}

#[utoipa::path(post, path = "/api/v1/plan/calendar", operation_id = "createCalendarFeed", tag = "reminders", request_body = FeedIn,
    responses((status = 201, description = "A new secret feed URL; any earlier one stops working", body = FeedOut)))]
pub async fn new_feed(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    JsonBody(b): JsonBody<FeedIn>,
) -> ApiResult<(StatusCode, Json<FeedOut>)> {
    let token = calendar::new_token(&state, &caller.user.id, b.detailed).await?;
    let base = crate::http::base_url(&state, &headers);
    Ok((
        StatusCode::CREATED,
        Json(FeedOut {
            url: calendar::feed_url(&base, &token),
            detailed: b.detailed,
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/plan/calendar", operation_id = "revokeCalendarFeed", tag = "reminders",
    responses((status = 204, description = "The feed URL no longer works"), (status = 404, body = Problem)))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<StatusCode> {
    if state.repo.revoke_calendar_feed(&caller.user.id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}
