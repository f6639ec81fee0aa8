//! Check-ins: the rhythm, the meetings and the submissions.

use crate::direct::direct_row;
use crate::{CheckinId, UserId};
use rekindle_domain::checkin::Rhythm;

/// A couple's check-in rhythm as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckinSchedule {
    /// weekly | fortnightly | monthly
    #[sqlx(try_from = "String")]
    pub rhythm: Rhythm,
    /// 0 Monday … 6 Sunday
    pub weekday: i64,
    pub hour: i64,
    /// When the rhythm was chosen.
    pub anchor_at: i64,
}

direct_row!(CheckinSchedule { rhythm: via String, weekday, hour, anchor_at });

/// A check-in of a couple. `completed_at` is set once both partners submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkin {
    pub id: CheckinId,
    pub opened_at: i64,
    pub closes_at: i64,
    pub completed_at: Option<i64>,
    /// It belongs to the viewer's current space (not to an earlier one).
    pub in_space: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CheckinRow {
    pub id: CheckinId,
    pub opened_at: i64,
    pub closes_at: i64,
    pub completed_at: Option<i64>,
    pub in_space: i64,
}

direct_row!(CheckinRow {
    id,
    opened_at,
    closes_at,
    completed_at,
    in_space
});

impl From<CheckinRow> for Checkin {
    fn from(r: CheckinRow) -> Self {
        Checkin {
            id: r.id,
            opened_at: r.opened_at,
            closes_at: r.closes_at,
            completed_at: r.completed_at,
            in_space: r.in_space == 1,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewCheckin {
    pub id: CheckinId,
    pub opened_at: i64,
    pub closes_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub id: String,
    pub checkin_id: CheckinId,
    pub scores: rekindle_domain::checkin::Scores,
    pub appreciation: String,
    pub went_well: String,
    pub topic: String,
    pub scores_private: bool,
    pub created_at: i64,
}

/// A submission the viewer may see: their own, or their current partner's once
/// the viewer has submitted too. The numbers are `None` when the author kept
/// them private and the viewer is not the author: the query never returns them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VisibleSubmission {
    pub id: String,
    pub checkin_id: CheckinId,
    pub user_id: UserId,
    pub csi1: Option<i64>,
    pub csi2: Option<i64>,
    pub csi3: Option<i64>,
    pub csi4: Option<i64>,
    pub tech1: Option<i64>,
    pub tech2: Option<i64>,
    pub tech3: Option<i64>,
    pub tech4: Option<i64>,
    pub hours_together: Option<i64>,
    pub hours_device_free: Option<i64>,
    pub appreciation: String,
    pub went_well: String,
    pub topic: String,
    pub scores_private: bool,
    pub created_at: i64,
}

direct_row!(VisibleSubmission {
    id,
    checkin_id,
    user_id,
    csi1,
    csi2,
    csi3,
    csi4,
    tech1,
    tech2,
    tech3,
    tech4,
    hours_together,
    hours_device_free,
    appreciation,
    went_well,
    topic,
    scores_private,
    created_at,
});

impl VisibleSubmission {
    /// The numbers, when the viewer may see them.
    pub fn scores(&self) -> Option<rekindle_domain::checkin::Scores> {
        let small = |v: Option<i64>| v.and_then(|v| u8::try_from(v).ok());
        let hours = |v: Option<i64>| v.and_then(|v| u16::try_from(v).ok());
        Some(rekindle_domain::checkin::Scores {
            csi: [
                small(self.csi1)?,
                small(self.csi2)?,
                small(self.csi3)?,
                small(self.csi4)?,
            ],
            tech: [
                small(self.tech1)?,
                small(self.tech2)?,
                small(self.tech3)?,
                small(self.tech4)?,
            ],
            hours_together: hours(self.hours_together)?,
            hours_device_free: hours(self.hours_device_free)?,
        })
    }
}

/// One partner's answer to the meeting's closing question.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LovedAnswer {
    pub checkin_id: CheckinId,
    pub user_id: UserId,
    pub body: String,
    pub created_at: i64,
}

direct_row!(LovedAnswer {
    checkin_id,
    user_id,
    body,
    created_at
});
