//! The counselor hand-off: choices, versions, approvals and links, per space.

use rekindle_domain::handoff::Approval;
use sqlx::Row;

use super::{DB, Store};
use crate::records::*;
use crate::{CoupleId, StoreResult, UserId, map_unique};

/// Makes sure the space has a summary row and locks it for this transaction
/// (an UPDATE takes the row lock on PostgreSQL; SQLite has one writer).
async fn lock_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    couple: &CoupleId,
    now: i64,
) -> StoreResult<i64> {
    sqlx::query(
        "INSERT INTO handoffs (couple_id, version, created_at, updated_at) VALUES ($1, 1, $2, $2)
         ON CONFLICT (couple_id) DO NOTHING",
    )
    .bind(couple)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE handoffs SET updated_at = updated_at WHERE couple_id = $1")
        .bind(couple)
        .execute(&mut **tx)
        .await?;
    Ok(
        sqlx::query_scalar("SELECT version FROM handoffs WHERE couple_id = $1")
            .bind(couple)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// A change: the next version, no approvals, nothing final, every link revoked.
async fn changed_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    couple: &CoupleId,
    now: i64,
) -> StoreResult<i64> {
    sqlx::query(
        "UPDATE handoffs SET version = version + 1, final_content = NULL, final_version = NULL, updated_at = $2
         WHERE couple_id = $1",
    )
    .bind(couple)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM handoff_approvals WHERE couple_id = $1")
        .bind(couple)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE handoff_links SET revoked_at = $2 WHERE couple_id = $1 AND revoked_at IS NULL",
    )
    .bind(couple)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(
        sqlx::query_scalar("SELECT version FROM handoffs WHERE couple_id = $1")
            .bind(couple)
            .fetch_one(&mut **tx)
            .await?,
    )
}

impl Store {
    /// The space's summary as it stands, or `None` before anybody chose anything.
    pub async fn handoff_state(&self, couple: &CoupleId) -> StoreResult<Option<HandoffState>> {
        let Some(row) = sqlx::query(
            "SELECT version, final_content, final_version FROM handoffs WHERE couple_id = $1",
        )
        .bind(couple)
        .fetch_optional(&mut *self.reader().await?)
        .await?
        else {
            return Ok(None);
        };
        let items = sqlx::query(
            "SELECT item_key, chosen_by FROM handoff_items WHERE couple_id = $1 ORDER BY chosen_at, item_key, chosen_by",
        )
        .bind(couple)
        .fetch_all(&mut *self.reader().await?)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get::<String, _>("item_key")?, r.try_get::<UserId, _>("chosen_by")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let approvals = sqlx::query(
            "SELECT user_id, version, digest FROM handoff_approvals WHERE couple_id = $1 ORDER BY user_id",
        )
        .bind(couple)
        .fetch_all(&mut *self.reader().await?)
        .await?
        .into_iter()
        .map(|r| {
            Ok(Approval {
                user_id: r.try_get("user_id")?,
                version: r.try_get("version")?,
                digest: r.try_get("digest")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(HandoffState {
            version: row.try_get("version")?,
            final_content: row.try_get("final_content")?,
            final_version: row.try_get("final_version")?,
            items,
            approvals,
        }))
    }

    /// Adds or removes one of `user`'s choices. A real change moves the
    /// version on and clears both approvals (and any link); the new version.
    pub async fn set_handoff_choice(
        &self,
        couple: &CoupleId,
        user: &UserId,
        item_key: &str,
        chosen: bool,
        now: i64,
    ) -> StoreResult<i64> {
        let mut tx = self.write.begin().await?;
        let version = lock_in(&mut tx, couple, now).await?;
        let done = if chosen {
            sqlx::query(
                "INSERT INTO handoff_items (couple_id, item_key, chosen_by, chosen_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (couple_id, item_key, chosen_by) DO NOTHING",
            )
            .bind(couple)
            .bind(item_key)
            .bind(user)
            .bind(now)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(
                "DELETE FROM handoff_items WHERE couple_id = $1 AND item_key = $2 AND chosen_by = $3",
            )
            .bind(couple)
            .bind(item_key)
            .bind(user)
            .execute(&mut *tx)
            .await?
        };
        let version = if done.rows_affected() > 0 {
            changed_in(&mut tx, couple, now).await?
        } else {
            version
        };
        tx.commit().await?;
        Ok(version)
    }

    /// Records `user`'s approval of `version` showing content with `digest`
    /// (`content`, JSON). When the partner approved the same version with the
    /// same digest, the summary is final and `content` is what it shows.
    pub async fn approve_handoff(&self, a: &NewHandoffApproval) -> StoreResult<ApproveOutcome> {
        let (couple, user, partner, version, now) =
            (&a.couple, &a.user, &a.partner, a.version, a.now);
        let (digest, content) = (a.digest.as_str(), a.content.as_str());
        let mut tx = self.write.begin().await?;
        let current = lock_in(&mut tx, couple, now).await?;
        if current != version {
            tx.rollback().await?;
            return Ok(ApproveOutcome::Stale { current });
        }
        let theirs: Option<(i64, String)> = sqlx::query(
            "SELECT version, digest FROM handoff_approvals WHERE couple_id = $1 AND user_id = $2",
        )
        .bind(couple)
        .bind(partner)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get("version")?, r.try_get("digest")?)))
        .transpose()?;
        if let Some((v, d)) = &theirs
            && *v == current
            && d != digest
        {
            let current = changed_in(&mut tx, couple, now).await?;
            tx.commit().await?;
            return Ok(ApproveOutcome::Changed { current });
        }
        sqlx::query(
            "INSERT INTO handoff_approvals (couple_id, user_id, version, digest, approved_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (couple_id, user_id) DO UPDATE SET version = $3, digest = $4, approved_at = $5",
        )
        .bind(couple)
        .bind(user)
        .bind(version)
        .bind(digest)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let now_final = theirs.is_some_and(|(v, d)| v == current && d == digest);
        if now_final {
            sqlx::query(
                "UPDATE handoffs SET final_content = $2, final_version = $3, updated_at = $4 WHERE couple_id = $1",
            )
            .bind(couple)
            .bind(content)
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ApproveOutcome::Approved { now_final })
    }

    /// A link to the final summary; false when it is not final.
    pub async fn create_handoff_link(
        &self,
        couple: &CoupleId,
        id: &str,
        token_digest: &str,
        created_by: &UserId,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO handoff_links (id, couple_id, token_digest, created_by, created_at, expires_at)
             SELECT $1, couple_id, $3, $4, $5, $6 FROM handoffs WHERE couple_id = $2 AND final_content IS NOT NULL",
        )
        .bind(id)
        .bind(couple)
        .bind(token_digest)
        .bind(created_by)
        .bind(now)
        .bind(expires_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn handoff_links(&self, couple: &CoupleId) -> StoreResult<Vec<HandoffLink>> {
        Ok(sqlx::query_as::<_, HandoffLink>(
            "SELECT id, created_by, created_at, expires_at, revoked_at FROM handoff_links
             WHERE couple_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(couple)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// Either partner revokes a link of their space.
    pub async fn revoke_handoff_link(
        &self,
        couple: &CoupleId,
        id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE handoff_links SET revoked_at = $3 WHERE id = $1 AND couple_id = $2 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(couple)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// What a link shows: (final content, expires_at, revoked_at), or `None`
    /// for an unknown token.
    pub async fn handoff_by_token(
        &self,
        token_digest: &str,
    ) -> StoreResult<Option<(Option<String>, i64, Option<i64>)>> {
        let row = sqlx::query(
            "SELECT h.final_content, l.expires_at, l.revoked_at FROM handoff_links l
             JOIN handoffs h ON h.couple_id = l.couple_id WHERE l.token_digest = $1",
        )
        .bind(token_digest)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.map(|r| {
            Ok((
                r.try_get("final_content")?,
                r.try_get("expires_at")?,
                r.try_get("revoked_at")?,
            ))
        })
        .transpose()
    }
}
