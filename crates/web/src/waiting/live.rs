//! The live "waiting for you" stream (server-sent events): the current list at
//! once, then again whenever it changes. It wakes when the person's space or
//! the person is announced on the bus (a change on any server reaches it), and
//! at least once a minute for what time alone changes (a check-in closing).
//!
//! On every wake it first asks whether the sign-in still holds and whether the
//! person is still in the same space; if not, the stream ends (sign-out,
//! password change, token revocation, leaving, erasure). It also ends when the
//! server shuts down, so a graceful stop is not held up by open streams.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use rekindle_storage::CoupleId;
use tokio::sync::watch;

use crate::bus::{person_key, space_key};
use crate::http::auth::ApiCaller;
use crate::http::error::AppError;
use crate::state::AppState;

/// How often a quiet stream looks again anyway.
const RECHECK: Duration = Duration::from_secs(60);

struct Watcher {
    state: AppState,
    caller: ApiCaller,
    couple: Option<CoupleId>,
    space: Option<watch::Receiver<u64>>,
    person: watch::Receiver<u64>,
    closing: watch::Receiver<bool>,
    last: Option<String>,
    started: bool,
}

enum Next {
    Send(String),
    Same,
    End,
}

impl Watcher {
    /// Waits for a reason to look again; false when the server is stopping.
    async fn wake(&mut self) -> bool {
        let space = async {
            match self.space.as_mut() {
                Some(rx) => rx.changed().await.ok(),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = space => true,
            _ = self.person.changed() => true,
            _ = tokio::time::sleep(RECHECK) => true,
            _ = self.closing.wait_for(|c| *c) => false,
        }
    }

    async fn look(&mut self) -> Result<Next, AppError> {
        if !self.caller.still_valid(&self.state).await? {
            return Ok(Next::End);
        }
        let space = self.state.repo.space_of(&self.caller.user.id).await?;
        if space.as_ref().map(|s| &s.couple_id) != self.couple.as_ref() {
            // Left, joined or erased: the client reconnects and starts afresh.
            return Ok(Next::End);
        }
        let found = self
            .state
            .repo
            .waiting_for(&self.caller.user.id, self.state.clock().now_ms())
            .await?;
        let items = super::to_items(&found, space.as_ref());
        let body = serde_json::to_string(&super::api::WaitingList::new(items))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if self.last.as_deref() == Some(body.as_str()) {
            return Ok(Next::Same);
        }
        self.last = Some(body.clone());
        Ok(Next::Send(body))
    }

    async fn next_event(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        loop {
            if self.started {
                if !self.wake().await {
                    return None;
                }
            } else {
                self.started = true;
            }
            match self.look().await {
                Ok(Next::Send(body)) => {
                    let event = Event::default().event("waiting").data(body);
                    return Some((Ok(event), self));
                }
                Ok(Next::Same) => {}
                Ok(Next::End) => return None,
                Err(e) => {
                    tracing::warn!(error = ?e, "waiting stream stopped");
                    return None;
                }
            }
        }
    }
}

pub async fn stream(
    state: AppState,
    caller: ApiCaller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let couple = state
        .repo
        .space_of(&caller.user.id)
        .await?
        .map(|s| s.couple_id);
    let watcher = Watcher {
        space: couple.as_ref().map(|c| state.bus.subscribe(&space_key(c))),
        person: state.bus.subscribe(&person_key(&caller.user.id)),
        closing: state.closing(),
        couple,
        caller,
        state,
        last: None,
        started: false,
    };
    let events = futures_util::stream::unfold(watcher, Watcher::next_event);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(25))))
}
