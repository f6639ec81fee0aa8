//! The shared space: creating it, inviting the partner, joining, leaving, and who
//! is looking at what (the viewer every tool's queries are made for).

use rekindle_domain::invitation::INVITATION_TTL_SECS;
use rekindle_domain::space::{self as rules, Closed, SpaceState};
use rekindle_storage::{NewInvitation, Space, UserId, Viewer};

use crate::http::error::AppError;
use crate::http::secrets::{digest, new_id, random_token};
use crate::http::sessions::Place;
use crate::state::AppState;

pub mod api;
pub mod page;

/// Leaves the space; `false` when the person had none. Talks of the couple
/// close, so this server stops holding them in memory.
pub async fn leave_space(state: &AppState, user_id: &UserId) -> Result<bool, AppError> {
    let space = state.repo.space_of(user_id).await?;
    let left = state
        .repo
        .leave_space(user_id, state.clock().now_ms())
        .await?;
    if let Some(space) = space {
        state.live_talks.forget_couple(&space.couple_id);
    }
    Ok(left)
}

pub async fn create_space(state: &AppState, user_id: &UserId) -> Result<Space, AppError> {
    state
        .repo
        .create_space(&new_id().into(), user_id, state.clock().now_ms())
        .await
        .map_err(|e| match e {
            rekindle_storage::StoreError::Conflict => AppError::Conflict(
                "You already share a space. Leave it in Settings before starting another.".into(),
            ),
            other => other.into(),
        })
}

pub struct NewLink {
    pub id: String,
    pub code: String,
    pub expires_at: i64,
}

/// A single-use invitation code with 128 bits of entropy; only its digest is kept.
pub async fn invite(state: &AppState, user_id: &UserId) -> Result<NewLink, AppError> {
    let space = state.repo.space_of(user_id).await?.ok_or_else(|| {
        AppError::Conflict("Create your space first, then invite your partner.".into())
    })?;
    if space.partner.is_some() {
        return Err(AppError::Conflict(
            "Your space already has two partners.".into(),
        ));
    }
    let code = random_token(16);
    let now = state.clock().now_ms();
    let inv = state
        .repo
        .create_invitation(&NewInvitation {
            id: new_id().into(),
            couple_id: space.couple_id,
            code_hash: digest(&code),
            created_by: user_id.clone(),
            created_at: now,
            expires_at: now + INVITATION_TTL_SECS * 1000,
        })
        .await?;
    Ok(NewLink {
        id: inv.id.into(),
        code,
        expires_at: inv.expires_at,
    })
}

pub async fn accept(state: &AppState, code: &str, user_id: &UserId) -> Result<Space, AppError> {
    Ok(state
        .repo
        .accept_invitation(&digest(code), user_id, state.clock().now_ms())
        .await?)
}

/// Who is looking: the person and their space. A reading request's state
/// (`AppState::reading`) takes the space from the session cache when it was
/// read within the last seconds and nothing changed since (`http::sessions`);
/// every other request, and so every write, reads it afresh.
pub async fn viewer(
    state: &AppState,
    user_id: &UserId,
) -> Result<(Viewer, Option<Space>), AppError> {
    let user = user_id.as_str();
    // The space read on a miss also says where the person is: which notices
    // reach what is kept for them.
    let read = state.placed(user, |s: &Option<Space>| place_of(s.as_ref()), async {
        Ok(state.repo.space_of(user_id).await?)
    });
    let space = (*state.kept("space", user, |_| true, read).await?).clone();
    Ok((Viewer::new(user_id, space.as_ref()), space))
}

/// Where a person whose space is `space` is, for the session cache.
pub fn place_of(space: Option<&Space>) -> Place {
    match space {
        Some(s) => Place::InSpace {
            couple: s.couple_id.as_str().to_owned(),
            partner: s.partner.as_ref().map(|p| p.id.as_str().to_owned()),
        },
        None => Place::Alone,
    }
}

fn state_of(space: Option<&Space>) -> Option<SpaceState> {
    space.map(|s| SpaceState {
        has_partner: s.partner.is_some(),
        paused: s.paused,
    })
}

/// The refusal a person reads. The pause says only that it is a pause (never
/// why or by whom); `missing` is the tool's own sentence for a person without a
/// space or whose partner has not joined yet.
fn refusal(closed: Closed, missing: &str) -> AppError {
    match closed {
        Closed::Paused => AppError::Conflict(PAUSED.into()),
        Closed::NoSpace | Closed::NoPartner => AppError::Conflict(missing.into()),
    }
}

const PAUSED: &str = "This space is paused.";

/// A tool for two opens only with both partners in an unpaused space
/// (`rekindle_domain::space::for_two`); returns the space.
pub fn require_pair<'a>(space: Option<&'a Space>, for_two: &str) -> Result<&'a Space, AppError> {
    rules::for_two(state_of(space)).map_err(|c| refusal(c, for_two))?;
    space.ok_or_else(|| refusal(Closed::NoSpace, for_two))
}

/// Refuses partner-facing activity while the space is paused, saying only that.
pub fn not_paused(space: Option<&Space>) -> Result<(), AppError> {
    rules::not_paused(state_of(space)).map_err(|_| AppError::Conflict(PAUSED.into()))
}

/// Sharing (or taking back) one's own content: needs a space, waits while paused.
pub fn may_share(space: Option<&Space>, share: bool) -> Result<(), AppError> {
    rules::may_share(state_of(space), share)
        .map_err(|c| refusal(c, "Create or join a space before sharing entries."))
}
