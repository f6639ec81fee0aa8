use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rekindle_storage::TokenId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::account::{SignUp, SignedUp};
use crate::http::auth::{ApiCaller, ClientIp};
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::json::JsonBody;
use crate::state::AppState;
use crate::view::format::iso;

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// IANA time zone used for every date shown to this person.
    pub time_zone: String,
    pub created_at: String,
}

impl From<rekindle_storage::User> for UserOut {
    fn from(u: rekindle_storage::User) -> Self {
        UserOut {
            id: u.id.into(),
            email: u.email,
            display_name: u.display_name,
            time_zone: u.time_zone,
            created_at: iso(u.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SignUpIn {
    pub email: String,
    pub password: String,
    pub display_name: String,
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// With a mail server, a sign-up answers this whether or not the address has an
/// account; the emailed link finishes a new account.
#[derive(Serialize, ToSchema)]
pub struct SignUpMailedOut {
    /// Always "check_your_email".
    pub status: String,
    pub detail: String,
}

#[utoipa::path(post, path = "/api/v1/accounts", operation_id = "signUp", tag = "account", security(()),
    request_body = SignUpIn,
    responses((status = 201, description = "Created (no mail server: the account is made at once)", body = UserOut),
              (status = 202, description = "A link was mailed (with a mail server; the same answer whether or not the address has an account)", body = SignUpMailedOut),
              (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn sign_up(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    JsonBody(b): JsonBody<SignUpIn>,
) -> ApiResult<Response> {
    let tz = b.time_zone.unwrap_or_default();
    let input = SignUp {
        email: &b.email,
        display_name: &b.display_name,
        password: &b.password,
        time_zone: &tz,
    };
    let base = crate::http::base_url(&state, &headers);
    Ok(
        match crate::account::sign_up(&state, input, &ip, &base).await? {
            SignedUp::Created(user) => {
                (StatusCode::CREATED, Json(UserOut::from(user))).into_response()
            }
            SignedUp::Mailed => (
                StatusCode::ACCEPTED,
                Json(SignUpMailedOut {
                    status: "check_your_email".into(),
                    detail: crate::account::signup::CHECK_YOUR_EMAIL.into(),
                }),
            )
                .into_response(),
        },
    )
}

#[derive(Deserialize, ToSchema)]
pub struct SignInIn {
    pub email: String,
    pub password: String,
    /// A name for the token, e.g. the device or script using it.
    #[serde(default)]
    pub token_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NewTokenOut {
    pub id: String,
    pub name: String,
    /// The secret; shown only in this response.
    pub token: String,
    pub created_at: String,
}

#[utoipa::path(post, path = "/api/v1/auth/token", operation_id = "createTokenWithPassword", tag = "account", security(()),
    request_body = SignInIn,
    responses((status = 201, description = "Signed in; a new personal token", body = NewTokenOut),
              (status = 422, description = "That email and password do not match an account", body = Problem),
              (status = 429, body = Problem)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(b): JsonBody<SignInIn>,
) -> ApiResult<(StatusCode, Json<NewTokenOut>)> {
    // Wrong credentials are a field problem of this body (422), like every
    // other refused-but-readable body of the API; 400 means unreadable.
    let user = crate::account::sign_in(&state, &b.email, &b.password, &ip)
        .await
        .map_err(|e| match e {
            AppError::BadRequest(m) => AppError::field("password", m),
            other => other,
        })?;
    let name = b.token_name.unwrap_or_else(|| "API sign-in".into());
    let (t, secret) = crate::account::create_token(&state, &user.id, &name).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenOut {
            id: t.id.into(),
            name: t.name,
            token: secret,
            created_at: iso(t.created_at),
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/me", operation_id = "getMe", tag = "account",
    responses((status = 200, body = UserOut), (status = 401, body = Problem)))]
pub async fn me(caller: ApiCaller) -> Json<UserOut> {
    Json(caller.user.into())
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileIn {
    pub display_name: Option<String>,
    pub time_zone: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/me", operation_id = "updateMe", tag = "account", request_body = ProfileIn,
    responses((status = 200, body = UserOut), (status = 422, body = Problem)))]
pub async fn update_me(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<ProfileIn>,
) -> ApiResult<Json<UserOut>> {
    let name = b
        .display_name
        .unwrap_or_else(|| caller.user.display_name.clone());
    let tz = b.time_zone.unwrap_or_else(|| caller.user.time_zone.clone());
    crate::account::update_profile(&state, &caller.user.id, &name, &tz).await?;
    let user = state
        .repo
        .user_by_id(&caller.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(user.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordIn {
    pub current_password: String,
    pub new_password: String,
}

#[utoipa::path(put, path = "/api/v1/me/password", operation_id = "changePassword", tag = "account", request_body = PasswordIn,
    responses((status = 204, description = "Changed; other browser sessions are signed out"), (status = 422, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<PasswordIn>,
) -> ApiResult<StatusCode> {
    crate::account::change_password(
        &state,
        &caller.user.id,
        &b.current_password,
        &b.new_password,
        caller.session_hash.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "listTokens", tag = "account", responses((status = 200, body = [TokenOut])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<TokenOut>>> {
    let tokens = state.repo.tokens(&caller.user.id).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenOut {
                id: t.id.into(),
                name: t.name,
                created_at: iso(t.created_at),
                last_used_at: t.last_used_at.map(iso),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenIn {
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/tokens", operation_id = "createToken", tag = "account", request_body = TokenIn,
    responses((status = 201, body = NewTokenOut), (status = 422, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<TokenIn>,
) -> ApiResult<(StatusCode, Json<NewTokenOut>)> {
    let (t, secret) = crate::account::create_token(&state, &caller.user.id, &b.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenOut {
            id: t.id.into(),
            name: t.name,
            token: secret,
            created_at: iso(t.created_at),
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", operation_id = "revokeToken", tag = "account",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if state
        .repo
        .revoke_token(&caller.user.id, &TokenId::from(&id))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}
