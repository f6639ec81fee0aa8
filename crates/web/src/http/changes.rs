//! Announcing changes: after every successful write (page form or API call) by
//! a signed-in person, the bus hears `space:<couple>` for the space they were
//! in before and after (so the partner's "waiting for you" updates live, also
//! when someone joins, leaves or is erased) and `person:<id>` (so their own
//! live streams check whether the sign-in still holds).
//!
//! Doing it here, around every handler, means no use case can forget it. It
//! costs up to three indexed reads per write and nothing on reads. The talk
//! room's socket announces its own changes (`talk`), since it is not a request
//! per command.

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use rekindle_storage::{CoupleId, UserId};

use crate::bus::{person_key, space_key};
use crate::http::auth::{Resolved, bearer};
use crate::http::secrets::digest;
use crate::state::AppState;

/// Who is writing: a personal token's owner, or the signed-in browser's person.
async fn actor(state: &AppState, token: Option<String>, session: Option<UserId>) -> Option<UserId> {
    match token {
        Some(token) => {
            let now = state.clock().now_ms();
            match state.repo.token_user(&digest(&token), now).await {
                Ok(user) => user.map(|u| u.id),
                Err(_) => None,
            }
        }
        None => session,
    }
}

async fn couple_of(state: &AppState, user: &UserId) -> Option<CoupleId> {
    match state.repo.space_of(user).await {
        Ok(space) => space.map(|s| s.couple_id),
        Err(e) => {
            tracing::warn!(error = %e, "could not look up a space to announce a change");
            None
        }
    }
}

pub async fn announce<F: Future<Output = Response>>(
    state: &AppState,
    req: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next(req).await;
    }
    let token = bearer(req.headers()).map(str::to_owned);
    let session = req
        .extensions()
        .get::<Resolved>()
        .and_then(|r| r.session.as_ref())
        .map(|(_, s)| s.user.id.clone());
    let Some(user) = actor(state, token, session).await else {
        return next(req).await;
    };
    let before = couple_of(state, &user).await;
    let response = next(req).await;
    let status = response.status();
    if status.is_success() || status.is_redirection() {
        let after = couple_of(state, &user).await;
        if let Some(c) = &before {
            state.bus.publish(&space_key(c)).await;
        }
        if let Some(c) = after.filter(|a| before.as_ref() != Some(a)) {
            state.bus.publish(&space_key(&c)).await;
        }
        state.bus.publish(&person_key(&user)).await;
    }
    response
}
