//! Action plan (step 6).

use super::{DB, Store, first_in_order};
use crate::records::*;
use crate::{ActionId, UserId};
use crate::{StoreResult, map_unique};

// Who sees an action: both partners of the space it was made in, and its
// creator always (after a split it stays with them as history, read-only, with
// only their own done marks: the former partner's go with the former partner).

/// The plan's order (by date, then creation, then id), at most 2,000 actions:
/// the earliest, as when the database ordered them before its `LIMIT`.
fn in_plan_order<T>(actions: Vec<T>, key: impl Fn(&T) -> (&str, i64, &str)) -> Vec<T> {
    first_in_order(actions, 2000, |x, y| key(x).cmp(&key(y)))
}

const ACTION_COLS: &str = "a.id, a.couple_id, a.created_by, a.owner_id, a.agreement_id, a.title, a.notes, \
     a.due_date, a.rrule, a.assignment, a.answered_at, a.created_at";

/// Leaving: the pair's actions leave the space with it; open proposals lapse.
pub(super) async fn plan_leave_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    couple: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE plan_actions SET assignment = 'declined'
         WHERE couple_id = $1 AND assignment = 'proposed'",
    )
    .bind(couple)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE plan_actions SET couple_id = NULL WHERE couple_id = $1")
        .bind(couple)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// On erasure: an action the other partner planned for the erased person stays
/// with the one who wrote it (it becomes theirs); actions the erased person
/// wrote go with them through the foreign key, with every mark made on them.
pub(super) async fn plan_erase_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    user_id: &UserId,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE plan_actions SET owner_id = created_by WHERE owner_id = $1 AND created_by <> $1",
    )
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether the viewer ($1, in the space $2) may see the mark `e` of the
/// action `a`: anyone in the action's space may, and its creator their own
/// marks of it from an earlier space. Written `(space OR creator) AND (space OR
/// own mark)`, the same rule as `space OR (creator AND own mark)`, so that its
/// first part, on the action alone, finds the actions by index and the marks
/// through them. Written the other way, PostgreSQL could not split it and read
/// every couple's marks (a sequential scan: 88 ms in an instance of 201
/// couples with a year each).
macro_rules! visible_mark {
    () => {
        "(a.couple_id = $2 OR a.created_by = $1) AND (a.couple_id = $2 OR e.user_id = $1)"
    };
}

/// A mark's columns (of `e`), as `PlanDoneEvent` reads them.
macro_rules! mark_cols {
    () => {
        "e.id, e.action_id, e.occurrence, e.user_id, e.done, e.at"
    };
}

/// Where the marks the viewer may see (`visible_mark`) come from: a `FROM …
/// WHERE` to follow a mark's columns.
macro_rules! visible_marks_from {
    () => {
        concat!(
            " FROM plan_done_events e JOIN plan_actions a ON a.id = e.action_id WHERE ",
            visible_mark!()
        )
    };
}

/// The marks the viewer may see, as `PlanDoneEvent`s.
macro_rules! seen_marks {
    () => {
        concat!("SELECT ", mark_cols!(), visible_marks_from!())
    };
}

impl Store {
    pub async fn create_action(&self, a: &PlanAction) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO plan_actions (id, couple_id, created_by, owner_id, agreement_id, title, notes,
                 due_date, rrule, assignment, answered_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&a.id)
        .bind(&a.couple_id)
        .bind(&a.created_by)
        .bind(&a.owner_id)
        .bind(&a.agreement_id)
        .bind(&a.title)
        .bind(&a.notes)
        .bind(&a.due_date)
        .bind(&a.rrule)
        .bind(a.assignment.as_str())
        .bind(a.answered_at)
        .bind(a.created_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(())
    }

    pub async fn actions_for(&self, viewer: &Viewer) -> StoreResult<Vec<PlanAction>> {
        // Ordered here, not by the database: SQLite's sorter cost about 30 µs for
        // a plan of 50 actions (it builds a record of every column per row), a
        // tenth of the plan page; sorting the rows read costs a few.
        let sql = format!(
            "SELECT {ACTION_COLS} FROM plan_actions a
             WHERE a.couple_id = $2 OR a.created_by = $1"
        );
        let actions: Vec<PlanAction> = read!(
            all PlanAction,
            self,
            sql,
            [&viewer.user_id, viewer.couple_id.as_deref()]
        )?;
        Ok(in_plan_order(actions, |a| {
            (&a.due_date, a.created_at, a.id.as_str())
        }))
    }

    /// The viewer's accepted actions (theirs or both's) in their space that may
    /// fall on `date` (YYYY-MM-DD) and are not done for it: one-off actions due
    /// that day and repeating ones begun by then, whose newest mark for the day
    /// (if any) is not "done", in the plan's order. The caller expands each rule
    /// for the day; this only keeps a year of past one-off actions from being
    /// read to find today's. (The day's marks were a second statement, read
    /// whenever something fell on the day: on PostgreSQL a statement's setup
    /// costs more than its look-ups here.)
    pub async fn actions_undone_on(
        &self,
        viewer: &Viewer,
        date: &str,
    ) -> StoreResult<Vec<DayAction>> {
        // Ordered here, as in `actions_for`: SQLite's sorter cost more than the read.
        // Done for the day: a "done" mark of the day with no later mark of the
        // day, ties in time broken by id, as `done_dates` reads marks in that
        // order. Every mark of an action in the viewer's space is one the viewer
        // may see (`visible_mark`). Written as `ORDER BY … LIMIT 1` for the newest
        // mark, SQLite walked each action's year of marks by time (229 µs against
        // 63 µs for this, with a year of daily marks); `l.at >= e.at` lets the
        // look for a later mark start at the mark's own time.
        let actions: Vec<DayAction> = read!(
            all DayAction,
            self,
            "SELECT a.id, a.title, a.due_date, a.rrule, a.created_at FROM plan_actions a
             WHERE a.couple_id = $2 AND a.assignment = 'accepted'
               AND (a.owner_id IS NULL OR a.owner_id = $1)
               AND ((a.rrule IS NULL AND a.due_date = $3) OR (a.rrule IS NOT NULL AND a.due_date <= $3))
               AND NOT EXISTS (
                 SELECT 1 FROM plan_done_events e
                 WHERE e.action_id = a.id AND e.occurrence = $3 AND e.done
                   AND NOT EXISTS (
                     SELECT 1 FROM plan_done_events l
                     WHERE l.action_id = a.id AND l.occurrence = $3 AND l.at >= e.at
                       AND (l.at > e.at OR l.id > e.id)))",
            [&viewer.user_id, viewer.couple_id.as_deref(), date]
        )?;
        Ok(in_plan_order(actions, |a| {
            (&a.due_date, a.created_at, a.id.as_str())
        }))
    }

    pub async fn action_for(
        &self,
        viewer: &Viewer,
        id: &ActionId,
    ) -> StoreResult<Option<PlanAction>> {
        let sql = format!(
            "SELECT {ACTION_COLS} FROM plan_actions a
             WHERE a.id = $3 AND (a.couple_id = $2 OR a.created_by = $1)"
        );
        read!(
            optional PlanAction,
            self,
            sql,
            [&viewer.user_id, viewer.couple_id.as_deref(), id]
        )
    }

    /// The partner it was proposed to accepts or declines, once.
    pub async fn answer_action(
        &self,
        viewer: &Viewer,
        id: &ActionId,
        accept: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE plan_actions SET assignment = $4, answered_at = $5
             WHERE id = $1 AND couple_id = $2 AND created_by <> $3 AND assignment = 'proposed'",
        )
        .bind(id)
        .bind(viewer.couple_id.as_deref())
        .bind(&viewer.user_id)
        .bind(if accept { "accepted" } else { "declined" })
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records done or undone for one occurrence of an accepted action of the
    /// viewer's current space (either partner may).
    pub async fn record_done(&self, viewer: &Viewer, e: &PlanDoneEvent) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO plan_done_events (id, action_id, occurrence, user_id, done, at)
             SELECT $1, a.id, $3, $4, $5, $6 FROM plan_actions a
             WHERE a.id = $2 AND a.couple_id = $7 AND a.assignment = 'accepted'",
        )
        .bind(&e.id)
        .bind(&e.action_id)
        .bind(&e.occurrence)
        .bind(&viewer.user_id)
        .bind(e.done)
        .bind(e.at)
        .bind(viewer.couple_id.as_deref())
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(done.rows_affected() == 1)
    }

    /// Done and undo events of the actions the viewer may see, oldest first.
    pub async fn done_events(
        &self,
        viewer: &Viewer,
        action_id: Option<&ActionId>,
    ) -> StoreResult<Vec<PlanDoneEvent>> {
        read!(
            all PlanDoneEvent,
            self,
            concat!(
                seen_marks!(),
                " AND ($3 IS NULL OR e.action_id = $3) ORDER BY e.at, e.id LIMIT 20000"
            ),
            [&viewer.user_id, viewer.couple_id.as_deref(), action_id]
        )
    }

    /// The marks the plan page needs, oldest first, of those the viewer may
    /// see: every mark of a one-off action, every mark of a day on or after
    /// `since` (YYYY-MM-DD), and the `newest` latest marks with the other marks
    /// of their days. A year of a daily plan holds thousands of marks; the page
    /// shows a week of days and fifty marks.
    ///
    /// The newest marks are looked for among those made at or after
    /// `made_from` (unix ms) only, so a busy plan's page orders a fortnight of
    /// marks rather than all of them. When at least `newest` of the marks
    /// returned were made then, those are the newest overall; when fewer were,
    /// older ones may be missing, and the caller asks again from the start
    /// (`i64::MIN`); see `rekindle_web::plan::plan_shown`.
    pub async fn done_events_shown(
        &self,
        viewer: &Viewer,
        since: &str,
        newest: i64,
        made_from: i64,
    ) -> StoreResult<Vec<PlanDoneEvent>> {
        read!(
            all PlanDoneEvent,
            self,
            // Two parts that share no mark, so nothing has to be sorted out
            // twice. The first walks the viewer's actions and, for each, a
            // range of the index by action and day: a one-off's every mark,
            // a repeating action's marks since `since`. The second adds the
            // days before `since` of the newest marks (a late tick for an old
            // day; rarely any). (Written as three parts joined by `UNION`, the
            // duplicates of the week's days had to be found and dropped:
            // about half the statement's time on SQLite. Written as one
            // condition with `OR … IN (newest)`, PostgreSQL ran the newest
            // marks' query again for every mark: 259 ms a page.)
            concat!(
                "SELECT ",
                mark_cols!(),
                // Every day reads as later than '': a one-off's range is all
                // of its marks. Both databases use the bound as the index's.
                " FROM plan_actions a CROSS JOIN plan_done_events e WHERE e.action_id = a.id
                  AND e.occurrence >= CASE WHEN a.rrule IS NULL THEN '' ELSE $3 END AND ",
                visible_mark!(),
                " UNION ALL SELECT ",
                mark_cols!(),
                // The newest marks' days only: an index holds these columns
                // (`plan_done_events_newest`), so ordering every mark by time
                // reads no rows. `CROSS JOIN` keeps SQLite starting from those
                // days; left to choose, it read every mark again to join them.
                // `DISTINCT`: a day ticked, undone and ticked again is among
                // the newest three times, and its marks are wanted once.
                " FROM (SELECT DISTINCT action_id, occurrence FROM (SELECT e.action_id, e.occurrence",
                visible_marks_from!(),
                // `$4 + 0`: a bare bound LIMIT is re-prepared on every view
                // (see `Store::open_talks_for`).
                " AND e.at >= $5 ORDER BY e.at DESC, e.id DESC LIMIT $4 + 0) top
                  WHERE occurrence < $3) newest
                CROSS JOIN plan_done_events e CROSS JOIN plan_actions a
                WHERE e.action_id = newest.action_id AND e.occurrence = newest.occurrence
                  AND a.id = e.action_id AND a.rrule IS NOT NULL AND ",
                visible_mark!(),
                " ORDER BY 6, 1 LIMIT 20000"
            ),
            [
                &viewer.user_id,
                viewer.couple_id.as_deref(),
                since,
                newest,
                made_from
            ]
        )
    }

    /// What a person created or owns, for their export.
    pub async fn own_actions(&self, user_id: &UserId) -> StoreResult<Vec<PlanAction>> {
        let sql = format!(
            "SELECT {ACTION_COLS} FROM plan_actions a
             WHERE a.created_by = $1 OR a.owner_id = $1
             ORDER BY a.created_at, a.id"
        );
        Ok(sqlx::query_as::<_, PlanAction>(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }

    pub async fn own_done_events(&self, user_id: &UserId) -> StoreResult<Vec<PlanDoneEvent>> {
        Ok(sqlx::query_as::<_, PlanDoneEvent>(
            "SELECT id, action_id, occurrence, user_id, done, at FROM plan_done_events
             WHERE user_id = $1 ORDER BY at, id",
        )
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }
}
