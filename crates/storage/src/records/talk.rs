//! Rows of the talk room (migration 0005).

use crate::direct::direct_row;
use crate::{CoupleId, TalkId, UserId};
use rekindle_domain::talk::Phase;

/// A talk as listed; its log is in `talk_events`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TalkRow {
    pub id: TalkId,
    pub couple_id: Option<CoupleId>,
    pub requested_by: UserId,
    pub partner_id: UserId,
    pub topic: String,
    #[sqlx(try_from = "String")]
    pub phase: Phase,
    pub scheduled_at: Option<i64>,
    pub began_at: Option<i64>,
    pub last_seq: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

direct_row!(TalkRow {
    id, couple_id, requested_by, partner_id, topic, phase: via String,
    scheduled_at, began_at, last_seq, created_at, updated_at,
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTalk {
    pub id: TalkId,
    pub couple_id: CoupleId,
    pub requested_by: UserId,
    pub partner_id: UserId,
    pub topic: String,
    pub created_at: i64,
}

/// One event to append (its seq is given by the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTalkEvent {
    pub at: i64,
    pub by_user: UserId,
    pub kind: String,
    /// JSON of `rekindle_domain::talk::Event`.
    pub body: String,
    pub mark: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TalkEventRow {
    pub talk_id: TalkId,
    pub seq: i64,
    pub at: i64,
    pub by_user: UserId,
    pub kind: String,
    pub body: String,
}

direct_row!(TalkEventRow {
    talk_id,
    seq,
    at,
    by_user,
    kind,
    body
});

/// What the talks table keeps in step with the log after an append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalkSummary {
    pub phase: Phase,
    pub scheduled_at: Option<i64>,
    pub began_at: Option<i64>,
}

/// The couple's current ground rules and who accepted this version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroundRules {
    pub version: i64,
    pub body: String,
    pub min_time_out: i64,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub accepted_by: Vec<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reflection {
    pub talk_id: TalkId,
    pub user_id: UserId,
    pub understood: String,
    pub feel_now: String,
    pub shared: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

direct_row!(Reflection {
    talk_id,
    user_id,
    understood,
    feel_now,
    shared,
    created_at,
    updated_at
});

/// One private flooding check (migration 0013): only its author ever reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CalmReading {
    pub talk_id: TalkId,
    pub user_id: UserId,
    /// `rekindle_domain::talk::CalmMoment` as text: before, floor-<n>, after.
    pub moment: String,
    pub value: i64,
    pub at: i64,
}

direct_row!(CalmReading {
    talk_id,
    user_id,
    moment,
    value,
    at
});

/// One one-line note in a talk held aloud (migration 0016): read only by its
/// author; `shared_at` is set once the author shared it with the partner.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TalkNote {
    pub id: String,
    pub talk_id: TalkId,
    pub author_id: UserId,
    pub body: String,
    pub created_at: i64,
    pub shared_at: Option<i64>,
}
