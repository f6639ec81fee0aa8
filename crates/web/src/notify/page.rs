//! Settings → Notifications: turn push on for this device (the only part that
//! needs JavaScript), the devices that notify, which kinds, detail, quiet hours
//! and the email digest.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::notify::{self, ChoicesInput, Digest, Vapid};
use crate::state::AppState;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, DoneQuery, field_error, form_errors, render_with_status, see_other};
use rekindle_domain::waiting::ALL_KINDS;

fn notice(code: Option<&str>) -> Option<String> {
    let text = match code? {
        "saved" => "Your notification choices are saved.",
        "removed" => "That device will not be notified any more.",
        _ => return None,
    };
    Some(text.to_owned())
}

pub struct DeviceLine {
    pub id: String,
    pub name: String,
    pub service: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Chrome,
    public_key: String,
    devices: Vec<DeviceLine>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    detail: bool,
    quiet_start: String,
    quiet_end: String,
    digest: &'static str,
    smtp_on: bool,
    time_zone: String,
    errors: FieldErrors,
}

impl NotificationsPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

async fn show_page(
    state: &AppState,
    who: &SignedIn,
    notice: Option<String>,
    draft: Option<&NotificationsForm>,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let c = notify::choices(state, &who.user.id).await?;
    let tz = tz_of(&who.user.time_zone);
    let devices = state
        .repo
        .push_subscriptions_of(&who.user.id)
        .await?
        .into_iter()
        .map(|s| DeviceLine {
            service: notify::endpoint_host(&s.endpoint),
            last_used: s
                .last_used_at
                .map(|t| when(t, tz))
                .unwrap_or_else(|| "not yet".into()),
            id: s.id,
            name: s.name,
        })
        .collect();
    let (kinds, detail, quiet_start, quiet_end, digest) = match draft {
        Some(f) => (
            f.kinds.clone(),
            f.detail.is_some(),
            f.quiet_start.clone(),
            f.quiet_end.clone(),
            Digest::parse(&f.digest).unwrap_or(Digest::Off),
        ),
        None => (
            c.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
            c.detail,
            c.quiet.map(|q| notify::hhmm(q.0)).unwrap_or_default(),
            c.quiet.map(|q| notify::hhmm(q.1)).unwrap_or_default(),
            c.digest,
        ),
    };
    render_with_status(
        status,
        &NotificationsPage {
            c: Chrome::signed_in("Notifications", who).with_notice(notice),
            public_key: Vapid::load(state).await?.public_b64,
            devices,
            kinds: ALL_KINDS
                .iter()
                .map(|k| (k.as_str(), k.label(), kinds.iter().any(|c| c == k.as_str())))
                .collect(),
            detail,
            quiet_start,
            quiet_end,
            digest: digest.as_str(),
            smtp_on: state.config.smtp.is_some(),
            time_zone: who.user.time_zone.clone(),
            errors,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    show_page(
        &state,
        &who,
        notice(q.done.as_deref()),
        None,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct NotificationsForm {
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub quiet_start: String,
    #[serde(default)]
    pub quiet_end: String,
    #[serde(default)]
    pub digest: String,
}

pub async fn save(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<NotificationsForm>,
) -> PageResult {
    let input = ChoicesInput {
        kinds: f.kinds.clone(),
        detail: f.detail.is_some(),
        quiet_start: f.quiet_start.clone(),
        quiet_end: f.quiet_end.clone(),
        digest: f.digest.clone(),
    };
    match notify::save_choices(&state, &who.user.id, &input).await {
        Ok(_) => Ok(see_other("/settings/notifications?done=saved")),
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "kinds")?;
            show_page(&state, &who, None, Some(&f), errors, status).await
        }
    }
}

pub async fn remove_device(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    if !state
        .repo
        .delete_push_subscription(&who.user.id, &id)
        .await?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(see_other("/settings/notifications?done=removed"))
}
