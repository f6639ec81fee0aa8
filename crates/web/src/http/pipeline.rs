//! The steps every request goes through before and after its handler, in one
//! middleware.
//!
//! Each step used to be a layer of its own (`from_fn`). axum wraps every route
//! in each layer separately and, on every request, clones the route's whole
//! stack layer by layer and boxes a future per layer: for `/healthz` that was
//! about a third of the server's CPU (BENCHMARKS.md, issue 18, sixth session).
//! Here the steps are plain async functions, each handed the rest of the chain
//! as a closure, so a request pays for one layer.
//!
//! Outermost first:
//! 1. security headers on every answer (`security_headers`);
//! 2. `metrics::track`: counts and times the request by route;
//! 3. `input::api_problems`: error answers under `/api/` become problem details;
//! 4. `auth::resolve_session`: the session cookie, read once;
//! 5. `view::signed_in_error_pages`: error pages keep the person's navigation;
//! 6. `input::refuse_nul`: text with U+0000 is refused;
//! 7. `csrf::guard`: state-changing requests carry the right token;
//! 8. `changes::announce`: a successful write is announced on the bus.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::http::{auth, changes, csrf, input, metrics};
use crate::state::AppState;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub async fn run(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let state = &state;
    let steps = metrics::track(req, |req| {
        input::api_problems(req, |req| {
            auth::resolve_session(state, req, |req| {
                crate::view::signed_in_error_pages(req, |req| {
                    input::refuse_nul(state, req, |req| {
                        csrf::guard(state, req, |req| {
                            changes::announce(state, req, |req| next.run(req))
                        })
                    })
                })
            })
        })
    });
    let mut response = if state.config.keep_reads {
        steps.await
    } else {
        crate::http::request_memo::scope(steps).await
    };
    security_headers(response.headers_mut());
    response
}

/// What every answer says about itself: a strict content policy and no caching
/// unless the handler chose otherwise (static files do), no sniffing, no
/// framing, no referrer beyond this site.
fn security_headers(headers: &mut HeaderMap) {
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}
