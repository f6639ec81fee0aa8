//! The counselor hand-off.

use crate::{CoupleId, UserId};
use rekindle_domain::handoff::Approval;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffState {
    pub version: i64,
    /// (item key, who chose it), oldest first.
    pub items: Vec<(String, UserId)>,
    pub approvals: Vec<Approval>,
    /// The content both approved (JSON), once final.
    pub final_content: Option<String>,
    pub final_version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApproveOutcome {
    /// Recorded; `now_final` when this made the summary final.
    Approved { now_final: bool },
    /// The version approved is not current.
    Stale { current: i64 },
    /// The same version, but what it shows changed since the partner approved:
    /// the version moved on and both approvals were cleared.
    Changed { current: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HandoffLink {
    pub id: String,
    pub created_by: UserId,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// One partner's approval of the summary as they saw it.
#[derive(Debug, Clone)]
pub struct NewHandoffApproval {
    pub couple: CoupleId,
    pub user: UserId,
    pub partner: UserId,
    pub version: i64,
    /// SHA-256 of `content`.
    pub digest: String,
    /// The summary's content as JSON.
    pub content: String,
    pub now: i64,
}
