//! Web Push: the server's VAPID key, devices, notification choices, and the
//! push and digest outboxes, claimed by one server at a time (as reminders are).

use super::Store;
use crate::records::*;
use crate::{CoupleId, StoreResult, UserId};

const TARGET_COLUMNS: &str = "u.id AS user_id, u.email, u.time_zone";

impl Store {
    /// The deployment's VAPID private key: `candidate` is kept if none was
    /// stored yet; whichever server inserted first wins, and all read that one.
    pub async fn vapid_private_key(&self, candidate: &str, now: i64) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO push_vapid (id, private_key, created_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(candidate)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(
            sqlx::query_scalar::<_, String>("SELECT private_key FROM push_vapid WHERE id = 1")
                .fetch_one(&self.write)
                .await?,
        )
    }

    /// Stores a device. An endpoint held before (by this person or another) is
    /// replaced, with its pending pushes: a browser's endpoint belongs to whoever
    /// subscribed it last.
    pub async fn add_push_subscription(&self, s: &NewPushSubscription) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
            .bind(&s.endpoint)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, name, session_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&s.id)
        .bind(&s.user_id)
        .bind(&s.endpoint)
        .bind(&s.p256dh)
        .bind(&s.auth)
        .bind(&s.name)
        .bind(&s.session_hash)
        .bind(s.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn push_subscriptions_of(
        &self,
        user_id: &UserId,
    ) -> StoreResult<Vec<PushSubscription>> {
        Ok(sqlx::query_as::<_, PushSubscription>(
            "SELECT id, user_id, endpoint, p256dh, auth, name, created_at, last_used_at
             FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// Removes one of this person's devices.
    pub async fn delete_push_subscription(&self, user_id: &UserId, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The push service said the subscription is gone (404/410).
    pub async fn forget_push_subscription(&self, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every device of this person (signing out everywhere).
    pub async fn delete_push_subscriptions_of(&self, user_id: &UserId) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn push_subscription_used(&self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE push_subscriptions SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn notify_prefs(&self, user_id: &UserId) -> StoreResult<Option<NotifyPrefsRow>> {
        Ok(sqlx::query_as::<_, NotifyPrefsRow>(
            "SELECT user_id, kinds, detail, quiet_start, quiet_end, digest, updated_at
             FROM notify_prefs WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?)
    }

    pub async fn set_notify_prefs(&self, p: &NotifyPrefsRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO notify_prefs (user_id, kinds, detail, quiet_start, quiet_end, digest, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (user_id) DO UPDATE SET kinds = excluded.kinds, detail = excluded.detail,
                 quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
                 digest = excluded.digest, updated_at = excluded.updated_at",
        )
        .bind(&p.user_id)
        .bind(&p.kinds)
        .bind(p.detail)
        .bind(p.quiet_start)
        .bind(p.quiet_end)
        .bind(&p.digest)
        .bind(p.updated_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Everyone with at least one push device.
    pub async fn push_targets(&self) -> StoreResult<Vec<NotifyTarget>> {
        let sql = format!(
            "SELECT {TARGET_COLUMNS} FROM users u
             WHERE EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.user_id = u.id)
             ORDER BY u.id"
        );
        Ok(sqlx::query_as::<_, NotifyTarget>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }

    /// The members of one space with at least one push device.
    pub async fn push_targets_in(&self, couple: &CoupleId) -> StoreResult<Vec<NotifyTarget>> {
        let sql = format!(
            "SELECT {TARGET_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.couple_id = $1
               AND EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.user_id = u.id)
             ORDER BY u.id"
        );
        Ok(sqlx::query_as::<_, NotifyTarget>(sqlx::AssertSqlSafe(sql))
            .bind(couple)
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }

    /// Everyone who asked for an email digest.
    pub async fn digest_targets(&self) -> StoreResult<Vec<NotifyTarget>> {
        let sql = format!(
            "SELECT {TARGET_COLUMNS} FROM notify_prefs p JOIN users u ON u.id = p.user_id
             WHERE p.digest <> 'off' ORDER BY u.id"
        );
        Ok(sqlx::query_as::<_, NotifyTarget>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }

    /// Puts one push (this device, this item) in the outbox unless it was
    /// there already: at most one push per item and device, ever.
    pub async fn enqueue_push(
        &self,
        id: &str,
        subscription_id: &str,
        user_id: &UserId,
        item_key: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO push_outbox (id, subscription_id, user_id, item_key, created_at, next_attempt_at)
             SELECT $1, s.id, $3, $4, $5, $5 FROM push_subscriptions s WHERE s.id = $2 AND s.user_id = $3
             ON CONFLICT (subscription_id, item_key) DO NOTHING",
        )
        .bind(id)
        .bind(subscription_id)
        .bind(user_id)
        .bind(item_key)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records an item as never to be pushed to this device (it was already
    /// waiting when the device subscribed).
    pub async fn skip_push(
        &self,
        id: &str,
        subscription_id: &str,
        user_id: &UserId,
        item_key: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO push_outbox (id, subscription_id, user_id, item_key, created_at, next_attempt_at,
                                      gave_up_at, last_error)
             VALUES ($1, $2, $3, $4, $5, $5, $5, 'waiting before this device subscribed')
             ON CONFLICT (subscription_id, item_key) DO NOTHING",
        )
        .bind(id)
        .bind(subscription_id)
        .bind(user_id)
        .bind(item_key)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Claims this person's due pushes for `lease_ms` (`FOR UPDATE SKIP LOCKED`
    /// on PostgreSQL: servers claiming at once get disjoint sets).
    pub async fn claim_pushes(
        &self,
        user_id: &UserId,
        claimer: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedPush>> {
        self.claim_outbox(
            "push_outbox",
            Some(user_id),
            claimer,
            now,
            lease_ms,
            limit,
            "SELECT o.id, o.subscription_id, o.item_key, s.endpoint, s.p256dh, s.auth, o.attempts
             FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id
             WHERE o.id = $1",
        )
        .await
    }

    pub async fn push_sent(&self, id: &str, claimer: &str, now: i64) -> StoreResult<bool> {
        self.outbox_sent("push_outbox", id, claimer, now).await
    }

    /// A push not sent: try again at `retry_at`, or never when it is `None`
    /// (gave up, or the item closed before it could be sent).
    pub async fn push_failed(
        &self,
        id: &str,
        claimer: &str,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> StoreResult<bool> {
        self.outbox_failed("push_outbox", id, claimer, error, retry_at, now)
            .await
    }

    pub async fn push_outbox(&self, user_id: Option<&UserId>) -> StoreResult<Vec<PushOutboxEntry>> {
        Ok(sqlx::query_as::<_, PushOutboxEntry>(
            "SELECT id, subscription_id, user_id, item_key, attempts, next_attempt_at, sent_at,
                    gave_up_at, last_error
             FROM push_outbox WHERE ($1 IS NULL OR user_id = $1)
             ORDER BY created_at, id LIMIT 10000",
        )
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// Puts a digest in the outbox unless its key (person and period) is there.
    pub async fn enqueue_digest(
        &self,
        id: &str,
        key: &str,
        user_id: &UserId,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO digest_outbox (id, dedupe_key, user_id, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(id)
        .bind(key)
        .bind(user_id)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn claim_digests(
        &self,
        claimer: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDigest>> {
        self.claim_outbox(
            "digest_outbox",
            None,
            claimer,
            now,
            lease_ms,
            limit,
            "SELECT o.id, o.user_id, u.email, o.attempts
             FROM digest_outbox o JOIN users u ON u.id = o.user_id WHERE o.id = $1",
        )
        .await
    }

    pub async fn digest_sent(&self, id: &str, claimer: &str, now: i64) -> StoreResult<bool> {
        self.outbox_sent("digest_outbox", id, claimer, now).await
    }

    pub async fn digest_failed(
        &self,
        id: &str,
        claimer: &str,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> StoreResult<bool> {
        self.outbox_failed("digest_outbox", id, claimer, error, retry_at, now)
            .await
    }
}
