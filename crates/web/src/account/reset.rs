//! Password reset: a single-use link, valid for one hour, that sets a new
//! password and signs the person out everywhere. People ask for one by email
//! (when the instance can send mail); operators make one with `rekindle admin`.
//! Only the digest of the link's secret is stored.

use rekindle_domain::account::{check_password, normalize_email};
use rekindle_storage::{Repo, StoreError, UserId};

use crate::http::error::{AppError, FieldErrors};
use crate::http::secrets::{digest, hash_password, random_token};
use crate::state::AppState;

/// How long a reset link works.
pub const RESET_TTL_MS: i64 = 60 * 60 * 1000;

/// The path of a reset link (the origin goes in front).
pub fn reset_path(secret: &str) -> String {
    format!("/password/reset/{secret}")
}

/// Makes a reset link's secret for the account with `email`; `None` when no
/// account uses it. What `rekindle admin reset-link` and the mailed link share.
pub async fn new_reset_secret(
    repo: &Repo,
    email: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let email = email.trim().to_lowercase();
    let Some(creds) = repo.credentials_by_email(&email).await? else {
        return Ok(None);
    };
    let secret = random_token(32);
    repo.create_password_reset(&creds.id, &digest(&secret), now, now + RESET_TTL_MS)
        .await?;
    Ok(Some(secret))
}

/// "Forgot your password?": with mail configured, mails a link to the address if
/// an account uses it. The answer is the same either way, and so is the time it
/// takes: looking the address up and mailing happen after the answer is sent.
/// Rate limited per client address like signing in.
pub async fn request_reset(
    state: &AppState,
    email: &str,
    ip: &str,
    base: String,
) -> Result<(), AppError> {
    let Some(smtp) = state.config.smtp.clone() else {
        return Err(AppError::NotFound);
    };
    let email = match normalize_email(email) {
        Ok(e) => e,
        Err(e) => {
            let mut errors = FieldErrors::new();
            errors.insert("email", e.into());
            return Err(AppError::Invalid(errors));
        }
    };
    let ip_key = format!("reset-ip:{ip}");
    crate::account::rate_limited(state, &ip_key, state.config.auth_attempts_per_ip).await?;
    // Per address too, so nobody fills a person's inbox from many places.
    let mail_key = format!("reset-email:{email}");
    crate::account::rate_limited(state, &mail_key, RESET_MAILS_PER_WINDOW).await?;
    crate::account::hit(state, &ip_key).await?;
    crate::account::hit(state, &mail_key).await?;
    let state = state.clone();
    tokio::spawn(async move {
        let now = state.clock().now_ms();
        let secret = match new_reset_secret(&state.repo, &email, now).await {
            Ok(Some(s)) => s,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not store a password reset link");
                return;
            }
        };
        let mailer = match crate::reminders::Mailer::new(&smtp) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "cannot send password reset mail");
                return;
            }
        };
        let (subject, body) = compose(&state.config.instance_name, &base, &secret);
        if let Err(e) = mailer.send_text(&email, subject, body).await {
            tracing::warn!(error = %e, "password reset mail not sent");
        }
    });
    Ok(())
}

/// Reset mails one address may receive per rate-limit window.
const RESET_MAILS_PER_WINDOW: u32 = 5;

/// The reset email: the link, how long it works, and what to do if it was not you.
pub fn compose(instance: &str, base: &str, secret: &str) -> (String, String) {
    let subject = format!("Reset your password ({instance})");
    let link = format!("{}{}", base.trim_end_matches('/'), reset_path(secret));
    let body = format!(
        "Someone asked to reset the password of your {instance} account.\r\n\r\n\
         To choose a new password, open this link within an hour. It works once.\r\n\r\n\
         {link}\r\n\r\n\
         If it was not you, you can ignore this email: your password stays as it is.\r\n"
    );
    (subject, body)
}

/// Whether the link's secret is one that still works.
pub async fn link_works(state: &AppState, secret: &str) -> Result<bool, AppError> {
    Ok(state
        .repo
        .password_reset_user(&digest(secret), state.clock().now_ms())
        .await?
        .is_some())
}

/// Sets the new password through a link: the link is used up, and every
/// session, personal token and other reset link of the person ends.
pub async fn reset_with_link(
    state: &AppState,
    secret: &str,
    new_password: &str,
) -> Result<UserId, AppError> {
    if !link_works(state, secret).await? {
        return Err(AppError::NotFound);
    }
    if let Err(e) = check_password(new_password) {
        let mut errors = FieldErrors::new();
        errors.insert("new_password", e.into());
        return Err(AppError::Invalid(errors));
    }
    let hash = hash_password(new_password.to_owned(), state.config.password_hashing)
        .await
        .map_err(AppError::Internal)?;
    let user = state
        .repo
        .reset_password(&digest(secret), &hash, state.clock().now_ms())
        .await?
        .ok_or(AppError::NotFound)?;
    // The person's sessions ended: tell every server (their cached sessions and
    // open sockets must not outlive the reset; the visitor here is anonymous, so
    // the write announcer cannot name them).
    state.bus.publish(&crate::bus::person_key(&user)).await;
    Ok(user)
}
