//! Appreciations: a quick note of something a person appreciated about their
//! partner, a private draft until sent; the partner may keep the ones that
//! mattered. The rules are `rekindle_domain::appreciation`; the privacy rule
//! lives in the storage queries. Nothing here counts or keeps a streak.

use rekindle_domain::appreciation::{self as rules, Refusal, TextError};
use rekindle_domain::waiting::WaitingKind;
use rekindle_storage::{Appreciation, AppreciationId, Space, UserId, Viewer};

use crate::http::error::AppError;
use crate::http::secrets::new_id;
use crate::state::AppState;

pub mod api;
pub mod page;

/// What sending needs, in the tool's own words.
const FOR_TWO: &str =
    "Your partner has not joined yet. Keep it as a draft; you can send it once they are here.";

pub use crate::coach::notes::CoachNote;

/// The coach's problem findings and the hidden barbs of a thank you, in text
/// order. Advice only: sending is never blocked.
pub fn coach_notes(text: &str) -> Vec<CoachNote> {
    let mut notes = crate::coach::notes::problem_notes(text);
    for b in rules::hidden_barbs(text) {
        if !notes.iter().any(|n| n.start < b.end && b.start < n.end) {
            notes.push(CoachNote {
                kind: "hidden_barb".into(),
                start: b.start,
                end: b.end,
                excerpt: b.words,
                explanation: b.explanation.into(),
            });
        }
    }
    notes.sort_by_key(|n| (n.start, n.end));
    notes
}

fn text_error(e: TextError) -> AppError {
    AppError::field("body", e.message())
}

fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::NotTheAuthor | Refusal::NotTheirs => AppError::NotFound,
        Refusal::AlreadySent => {
            AppError::Conflict("It is already sent, so it stays as your partner read it.".into())
        }
    }
}

/// Writes a new appreciation: a private draft, sent at once when `send`.
pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    body: &str,
    send: bool,
) -> Result<Appreciation, AppError> {
    let body = rules::check_text(body).map_err(text_error)?;
    if send {
        crate::space::require_pair(space, FOR_TWO)?;
    }
    let id: AppreciationId = new_id().into();
    let now = state.clock().now_ms();
    state
        .repo
        .create_appreciation(&id, &viewer.user_id, &body, now)
        .await?;
    if send {
        state.repo.send_appreciation(viewer, &id, now).await?;
    }
    load(state, viewer, &id).await
}

pub async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: &AppreciationId,
) -> Result<Appreciation, AppError> {
    state
        .repo
        .appreciation_for(viewer, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes a draft's words (its author only).
pub async fn edit(
    state: &AppState,
    viewer: &Viewer,
    id: &AppreciationId,
    body: &str,
) -> Result<Appreciation, AppError> {
    let current = load(state, viewer, id).await?;
    rules::may_edit(current.status, &current.author_id, &viewer.user_id).map_err(refusal)?;
    let body = rules::check_text(body).map_err(text_error)?;
    if !state
        .repo
        .update_appreciation(&viewer.user_id, id, &body, state.clock().now_ms())
        .await?
    {
        return Err(AppError::NotFound);
    }
    load(state, viewer, id).await
}

/// Sends a draft to the partner.
pub async fn send(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    id: &AppreciationId,
) -> Result<Appreciation, AppError> {
    let current = load(state, viewer, id).await?;
    rules::may_edit(current.status, &current.author_id, &viewer.user_id).map_err(refusal)?;
    crate::space::require_pair(space, FOR_TWO)?;
    if !state
        .repo
        .send_appreciation(viewer, id, state.clock().now_ms())
        .await?
    {
        return Err(AppError::NotFound);
    }
    load(state, viewer, id).await
}

/// The partner keeps one that mattered (or lets it go again).
pub async fn keep(
    state: &AppState,
    viewer: &Viewer,
    id: &AppreciationId,
    kept: bool,
) -> Result<Appreciation, AppError> {
    let current = load(state, viewer, id).await?;
    rules::may_keep(current.status, &current.author_id, &viewer.user_id).map_err(|r| match r {
        Refusal::NotTheirs if current.author_id == viewer.user_id => {
            AppError::Conflict("Keeping is for the partner it was sent to.".into())
        }
        other => refusal(other),
    })?;
    if !state.repo.set_appreciation_kept(viewer, id, kept).await? {
        return Err(AppError::NotFound);
    }
    load(state, viewer, id).await
}

pub async fn delete(state: &AppState, user: &UserId, id: &AppreciationId) -> Result<(), AppError> {
    if state.repo.delete_appreciation(user, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The person looked at their appreciations: the ones their partner sent stop
/// waiting, and so does today's prompt.
pub async fn opened(
    state: &AppState,
    viewer: &Viewer,
    list: &[Appreciation],
) -> Result<(), AppError> {
    for a in list {
        if a.author_id != viewer.user_id {
            crate::waiting::seen(
                state,
                &viewer.user_id,
                viewer.couple_id.as_ref(),
                WaitingKind::Appreciation,
                &a.id,
            )
            .await?;
        }
    }
    Ok(())
}

/// Sets today's prompt aside (it asks again on the next prompt day).
pub async fn set_prompt_aside(state: &AppState, viewer: &Viewer) -> Result<(), AppError> {
    let items = crate::waiting::items_for(state, &viewer.user_id).await?;
    for i in items
        .into_iter()
        .filter(|i| i.kind == WaitingKind::AppreciationPrompt)
    {
        let record = i.key.trim_start_matches("appreciation_prompt:").to_owned();
        crate::waiting::seen(
            state,
            &viewer.user_id,
            viewer.couple_id.as_ref(),
            WaitingKind::AppreciationPrompt,
            &record,
        )
        .await?;
    }
    Ok(())
}

/// What the person sent their partner in the past week, in their current space:
/// the check-in's appreciation part offers these beside its own field.
pub async fn sent_this_week(state: &AppState, viewer: &Viewer) -> Result<Vec<String>, AppError> {
    if viewer.partner_id.is_none() {
        return Ok(Vec::new());
    }
    let since = state.clock().now_ms() - rules::WEEK_MS;
    Ok(state
        .repo
        .appreciations_for(viewer)
        .await?
        .into_iter()
        .filter(|a| {
            a.author_id == viewer.user_id
                && a.status == rules::Status::Sent
                && !a.from_before
                && a.sent_at.is_some_and(|t| t >= since)
        })
        .map(|a| a.body)
        .collect())
}
