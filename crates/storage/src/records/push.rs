//! Web Push subscriptions, notification choices and the push and digest outboxes.

use crate::UserId;

/// A device that accepted notifications. The keys stay on the server: they are
/// never shown, exported or logged.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PushSubscription {
    pub id: String,
    pub user_id: UserId,
    pub endpoint: String,
    /// The browser's P-256 public key, uncompressed point, base64url.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url.
    pub auth: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A new subscription, with the browser session that made it (none for a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPushSubscription {
    pub id: String,
    pub user_id: UserId,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub name: String,
    pub session_hash: Option<String>,
    pub created_at: i64,
}

/// A person's notification choices (the defaults when they never chose).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotifyPrefsRow {
    pub user_id: UserId,
    /// Waiting kinds that notify, as a comma list.
    pub kinds: String,
    pub detail: bool,
    pub quiet_start: Option<i64>,
    pub quiet_end: Option<i64>,
    /// off, daily or weekly.
    pub digest: String,
    pub updated_at: i64,
}

/// Someone with at least one push device or a digest, with what the sender needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotifyTarget {
    pub user_id: UserId,
    pub email: String,
    pub time_zone: String,
}

/// A push this server claimed and now sends.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedPush {
    pub id: String,
    pub subscription_id: String,
    pub item_key: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    /// Including this one.
    pub attempts: i64,
}

/// A push outbox row as the operator (and the tests) see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PushOutboxEntry {
    pub id: String,
    pub subscription_id: String,
    pub user_id: UserId,
    pub item_key: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
    pub gave_up_at: Option<i64>,
    pub last_error: Option<String>,
}

/// A digest this server claimed and now sends.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedDigest {
    pub id: String,
    pub user_id: UserId,
    pub email: String,
    pub attempts: i64,
}
