//! Check-ins: sealing and private scores live in `visible_submissions`.

use crate::{CheckinId, CoupleId, UserId};
use sqlx::Row;

use super::{IS_PG, Store, newest_first};
use crate::records::*;
use crate::{StoreResult, map_unique};

impl Store {
    pub async fn checkin_schedule(
        &self,
        couple_id: &CoupleId,
    ) -> StoreResult<Option<CheckinSchedule>> {
        read!(
            optional CheckinSchedule,
            self,
            "SELECT rhythm, weekday, hour, anchor_at FROM checkin_schedules WHERE couple_id = $1",
            [couple_id]
        )
    }

    pub async fn set_checkin_schedule(
        &self,
        couple_id: &CoupleId,
        schedule: &CheckinSchedule,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO checkin_schedules (couple_id, rhythm, weekday, hour, anchor_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (couple_id) DO UPDATE SET rhythm = excluded.rhythm, weekday = excluded.weekday,
                 hour = excluded.hour, anchor_at = excluded.anchor_at",
        )
        .bind(couple_id)
        .bind(schedule.rhythm.as_str())
        .bind(schedule.weekday)
        .bind(schedule.hour)
        .bind(schedule.anchor_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Opens a check-in unless one is still open (neither completed nor closed at
    /// `new.opened_at`) or one was opened at or after `unless_since` (pass
    /// `i64::MAX` to check only the first). Locked so two partners arriving at
    /// once open one check-in, not two.
    pub async fn open_checkin(
        &self,
        couple_id: &CoupleId,
        new: &NewCheckin,
        unless_since: i64,
    ) -> StoreResult<bool> {
        const LOCK_COUPLE: &str = "SELECT id FROM couples WHERE id = $1 FOR UPDATE";
        let mut tx = self.write.begin().await?;
        if IS_PG {
            sqlx::query(LOCK_COUPLE)
                .bind(couple_id)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM checkins WHERE couple_id = $1 AND completed_at IS NULL AND closes_at > $2) AS open_count,
               (SELECT MAX(opened_at) FROM checkins WHERE couple_id = $1) AS latest",
        )
        .bind(couple_id)
        .bind(new.opened_at)
        .fetch_one(&mut *tx)
        .await?;
        let open: i64 = row.try_get("open_count")?;
        let latest: Option<i64> = row.try_get("latest")?;
        if open > 0 || latest.is_some_and(|l| l >= unless_since) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO checkins (id, couple_id, opened_at, closes_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&new.id)
        .bind(couple_id)
        .bind(new.opened_at)
        .bind(new.closes_at)
        .execute(&mut *tx)
        .await
        .map_err(map_unique)?;
        tx.commit().await?;
        Ok(true)
    }

    /// Check-ins of the viewer's space, and earlier ones the viewer submitted to, newest first.
    pub async fn checkins_for(&self, viewer: &Viewer) -> StoreResult<Vec<Checkin>> {
        // Two index-driven parts, as in `questions_for`: `couple_id = $2 OR
        // EXISTS (…)` made both databases scan every couple's check-ins. The
        // second part skips the space's own, so nothing comes twice; ordered here.
        let rows: Vec<CheckinRow> = read!(
            all CheckinRow,
            self,
            "SELECT c.id, c.opened_at, c.closes_at, c.completed_at, CAST(1 AS BIGINT) AS in_space
             FROM checkins c
             WHERE c.couple_id = $2
             UNION ALL
             SELECT c.id, c.opened_at, c.closes_at, c.completed_at, CAST(0 AS BIGINT) AS in_space
             FROM checkin_submissions s JOIN checkins c ON c.id = s.checkin_id
             WHERE s.user_id = $1 AND (c.couple_id = $2) IS NOT TRUE",
            [&viewer.user_id, viewer.couple_id.as_deref()]
        )?;
        Ok(newest_first(rows, 2000, |c| (c.opened_at, c.id.as_str()))
            .into_iter()
            .map(Checkin::from)
            .collect())
    }

    pub async fn checkin_for(
        &self,
        viewer: &Viewer,
        id: &CheckinId,
    ) -> StoreResult<Option<Checkin>> {
        let row = read!(
            optional CheckinRow,
            self,
            "SELECT c.id, c.opened_at, c.closes_at, c.completed_at,
                    CAST(CASE WHEN c.couple_id = $2 THEN 1 ELSE 0 END AS BIGINT) AS in_space
             FROM checkins c
             WHERE c.id = $3 AND (c.couple_id = $2
                OR EXISTS (SELECT 1 FROM checkin_submissions s WHERE s.checkin_id = c.id AND s.user_id = $1))",
            [&viewer.user_id, viewer.couple_id.as_deref(), id]
        )?;
        Ok(row.map(Checkin::from))
    }

    /// Records the viewer's submission to an open check-in of their space; the
    /// second submission completes the check-in. Once given, a submission stands.
    pub async fn submit_checkin(&self, viewer: &Viewer, s: &NewSubmission) -> StoreResult<bool> {
        const LOCK_CHECKIN: &str = "SELECT id FROM checkins WHERE id = $1 FOR UPDATE";
        let mut tx = self.write.begin().await?;
        if IS_PG {
            sqlx::query(LOCK_CHECKIN)
                .bind(&s.checkin_id)
                .execute(&mut *tx)
                .await?;
        }
        let sc = &s.scores;
        let done = sqlx::query(
            "INSERT INTO checkin_submissions (id, checkin_id, user_id, csi1, csi2, csi3, csi4,
                 tech1, tech2, tech3, tech4, hours_together, hours_device_free,
                 appreciation, went_well, topic, scores_private, created_at)
             SELECT $1, c.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18
             FROM checkins c
             WHERE c.id = $2 AND c.couple_id = $19 AND c.completed_at IS NULL AND c.closes_at > $18",
        )
        .bind(&s.id)
        .bind(&s.checkin_id)
        .bind(&viewer.user_id)
        .bind(i64::from(sc.csi[0]))
        .bind(i64::from(sc.csi[1]))
        .bind(i64::from(sc.csi[2]))
        .bind(i64::from(sc.csi[3]))
        .bind(i64::from(sc.tech[0]))
        .bind(i64::from(sc.tech[1]))
        .bind(i64::from(sc.tech[2]))
        .bind(i64::from(sc.tech[3]))
        .bind(i64::from(sc.hours_together))
        .bind(i64::from(sc.hours_device_free))
        .bind(&s.appreciation)
        .bind(&s.went_well)
        .bind(&s.topic)
        .bind(s.scores_private)
        .bind(s.created_at)
        .bind(viewer.couple_id.as_deref())
        .execute(&mut *tx)
        .await
        .map_err(map_unique)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE checkins SET completed_at = $2
             WHERE id = $1 AND completed_at IS NULL
               AND (SELECT COUNT(*) FROM checkin_submissions WHERE checkin_id = $1) >= 2",
        )
        .bind(&s.checkin_id)
        .bind(s.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The viewer's own submissions, and their current partner's submissions in
    /// their current space only where the viewer has submitted too. A partner's
    /// row that is not yet revealed cannot match this query, and a partner's
    /// private numbers come back as NULL: they never leave the database.
    pub async fn visible_submissions(
        &self,
        viewer: &Viewer,
        only: Option<&str>,
    ) -> StoreResult<Vec<VisibleSubmission>> {
        read!(
            all VisibleSubmission,
            self,
            "SELECT s.id, s.checkin_id, s.user_id,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.csi1 END AS csi1,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.csi2 END AS csi2,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.csi3 END AS csi3,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.csi4 END AS csi4,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.tech1 END AS tech1,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.tech2 END AS tech2,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.tech3 END AS tech3,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.tech4 END AS tech4,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.hours_together END AS hours_together,
                    CASE WHEN s.user_id = $1 OR s.scores_private = FALSE THEN s.hours_device_free END AS hours_device_free,
                    s.appreciation, s.went_well, s.topic, s.scores_private, s.created_at
             FROM checkin_submissions s JOIN checkins c ON c.id = s.checkin_id
             WHERE ($4 IS NULL OR s.checkin_id = $4)
               AND (s.user_id = $1
                 OR (s.user_id = $3 AND c.couple_id = $2
                     AND EXISTS (SELECT 1 FROM checkin_submissions m
                                 WHERE m.checkin_id = s.checkin_id AND m.user_id = $1)))
             ORDER BY s.created_at, s.id",
            [&viewer.user_id, viewer.couple_id.as_deref(), viewer.partner_id.as_deref(), only]
        )
    }

    /// Everything one person submitted, for their own export.
    pub async fn own_submissions(&self, user_id: &UserId) -> StoreResult<Vec<VisibleSubmission>> {
        Ok(sqlx::query_as::<_, VisibleSubmission>(
            "SELECT s.id, s.checkin_id, s.user_id, s.csi1, s.csi2, s.csi3, s.csi4, s.tech1, s.tech2, s.tech3, s.tech4,
                    s.hours_together, s.hours_device_free, s.appreciation, s.went_well, s.topic, s.scores_private,
                    s.created_at
             FROM checkin_submissions s WHERE s.user_id = $1
             ORDER BY s.created_at, s.id",
        )
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// The viewer's answer to the closing question, allowed only once both
    /// current partners have submitted. Answering again replaces it.
    pub async fn set_loved(
        &self,
        viewer: &Viewer,
        checkin_id: &CheckinId,
        body: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO checkin_loved (checkin_id, user_id, body, created_at)
             SELECT c.id, $2, $3, $4 FROM checkins c
             WHERE c.id = $1 AND c.couple_id = $5
               AND (SELECT COUNT(*) FROM checkin_submissions s
                    WHERE s.checkin_id = c.id AND (s.user_id = $2 OR s.user_id = $6)) = 2
             ON CONFLICT (checkin_id, user_id) DO UPDATE SET body = excluded.body, created_at = excluded.created_at",
        )
        .bind(checkin_id)
        .bind(&viewer.user_id)
        .bind(body)
        .bind(now)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The closing answers the viewer may see: their own, and their current
    /// partner's in their current space (which exist only once both submitted).
    pub async fn loved_for(
        &self,
        viewer: &Viewer,
        checkin_id: &CheckinId,
    ) -> StoreResult<Vec<LovedAnswer>> {
        read!(
            all LovedAnswer,
            self,
            "SELECT l.checkin_id, l.user_id, l.body, l.created_at FROM checkin_loved l
             JOIN checkins c ON c.id = l.checkin_id
             WHERE l.checkin_id = $1 AND (l.user_id = $2 OR (c.couple_id = $3 AND l.user_id = $4))
             ORDER BY l.created_at, l.user_id",
            [checkin_id, &viewer.user_id, viewer.couple_id.as_deref(), viewer.partner_id.as_deref()]
        )
    }
}
