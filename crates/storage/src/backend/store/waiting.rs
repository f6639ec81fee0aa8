//! "Waiting for you": one query that finds, across the tools, what the
//! partner did that now needs this person (see `rekindle_domain::waiting`).
//!
//! It starts from the person's membership, so nobody outside a complete,
//! unpaused space gets an item, and a partner who left names nothing. Each
//! branch is an indexed lookup by couple; the navigation's count runs the same
//! query, so the count and the list cannot disagree.

use crate::direct::Cols;
use rekindle_domain::appreciation::prompt_waiting;
use rekindle_domain::waiting::{FRESH_FOR_MS, Waiting, WaitingKind};

use super::Store;
use crate::UserId;
use crate::{StoreResult, decode_stored};

/// $1 the person, $2 now, $3 the oldest time a fresh item may have.
///
/// `me` is worked out once (`MATERIALIZED`): SQLite (3.51) otherwise copies its
/// three-table join into each of the fourteen branches, which made the count
/// twice as slow (about 100 µs against 45 µs with a year of content).
/// PostgreSQL already computes a CTE used more than once only once. Each
/// branch starts from it with `CROSS JOIN`, which tells SQLite to read `me`
/// (one row) first and then the couple's rows by index: left to choose, it
/// read every couple's rows of a table and looked each one up in `me`.
/// PostgreSQL orders a `CROSS JOIN` like any other join.
/// A branch's `NOT EXISTS` names the last table it joins (`tr.talk_id`, not
/// `t.id`): SQLite runs the look-up at the level of the table it names, so
/// naming the talk looked up what was seen for every talk of the couple, a
/// year of them, before finding the few with a shared reflection.
/// The talk branches say `phase <> 'ended'` as well, though their phase says
/// it already: SQLite uses the index of open talks (`talks_open`) only when a
/// query names that index's own condition.
const WAITING: &str = "
WITH me AS MATERIALIZED (
    SELECT m.couple_id AS couple, pm.user_id AS partner
    FROM memberships m
    JOIN couples c ON c.id = m.couple_id AND c.paused_by IS NULL
    JOIN memberships pm ON pm.couple_id = m.couple_id AND pm.user_id <> m.user_id
    WHERE m.user_id = $1
)
SELECT 'question' AS kind, cq.id AS record, '' AS occasion, cq.released_at AS since
FROM me CROSS JOIN couple_questions cq
WHERE cq.couple_id = me.couple
  AND cq.released_at >= $3
  AND EXISTS (SELECT 1 FROM answers a WHERE a.couple_question_id = cq.id AND a.user_id = me.partner)
  AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.couple_question_id = cq.id AND a.user_id = $1)
UNION ALL
SELECT 'problem_proposed', bp.id, '', bp.updated_at
FROM me CROSS JOIN board_problems bp
WHERE bp.couple_id = me.couple
  AND bp.stage = 'proposed' AND bp.proposed_by = me.partner
UNION ALL
SELECT 'ideas', bp.id, CAST(bp.round AS TEXT), bp.updated_at
FROM me CROSS JOIN board_problems bp
WHERE bp.couple_id = me.couple
  AND bp.stage = 'brainstorm'
  AND EXISTS (SELECT 1 FROM board_done d WHERE d.problem_id = bp.id AND d.round = bp.round AND d.user_id = me.partner)
  AND NOT EXISTS (SELECT 1 FROM board_done d WHERE d.problem_id = bp.id AND d.round = bp.round AND d.user_id = $1)
UNION ALL
SELECT 'ratings', bp.id, CAST(bp.round AS TEXT), bp.updated_at
FROM me CROSS JOIN board_problems bp
WHERE bp.couple_id = me.couple
  AND bp.stage = 'rating'
  AND EXISTS (
    SELECT 1 FROM board_options o
    JOIN board_ratings r ON r.option_id = o.id AND r.round = bp.round AND r.user_id = me.partner
    WHERE o.problem_id = bp.id
      AND NOT EXISTS (SELECT 1 FROM board_ratings mine
                      WHERE mine.option_id = o.id AND mine.round = bp.round AND mine.user_id = $1))
UNION ALL
SELECT 'agreement', bp.id, ag.id, ag.proposed_at
FROM me CROSS JOIN board_problems bp CROSS JOIN board_agreements ag
WHERE bp.couple_id = me.couple AND ag.problem_id = bp.id
  AND ag.status = 'draft' AND ag.proposed_by = me.partner
UNION ALL
SELECT 'follow_up', bp.id, ag.id, ag.follow_up_at
FROM me CROSS JOIN board_problems bp CROSS JOIN board_agreements ag
WHERE bp.couple_id = me.couple AND ag.problem_id = bp.id
  AND ag.status = 'active' AND ag.follow_up_at <= $2
  AND EXISTS (SELECT 1 FROM board_followups f WHERE f.agreement_id = ag.id AND f.user_id = me.partner)
  AND NOT EXISTS (SELECT 1 FROM board_followups f WHERE f.agreement_id = ag.id AND f.user_id = $1)
UNION ALL
SELECT 'action', pa.id, '', pa.created_at
FROM me CROSS JOIN plan_actions pa
WHERE pa.couple_id = me.couple
  AND pa.assignment = 'proposed' AND pa.created_by = me.partner
UNION ALL
SELECT 'talk_request', t.id, CAST(t.last_seq AS TEXT), t.updated_at
FROM me CROSS JOIN talks t
WHERE t.couple_id = me.couple
  AND t.phase = 'requested' AND t.phase <> 'ended'
  AND EXISTS (SELECT 1 FROM talk_events e WHERE e.talk_id = t.id AND e.seq = t.last_seq AND e.by_user = me.partner)
UNION ALL
SELECT 'talk_arrived', t.id, '', t.updated_at
FROM me CROSS JOIN talks t
WHERE t.couple_id = me.couple
  AND t.phase = 'arriving' AND t.phase <> 'ended'
  AND EXISTS (SELECT 1 FROM talk_events e WHERE e.kind = 'arrived' AND e.talk_id = t.id AND e.by_user = me.partner)
  AND NOT EXISTS (SELECT 1 FROM talk_events e WHERE e.kind = 'arrived' AND e.talk_id = t.id AND e.by_user = $1)
UNION ALL
SELECT 'checkin', ck.id, '', ck.opened_at
FROM me CROSS JOIN checkins ck
WHERE ck.couple_id = me.couple
  AND ck.completed_at IS NULL AND ck.opened_at <= $2 AND ck.closes_at > $2
  AND EXISTS (SELECT 1 FROM checkin_submissions s WHERE s.checkin_id = ck.id AND s.user_id = me.partner)
  AND NOT EXISTS (SELECT 1 FROM checkin_submissions s WHERE s.checkin_id = ck.id AND s.user_id = $1)
UNION ALL
SELECT 'shared_entry', je.id, '', je.updated_at
FROM me CROSS JOIN journal_entries je
WHERE je.couple_id = me.couple
  AND je.visibility = 'shared' AND je.owner_id = me.partner AND je.updated_at >= $3
  AND NOT EXISTS (SELECT 1 FROM seen_items s WHERE s.user_id = $1 AND s.item_key = 'shared_entry:' || je.id)
UNION ALL
SELECT 'shared_reflection', t.id, '', tr.updated_at
FROM me CROSS JOIN talks t CROSS JOIN talk_reflections tr
WHERE t.couple_id = me.couple AND tr.talk_id = t.id AND tr.user_id = me.partner
  AND tr.shared = TRUE AND tr.updated_at >= $3
  AND NOT EXISTS (SELECT 1 FROM seen_items s WHERE s.user_id = $1 AND s.item_key = 'shared_reflection:' || tr.talk_id)
UNION ALL
SELECT 'appreciation', ap.id, '', ap.sent_at
FROM me CROSS JOIN appreciations ap
WHERE ap.couple_id = me.couple
  AND ap.status = 'sent' AND ap.author_id = me.partner AND ap.sent_at >= $3
  AND NOT EXISTS (SELECT 1 FROM seen_items s WHERE s.user_id = $1 AND s.item_key = 'appreciation:' || ap.id)
UNION ALL
SELECT 'appreciation_prompt', u.time_zone,
  CAST(COALESCE((SELECT MAX(s.seen_at) FROM seen_items s
                 WHERE s.user_id = $1 AND s.item_key LIKE 'appreciation_prompt:%'), 0) AS TEXT),
  COALESCE((SELECT MAX(a.created_at) FROM appreciations a WHERE a.author_id = $1), 0)
FROM me CROSS JOIN appreciation_prompts p CROSS JOIN users u
WHERE p.user_id = $1 AND u.id = $1
";

impl Store {
    /// What waits for this person now, newest first.
    pub async fn waiting_for(&self, user_id: &UserId, now: i64) -> StoreResult<Vec<Waiting>> {
        fn waiting_from(row: &impl Cols) -> StoreResult<Waiting> {
            Ok(Waiting {
                kind: decode_stored::<WaitingKind>(row.col("kind")?)?,
                record: row.col("record")?,
                occasion: row.col("occasion")?,
                since: row.col("since")?,
            })
        }
        let fresh_from = now - FRESH_FOR_MS;
        // On PostgreSQL it runs the general plan, as every read does there
        // (`Repo::open_postgres`): planned for its parameters, as PostgreSQL
        // otherwise chose to on every run, its fourteen branches cost 4 ms.
        let rows = read!(
            rows,
            self,
            WAITING,
            [user_id, now, fresh_from],
            waiting_from
        )?;
        let mut items = Vec::with_capacity(rows.len());
        for w in rows {
            if w.kind == WaitingKind::AppreciationPrompt {
                // The branch found the person's time zone and when they last
                // wrote one or set the prompt aside; the day rule is the domain's.
                let set_aside: i64 = w.occasion.parse().unwrap_or(0);
                if let Some((day, since)) = prompt_waiting(&w.record, now, set_aside.max(w.since)) {
                    items.push(Waiting {
                        kind: w.kind,
                        record: day,
                        occasion: String::new(),
                        since,
                    });
                }
                continue;
            }
            items.push(w);
        }
        items.sort_by(|a, b| b.since.cmp(&a.since).then_with(|| a.key().cmp(&b.key())));
        Ok(items)
    }

    /// Remembers that this person opened something shared with them; false if
    /// it was already remembered.
    pub async fn mark_seen(&self, user_id: &UserId, item_key: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO seen_items (user_id, item_key, seen_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, item_key) DO NOTHING",
        )
        .bind(user_id)
        .bind(item_key)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
