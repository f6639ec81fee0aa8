//! Appreciations.

use crate::{AppreciationId, UserId};
use rekindle_domain::appreciation::Status;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appreciation {
    pub id: AppreciationId,
    pub author_id: UserId,
    pub status: Status,
    pub body: String,
    /// The partner kept it (only ever true for the partner's view of a sent one).
    pub kept: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub sent_at: Option<i64>,
    /// Sent in a space that has since ended (only its author still sees it).
    pub from_before: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AppreciationRow {
    pub id: AppreciationId,
    pub author_id: UserId,
    pub status: String,
    pub body: String,
    pub kept: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub sent_at: Option<i64>,
    pub couple_id: Option<String>,
}

impl TryFrom<AppreciationRow> for Appreciation {
    type Error = crate::StoreError;
    fn try_from(r: AppreciationRow) -> Result<Self, Self::Error> {
        let status: Status = crate::decode_stored(r.status)?;
        Ok(Appreciation {
            from_before: status == Status::Sent && r.couple_id.is_none(),
            id: r.id,
            author_id: r.author_id,
            status,
            body: r.body,
            kept: r.kept,
            created_at: r.created_at,
            updated_at: r.updated_at,
            sent_at: r.sent_at,
        })
    }
}
