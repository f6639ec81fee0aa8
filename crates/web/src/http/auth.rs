//! Who is asking. A middleware resolves the session cookie once per request; the
//! extractors below read that result, or a bearer token for the API.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, SameSite};
use rekindle_storage::{SessionUser, User};

use crate::http::error::{ApiError, AppError, PageError};
use crate::http::secrets::digest;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "rk_session";
/// Carries the CSRF token for forms shown before sign-in (double-submit).
pub const PRE_CSRF_COOKIE: &str = "rk_csrf";

/// The session found for this request, if any (set by [`resolve_session`]).
#[derive(Clone)]
pub struct Resolved {
    pub session: Option<(String, SessionUser)>,
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| Cookie::parse(c.trim().to_owned()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Paths that never look at who is asking (health checks, the app's files):
/// no session is read for them, even when the browser sends its cookie.
pub fn needs_no_session(path: &str) -> bool {
    matches!(
        path,
        "/healthz" | "/readyz" | "/sw.js" | "/manifest.webmanifest"
    ) || path.starts_with("/static/")
}

pub async fn resolve_session<F: Future<Output = Response>>(
    state: &AppState,
    mut req: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let mut session = None;
    if !needs_no_session(req.uri().path())
        && let Some(raw) = cookie_value(req.headers(), SESSION_COOKIE)
    {
        let id_hash = digest(&raw);
        let now = state.clock().now_ms();
        let cache = &state.bus_local.sessions;
        if let Some(s) = cache.get(&id_hash, now) {
            session = Some((id_hash, s));
        } else {
            let ticket = cache.ticket();
            match state.repo.session(&id_hash, now).await {
                Ok(Some(s)) => {
                    cache.put(ticket, &id_hash, &s, now);
                    session = Some((id_hash, s));
                }
                Ok(None) => {}
                Err(e) => {
                    return crate::http::error::PageError(AppError::Internal(e.to_string()))
                        .into_response_inner();
                }
            }
        }
    }
    req.extensions_mut().insert(Resolved { session });
    next(req).await
}

impl PageError {
    fn into_response_inner(self) -> Response {
        axum::response::IntoResponse::into_response(self)
    }
}

pub fn session_cookie(value: String, state: &AppState) -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(state.config.secure_cookies);
    c.set_max_age(time_duration(state.config.session_ttl));
    c
}

pub fn pre_csrf_cookie(value: String, state: &AppState) -> Cookie<'static> {
    let mut c = Cookie::new(PRE_CSRF_COOKIE, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(state.config.secure_cookies);
    c
}

pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::from(name);
    c.set_path("/");
    c.make_removal();
    c
}

fn time_duration(d: std::time::Duration) -> time::Duration {
    time::Duration::seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A signed-in person on a page (cookie sessions only).
pub struct SignedIn {
    pub user: User,
    pub csrf: String,
    pub session_hash: String,
    /// How many things wait for this person (the navigation's badge); counted
    /// for pages that are read (GET), 0 on form posts.
    pub waiting: usize,
    /// This device chose the neutral name and icon (see `DISCREET_COOKIE`).
    pub discreet: bool,
}

/// Set on a device whose owner wants Rekindle installed under a neutral name
/// and icon; a device setting, since discretion is about who sees that phone.
pub const DISCREET_COOKIE: &str = "rk_discreet";

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match parts
            .extensions
            .get::<Resolved>()
            .and_then(|r| r.session.clone())
        {
            Some((hash, s)) => {
                let waiting = if parts.method == Method::GET {
                    waiting_count(state, &s.user.id).await
                } else {
                    0
                };
                Ok(SignedIn {
                    user: s.user,
                    csrf: s.csrf_token,
                    session_hash: hash,
                    waiting,
                    discreet: cookie_value(&parts.headers, DISCREET_COOKIE).as_deref() == Some("1"),
                })
            }
            None => Err(PageError(AppError::Unauthenticated)),
        }
    }
}

/// The navigation's count (from what was read recently).
async fn waiting_count(state: &AppState, user: &rekindle_storage::UserId) -> usize {
    match crate::waiting::recent_for(state, user).await {
        Ok(found) => found.len(),
        Err(e) => {
            // A badge is not worth failing a page for.
            tracing::warn!(error = ?e, "could not count what is waiting");
            0
        }
    }
}

/// Maybe a signed-in person (pages that anonymous visitors may also see).
pub struct MaybeSignedIn(pub Option<SignedIn>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeSignedIn(
            SignedIn::from_request_parts(parts, s).await.ok(),
        ))
    }
}

/// An API caller: a personal token (`Authorization: Bearer …`) or a browser session.
pub struct ApiCaller {
    pub user: User,
    /// The session behind a cookie-authenticated call, for sign-out.
    pub session_hash: Option<String>,
    /// The digest of the personal token behind a bearer call.
    pub token_hash: Option<String>,
}

impl ApiCaller {
    /// Whether the sign-in behind this call still holds (long-lived streams ask
    /// again after every change: sign-out, password change, token revocation
    /// and erasure end them).
    pub async fn still_valid(&self, state: &AppState) -> Result<bool, AppError> {
        let credential = match (&self.session_hash, &self.token_hash) {
            (Some(hash), _) => Credential::Session(hash.clone()),
            (None, Some(hash)) => Credential::Token(hash.clone()),
            (None, None) => return Ok(false),
        };
        credential.still_holds(state, &self.user.id).await
    }
}

/// What a long-lived connection (a talk socket, an event stream) was opened
/// with, by digest, so it can ask later whether it still holds.
#[derive(Clone, Debug)]
pub enum Credential {
    Session(String),
    Token(String),
}

impl Credential {
    /// True while the session or token exists, has not expired and still
    /// belongs to `user`.
    pub async fn still_holds(
        &self,
        state: &AppState,
        user: &rekindle_storage::UserId,
    ) -> Result<bool, AppError> {
        let now = state.clock().now_ms();
        let owner = match self {
            Credential::Session(hash) => state.repo.session(hash, now).await?.map(|s| s.user.id),
            Credential::Token(hash) => state.repo.token_user(hash, now).await?.map(|u| u.id),
        };
        Ok(owner.as_ref() == Some(user))
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(&parts.headers) {
            let hash = digest(token);
            return match state.repo.token_user(&hash, state.clock().now_ms()).await? {
                Some(user) => Ok(ApiCaller {
                    user,
                    session_hash: None,
                    token_hash: Some(hash),
                }),
                None => Err(ApiError(AppError::Unauthenticated)),
            };
        }
        match parts
            .extensions
            .get::<Resolved>()
            .and_then(|r| r.session.clone())
        {
            Some((hash, s)) => Ok(ApiCaller {
                user: s.user,
                session_hash: Some(hash),
                token_hash: None,
            }),
            None => Err(ApiError(AppError::Unauthenticated)),
        }
    }
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The client address used for rate limiting.
pub fn client_ip(
    parts_headers: &HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trust_proxy: bool,
) -> String {
    if trust_proxy
        && let Some(ip) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    {
        return ip.to_owned();
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The client's address, for rate limits.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientIp(client_ip(
            &parts.headers,
            peer,
            state.config.trust_proxy,
        )))
    }
}

/// The CSRF token for a form shown before sign-in, creating the cookie if needed.
pub fn pre_csrf(
    jar: axum_extra::extract::CookieJar,
    state: &AppState,
) -> (axum_extra::extract::CookieJar, String) {
    match jar
        .get(PRE_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 20)
    {
        Some(token) => (jar, token),
        None => {
            let token = crate::http::secrets::random_token(32);
            (jar.add(pre_csrf_cookie(token.clone(), state)), token)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::needs_no_session;

    #[test]
    fn only_health_checks_and_the_apps_files_skip_the_session() {
        for path in [
            "/healthz",
            "/readyz",
            "/sw.js",
            "/manifest.webmanifest",
            "/static/app.css",
            "/static/icons.svg",
        ] {
            assert!(needs_no_session(path), "{path}");
        }
        for path in [
            "/",
            "/settings",
            "/api/v1/me",
            "/staticx",
            "/healthz/x",
            "/exit",
        ] {
            assert!(!needs_no_session(path), "{path}");
        }
    }
}
