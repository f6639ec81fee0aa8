use sqlx::{Pool, Row};

use super::{DB, IS_PG};
use crate::records::*;
use crate::talk_records::*; // Talk room
use crate::{PoolStats, StoreError, StoreResult, map_unique};
use rekindle_domain::invitation::{InvitationState, JoinAttempt, JoinRefusal, check_join};
use rekindle_domain::journey::Facts;

#[derive(Clone)]
pub struct Store {
    read: Pool<DB>,
    write: Pool<DB>,
}

impl Store {
    pub fn new(read: Pool<DB>, write: Pool<DB>) -> Self {
        Store { read, write }
    }

    pub fn pool_stats(&self) -> PoolStats {
        let opts = self.read.options();
        PoolStats {
            size: self.read.size(),
            idle: self.read.num_idle() as u32,
            max: opts.get_max_connections(),
        }
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// Every text value in one table, concatenated: lets tests search the whole
    /// database for strings that must be gone (erasure) or must not be stored.
    pub async fn debug_dump_table(&self, table: &str) -> StoreResult<String> {
        if table.is_empty() || !table.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(StoreError::Db(sqlx::Error::Protocol(format!(
                "not a table name: {table}"
            ))));
        }
        let sql = format!("SELECT * FROM {table}");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.read)
            .await?;
        let mut out = String::new();
        for row in rows {
            for i in 0..row.len() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    out.push_str(&text);
                    out.push('\n');
                }
            }
        }
        Ok(out)
    }

    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    // ---- people -------------------------------------------------------------

    pub async fn create_user(&self, new: &NewUser) -> StoreResult<User> {
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, display_name, time_zone, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&new.id)
        .bind(&new.email)
        .bind(&new.password_hash)
        .bind(&new.display_name)
        .bind(&new.time_zone)
        .bind(new.created_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(User {
            id: new.id.clone(),
            email: new.email.clone(),
            display_name: new.display_name.clone(),
            time_zone: new.time_zone.clone(),
            created_at: new.created_at,
        })
    }

    pub async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT id, email, display_name, time_zone, created_at FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?)
    }

    pub async fn credentials_by_email(&self, email: &str) -> StoreResult<Option<Credentials>> {
        Ok(
            sqlx::query_as::<_, Credentials>(
                "SELECT id, password_hash FROM users WHERE email = $1",
            )
            .bind(email)
            .fetch_optional(&self.read)
            .await?,
        )
    }

    pub async fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    pub async fn update_profile(
        &self,
        user_id: &str,
        display_name: &str,
        time_zone: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE users SET display_name = $1, time_zone = $2 WHERE id = $3")
            .bind(display_name)
            .bind(time_zone)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Changes the password and signs out every other session of that person.
    pub async fn set_password(
        &self,
        user_id: &str,
        hash: &str,
        keep_session: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- sessions and tokens -------------------------------------------------

    pub async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id_hash)
        .bind(&s.user_id)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn session(&self, id_hash: &str, now: i64) -> StoreResult<Option<SessionUser>> {
        let row = sqlx::query(
            "SELECT s.csrf_token, s.expires_at, u.id, u.email, u.display_name, u.time_zone, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionUser {
            csrf_token: row.try_get("csrf_token")?,
            expires_at: row.try_get("expires_at")?,
            user: User {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                display_name: row.try_get("display_name")?,
                time_zone: row.try_get("time_zone")?,
                created_at: row.try_get("created_at")?,
            },
        }))
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn delete_expired_sessions(&self, now: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn create_token(&self, t: &NewToken) -> StoreResult<ApiToken> {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t.id)
        .bind(&t.user_id)
        .bind(&t.name)
        .bind(&t.token_hash)
        .bind(t.created_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(ApiToken {
            id: t.id.clone(),
            name: t.name.clone(),
            created_at: t.created_at,
            last_used_at: None,
        })
    }

    pub async fn tokens(&self, user_id: &str) -> StoreResult<Vec<ApiToken>> {
        Ok(sqlx::query_as::<_, ApiToken>(
            "SELECT id, name, created_at, last_used_at FROM api_tokens
             WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn revoke_token(&self, user_id: &str, token_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(token_id)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Resolves a token to its owner. `last_used_at` is refreshed at most every
    /// ten minutes so a busy API client does not turn every read into a write.
    pub async fn token_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<User>> {
        let row = sqlx::query(
            "SELECT t.last_used_at, u.id, u.email, u.display_name, u.time_zone, u.created_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_used: Option<i64> = row.try_get("last_used_at")?;
        if last_used.is_none_or(|t| now - t > 600_000) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.write)
                .await?;
        }
        Ok(Some(User {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            time_zone: row.try_get("time_zone")?,
            created_at: row.try_get("created_at")?,
        }))
    }

    // ---- the couple's space --------------------------------------------------

    pub async fn space_of(&self, user_id: &str) -> StoreResult<Option<Space>> {
        let row = sqlx::query(
            "SELECT m.couple_id, m.joined_at,
                    c.paused_by IS NOT NULL AS paused, COALESCE(c.paused_by = $1, FALSE) AS paused_by_me,
                    p.id AS p_id, p.email AS p_email, p.display_name AS p_name,
                    p.time_zone AS p_tz, p.created_at AS p_created
             FROM memberships m
             JOIN couples c ON c.id = m.couple_id
             LEFT JOIN memberships pm ON pm.couple_id = m.couple_id AND pm.user_id <> m.user_id
             LEFT JOIN users p ON p.id = pm.user_id
             WHERE m.user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.read)
        .await?;
        match row {
            Some(row) => space_from_row(&row),
            None => Ok(None),
        }
    }

    /// Everything the home page needs about one person in one read (plus one for
    /// question exchanges when they have a partner): the page is the busiest one.
    pub async fn home_summary(&self, user_id: &str) -> StoreResult<HomeSummary> {
        let row = sqlx::query(
            "SELECT m.couple_id, m.joined_at,
                    c.paused_by IS NOT NULL AS paused, COALESCE(c.paused_by = $1, FALSE) AS paused_by_me,
                    p.id AS p_id, p.email AS p_email, p.display_name AS p_name,
                    p.time_zone AS p_tz, p.created_at AS p_created,
                    (SELECT COUNT(*) FROM memberships WHERE couple_id = m.couple_id) AS partners,
                    (SELECT COUNT(DISTINCT j.owner_id) FROM journal_entries j
                       JOIN memberships jm ON jm.user_id = j.owner_id AND jm.couple_id = j.couple_id
                       WHERE j.couple_id = m.couple_id AND j.visibility = 'shared') AS sharers,
                    (SELECT COUNT(*) FROM safety_screens WHERE user_id = u.id) AS screens,
                    (SELECT postponed_until FROM safety_offers WHERE user_id = u.id) AS postponed_until,
                    (SELECT COUNT(*) FROM notices WHERE user_id = u.id AND kind = 'partner_left') AS left_notices,
                    (SELECT COUNT(*) FROM checkins
                       WHERE couple_id = m.couple_id AND completed_at IS NOT NULL) AS checkins,
                    cs.rhythm AS ck_rhythm, cs.weekday AS ck_weekday, cs.hour AS ck_hour, cs.anchor_at AS ck_anchor
             FROM users u
             LEFT JOIN memberships m ON m.user_id = u.id
             LEFT JOIN couples c ON c.id = m.couple_id
             LEFT JOIN checkin_schedules cs ON cs.couple_id = m.couple_id
             LEFT JOIN memberships pm ON pm.couple_id = m.couple_id AND pm.user_id <> m.user_id
             LEFT JOIN users p ON p.id = pm.user_id
             WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_one(&self.read)
        .await?;
        let space = space_from_row(&row)?;
        let asked = match &space {
            Some(s) if s.partner.is_some() => self.asked_questions(&s.couple_id).await?,
            _ => Vec::new(),
        };
        let mut facts = facts_from(
            row.try_get::<Option<i64>, _>("partners")?.unwrap_or(0),
            row.try_get::<Option<i64>, _>("sharers")?.unwrap_or(0),
            &asked,
            row.try_get::<Option<i64>, _>("checkins")?.unwrap_or(0),
        );
        // Talk room
        if let Some(s) = &space {
            self.talk_facts(&s.couple_id, &mut facts).await?;
        }
        // Problem board
        if let Some(s) = space.as_ref().filter(|s| s.partner.is_some()) {
            board_facts_in(&self.read, &s.couple_id, &mut facts).await?;
        }
        Ok(HomeSummary {
            facts,
            space,
            safety_check_taken: row.try_get::<i64, _>("screens")? > 0,
            safety_offer_postponed_until: row.try_get("postponed_until")?,
            partner_left: row.try_get::<i64, _>("left_notices")? > 0,
            checkin_schedule: match row.try_get::<Option<String>, _>("ck_rhythm")? {
                Some(rhythm) => Some(CheckinSchedule {
                    rhythm,
                    weekday: row.try_get("ck_weekday")?,
                    hour: row.try_get("ck_hour")?,
                    anchor_at: row.try_get("ck_anchor")?,
                }),
                None => None,
            },
        })
    }

    pub async fn create_space(
        &self,
        couple_id: &str,
        user_id: &str,
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
    pub async fn leave_space(&self, user_id: &str) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let left = leave_in(&mut tx, user_id, crate::now_ms()).await?;
        tx.commit().await?;
        Ok(left)
    }

    /// Erases a person: leaves their space as above (the partner is told only
    /// that they left), then deletes the account; every row they own or
    /// authored goes with it through the foreign keys. No soft delete.
    pub async fn erase_user(&self, user_id: &str) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        leave_in(&mut tx, user_id, crate::now_ms()).await?;
        // Problem board
        board_erase_in(&mut tx, user_id).await?;
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

    pub async fn pause_space(&self, user_id: &str) -> StoreResult<bool> {
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
    pub async fn resume_space(&self, user_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE couples SET paused_by = NULL WHERE paused_by = $1")
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() >= 1)
    }

    // ---- the private safety check: every query is keyed by the person ---------

    pub async fn save_screen(&self, s: &NewScreen) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO safety_screens (id, user_id, hurt, insult, threaten, scream, total, positive, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&s.id)
        .bind(&s.user_id)
        .bind(s.answers[0])
        .bind(s.answers[1])
        .bind(s.answers[2])
        .bind(s.answers[3])
        .bind(s.total)
        .bind(s.positive)
        .bind(s.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM safety_offers WHERE user_id = $1")
            .bind(&s.user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn screens_of(&self, user_id: &str) -> StoreResult<Vec<Screen>> {
        Ok(sqlx::query_as::<_, Screen>(
            "SELECT id, hurt, insult, threaten, scream, total, positive, created_at FROM safety_screens
             WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn postpone_offer(&self, user_id: &str, until: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO safety_offers (user_id, postponed_until) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET postponed_until = excluded.postponed_until",
        )
        .bind(user_id)
        .bind(until)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn offer_postponed_until(&self, user_id: &str) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT postponed_until FROM safety_offers WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.read)
        .await?)
    }

    pub async fn notices_for(&self, user_id: &str) -> StoreResult<Vec<Notice>> {
        Ok(sqlx::query_as::<_, Notice>(
            "SELECT id, kind, created_at FROM notices WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn dismiss_notices(&self, user_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM notices WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn create_invitation(&self, inv: &NewInvitation) -> StoreResult<Invitation> {
        sqlx::query(
            "INSERT INTO invitations (id, couple_id, code_hash, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&inv.id)
        .bind(&inv.couple_id)
        .bind(&inv.code_hash)
        .bind(&inv.created_by)
        .bind(inv.created_at)
        .bind(inv.expires_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(Invitation {
            id: inv.id.clone(),
            created_by: inv.created_by.clone(),
            created_at: inv.created_at,
            expires_at: inv.expires_at,
        })
    }

    pub async fn open_invitations(
        &self,
        couple_id: &str,
        now: i64,
    ) -> StoreResult<Vec<Invitation>> {
        Ok(sqlx::query_as::<_, Invitation>(
            "SELECT id, created_by, created_at, expires_at FROM invitations
             WHERE couple_id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
             ORDER BY created_at DESC, id",
        )
        .bind(couple_id)
        .bind(now)
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn revoke_invitation(
        &self,
        couple_id: &str,
        invitation_id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE invitations SET revoked_at = $1
             WHERE id = $2 AND couple_id = $3 AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(invitation_id)
        .bind(couple_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn invitation_by_code(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<InvitationPreview>> {
        let row = sqlx::query(
            "SELECT u.display_name, i.expires_at, i.used_at, i.revoked_at
             FROM invitations i JOIN users u ON u.id = i.created_by WHERE i.code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let used: Option<i64> = row.try_get("used_at")?;
        let revoked: Option<i64> = row.try_get("revoked_at")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        let now = chrono::Utc::now().timestamp_millis();
        Ok(Some(InvitationPreview {
            inviter_name: row.try_get("display_name")?,
            valid: used.is_none() && revoked.is_none() && expires_at > now,
        }))
    }

    /// Joins the invitation's space in one transaction: the invitation row (and on
    /// PostgreSQL the space row) is locked so two people cannot both use one link
    /// or squeeze a third person into a space.
    pub async fn accept_invitation(
        &self,
        code_hash: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<Space> {
        const FIND_LITE: &str = "SELECT id, couple_id, created_by, expires_at, used_at, revoked_at
             FROM invitations WHERE code_hash = $1";
        const FIND_PG: &str = "SELECT id, couple_id, created_by, expires_at, used_at, revoked_at
             FROM invitations WHERE code_hash = $1 FOR UPDATE";
        const LOCK_COUPLE: &str = "SELECT id FROM couples WHERE id = $1 FOR UPDATE";

        let mut tx = self.write.begin().await?;
        let Some(inv) = sqlx::query(if IS_PG { FIND_PG } else { FIND_LITE })
            .bind(code_hash)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Err(StoreError::Join(JoinRefusal::LinkNotValid));
        };
        let inv_id: String = inv.try_get("id")?;
        let couple_id: String = inv.try_get("couple_id")?;
        let created_by: String = inv.try_get("created_by")?;
        let state = InvitationState {
            expires_at: inv.try_get("expires_at")?,
            used: inv.try_get::<Option<i64>, _>("used_at")?.is_some(),
            revoked: inv.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
        };
        if IS_PG {
            sqlx::query(LOCK_COUPLE)
                .bind(&couple_id)
                .execute(&mut *tx)
                .await?;
        }
        let joiner_in_a_space: bool =
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM memberships WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?
                > 0;
        let members: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE couple_id = $1")
                .bind(&couple_id)
                .fetch_one(&mut *tx)
                .await?;
        check_join(&JoinAttempt {
            invitation: &state,
            now,
            joiner_in_a_space,
            joiner_is_inviter: created_by == user_id,
            members_in_space: usize::try_from(members).unwrap_or(usize::MAX),
        })
        .map_err(StoreError::Join)?;
        sqlx::query("INSERT INTO memberships (user_id, couple_id, joined_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(&couple_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match map_unique(e) {
                StoreError::Conflict => StoreError::Join(JoinRefusal::AlreadyInASpace),
                other => other,
            })?;
        sqlx::query("UPDATE invitations SET used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&inv_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let partner = self.user_by_id(&created_by).await?;
        Ok(Space {
            couple_id,
            joined_at: now,
            partner,
            paused: false,
            paused_by_me: false,
        })
    }

    pub async fn journey_facts(&self, couple_id: &str) -> StoreResult<Facts> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM memberships WHERE couple_id = $1) AS partners,
               (SELECT COUNT(DISTINCT j.owner_id) FROM journal_entries j
                  JOIN memberships m ON m.user_id = j.owner_id AND m.couple_id = j.couple_id
                  WHERE j.couple_id = $1 AND j.visibility = 'shared') AS sharers,
               (SELECT COUNT(*) FROM checkins WHERE couple_id = $1 AND completed_at IS NOT NULL) AS checkins",
        )
        .bind(couple_id)
        .fetch_one(&self.read)
        .await?;
        let asked = self.asked_questions(couple_id).await?;
        let mut facts = facts_from(
            row.try_get("partners")?,
            row.try_get("sharers")?,
            &asked,
            row.try_get("checkins")?,
        );
        // Talk room
        self.talk_facts(couple_id, &mut facts).await?;
        // Problem board
        board_facts_in(&self.read, couple_id, &mut facts).await?;
        Ok(facts)
    }

    // ---- question decks: the sealing rule lives in `visible_answers` ----------

    pub async fn question_hour(&self, couple_id: &str) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT release_hour FROM question_settings WHERE couple_id = $1",
        )
        .bind(couple_id)
        .fetch_optional(&self.read)
        .await?)
    }

    pub async fn set_question_hour(&self, couple_id: &str, hour: i64) -> StoreResult<()> {
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

    /// Every question asked of the couple, with whether both current partners answered it.
    pub async fn asked_questions(&self, couple_id: &str) -> StoreResult<Vec<(String, bool)>> {
        let rows = sqlx::query(
            "SELECT cq.question_id,
               (SELECT COUNT(*) FROM answers a JOIN memberships m ON m.user_id = a.user_id AND m.couple_id = $1
                 WHERE a.couple_question_id = cq.id AND a.skipped = FALSE) AS answered
             FROM couple_questions cq WHERE cq.couple_id = $1",
        )
        .bind(couple_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("question_id")?,
                    r.try_get::<i64, _>("answered")? >= 2,
                ))
            })
            .collect()
    }

    pub async fn latest_release(&self, couple_id: &str) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar::<_, Option<i64>>(
            "SELECT MAX(released_at) FROM couple_questions WHERE couple_id = $1",
        )
        .bind(couple_id)
        .fetch_one(&self.read)
        .await?)
    }

    /// Releases a question unless one was released at or after `unless_since`
    /// (pass `i64::MAX` to always release). Locked so two partners opening the
    /// page at once release one question, not two.
    pub async fn release_question(
        &self,
        couple_id: &str,
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

    /// Questions of the viewer's space, and earlier ones the viewer answered, newest first.
    pub async fn questions_for(&self, viewer: &Viewer) -> StoreResult<Vec<AskedQuestion>> {
        Ok(sqlx::query_as::<_, AskedQuestion>(
            "SELECT cq.id, cq.question_id, cq.released_at FROM couple_questions cq
             WHERE cq.couple_id = $2
                OR EXISTS (SELECT 1 FROM answers a WHERE a.couple_question_id = cq.id AND a.user_id = $1)
             ORDER BY cq.released_at DESC, cq.id
             LIMIT 2000",
        )
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn question_for(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> StoreResult<Option<AskedQuestion>> {
        Ok(sqlx::query_as::<_, AskedQuestion>(
            "SELECT cq.id, cq.question_id, cq.released_at FROM couple_questions cq
             WHERE cq.id = $3 AND (cq.couple_id = $2
                OR EXISTS (SELECT 1 FROM answers a WHERE a.couple_question_id = cq.id AND a.user_id = $1))",
        )
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(id)
        .fetch_optional(&self.read)
        .await?)
    }

    /// The viewer's own answers, and their current partner's answers in their
    /// current space only where the viewer has answered too. A partner's row
    /// that is not yet revealed cannot match this query.
    pub async fn visible_answers(
        &self,
        viewer: &Viewer,
        only: Option<&str>,
    ) -> StoreResult<Vec<VisibleAnswer>> {
        Ok(sqlx::query_as::<_, VisibleAnswer>(
            "SELECT a.id, a.couple_question_id, a.user_id, a.body, a.skipped, a.created_at
             FROM answers a JOIN couple_questions cq ON cq.id = a.couple_question_id
             WHERE ($4 IS NULL OR a.couple_question_id = $4)
               AND (a.user_id = $1
                 OR (a.user_id = $3 AND cq.couple_id = $2
                     AND EXISTS (SELECT 1 FROM answers m WHERE m.couple_question_id = a.couple_question_id
                                 AND m.user_id = $1 AND m.skipped = FALSE)))
             ORDER BY a.created_at, a.id",
        )
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .bind(only)
        .fetch_all(&self.read)
        .await?)
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
        answer_id: &str,
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
        couple_question_id: &str,
    ) -> StoreResult<Vec<Reaction>> {
        Ok(sqlx::query_as::<_, Reaction>(
            "SELECT r.answer_id, r.user_id, r.kind FROM answer_reactions r
             JOIN answers a ON a.id = r.answer_id JOIN couple_questions cq ON cq.id = a.couple_question_id
             WHERE a.couple_question_id = $1 AND cq.couple_id = $2 AND (r.user_id = $3 OR r.user_id = $4)
             ORDER BY r.created_at",
        )
        .bind(couple_question_id)
        .bind(viewer.couple_id.as_deref())
        .bind(&viewer.user_id)
        .bind(viewer.partner_id.as_deref())
        .fetch_all(&self.read)
        .await?)
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
        couple_question_id: &str,
    ) -> StoreResult<Vec<Reply>> {
        Ok(sqlx::query_as::<_, Reply>(
            "SELECT r.id, r.couple_question_id, r.user_id, r.body, r.created_at FROM question_replies r
             JOIN couple_questions cq ON cq.id = r.couple_question_id
             WHERE r.couple_question_id = $1
               AND (r.user_id = $3 OR (cq.couple_id = $2 AND r.user_id = $4))
             ORDER BY r.created_at, r.id",
        )
        .bind(couple_question_id)
        .bind(viewer.couple_id.as_deref())
        .bind(&viewer.user_id)
        .bind(viewer.partner_id.as_deref())
        .fetch_all(&self.read)
        .await?)
    }

    // ---- journal: the privacy rule lives in these WHERE clauses ---------------

    pub async fn create_entry(&self, e: &NewEntry) -> StoreResult<Entry> {
        sqlx::query(
            "INSERT INTO journal_entries (id, owner_id, couple_id, visibility, title, body, created_at, updated_at)
             VALUES ($1, $2, NULL, 'private', $3, $4, $5, $5)",
        )
        .bind(&e.id)
        .bind(&e.owner_id)
        .bind(&e.title)
        .bind(&e.body)
        .bind(e.created_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(Entry {
            id: e.id.clone(),
            owner_id: e.owner_id.clone(),
            visibility: rekindle_domain::Visibility::Private,
            title: e.title.clone(),
            body: e.body.clone(),
            created_at: e.created_at,
            updated_at: e.created_at,
        })
    }

    /// The viewer's own entries, plus the entries their current partner shared
    /// in their current space. A private row of someone else cannot match.
    pub async fn entries_for(&self, viewer: &Viewer) -> StoreResult<Vec<Entry>> {
        let rows = sqlx::query_as::<_, EntryRow>(
            "SELECT id, owner_id, visibility, title, body, created_at, updated_at
             FROM journal_entries
             WHERE owner_id = $1
                OR (visibility = 'shared' AND couple_id = $2 AND owner_id = $3)
             ORDER BY created_at DESC, id
             LIMIT 1000",
        )
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    pub async fn entry_for(&self, viewer: &Viewer, id: &str) -> StoreResult<Option<Entry>> {
        let row = sqlx::query_as::<_, EntryRow>(
            "SELECT id, owner_id, visibility, title, body, created_at, updated_at
             FROM journal_entries
             WHERE id = $4 AND (owner_id = $1
                OR (visibility = 'shared' AND couple_id = $2 AND owner_id = $3))",
        )
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(Entry::from))
    }

    pub async fn update_entry(
        &self,
        owner_id: &str,
        id: &str,
        title: &str,
        body: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE journal_entries SET title = $1, body = $2, updated_at = $3
             WHERE id = $4 AND owner_id = $5",
        )
        .bind(title)
        .bind(body)
        .bind(now)
        .bind(id)
        .bind(owner_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Shares an entry into the viewer's current space, or takes it back.
    pub async fn set_entry_visibility(
        &self,
        viewer: &Viewer,
        id: &str,
        shared: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let (visibility, couple) = if shared {
            let Some(couple) = viewer.couple_id.as_deref() else {
                return Ok(false);
            };
            ("shared", Some(couple))
        } else {
            ("private", None)
        };
        let done = sqlx::query(
            "UPDATE journal_entries SET visibility = $1, couple_id = $2, updated_at = $3
             WHERE id = $4 AND owner_id = $5",
        )
        .bind(visibility)
        .bind(couple)
        .bind(now)
        .bind(id)
        .bind(&viewer.user_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_entry(&self, owner_id: &str, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM journal_entries WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    // ---- check-ins: sealing and private scores live in `visible_submissions` ----

    pub async fn checkin_schedule(&self, couple_id: &str) -> StoreResult<Option<CheckinSchedule>> {
        Ok(sqlx::query_as::<_, CheckinSchedule>(
            "SELECT rhythm, weekday, hour, anchor_at FROM checkin_schedules WHERE couple_id = $1",
        )
        .bind(couple_id)
        .fetch_optional(&self.read)
        .await?)
    }

    pub async fn set_checkin_schedule(
        &self,
        couple_id: &str,
        schedule: &CheckinSchedule,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO checkin_schedules (couple_id, rhythm, weekday, hour, anchor_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (couple_id) DO UPDATE SET rhythm = excluded.rhythm, weekday = excluded.weekday,
                 hour = excluded.hour, anchor_at = excluded.anchor_at",
        )
        .bind(couple_id)
        .bind(&schedule.rhythm)
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
        couple_id: &str,
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
        let rows = sqlx::query_as::<_, CheckinRow>(
            "SELECT c.id, c.opened_at, c.closes_at, c.completed_at,
                    CAST(CASE WHEN c.couple_id = $2 THEN 1 ELSE 0 END AS BIGINT) AS in_space
             FROM checkins c
             WHERE c.couple_id = $2
                OR EXISTS (SELECT 1 FROM checkin_submissions s WHERE s.checkin_id = c.id AND s.user_id = $1)
             ORDER BY c.opened_at DESC, c.id
             LIMIT 2000",
        )
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(Checkin::from).collect())
    }

    pub async fn checkin_for(&self, viewer: &Viewer, id: &str) -> StoreResult<Option<Checkin>> {
        let row = sqlx::query_as::<_, CheckinRow>(
            "SELECT c.id, c.opened_at, c.closes_at, c.completed_at,
                    CAST(CASE WHEN c.couple_id = $2 THEN 1 ELSE 0 END AS BIGINT) AS in_space
             FROM checkins c
             WHERE c.id = $3 AND (c.couple_id = $2
                OR EXISTS (SELECT 1 FROM checkin_submissions s WHERE s.checkin_id = c.id AND s.user_id = $1))",
        )
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(Checkin::from))
    }

    /// When the couple's completed check-ins were completed, oldest first.
    pub async fn checkin_completions(&self, couple_id: &str) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT completed_at FROM checkins WHERE couple_id = $1 AND completed_at IS NOT NULL ORDER BY completed_at",
        )
        .bind(couple_id)
        .fetch_all(&self.read)
        .await?)
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
        Ok(sqlx::query_as::<_, VisibleSubmission>(
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
        )
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .bind(only)
        .fetch_all(&self.read)
        .await?)
    }

    /// Everything one person submitted, for their own export.
    pub async fn own_submissions(&self, user_id: &str) -> StoreResult<Vec<VisibleSubmission>> {
        Ok(sqlx::query_as::<_, VisibleSubmission>(
            "SELECT s.id, s.checkin_id, s.user_id, s.csi1, s.csi2, s.csi3, s.csi4, s.tech1, s.tech2, s.tech3, s.tech4,
                    s.hours_together, s.hours_device_free, s.appreciation, s.went_well, s.topic, s.scores_private,
                    s.created_at
             FROM checkin_submissions s WHERE s.user_id = $1
             ORDER BY s.created_at, s.id",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// The viewer's answer to the closing question, allowed only once both
    /// current partners have submitted. Answering again replaces it.
    pub async fn set_loved(
        &self,
        viewer: &Viewer,
        checkin_id: &str,
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
        checkin_id: &str,
    ) -> StoreResult<Vec<LovedAnswer>> {
        Ok(sqlx::query_as::<_, LovedAnswer>(
            "SELECT l.checkin_id, l.user_id, l.body, l.created_at FROM checkin_loved l
             JOIN checkins c ON c.id = l.checkin_id
             WHERE l.checkin_id = $1 AND (l.user_id = $2 OR (c.couple_id = $3 AND l.user_id = $4))
             ORDER BY l.created_at, l.user_id",
        )
        .bind(checkin_id)
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .fetch_all(&self.read)
        .await?)
    }
}

/// Leaving, inside a caller's transaction (shared by leaving and erasure).
async fn leave_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    user_id: &str,
    now: i64,
) -> StoreResult<bool> {
    let couple: Option<String> =
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

fn space_from_row(row: &<DB as sqlx::Database>::Row) -> StoreResult<Option<Space>> {
    let Some(couple_id) = row.try_get::<Option<String>, _>("couple_id")? else {
        return Ok(None);
    };
    let partner = match row.try_get::<Option<String>, _>("p_id")? {
        Some(id) => Some(User {
            id,
            email: row.try_get("p_email")?,
            display_name: row.try_get("p_name")?,
            time_zone: row.try_get("p_tz")?,
            created_at: row.try_get("p_created")?,
        }),
        None => None,
    };
    Ok(Some(Space {
        couple_id,
        joined_at: row.try_get("joined_at")?,
        partner,
        paused: row.try_get::<Option<bool>, _>("paused")?.unwrap_or(false),
        paused_by_me: row
            .try_get::<Option<bool>, _>("paused_by_me")?
            .unwrap_or(false),
    }))
}

/// The journey's facts from counts and the questions asked (with whether both
/// partners answered each), mapped to depths through the decks.
fn facts_from(partners: i64, sharers: i64, asked: &[(String, bool)], checkins: i64) -> Facts {
    let mut exchanged_per_depth = [0usize; 3];
    for (question_id, exchanged) in asked {
        if *exchanged
            && let Some(q) = rekindle_domain::questions::question(question_id)
            && let Some(n) = exchanged_per_depth.get_mut(usize::from(q.depth.clamp(1, 3)) - 1)
        {
            *n += 1;
        }
    }
    Facts {
        partners: usize::try_from(partners).unwrap_or(0),
        partners_who_shared_journal: usize::try_from(sharers).unwrap_or(0),
        exchanged_per_depth,
        completed_checkins: usize::try_from(checkins).unwrap_or(0),
        ..Facts::default()
    }
}

// ---- Talk room ----------------------------------------------------------------
// A talk opens only to its two partners while they share the space it was held
// in (`couple_id` matches the viewer's and the viewer took part).

const TALK_COLS: &str = "t.id, t.couple_id, t.requested_by, t.partner_id, t.topic, t.phase, t.scheduled_at, \
                         t.began_at, t.last_seq, t.created_at, t.updated_at";

impl Store {
    pub async fn ground_rules(&self, couple_id: &str) -> StoreResult<Option<GroundRules>> {
        let Some(row) = sqlx::query(
            "SELECT version, body, min_time_out, created_by, created_at FROM ground_rules
             WHERE couple_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(couple_id)
        .fetch_optional(&self.read)
        .await?
        else {
            return Ok(None);
        };
        let version: i64 = row.try_get("version")?;
        let accepted_by = sqlx::query_scalar::<_, String>(
            "SELECT a.user_id FROM ground_rule_acceptances a
             JOIN memberships m ON m.user_id = a.user_id AND m.couple_id = a.couple_id
             WHERE a.couple_id = $1 AND a.version = $2 ORDER BY a.accepted_at",
        )
        .bind(couple_id)
        .bind(version)
        .fetch_all(&self.read)
        .await?;
        Ok(Some(GroundRules {
            version,
            body: row.try_get("body")?,
            min_time_out: row.try_get("min_time_out")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
            accepted_by,
        }))
    }

    /// Stores a new version (the editor accepts it by writing it); returns its number.
    pub async fn set_ground_rules(
        &self,
        couple_id: &str,
        user_id: &str,
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
        couple_id: &str,
        user_id: &str,
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

    pub async fn talk_for(&self, viewer: &Viewer, id: &str) -> StoreResult<Option<TalkRow>> {
        let sql = format!(
            "SELECT {TALK_COLS} FROM talks t
             WHERE t.id = $1 AND t.couple_id = $2 AND (t.requested_by = $3 OR t.partner_id = $3)"
        );
        Ok(sqlx::query_as::<_, TalkRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(viewer.couple_id.as_deref())
            .bind(&viewer.user_id)
            .fetch_optional(&self.read)
            .await?)
    }

    pub async fn talks_for(&self, viewer: &Viewer) -> StoreResult<Vec<TalkRow>> {
        let sql = format!(
            "SELECT {TALK_COLS} FROM talks t
             WHERE t.couple_id = $1 AND (t.requested_by = $2 OR t.partner_id = $2)
             ORDER BY t.created_at DESC, t.id LIMIT 500"
        );
        Ok(sqlx::query_as::<_, TalkRow>(sqlx::AssertSqlSafe(sql))
            .bind(viewer.couple_id.as_deref())
            .bind(&viewer.user_id)
            .fetch_all(&self.read)
            .await?)
    }

    /// The log after `after`, in order. Callers check access with `talk_for` first.
    pub async fn talk_events(&self, talk_id: &str, after: i64) -> StoreResult<Vec<TalkEventRow>> {
        Ok(sqlx::query_as::<_, TalkEventRow>(
            "SELECT talk_id, seq, at, by_user, kind, body FROM talk_events
             WHERE talk_id = $1 AND seq > $2 ORDER BY seq LIMIT 10000",
        )
        .bind(talk_id)
        .bind(after)
        .fetch_all(&self.read)
        .await?)
    }

    /// Appends events numbered from `after_seq + 1`, only if the log still ends at
    /// `after_seq` and the talk still belongs to `couple_id` (it was not deleted
    /// and nobody left): `false` means someone else appended first or the talk
    /// closed, so the caller reads it again before deciding.
    pub async fn append_talk_events(
        &self,
        talk_id: &str,
        couple_id: &str,
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
        .bind(&summary.phase)
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
    pub async fn delete_talk(&self, viewer: &Viewer, id: &str) -> StoreResult<bool> {
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
        talk_id: &str,
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
        talk_id: &str,
    ) -> StoreResult<Vec<Reflection>> {
        Ok(sqlx::query_as::<_, Reflection>(
            "SELECT r.talk_id, r.user_id, r.understood, r.feel_now, r.shared, r.created_at, r.updated_at
             FROM talk_reflections r JOIN talks t ON t.id = r.talk_id
             WHERE r.talk_id = $1 AND t.couple_id = $2 AND (t.requested_by = $3 OR t.partner_id = $3)
               AND (r.user_id = $3 OR r.shared = TRUE)
             ORDER BY r.created_at, r.user_id",
        )
        .bind(talk_id)
        .bind(viewer.couple_id.as_deref())
        .bind(&viewer.user_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// For the export: the talks the person can open now with their logs, and
    /// every reflection they wrote.
    pub async fn talk_export(
        &self,
        user_id: &str,
    ) -> StoreResult<(Vec<TalkRow>, Vec<TalkEventRow>, Vec<Reflection>)> {
        let space = self.space_of(user_id).await?;
        let viewer = Viewer::new(user_id, space.as_ref());
        let talks = self.talks_for(&viewer).await?;
        let mut events = Vec::new();
        for t in &talks {
            events.extend(self.talk_events(&t.id, 0).await?);
        }
        let reflections = sqlx::query_as::<_, Reflection>(
            "SELECT talk_id, user_id, understood, feel_now, shared, created_at, updated_at
             FROM talk_reflections WHERE user_id = $1 ORDER BY created_at",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?;
        Ok((talks, events, reflections))
    }

    /// PostgreSQL: tells every server listening that a talk changed (no-op on SQLite).
    #[allow(dead_code)]
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

    /// The pool notifications are listened on (PostgreSQL only).
    #[allow(dead_code)]
    pub fn listen_pool(&self) -> &Pool<DB> {
        &self.write
    }

    /// The journey's talk facts for a couple (current partners only).
    pub(crate) async fn talk_facts(&self, couple_id: &str, facts: &mut Facts) -> StoreResult<()> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM ground_rule_acceptances a
                  JOIN memberships m ON m.user_id = a.user_id AND m.couple_id = a.couple_id
                  WHERE a.couple_id = $1
                    AND a.version = (SELECT MAX(version) FROM ground_rules WHERE couple_id = $1)) AS accepted,
               (SELECT COUNT(*) FROM talks WHERE couple_id = $1 AND began_at IS NOT NULL) AS pledged,
               (SELECT COUNT(DISTINCT e.mark) FROM talk_events e
                  JOIN talks t ON t.id = e.talk_id
                  JOIN memberships m ON m.user_id = e.mark AND m.couple_id = t.couple_id
                  WHERE t.couple_id = $1 AND e.kind = 'confirmed') AS heard,
               (SELECT COUNT(DISTINCT e.by_user) FROM talk_events e
                  JOIN talks t ON t.id = e.talk_id
                  JOIN memberships m ON m.user_id = e.by_user AND m.couple_id = t.couple_id
                  WHERE t.couple_id = $1 AND e.kind = 'statement'
                    AND NOT EXISTS (SELECT 1 FROM talk_events h
                                    WHERE h.talk_id = e.talk_id AND h.by_user = e.by_user
                                      AND h.kind = 'statement' AND h.mark = 'harsh')) AS soft",
        )
        .bind(couple_id)
        .fetch_one(&self.read)
        .await?;
        let count = |name: &str| -> StoreResult<usize> {
            Ok(usize::try_from(row.try_get::<i64, _>(name)?).unwrap_or(0))
        };
        facts.ground_rules_agreed = count("accepted")? >= 2;
        facts.pledged_talks = count("pledged")?;
        facts.partners_heard = count("heard")?;
        facts.partners_spoke_softly = count("soft")?;
        Ok(())
    }
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

// ---- Problem board: sealing and privacy live in these WHERE clauses -----------------

/// The board's journey facts for one space (counted from this pair's rows only).
const BOARD_FACTS_SQL: &str = "SELECT
       (SELECT COUNT(*) FROM board_problems WHERE couple_id = $1 AND stage <> 'withdrawn') AS board_problems,
       (SELECT COUNT(*) FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
          WHERE p.couple_id = $1 AND a.confirmed_at IS NOT NULL) AS board_agreements,
       (SELECT COUNT(*) FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
          WHERE p.couple_id = $1 AND a.confirmed_at IS NOT NULL
            AND (SELECT COUNT(*) FROM board_followups f
                   JOIN memberships m ON m.user_id = f.user_id AND m.couple_id = $1
                 WHERE f.agreement_id = a.id) >= 2) AS board_followups";

impl Store {
    /// Problems of the viewer's space, newest first; with `include_past`, also
    /// problems of earlier spaces the viewer proposed or contributed to (for the
    /// export). A title is returned only to the current pair and the proposer.
    pub async fn board_problems(
        &self,
        viewer: &Viewer,
        include_past: bool,
    ) -> StoreResult<Vec<BoardProblem>> {
        const SQL: &str = "SELECT p.id, p.couple_id, p.proposed_by,
                CASE WHEN p.couple_id = $2 OR p.proposed_by = $1 THEN p.title ELSE '' END AS title,
                p.stage, p.round, p.talk_requested_by, p.talk_requested_at, p.created_at, p.updated_at
             FROM board_problems p
             WHERE p.couple_id = $2
                OR ($3 AND (p.proposed_by = $1
                   OR EXISTS (SELECT 1 FROM board_options o WHERE o.problem_id = p.id AND o.author_id = $1)
                   OR EXISTS (SELECT 1 FROM board_ratings r JOIN board_options o ON o.id = r.option_id
                              WHERE o.problem_id = p.id AND r.user_id = $1)
                   OR EXISTS (SELECT 1 FROM board_followups f JOIN board_agreements a ON a.id = f.agreement_id
                              WHERE a.problem_id = p.id AND f.user_id = $1)))
             ORDER BY p.created_at DESC, p.id
             LIMIT 500";
        Ok(sqlx::query_as::<_, BoardProblem>(SQL)
            .bind(&viewer.user_id)
            .bind(viewer.couple_id.as_deref())
            .bind(include_past)
            .fetch_all(&self.read)
            .await?)
    }

    /// One problem of the viewer's current space.
    pub async fn board_problem(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> StoreResult<Option<BoardProblem>> {
        const SQL: &str = "SELECT p.id, p.couple_id, p.proposed_by, p.title, p.stage, p.round, \
             p.talk_requested_by, p.talk_requested_at, p.created_at, p.updated_at \
             FROM board_problems p WHERE p.id = $1 AND p.couple_id = $2";
        Ok(sqlx::query_as::<_, BoardProblem>(SQL)
            .bind(id)
            .bind(viewer.couple_id.as_deref())
            .fetch_optional(&self.read)
            .await?)
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
        .bind(m.to_stage)
        .bind(m.to_round)
        .bind(m.now)
        .bind(m.talk)
        .bind(&viewer.user_id)
        .bind(m.id)
        .bind(viewer.couple_id.as_deref())
        .bind(m.from_stage)
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
        problem_id: &str,
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
        problem_id: &str,
    ) -> StoreResult<Vec<BoardOption>> {
        Ok(sqlx::query_as::<_, BoardOption>(
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
        )
        .bind(problem_id)
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .fetch_all(&self.read)
        .await?)
    }

    /// Who is done adding ideas in a round. The partner's flag is read only when
    /// the viewer is done too, so a partner still writing learns nothing.
    pub async fn board_done(
        &self,
        viewer: &Viewer,
        problem_id: &str,
        round: i64,
    ) -> StoreResult<BoardDone> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM board_done WHERE problem_id = $1 AND round = $2 AND user_id = $3) AS me,
               (SELECT COUNT(*) FROM board_done d JOIN board_problems p ON p.id = d.problem_id
                  WHERE d.problem_id = $1 AND d.round = $2 AND d.user_id = $4 AND p.couple_id = $5
                    AND EXISTS (SELECT 1 FROM board_done m WHERE m.problem_id = $1 AND m.round = $2
                                AND m.user_id = $3)) AS partner",
        )
        .bind(problem_id)
        .bind(round)
        .bind(&viewer.user_id)
        .bind(viewer.partner_id.as_deref())
        .bind(viewer.couple_id.as_deref())
        .fetch_one(&self.read)
        .await?;
        Ok(BoardDone {
            me: row.try_get::<i64, _>("me")? > 0,
            partner: row.try_get::<i64, _>("partner")? > 0,
        })
    }

    /// Records the viewer's ratings for this round, all at once or none: every
    /// option must belong to the problem, which must be rating in `round`.
    pub async fn board_rate(
        &self,
        viewer: &Viewer,
        problem_id: &str,
        round: i64,
        ratings: &[(String, i64)],
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
        problem_id: &str,
        round: Option<i64>,
    ) -> StoreResult<Vec<BoardRating>> {
        Ok(sqlx::query_as::<_, BoardRating>(
            "SELECT r.option_id, r.user_id, r.round, r.rating, r.created_at
             FROM board_ratings r JOIN board_options o ON o.id = r.option_id
             JOIN board_problems p ON p.id = o.problem_id
             WHERE o.problem_id = $1 AND ($5 IS NULL OR r.round = $5)
               AND (r.user_id = $2
                 OR (r.user_id = $4 AND p.couple_id = $3
                     AND EXISTS (SELECT 1 FROM board_ratings m WHERE m.option_id = r.option_id
                                 AND m.round = r.round AND m.user_id = $2)))
             ORDER BY r.round, r.created_at, r.option_id",
        )
        .bind(problem_id)
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(viewer.partner_id.as_deref())
        .bind(round)
        .fetch_all(&self.read)
        .await?)
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
        problem_id: &str,
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
        problem_id: &str,
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
        problem_id: &str,
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
        .fetch_all(&self.read)
        .await?)
    }

    /// The viewer's private follow-up answer, once the follow-up date has come.
    pub async fn board_answer_followup(
        &self,
        viewer: &Viewer,
        agreement_id: &str,
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
        agreement_id: &str,
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
        .fetch_all(&self.read)
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
        .bind(&d.agreement_status)
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
        .bind(&d.next_stage)
        .bind(i64::from(d.new_round))
        .bind(d.at)
        .execute(&mut *tx)
        .await
        .map_err(map_unique)?;
        tx.commit().await?;
        Ok(true)
    }

    /// How the couple's decided agreements ended, oldest first.
    /// (id, follow-up time) of the couple's agreements still on trial.
    pub async fn board_follow_up_times(&self, couple_id: &str) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as::<_, (String, i64)>(
            "SELECT a.id, a.follow_up_at FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE p.couple_id = $1 AND a.status = 'active' AND a.follow_up_at IS NOT NULL
             ORDER BY a.follow_up_at, a.id",
        )
        .bind(couple_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Whether `agreement_id` is an agreement both partners of `couple_id` agreed to
    /// (what an action may name as its source).
    pub async fn board_agreement_in(
        &self,
        couple_id: &str,
        agreement_id: &str,
    ) -> StoreResult<bool> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE a.id = $1 AND p.couple_id = $2 AND a.confirmed_at IS NOT NULL",
        )
        .bind(agreement_id)
        .bind(couple_id)
        .fetch_one(&self.read)
        .await?
            > 0)
    }

    pub async fn board_outcomes(&self, couple_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar::<_, String>(
            "SELECT a.status FROM board_agreements a JOIN board_problems p ON p.id = a.problem_id
             WHERE p.couple_id = $1 AND a.decided_at IS NOT NULL
             ORDER BY a.decided_at, a.id",
        )
        .bind(couple_id)
        .fetch_all(&self.read)
        .await?)
    }
}

/// Adds the board's counts to the journey facts of one space.
async fn board_facts_in<'e, E>(exec: E, couple_id: &str, facts: &mut Facts) -> StoreResult<()>
where
    E: sqlx::Executor<'e, Database = DB>,
{
    let row = sqlx::query(BOARD_FACTS_SQL)
        .bind(couple_id)
        .fetch_one(exec)
        .await?;
    let n = |v: i64| usize::try_from(v).unwrap_or(0);
    facts.board_problems = n(row.try_get("board_problems")?);
    facts.board_agreements = n(row.try_get("board_agreements")?);
    facts.board_followups_by_both = n(row.try_get("board_followups")?);
    Ok(())
}

/// On leaving: the pair's problems leave the space with them (as check-ins do);
/// each keeps their own ideas, ratings and answers.
async fn board_leave_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    couple_id: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE board_problems SET couple_id = NULL WHERE couple_id = $1")
        .bind(couple_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// On erasure: what the person wrote into shared board rows goes (their own
/// ideas, ratings, done-flags and answers go through the foreign keys).
async fn board_erase_in(tx: &mut sqlx::Transaction<'static, DB>, user_id: &str) -> StoreResult<()> {
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

// ---- Action plan, reminders and the calendar feed (step 6) --------------------------
//
// Who sees an action: both partners of the space it was made in, and its
// creator always (after a split it stays with them as history, read-only).

use crate::plan_records::*;

const ACTION_COLS: &str = "a.id, a.couple_id, a.created_by, a.owner_id, a.agreement_id, a.title, a.notes, \
     a.due_date, a.rrule, a.assignment, a.answered_at, a.created_at";

/// Leaving: the pair's actions leave the space with it; open proposals lapse.
async fn plan_leave_in(tx: &mut sqlx::Transaction<'static, DB>, couple: &str) -> StoreResult<()> {
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
        .bind(&a.assignment)
        .bind(a.answered_at)
        .bind(a.created_at)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(())
    }

    pub async fn actions_for(&self, viewer: &Viewer) -> StoreResult<Vec<PlanAction>> {
        let sql = format!(
            "SELECT {ACTION_COLS} FROM plan_actions a
             WHERE a.couple_id = $2 OR a.created_by = $1
             ORDER BY a.due_date, a.created_at, a.id
             LIMIT 2000"
        );
        Ok(sqlx::query_as::<_, PlanAction>(sqlx::AssertSqlSafe(sql))
            .bind(&viewer.user_id)
            .bind(viewer.couple_id.as_deref())
            .fetch_all(&self.read)
            .await?)
    }

    pub async fn action_for(&self, viewer: &Viewer, id: &str) -> StoreResult<Option<PlanAction>> {
        let sql = format!(
            "SELECT {ACTION_COLS} FROM plan_actions a
             WHERE a.id = $3 AND (a.couple_id = $2 OR a.created_by = $1)"
        );
        Ok(sqlx::query_as::<_, PlanAction>(sqlx::AssertSqlSafe(sql))
            .bind(&viewer.user_id)
            .bind(viewer.couple_id.as_deref())
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    /// The partner it was proposed to accepts or declines, once.
    pub async fn answer_action(
        &self,
        viewer: &Viewer,
        id: &str,
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
        action_id: Option<&str>,
    ) -> StoreResult<Vec<PlanDoneEvent>> {
        Ok(sqlx::query_as::<_, PlanDoneEvent>(
            "SELECT e.id, e.action_id, e.occurrence, e.user_id, e.done, e.at
             FROM plan_done_events e JOIN plan_actions a ON a.id = e.action_id
             WHERE (a.couple_id = $2 OR a.created_by = $1) AND ($3 IS NULL OR e.action_id = $3)
             ORDER BY e.at, e.id
             LIMIT 20000",
        )
        .bind(&viewer.user_id)
        .bind(viewer.couple_id.as_deref())
        .bind(action_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// What a person created or owns, for their export.
    pub async fn own_actions(&self, user_id: &str) -> StoreResult<Vec<PlanAction>> {
        let sql = format!(
            "SELECT {ACTION_COLS} FROM plan_actions a
             WHERE a.created_by = $1 OR a.owner_id = $1
             ORDER BY a.created_at, a.id"
        );
        Ok(sqlx::query_as::<_, PlanAction>(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(&self.read)
            .await?)
    }

    pub async fn own_done_events(&self, user_id: &str) -> StoreResult<Vec<PlanDoneEvent>> {
        Ok(sqlx::query_as::<_, PlanDoneEvent>(
            "SELECT id, action_id, occurrence, user_id, done, at FROM plan_done_events
             WHERE user_id = $1 ORDER BY at, id",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?)
    }

    // Reminders

    pub async fn reminder_prefs(&self, user_id: &str) -> StoreResult<Option<ReminderPrefsRow>> {
        Ok(sqlx::query_as::<_, ReminderPrefsRow>(
            "SELECT user_id, kinds, minute_of_day, updated_at FROM reminder_prefs WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.read)
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
        .fetch_all(&self.read)
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
        let pick = format!(
            "SELECT id FROM reminder_outbox
             WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $1
               AND (claimed_until IS NULL OR claimed_until <= $1)
             ORDER BY next_attempt_at, id
             LIMIT $2{}",
            if IS_PG { " FOR UPDATE SKIP LOCKED" } else { "" }
        );
        let mut tx = self.write.begin().await?;
        let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(pick))
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let done = sqlx::query(
                "UPDATE reminder_outbox SET claimed_by = $2, claimed_until = $3, attempts = attempts + 1
                 WHERE id = $1 AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $4)",
            )
            .bind(&id)
            .bind(claimer)
            .bind(now + lease_ms)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                continue;
            }
            let row = sqlx::query_as::<_, ClaimedReminder>(
                "SELECT o.id, o.user_id, u.email, o.kind, o.local_date, o.attempts
                 FROM reminder_outbox o JOIN users u ON u.id = o.user_id WHERE o.id = $1",
            )
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
            out.extend(row);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn reminder_sent(&self, id: &str, claimer: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE reminder_outbox SET sent_at = $3, claimed_until = NULL, last_error = NULL
             WHERE id = $1 AND claimed_by = $2 AND sent_at IS NULL",
        )
        .bind(id)
        .bind(claimer)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
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
        let done = sqlx::query(
            "UPDATE reminder_outbox SET claimed_until = NULL, last_error = $3,
                 next_attempt_at = COALESCE($4, next_attempt_at),
                 gave_up_at = CASE WHEN $4 IS NULL THEN $5 ELSE NULL END
             WHERE id = $1 AND claimed_by = $2 AND sent_at IS NULL",
        )
        .bind(id)
        .bind(claimer)
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn reminder_outbox(&self, user_id: Option<&str>) -> StoreResult<Vec<OutboxEntry>> {
        Ok(sqlx::query_as::<_, OutboxEntry>(
            "SELECT id, dedupe_key, user_id, kind, local_date, attempts, next_attempt_at, sent_at,
                    gave_up_at, last_error
             FROM reminder_outbox WHERE ($1 IS NULL OR user_id = $1)
             ORDER BY created_at, id LIMIT 10000",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?)
    }

    // Calendar feed

    pub async fn calendar_feed(&self, user_id: &str) -> StoreResult<Option<CalendarFeed>> {
        Ok(sqlx::query_as::<_, CalendarFeed>(
            "SELECT user_id, detailed, created_at FROM calendar_feeds WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.read)
        .await?)
    }

    /// A new secret for the person's feed; the old link stops working.
    pub async fn set_calendar_feed(
        &self,
        user_id: &str,
        token_hash: &str,
        detailed: bool,
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, token_hash, detailed, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,
                 detailed = excluded.detailed, created_at = excluded.created_at",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(detailed)
        .bind(now)
        .execute(&self.write)
        .await
        .map_err(map_unique)?;
        Ok(())
    }

    pub async fn set_calendar_detail(&self, user_id: &str, detailed: bool) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE calendar_feeds SET detailed = $2 WHERE user_id = $1")
            .bind(user_id)
            .bind(detailed)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn revoke_calendar_feed(&self, user_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn calendar_feed_user(&self, token_hash: &str) -> StoreResult<Option<(User, bool)>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.time_zone, u.created_at, f.detailed
             FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((
                User {
                    id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    display_name: row.try_get("display_name")?,
                    time_zone: row.try_get("time_zone")?,
                    created_at: row.try_get("created_at")?,
                },
                row.try_get("detailed")?,
            ))),
        }
    }
}
