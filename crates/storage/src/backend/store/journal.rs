//! Journal: the privacy rule lives in these WHERE clauses.

use super::Store;
use crate::records::*;
use crate::{EntryId, UserId};
use crate::{StoreResult, map_unique};

/// The entries a viewer (`$1` the viewer, `$2` their space, `$3` their partner)
/// may see: their own, and what their current partner shared in their current
/// space. One text for every read of entries, so the rule has one home.
macro_rules! visible_to_viewer {
    () => {
        "(owner_id = $1 OR (visibility = 'shared' AND couple_id = $2 AND owner_id = $3))"
    };
}

impl Store {
    pub async fn create_entry(&self, e: &NewEntry) -> StoreResult<Entry> {
        sqlx::query(
            "INSERT INTO journal_entries (id, owner_id, couple_id, visibility, title, body, created_at, updated_at)
             VALUES ($1, $2, NULL, 'private', $3, $4, $5, $5)",
        )
        .bind(&e.id)
        .bind(&e.owner_id)
        .bind(&e.title)
        .bind(&e.body)
        .bind(e.created_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(Entry {
            id: e.id.clone(),
            owner_id: e.owner_id.clone(),
            visibility: rekindle_domain::Visibility::Private,
            title: e.title.clone(),
            body: e.body.clone(),
            created_at: e.created_at,
            updated_at: e.created_at,
        })
    }

    /// The viewer's own entries, plus the entries their current partner shared
    /// in their current space. A private row of someone else cannot match.
    pub async fn entries_for(&self, viewer: &Viewer) -> StoreResult<Vec<Entry>> {
        let rows = read!(
            all EntryRow,
            self,
            concat!(
                "SELECT id, owner_id, visibility, title, body, created_at, updated_at
                 FROM journal_entries WHERE ",
                visible_to_viewer!(),
                " ORDER BY created_at DESC, id LIMIT 1000"
            ),
            [&viewer.user_id, viewer.couple_id.as_deref(), viewer.partner_id.as_deref()]
        )?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    /// One page of what [`Store::entries_for`] lists, newest first, each body
    /// cut to its first 300 characters: the list shows only an excerpt, and a
    /// long journal is not read whole to show twenty of them.
    pub async fn entry_excerpts_for(
        &self,
        viewer: &Viewer,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Entry>> {
        // `$4 + 0`: a bare bound LIMIT makes SQLite re-prepare the statement at
        // each new binding (see `Store::open_talks_for`).
        let rows = read!(
            all EntryRow,
            self,
            concat!(
                "SELECT id, owner_id, visibility, title, substr(body, 1, 300) AS body,
                        created_at, updated_at
                 FROM journal_entries WHERE ",
                visible_to_viewer!(),
                " ORDER BY created_at DESC, id LIMIT $4 + 0 OFFSET $5"
            ),
            [
                &viewer.user_id,
                viewer.couple_id.as_deref(),
                viewer.partner_id.as_deref(),
                limit,
                offset,
            ]
        )?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    pub async fn entry_for(&self, viewer: &Viewer, id: &EntryId) -> StoreResult<Option<Entry>> {
        let row = read!(
            optional EntryRow,
            self,
            concat!(
                "SELECT id, owner_id, visibility, title, body, created_at, updated_at
                 FROM journal_entries WHERE id = $4 AND ",
                visible_to_viewer!()
            ),
            [&viewer.user_id, viewer.couple_id.as_deref(), viewer.partner_id.as_deref(), id]
        )?;
        Ok(row.map(Entry::from))
    }

    pub async fn update_entry(
        &self,
        owner_id: &UserId,
        id: &EntryId,
        title: &str,
        body: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE journal_entries SET title = $1, body = $2, updated_at = $3
             WHERE id = $4 AND owner_id = $5",
        )
        .bind(title)
        .bind(body)
        .bind(now)
        .bind(id)
        .bind(owner_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Shares an entry into the viewer's current space, or takes it back.
    pub async fn set_entry_visibility(
        &self,
        viewer: &Viewer,
        id: &EntryId,
        shared: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let (visibility, couple) = if shared {
            let Some(couple) = viewer.couple_id.as_deref() else {
                return Ok(false);
            };
            ("shared", Some(couple))
        } else {
            ("private", None)
        };
        let done = sqlx::query(
            "UPDATE journal_entries SET visibility = $1, couple_id = $2, updated_at = $3
             WHERE id = $4 AND owner_id = $5",
        )
        .bind(visibility)
        .bind(couple)
        .bind(now)
        .bind(id)
        .bind(&viewer.user_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_entry(&self, owner_id: &UserId, id: &EntryId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM journal_entries WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
