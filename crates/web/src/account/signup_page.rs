//! The pages of sign-up confirmation: "check your email", and the emailed link
//! (a button that finishes the account; opening the link alone changes nothing,
//! so mail scanners that follow links cannot use it up).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;

use crate::account::signup;
use crate::http::auth::{pre_csrf, removal, session_cookie};
use crate::http::error::PageResult;
use crate::state::AppState;
use crate::view::{Chrome, render_with_status, see_other};

#[derive(Template)]
#[template(path = "signup_sent.html")]
struct SentPage {
    c: Chrome,
    message: &'static str,
}

pub async fn sent(State(state): State<AppState>, jar: CookieJar) -> PageResult {
    let (jar, csrf) = pre_csrf(jar, &state);
    let page = SentPage {
        c: Chrome::anonymous("Check your email", csrf),
        message: signup::CHECK_YOUR_EMAIL,
    };
    Ok((jar, render_with_status(StatusCode::OK, &page)?).into_response())
}

#[derive(Template)]
#[template(path = "signup_confirm.html")]
struct ConfirmPage {
    c: Chrome,
    token: String,
    open: bool,
}

async fn confirm_page(state: &AppState, jar: CookieJar, token: String, open: bool) -> PageResult {
    let (jar, csrf) = pre_csrf(jar, state);
    let status = if open {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = ConfirmPage {
        c: Chrome::anonymous("Finish creating your account", csrf),
        token,
        open,
    };
    Ok((jar, render_with_status(status, &page)?).into_response())
}

pub async fn confirm_form(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> PageResult {
    let open = signup::link_open(&state, &token).await?;
    confirm_page(&state, jar, token, open).await
}

pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
) -> PageResult {
    let Some(user) = signup::confirm(&state, &token).await? else {
        return confirm_page(&state, jar, token, false).await;
    };
    let secret = crate::account::start_session(&state, &user.id, None, &headers).await?;
    let jar = jar
        .add(session_cookie(secret, &state))
        .remove(removal(crate::http::auth::PRE_CSRF_COOKIE));
    Ok((jar, see_other("/")).into_response())
}
