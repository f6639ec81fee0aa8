//! Push devices and notification choices on the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::json::JsonBody;
use crate::notify::{self, ChoicesInput, SubscriptionInput, Vapid};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct PushKey {
    /// The server's VAPID public key (uncompressed P-256 point, base64url): the
    /// `applicationServerKey` for `pushManager.subscribe`.
    pub public_key: String,
}

#[utoipa::path(get, path = "/api/v1/push/key", tag = "notifications",
    responses((status = 200, body = PushKey)))]
pub async fn key(State(state): State<AppState>, _caller: ApiCaller) -> ApiResult<Json<PushKey>> {
    Ok(Json(PushKey {
        public_key: Vapid::load(&state).await?.public_b64,
    }))
}

/// The browser's `PushSubscription.toJSON()`, plus a name for the device.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct SubscriptionIn {
    /// The push service URL (https).
    pub endpoint: String,
    pub keys: SubscriptionKeys,
    /// A name you will recognise, e.g. "Phone" (at most 60 characters).
    pub name: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct SubscriptionKeys {
    /// P-256 public key, 65 bytes uncompressed, base64url.
    pub p256dh: String,
    /// 16-byte authentication secret, base64url.
    pub auth: String,
}

/// A device as shown back: never its keys or full endpoint.
#[derive(Serialize, ToSchema)]
pub struct Device {
    pub id: String,
    pub name: String,
    /// The push service's host, e.g. fcm.googleapis.com.
    pub service: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

fn device(s: &rekindle_storage::PushSubscription) -> Device {
    Device {
        id: s.id.clone(),
        name: s.name.clone(),
        service: notify::endpoint_host(&s.endpoint),
        created_at: s.created_at,
        last_used_at: s.last_used_at,
    }
}

#[utoipa::path(get, path = "/api/v1/push/subscriptions", tag = "notifications",
    responses((status = 200, body = Vec<Device>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<Device>>> {
    let subs = state.repo.push_subscriptions_of(&caller.user.id).await?;
    Ok(Json(subs.iter().map(device).collect()))
}

#[utoipa::path(post, path = "/api/v1/push/subscriptions", tag = "notifications",
    request_body = SubscriptionIn,
    responses((status = 201, body = Device), (status = 422, body = Problem)))]
pub async fn subscribe(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Device>)> {
    let input = SubscriptionInput::from_json(&b);
    let s = notify::subscribe(
        &state,
        &caller.user.id,
        caller.session_hash.as_deref(),
        &input,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(device(&s))))
}

#[utoipa::path(delete, path = "/api/v1/push/subscriptions/{id}", tag = "notifications",
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if !state
        .repo
        .delete_push_subscription(&caller.user.id, &id)
        .await?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NotificationSettings {
    /// Waiting kinds that notify (question, problem_proposed, ideas, ratings, follow_up,
    /// agreement, action, talk_request, talk_arrived, checkin, shared_entry, shared_reflection).
    pub kinds: Vec<String>,
    /// Say what waits ("Sam answered a question. Your turn.") instead of "Something is waiting for you".
    #[serde(default)]
    pub detail: bool,
    /// Quiet hours in your time zone, HH:MM; both null for none.
    #[serde(default)]
    pub quiet_start: Option<String>,
    #[serde(default)]
    pub quiet_end: Option<String>,
    /// Email digest: off, daily or weekly.
    #[serde(default)]
    pub digest: String,
    /// Read-only: whether this server can send email at all.
    #[serde(default)]
    pub email_available: bool,
}

fn settings_out(state: &AppState, c: &notify::Choices) -> NotificationSettings {
    NotificationSettings {
        kinds: c.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        detail: c.detail,
        quiet_start: c.quiet.map(|q| notify::hhmm(q.0)),
        quiet_end: c.quiet.map(|q| notify::hhmm(q.1)),
        digest: c.digest.as_str().to_owned(),
        email_available: state.config.smtp.is_some(),
    }
}

#[utoipa::path(get, path = "/api/v1/notifications/settings", tag = "notifications",
    responses((status = 200, body = NotificationSettings)))]
pub async fn get_settings(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<NotificationSettings>> {
    let c = notify::choices(&state, &caller.user.id).await?;
    Ok(Json(settings_out(&state, &c)))
}

#[utoipa::path(put, path = "/api/v1/notifications/settings", tag = "notifications",
    request_body = NotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 422, body = Problem)))]
pub async fn put_settings(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<NotificationSettings>,
) -> ApiResult<Json<NotificationSettings>> {
    let c = notify::save_choices(
        &state,
        &caller.user.id,
        &ChoicesInput {
            kinds: b.kinds,
            detail: b.detail,
            quiet_start: b.quiet_start.unwrap_or_default(),
            quiet_end: b.quiet_end.unwrap_or_default(),
            digest: b.digest,
        },
    )
    .await?;
    Ok(Json(settings_out(&state, &c)))
}
