//! Pending sign-ups waiting for their emailed link (see migration 0015).

use super::Store;
use crate::{SignupRequest, StoreResult};

impl Store {
    /// Keeps a pending sign-up, replacing an earlier one for the same address,
    /// and drops any that expired.
    pub async fn save_signup_request(&self, r: &SignupRequest, now: i64) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM signup_requests WHERE expires_at <= $1 OR email = $2")
            .bind(now)
            .bind(&r.email)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO signup_requests
                (token_hash, email, display_name, password_hash, time_zone, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&r.token_hash)
        .bind(&r.email)
        .bind(&r.display_name)
        .bind(&r.password_hash)
        .bind(&r.time_zone)
        .bind(r.created_at)
        .bind(r.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The pending sign-up for this link, if it has not expired; it is used up
    /// either way (a link works once).
    pub async fn take_signup_request(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<SignupRequest>> {
        let row = sqlx::query_as::<_, SignupRequest>(
            "DELETE FROM signup_requests WHERE token_hash = $1
             RETURNING token_hash, email, display_name, password_hash, time_zone, created_at, expires_at",
        )
        .bind(token_hash)
        .fetch_optional(&self.write)
        .await?;
        Ok(row.filter(|r| r.expires_at > now))
    }

    /// Whether a link is still good, without using it (the confirm page's GET).
    pub async fn signup_request_open(&self, token_hash: &str, now: i64) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM signup_requests WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_one(&mut *self.reader().await?)
        .await?;
        Ok(n > 0)
    }
}
