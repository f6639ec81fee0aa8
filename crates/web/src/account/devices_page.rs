//! Settings → Your devices: the browsers signed in to this account and the
//! personal tokens, each with a neutral name and when it was last used, and a
//! way to sign any of them out (or all others at once). Also where a person
//! installs Rekindle on this device and chooses the discreet look.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use crate::bus::person_key;
use crate::http::auth::{DISCREET_COOKIE, SignedIn};
use crate::http::error::{AppError, PageResult};
use crate::state::AppState;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, DoneQuery, notice_for, render, see_other};

pub struct BrowserView {
    pub handle: String,
    pub device: String,
    pub last_used: String,
    pub this_one: bool,
}

pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    c: Chrome,
    browsers: Vec<BrowserView>,
    tokens: Vec<TokenLine>,
    discreet: bool,
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let tz = tz_of(&who.user.time_zone);
    let now = state.clock().now_ms();
    let this = &who.session_hash[..16.min(who.session_hash.len())];
    let browsers = state
        .repo
        .sessions_of(&who.user.id, now)
        .await?
        .into_iter()
        .map(|s| BrowserView {
            this_one: s.handle == this,
            last_used: when(s.last_seen_at.unwrap_or(s.created_at), tz),
            device: if s.device.is_empty() {
                "A browser".to_owned()
            } else {
                s.device
            },
            handle: s.handle,
        })
        .collect();
    let tokens = state
        .repo
        .tokens(&who.user.id)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id.into(),
            name: t.name,
            last_used: t
                .last_used_at
                .map(|at| when(at, tz))
                .unwrap_or_else(|| "never".to_owned()),
        })
        .collect();
    render(&DevicesPage {
        discreet: who.discreet,
        c: Chrome::signed_in("Your devices", &who).with_notice(notice_for(q.done.as_deref())),
        browsers,
        tokens,
    })
}

#[derive(Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    device: String,
}

/// Signs out one browser. Signing out this one is a plain sign-out.
pub async fn sign_out_device(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<SignOutForm>,
) -> PageResult {
    if !state.repo.end_session(&who.user.id, &f.device).await? {
        return Err(AppError::NotFound.into());
    }
    state.bus.publish(&person_key(&who.user.id)).await;
    Ok(see_other("/settings/devices?done=device-signed-out"))
}

pub async fn sign_out_others(State(state): State<AppState>, who: SignedIn) -> PageResult {
    state
        .repo
        .end_other_sessions(&who.user.id, &who.session_hash)
        .await?;
    state.bus.publish(&person_key(&who.user.id)).await;
    Ok(see_other("/settings/devices?done=others-signed-out"))
}

#[derive(Deserialize)]
pub struct LookForm {
    #[serde(default)]
    look: String,
}

/// The discreet look is a device setting (a cookie): the installed app's name
/// and icon on this phone.
pub async fn set_look(
    State(state): State<AppState>,
    _who: SignedIn,
    jar: CookieJar,
    Form(f): Form<LookForm>,
) -> PageResult<Response> {
    let jar = match f.look.as_str() {
        "neutral" => {
            let mut c = Cookie::new(DISCREET_COOKIE, "1");
            c.set_http_only(true);
            c.set_same_site(SameSite::Lax);
            c.set_path("/");
            c.set_secure(state.config.secure_cookies);
            c.set_max_age(time::Duration::days(400));
            jar.add(c)
        }
        "app" => jar.remove(crate::http::auth::removal(DISCREET_COOKIE)),
        _ => {
            return Err(
                AppError::BadRequest("Choose the usual look or the neutral one.".into()).into(),
            );
        }
    };
    Ok((jar, see_other("/settings/devices?done=look")).into_response())
}
