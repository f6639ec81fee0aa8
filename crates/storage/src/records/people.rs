//! Accounts, sessions and API tokens.

use crate::direct::direct_row;
use crate::{TokenId, UserId};
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub time_zone: String,
    pub created_at: i64,
}

direct_row!(User {
    id,
    email,
    display_name,
    time_zone,
    created_at
});

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub time_zone: String,
    pub created_at: i64,
}

/// A sign-up waiting for its emailed link (the password already hashed; the
/// link's token only as a digest).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignupRequest {
    pub token_hash: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub time_zone: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    /// A neutral name for the browser ("Firefox on Android").
    pub device: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// One of a person's signed-in browsers, as "Your devices" lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The start of the session's digest: enough to name it in a form, useless
    /// as a cookie.
    pub handle: String,
    pub device: String,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
}

/// A live session with the person it belongs to.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub csrf_token: String,
    pub expires_at: i64,
    pub user: User,
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

direct_row!(ApiToken {
    id,
    name,
    created_at,
    last_used_at
});

/// What `rekindle admin stats` prints: counts only, never content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceCounts {
    pub accounts: i64,
    /// Spaces with at least one person in them.
    pub spaces: i64,
    /// Spaces where two partners are together now.
    pub couples: i64,
}
