//! The journal: private entries, shared with the partner on request.

use rekindle_storage::{EntryId, NewEntry, Space, Viewer};

use crate::http::error::{AppError, FieldErrors};
use crate::http::secrets::new_id;
use crate::state::AppState;

pub mod api;
pub mod page;

pub const TITLE_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 20_000;

pub fn check_entry(title: &str, body: &str) -> Result<(String, String), AppError> {
    let mut errors = FieldErrors::new();
    let title = title.trim();
    if title.chars().count() > TITLE_MAX_CHARS {
        errors.insert("title", "Keep the title under 200 characters.".into());
    }
    if body.trim().is_empty() {
        errors.insert(
            "body",
            "Write something first; even a line is enough.".into(),
        );
    }
    if body.chars().count() > BODY_MAX_CHARS {
        errors.insert(
            "body",
            "An entry can hold up to 20,000 characters. Split it in two?".into(),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok((title.to_owned(), body.to_owned()))
}

pub async fn create_entry(
    state: &AppState,
    owner: &str,
    title: &str,
    body: &str,
) -> Result<rekindle_storage::Entry, AppError> {
    let (title, body) = check_entry(title, body)?;
    Ok(state
        .repo
        .create_entry(&NewEntry {
            id: new_id().into(),
            owner_id: owner.into(),
            title,
            body,
            created_at: state.clock().now_ms(),
        })
        .await?)
}

/// Shares an entry with the partner or makes it private again (owner only;
/// `false` when the viewer owns no such entry). Sharing needs a space and waits
/// while it is paused; taking back always works.
pub async fn set_shared(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    id: &str,
    shared: bool,
) -> Result<bool, AppError> {
    crate::space::may_share(space, shared)?;
    Ok(state
        .repo
        .set_entry_visibility(viewer, &EntryId::from(id), shared, state.clock().now_ms())
        .await?)
}

/// The person opened an entry: if their partner shared it, it stops waiting.
pub async fn opened(
    state: &AppState,
    viewer: &rekindle_storage::Viewer,
    entry: &rekindle_storage::Entry,
) -> Result<(), AppError> {
    if entry.owner_id != viewer.user_id {
        crate::waiting::seen(
            state,
            &viewer.user_id,
            viewer.couple_id.as_ref(),
            rekindle_domain::waiting::WaitingKind::SharedEntry,
            &entry.id,
        )
        .await?;
    }
    Ok(())
}
