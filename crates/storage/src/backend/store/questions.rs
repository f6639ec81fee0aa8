//! Question decks: the sealing rule lives in `visible_answers`.

use crate::{AnswerId, AskedQuestionId, CoupleId, UserId};

use super::{IS_PG, Store, newest_first};
use crate::direct::Cols;
use crate::records::*;
use crate::{StoreError, StoreResult, map_unique};

/// Which questions' answers to read.
#[derive(Clone, Copy)]
enum Among<'a> {
    All,
    One(&'a str),
    /// These asked questions, as a JSON array of ids.
    Ids(&'a str),
}

impl<'a> Among<'a> {
    /// What `$4` is bound to, if the text has one.
    fn param(self) -> Option<&'a str> {
        match self {
            Among::All => None,
            Among::One(p) | Among::Ids(p) => Some(p),
        }
    }
}

impl Store {
    pub async fn set_question_hour(&self, couple_id: &CoupleId, hour: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO question_settings (couple_id, release_hour) VALUES ($1, $2)
             ON CONFLICT (couple_id) DO UPDATE SET release_hour = excluded.release_hour",
        )
        .bind(couple_id)
        .bind(hour)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// One person's own deck choices (only decks they switched on or off).
    pub async fn deck_choices(&self, user_id: &UserId) -> StoreResult<Vec<(String, bool)>> {
        fn choice(r: &impl Cols) -> StoreResult<(String, bool)> {
            Ok((r.col("deck")?, r.col("enabled")?))
        }
        read!(
            rows,
            self,
            "SELECT deck, enabled FROM question_deck_choices WHERE user_id = $1 ORDER BY deck",
            [user_id],
            choice
        )
    }

    /// Switches a deck on or off for one person.
    pub async fn set_deck_choice(
        &self,
        user_id: &UserId,
        deck: &str,
        enabled: bool,
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO question_deck_choices (user_id, deck, enabled, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, deck) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(deck)
        .bind(enabled)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Every question asked of the couple, with whether both current partners answered it.
    pub async fn asked_questions(&self, couple_id: &CoupleId) -> StoreResult<Vec<(String, bool)>> {
        fn asked(r: &impl Cols) -> StoreResult<(String, bool)> {
            Ok((r.col("question_id")?, r.col::<i64>("answered")? >= 2))
        }
        read!(
            rows,
            self,
            "SELECT cq.question_id,
               (SELECT COUNT(*) FROM answers a JOIN memberships m ON m.user_id = a.user_id AND m.couple_id = $1
                 WHERE a.couple_question_id = cq.id AND a.skipped = FALSE) AS answered
             FROM couple_questions cq WHERE cq.couple_id = $1",
            [couple_id],
            asked
        )
    }

    /// The couple's release hour (if they chose one) and their latest release
    /// time (if any), in one read: what the questions page needs to know
    /// whether today's question is due.
    pub async fn release_state(
        &self,
        couple_id: &CoupleId,
    ) -> StoreResult<(Option<i64>, Option<i64>)> {
        fn state(r: &impl Cols) -> StoreResult<(Option<i64>, Option<i64>)> {
            Ok((r.col("hour")?, r.col("latest")?))
        }
        read!(
            row,
            self,
            "SELECT (SELECT release_hour FROM question_settings WHERE couple_id = $1) AS hour,
                    (SELECT MAX(released_at) FROM couple_questions WHERE couple_id = $1) AS latest",
            [couple_id],
            state
        )
    }

    /// Releases a question unless one was released at or after `unless_since`
    /// (pass `i64::MAX` to always release). Locked so two partners opening the
    /// page at once release one question, not two.
    pub async fn release_question(
        &self,
        couple_id: &CoupleId,
        asked: &AskedQuestion,
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
        let latest: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(released_at) FROM couple_questions WHERE couple_id = $1",
        )
        .bind(couple_id)
        .fetch_one(&mut *tx)
        .await?;
        if latest.is_some_and(|l| l >= unless_since) {
            return Ok(false);
        }
        let inserted = sqlx::query(
            "INSERT INTO couple_questions (id, couple_id, question_id, released_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&asked.id)
        .bind(couple_id)
        .bind(&asked.question_id)
        .bind(asked.released_at)
        .execute(&mut *tx)
        .await
        .map_err(map_unique);
        match inserted {
            Ok(_) => {
                tx.commit().await?;
                Ok(true)
            }
            Err(StoreError::Conflict) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every question the viewer may see, newest first: their space's, and the
    /// ones they answered in an earlier space.
    pub async fn questions_for(&self, viewer: &Viewer) -> StoreResult<Vec<AskedQuestion>> {
        // Two index-driven parts instead of `couple_id = $2 OR EXISTS (…)`,
        // which both databases answered by scanning every couple's questions.
        // The second part skips the space's own questions, so nothing comes
        // twice; the order is made here (`newest_first`).
        let asked: Vec<AskedQuestion> = read!(
            all AskedQuestion,
            self,
            "SELECT cq.id, cq.question_id, cq.released_at, cq.couple_id FROM couple_questions cq
             WHERE cq.couple_id = $2
             UNION ALL
             SELECT cq.id, cq.question_id, cq.released_at, cq.couple_id
             FROM answers a JOIN couple_questions cq ON cq.id = a.couple_question_id
             WHERE a.user_id = $1 AND (cq.couple_id = $2) IS NOT TRUE",
            [&viewer.user_id, viewer.couple_id.as_deref()]
        )?;
        Ok(newest_first(asked, 2000, |q| {
            (q.released_at, q.id.as_str())
        }))
    }

    /// The latest question asked in a space, and whether `user` has answered
    /// it (or passed), in one indexed read (the home page's card).
    pub async fn latest_question(
        &self,
        couple_id: &CoupleId,
        user_id: &UserId,
    ) -> StoreResult<Option<(AskedQuestion, bool)>> {
        fn latest(r: &impl Cols) -> StoreResult<(AskedQuestion, bool)> {
            let answered: i64 = r.col("answered")?;
            Ok((
                AskedQuestion {
                    id: r.col("id")?,
                    question_id: r.col("question_id")?,
                    released_at: r.col("released_at")?,
                    couple_id: r.col("couple_id")?,
                },
                answered == 1,
            ))
        }
        read!(
            row_optional,
            self,
            "SELECT cq.id, cq.question_id, cq.released_at, cq.couple_id,
                    CAST(CASE WHEN EXISTS (SELECT 1 FROM answers a
                        WHERE a.couple_question_id = cq.id AND a.user_id = $2) THEN 1 ELSE 0 END AS BIGINT) AS answered
             FROM couple_questions cq
             WHERE cq.couple_id = $1
             ORDER BY cq.released_at DESC, cq.id
             LIMIT 1",
            [couple_id, user_id],
            latest
        )
    }

    pub async fn question_for(
        &self,
        viewer: &Viewer,
        id: &AskedQuestionId,
    ) -> StoreResult<Option<AskedQuestion>> {
        read!(
            optional AskedQuestion,
            self,
            "SELECT cq.id, cq.question_id, cq.released_at, cq.couple_id FROM couple_questions cq
             WHERE cq.id = $3 AND (cq.couple_id = $2
                OR EXISTS (SELECT 1 FROM answers a WHERE a.couple_question_id = cq.id AND a.user_id = $1))",
            [&viewer.user_id, viewer.couple_id.as_deref(), id]
        )
    }

    /// The viewer's own answers, and their current partner's answers in their
    /// current space only where the viewer has answered too. A partner's row
    /// that is not yet revealed cannot match this query.
    pub async fn visible_answers(
        &self,
        viewer: &Viewer,
        only: Option<&str>,
    ) -> StoreResult<Vec<VisibleAnswer>> {
        match only {
            Some(id) => self.answers_where(viewer, Among::One(id)).await,
            None => self.answers_where(viewer, Among::All).await,
        }
    }

    /// As [`Store::visible_answers`], for the asked questions `ids` only: one
    /// page of the history, each found by its index.
    pub async fn visible_answers_of(
        &self,
        viewer: &Viewer,
        ids: &[&str],
    ) -> StoreResult<Vec<VisibleAnswer>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(ids)
            .map_err(|e| StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
        self.answers_where(viewer, Among::Ids(&ids)).await
    }

    async fn answers_where(
        &self,
        viewer: &Viewer,
        among: Among<'_>,
    ) -> StoreResult<Vec<VisibleAnswer>> {
        // One text per case rather than `($4 IS NULL OR a.couple_question_id = $4)`,
        // which neither database can answer from the index for one question.
        let both = "answers a JOIN couple_questions cq ON cq.id = a.couple_question_id";
        let (from, narrow) = match among {
            Among::All => (both.to_owned(), ""),
            Among::One(_) => (both.to_owned(), "a.couple_question_id = $4 AND"),
            // The page's ids (one JSON-array parameter, so the statement stays
            // one prepared text) lead the join: with `IN (…)` SQLite chose to
            // read all of the couple's answers by person and test each.
            Among::Ids(_) => {
                let page = if IS_PG {
                    "json_array_elements_text($4::json)"
                } else {
                    "json_each($4)"
                };
                (
                    format!("{page} AS page CROSS JOIN {both}"),
                    "a.couple_question_id = page.value AND",
                )
            }
        };
        let sql = format!(
            "SELECT a.id, a.couple_question_id, a.user_id, a.body, a.skipped, a.created_at
             FROM {from}
             WHERE {narrow} (a.user_id = $1
                 OR (a.user_id = $3 AND cq.couple_id = $2
                     AND EXISTS (SELECT 1 FROM answers m WHERE m.couple_question_id = a.couple_question_id
                                 AND m.user_id = $1 AND m.skipped = FALSE)))
             ORDER BY a.created_at, a.id"
        );
        if let Some(direct) = &self.direct {
            let (me, couple, partner) = (
                &viewer.user_id,
                viewer.couple_id.as_deref(),
                viewer.partner_id.as_deref(),
            );
            return match among.param() {
                None => direct.all(&sql, &[&me, &couple, &partner]),
                Some(p) => direct.all(&sql, &[&me, &couple, &partner, &p]),
            };
        }
        let query = sqlx::query_as::<_, VisibleAnswer>(sqlx::AssertSqlSafe(sql))
            .bind(&viewer.user_id)
            .bind(viewer.couple_id.as_deref())
            .bind(viewer.partner_id.as_deref());
        let query = match among.param() {
            None => query,
            Some(p) => query.bind(p),
        };
        Ok(query.fetch_all(&mut *self.reader().await?).await?)
    }

    /// Records the viewer's answer (or pass) to a question of their space. Once given, an answer stands.
    pub async fn answer(&self, viewer: &Viewer, user_answer: &NewAnswer) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO answers (id, couple_question_id, user_id, body, skipped, created_at)
             SELECT $1, cq.id, $3, $4, $5, $6 FROM couple_questions cq
             WHERE cq.id = $2 AND cq.couple_id = $7",
        )
        .bind(&user_answer.id)
        .bind(&user_answer.couple_question_id)
        .bind(&viewer.user_id)
        .bind(&user_answer.body)
        .bind(user_answer.skipped)
        .bind(user_answer.created_at)
        .bind(viewer.couple_id.as_deref())
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(done.rows_affected() == 1)
    }

    /// A reaction to the partner's answer, allowed only once both answers are open.
    pub async fn react(
        &self,
        viewer: &Viewer,
        answer_id: &AnswerId,
        kind: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO answer_reactions (answer_id, user_id, kind, created_at)
             SELECT a.id, $2, $3, $4 FROM answers a JOIN couple_questions cq ON cq.id = a.couple_question_id
             WHERE a.id = $1 AND a.user_id = $5 AND a.skipped = FALSE AND cq.couple_id = $6
               AND EXISTS (SELECT 1 FROM answers m WHERE m.couple_question_id = a.couple_question_id
                           AND m.user_id = $2 AND m.skipped = FALSE)
             ON CONFLICT DO NOTHING",
        )
        .bind(answer_id)
        .bind(&viewer.user_id)
        .bind(kind)
        .bind(now)
        .bind(viewer.partner_id.as_deref())
        .bind(viewer.couple_id.as_deref())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Reactions on answers the viewer can see, by the viewer or their partner.
    pub async fn reactions_for(
        &self,
        viewer: &Viewer,
        couple_question_id: &AskedQuestionId,
    ) -> StoreResult<Vec<Reaction>> {
        read!(
            all Reaction,
            self,
            "SELECT r.answer_id, r.user_id, r.kind FROM answer_reactions r
             JOIN answers a ON a.id = r.answer_id JOIN couple_questions cq ON cq.id = a.couple_question_id
             WHERE a.couple_question_id = $1 AND cq.couple_id = $2 AND (r.user_id = $3 OR r.user_id = $4)
             ORDER BY r.created_at",
            [
                couple_question_id,
                viewer.couple_id.as_deref(),
                &viewer.user_id,
                viewer.partner_id.as_deref(),
            ]
        )
    }

    /// A reply under a question, allowed only once both answers are open.
    pub async fn reply(&self, viewer: &Viewer, r: &Reply) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO question_replies (id, couple_question_id, user_id, body, created_at)
             SELECT $1, cq.id, $3, $4, $5 FROM couple_questions cq
             WHERE cq.id = $2 AND cq.couple_id = $6
               AND (SELECT COUNT(*) FROM answers a WHERE a.couple_question_id = cq.id AND a.skipped = FALSE
                    AND (a.user_id = $3 OR a.user_id = $7)) = 2",
        )
        .bind(&r.id)
        .bind(&r.couple_question_id)
        .bind(&viewer.user_id)
        .bind(&r.body)
        .bind(r.created_at)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn replies_for(
        &self,
        viewer: &Viewer,
        couple_question_id: &AskedQuestionId,
    ) -> StoreResult<Vec<Reply>> {
        read!(
            all Reply,
            self,
            "SELECT r.id, r.couple_question_id, r.user_id, r.body, r.created_at FROM question_replies r
             JOIN couple_questions cq ON cq.id = r.couple_question_id
             WHERE r.couple_question_id = $1
               AND (r.user_id = $3 OR (cq.couple_id = $2 AND r.user_id = $4))
             ORDER BY r.created_at, r.id",
            [
                couple_question_id,
                viewer.couple_id.as_deref(),
                &viewer.user_id,
                viewer.partner_id.as_deref(),
            ]
        )
    }
}
