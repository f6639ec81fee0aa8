//! Questions for two: asked questions, answers, reactions and replies.

use crate::direct::direct_row;
use crate::{AnswerId, AskedQuestionId, CoupleId, UserId};
/// A question asked of a couple.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AskedQuestion {
    pub id: AskedQuestionId,
    pub question_id: String,
    pub released_at: i64,
    /// The space it was asked in; `None` once that pair ended (a partner left
    /// or erased their account): the person keeps only their own answer.
    pub couple_id: Option<CoupleId>,
}

direct_row!(AskedQuestion {
    id,
    question_id,
    released_at,
    couple_id
});

/// An answer the viewer may see: their own, or their partner's once the viewer
/// has answered (a passed answer carries no text).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VisibleAnswer {
    pub id: AnswerId,
    pub couple_question_id: AskedQuestionId,
    pub user_id: UserId,
    pub body: String,
    pub skipped: bool,
    pub created_at: i64,
}

direct_row!(VisibleAnswer {
    id,
    couple_question_id,
    user_id,
    body,
    skipped,
    created_at
});

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reaction {
    pub answer_id: AnswerId,
    pub user_id: UserId,
    pub kind: String,
}

direct_row!(Reaction {
    answer_id,
    user_id,
    kind
});

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reply {
    pub id: String,
    pub couple_question_id: AskedQuestionId,
    pub user_id: UserId,
    pub body: String,
    pub created_at: i64,
}

direct_row!(Reply {
    id,
    couple_question_id,
    user_id,
    body,
    created_at
});

#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub id: AnswerId,
    pub couple_question_id: AskedQuestionId,
    /// Empty when skipped.
    pub body: String,
    pub skipped: bool,
    pub created_at: i64,
}
