//! The board in a person's export: every problem they can see, with their own
//! ideas, ratings and answers and what the partner revealed to them.

use rekindle_storage::Viewer;

use crate::http::error::AppError;
use crate::state::AppState;

#[derive(serde::Serialize)]
pub struct ExportProblem {
    pub id: String,
    /// Empty for a problem of an earlier space that the other partner proposed.
    pub title: String,
    pub stage: String,
    pub proposed_by: Option<&'static str>,
    pub in_current_space: bool,
    pub created_at: String,
    pub options: Vec<ExportOption>,
    pub ratings: Vec<ExportRating>,
    pub agreements: Vec<ExportAgreement>,
}

#[derive(serde::Serialize)]
pub struct ExportOption {
    pub id: String,
    pub by: &'static str,
    pub body: String,
    pub compromise: bool,
    pub round: i64,
    pub created_at: String,
}

#[derive(serde::Serialize)]
pub struct ExportRating {
    pub option_id: String,
    pub by: &'static str,
    pub round: i64,
    pub rating: i64,
}

#[derive(serde::Serialize)]
pub struct ExportAgreement {
    pub id: String,
    pub body: String,
    pub status: String,
    pub trial_days: i64,
    pub agreed_at: Option<String>,
    pub follow_up_at: Option<String>,
    pub decided_at: Option<String>,
    pub follow_ups: Vec<ExportFollowUp>,
}

#[derive(serde::Serialize)]
pub struct ExportFollowUp {
    pub by: &'static str,
    pub worked: String,
    pub note: String,
    pub answered_at: String,
}

/// One problem of a space that ended, as this person keeps it (for its page).
pub async fn earlier_problem(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<Option<ExportProblem>, AppError> {
    if id.len() > 64
        || !super::earlier(state, viewer)
            .await?
            .iter()
            .any(|p| p.id.as_str() == id)
    {
        return Ok(None);
    }
    Ok(export(state, viewer)
        .await?
        .into_iter()
        .find(|p| p.id == id))
}

/// Everything on the board the person wrote or may see, through the same
/// queries as the pages: nothing sealed or unrevealed is included.
pub async fn export(state: &AppState, viewer: &Viewer) -> Result<Vec<ExportProblem>, AppError> {
    use crate::view::format::iso;
    let by = |id: &str| {
        if id == viewer.user_id {
            "me"
        } else {
            "partner"
        }
    };
    let mut out = Vec::new();
    for p in state.repo.board_problems(viewer, true).await? {
        let options = state.repo.board_options(viewer, &p.id).await?;
        let ratings = state.repo.board_ratings(viewer, &p.id, None).await?;
        let mut agreements = Vec::new();
        for a in state.repo.board_agreements(viewer, &p.id).await? {
            let answers = state.repo.board_followups(viewer, &a.id).await?;
            agreements.push(ExportAgreement {
                follow_ups: answers
                    .iter()
                    .map(|f| ExportFollowUp {
                        by: by(&f.user_id),
                        worked: f.worked.as_str().to_owned(),
                        note: f.note.clone(),
                        answered_at: iso(f.created_at),
                    })
                    .collect(),
                id: a.id.into(),
                body: a.body,
                status: a.status.as_str().into(),
                trial_days: a.trial_days,
                agreed_at: a.confirmed_at.map(iso),
                follow_up_at: a.follow_up_at.map(iso),
                decided_at: a.decided_at.map(iso),
            });
        }
        out.push(ExportProblem {
            in_current_space: p.couple_id.is_some() && p.couple_id == viewer.couple_id,
            proposed_by: p.proposed_by.as_deref().map(by),
            id: p.id.into(),
            title: p.title,
            stage: p.stage.as_str().into(),
            created_at: iso(p.created_at),
            options: options
                .into_iter()
                .map(|o| ExportOption {
                    by: by(&o.author_id),
                    compromise: !o.sealed,
                    id: o.id.into(),
                    body: o.body,
                    round: o.round,
                    created_at: iso(o.created_at),
                })
                .collect(),
            ratings: ratings
                .into_iter()
                .map(|r| ExportRating {
                    by: by(&r.user_id),
                    option_id: r.option_id.into(),
                    round: r.round,
                    rating: r.rating,
                })
                .collect(),
            agreements,
        });
    }
    Ok(out)
}
