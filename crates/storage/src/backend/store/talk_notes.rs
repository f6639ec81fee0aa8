//! One-line notes in a talk held aloud (issue 19): private to their author;
//! every query here is keyed by the author's id.

use crate::{TalkId, UserId};

use super::Store;
use crate::StoreResult;
use crate::records::*;

const COLUMNS: &str = "id, talk_id, author_id, body, created_at, shared_at";

impl Store {
    /// Keeps a new note of its author's.
    pub async fn add_talk_note(&self, note: &TalkNote) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO talk_notes (id, talk_id, author_id, body, created_at, shared_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&note.id)
        .bind(&note.talk_id)
        .bind(&note.author_id)
        .bind(&note.body)
        .bind(note.created_at)
        .bind(note.shared_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The author's own notes in one talk, oldest first. Nobody else's.
    pub async fn talk_notes_of(
        &self,
        author_id: &UserId,
        talk_id: &TalkId,
    ) -> StoreResult<Vec<TalkNote>> {
        Ok(sqlx::query_as::<_, TalkNote>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM talk_notes WHERE author_id = $1 AND talk_id = $2
             ORDER BY created_at, id"
        )))
        .bind(author_id)
        .bind(talk_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// One of the author's notes; `None` for anyone else's.
    pub async fn talk_note_of(
        &self,
        author_id: &UserId,
        note_id: &str,
    ) -> StoreResult<Option<TalkNote>> {
        Ok(sqlx::query_as::<_, TalkNote>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM talk_notes WHERE author_id = $1 AND id = $2"
        )))
        .bind(author_id)
        .bind(note_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?)
    }

    /// Marks the author's note shared (once): false when it is not theirs or
    /// was shared already.
    pub async fn mark_talk_note_shared(
        &self,
        author_id: &UserId,
        note_id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE talk_notes SET shared_at = $3
             WHERE author_id = $1 AND id = $2 AND shared_at IS NULL",
        )
        .bind(author_id)
        .bind(note_id)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes back a mark made a moment ago when the share itself was refused.
    pub async fn unmark_talk_note_shared(
        &self,
        author_id: &UserId,
        note_id: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE talk_notes SET shared_at = NULL WHERE author_id = $1 AND id = $2")
            .bind(author_id)
            .bind(note_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Every note the person wrote, for their export.
    pub async fn talk_notes_export(&self, author_id: &UserId) -> StoreResult<Vec<TalkNote>> {
        Ok(sqlx::query_as::<_, TalkNote>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM talk_notes WHERE author_id = $1 ORDER BY talk_id, created_at, id"
        )))
        .bind(author_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }
}
