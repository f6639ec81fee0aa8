//! "Waiting for you": the things that need this person because their partner
//! acted (the rules are `rekindle_domain::waiting`; storage finds them in one
//! query). Shown on the home page, counted on the navigation, served on the API
//! and streamed live (`live`), and the source of push notifications.

pub mod api;
pub mod live;

use rekindle_domain::waiting::{Waiting, WaitingKind, seen_key};
use std::sync::Arc;

use rekindle_storage::{CoupleId, Space, UserId};
use serde::Serialize;
use utoipa::ToSchema;

use crate::bus::space_key;
use crate::http::error::AppError;
use crate::state::AppState;

/// One item as a person reads it: what (naming the partner, never what they
/// wrote) and where to act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WaitingItem {
    /// Stable while the item waits; a new occasion (next round, new times) gets a new key.
    pub key: String,
    /// One of: question, problem_proposed, ideas, ratings, follow_up, agreement,
    /// action, talk_request, talk_arrived, checkin, shared_entry, shared_reflection.
    #[schema(value_type = String)]
    pub kind: WaitingKind,
    /// A short sentence, e.g. "Sam answered a question. Your turn."
    pub what: String,
    /// The page where it is done.
    pub href: String,
    /// When it started waiting (unix milliseconds).
    pub since: i64,
}

fn partner_name(space: Option<&Space>) -> String {
    space
        .and_then(|s| s.partner.as_ref())
        .map(|p| p.display_name.clone())
        .unwrap_or_else(|| "Your partner".to_owned())
}

pub fn to_items(found: &[Waiting], space: Option<&Space>) -> Vec<WaitingItem> {
    let partner = partner_name(space);
    found
        .iter()
        .map(|w| WaitingItem {
            key: w.key(),
            kind: w.kind,
            what: w.kind.sentence(&partner),
            href: w.href(),
            since: w.since,
        })
        .collect()
}

/// What waits for this person, read within the last half minute or now: the
/// navigation's badge and the home page's card, read on every page view. A
/// change anywhere (a bus notice) drops it at once (`http::sessions`). Workers,
/// streams and the API read [`items_for`], always fresh.
pub async fn recent_for(state: &AppState, user: &UserId) -> Result<Arc<Vec<Waiting>>, AppError> {
    let now = state.clock().now_ms();
    state
        .kept_on_any_request("waiting", user.as_str(), |_| true, async {
            Ok(state.repo.waiting_for(user, now).await?)
        })
        .await
}

/// What waits for this person now, newest first.
pub async fn items_for(state: &AppState, user: &UserId) -> Result<Vec<WaitingItem>, AppError> {
    let found = state.repo.waiting_for(user, state.clock().now_ms()).await?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let space = state.repo.space_of(user).await?;
    Ok(to_items(&found, space.as_ref()))
}

/// The person opened something their partner shared: it stops waiting, and
/// their other open pages hear about it.
pub async fn seen(
    state: &AppState,
    user: &UserId,
    couple: Option<&CoupleId>,
    kind: WaitingKind,
    record: &str,
) -> Result<(), AppError> {
    let now = state.clock().now_ms();
    if state
        .repo
        .mark_seen(user, &seen_key(kind, record), now)
        .await?
        && let Some(c) = couple
    {
        state.bus.publish(&space_key(c)).await;
    }
    Ok(())
}
