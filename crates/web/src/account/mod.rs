//! Accounts: signing up and in, sessions, profile, password and personal tokens.
//! Pages and the API call these use cases, so both behave the same.

pub mod api;
pub mod devices_page;
pub mod page;
pub mod settings_page;
pub mod signup;
pub mod signup_page;

use rekindle_domain::account::{
    check_password, normalize_display_name, normalize_email, parse_time_zone,
};
use rekindle_storage::{ApiToken, NewSession, NewToken, NewUser, User, UserId};

use crate::http::error::{AppError, FieldErrors};
use crate::http::secrets::{
    decoy_hash, digest, hash_password, new_id, random_token, verify_password,
};
use crate::state::AppState;

pub const TOKEN_NAME_MAX_CHARS: usize = 80;

pub struct SignUp<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub time_zone: &'a str,
}

fn rate_limited(state: &AppState, key: &str, limit: u32) -> Result<(), AppError> {
    match state
        .limiter
        .blocked_for(key, limit, state.config.auth_window)
    {
        Some(retry_after_secs) => Err(AppError::TooManyRequests { retry_after_secs }),
        None => Ok(()),
    }
}

/// What signing up did: made the account (no mail server: the form says when
/// an address is taken), or mailed a link (the same answer whether or not the
/// address has an account; see `signup`).
pub enum SignedUp {
    Created(User),
    Mailed,
}

/// `base_url` builds the emailed link when a mail server is configured.
pub async fn sign_up(
    state: &AppState,
    input: SignUp<'_>,
    ip: &str,
    base_url: &str,
) -> Result<SignedUp, AppError> {
    let ip_key = format!("auth-ip:{ip}");
    rate_limited(state, &ip_key, state.config.auth_attempts_per_ip)?;
    let mut errors = FieldErrors::new();
    let email = normalize_email(input.email)
        .map_err(|e| errors.insert("email", e.into()))
        .ok();
    let name = normalize_display_name(input.display_name)
        .map_err(|e| errors.insert("display_name", e.into()))
        .ok();
    if let Err(e) = check_password(input.password) {
        errors.insert("password", e.into());
    }
    let tz = if input.time_zone.trim().is_empty() {
        "UTC"
    } else {
        input.time_zone
    };
    let tz = parse_time_zone(tz)
        .map_err(|e| errors.insert("time_zone", e.into()))
        .ok();
    let (Some(email), Some(name), Some(tz), true) = (email, name, tz, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    state.limiter.hit(&ip_key, state.config.auth_window);
    let password_hash = hash_password(input.password.to_owned(), state.config.password_hashing)
        .await
        .map_err(AppError::Internal)?;
    if let Some(mailer) = signup::confirming(state)? {
        signup::mail_link(
            state,
            mailer,
            email,
            name,
            password_hash,
            tz.name(),
            base_url,
        )
        .await?;
        return Ok(SignedUp::Mailed);
    }
    let new = NewUser {
        id: new_id().into(),
        email,
        password_hash,
        display_name: name,
        time_zone: tz.name().to_owned(),
        created_at: state.clock().now_ms(),
    };
    state
        .repo
        .create_user(&new)
        .await
        .map(SignedUp::Created)
        .map_err(|e| match e {
            rekindle_storage::StoreError::Conflict => AppError::field(
                "email",
                "An account with this email already exists. Sign in instead, or use another address.",
            ),
            other => other.into(),
        })
}

/// The per-account ceiling on wrong passwords, as a multiple of the limit per
/// account and address.
pub const ACCOUNT_CEILING: u32 = 10;

pub const BAD_CREDENTIALS: &str = "That email and password do not match an account.";

/// Checks credentials with the same answer and the same work for an unknown email
/// and a wrong password.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<User, AppError> {
    let ip_key = format!("auth-ip:{ip}");
    let email = email.trim().to_lowercase();
    // Wrong passwords are counted per account *and address*: someone guessing
    // from one place cannot lock the owner out everywhere (a partner could
    // otherwise keep the other from their own account). A ceiling ten times
    // higher per account still stops guessing spread over many addresses.
    let pair_key = format!("auth-account-ip:{email}|{ip}");
    let account_key = format!("auth-account:{email}");
    let per_pair = state.config.auth_failures_per_account;
    rate_limited(state, &ip_key, state.config.auth_attempts_per_ip)?;
    rate_limited(state, &pair_key, per_pair)?;
    rate_limited(
        state,
        &account_key,
        per_pair.saturating_mul(ACCOUNT_CEILING),
    )?;
    state.limiter.hit(&ip_key, state.config.auth_window);
    let creds = state.repo.credentials_by_email(&email).await?;
    let (id, hash) = match creds {
        Some(c) => (Some(c.id), c.password_hash),
        None => (None, decoy_hash(state.config.password_hashing)),
    };
    let ok = verify_password(password.to_owned(), hash).await;
    match (ok, id) {
        (true, Some(id)) => {
            state.limiter.clear(&pair_key);
            state.repo.user_by_id(&id).await?.ok_or(AppError::NotFound)
        }
        _ => {
            state.limiter.hit(&pair_key, state.config.auth_window);
            state.limiter.hit(&account_key, state.config.auth_window);
            Err(AppError::BadRequest(BAD_CREDENTIALS.into()))
        }
    }
}

/// Creates a fresh server-side session (a new id at every sign-in) and returns the
/// cookie value. Only its digest is stored.
pub async fn start_session(
    state: &AppState,
    user_id: &UserId,
    replacing: Option<&str>,
    headers: &axum::http::HeaderMap,
) -> Result<String, AppError> {
    if let Some(old) = replacing {
        state.repo.delete_session(old).await?;
    }
    let secret = random_token(32);
    let now = state.clock().now_ms();
    let ttl = i64::try_from(state.config.session_ttl.as_millis()).unwrap_or(i64::MAX);
    state
        .repo
        .create_session(&NewSession {
            id_hash: digest(&secret),
            user_id: user_id.clone(),
            csrf_token: random_token(32),
            device: rekindle_domain::account::device_label(
                headers
                    .get(axum::http::header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            ),
            created_at: now,
            expires_at: now.saturating_add(ttl),
        })
        .await?;
    Ok(secret)
}

pub async fn change_password(
    state: &AppState,
    user_id: &UserId,
    current: &str,
    new: &str,
    keep_session: Option<&str>,
) -> Result<(), AppError> {
    let hash = state
        .repo
        .password_hash(user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    if !verify_password(current.to_owned(), hash).await {
        errors.insert(
            "current_password",
            "That is not your current password.".into(),
        );
    }
    if let Err(e) = check_password(new) {
        errors.insert("new_password", e.into());
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let hash = hash_password(new.to_owned(), state.config.password_hashing)
        .await
        .map_err(AppError::Internal)?;
    state
        .repo
        .set_password(user_id, &hash, keep_session)
        .await?;
    Ok(())
}

pub async fn update_profile(
    state: &AppState,
    user_id: &UserId,
    display_name: &str,
    time_zone: &str,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let name = normalize_display_name(display_name)
        .map_err(|e| errors.insert("display_name", e.into()))
        .ok();
    let tz = parse_time_zone(time_zone)
        .map_err(|e| errors.insert("time_zone", e.into()))
        .ok();
    let (Some(name), Some(tz)) = (name, tz) else {
        return Err(AppError::Invalid(errors));
    };
    state.repo.update_profile(user_id, &name, tz.name()).await?;
    Ok(())
}

/// Returns the token record and its secret, which is shown exactly once.
pub async fn create_token(
    state: &AppState,
    user_id: &UserId,
    name: &str,
) -> Result<(ApiToken, String), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::field(
            "name",
            "Give the token a name, such as the app that will use it.",
        ));
    }
    if name.chars().count() > TOKEN_NAME_MAX_CHARS {
        return Err(AppError::field(
            "name",
            "Keep the name under 80 characters.",
        ));
    }
    let secret = format!("rk_{}", random_token(32));
    let token = state
        .repo
        .create_token(&NewToken {
            id: new_id().into(),
            user_id: user_id.clone(),
            name: name.to_owned(),
            token_hash: digest(&secret),
            created_at: state.clock().now_ms(),
        })
        .await?;
    Ok((token, secret))
}
