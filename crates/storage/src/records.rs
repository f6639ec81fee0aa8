//! Rows as the rest of the application sees them.

use rekindle_domain::Visibility;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub time_zone: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub time_zone: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: String,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A live session with the person it belongs to.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub csrf_token: String,
    pub expires_at: i64,
    pub user: User,
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The space a person belongs to, seen from that person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space {
    pub couple_id: String,
    pub joined_at: i64,
    pub partner: Option<User>,
    /// Paused for safety. Both partners see only this flag…
    pub paused: bool,
    /// …and only the person who paused learns it was them (so they can resume).
    pub paused_by_me: bool,
}

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub id: String,
    pub couple_id: String,
    pub code_hash: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invitation {
    pub id: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What the join page may show before someone accepts: only who invited them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationPreview {
    pub inviter_name: String,
    pub valid: bool,
}

/// Who is asking for content. Built from the session, never from request input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub couple_id: Option<String>,
    pub partner_id: Option<String>,
}

impl Viewer {
    pub fn new(user_id: &str, space: Option<&Space>) -> Self {
        Viewer {
            user_id: user_id.to_owned(),
            couple_id: space.map(|s| s.couple_id.clone()),
            partner_id: space.and_then(|s| s.partner.as_ref().map(|p| p.id.clone())),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewEntry {
    pub id: String,
    pub owner_id: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub owner_id: String,
    pub visibility: Visibility,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EntryRow {
    pub id: String,
    pub owner_id: String,
    pub visibility: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<EntryRow> for Entry {
    fn from(r: EntryRow) -> Self {
        Entry {
            id: r.id,
            owner_id: r.owner_id,
            // The column has a CHECK constraint; anything unexpected stays private.
            visibility: Visibility::parse(&r.visibility).unwrap_or(Visibility::Private),
            title: r.title,
            body: r.body,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A question asked of a couple.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AskedQuestion {
    pub id: String,
    pub question_id: String,
    pub released_at: i64,
}

/// An answer the viewer may see: their own, or their partner's once the viewer
/// has answered (a passed answer carries no text).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VisibleAnswer {
    pub id: String,
    pub couple_question_id: String,
    pub user_id: String,
    pub body: String,
    pub skipped: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reaction {
    pub answer_id: String,
    pub user_id: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reply {
    pub id: String,
    pub couple_question_id: String,
    pub user_id: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub id: String,
    pub couple_question_id: String,
    /// Empty when skipped.
    pub body: String,
    pub skipped: bool,
    pub created_at: i64,
}

/// A couple's check-in rhythm as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckinSchedule {
    /// weekly | fortnightly | monthly
    pub rhythm: String,
    /// 0 Monday … 6 Sunday
    pub weekday: i64,
    pub hour: i64,
    /// When the rhythm was chosen.
    pub anchor_at: i64,
}

/// A check-in of a couple. `completed_at` is set once both partners submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkin {
    pub id: String,
    pub opened_at: i64,
    pub closes_at: i64,
    pub completed_at: Option<i64>,
    /// It belongs to the viewer's current space (not to an earlier one).
    pub in_space: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CheckinRow {
    pub id: String,
    pub opened_at: i64,
    pub closes_at: i64,
    pub completed_at: Option<i64>,
    pub in_space: i64,
}

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
    pub id: String,
    pub opened_at: i64,
    pub closes_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub id: String,
    pub checkin_id: String,
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
    pub checkin_id: String,
    pub user_id: String,
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
    pub checkin_id: String,
    pub user_id: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewScreen {
    pub id: String,
    pub user_id: String,
    pub answers: [i64; 4],
    pub total: i64,
    pub positive: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Screen {
    pub id: String,
    pub hurt: i64,
    pub insult: i64,
    pub threaten: i64,
    pub scream: i64,
    pub total: i64,
    pub positive: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notice {
    pub id: String,
    pub kind: String,
    pub created_at: i64,
}

/// What the home page shows about one person, read at once.
#[derive(Debug, Clone)]
pub struct HomeSummary {
    pub space: Option<Space>,
    pub facts: rekindle_domain::journey::Facts,
    pub safety_check_taken: bool,
    pub safety_offer_postponed_until: Option<i64>,
    pub partner_left: bool,
    /// The couple's check-in rhythm, once one was stored.
    pub checkin_schedule: Option<CheckinSchedule>,
}

// Problem board ------------------------------------------------------------------

/// A problem on the couple's board.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardProblem {
    pub id: String,
    /// `None` once the pair that worked on it split up.
    pub couple_id: Option<String>,
    pub proposed_by: Option<String>,
    /// Empty for a viewer who may no longer see it (a problem of an earlier space they did not propose).
    pub title: String,
    pub stage: String,
    pub round: i64,
    pub talk_requested_by: Option<String>,
    pub talk_requested_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewProblem {
    pub id: String,
    pub title: String,
    pub created_at: i64,
}

/// A stage change, applied only if the problem is still where the caller saw it.
#[derive(Debug, Clone)]
pub struct BoardMove<'a> {
    pub id: &'a str,
    pub from_stage: &'a str,
    pub round: i64,
    pub to_stage: &'a str,
    pub to_round: i64,
    /// Record the viewer as the partner who asked to talk first.
    pub talk: bool,
    pub now: i64,
}

/// An idea the viewer may see: their own, or the partner's once it is no longer sealed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardOption {
    pub id: String,
    pub problem_id: String,
    pub author_id: String,
    pub round: i64,
    pub sealed: bool,
    pub combined_from: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewOption {
    pub id: String,
    pub problem_id: String,
    /// The round the problem must be in (checked in the same statement).
    pub round: i64,
    /// Brainstorm ideas are sealed; compromises are not.
    pub sealed: bool,
    pub combined_from: String,
    pub body: String,
    pub created_at: i64,
}

/// A rating the viewer may see: their own, or the partner's once both rated that option.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardRating {
    pub option_id: String,
    pub user_id: String,
    pub round: i64,
    pub rating: i64,
    pub created_at: i64,
}

/// Who said "done adding ideas" in a round, as the viewer may learn it: the
/// partner's flag is returned only once the viewer is done too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BoardDone {
    pub me: bool,
    pub partner: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardAgreement {
    pub id: String,
    pub problem_id: String,
    pub option_id: Option<String>,
    pub round: i64,
    pub body: String,
    pub trial_days: i64,
    pub proposed_by: Option<String>,
    pub proposed_at: i64,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<i64>,
    pub follow_up_at: Option<i64>,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewAgreement {
    pub id: String,
    pub problem_id: String,
    pub option_id: String,
    pub round: i64,
    pub body: String,
    pub trial_days: i64,
    pub proposed_at: i64,
}

/// A follow-up answer the viewer may see: their own, or the partner's once both answered.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardFollowUp {
    pub agreement_id: String,
    pub user_id: String,
    pub worked: String,
    pub note: String,
    pub created_at: i64,
}

/// How a follow-up ends: the agreement's new status and the problem's next stage.
#[derive(Debug, Clone)]
pub struct BoardDecision {
    pub agreement_id: String,
    pub agreement_status: String,
    pub next_stage: String,
    pub new_round: bool,
    pub at: i64,
}
