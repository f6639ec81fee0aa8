//! The private safety check, help resources, the pause, quick exit, export and erasure.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::http::auth::{MaybeSignedIn, SESSION_COOKIE, SignedIn, removal};
use crate::http::error::{AppError, PageResult};
use crate::safety::resources::Resource;
use crate::state::AppState;
use crate::view::{Chrome, render_with_status, see_other};
use rekindle_domain::safety::{HITS_CITATION, HITS_ITEMS, HITS_SCALE, HITS_STEM};

#[derive(Template)]
#[template(path = "safety_check.html")]
struct CheckPage {
    c: Chrome,
    stem: &'static str,
    items: Vec<(usize, &'static str, u8)>,
    scale: Vec<(u8, &'static str)>,
    citation: &'static str,
    error: String,
}

fn check_page(who: &SignedIn, chosen: [u8; 4], error: String, status: StatusCode) -> PageResult {
    let page = CheckPage {
        c: Chrome::signed_in("A private check", who),
        stem: HITS_STEM,
        items: HITS_ITEMS
            .iter()
            .enumerate()
            .map(|(i, t)| (i, *t, chosen[i]))
            .collect(),
        scale: HITS_SCALE
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u8 + 1, *l))
            .collect(),
        citation: HITS_CITATION,
        error,
    };
    render_with_status(status, &page)
}

pub async fn check_form(who: SignedIn) -> PageResult {
    check_page(&who, [0; 4], String::new(), StatusCode::OK)
}

#[derive(Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    q0: String,
    #[serde(default)]
    q1: String,
    #[serde(default)]
    q2: String,
    #[serde(default)]
    q3: String,
}

pub async fn check(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<CheckForm>,
) -> PageResult {
    let raw = [f.q0.as_str(), f.q1.as_str(), f.q2.as_str(), f.q3.as_str()];
    let answers = match crate::safety::parse_answers(raw) {
        Ok(a) => a,
        Err(e) => {
            let kept = raw.map(|r| r.parse::<u8>().unwrap_or(0));
            return check_page(&who, kept, e.detail(), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    crate::safety::take(&state, &who.user.id, answers).await?;
    // Post/Redirect/Get: the result is read back from the stored check, so the
    // address carries nothing about it and a reload asks nothing.
    Ok(see_other("/safety/resources?after=check"))
}

#[derive(Deserialize, Default)]
pub struct ResourcesQuery {
    after: Option<String>,
}

pub async fn later(State(state): State<AppState>, who: SignedIn) -> PageResult {
    crate::safety::postpone(&state, &who.user.id).await?;
    Ok(see_other("/?done=later"))
}

#[derive(Template)]
#[template(path = "safety_resources.html")]
struct ResourcesPage {
    c: Chrome,
    /// Some(true) right after a positive check, Some(false) after a negative one.
    result: Option<bool>,
    crisis: Vec<Resource>,
    in_space: bool,
    paused: bool,
    paused_by_me: bool,
}

async fn resources_page(state: &AppState, who: &SignedIn, result: Option<bool>) -> PageResult {
    let space = state.repo.space_of(&who.user.id).await?;
    let page = ResourcesPage {
        c: Chrome::signed_in("Support", who),
        result,
        crisis: state.config.resources.crisis.clone(),
        in_space: space.is_some(),
        paused: space.as_ref().is_some_and(|s| s.paused),
        paused_by_me: space.as_ref().is_some_and(|s| s.paused_by_me),
    };
    render_with_status(StatusCode::OK, &page)
}

pub async fn resources(
    State(state): State<AppState>,
    who: SignedIn,
    axum::extract::Query(q): axum::extract::Query<ResourcesQuery>,
) -> PageResult {
    // Right after a check (within the hour): its result; otherwise none.
    let result = if q.after.as_deref() == Some("check") {
        let since = state.clock().now_ms() - 3600 * 1000;
        state
            .repo
            .screens_of(&who.user.id)
            .await?
            .into_iter()
            .filter(|s| s.created_at >= since)
            .max_by_key(|s| s.created_at)
            .map(|s| s.positive)
    } else {
        None
    };
    resources_page(&state, &who, result).await
}

pub async fn pause(State(state): State<AppState>, who: SignedIn) -> PageResult {
    if !state.repo.pause_space(&who.user.id).await? {
        return Err(AppError::Conflict("There is no active space to pause.".into()).into());
    }
    Ok(see_other("/?done=paused"))
}

pub async fn resume(State(state): State<AppState>, who: SignedIn) -> PageResult {
    if !state.repo.resume_space(&who.user.id).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(see_other("/?done=resumed"))
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    c: Chrome,
    crisis: Vec<Resource>,
    professional: Vec<Resource>,
}

pub async fn help(State(state): State<AppState>, MaybeSignedIn(who): MaybeSignedIn) -> PageResult {
    let c = match &who {
        Some(w) => Chrome::signed_in("Finding help", w),
        None => Chrome::anonymous("Finding help", String::new()),
    };
    let page = HelpPage {
        c,
        crisis: state.config.resources.crisis.clone(),
        professional: state.config.resources.professional.clone(),
    };
    render_with_status(StatusCode::OK, &page)
}

/// The quick exit without JavaScript: straight to the neutral site.
/// Quick exit: ends this browser's session on the server (so Back, or someone
/// picking up the phone, finds only the sign-in page), drops its cookie, asks
/// the browser to forget cached pages, and leaves for a neutral site. A GET, so
/// it works as a plain link with one tap and without script.
pub async fn exit(
    State(state): State<AppState>,
    MaybeSignedIn(who): MaybeSignedIn,
    jar: CookieJar,
) -> Response {
    if let Some(who) = who {
        if let Err(e) = state.repo.delete_session(&who.session_hash).await {
            tracing::warn!(error = %e, "quick exit could not end the session");
        }
        state
            .bus
            .publish(&crate::bus::person_key(&who.user.id))
            .await;
    }
    let jar = jar.remove(removal(SESSION_COOKIE));
    let mut resp = (jar, Redirect::to(&state.config.quick_exit_url)).into_response();
    resp.headers_mut().insert(
        "clear-site-data",
        axum::http::HeaderValue::from_static("\"cache\""),
    );
    resp
}

pub async fn dismiss_notices(State(state): State<AppState>, who: SignedIn) -> PageResult {
    state.repo.dismiss_notices(&who.user.id).await?;
    Ok(see_other("/"))
}

pub async fn export(State(state): State<AppState>, who: SignedIn) -> PageResult {
    Ok(crate::export::download(
        crate::export::archive(&state, &who.user.id).await?,
    ))
}

#[derive(Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn erase(
    State(state): State<AppState>,
    who: SignedIn,
    jar: CookieJar,
    Form(f): Form<EraseForm>,
) -> PageResult {
    if f.confirm.trim() != "erase" {
        return crate::account::settings_page::erase_refused(
            &state,
            &who,
            f.confirm,
            "erase_confirm",
            "Type the word erase to confirm.",
        )
        .await;
    }
    let hash = state
        .repo
        .password_hash(&who.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::http::secrets::verify_password(f.password, hash).await {
        return crate::account::settings_page::erase_refused(
            &state,
            &who,
            f.confirm,
            "erase_password",
            "That is not your password; nothing was erased.",
        )
        .await;
    }
    state
        .repo
        .erase_user(&who.user.id, state.clock().now_ms())
        .await?;
    Ok((
        jar.remove(removal(SESSION_COOKIE)),
        see_other("/?done=erased"),
    )
        .into_response())
}
