//! Creating the couple's space, inviting the partner, joining and leaving.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use rekindle_storage::InvitationId;

use crate::http::auth::{MaybeSignedIn, SignedIn, pre_csrf};
use crate::http::base_url;
use crate::http::error::{AppError, PageResult};
use crate::http::secrets::digest;
use crate::state::AppState;
use crate::view::{Chrome, render_with_status, see_other};

pub async fn create(State(state): State<AppState>, who: SignedIn) -> PageResult {
    crate::space::create_space(&state, &who.user.id).await?;
    Ok(see_other("/?done=created"))
}

/// The cookie that carries a new invitation link across the redirect after it is
/// made (Post/Redirect/Get: reloading the home page shows it again, no resubmit).
pub const NEW_INVITE_COOKIE: &str = "rk_new_invite";

pub async fn invite(
    State(state): State<AppState>,
    who: SignedIn,
    jar: CookieJar,
    headers: HeaderMap,
) -> PageResult {
    let link = crate::space::invite(&state, &who.user.id).await?;
    let url = format!("{}/join/{}", base_url(&state, &headers), link.code);
    let mut c = axum_extra::extract::cookie::Cookie::new(NEW_INVITE_COOKIE, url);
    c.set_http_only(true);
    c.set_same_site(axum_extra::extract::cookie::SameSite::Lax);
    c.set_path("/");
    c.set_secure(state.config.secure_cookies);
    c.set_max_age(time::Duration::minutes(30));
    Ok((jar.add(c), see_other("/?done=invited#invite-card")).into_response())
}

/// The invitation link made in the last half hour, while it can still be used.
pub async fn new_link(state: &AppState, jar: &CookieJar) -> Result<Option<String>, AppError> {
    let Some(url) = jar.get(NEW_INVITE_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    let Some((_, code)) = url.rsplit_once("/join/") else {
        return Ok(None);
    };
    let valid = state
        .repo
        .invitation_by_code(&digest(code), state.clock().now_ms())
        .await?
        .is_some_and(|p| p.valid);
    Ok(valid.then_some(url))
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let space = state
        .repo
        .space_of(&who.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !state
        .repo
        .revoke_invitation(
            &space.couple_id,
            &InvitationId::from(&id),
            state.clock().now_ms(),
        )
        .await?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(see_other("/?done=invite-revoked"))
}

pub async fn leave(State(state): State<AppState>, who: SignedIn) -> PageResult {
    if !crate::space::leave_space(&state, &who.user.id).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(see_other("/?done=left"))
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    c: Chrome,
    code: String,
    inviter: String,
    signed_in: bool,
    problem: Option<String>,
}

pub async fn join_form(
    State(state): State<AppState>,
    MaybeSignedIn(who): MaybeSignedIn,
    jar: CookieJar,
    Path(code): Path<String>,
) -> PageResult {
    let preview = state
        .repo
        .invitation_by_code(&digest(&code), state.clock().now_ms())
        .await?;
    let Some(preview) = preview.filter(|p| p.valid) else {
        return Ok(crate::view::render_error(
            StatusCode::NOT_FOUND,
            "This invitation cannot be used",
            rekindle_domain::invitation::JoinRefusal::LinkNotValid.message(),
        ));
    };
    let (c, jar) = match &who {
        Some(w) => (Chrome::signed_in("Join a space", w), jar),
        None => {
            let (jar, csrf) = pre_csrf(jar, &state);
            (Chrome::anonymous("Join a space", csrf), jar)
        }
    };
    let problem = match &who {
        Some(w) => state.repo.space_of(&w.user.id).await?.map(|_| {
            rekindle_domain::invitation::JoinRefusal::AlreadyInASpace
                .message()
                .to_owned()
        }),
        None => None,
    };
    let page = JoinPage {
        c,
        code,
        inviter: preview.inviter_name,
        signed_in: who.is_some(),
        problem,
    };
    Ok((jar, render_with_status(StatusCode::OK, &page)?).into_response())
}

pub async fn join(
    State(state): State<AppState>,
    who: SignedIn,
    Path(code): Path<String>,
) -> PageResult {
    match crate::space::accept(&state, &code, &who.user.id).await {
        Ok(_) => Ok(see_other("/?done=joined")),
        Err(AppError::Conflict(msg)) => Ok(crate::view::render_error(
            StatusCode::CONFLICT,
            "Could not join",
            &msg,
        )),
        Err(e) => Err(e.into()),
    }
}
