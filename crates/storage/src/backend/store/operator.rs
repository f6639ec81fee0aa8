//! The operator kit: instance counts, password reset links and the attempt
//! counters every server of a deployment shares.

use super::*;
use crate::{InstanceCounts, UserId};

impl Store {
    /// How many accounts and spaces the instance holds.
    pub async fn instance_counts(&self) -> StoreResult<InstanceCounts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM users) AS accounts,
                    (SELECT COUNT(DISTINCT couple_id) FROM memberships) AS spaces,
                    (SELECT COUNT(*) FROM (SELECT couple_id FROM memberships
                        GROUP BY couple_id HAVING COUNT(*) = 2) AS c) AS couples",
        )
        .fetch_one(&mut *self.reader().await?)
        .await?;
        Ok(InstanceCounts {
            accounts: row.try_get("accounts")?,
            spaces: row.try_get("spaces")?,
            couples: row.try_get("couples")?,
        })
    }

    /// Stores a password reset link's digest, valid until `expires_at`.
    pub async fn create_password_reset(
        &self,
        user_id: &UserId,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&self.write)
        .await
        .map_err(crate::map_unique)?;
        Ok(())
    }

    /// Whose unexpired reset link this is.
    pub async fn password_reset_user(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<UserId>> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *self.reader().await?)
        .await?)
    }

    /// Uses a reset link: sets the new password and signs the person out
    /// everywhere (sessions, personal tokens, every other reset link), in one
    /// transaction. `None` when the link is unknown, used or expired.
    pub async fn reset_password(
        &self,
        token_hash: &str,
        new_hash: &str,
        now: i64,
    ) -> StoreResult<Option<UserId>> {
        let mut tx = self.write.begin().await?;
        let user: Option<UserId> = sqlx::query_scalar(
            "DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2
             RETURNING user_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user) = user else {
            return Ok(None);
        };
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(new_hash)
            .bind(&user)
            .execute(&mut *tx)
            .await?;
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM api_tokens WHERE user_id = $1",
            "DELETE FROM password_resets WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(&user).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Some(user))
    }

    /// Removes reset links whose hour is over.
    pub async fn delete_expired_password_resets(&self, now: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    /// Counts one attempt in `bucket`'s fixed window of `window_ms` and returns
    /// the attempts in the current window, this one included, with the window's
    /// start. One statement, so servers racing on one bucket never lose a count.
    pub async fn rate_limit_hit(
        &self,
        bucket: &str,
        now: i64,
        window_ms: i64,
    ) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
             ON CONFLICT (bucket) DO UPDATE SET
                 hits = CASE WHEN rate_limits.window_start <= $2 - $3 THEN 1
                             ELSE rate_limits.hits + 1 END,
                 window_start = CASE WHEN rate_limits.window_start <= $2 - $3 THEN $2
                                     ELSE rate_limits.window_start END
             RETURNING hits, window_start",
        )
        .bind(bucket)
        .bind(now)
        .bind(window_ms)
        .fetch_one(&self.write)
        .await?;
        Ok((row.try_get("hits")?, row.try_get("window_start")?))
    }

    /// Attempts counted in `bucket`'s current window, with its start.
    pub async fn rate_limit_count(
        &self,
        bucket: &str,
        now: i64,
        window_ms: i64,
    ) -> StoreResult<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT hits, window_start FROM rate_limits
             WHERE bucket = $1 AND window_start > $2 - $3",
        )
        .bind(bucket)
        .bind(now)
        .bind(window_ms)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.map(|r| Ok((r.try_get("hits")?, r.try_get("window_start")?)))
            .transpose()
    }

    /// Forgets one bucket (a successful sign-in clears its failures).
    pub async fn rate_limit_clear(&self, bucket: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM rate_limits WHERE bucket = $1")
            .bind(bucket)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Removes buckets whose window is over.
    pub async fn rate_limit_forget_stale(&self, now: i64, window_ms: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM rate_limits WHERE window_start <= $1 - $2")
            .bind(now)
            .bind(window_ms)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }
}
