//! Invitations into a space and joining through one (the rules are `check_join`'s).

use crate::{CoupleId, InvitationId, UserId};
use sqlx::Row;

use super::{IS_PG, Store};
use crate::records::*;
use crate::{StoreError, StoreResult, map_unique};
use rekindle_domain::invitation::{InvitationState, JoinAttempt, JoinRefusal, check_join};

impl Store {
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
        couple_id: &CoupleId,
        now: i64,
    ) -> StoreResult<Vec<Invitation>> {
        Ok(sqlx::query_as::<_, Invitation>(
            "SELECT id, created_by, created_at, expires_at FROM invitations
             WHERE couple_id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
             ORDER BY created_at DESC, id",
        )
        .bind(couple_id)
        .bind(now)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    pub async fn revoke_invitation(
        &self,
        couple_id: &CoupleId,
        invitation_id: &InvitationId,
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
        now: i64,
    ) -> StoreResult<Option<InvitationPreview>> {
        let row = sqlx::query(
            "SELECT u.display_name, i.expires_at, i.used_at, i.revoked_at
             FROM invitations i JOIN users u ON u.id = i.created_by WHERE i.code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let used: Option<i64> = row.try_get("used_at")?;
        let revoked: Option<i64> = row.try_get("revoked_at")?;
        let expires_at: i64 = row.try_get("expires_at")?;
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
        user_id: &UserId,
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
        let couple_id: CoupleId = inv.try_get("couple_id")?;
        let created_by: UserId = inv.try_get("created_by")?;
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
            joiner_is_inviter: &created_by == user_id,
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
}
