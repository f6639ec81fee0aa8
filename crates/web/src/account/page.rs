//! Sign up, sign in, sign out.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::account::{SignUp, SignedUp};
use crate::http::auth::{
    ClientIp, MaybeSignedIn, SESSION_COOKIE, SignedIn, pre_csrf, removal, session_cookie,
};
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::state::AppState;
use crate::view::{Chrome, field_error, form_errors, render_with_status, safe_next, see_other};

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    c: Chrome,
    email: String,
    display_name: String,
    time_zone: String,
    next: String,
    errors: FieldErrors,
    /// A link is mailed to finish (sign-up confirmation is on).
    mails_link: bool,
}

impl SignupPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    next: String,
}

pub async fn signup_form(
    State(state): State<AppState>,
    MaybeSignedIn(who): MaybeSignedIn,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> PageResult {
    if who.is_some() {
        return Ok(see_other(
            safe_next(q.next.as_deref()).as_deref().unwrap_or("/"),
        ));
    }
    let (jar, csrf) = pre_csrf(jar, &state);
    let page = SignupPage {
        c: Chrome::anonymous("Create your account", csrf),
        email: String::new(),
        display_name: String::new(),
        time_zone: "UTC".into(),
        next: safe_next(q.next.as_deref()).unwrap_or_default(),
        errors: FieldErrors::new(),
        mails_link: state.config.smtp.is_some() && state.config.confirm_signups,
    };
    Ok((jar, render_with_status(StatusCode::OK, &page)?).into_response())
}

pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<SignupForm>,
) -> PageResult {
    let input = SignUp {
        email: &f.email,
        display_name: &f.display_name,
        password: &f.password,
        time_zone: &f.time_zone,
    };
    let base = crate::http::base_url(&state, &headers);
    match crate::account::sign_up(&state, input, &ip, &base).await {
        Ok(SignedUp::Mailed) => Ok(see_other("/signup/sent")),
        Ok(SignedUp::Created(user)) => {
            let secret = crate::account::start_session(&state, &user.id, None, &headers).await?;
            let jar = jar
                .add(session_cookie(secret, &state))
                .remove(removal(crate::http::auth::PRE_CSRF_COOKIE));
            Ok((
                jar,
                see_other(safe_next(Some(&f.next)).as_deref().unwrap_or("/")),
            )
                .into_response())
        }
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "email")?;
            let (jar, csrf) = pre_csrf(jar, &state);
            let page = SignupPage {
                c: Chrome::anonymous("Create your account", csrf),
                email: f.email,
                display_name: f.display_name,
                time_zone: f.time_zone,
                next: safe_next(Some(&f.next)).unwrap_or_default(),
                errors,
                mails_link: state.config.smtp.is_some() && state.config.confirm_signups,
            };
            Ok((jar, render_with_status(status, &page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage {
    c: Chrome,
    email: String,
    next: String,
    error: String,
}

#[derive(Deserialize)]
pub struct SigninForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn signin_form(
    State(state): State<AppState>,
    MaybeSignedIn(who): MaybeSignedIn,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> PageResult {
    if who.is_some() {
        return Ok(see_other(
            safe_next(q.next.as_deref()).as_deref().unwrap_or("/"),
        ));
    }
    let (jar, csrf) = pre_csrf(jar, &state);
    let page = SigninPage {
        c: Chrome::anonymous("Sign in", csrf),
        email: String::new(),
        next: safe_next(q.next.as_deref()).unwrap_or_default(),
        error: String::new(),
    };
    Ok((jar, render_with_status(StatusCode::OK, &page)?).into_response())
}

pub async fn signin(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    MaybeSignedIn(who): MaybeSignedIn,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<SigninForm>,
) -> PageResult {
    match crate::account::sign_in(&state, &f.email, &f.password, &ip).await {
        Ok(user) => {
            let old = who.as_ref().map(|w| w.session_hash.as_str());
            let secret = crate::account::start_session(&state, &user.id, old, &headers).await?;
            let jar = jar
                .add(session_cookie(secret, &state))
                .remove(removal(crate::http::auth::PRE_CSRF_COOKIE));
            Ok((
                jar,
                see_other(safe_next(Some(&f.next)).as_deref().unwrap_or("/")),
            )
                .into_response())
        }
        Err(e @ (AppError::BadRequest(_) | AppError::TooManyRequests { .. })) => {
            let status = e.status();
            let (jar, csrf) = pre_csrf(jar, &state);
            let page = SigninPage {
                c: Chrome::anonymous("Sign in", csrf),
                email: f.email,
                next: safe_next(Some(&f.next)).unwrap_or_default(),
                error: e.detail(),
            };
            let mut resp = render_with_status(status, &page)?;
            e.add_headers(&mut resp);
            Ok((jar, resp).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn signout(
    State(state): State<AppState>,
    who: SignedIn,
    jar: CookieJar,
) -> PageResult<Response> {
    state.repo.delete_session(&who.session_hash).await?;
    Ok((jar.remove(removal(SESSION_COOKIE)), see_other("/")).into_response())
}
