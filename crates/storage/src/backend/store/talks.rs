//! Talk room.

use crate::{CoupleId, TalkId, UserId};

use super::{DB, IS_PG, Store};
use crate::direct::Cols;
use crate::records::*;
use crate::{StoreError, StoreResult, map_unique};
use rekindle_domain::journey::Facts;

// A talk opens only to its two partners while they share the space it was held
// in (`couple_id` matches the viewer's and the viewer took part).

const TALK_COLS: &str = "t.id, t.couple_id, t.requested_by, t.partner_id, t.topic, t.phase, t.scheduled_at, \
                         t.began_at, t.last_seq, t.created_at, t.updated_at";

impl Store {
    pub async fn ground_rules(&self, couple_id: &CoupleId) -> StoreResult<Option<GroundRules>> {
        fn rules_from(row: &impl Cols) -> StoreResult<GroundRules> {
            Ok(GroundRules {
                version: row.col("version")?,
                body: row.col("body")?,
                min_time_out: row.col("min_time_out")?,
                created_by: row.col("created_by")?,
                created_at: row.col("created_at")?,
                accepted_by: Vec::new(),
            })
        }
        let Some(mut rules) = read!(
            row_optional,
            self,
            "SELECT version, body, min_time_out, created_by, created_at FROM ground_rules
             WHERE couple_id = $1 ORDER BY version DESC LIMIT 1",
            [couple_id],
            rules_from
        )?
        else {
            return Ok(None);
        };
        rules.accepted_by = read!(
            scalars UserId,
            self,
            "SELECT a.user_id FROM ground_rule_acceptances a
             JOIN memberships m ON m.user_id = a.user_id AND m.couple_id = a.couple_id
             WHERE a.couple_id = $1 AND a.version = $2 ORDER BY a.accepted_at",
            [couple_id, rules.version]
        )?;
        Ok(Some(rules))
    }

    /// Stores a new version (the editor accepts it by writing it); returns its number.
    pub async fn set_ground_rules(
        &self,
        couple_id: &CoupleId,
        user_id: &UserId,
        body: &str,
        min_time_out: i64,
        now: i64,
    ) -> StoreResult<i64> {
        let mut tx = self.write.begin().await?;
        if IS_PG {
            sqlx::query("SELECT id FROM couples WHERE id = $1 FOR UPDATE")
                .bind(couple_id)
                .execute(&mut *tx)
                .await?;
        }
        let version: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM ground_rules WHERE couple_id = $1",
        )
        .bind(couple_id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ground_rules (couple_id, version, body, min_time_out, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(couple_id)
        .bind(version)
        .bind(body)
        .bind(min_time_out)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_unique)?;
        sqlx::query(
            "INSERT INTO ground_rule_acceptances (couple_id, version, user_id, accepted_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(couple_id)
        .bind(version)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Accepts `version` only while it is the current one.
    pub async fn accept_ground_rules(
        &self,
        couple_id: &CoupleId,
        user_id: &UserId,
        version: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO ground_rule_acceptances (couple_id, version, user_id, accepted_at)
             SELECT $1, $2, $3, $4
             WHERE $2 = (SELECT MAX(version) FROM ground_rules WHERE couple_id = $1)
               AND EXISTS (SELECT 1 FROM memberships WHERE user_id = $3 AND couple_id = $1)
             ON CONFLICT (couple_id, version, user_id) DO NOTHING",
        )
        .bind(couple_id)
        .bind(version)
        .bind(user_id)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn create_talk(&self, talk: &NewTalk, first: &NewTalkEvent) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO talks (id, couple_id, requested_by, partner_id, topic, phase, last_seq, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'requested', 1, $6, $6)",
        )
        .bind(&talk.id)
        .bind(&talk.couple_id)
        .bind(&talk.requested_by)
        .bind(&talk.partner_id)
        .bind(&talk.topic)
        .bind(talk.created_at)
        .execute(&mut *tx)
        .await
        .map_err(map_unique)?;
        insert_talk_event(&mut tx, &talk.id, 1, first).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn talk_for(&self, viewer: &Viewer, id: &TalkId) -> StoreResult<Option<TalkRow>> {
        let sql = format!(
            "SELECT {TALK_COLS} FROM talks t
             WHERE t.id = $1 AND t.couple_id = $2 AND (t.requested_by = $3 OR t.partner_id = $3)"
        );
        read!(
            optional TalkRow,
            self,
            sql,
            [id, viewer.couple_id.as_deref(), &viewer.user_id]
        )
    }

    pub async fn talks_for(&self, viewer: &Viewer) -> StoreResult<Vec<TalkRow>> {
        let sql = format!(
            "SELECT {TALK_COLS} FROM talks t
             WHERE t.couple_id = $1 AND (t.requested_by = $2 OR t.partner_id = $2)
             ORDER BY t.created_at DESC, t.id LIMIT 500"
        );
        read!(
            all TalkRow,
            self,
            sql,
            [viewer.couple_id.as_deref(), &viewer.user_id]
        )
    }

    /// The first `limit` talks not yet ended, the soonest planned first and
    /// unplanned ones last (newest first among equals): the home page's list.
    pub async fn open_talks_for(&self, viewer: &Viewer, limit: i64) -> StoreResult<Vec<TalkRow>> {
        // `$3 + 0`, not `$3`: SQLite's planner reads a bare bound LIMIT and then
        // re-prepares the statement (parse and plan again) every time a value is
        // bound, on every home page view. An expression it does not peek at keeps
        // the prepared statement; the LIMIT itself works the same on both databases.
        let sql = format!(
            "SELECT {TALK_COLS} FROM talks t
             WHERE t.couple_id = $1 AND (t.requested_by = $2 OR t.partner_id = $2) AND t.phase <> 'ended'
             ORDER BY t.scheduled_at IS NULL, t.scheduled_at, t.created_at DESC, t.id LIMIT $3 + 0"
        );
        read!(
            all TalkRow,
            self,
            sql,
            [viewer.couple_id.as_deref(), &viewer.user_id, limit]
        )
    }

    /// The log after `after`, in order. Callers check access with `talk_for` first.
    pub async fn talk_events(
        &self,
        talk_id: &TalkId,
        after: i64,
    ) -> StoreResult<Vec<TalkEventRow>> {
        read!(
            all TalkEventRow,
            self,
            "SELECT talk_id, seq, at, by_user, kind, body FROM talk_events
             WHERE talk_id = $1 AND seq > $2 ORDER BY seq LIMIT 10000",
            [talk_id, after]
        )
    }

    /// Appends events numbered from `after_seq + 1`, only if the log still ends at
    /// `after_seq` and the talk still belongs to `couple_id` (it was not deleted
    /// and nobody left): `false` means someone else appended first or the talk
    /// closed, so the caller reads it again before deciding.
    pub async fn append_talk_events(
        &self,
        talk_id: &TalkId,
        couple_id: &CoupleId,
        after_seq: i64,
        events: &[NewTalkEvent],
        summary: &TalkSummary,
    ) -> StoreResult<bool> {
        let Ok(n) = i64::try_from(events.len()) else {
            return Ok(false);
        };
        let last = events.last().map_or(0, |e| e.at);
        let mut tx = self.write.begin().await?;
        let moved = sqlx::query(
            "UPDATE talks SET last_seq = $3, phase = $4, scheduled_at = $5, began_at = $6, updated_at = $7
             WHERE id = $1 AND last_seq = $2 AND couple_id = $8",
        )
        .bind(talk_id)
        .bind(after_seq)
        .bind(after_seq + n)
        .bind(summary.phase.as_str())
        .bind(summary.scheduled_at)
        .bind(summary.began_at)
        .bind(last)
        .bind(couple_id)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Ok(false);
        }
        for (i, e) in (1..).zip(events) {
            match insert_talk_event(&mut tx, talk_id, after_seq + i, e).await {
                Ok(()) => {}
                Err(StoreError::Conflict) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes a talk for both partners, with its log and reflections.
    pub async fn delete_talk(&self, viewer: &Viewer, id: &TalkId) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM talks WHERE id = $1 AND couple_id = $2 AND (requested_by = $3 OR partner_id = $3)",
        )
        .bind(id)
        .bind(viewer.couple_id.as_deref())
        .bind(&viewer.user_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Writes (or rewrites) the viewer's own reflection on a talk they can see.
    pub async fn save_reflection(&self, viewer: &Viewer, r: &Reflection) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO talk_reflections (talk_id, user_id, understood, feel_now, shared, created_at, updated_at)
             SELECT t.id, $2, $3, $4, $5, $6, $7 FROM talks t
             WHERE t.id = $1 AND t.couple_id = $8 AND (t.requested_by = $2 OR t.partner_id = $2)
             ON CONFLICT (talk_id, user_id) DO UPDATE SET understood = excluded.understood,
                feel_now = excluded.feel_now, shared = excluded.shared, updated_at = excluded.updated_at",
        )
        .bind(&r.talk_id)
        .bind(&viewer.user_id)
        .bind(&r.understood)
        .bind(&r.feel_now)
        .bind(r.shared)
        .bind(r.created_at)
        .bind(r.updated_at)
        .bind(viewer.couple_id.as_deref())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_reflection_shared(
        &self,
        viewer: &Viewer,
        talk_id: &TalkId,
        shared: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE talk_reflections SET shared = $3, updated_at = $4
             WHERE talk_id = $1 AND user_id = $2
               AND EXISTS (SELECT 1 FROM talks t WHERE t.id = $1 AND t.couple_id = $5)",
        )
        .bind(talk_id)
        .bind(&viewer.user_id)
        .bind(shared)
        .bind(now)
        .bind(viewer.couple_id.as_deref())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The viewer's own reflection, and the partner's only once shared.
    pub async fn reflections_for(
        &self,
        viewer: &Viewer,
        talk_id: &TalkId,
    ) -> StoreResult<Vec<Reflection>> {
        read!(
            all Reflection,
            self,
            "SELECT r.talk_id, r.user_id, r.understood, r.feel_now, r.shared, r.created_at, r.updated_at
             FROM talk_reflections r JOIN talks t ON t.id = r.talk_id
             WHERE r.talk_id = $1 AND t.couple_id = $2 AND (t.requested_by = $3 OR t.partner_id = $3)
               AND (r.user_id = $3 OR r.shared = TRUE)
             ORDER BY r.created_at, r.user_id",
            [talk_id, viewer.couple_id.as_deref(), &viewer.user_id]
        )
    }

    /// Talks from a space that ended (a partner left or erased their account)
    /// that this person took part in, newest first. Each keeps only their own
    /// parts: see [`Store::past_talk_parts`].
    pub async fn past_talks_for(&self, user_id: &UserId) -> StoreResult<Vec<TalkRow>> {
        // The topic is the words of the one who asked for the talk.
        read!(
            all TalkRow,
            self,
            "SELECT t.id, t.couple_id, t.requested_by, t.partner_id,
                    CASE WHEN t.requested_by = $1 THEN t.topic ELSE '' END AS topic,
                    t.phase, t.scheduled_at, t.began_at, t.last_seq, t.created_at, t.updated_at
             FROM talks t
             WHERE t.couple_id IS NULL AND (t.requested_by = $1 OR t.partner_id = $1)
             ORDER BY t.created_at DESC, t.id LIMIT 500",
            [user_id]
        )
    }

    /// Removes one person's parts of a talk from a space that ended: their
    /// events, their reflection, a topic they wrote and their id in what
    /// remains. The talk itself goes when nobody else keeps parts of it (the
    /// other partner erased their account, or forgot it before). False when the
    /// person keeps no such talk.
    pub async fn forget_past_talk(&self, user_id: &UserId, talk_id: &TalkId) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let lock = if IS_PG { " FOR UPDATE" } else { "" };
        let row: Option<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT requested_by, partner_id FROM talks
             WHERE id = $1 AND couple_id IS NULL AND (requested_by = $2 OR partner_id = $2){lock}"
        )))
        .bind(talk_id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((requested_by, partner_id)) = row else {
            return Ok(false);
        };
        if requested_by == partner_id {
            // Nobody else keeps anything of it.
            sqlx::query("DELETE FROM talks WHERE id = $1")
                .bind(talk_id)
                .execute(&mut *tx)
                .await?;
        } else {
            for q in [
                "DELETE FROM talk_events WHERE talk_id = $1 AND by_user = $2",
                "DELETE FROM talk_reflections WHERE talk_id = $1 AND user_id = $2",
                // Their flooding checks of this talk go with it (issue 19).
                "DELETE FROM talk_calm WHERE talk_id = $1 AND user_id = $2",
                // And their notes (issue 19).
                "DELETE FROM talk_notes WHERE talk_id = $1 AND author_id = $2",
                "UPDATE talks SET topic = '', requested_by = partner_id WHERE id = $1 AND requested_by = $2",
                "UPDATE talks SET partner_id = requested_by WHERE id = $1 AND partner_id = $2",
            ] {
                sqlx::query(q)
                    .bind(talk_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "UPDATE talk_events SET body = REPLACE(body, $2, '\"\"'),
                        mark = CASE WHEN mark = $3 THEN NULL ELSE mark END
                 WHERE talk_id = $1",
            )
            .bind(talk_id)
            .bind(format!("\"{user_id}\""))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// What one person keeps of a talk from a space that ended: the events they
    /// made and the reflection they wrote, never the other partner's.
    pub async fn past_talk_parts(
        &self,
        user_id: &UserId,
        talk_id: &TalkId,
    ) -> StoreResult<(Vec<TalkEventRow>, Vec<Reflection>)> {
        let events = sqlx::query_as::<_, TalkEventRow>(
            "SELECT e.talk_id, e.seq, e.at, e.by_user, e.kind, e.body FROM talk_events e
             JOIN talks t ON t.id = e.talk_id
             WHERE e.talk_id = $1 AND e.by_user = $2 AND t.couple_id IS NULL
               AND (t.requested_by = $2 OR t.partner_id = $2)
             ORDER BY e.seq LIMIT 10000",
        )
        .bind(talk_id)
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        let reflections = sqlx::query_as::<_, Reflection>(
            "SELECT r.talk_id, r.user_id, r.understood, r.feel_now, r.shared, r.created_at, r.updated_at
             FROM talk_reflections r JOIN talks t ON t.id = r.talk_id
             WHERE r.talk_id = $1 AND r.user_id = $2 AND t.couple_id IS NULL",
        )
        .bind(talk_id)
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok((events, reflections))
    }

    /// For the export, exactly what the person may open: the talks of their
    /// current space with their logs and the reflections they may read (their
    /// own, and their partner's shared ones); and the talks of a space that
    /// ended with only their own events and reflection.
    pub async fn talk_export(
        &self,
        user_id: &UserId,
    ) -> StoreResult<(Vec<TalkRow>, Vec<TalkEventRow>, Vec<Reflection>)> {
        let space = self.space_of(user_id).await?;
        let viewer = Viewer::new(user_id, space.as_ref());
        let mut talks = self.talks_for(&viewer).await?;
        let mut events = Vec::new();
        let mut reflections = Vec::new();
        for t in &talks {
            events.extend(self.talk_events(&t.id, 0).await?);
            reflections.extend(self.reflections_for(&viewer, &t.id).await?);
        }
        let past = self.past_talks_for(user_id).await?;
        for t in &past {
            let (e, r) = self.past_talk_parts(user_id, &t.id).await?;
            events.extend(e);
            reflections.extend(r);
        }
        talks.extend(past);
        Ok((talks, events, reflections))
    }

    /// PostgreSQL: tells every server listening that a talk changed (no-op on SQLite).
    pub async fn notify_talk(&self, payload: &str) -> StoreResult<()> {
        if IS_PG {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(crate::TALK_CHANNEL)
                .bind(payload)
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }
}

/// The journey's talk facts as columns (`accepted`, `pledged`, `heard`, `soft`)
/// for the couple in `couple` (an SQL expression), current partners only. A talk
/// counts as held as `journey::talk_counts_as_held` says: once it began, and,
/// held aloud (the request's `mode`; a topic's quotes are escaped in the JSON,
/// so only the field matches), once a turn was confirmed.
pub(super) fn talk_fact_columns(couple: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM ground_rule_acceptances a
            JOIN memberships m ON m.user_id = a.user_id AND m.couple_id = a.couple_id
            WHERE a.couple_id = {couple}
              AND a.version = (SELECT MAX(version) FROM ground_rules WHERE couple_id = {couple})) AS accepted,
         (SELECT COUNT(*) FROM talks t WHERE t.couple_id = {couple} AND t.began_at IS NOT NULL
            AND (NOT EXISTS (SELECT 1 FROM talk_events r
                             WHERE r.talk_id = t.id AND r.kind = 'requested'
                               AND (r.body LIKE '%\"mode\":\"one_phone\"%'
                                    OR r.body LIKE '%\"mode\":\"two_phones\"%'))
                 OR EXISTS (SELECT 1 FROM talk_events c
                            WHERE c.talk_id = t.id AND c.kind = 'confirmed'))) AS pledged,
         (SELECT COUNT(DISTINCT e.mark) FROM talk_events e
            JOIN talks t ON t.id = e.talk_id
            JOIN memberships m ON m.user_id = e.mark AND m.couple_id = t.couple_id
            WHERE t.couple_id = {couple} AND e.kind = 'confirmed') AS heard,
         (SELECT COUNT(DISTINCT e.by_user) FROM talk_events e
            JOIN talks t ON t.id = e.talk_id
            JOIN memberships m ON m.user_id = e.by_user AND m.couple_id = t.couple_id
            WHERE t.couple_id = {couple} AND e.kind = 'statement'
              AND NOT EXISTS (SELECT 1 FROM talk_events h
                              WHERE h.talk_id = e.talk_id AND h.by_user = e.by_user
                                AND h.kind = 'statement' AND h.mark = 'harsh')) AS soft"
    )
}

/// Reads [`talk_fact_columns`] into the journey's facts.
pub(super) fn talk_facts_from(row: &impl Cols, facts: &mut Facts) -> StoreResult<()> {
    let count = |name: &str| -> StoreResult<usize> {
        Ok(usize::try_from(row.col::<i64>(name)?).unwrap_or(0))
    };
    facts.ground_rules_agreed = count("accepted")? >= 2;
    facts.pledged_talks = count("pledged")?;
    facts.partners_heard = count("heard")?;
    facts.partners_spoke_softly = count("soft")?;
    Ok(())
}

async fn insert_talk_event(
    tx: &mut sqlx::Transaction<'static, DB>,
    talk_id: &str,
    seq: i64,
    e: &NewTalkEvent,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO talk_events (talk_id, seq, at, by_user, kind, body, mark) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(talk_id)
    .bind(seq)
    .bind(e.at)
    .bind(&e.by_user)
    .bind(&e.kind)
    .bind(&e.body)
    .bind(e.mark.as_deref())
    .execute(&mut **tx)
    .await
    .map_err(map_unique)?;
    Ok(())
}

/// On erasure, before the account goes: a talk stays with the partner who took
/// part, with the erased person's parts removed. Their events and (through the
/// foreign key) reflections go; a topic they wrote is cleared; their id is
/// scrubbed from what remains of the log; and the talk's participant columns
/// both name the partner who stays (a talk whose two columns are equal is one
/// whose other partner erased their account).
pub(super) async fn talk_erase_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    user_id: &UserId,
) -> StoreResult<()> {
    const MINE: &str =
        "talk_id IN (SELECT id FROM talks WHERE requested_by = $1 OR partner_id = $1)";
    // The flooding check and the notes are the author's alone (the user row's
    // cascade would take them too; said here so the rule is read where it is kept).
    for sql in [
        "DELETE FROM talk_calm WHERE user_id = $1",
        "DELETE FROM talk_notes WHERE author_id = $1",
        "DELETE FROM calm_thresholds WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut **tx).await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM talk_events WHERE by_user = $1 AND {MINE}"
    )))
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE talk_events SET body = REPLACE(body, $2, '\"\"'),
                mark = CASE WHEN mark = $1 THEN NULL ELSE mark END
         WHERE {MINE}"
    )))
    .bind(user_id)
    // The id as a JSON string value (`"with"`, `"listener"`, `"to"`, `"floor"`).
    .bind(format!("\"{user_id}\""))
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE talks SET topic = '', requested_by = partner_id WHERE requested_by = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE talks SET partner_id = requested_by WHERE partner_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
