//! The journey's facts, gathered from every tool's tables, and the home page's summary.

use std::sync::LazyLock;

use crate::direct::Cols;
use crate::{CoupleId, UserId};

use super::Store;
use super::board::{board_fact_columns, board_facts_from};
use super::space::space_from_row;
use super::talks::{talk_fact_columns, talk_facts_from};
use crate::StoreResult;
use crate::records::*;
use rekindle_domain::journey::Facts;

impl Store {
    /// What the home page needs about one person in one read: the space, the
    /// safety offer, the latest question and the check-in schedule. The
    /// journey's facts, which change far less often than the page is viewed,
    /// are [`Store::journey_facts`] (the page keeps them between changes).
    pub async fn home_summary(&self, user_id: &UserId) -> StoreResult<HomeSummary> {
        read!(row, self, HOME_SUMMARY, [user_id], home_summary_from)
    }

    pub async fn journey_facts(&self, couple_id: &CoupleId) -> StoreResult<Facts> {
        read!(
            row,
            self,
            JOURNEY_FACTS.as_str(),
            [couple_id],
            journey_facts_from
        )
    }
}

fn journey_facts_from(row: &impl Cols) -> StoreResult<Facts> {
    let mut facts = facts_from(
        row.col("partners")?,
        row.col("sharers")?,
        exchanged_from(row)?,
        row.col("checkins")?,
    );
    talk_facts_from(row, &mut facts)?;
    board_facts_from(row, &mut facts)?;
    Ok(facts)
}

/// Columns `d1`, `d2`, `d3`: whether both current partners of the couple in
/// `couple` (an SQL expression) answered a question of that depth. A question's
/// depth is in its id (`deck-depth-nn`, held by the decks' own test), so the
/// database answers without sending every question asked; `EXISTS` stops at
/// the first.
fn exchanged_columns(couple: &str) -> String {
    (1..=3)
        .map(|depth| {
            format!(
                "EXISTS (SELECT 1 FROM couple_questions cq
                   WHERE cq.couple_id = {couple} AND cq.question_id LIKE '%-{depth}-__'
                     AND (SELECT COUNT(*) FROM answers a
                            JOIN memberships am ON am.user_id = a.user_id AND am.couple_id = {couple}
                          WHERE a.couple_question_id = cq.id AND a.skipped = FALSE) >= 2) AS d{depth}"
            )
        })
        .collect::<Vec<_>>()
        .join(",\n")
}

const HOME_SUMMARY: &str = "SELECT m.couple_id, m.joined_at,
            c.paused_by IS NOT NULL AS paused, COALESCE(c.paused_by = $1, FALSE) AS paused_by_me,
            p.id AS p_id, p.email AS p_email, p.display_name AS p_name,
            p.time_zone AS p_tz, p.created_at AS p_created,
            (SELECT COUNT(*) FROM safety_screens WHERE user_id = u.id) AS screens,
            (SELECT postponed_until FROM safety_offers WHERE user_id = u.id) AS postponed_until,
            (SELECT COUNT(*) FROM notices WHERE user_id = u.id AND kind = 'partner_left') AS left_notices,
            cs.rhythm AS ck_rhythm, cs.weekday AS ck_weekday, cs.hour AS ck_hour, cs.anchor_at AS ck_anchor,
            lq.id AS lq_id, lq.question_id AS lq_question_id, lq.released_at AS lq_released_at,
            CAST(CASE WHEN EXISTS (SELECT 1 FROM answers a
                WHERE a.couple_question_id = lq.id AND a.user_id = u.id) THEN 1 ELSE 0 END AS BIGINT) AS lq_answered
     FROM users u
     LEFT JOIN memberships m ON m.user_id = u.id
     LEFT JOIN couples c ON c.id = m.couple_id
     LEFT JOIN checkin_schedules cs ON cs.couple_id = m.couple_id
     LEFT JOIN memberships pm ON pm.couple_id = m.couple_id AND pm.user_id <> m.user_id
     LEFT JOIN users p ON p.id = pm.user_id
     LEFT JOIN couple_questions lq ON lq.id = (SELECT cq.id FROM couple_questions cq
         WHERE cq.couple_id = m.couple_id ORDER BY cq.released_at DESC, cq.id LIMIT 1)
     WHERE u.id = $1";

static JOURNEY_FACTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT
           (SELECT COUNT(*) FROM memberships WHERE couple_id = $1) AS partners,
           (SELECT COUNT(DISTINCT j.owner_id) FROM journal_entries j
              JOIN memberships m ON m.user_id = j.owner_id AND m.couple_id = j.couple_id
              WHERE j.couple_id = $1 AND j.visibility = 'shared') AS sharers,
           (SELECT COUNT(*) FROM checkins WHERE couple_id = $1 AND completed_at IS NOT NULL) AS checkins,
           {},
           {},
           {}",
        exchanged_columns("$1"),
        talk_fact_columns("$1"),
        board_fact_columns("$1"),
    )
});

fn home_summary_from(row: &impl Cols) -> StoreResult<HomeSummary> {
    Ok(HomeSummary {
        space: space_from_row(row)?,
        safety_check_taken: row.col::<i64>("screens")? > 0,
        safety_offer_postponed_until: row.col("postponed_until")?,
        partner_left: row.col::<i64>("left_notices")? > 0,
        // The same question `latest_question` reads, so the page needs no read of its own.
        latest_question: match row.col::<Option<crate::AskedQuestionId>>("lq_id")? {
            Some(id) => Some((
                AskedQuestion {
                    id,
                    question_id: row.col("lq_question_id")?,
                    released_at: row.col("lq_released_at")?,
                    couple_id: row.col("couple_id")?,
                },
                row.col::<i64>("lq_answered")? == 1,
            )),
            None => None,
        },
        checkin_schedule: match row.col::<Option<String>>("ck_rhythm")? {
            Some(rhythm) => Some(CheckinSchedule {
                rhythm: crate::decode_stored(rhythm)?,
                weekday: row.col("ck_weekday")?,
                hour: row.col("ck_hour")?,
                anchor_at: row.col("ck_anchor")?,
            }),
            None => None,
        },
    })
}

/// Which depths have an exchange (`d1`..`d3`); a person without a space reads NULL.
fn exchanged_from(row: &impl Cols) -> StoreResult<[bool; 3]> {
    Ok([
        row.col::<Option<bool>>("d1")?.unwrap_or(false),
        row.col::<Option<bool>>("d2")?.unwrap_or(false),
        row.col::<Option<bool>>("d3")?.unwrap_or(false),
    ])
}

/// The journey's facts from counts and the depths at which both partners
/// answered a question.
fn facts_from(partners: i64, sharers: i64, exchanged: [bool; 3], checkins: i64) -> Facts {
    Facts {
        partners: usize::try_from(partners).unwrap_or(0),
        partners_who_shared_journal: usize::try_from(sharers).unwrap_or(0),
        exchanged_per_depth: exchanged.map(usize::from),
        completed_checkins: usize::try_from(checkins).unwrap_or(0),
        ..Facts::default()
    }
}
