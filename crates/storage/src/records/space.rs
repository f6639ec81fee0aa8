//! The couple's space, who is asking, and the home page's summary.

use crate::{CoupleId, UserId};

use super::{CheckinSchedule, User};

/// The space a person belongs to, seen from that person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space {
    pub couple_id: CoupleId,
    pub joined_at: i64,
    pub partner: Option<User>,
    /// Paused for safety. Both partners see only this flag…
    pub paused: bool,
    /// …and only the person who paused learns it was them (so they can resume).
    pub paused_by_me: bool,
}

/// Who is asking for content. Built from the session, never from request input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: UserId,
    pub couple_id: Option<CoupleId>,
    pub partner_id: Option<UserId>,
}

impl Viewer {
    pub fn new(user_id: &UserId, space: Option<&Space>) -> Self {
        Viewer {
            user_id: user_id.clone(),
            couple_id: space.map(|s| s.couple_id.clone()),
            partner_id: space.and_then(|s| s.partner.as_ref().map(|p| p.id.clone())),
        }
    }
}

/// What the home page shows about one person, read at once.
#[derive(Debug, Clone)]
pub struct HomeSummary {
    pub space: Option<Space>,
    pub safety_check_taken: bool,
    pub safety_offer_postponed_until: Option<i64>,
    pub partner_left: bool,
    /// The space's latest asked question and whether this person answered it.
    pub latest_question: Option<(crate::AskedQuestion, bool)>,
    /// The couple's check-in rhythm, once one was stored.
    pub checkin_schedule: Option<CheckinSchedule>,
}
