//! The flooding check (issue 19): private numbers, read only by their author.

use crate::{TalkId, UserId};

use super::Store;
use crate::StoreResult;
use crate::records::*;

impl Store {
    /// Records (or replaces) the author's check for one moment of a talk.
    pub async fn save_calm(
        &self,
        user_id: &UserId,
        talk_id: &TalkId,
        moment: &str,
        value: i64,
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO talk_calm (talk_id, user_id, moment, value, at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (talk_id, user_id, moment) DO UPDATE SET value = excluded.value, at = excluded.at",
        )
        .bind(talk_id)
        .bind(user_id)
        .bind(moment)
        .bind(value)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The author's own checks in one talk, oldest first. Nobody else's: the
    /// author's id is the only key.
    pub async fn calm_readings(
        &self,
        user_id: &UserId,
        talk_id: &TalkId,
    ) -> StoreResult<Vec<CalmReading>> {
        read!(
            all CalmReading,
            self,
            "SELECT talk_id, user_id, moment, value, at FROM talk_calm
             WHERE user_id = $1 AND talk_id = $2 ORDER BY at, moment",
            [user_id, talk_id]
        )
    }

    /// Every check the person gave, for their export.
    pub async fn calm_export(&self, user_id: &UserId) -> StoreResult<Vec<CalmReading>> {
        Ok(sqlx::query_as::<_, CalmReading>(
            "SELECT talk_id, user_id, moment, value, at FROM talk_calm
             WHERE user_id = $1 ORDER BY talk_id, at, moment",
        )
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// The person's threshold, if they chose one.
    pub async fn calm_threshold(&self, user_id: &UserId) -> StoreResult<Option<i64>> {
        Ok(read!(
            scalar_optional i64,
            self,
            "SELECT threshold FROM calm_thresholds WHERE user_id = $1",
            [user_id]
        )?)
    }

    pub async fn set_calm_threshold(
        &self,
        user_id: &UserId,
        threshold: i64,
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO calm_thresholds (user_id, threshold, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET threshold = excluded.threshold, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(threshold)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
