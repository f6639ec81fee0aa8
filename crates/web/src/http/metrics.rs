//! Prometheus metrics: requests by route and status, a latency histogram and the
//! database pool.
//!
//! They are served on a listener of their own (`--metrics-listen`, off by
//! default), never on the public one: counts per route tell a story (a request
//! to the safety check going from 1 to 2 says someone just took it). Routes a
//! person uses privately — the safety check and its results, help resources,
//! the quick exit — are counted together under one label, `private`, and never
//! one by one.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Installs the process-wide recorder once; later calls reuse it.
pub fn install() {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                LATENCY_BUCKETS,
            )
            .expect("bucket list is not empty");
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is already installed (e.g. by an embedding program):
            // keep serving an empty but valid exposition.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    });
}

/// The label a route is counted under.
pub fn route_label(route: &str) -> &str {
    const PRIVATE: &[&str] = &["/safety", "/api/v1/safety", "/help", "/exit"];
    let under = |p: &str| {
        route
            .strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if PRIVATE.iter().any(|p| under(p)) {
        "private"
    } else {
        route
    }
}

pub async fn track<F: Future<Output = Response>>(
    req: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let start = Instant::now();
    let route = req.extensions().get::<MatchedPath>().map_or_else(
        || "unmatched".to_owned(),
        |p| route_label(p.as_str()).to_owned(),
    );
    let method = req.method().as_str().to_owned();
    let resp = next(req).await;
    let status = resp.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..2])
        .record(start.elapsed().as_secs_f64());
    resp
}

/// How often recorded latencies are folded into the histograms.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Folds the latencies recorded since the last time into the histograms. The
/// recorder keeps every sample until then; without this (and with nobody
/// scraping `/metrics`) each request left 8 bytes behind for good: the memory
/// growth of a long soak.
pub fn spawn_upkeep() -> tokio::task::JoinHandle<()> {
    install();
    tokio::spawn(async {
        let mut tick = tokio::time::interval(UPKEEP_EVERY);
        loop {
            tick.tick().await;
            if let Some(handle) = HANDLE.get() {
                handle.run_upkeep();
            }
        }
    })
}

/// The metrics listener's whole router: `GET /metrics`.
pub fn router(state: AppState) -> axum::Router {
    install();
    axum::Router::new()
        .route("/metrics", axum::routing::get(render))
        .with_state(state)
}

pub async fn render(State(state): State<AppState>) -> Response {
    let pool = state.repo.pool_stats();
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size));
    metrics::gauge!("db_pool_idle_connections").set(f64::from(pool.idle));
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.max));
    metrics::gauge!("session_cache_entries").set(state.bus_local.sessions.len() as f64);
    let body = HANDLE
        .get()
        .map(PrometheusHandle::render)
        .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::route_label;

    #[test]
    fn private_routes_are_counted_together() {
        for private in [
            "/safety",
            "/safety/resources",
            "/api/v1/safety/check",
            "/help",
            "/help/counseling",
            "/exit",
        ] {
            assert_eq!(route_label(private), "private", "{private}");
        }
        for public in [
            "/",
            "/journal/{id}",
            "/api/v1/waiting",
            "/helpful",
            "/exits",
        ] {
            assert_eq!(route_label(public), public);
        }
    }
}
