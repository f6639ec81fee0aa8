//! The private safety check and the notices.

use crate::UserId;

#[derive(Debug, Clone)]
pub struct NewScreen {
    pub id: String,
    pub user_id: UserId,
    pub answers: [i64; 4],
    pub total: i64,
    pub positive: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Screen {
    pub id: String,
    pub hurt: i64,
    pub insult: i64,
    pub threaten: i64,
    pub scream: i64,
    pub total: i64,
    pub positive: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notice {
    pub id: String,
    pub kind: String,
    pub created_at: i64,
}
