//! The couple's space: joining by creation, leaving, erasure and pausing.

use crate::direct::Cols;
use crate::{CoupleId, UserId};

use super::board::{board_erase_in, board_leave_in};
use super::plan::{plan_erase_in, plan_leave_in};
use super::talks::talk_erase_in;
use super::{DB, IS_PG, Store};
use crate::records::*;
use crate::{StoreResult, map_unique};

impl Store {
    pub async fn space_of(&self, user_id: &UserId) -> StoreResult<Option<Space>> {
        let space = read!(
            row_optional,
            self,
            "SELECT m.couple_id, m.joined_at,
                    c.paused_by IS NOT NULL AS paused, COALESCE(c.paused_by = $1, FALSE) AS paused_by_me,
                    p.id AS p_id, p.email AS p_email, p.display_name AS p_name,
                    p.time_zone AS p_tz, p.created_at AS p_created
             FROM memberships m
             JOIN couples c ON c.id = m.couple_id
             LEFT JOIN memberships pm ON pm.couple_id = m.couple_id AND pm.user_id <> m.user_id
             LEFT JOIN users p ON p.id = pm.user_id
             WHERE m.user_id = $1",
            [user_id],
            space_from_row
        )?;
        Ok(space.flatten())
    }

    pub async fn create_space(
        &self,
        couple_id: &CoupleId,
        user_id: &UserId,
        now: i64,
    ) -> StoreResult<Space> {
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO couples (id, created_at) VALUES ($1, $2)")
            .bind(couple_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO memberships (user_id, couple_id, joined_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(couple_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_unique)?;
        tx.commit().await?;
        Ok(Space {
            couple_id: couple_id.to_owned(),
            joined_at: now,
            partner: None,
            paused: false,
            paused_by_me: false,
        })
    }

    /// Leaves the space. What each person authored stays theirs; invitations the
    /// leaver made die with their membership, and an empty space is removed.
    pub async fn leave_space(&self, user_id: &UserId, now: i64) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let left = leave_in(&mut tx, user_id, now).await?;
        tx.commit().await?;
        Ok(left)
    }

    /// Erases a person: leaves their space as above (the partner is told only
    /// that they left), then deletes the account; every row they own or
    /// authored goes with it through the foreign keys. No soft delete. What the
    /// other partner wrote stays with them (docs/privacy.md): shared rows the
    /// two hold together (a talk, a problem, an action one planned for the
    /// other) lose only the erased person's parts.
    pub async fn erase_user(&self, user_id: &UserId, now: i64) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        leave_in(&mut tx, user_id, now).await?;
        // Problem board
        board_erase_in(&mut tx, user_id).await?;
        // Talk room
        talk_erase_in(&mut tx, user_id).await?;
        // Action plan
        plan_erase_in(&mut tx, user_id).await?;
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if !IS_PG {
            // Freed pages were zeroed (secure_delete); fold the WAL back too so
            // no copy of the erased rows lingers on disk.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.write)
                .await?;
        }
        Ok(done.rows_affected() == 1)
    }

    pub async fn pause_space(&self, user_id: &UserId) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE couples SET paused_by = $1
             WHERE paused_by IS NULL AND id = (SELECT couple_id FROM memberships WHERE user_id = $1)",
        )
        .bind(user_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Only the person who paused can resume.
    pub async fn resume_space(&self, user_id: &UserId) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE couples SET paused_by = NULL WHERE paused_by = $1")
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() >= 1)
    }
}

/// Leaving, inside a caller's transaction (shared by leaving and erasure).
async fn leave_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    user_id: &UserId,
    now: i64,
) -> StoreResult<bool> {
    let couple: Option<CoupleId> =
        sqlx::query_scalar("SELECT couple_id FROM memberships WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(couple) = couple else {
        return Ok(false);
    };
    sqlx::query("DELETE FROM memberships WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    // What was shared in this space was shared with this pair only: it goes
    // back to private so a later partner never sees it.
    sqlx::query(
        "UPDATE journal_entries SET visibility = 'private', couple_id = NULL WHERE couple_id = $1",
    )
    .bind(&couple)
    .execute(&mut **tx)
    .await?;
    // Appreciations stay their author's; the partner's "keep" lapses with the space.
    sqlx::query("UPDATE appreciations SET couple_id = NULL, kept = FALSE WHERE couple_id = $1")
        .bind(&couple)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE couple_questions SET couple_id = NULL WHERE couple_id = $1")
        .bind(&couple)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE checkins SET couple_id = NULL WHERE couple_id = $1")
        .bind(&couple)
        .execute(&mut **tx)
        .await?;
    // Talk room: talks close to both (the log stays until deleted or erased);
    // the ground rules belonged to the pair.
    sqlx::query("UPDATE talks SET couple_id = NULL WHERE couple_id = $1")
        .bind(&couple)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM ground_rules WHERE couple_id = $1")
        .bind(&couple)
        .execute(&mut **tx)
        .await?;
    // Problem board
    board_leave_in(tx, &couple).await?;
    // Action plan
    plan_leave_in(tx, &couple).await?;
    // The counselor summary (and its links) belonged to the pair.
    sqlx::query("DELETE FROM handoffs WHERE couple_id = $1")
        .bind(&couple)
        .execute(&mut **tx)
        .await?;
    // The rhythm belonged to the pair; a later pair starts afresh.
    sqlx::query("DELETE FROM checkin_schedules WHERE couple_id = $1")
        .bind(&couple)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM invitations WHERE couple_id = $1 AND created_by = $2")
        .bind(&couple)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    // A pause belongs to the one who made it; it ends when they go.
    sqlx::query("UPDATE couples SET paused_by = NULL WHERE id = $1 AND paused_by = $2")
        .bind(&couple)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    // The partner who stays learns only that the other left.
    sqlx::query(
        "INSERT INTO notices (id, user_id, kind, created_at)
         SELECT $2 || user_id, user_id, 'partner_left', $3 FROM memberships WHERE couple_id = $1",
    )
    .bind(&couple)
    .bind(format!("left-{now}-"))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE couple_id = $1")
        .bind(&couple)
        .fetch_one(&mut **tx)
        .await?;
    if left == 0 {
        sqlx::query("DELETE FROM couples WHERE id = $1")
            .bind(&couple)
            .execute(&mut **tx)
            .await?;
    }
    Ok(true)
}

pub(super) fn space_from_row(row: &impl Cols) -> StoreResult<Option<Space>> {
    let Some(couple_id) = row.col::<Option<CoupleId>>("couple_id")? else {
        return Ok(None);
    };
    let partner = match row.col::<Option<UserId>>("p_id")? {
        Some(id) => Some(User {
            id,
            email: row.col("p_email")?,
            display_name: row.col("p_name")?,
            time_zone: row.col("p_tz")?,
            created_at: row.col("p_created")?,
        }),
        None => None,
    };
    Ok(Some(Space {
        couple_id,
        joined_at: row.col("joined_at")?,
        partner,
        paused: row.col::<Option<bool>>("paused")?.unwrap_or(false),
        paused_by_me: row.col::<Option<bool>>("paused_by_me")?.unwrap_or(false),
    }))
}
