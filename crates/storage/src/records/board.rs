//! The problem board.

use crate::direct::direct_row;
use crate::{AgreementId, CoupleId, OptionId, ProblemId, UserId};
use rekindle_domain::board::{AgreementStatus, Stage, Worked};

/// A problem on the couple's board.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardProblem {
    pub id: ProblemId,
    /// `None` once the pair that worked on it split up.
    pub couple_id: Option<CoupleId>,
    pub proposed_by: Option<UserId>,
    /// Empty for a viewer who may no longer see it (a problem of an earlier space they did not propose).
    pub title: String,
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    pub round: i64,
    pub talk_requested_by: Option<UserId>,
    pub talk_requested_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

direct_row!(BoardProblem {
    id, couple_id, proposed_by, title, stage: via String, round,
    talk_requested_by, talk_requested_at, created_at, updated_at,
});

#[derive(Debug, Clone)]
pub struct NewProblem {
    pub id: ProblemId,
    pub title: String,
    pub created_at: i64,
}

/// A stage change, applied only if the problem is still where the caller saw it.
#[derive(Debug, Clone)]
pub struct BoardMove<'a> {
    pub id: &'a ProblemId,
    pub from_stage: Stage,
    pub round: i64,
    pub to_stage: Stage,
    pub to_round: i64,
    /// Record the viewer as the partner who asked to talk first.
    pub talk: bool,
    pub now: i64,
}

/// An idea the viewer may see: their own, or the partner's once it is no longer sealed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardOption {
    pub id: OptionId,
    pub problem_id: ProblemId,
    pub author_id: UserId,
    pub round: i64,
    pub sealed: bool,
    pub combined_from: String,
    pub body: String,
    pub created_at: i64,
}

direct_row!(BoardOption {
    id,
    problem_id,
    author_id,
    round,
    sealed,
    combined_from,
    body,
    created_at,
});

#[derive(Debug, Clone)]
pub struct NewOption {
    pub id: OptionId,
    pub problem_id: ProblemId,
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
    pub option_id: OptionId,
    pub user_id: UserId,
    pub round: i64,
    pub rating: i64,
    pub created_at: i64,
}

direct_row!(BoardRating {
    option_id,
    user_id,
    round,
    rating,
    created_at
});

/// Who said "done adding ideas" in a round, as the viewer may learn it: the
/// partner's flag is returned only once the viewer is done too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BoardDone {
    pub me: bool,
    pub partner: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardAgreement {
    pub id: AgreementId,
    pub problem_id: ProblemId,
    pub option_id: Option<OptionId>,
    pub round: i64,
    pub body: String,
    pub trial_days: i64,
    pub proposed_by: Option<UserId>,
    pub proposed_at: i64,
    pub confirmed_by: Option<UserId>,
    pub confirmed_at: Option<i64>,
    pub follow_up_at: Option<i64>,
    #[sqlx(try_from = "String")]
    pub status: AgreementStatus,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewAgreement {
    pub id: AgreementId,
    pub problem_id: ProblemId,
    pub option_id: OptionId,
    pub round: i64,
    pub body: String,
    pub trial_days: i64,
    pub proposed_at: i64,
}

/// A follow-up answer the viewer may see: their own, or the partner's once both answered.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardFollowUp {
    pub agreement_id: AgreementId,
    pub user_id: UserId,
    #[sqlx(try_from = "String")]
    pub worked: Worked,
    pub note: String,
    pub created_at: i64,
}

/// How a follow-up ends: the agreement's new status and the problem's next stage.
#[derive(Debug, Clone)]
pub struct BoardDecision {
    pub agreement_id: AgreementId,
    pub agreement_status: AgreementStatus,
    pub next_stage: Stage,
    pub new_round: bool,
    pub at: i64,
}
