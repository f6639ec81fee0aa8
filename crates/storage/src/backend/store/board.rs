//! Problem board: sealing and privacy live in these WHERE clauses.

use crate::{AgreementId, CoupleId, OptionId, ProblemId, UserId};
use sqlx::Row;

use super::{DB, IS_PG, Store, newest_first};
use crate::direct::Cols;
use crate::records::*;
use crate::{StoreResult, decode_stored, map_unique};
use rekindle_domain::board::AgreementStatus;
use rekindle_domain::journey::Facts;

/// The board's journey facts for one space (counted from this pair's rows only).
/// The board's journey counts as columns (`board_problems`, `board_agreements`,
/// `board_followups`) for the couple in `couple` (an SQL expression).
pub(super) fn board_fact_columns(couple: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM board_problems WHERE couple_id = {couple} AND stage <> 'withdrawn') AS board_problems,
         (SELECT COUNT(*) FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
            WHERE p.couple_id = {couple} AND a.confirmed_at IS NOT NULL) AS board_agreements,
         (SELECT COUNT(*) FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
            WHERE p.couple_id = {couple} AND a.confirmed_at IS NOT NULL
              AND (SELECT COUNT(*) FROM board_followups f
                     JOIN memberships m ON m.user_id = f.user_id AND m.couple_id = {couple}
                   WHERE f.agreement_id = a.id) >= 2) AS board_followups"
    )
}

impl Store {
    /// Problems of the viewer's space, newest first; with `include_past`, also
    /// problems of earlier spaces the viewer proposed or contributed to (for the
    /// export). A title is returned only to the current pair and the proposer.
    pub async fn board_problems(
        &self,
        viewer: &Viewer,
        include_past: bool,
    ) -> StoreResult<Vec<BoardProblem>> {
        // The space's problems come from its index; earlier spaces' ones (only
        // with `include_past`) are a second part that skips the space's own.
        // One text with `$3 AND (…)` in an OR made both databases scan every
        // couple's problems, also for the home page, which wants the space's only.
        const COLS: &str = "p.id, p.couple_id, p.proposed_by,
                CASE WHEN p.couple_id = $2 OR p.proposed_by = $1 THEN p.title ELSE '' END AS title,
                p.stage, p.round, p.talk_requested_by, p.talk_requested_at, p.created_at, p.updated_at";
        let sql = if include_past {
            format!(
                "SELECT {COLS} FROM board_problems p WHERE p.couple_id = $2
                 UNION ALL
                 SELECT {COLS} FROM board_problems p
                 WHERE (p.couple_id = $2) IS NOT TRUE
                   AND (p.proposed_by = $1
                     OR EXISTS (SELECT 1 FROM board_options o WHERE o.problem_id = p.id AND o.author_id = $1)
                     OR EXISTS (SELECT 1 FROM board_ratings r JOIN board_options o ON o.id = r.option_id
                                WHERE o.problem_id = p.id AND r.user_id = $1)
                     OR EXISTS (SELECT 1 FROM board_followups f JOIN board_agreements a ON a.id = f.agreement_id
                                WHERE a.problem_id = p.id AND f.user_id = $1))"
            )
        } else {
            format!("SELECT {COLS} FROM board_problems p WHERE p.couple_id = $2")
        };
        let problems: Vec<BoardProblem> = read!(
            all BoardProblem,
            self,
            sql,
            [&viewer.user_id, viewer.couple_id.as_deref()]
        )?;
        Ok(newest_first(problems, 500, |p| {
            (p.created_at, p.id.as_str())
        }))
    }

    /// One problem of the viewer's current space.
    pub async fn board_problem(
        &self,
        viewer: &Viewer,
        id: &ProblemId,
    ) -> StoreResult<Option<BoardProblem>> {
        const SQL: &str = "SELECT p.id, p.couple_id, p.proposed_by, p.title, p.stage, p.round, \
             p.talk_requested_by, p.talk_requested_at, p.created_at, p.updated_at \
             FROM board_problems p WHERE p.id = $1 AND p.couple_id = $2";
        read!(
            optional BoardProblem,
            self,
            SQL,
            [id, viewer.couple_id.as_deref()]
        )
    }

    /// Puts a problem forward in the viewer's space, which must hold two partners.
    /// `Conflict` when another problem is still active (one at a time).
    pub async fn board_propose(&self, viewer: &Viewer, new: &NewProblem) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO board_problems (id, couple_id, proposed_by, title, stage, round, created_at, updated_at)
             SELECT $1, m.couple_id, m.user_id, $3, 'proposed', 1, $4, $4 FROM memberships m
             WHERE m.user_id = $2
               AND (SELECT COUNT(*) FROM memberships o WHERE o.couple_id = m.couple_id) = 2",
        )
        .bind(&new.id)
        .bind(&viewer.user_id)
        .bind(&new.title)
        .bind(new.created_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(done.rows_affected() == 1)
    }

    /// Moves a problem of the viewer's space from one stage (and round) to the
    /// next, only if it is still where the caller saw it. `talk` records the
    /// viewer as the one who asked to talk first.
    pub async fn board_move(&self, viewer: &Viewer, m: &BoardMove<'_>) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE board_problems SET stage = $1, round = $2, updated_at = $3,
                 talk_requested_by = CASE WHEN $4 THEN $5 ELSE talk_requested_by END,
                 talk_requested_at = CASE WHEN $4 THEN $3 ELSE talk_requested_at END
             WHERE id = $6 AND couple_id = $7 AND stage = $8 AND round = $9",
        )
        .bind(m.to_stage.as_str())
        .bind(m.to_round)
        .bind(m.now)
        .bind(m.talk)
        .bind(&viewer.user_id)
        .bind(m.id)
        .bind(viewer.couple_id.as_deref())
        .bind(m.from_stage.as_str())
        .bind(m.round)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(done.rows_affected() == 1)
    }

    /// Adds an idea (sealed, while brainstorming and before the viewer said done)
    /// or a compromise (open, while rating) to a problem of the viewer's space.
    pub async fn board_add_option(&self, viewer: &Viewer, new: &NewOption) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO board_options (id, problem_id, author_id, round, sealed, combined_from, body, created_at)
             SELECT $1, p.id, $3, p.round, $4, $5, $6, $7 FROM board_problems p
             WHERE p.id = $2 AND p.couple_id = $8 AND p.round = $9
               AND p.stage = CASE WHEN $4 THEN 'brainstorm' ELSE 'rating' END
               AND (NOT $4 OR NOT EXISTS (SELECT 1 FROM board_done d
                               WHERE d.problem_id = p.id AND d.user_id = $3 AND d.round = p.round))",
        )
        .bind(&new.id)
        .bind(&new.problem_id)
        .bind(&viewer.user_id)
        .bind(new.sealed)
        .bind(&new.combined_from)
        .bind(&new.body)
        .bind(new.created_at)
        .bind(viewer.couple_id.as_deref())
        .bind(new.round)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(done.rows_affected() == 1)
    }

    /// "I am done adding ideas" for this round (the viewer must have added one).
    /// When both current partners are done, the problem moves on to rating.
    pub async fn board_finish_brainstorm(
        &self,
        viewer: &Viewer,
        problem_id: &ProblemId,
        round: i64,
        now: i64,
    ) -> StoreResult<bool> {
        const LOCK: &str = "SELECT id FROM board_problems WHERE id = $1 FOR UPDATE";
        let mut tx = self.write.begin().await?;
        if IS_PG {
            sqlx::query(LOCK).bind(problem_id).execute(&mut *tx).await?;
        }
        let done = sqlx::query(
            "INSERT INTO board_done (problem_id, user_id, round, created_at)
             SELECT p.id, $2, p.round, $4 FROM board_problems p
             WHERE p.id = $1 AND p.couple_id = $3 AND p.stage = 'brainstorm' AND p.round = $5
               AND EXISTS (SELECT 1 FROM board_options o
                           WHERE o.problem_id = p.id AND o.author_id = $2 AND o.round = p.round)
             ON CONFLICT DO NOTHING",
        )
        .bind(problem_id)
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(now)
        .bind(round)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE board_problems SET stage = 'rating', updated_at = $3
             WHERE id = $1 AND stage = 'brainstorm' AND round = $2
               AND (SELECT COUNT(*) FROM board_done d
                      JOIN memberships m ON m.user_id = d.user_id AND m.couple_id = board_problems.couple_id
                    WHERE d.problem_id = $1 AND d.round = $2) >= 2",
        )
        .bind(problem_id)
        .bind(round)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The ideas the viewer may see on a problem: their own, and their current
    /// partner's in their current space once unsealed (a compromise, or an idea
    /// of a round both partners finished). A sealed idea cannot match.
    pub async fn board_options(
        &self,
        viewer: &Viewer,
        problem_id: &ProblemId,
    ) -> StoreResult<Vec<BoardOption>> {
        read!(
            all BoardOption,
            self,
            "SELECT o.id, o.problem_id, o.author_id, o.round, o.sealed, o.combined_from, o.body, o.created_at
             FROM board_options o JOIN board_problems p ON p.id = o.problem_id
             WHERE o.problem_id = $1
               AND (o.author_id = $2
                 OR (o.author_id = $4 AND p.couple_id = $3
                     AND (o.sealed = FALSE
                          OR (EXISTS (SELECT 1 FROM board_done d WHERE d.problem_id = o.problem_id
                                        AND d.round = o.round AND d.user_id = $2)
                              AND EXISTS (SELECT 1 FROM board_done d WHERE d.problem_id = o.problem_id
                                        AND d.round = o.round AND d.user_id = $4)))))
             ORDER BY o.created_at, o.id",
            [problem_id, &viewer.user_id, viewer.couple_id.as_deref(), viewer.partner_id.as_deref()]
        )
    }

    /// Who is done adding ideas in a round. The partner's flag is read only when
    /// the viewer is done too, so a partner still writing learns nothing.
    pub async fn board_done(
        &self,
        viewer: &Viewer,
        problem_id: &ProblemId,
        round: i64,
    ) -> StoreResult<BoardDone> {
        fn done_from(row: &impl Cols) -> StoreResult<BoardDone> {
            Ok(BoardDone {
                me: row.col::<i64>("me")? > 0,
                partner: row.col::<i64>("partner")? > 0,
            })
        }
        read!(
            row,
            self,
            "SELECT
               (SELECT COUNT(*) FROM board_done WHERE problem_id = $1 AND round = $2 AND user_id = $3) AS me,
               (SELECT COUNT(*) FROM board_done d JOIN board_problems p ON p.id = d.problem_id
                  WHERE d.problem_id = $1 AND d.round = $2 AND d.user_id = $4 AND p.couple_id = $5
                    AND EXISTS (SELECT 1 FROM board_done m WHERE m.problem_id = $1 AND m.round = $2
                                AND m.user_id = $3)) AS partner",
            [
                problem_id,
                round,
                &viewer.user_id,
                viewer.partner_id.as_deref(),
                viewer.couple_id.as_deref()
            ],
            done_from
        )
    }

    /// Records the viewer's ratings for this round, all at once or none: every
    /// option must belong to the problem, which must be rating in `round`.
    pub async fn board_rate(
        &self,
        viewer: &Viewer,
        problem_id: &ProblemId,
        round: i64,
        ratings: &[(OptionId, i64)],
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        for (option_id, rating) in ratings {
            let done = sqlx::query(
                "INSERT INTO board_ratings (option_id, user_id, round, rating, created_at)
                 SELECT o.id, $2, p.round, $3, $4 FROM board_options o JOIN board_problems p ON p.id = o.problem_id
                 WHERE o.id = $1 AND o.problem_id = $5 AND p.couple_id = $6 AND p.stage = 'rating' AND p.round = $7",
            )
            .bind(option_id)
            .bind(&viewer.user_id)
            .bind(rating)
            .bind(now)
            .bind(problem_id)
            .bind(viewer.couple_id.as_deref())
            .bind(round)
            .execute(&mut *tx)
            .await
            .map_err(map_unique)?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Ratings the viewer may see (of one round, or every round with `None`):
    /// their own, and their current partner's in their current space only for
    /// options the viewer has rated too in that round.
    pub async fn board_ratings(
        &self,
        viewer: &Viewer,
        problem_id: &ProblemId,
        round: Option<i64>,
    ) -> StoreResult<Vec<BoardRating>> {
        read!(
            all BoardRating,
            self,
            "SELECT r.option_id, r.user_id, r.round, r.rating, r.created_at
             FROM board_ratings r JOIN board_options o ON o.id = r.option_id
             JOIN board_problems p ON p.id = o.problem_id
             WHERE o.problem_id = $1 AND ($5 IS NULL OR r.round = $5)
               AND (r.user_id = $2
                 OR (r.user_id = $4 AND p.couple_id = $3
                     AND EXISTS (SELECT 1 FROM board_ratings m WHERE m.option_id = r.option_id
                                 AND m.round = r.round AND m.user_id = $2)))
             ORDER BY r.round, r.created_at, r.option_id",
            [
                problem_id,
                &viewer.user_id,
                viewer.couple_id.as_deref(),
                viewer.partner_id.as_deref(),
                round,
            ]
        )
    }

    /// Writes an agreement from an option both current partners rated this round;
    /// it waits for the other partner's yes. `Conflict` when one is already open.
    pub async fn board_propose_agreement(
        &self,
        viewer: &Viewer,
        new: &NewAgreement,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO board_agreements (id, problem_id, option_id, round, body, trial_days, proposed_by,
                 proposed_at, status)
             SELECT $1, p.id, o.id, p.round, $4, $5, $6, $7, 'draft'
             FROM board_problems p JOIN board_options o ON o.problem_id = p.id AND o.id = $3
             WHERE p.id = $2 AND p.couple_id = $8 AND p.stage = 'rating' AND p.round = $9
               AND (SELECT COUNT(*) FROM board_ratings r WHERE r.option_id = o.id AND r.round = p.round
                      AND (r.user_id = $6 OR r.user_id = $10)) = 2",
        )
        .bind(&new.id)
        .bind(&new.problem_id)
        .bind(&new.option_id)
        .bind(&new.body)
        .bind(new.trial_days)
        .bind(&viewer.user_id)
        .bind(new.proposed_at)
        .bind(viewer.couple_id.as_deref())
        .bind(new.round)
        .bind(viewer.partner_id.as_deref())
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(done.rows_affected() == 1)
    }

    /// The other partner's yes: the agreement becomes active, its follow-up date
    /// is set from the trial period, and the problem moves to `agreed`.
    pub async fn board_confirm_agreement(
        &self,
        viewer: &Viewer,
        problem_id: &ProblemId,
        now: i64,
    ) -> StoreResult<bool> {
        const LOCK: &str = "SELECT id FROM board_problems WHERE id = $1 FOR UPDATE";
        let mut tx = self.write.begin().await?;
        if IS_PG {
            sqlx::query(LOCK).bind(problem_id).execute(&mut *tx).await?;
        }
        let draft = sqlx::query(
            "SELECT a.id, a.trial_days FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE a.problem_id = $1 AND a.status = 'draft' AND a.proposed_by = $3
               AND p.couple_id = $2 AND p.stage = 'rating'",
        )
        .bind(problem_id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(draft) = draft else {
            return Ok(false);
        };
        let id: String = draft.try_get("id")?;
        let trial: i64 = draft.try_get("trial_days")?;
        let follow_up = rekindle_domain::board::follow_up_at(
            now,
            u32::try_from(trial).unwrap_or(rekindle_domain::board::TRIAL_DAYS_MAX),
        );
        sqlx::query(
            "UPDATE board_agreements SET status = 'active', confirmed_by = $2, confirmed_at = $3, follow_up_at = $4
             WHERE id = $1 AND status = 'draft'",
        )
        .bind(&id)
        .bind(&viewer.user_id)
        .bind(now)
        .bind(follow_up)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE board_problems SET stage = 'agreed', updated_at = $2 WHERE id = $1 AND stage = 'rating'")
            .bind(problem_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Takes back (the writer) or declines (the other partner) a written agreement.
    pub async fn board_withdraw_agreement(
        &self,
        viewer: &Viewer,
        problem_id: &ProblemId,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM board_agreements WHERE problem_id = $1 AND status = 'draft'
               AND EXISTS (SELECT 1 FROM board_problems p WHERE p.id = $1 AND p.couple_id = $2)",
        )
        .bind(problem_id)
        .bind(viewer.couple_id.as_deref())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Agreements on a problem, oldest first: in the viewer's current space, or
    /// (after a split, for their export) ones the viewer wrote or answered; the
    /// text only to its writer once the pair split.
    pub async fn board_agreements(
        &self,
        viewer: &Viewer,
        problem_id: &ProblemId,
    ) -> StoreResult<Vec<BoardAgreement>> {
        Ok(sqlx::query_as::<_, BoardAgreement>(
            "SELECT a.id, a.problem_id, a.option_id, a.round,
                    CASE WHEN p.couple_id = $2 OR a.proposed_by = $3 THEN a.body ELSE '' END AS body,
                    a.trial_days, a.proposed_by, a.proposed_at,
                    a.confirmed_by, a.confirmed_at, a.follow_up_at, a.status, a.decided_by, a.decided_at
             FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE a.problem_id = $1 AND (p.couple_id = $2 OR a.proposed_by = $3
                OR EXISTS (SELECT 1 FROM board_followups f WHERE f.agreement_id = a.id AND f.user_id = $3))
             ORDER BY a.proposed_at, a.id",
        )
        .bind(problem_id)
        .bind(viewer.couple_id.as_deref())
        .bind(&viewer.user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// The viewer's private follow-up answer, once the follow-up date has come.
    pub async fn board_answer_followup(
        &self,
        viewer: &Viewer,
        agreement_id: &AgreementId,
        worked: &str,
        note: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO board_followups (agreement_id, user_id, worked, note, created_at)
             SELECT a.id, $2, $3, $4, $5 FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE a.id = $1 AND a.status = 'active' AND a.follow_up_at <= $5
               AND p.couple_id = $6 AND p.stage = 'agreed'",
        )
        .bind(agreement_id)
        .bind(&viewer.user_id)
        .bind(worked)
        .bind(note)
        .bind(now)
        .bind(viewer.couple_id.as_deref())
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(done.rows_affected() == 1)
    }

    /// Follow-up answers the viewer may see: their own, and their current
    /// partner's in their current space only once the viewer answered too.
    pub async fn board_followups(
        &self,
        viewer: &Viewer,
        agreement_id: &AgreementId,
    ) -> StoreResult<Vec<BoardFollowUp>> {
        Ok(sqlx::query_as::<_, BoardFollowUp>(
            "SELECT f.agreement_id, f.user_id, f.worked, f.note, f.created_at
             FROM board_followups f JOIN board_agreements a ON a.id = f.agreement_id
             JOIN board_problems p ON p.id = a.problem_id
             WHERE f.agreement_id = $1
               AND (f.user_id = $2
                 OR (f.user_id = $4 AND p.couple_id = $3
                     AND EXISTS (SELECT 1 FROM board_followups m WHERE m.agreement_id = f.agreement_id
                                 AND m.user_id = $2)))
             ORDER BY f.created_at, f.user_id",
        )
        .bind(agreement_id)
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// Ends a follow-up once both current partners answered it: the agreement
    /// gets its outcome and the problem its next stage (a new round when adjusting).
    pub async fn board_decide(&self, viewer: &Viewer, d: &BoardDecision) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "SELECT a.problem_id FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE a.id = $1 AND a.status = 'active' AND p.couple_id = $2 AND p.stage = 'agreed'
               AND (SELECT COUNT(*) FROM board_followups f
                    WHERE f.agreement_id = a.id AND (f.user_id = $3 OR f.user_id = $4)) = 2",
        )
        .bind(&d.agreement_id)
        .bind(viewer.couple_id.as_deref())
        .bind(&viewer.user_id)
        .bind(viewer.partner_id.as_deref())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let problem_id: String = row.try_get("problem_id")?;
        let done = sqlx::query(
            "UPDATE board_agreements SET status = $2, decided_by = $3, decided_at = $4
             WHERE id = $1 AND status = 'active'",
        )
        .bind(&d.agreement_id)
        .bind(d.agreement_status.as_str())
        .bind(&viewer.user_id)
        .bind(d.at)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE board_problems SET stage = $2, round = round + $3, updated_at = $4
             WHERE id = $1 AND stage = 'agreed'",
        )
        .bind(&problem_id)
        .bind(d.next_stage.as_str())
        .bind(i64::from(d.new_round))
        .bind(d.at)
        .execute(&mut *tx)
        .await
        .map_err(map_unique)?;
        tx.commit().await?;
        Ok(true)
    }

    /// (id, follow-up time) of the couple's agreements still on trial.
    pub async fn board_follow_up_times(
        &self,
        couple_id: &CoupleId,
    ) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as::<_, (String, i64)>(
            "SELECT a.id, a.follow_up_at FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE p.couple_id = $1 AND a.status = 'active' AND a.follow_up_at IS NOT NULL
             ORDER BY a.follow_up_at, a.id",
        )
        .bind(couple_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    /// Whether `agreement_id` is an agreement both partners of `couple_id` agreed to
    /// (what an action may name as its source).
    pub async fn board_agreement_in(
        &self,
        couple_id: &CoupleId,
        agreement_id: &AgreementId,
    ) -> StoreResult<bool> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE a.id = $1 AND p.couple_id = $2 AND a.confirmed_at IS NOT NULL",
        )
        .bind(agreement_id)
        .bind(couple_id)
        .fetch_one(&mut *self.reader().await?)
        .await?
            > 0)
    }

    /// How the couple's decided agreements ended, oldest first.
    pub async fn board_outcomes(&self, couple_id: &CoupleId) -> StoreResult<Vec<AgreementStatus>> {
        let statuses = read!(
            scalars String,
            self,
            "SELECT a.status FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE p.couple_id = $1 AND a.decided_at IS NOT NULL
             ORDER BY a.decided_at, a.id",
            [couple_id]
        )?;
        statuses.into_iter().map(decode_stored).collect()
    }
}

/// Reads [`board_fact_columns`] into the journey facts.
pub(super) fn board_facts_from(row: &impl Cols, facts: &mut Facts) -> StoreResult<()> {
    let n = |v: i64| usize::try_from(v).unwrap_or(0);
    facts.board_problems = n(row.col("board_problems")?);
    facts.board_agreements = n(row.col("board_agreements")?);
    facts.board_followups_by_both = n(row.col("board_followups")?);
    Ok(())
}

/// On leaving: the pair's problems leave the space with them (as check-ins do);
/// each keeps their own ideas, ratings and answers.
pub(super) async fn board_leave_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    couple_id: &CoupleId,
) -> StoreResult<()> {
    sqlx::query("UPDATE board_problems SET couple_id = NULL WHERE couple_id = $1")
        .bind(couple_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// On erasure: what the person wrote into shared board rows goes (their own
/// ideas, ratings, done-flags and answers go through the foreign keys).
pub(super) async fn board_erase_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    user_id: &UserId,
) -> StoreResult<()> {
    sqlx::query("UPDATE board_problems SET title = '' WHERE proposed_by = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE board_agreements SET body = '' WHERE proposed_by = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
