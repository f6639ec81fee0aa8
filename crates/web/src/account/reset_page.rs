//! "Forgot your password?" and the page a reset link opens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::http::auth::{ClientIp, pre_csrf};
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::state::AppState;
use crate::view::{Chrome, field_error, form_errors, render_with_status, see_other};

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    c: Chrome,
    can_mail: bool,
    sent: bool,
    email: String,
    error: String,
    errors: FieldErrors,
}

impl ForgotPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

fn forgot_page(state: &AppState, csrf: String) -> ForgotPage {
    ForgotPage {
        c: Chrome::anonymous("Forgot your password?", csrf),
        can_mail: state.config.smtp.is_some(),
        sent: false,
        email: String::new(),
        error: String::new(),
        errors: FieldErrors::new(),
    }
}

pub async fn forgot_form(State(state): State<AppState>, jar: CookieJar) -> PageResult {
    let (jar, csrf) = pre_csrf(jar, &state);
    let page = forgot_page(&state, csrf);
    Ok((jar, render_with_status(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<ForgotForm>,
) -> PageResult {
    let (jar, csrf) = pre_csrf(jar, &state);
    let mut page = forgot_page(&state, csrf);
    if state.config.smtp.is_none() {
        return Ok((jar, render_with_status(StatusCode::OK, &page)?).into_response());
    }
    let base = crate::http::base_url(&state, &headers);
    match crate::account::reset::request_reset(&state, &f.email, &ip, base).await {
        Ok(()) => {
            page.sent = true;
            Ok((jar, render_with_status(StatusCode::OK, &page)?).into_response())
        }
        Err(e @ AppError::TooManyRequests { .. }) => {
            page.email = f.email;
            page.error = e.detail();
            let mut resp = render_with_status(e.status(), &page)?;
            e.add_headers(&mut resp);
            Ok((jar, resp).into_response())
        }
        Err(e) => {
            let status = e.status();
            page.errors = form_errors(e, "email")?;
            page.email = f.email;
            Ok((jar, render_with_status(status, &page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    c: Chrome,
    works: bool,
    secret: String,
    errors: FieldErrors,
}

impl ResetPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

/// A secret in a link is URL-safe base64; anything else cannot be one.
fn plausible(secret: &str) -> bool {
    !secret.is_empty()
        && secret.len() <= 64
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn reset_form(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(secret): Path<String>,
) -> PageResult {
    let works = plausible(&secret) && crate::account::reset::link_works(&state, &secret).await?;
    let (jar, csrf) = pre_csrf(jar, &state);
    let page = ResetPage {
        c: Chrome::anonymous("Choose a new password", csrf),
        works,
        secret: if works { secret } else { String::new() },
        errors: FieldErrors::new(),
    };
    let status = if works {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    Ok((jar, render_with_status(status, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    new_password: String,
}

pub async fn reset(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(secret): Path<String>,
    Form(f): Form<ResetForm>,
) -> PageResult {
    let result = if plausible(&secret) {
        crate::account::reset::reset_with_link(&state, &secret, &f.new_password).await
    } else {
        Err(AppError::NotFound)
    };
    let errors = match result {
        Ok(_) => {
            // Every session of the person ended, this browser's too.
            let jar = jar.remove(crate::http::auth::removal(
                crate::http::auth::SESSION_COOKIE,
            ));
            return Ok((jar, see_other("/signin?reset=done")).into_response());
        }
        Err(AppError::NotFound) => None,
        Err(e) => Some((e.status(), form_errors(e, "new_password")?)),
    };
    let (jar, csrf) = pre_csrf(jar, &state);
    let (status, works, errors) = match errors {
        Some((status, errors)) => (status, true, errors),
        None => (StatusCode::NOT_FOUND, false, FieldErrors::new()),
    };
    let page = ResetPage {
        c: Chrome::anonymous("Choose a new password", csrf),
        works,
        secret: if works { secret } else { String::new() },
        errors,
    };
    Ok((jar, render_with_status(status, &page)?).into_response())
}
