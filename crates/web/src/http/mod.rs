//! Plumbing shared by every tool: sessions and tokens, CSRF, errors, rate limits,
//! security headers, metrics, embedded assets and the operations endpoints.

pub mod assets;
pub mod auth;
pub mod changes;
pub mod csrf;
pub mod error;
pub mod input;
pub mod json;
pub mod metrics;
pub mod ops;
pub mod pipeline;
pub mod ratelimit;
pub mod request_memo;
pub mod secrets;
pub mod sessions;

use axum::http::HeaderMap;

use crate::state::AppState;

/// The origin used in links we hand out.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}
