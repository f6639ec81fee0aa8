use std::sync::Arc;
use std::time::Duration;

use rekindle_storage::Repo;

use crate::config::Config;
use crate::http::ratelimit::RateLimiter;

/// What every handler is given. Cloned for each request (the pipeline and the
/// handler each take one), so it is the repository plus one shared pointer:
/// before, every clone touched nine reference counts, which the two cores
/// fought over (BENCHMARKS.md, issue 18, sixth session).
#[derive(Clone)]
pub struct AppState {
    pub repo: Repo,
    shared: Arc<Shared>,
    /// Set by [`AppState::reading`]: this request only reads, so it may use
    /// what the session cache keeps ([`AppState::kept`]).
    for_reading: bool,
}

/// The parts of the state every request shares; reached through `Deref`
/// (`state.config`, `state.bus`, …).
pub struct Shared {
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    // Live notices (talks, spaces, people) and the talk room's memory, shared by
    // every socket and stream of this server.
    pub bus: Arc<dyn crate::bus::EventBus>,
    pub bus_local: Arc<crate::bus::LocalBus>,
    pub live_talks: Arc<crate::talk::live::LiveTalks>,
    /// Set when the server begins to stop: long-lived streams end themselves.
    closing: Arc<tokio::sync::watch::Sender<bool>>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.shared
    }
}

impl AppState {
    /// "Now" as the time-based rules see it (see `Clock`).
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.config.clock
    }

    /// This state with every read on one database connection held until it is
    /// dropped (`Repo::holding_reads`): for a page or API read that makes
    /// several queries, at the top of its handler. Not for sockets or streams
    /// (they live long), nor anything that keeps the state after the request.
    ///
    /// Only for handlers that read (GET): the state it returns also serves the
    /// person's space from the session cache (`space::viewer`), which another
    /// server's change reaches a moment after its commit.
    pub async fn reading(&self) -> Result<AppState, rekindle_storage::StoreError> {
        Ok(AppState {
            repo: self.repo.holding_reads().await?,
            for_reading: true,
            ..self.clone()
        })
    }

    /// Whether this is a reading request's state (see [`AppState::reading`]).
    pub fn is_reading(&self) -> bool {
        self.for_reading
    }

    /// What `read` finds, kept in the session cache under `what` for `user`
    /// until a change that may concern them is announced or
    /// `http::sessions::KEPT_MAX_AGE_MS` passes; a kept value that `still_good`
    /// refuses (another day, another release) is read again. Only a reading
    /// request's state ([`AppState::reading`]) uses and fills the cache; any
    /// other (a write, a page shown again with its errors) reads afresh.
    pub async fn kept<T, F>(
        &self,
        what: &'static str,
        user: &str,
        still_good: impl FnOnce(&T) -> bool,
        read: F,
    ) -> Result<Arc<T>, crate::http::error::AppError>
    where
        T: std::any::Any + Send + Sync,
        F: Future<Output = Result<T, crate::http::error::AppError>>,
    {
        if !self.is_reading() {
            return Ok(Arc::new(read.await?));
        }
        self.kept_on_any_request(what, user, still_good, read).await
    }

    /// [`AppState::kept`] for any request, reading or not: for what no write
    /// acts on, such as the navigation's count of what waits, which every
    /// signed-in page shows.
    pub async fn kept_on_any_request<T, F>(
        &self,
        what: &'static str,
        user: &str,
        still_good: impl FnOnce(&T) -> bool,
        read: F,
    ) -> Result<Arc<T>, crate::http::error::AppError>
    where
        T: std::any::Any + Send + Sync,
        F: Future<Output = Result<T, crate::http::error::AppError>>,
    {
        if !self.config.keep_reads {
            // Nothing kept between requests; within one, each thing is read
            // once, as in the first view after a change (`request_memo`).
            use crate::http::request_memo;
            if let Some(found) = request_memo::find::<T>(what, user)
                && still_good(&found)
            {
                return Ok(found);
            }
            let found = Arc::new(read.await?);
            request_memo::keep(what, user, found.clone());
            return Ok(found);
        }
        let cache = &self.bus_local.sessions;
        let now = self.clock().now_ms();
        if let Some(found) = cache.kept::<T>(what, user, now)
            && still_good(&found)
        {
            return Ok(found);
        }
        // Taken before reading: a change announced meanwhile keeps the read out.
        let ticket = cache.ticket();
        let found = Arc::new(read.await?);
        cache.keep(ticket, what, user, found.clone(), now);
        Ok(found)
    }

    /// What `read` finds; in a reading request's state it also tells the
    /// session cache where `user` is, as `place_of` works it out from what was
    /// read (`http::sessions::Place`), unless a change was announced meanwhile.
    pub async fn placed<T, F>(
        &self,
        user: &str,
        place_of: impl FnOnce(&T) -> crate::http::sessions::Place,
        read: F,
    ) -> Result<T, crate::http::error::AppError>
    where
        F: Future<Output = Result<T, crate::http::error::AppError>>,
    {
        if !self.is_reading() {
            return read.await;
        }
        let cache = &self.bus_local.sessions;
        let ticket = cache.ticket();
        let found = read.await?;
        cache.place(ticket, user, place_of(&found));
        Ok(found)
    }

    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Tells every long-lived stream of this server to end.
    pub fn begin_closing(&self) {
        self.closing.send_replace(true);
    }

    pub fn new(repo: Repo, config: Config) -> Self {
        let (bus, bus_local) = crate::bus::for_repo(&repo);
        AppState {
            shared: Arc::new(Shared {
                bus,
                bus_local,
                live_talks: Arc::default(),
                closing: Arc::new(tokio::sync::watch::channel(false).0),
                limiter: Arc::new(RateLimiter::new(repo.clone())),
                config: Arc::new(config),
            }),
            repo,
            for_reading: false,
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
                if let Err(e) = state
                    .limiter
                    .forget_stale(state.config.auth_window, now)
                    .await
                {
                    tracing::warn!(error = %e, "could not remove stale rate-limit buckets");
                }
                if let Err(e) = state.repo.delete_expired_password_resets(now).await {
                    tracing::warn!(error = %e, "could not remove expired password reset links");
                }
            }
        }));
        chores
    }
}
