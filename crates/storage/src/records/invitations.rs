//! Invitations into a space.

use crate::{CoupleId, InvitationId, UserId};
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub id: InvitationId,
    pub couple_id: CoupleId,
    pub code_hash: String,
    pub created_by: UserId,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invitation {
    pub id: InvitationId,
    pub created_by: UserId,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What the join page may show before someone accepts: only who invited them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationPreview {
    pub inviter_name: String,
    pub valid: bool,
}
