//! CSRF protection for every state-changing request, in one place so no route
//! can forget it.
//!
//! - Pages: a form field `_csrf` must equal the session's token, or before sign-in
//!   the `rk_csrf` cookie (double submit).
//! - API with a session cookie: the `X-CSRF-Token` header must equal the session's token.
//! - API with a bearer token: nothing ambient to abuse, so no token is needed.
//! - A cross-site `Origin` is refused outright.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};

use crate::http::auth::{PRE_CSRF_COOKIE, Resolved, bearer, cookie_value};
use crate::http::error::{ApiError, AppError, PageError};
use crate::http::secrets::same;
use crate::state::AppState;

pub const FORM_FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";

const REFUSED: &str = "This form has expired or came from another site. Go back, reload the page and try again; nothing was changed.";

pub async fn guard<F: Future<Output = Response>>(
    state: &AppState,
    req: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next(req).await;
    }
    let is_api = req.uri().path().starts_with("/api/");
    let refuse = |is_api: bool, reason: &'static str| -> Response {
        tracing::info!(reason, "request refused by CSRF protection");
        if is_api {
            ApiError(AppError::Forbidden(REFUSED)).into_response()
        } else {
            PageError(AppError::Forbidden(REFUSED)).into_response()
        }
    };
    if cross_site(&req) {
        return refuse(is_api, "cross-site origin");
    }
    let session_csrf = req
        .extensions()
        .get::<Resolved>()
        .and_then(|r| r.session.as_ref().map(|(_, s)| s.csrf_token.clone()));

    if is_api {
        if bearer(req.headers()).is_some() {
            return next(req).await;
        }
        if let Some(expected) = session_csrf {
            let given = req
                .headers()
                .get(HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same(given, &expected) {
                return refuse(true, "missing or wrong X-CSRF-Token header");
            }
        }
        return next(req).await;
    }

    let expected = match session_csrf.or_else(|| cookie_value(req.headers(), PRE_CSRF_COOKIE)) {
        Some(t) => t,
        None => return refuse(false, "no session and no form-token cookie"),
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, state.config.body_limit).await {
        Ok(b) => b,
        Err(_) => {
            return PageError(AppError::PayloadTooLarge(
                "That was more text than one form can take. Please shorten it.".into(),
            ))
            .into_response();
        }
    };
    let given = form_urlencoded_field(&bytes, FORM_FIELD).unwrap_or_default();
    if !same(&given, &expected) {
        return refuse(false, "form token does not match");
    }
    next(Request::from_parts(parts, Body::from(bytes))).await
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// True when the browser says the request came from another origin. Modern
/// browsers send `Sec-Fetch-Site`; for others, `Origin` must name this host.
fn cross_site(req: &Request) -> bool {
    if let Some(site) = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    !origin_host.eq_ignore_ascii_case(host)
}
