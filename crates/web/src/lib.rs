//! The web layer: server-rendered pages, the versioned JSON API and the plumbing
//! around them (sessions, CSRF, rate limits, metrics, security headers).

// The tools, one folder each: use cases in `mod.rs`, pages in `page.rs`, the
// JSON API in `api.rs` (both faces call the same use cases). docs/architecture.md
// maps the seven steps to these folders.
mod account;
mod appreciations;
mod board;
mod checkins;
mod coach;
mod export;
mod handoff;
mod home;
mod install;
mod journal;
mod notify;
mod plan;
mod practice;
mod questions;
pub mod reminders;
mod safety;
mod space;
mod talk;
mod waiting;

// Plumbing: HTTP concerns (`http`), the page chrome and formatting (`view`), and
// the application's wiring.
mod bus;
mod clock;
mod config;
mod http;
pub mod openapi;
mod routes;
mod state;
mod view;

pub use account::reset::{RESET_TTL_MS, new_reset_secret, reset_path};
pub use clock::Clock;
pub use config::{Config, PasswordHashing};
pub use routes::{RouteSpec, build_router, route_specs};
pub use safety::resources;
pub use state::AppState;

use std::net::SocketAddr;

/// Serves `/metrics` on a listener of its own (see `http::metrics`) until the
/// task is stopped.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> std::io::Result<()> {
    axum::serve(listener, http::metrics::router(state)).await
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = build_router(state.clone());
    let mut chores = state.spawn_housekeeping();
    chores.extend(reminders::spawn(&state));
    chores.push(notify::sender::spawn(&state));
    chores.push(http::metrics::spawn_upkeep());
    let live = state.live_talks.clone();
    chores.extend(bus::spawn_listener(
        state.repo.clone(),
        state.bus_local.clone(),
        move |key| match key {
            "" => live.forget_all(),
            talk => live.forget(talk),
        },
    ));
    let stopping = state.clone();
    let shutdown = async move {
        shutdown.await;
        // Open "waiting for you" streams end, so the graceful stop is not held up.
        stopping.begin_closing();
    };
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    for chore in chores {
        chore.abort();
    }
    served
}
