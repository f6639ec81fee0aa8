//! Journal entries.

use crate::direct::direct_row;
use crate::{EntryId, UserId};
use rekindle_domain::Visibility;

#[derive(Debug, Clone)]
pub struct NewEntry {
    pub id: EntryId,
    pub owner_id: UserId,
    pub title: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: EntryId,
    pub owner_id: UserId,
    pub visibility: Visibility,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EntryRow {
    pub id: EntryId,
    pub owner_id: UserId,
    pub visibility: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

direct_row!(EntryRow {
    id,
    owner_id,
    visibility,
    title,
    body,
    created_at,
    updated_at
});

impl From<EntryRow> for Entry {
    fn from(r: EntryRow) -> Self {
        Entry {
            id: r.id,
            owner_id: r.owner_id,
            // The column has a CHECK constraint; anything unexpected stays private.
            visibility: Visibility::parse(&r.visibility).unwrap_or(Visibility::Private),
            title: r.title,
            body: r.body,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
