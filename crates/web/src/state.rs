use std::sync::Arc;
use std::time::Duration;

use rekindle_storage::Repo;

use crate::config::Config;
use crate::ratelimit::RateLimiter;

#[derive(Clone)]
pub struct AppState {
    pub repo: Repo,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    // Talk room
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
        crate::http_metrics::install();
        crate::pages::set_frame(&config.instance_name, &config.quick_exit_url);
        // Talk room
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

    /// Background chores: dropping expired sessions and stale rate-limit buckets,
    /// and sending reminders. The caller stops them when the server stops, so
    /// they do not hold database connections of a server that is gone.
    pub fn spawn_housekeeping(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut chores = Vec::new();
        // Reminders
        chores.extend(crate::reminders::spawn(self));
        let state = self.clone();
        chores.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                let now = crate::format::now_ms();
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
