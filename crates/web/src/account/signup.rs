//! Sign-up confirmation. With a mail server configured, signing up never says
//! whether an address already has an account (an abusive partner could learn
//! that the other has one here): every sign-up answers "check your email", and
//! the mail says what happens next — a single-use link that finishes the new
//! account, or, for an address that has one, a note to sign in instead.
//! Without a mail server there is no private channel, so the form says when an
//! address is taken (the README documents that trade-off).

use rekindle_storage::{NewUser, SignupRequest, User};

use crate::http::error::AppError;
use crate::http::secrets::{digest, new_id, random_token};
use crate::reminders::Mailer;
use crate::state::AppState;

/// What every sign-up answers when a mail server is configured.
pub const CHECK_YOUR_EMAIL: &str = "We sent a mail to that address. Open the link in it to finish. If the address already has an account, the mail says so.";

/// How long an emailed sign-up link works.
pub const LINK_HOURS: i64 = 24;

/// The mail server when sign-ups are confirmed by mail; `None` when the
/// instance has none (or the operator turned confirmation off).
pub fn confirming(state: &AppState) -> Result<Option<Mailer>, AppError> {
    match (&state.config.smtp, state.config.confirm_signups) {
        (Some(smtp), true) => Mailer::new(smtp)
            .map(Some)
            // Never fall back to answering "this address is taken".
            .map_err(|e| AppError::Internal(format!("sign-up confirmation: {e}"))),
        _ => Ok(None),
    }
}

/// Keeps the pending sign-up (new addresses only) and sends the mail in the
/// background, so the answer takes the same time whether or not the address
/// has an account.
pub async fn mail_link(
    state: &AppState,
    mailer: Mailer,
    email: String,
    display_name: String,
    password_hash: String,
    time_zone: &str,
    base_url: &str,
) -> Result<(), AppError> {
    let now = state.clock().now_ms();
    let taken = state.repo.credentials_by_email(&email).await?.is_some();
    let (subject, body) = if taken {
        (
            format!("Your {} account", state.config.instance_name),
            format!(
                "Hello,\n\nSomeone, probably you, tried to create an account on {name} with this \
                 address. You already have one, so nothing was changed.\n\nTo come back in, sign \
                 in at {base_url}/signin. If you forgot your password, ask for a new one there.\n\n\
                 If this was not you, you can ignore this mail.\n",
                name = state.config.instance_name,
            ),
        )
    } else {
        let token = random_token(32);
        state
            .repo
            .save_signup_request(
                &SignupRequest {
                    token_hash: digest(&token),
                    email: email.clone(),
                    display_name,
                    password_hash,
                    time_zone: time_zone.to_owned(),
                    created_at: now,
                    expires_at: now + LINK_HOURS * 3_600_000,
                },
                now,
            )
            .await?;
        (
            format!(
                "Finish creating your {} account",
                state.config.instance_name
            ),
            format!(
                "Hello,\n\nTo finish creating your account on {name}, open this link within \
                 {LINK_HOURS} hours:\n\n{base_url}/signup/confirm/{token}\n\nIf you did not ask \
                 for an account, you can ignore this mail; nothing is kept after the link \
                 expires.\n",
                name = state.config.instance_name,
            ),
        )
    };
    tokio::spawn(async move {
        if let Err(e) = mailer.send_text(&email, subject, body).await {
            tracing::warn!(error = %e, "sign-up confirmation mail not sent");
        }
    });
    Ok(())
}

/// Whether an emailed link still works (its page shows a button; mail
/// scanners that open links must not use them up).
pub async fn link_open(state: &AppState, token: &str) -> Result<bool, AppError> {
    if token.len() > 128 {
        return Ok(false);
    }
    Ok(state
        .repo
        .signup_request_open(&digest(token), state.clock().now_ms())
        .await?)
}

/// Uses the link: makes the account, once. `None` when the link expired, was
/// used, or the address got an account meanwhile.
pub async fn confirm(state: &AppState, token: &str) -> Result<Option<User>, AppError> {
    if token.len() > 128 {
        return Ok(None);
    }
    let now = state.clock().now_ms();
    let Some(r) = state.repo.take_signup_request(&digest(token), now).await? else {
        return Ok(None);
    };
    let new = NewUser {
        id: new_id().into(),
        email: r.email,
        password_hash: r.password_hash,
        display_name: r.display_name,
        time_zone: r.time_zone,
        created_at: now,
    };
    match state.repo.create_user(&new).await {
        Ok(user) => Ok(Some(user)),
        Err(rekindle_storage::StoreError::Conflict) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
