use std::sync::Arc;
use std::time::Duration;

use rekindle_storage::Repo;

use crate::config::Config;
use crate::http::ratelimit::RateLimiter;

#[derive(Clone)]
pub struct AppState {
    pub repo: Repo,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    // The talk room's live state, shared by every socket of this server.
    pub talk_bus: Arc<dyn crate::talk::bus::EventBus>,
    pub talk_local: Arc<crate::talk::bus::LocalBus>,
    pub live_talks: Arc<crate::talk::live::LiveTalks>,
}

impl AppState {
    /// "Now" as the time-based rules see it (see `Clock`).
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.config.clock
    }

    pub fn new(repo: Repo, config: Config) -> Self {
        let (talk_bus, talk_local) = crate::talk::bus::for_repo(&repo);
        AppState {
            talk_bus,
            talk_local,
            live_talks: Arc::default(),
            repo,
            limiter: Arc::new(RateLimiter::default()),
            config: Arc::new(config),
        }
    }

    /// Background chore: dropping expired sessions and stale rate-limit buckets.
    /// The caller stops it when the server stops, so it does not hold database
    /// connections of a server that is gone.
    pub fn spawn_housekeeping(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut chores = Vec::new();
        let state = self.clone();
        chores.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                let now = state.clock().now_ms();
                match state.repo.delete_expired_sessions(now).await {
                    Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
                }
                state.limiter.forget_stale(state.config.auth_window);
            }
        }));
        chores
    }
}
