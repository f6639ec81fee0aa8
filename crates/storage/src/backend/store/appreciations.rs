//! Appreciations: the privacy rule lives in these WHERE clauses. A draft has no
//! space and matches only its author; a sent one matches the partner only while
//! it belongs to the space the two share now.

use super::Store;
use crate::records::*;
use crate::{AppreciationId, StoreResult, UserId, map_unique};

/// The columns read; whether the partner kept one is theirs, so its author reads `false`.
macro_rules! columns {
    () => {
        "SELECT id, author_id, status, body, created_at, updated_at, sent_at, couple_id,
            CASE WHEN author_id = $1 THEN FALSE ELSE kept END AS kept FROM appreciations "
    };
}

/// $1 the viewer, $2 their space, $3 their partner.
macro_rules! visible {
    () => {
        "(author_id = $1 OR (status = 'sent' AND couple_id = $2 AND author_id = $3))"
    };
}

impl Store {
    pub async fn create_appreciation(
        &self,
        id: &AppreciationId,
        author: &UserId,
        body: &str,
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO appreciations (id, author_id, couple_id, status, body, kept, created_at, updated_at, sent_at)
             VALUES ($1, $2, NULL, 'draft', $3, FALSE, $4, $4, NULL)",
        )
        .bind(id)
        .bind(author)
        .bind(body)
        .bind(now)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(())
    }

    /// The viewer's own appreciations (drafts and sent), and the ones their
    /// current partner sent them in their current space; newest first.
    pub async fn appreciations_for(&self, viewer: &Viewer) -> StoreResult<Vec<Appreciation>> {
        let sql = concat!(
            columns!(),
            "WHERE ",
            visible!(),
            " ORDER BY COALESCE(sent_at, created_at) DESC, id LIMIT 1000"
        );
        let rows = sqlx::query_as::<_, AppreciationRow>(sql)
            .bind(&viewer.user_id)
            .bind(viewer.couple_id.as_deref())
            .bind(viewer.partner_id.as_deref())
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.into_iter().map(Appreciation::try_from).collect()
    }

    pub async fn appreciation_for(
        &self,
        viewer: &Viewer,
        id: &AppreciationId,
    ) -> StoreResult<Option<Appreciation>> {
        let sql = concat!(columns!(), "WHERE id = $4 AND ", visible!());
        let row = sqlx::query_as::<_, AppreciationRow>(sql)
            .bind(&viewer.user_id)
            .bind(viewer.couple_id.as_deref())
            .bind(viewer.partner_id.as_deref())
            .bind(id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.map(Appreciation::try_from).transpose()
    }

    /// Changes a draft's words (author only, drafts only).
    pub async fn update_appreciation(
        &self,
        author: &UserId,
        id: &AppreciationId,
        body: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE appreciations SET body = $1, updated_at = $2
             WHERE id = $3 AND author_id = $4 AND status = 'draft'",
        )
        .bind(body)
        .bind(now)
        .bind(id)
        .bind(author)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sends a draft to the partner of the viewer's current space.
    pub async fn send_appreciation(
        &self,
        viewer: &Viewer,
        id: &AppreciationId,
        now: i64,
    ) -> StoreResult<bool> {
        let Some(couple) = viewer.couple_id.as_deref() else {
            return Ok(false);
        };
        let done = sqlx::query(
            "UPDATE appreciations SET status = 'sent', couple_id = $1, sent_at = $2, updated_at = $2
             WHERE id = $3 AND author_id = $4 AND status = 'draft'",
        )
        .bind(couple)
        .bind(now)
        .bind(id)
        .bind(&viewer.user_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The partner keeps (or lets go of) one they were sent in their current space.
    pub async fn set_appreciation_kept(
        &self,
        viewer: &Viewer,
        id: &AppreciationId,
        kept: bool,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE appreciations SET kept = $1
             WHERE id = $2 AND status = 'sent' AND couple_id = $3 AND author_id = $4 AND author_id <> $5",
        )
        .bind(kept)
        .bind(id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .bind(&viewer.user_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The author deletes one of theirs (a sent one disappears for the partner too).
    pub async fn delete_appreciation(
        &self,
        author: &UserId,
        id: &AppreciationId,
    ) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM appreciations WHERE id = $1 AND author_id = $2")
            .bind(id)
            .bind(author)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Turns the optional appreciation prompt on or off (off by default).
    pub async fn set_appreciation_prompt(
        &self,
        user: &UserId,
        on: bool,
        now: i64,
    ) -> StoreResult<()> {
        if on {
            sqlx::query(
                "INSERT INTO appreciation_prompts (user_id, updated_at) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE SET updated_at = $2",
            )
            .bind(user)
            .bind(now)
            .execute(&self.write)
            .await?;
        } else {
            sqlx::query("DELETE FROM appreciation_prompts WHERE user_id = $1")
                .bind(user)
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    pub async fn appreciation_prompt_on(&self, user: &UserId) -> StoreResult<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM appreciation_prompts WHERE user_id = $1")
                .bind(user)
                .fetch_one(&mut *self.reader().await?)
                .await?;
        Ok(n > 0)
    }
}
