//! Settings: name, time zone, password, personal API tokens, leaving the space.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use rekindle_storage::TokenId;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::state::AppState;
use crate::view::DoneQuery;
use crate::view::form_errors;
use crate::view::format::{tz_of, when};
use crate::view::once;
use crate::view::{Chrome, field_error, notice_for, render_with_status, see_other};

pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    display_name: String,
    time_zone: String,
    /// Time zones grouped by region (`Europe`, `America`, …), for `<optgroup>`s.
    zone_groups: Vec<(&'static str, Vec<&'static str>)>,
    /// The "Advanced" page (personal API tokens) rather than the main settings.
    advanced: bool,
    tokens: Vec<TokenView>,
    new_token: Option<String>,
    token_name: String,
    in_space: bool,
    errors: FieldErrors,
    erase_confirm: String,
    /// Erasure guarantees differ by database; the erase section says which.
    on_postgres: bool,
}

impl SettingsPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

struct Draft {
    display_name: Option<String>,
    time_zone: Option<String>,
    token_name: String,
    new_token: Option<String>,
    errors: FieldErrors,
    notice: Option<String>,
    erase_confirm: String,
    advanced: bool,
}

impl Draft {
    fn empty(notice: Option<String>) -> Self {
        Draft {
            display_name: None,
            time_zone: None,
            token_name: String::new(),
            new_token: None,
            errors: FieldErrors::new(),
            notice,
            erase_confirm: String::new(),
            advanced: false,
        }
    }
}

async fn page(state: &AppState, who: &SignedIn, d: Draft, status: StatusCode) -> PageResult {
    let tz = tz_of(&who.user.time_zone);
    let tokens = state
        .repo
        .tokens(&who.user.id)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id.into(),
            name: t.name,
            created: when(t.created_at, tz),
            last_used: t
                .last_used_at
                .map(|t| when(t, tz))
                .unwrap_or_else(|| "never".into()),
        })
        .collect();
    let in_space = crate::space::viewer(state, &who.user.id).await?.1.is_some();
    render_with_status(
        status,
        &SettingsPage {
            c: Chrome::signed_in(
                if d.advanced {
                    "Advanced settings"
                } else {
                    "Settings"
                },
                who,
            )
            .with_notice(d.notice),
            display_name: d
                .display_name
                .unwrap_or_else(|| who.user.display_name.clone()),
            time_zone: d.time_zone.unwrap_or_else(|| who.user.time_zone.clone()),
            zone_groups: zone_groups(),
            advanced: d.advanced,
            tokens,
            new_token: d.new_token,
            token_name: d.token_name,
            in_space,
            errors: d.errors,
            erase_confirm: d.erase_confirm,
            on_postgres: state.repo.backend() == rekindle_storage::Backend::Postgres,
        },
    )
}

/// Time zones by region: the part before the first `/` (`Etc/…` and names
/// without a region go under "Other").
fn zone_groups() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut groups: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for z in rekindle_domain::account::time_zone_names() {
        let region = match z.split_once('/') {
            Some((r, _)) if r != "Etc" && r != "SystemV" && r != "US" => r,
            _ => "Other",
        };
        match groups.iter_mut().find(|(r, _)| *r == region) {
            Some((_, list)) => list.push(z),
            None => groups.push((region, vec![z])),
        }
    }
    groups.sort_by_key(|(r, _)| (*r == "Other", *r));
    for (_, list) in &mut groups {
        list.sort_unstable();
    }
    groups
}

/// Carries a new token's secret across the redirect after it is made, for one
/// showing on the Advanced page (Post/Redirect/Get; the cookie is removed then).
const NEW_TOKEN_COOKIE: &str = "rk_new_token";
const ADVANCED: &str = "/settings/advanced";

/// The "Advanced" settings: personal API tokens, for people who script Rekindle.
pub async fn advanced(
    State(state): State<AppState>,
    who: SignedIn,
    jar: CookieJar,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let (new_token, jar) = once::take(
        jar,
        NEW_TOKEN_COOKIE,
        ADVANCED,
        q.done.as_deref() == Some("token-created"),
    );
    let d = Draft {
        advanced: true,
        new_token,
        ..Draft::empty(notice_for(q.done.as_deref()))
    };
    Ok((jar, page(&state, &who, d, StatusCode::OK).await?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let state = state.reading().await?;
    page(
        &state,
        &who,
        Draft::empty(notice_for(q.done.as_deref())),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    time_zone: String,
}

pub async fn profile(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<ProfileForm>,
) -> PageResult {
    match crate::account::update_profile(&state, &who.user.id, &f.display_name, &f.time_zone).await
    {
        Ok(()) => Ok(see_other("/settings?done=profile")),
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "display_name")?;
            let d = Draft {
                display_name: Some(f.display_name),
                time_zone: Some(f.time_zone),
                errors,
                ..Draft::empty(None)
            };
            page(&state, &who, d, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn password(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    let keep = Some(who.session_hash.as_str());
    match crate::account::change_password(
        &state,
        &who.user.id,
        &f.current_password,
        &f.new_password,
        keep,
    )
    .await
    {
        Ok(()) => Ok(see_other("/settings?done=password")),
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "current_password")?;
            page(
                &state,
                &who,
                Draft {
                    errors,
                    ..Draft::empty(None)
                },
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    who: SignedIn,
    jar: CookieJar,
    Form(f): Form<TokenForm>,
) -> PageResult {
    match crate::account::create_token(&state, &who.user.id, &f.name).await {
        Ok((_, secret)) => Ok((
            jar.add(once::carry(
                NEW_TOKEN_COOKIE,
                secret,
                ADVANCED,
                state.config.secure_cookies,
            )),
            see_other("/settings/advanced?done=token-created"),
        )
            .into_response()),
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "name")?;
            page(
                &state,
                &who,
                Draft {
                    token_name: f.name,
                    errors,
                    advanced: true,
                    ..Draft::empty(None)
                },
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct BackTo {
    /// Where to return: this page unless "devices".
    #[serde(default)]
    back: String,
}

pub async fn revoke_token(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<BackTo>,
) -> PageResult {
    if !state
        .repo
        .revoke_token(&who.user.id, &TokenId::from(&id))
        .await?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(see_other(if f.back == "devices" {
        "/settings/devices?done=token-revoked"
    } else {
        "/settings/advanced?done=token-revoked"
    }))
}

/// Erasing was refused (a wrong word or password): the settings page again with
/// the reason next to the field and the word as typed.
pub async fn erase_refused(
    state: &AppState,
    who: &SignedIn,
    confirm: String,
    field: &'static str,
    message: &str,
) -> PageResult {
    let d = Draft {
        erase_confirm: confirm,
        errors: FieldErrors::from([(field, message.to_owned())]),
        ..Draft::empty(None)
    };
    page(state, who, d, StatusCode::UNPROCESSABLE_ENTITY).await
}
