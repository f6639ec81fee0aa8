//! The reminder and calendar-feed settings pages, and the feed itself.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::reminders::{self, calendar};
use crate::state::AppState;
use crate::view::format::{tz_of, when};
use crate::view::once;
use crate::view::{Chrome, DoneQuery, field_error, form_errors, render_with_status, see_other};
use axum_extra::extract::CookieJar;
use rekindle_domain::plan::ReminderKind;

/// This page's own notices, from a fixed list.
fn notice(code: Option<&str>) -> Option<String> {
    let text = match code? {
        "reminders" => "Your reminder choices are saved.",
        "feed-off" => "The calendar link no longer works.",
        "titles" => "Saved.",
        "feed-ready" => "Your calendar link is ready. Copy it now: it is shown only this once.",
        _ => return None,
    };
    Some(text.to_owned())
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    c: Chrome,
    smtp_on: bool,
    link_base_set: bool,
    kinds: Vec<(&'static str, &'static str, bool)>,
    time: String,
    time_zone: String,
    feed_since: Option<String>,
    feed_detailed: bool,
    new_feed_url: Option<String>,
    errors: FieldErrors,
}

impl RemindersPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

async fn reminders_page(
    state: &AppState,
    who: &SignedIn,
    notice: Option<String>,
    draft: Option<(Vec<String>, String)>,
    new_feed_url: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let current = reminders::choices(state, &who.user.id).await?;
    let (chosen, time) = match draft {
        Some((kinds, time)) => (kinds, time),
        None => (
            current
                .kinds
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
            reminders::time_text(current.minute_of_day),
        ),
    };
    let feed = state.repo.calendar_feed(&who.user.id).await?;
    let tz = tz_of(&who.user.time_zone);
    render_with_status(
        status,
        &RemindersPage {
            c: Chrome::signed_in("Reminders and calendar", who).with_notice(notice),
            smtp_on: state.config.smtp.is_some(),
            link_base_set: state.config.public_url.is_some(),
            kinds: reminders::offered_kinds()
                .into_iter()
                .map(|k: ReminderKind| {
                    (
                        k.as_str(),
                        k.label(),
                        chosen.iter().any(|c| c == k.as_str()),
                    )
                })
                .collect(),
            time,
            time_zone: who.user.time_zone.clone(),
            feed_since: feed.as_ref().map(|f| when(f.created_at, tz)),
            feed_detailed: feed.as_ref().is_some_and(|f| f.detailed),
            new_feed_url,
            errors,
        },
    )
}

/// Carries a new calendar link across the redirect after it is made, for one
/// showing (Post/Redirect/Get: reloading never makes another link).
const NEW_FEED_COOKIE: &str = "rk_new_feed";
const REMINDERS: &str = "/settings/reminders";

pub async fn reminder_settings(
    State(state): State<AppState>,
    who: SignedIn,
    jar: CookieJar,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let (new_feed_url, jar) = once::take(
        jar,
        NEW_FEED_COOKIE,
        REMINDERS,
        q.done.as_deref() == Some("feed-ready"),
    );
    let page = reminders_page(
        &state,
        &who,
        // "Ready" only while the link can still be shown.
        notice(
            q.done
                .as_deref()
                .filter(|d| *d != "feed-ready" || new_feed_url.is_some()),
        ),
        None,
        new_feed_url,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await?;
    Ok((jar, page).into_response())
}

#[derive(Deserialize, Default)]
pub struct RemindersForm {
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub time: String,
}

pub async fn save_reminders(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<RemindersForm>,
) -> PageResult {
    match reminders::save_choices(&state, &who.user.id, &f.kinds, &f.time).await {
        Ok(_) => Ok(see_other("/settings/reminders?done=reminders")),
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "time")?;
            reminders_page(
                &state,
                &who,
                None,
                Some((f.kinds, f.time)),
                None,
                errors,
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct FeedForm {
    #[serde(default)]
    pub detailed: Option<String>,
}

pub async fn new_feed(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<FeedForm>,
) -> PageResult {
    let token = calendar::new_token(&state, &who.user.id, f.detailed.is_some()).await?;
    let url = calendar::feed_url(&crate::http::base_url(&state, &headers), &token);
    Ok((
        jar.add(once::carry(
            NEW_FEED_COOKIE,
            url,
            REMINDERS,
            state.config.secure_cookies,
        )),
        see_other("/settings/reminders?done=feed-ready"),
    )
        .into_response())
}

pub async fn revoke_feed(State(state): State<AppState>, who: SignedIn) -> PageResult {
    state.repo.revoke_calendar_feed(&who.user.id).await?;
    Ok(see_other("/settings/reminders?done=feed-off"))
}

pub async fn feed_titles(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<FeedForm>,
) -> PageResult {
    if !state
        .repo
        .set_calendar_detail(&who.user.id, f.detailed.is_some())
        .await?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(see_other("/settings/reminders?done=titles"))
}

/// `GET /calendar/{token}.ics`: no session; the secret in the URL is the key.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> PageResult {
    let token = calendar::token_from_file(&file).ok_or(AppError::NotFound)?;
    let (user, detailed) = state
        .repo
        .calendar_feed_user(&crate::http::secrets::digest(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let body = calendar::feed(&state, &user, detailed).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}
