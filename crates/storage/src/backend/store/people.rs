//! Accounts, sessions and API tokens.

use crate::direct::Cols;
use crate::{TokenId, UserId};
use sqlx::Row;

use super::Store;
use crate::records::*;
use crate::{StoreResult, map_unique};

impl Store {
    pub async fn create_user(&self, new: &NewUser) -> StoreResult<User> {
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, display_name, time_zone, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&new.id)
        .bind(&new.email)
        .bind(&new.password_hash)
        .bind(&new.display_name)
        .bind(&new.time_zone)
        .bind(new.created_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(User {
            id: new.id.clone(),
            email: new.email.clone(),
            display_name: new.display_name.clone(),
            time_zone: new.time_zone.clone(),
            created_at: new.created_at,
        })
    }

    pub async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        read!(
            optional User,
            self,
            "SELECT id, email, display_name, time_zone, created_at FROM users WHERE id = $1",
            [id]
        )
    }

    pub async fn credentials_by_email(&self, email: &str) -> StoreResult<Option<Credentials>> {
        Ok(
            sqlx::query_as::<_, Credentials>(
                "SELECT id, password_hash FROM users WHERE email = $1",
            )
            .bind(email)
            .fetch_optional(&mut *self.reader().await?)
            .await?,
        )
    }

    pub async fn password_hash(&self, user_id: &UserId) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *self.reader().await?)
                .await?,
        )
    }

    pub async fn update_profile(
        &self,
        user_id: &UserId,
        display_name: &str,
        time_zone: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE users SET display_name = $1, time_zone = $2 WHERE id = $3")
            .bind(display_name)
            .bind(time_zone)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Changes the password and signs out every other session of that person.
    /// Sets a new password, signs out every other session and removes every
    /// personal token.
    pub async fn set_password(
        &self,
        user_id: &UserId,
        hash: &str,
        keep_session: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        // A new password is the moment to cut off whoever knew the old one:
        // personal tokens go too (a token outlives the sessions otherwise).
        sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, device, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $4)",
        )
        .bind(&s.id_hash)
        .bind(&s.user_id)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(&s.device)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn session(&self, id_hash: &str, now: i64) -> StoreResult<Option<SessionUser>> {
        fn session_from(row: &impl Cols) -> StoreResult<(SessionUser, Option<i64>)> {
            let session = SessionUser {
                csrf_token: row.col("csrf_token")?,
                expires_at: row.col("expires_at")?,
                user: User {
                    id: row.col("id")?,
                    email: row.col("email")?,
                    display_name: row.col("display_name")?,
                    time_zone: row.col("time_zone")?,
                    created_at: row.col("created_at")?,
                },
            };
            Ok((session, row.col("last_seen_at")?))
        }
        let found = read!(
            row_optional,
            self,
            "SELECT s.csrf_token, s.expires_at, s.last_seen_at, u.id, u.email, u.display_name, u.time_zone, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2",
            [id_hash, now],
            session_from
        )?;
        let Some((session, last_seen)) = found else {
            return Ok(None);
        };
        // "Last used" for Your devices, refreshed at most every ten minutes so
        // reading pages does not turn into writes.
        if last_seen.is_none_or(|t| now - t > 600_000) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(now)
                .bind(id_hash)
                .execute(&self.write)
                .await?;
        }
        Ok(Some(session))
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The person's signed-in browsers, most recently used first.
    pub async fn sessions_of(&self, user_id: &UserId, now: i64) -> StoreResult<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT substr(id_hash, 1, 16) AS handle, device, created_at, last_seen_at
             FROM sessions WHERE user_id = $1 AND expires_at > $2
             ORDER BY COALESCE(last_seen_at, created_at) DESC, id_hash",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    handle: r.try_get("handle")?,
                    device: r.try_get("device")?,
                    created_at: r.try_get("created_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                })
            })
            .collect()
    }

    /// Signs out one of the person's browsers, named by its handle.
    pub async fn end_session(&self, user_id: &UserId, handle: &str) -> StoreResult<bool> {
        if handle.len() != 16 {
            return Ok(false);
        }
        let done =
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND substr(id_hash, 1, 16) = $2")
                .bind(user_id)
                .bind(handle)
                .execute(&self.write)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Signs out every browser of the person but the one asking.
    pub async fn end_other_sessions(&self, user_id: &UserId, keep_hash: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep_hash)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn delete_expired_sessions(&self, now: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn create_token(&self, t: &NewToken) -> StoreResult<ApiToken> {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t.id)
        .bind(&t.user_id)
        .bind(&t.name)
        .bind(&t.token_hash)
        .bind(t.created_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(ApiToken {
            id: t.id.clone(),
            name: t.name.clone(),
            created_at: t.created_at,
            last_used_at: None,
        })
    }

    pub async fn tokens(&self, user_id: &UserId) -> StoreResult<Vec<ApiToken>> {
        read!(
            all ApiToken,
            self,
            "SELECT id, name, created_at, last_used_at FROM api_tokens
             WHERE user_id = $1 ORDER BY created_at DESC, id",
            [user_id]
        )
    }

    pub async fn revoke_token(&self, user_id: &UserId, token_id: &TokenId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(token_id)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Resolves a token to its owner. `last_used_at` is refreshed at most every
    /// ten minutes so a busy API client does not turn every read into a write.
    pub async fn token_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<User>> {
        let row = sqlx::query(
            "SELECT t.last_used_at, u.id, u.email, u.display_name, u.time_zone, u.created_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_used: Option<i64> = row.try_get("last_used_at")?;
        if last_used.is_none_or(|t| now - t > 600_000) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.write)
                .await?;
        }
        Ok(Some(User {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            time_zone: row.try_get("time_zone")?,
            created_at: row.try_get("created_at")?,
        }))
    }
}
