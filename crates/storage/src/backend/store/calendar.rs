//! The calendar feed: one secret link per person.

use crate::UserId;
use sqlx::Row;

use super::Store;
use crate::records::*;
use crate::{StoreResult, map_unique};

impl Store {
    pub async fn calendar_feed(&self, user_id: &UserId) -> StoreResult<Option<CalendarFeed>> {
        Ok(sqlx::query_as::<_, CalendarFeed>(
            "SELECT user_id, detailed, created_at FROM calendar_feeds WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?)
    }

    /// A new secret for the person's feed; the old link stops working.
    pub async fn set_calendar_feed(
        &self,
        user_id: &UserId,
        token_hash: &str,
        detailed: bool,
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, token_hash, detailed, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,
                 detailed = excluded.detailed, created_at = excluded.created_at",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(detailed)
        .bind(now)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(())
    }

    pub async fn set_calendar_detail(&self, user_id: &UserId, detailed: bool) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE calendar_feeds SET detailed = $2 WHERE user_id = $1")
            .bind(user_id)
            .bind(detailed)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn revoke_calendar_feed(&self, user_id: &UserId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn calendar_feed_user(&self, token_hash: &str) -> StoreResult<Option<(User, bool)>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.time_zone, u.created_at, f.detailed
             FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((
                User {
                    id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    display_name: row.try_get("display_name")?,
                    time_zone: row.try_get("time_zone")?,
                    created_at: row.try_get("created_at")?,
                },
                row.try_get("detailed")?,
            ))),
        }
    }
}
