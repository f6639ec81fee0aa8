//! The web layer: server-rendered pages, the versioned JSON API and the plumbing
//! around them (sessions, CSRF, rate limits, metrics, security headers).

pub mod api;
mod assets;
mod auth;
// Problem board
mod board;
mod charts;
mod checkins;
mod clock;
mod config;
mod csrf;
mod error;
mod export;
mod format;
mod http_metrics;
mod pages;
mod questions;
mod ratelimit;
pub mod resources;
mod routes;
mod safety;
mod security;
mod service;
mod state;
// Talk room
mod talk;
// Action plan, reminders and the calendar feed
mod calendar;
mod plan;
pub mod reminders;

pub use clock::Clock;
pub use config::{Config, PasswordHashing};
pub use routes::{RouteSpec, build_router, route_specs};
pub use state::AppState;

use std::net::SocketAddr;

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = build_router(state.clone());
    let mut chores = state.spawn_housekeeping();
    // Talk room
    chores.extend(talk::bus::spawn_listener(
        state.repo.clone(),
        state.talk_local.clone(),
        state.live_talks.clone(),
    ));
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
