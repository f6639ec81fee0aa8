//! Checks on what every request carries, before any handler sees it.
//!
//! - `refuse_nul`: text with a NUL character (U+0000) is refused with 422 on
//!   both databases. PostgreSQL cannot store NUL in text and SQLite can, so
//!   without this check the same request failed differently per backend.
//! - `api_problems`: every error answer under `/api/` is RFC 9457 problem
//!   details, also the ones axum's extractors and the router produce (a bad
//!   query string, a wrong method) in plain text.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::http::error::{ApiError, AppError, FieldErrors, PageError};
use crate::state::AppState;

const NUL_REFUSED: &str = "Text may not contain the NUL character (U+0000).";

fn refusal(api: bool) -> Response {
    let e = AppError::Invalid(FieldErrors::from([("body", NUL_REFUSED.to_owned())]));
    if api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// A `%00` anywhere in the address (percent-escapes of digits have no case).
fn escapes_nul(uri: &axum::http::Uri) -> bool {
    let has = |s: &str| s.contains("%00");
    uri.authority().is_some_and(|a| has(a.as_str()))
        || uri.path_and_query().is_some_and(|pq| has(pq.as_str()))
}

fn is(req: &Request, kind: &str) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with(kind))
}

pub async fn refuse_nul<F: Future<Output = Response>>(
    state: &AppState,
    req: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    if escapes_nul(req.uri()) {
        return refusal(api);
    }
    let json = is(&req, "application/json");
    let form = is(&req, "application/x-www-form-urlencoded");
    if !json && !form {
        return next(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, state.config.body_limit).await {
        Ok(b) => b,
        Err(_) => {
            let e = AppError::PayloadTooLarge("The request body is too large.".into());
            return if api {
                ApiError(e).into_response()
            } else {
                PageError(e).into_response()
            };
        }
    };
    let nul = if json {
        // A body that is not JSON is left to the handler's own error.
        serde_json::from_slice::<Value>(&bytes).is_ok_and(|v| has_nul(&v))
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).is_ok_and(|pairs| {
            pairs
                .iter()
                .any(|(k, v)| k.contains('\0') || v.contains('\0'))
        })
    };
    if nul {
        return refusal(api);
    }
    next(Request::from_parts(parts, Body::from(bytes))).await
}

pub async fn api_problems<F: Future<Output = Response>>(
    req: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next(req).await;
    }
    let response = next(req).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let detail = if text.is_empty() || status.is_server_error() {
        status.canonical_reason().unwrap_or("Error").to_owned()
    } else {
        text
    };
    let problem = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    let mut out = (status, problem.to_string()).into_response();
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
