//! The private safety check, its postponed offer and the notices: every query is keyed by the person.

use super::Store;
use crate::StoreResult;
use crate::UserId;
use crate::records::*;

impl Store {
    pub async fn save_screen(&self, s: &NewScreen) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO safety_screens (id, user_id, hurt, insult, threaten, scream, total, positive, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&s.id)
        .bind(&s.user_id)
        .bind(s.answers[0])
        .bind(s.answers[1])
        .bind(s.answers[2])
        .bind(s.answers[3])
        .bind(s.total)
        .bind(s.positive)
        .bind(s.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM safety_offers WHERE user_id = $1")
            .bind(&s.user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn screens_of(&self, user_id: &UserId) -> StoreResult<Vec<Screen>> {
        Ok(sqlx::query_as::<_, Screen>(
            "SELECT id, hurt, insult, threaten, scream, total, positive, created_at FROM safety_screens
             WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    pub async fn postpone_offer(&self, user_id: &UserId, until: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO safety_offers (user_id, postponed_until) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET postponed_until = excluded.postponed_until",
        )
        .bind(user_id)
        .bind(until)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn offer_postponed_until(&self, user_id: &UserId) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT postponed_until FROM safety_offers WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?)
    }

    pub async fn notices_for(&self, user_id: &UserId) -> StoreResult<Vec<Notice>> {
        Ok(sqlx::query_as::<_, Notice>(
            "SELECT id, kind, created_at FROM notices WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    pub async fn dismiss_notices(&self, user_id: &UserId) -> StoreResult<()> {
        sqlx::query("DELETE FROM notices WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
