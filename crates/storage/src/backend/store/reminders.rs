//! Reminder preferences and the outbox, claimed by one server at a time.

use super::Store;
use crate::StoreResult;
use crate::UserId;
use crate::records::*;

impl Store {
    pub async fn reminder_prefs(&self, user_id: &UserId) -> StoreResult<Option<ReminderPrefsRow>> {
        Ok(sqlx::query_as::<_, ReminderPrefsRow>(
            "SELECT user_id, kinds, minute_of_day, updated_at FROM reminder_prefs WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?)
    }

    pub async fn set_reminder_prefs(&self, p: &ReminderPrefsRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO reminder_prefs (user_id, kinds, minute_of_day, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id) DO UPDATE SET kinds = excluded.kinds,
                 minute_of_day = excluded.minute_of_day, updated_at = excluded.updated_at",
        )
        .bind(&p.user_id)
        .bind(&p.kinds)
        .bind(p.minute_of_day)
        .bind(p.updated_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Everyone who chose at least one kind of reminder.
    pub async fn reminder_subscribers(&self) -> StoreResult<Vec<ReminderSubscriber>> {
        Ok(sqlx::query_as::<_, ReminderSubscriber>(
            "SELECT r.user_id, u.time_zone, r.kinds, r.minute_of_day, m.couple_id
             FROM reminder_prefs r JOIN users u ON u.id = r.user_id
             LEFT JOIN memberships m ON m.user_id = r.user_id
             WHERE r.kinds <> ''
             ORDER BY r.user_id",
        )
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// Puts a reminder in the outbox unless its key is already there.
    pub async fn enqueue_reminder(&self, r: &NewReminder) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO reminder_outbox (id, dedupe_key, user_id, kind, local_date, due_at, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $6)
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(&r.id)
        .bind(&r.key)
        .bind(&r.user_id)
        .bind(&r.kind)
        .bind(&r.local_date)
        .bind(r.due_at)
        .bind(r.created_at)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Claims up to `limit` reminders that are due and not claimed by anyone
    /// else, for `lease_ms`. On PostgreSQL the rows are locked with `FOR UPDATE
    /// SKIP LOCKED`, so servers claiming at once get disjoint sets; SQLite has
    /// one writer, so its transaction is exclusive anyway.
    pub async fn claim_reminders(
        &self,
        claimer: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedReminder>> {
        self.claim_outbox(
            "reminder_outbox",
            None,
            claimer,
            now,
            lease_ms,
            limit,
            "SELECT o.id, o.user_id, u.email, o.kind, o.local_date, o.attempts
             FROM reminder_outbox o JOIN users u ON u.id = o.user_id WHERE o.id = $1",
        )
        .await
    }

    pub async fn reminder_sent(&self, id: &str, claimer: &str, now: i64) -> StoreResult<bool> {
        self.outbox_sent("reminder_outbox", id, claimer, now).await
    }

    /// A failed send: try again at `retry_at`, or give up when it is `None`.
    pub async fn reminder_failed(
        &self,
        id: &str,
        claimer: &str,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> StoreResult<bool> {
        self.outbox_failed("reminder_outbox", id, claimer, error, retry_at, now)
            .await
    }

    pub async fn reminder_outbox(&self, user_id: Option<&UserId>) -> StoreResult<Vec<OutboxEntry>> {
        Ok(sqlx::query_as::<_, OutboxEntry>(
            "SELECT id, dedupe_key, user_id, kind, local_date, attempts, next_attempt_at, sent_at,
                    gave_up_at, last_error
             FROM reminder_outbox WHERE ($1 IS NULL OR user_id = $1)
             ORDER BY created_at, id LIMIT 10000",
        )
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }
}
