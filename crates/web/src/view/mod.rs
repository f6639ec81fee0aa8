//! The page chrome every tool renders into (title, who is signed in, CSRF token,
//! notices), the error page, and the helpers forms share. Every page works
//! without JavaScript; scripts only add the live coach on top.

pub mod charts;
pub mod csv;
pub mod format;
pub mod once;

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageError, PageResult};
use serde::Deserialize;

/// What every page frame needs: title, who is signed in, the CSRF token, a notice.
pub struct Chrome {
    pub title: &'static str,
    pub user_name: Option<String>,
    pub csrf: String,
    pub notice: Option<String>,
    /// The instance's name (operators may pick a neutral one) and quick-exit target.
    pub app: &'static str,
    pub exit_url: &'static str,
    /// How many things wait for this person (shown as a count on the Home tab; 0 hides it).
    pub waiting: usize,
    /// This device asked for the neutral name and icon when installed.
    pub discreet: bool,
}

struct Frame {
    app: String,
    exit_url: String,
}

static FRAME: std::sync::OnceLock<Frame> = std::sync::OnceLock::new();

/// Sets the instance name and quick-exit target for this process (one instance
/// per process; later calls keep the first setting).
pub fn set_frame(app: &str, exit_url: &str) {
    let _ = FRAME.set(Frame {
        app: app.to_owned(),
        exit_url: exit_url.to_owned(),
    });
}

fn frame() -> (&'static str, &'static str) {
    match FRAME.get() {
        Some(f) => (f.app.as_str(), f.exit_url.as_str()),
        None => ("Rekindle", "https://duckduckgo.com/?q=weather"),
    }
}

impl Chrome {
    pub fn anonymous(title: &'static str, csrf: String) -> Self {
        let (app, exit_url) = frame();
        Chrome {
            title,
            user_name: None,
            csrf,
            notice: None,
            app,
            exit_url,
            waiting: 0,
            discreet: false,
        }
    }

    pub fn signed_in(title: &'static str, who: &SignedIn) -> Self {
        let (app, exit_url) = frame();
        Chrome {
            title,
            user_name: Some(who.user.display_name.clone()),
            csrf: who.csrf.clone(),
            notice: None,
            app,
            exit_url,
            waiting: who.waiting,
            discreet: who.discreet,
        }
    }

    /// Which tab of the app's navigation this page belongs to (from its title).
    pub fn tab(&self) -> &'static str {
        match self.title {
            "Home" => "home",
            "Talks" | "Talk" | "Ground rules" => "talk",
            "Questions" | "Question" | "Question decks" | "Answers" | "Journal"
            | "Journal entry" | "Check-ins" | "Check-in" | "Check-in trends" | "Appreciations" => {
                "together"
            }
            "Plan"
            | "New action"
            | "Problem board"
            | "Working with a counselor"
            | "Summary for a counselor" => "plan",
            _ => "more",
        }
    }

    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }
}

pub fn render<T: Template>(page: &T) -> PageResult {
    render_with_status(StatusCode::OK, page)
}

pub fn render_with_status<T: Template>(status: StatusCode, page: &T) -> PageResult {
    let html = page
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    Ok((status, Html(html)).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    status: u16,
    heading: &'a str,
    detail: &'a str,
}

/// Marks a response as the error page, so the session layer can redraw it with
/// the signed-in navigation (see [`redraw_error_signed_in`]).
#[derive(Clone)]
pub struct ErrorShown {
    heading: String,
    detail: String,
}

pub fn render_error(status: StatusCode, heading: &str, detail: &str) -> Response {
    let page = ErrorPage {
        c: Chrome::anonymous("Something needs attention", String::new()),
        status: status.as_u16(),
        heading,
        detail,
    };
    match page.render() {
        Ok(html) => {
            let mut resp = (status, Html(html)).into_response();
            resp.extensions_mut().insert(ErrorShown {
                heading: heading.to_owned(),
                detail: detail.to_owned(),
            });
            resp
        }
        Err(_) => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            detail.to_owned(),
        )
            .into_response(),
    }
}

/// Middleware (inside the session layer): error pages shown to someone signed
/// in are drawn with their navigation, so they keep their way around.
pub async fn signed_in_error_pages<F: std::future::Future<Output = Response>>(
    req: axum::extract::Request,
    next: impl FnOnce(axum::extract::Request) -> F,
) -> Response {
    let who = req
        .extensions()
        .get::<crate::http::auth::Resolved>()
        .and_then(|r| r.session.as_ref())
        .map(|(_, s)| (s.user.display_name.clone(), s.csrf_token.clone()));
    let resp = next(req).await;
    match who {
        Some((name, csrf)) => redraw_error_signed_in(resp, &name, &csrf),
        None => resp,
    }
}

/// The error page again, framed for the person signed in (their navigation,
/// a way back), keeping the status and headers. Other responses pass unchanged.
fn redraw_error_signed_in(resp: Response, user_name: &str, csrf: &str) -> Response {
    let Some(shown) = resp.extensions().get::<ErrorShown>().cloned() else {
        return resp;
    };
    let (app, exit_url) = frame();
    let page = ErrorPage {
        c: Chrome {
            title: "Something needs attention",
            user_name: Some(user_name.to_owned()),
            csrf: csrf.to_owned(),
            notice: None,
            app,
            exit_url,
            waiting: 0,
            discreet: false,
        },
        status: resp.status().as_u16(),
        heading: &shown.heading,
        detail: &shown.detail,
    };
    let Ok(html) = page.render() else {
        return resp;
    };
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(html))
}

/// After a successful form post: go somewhere, optionally with a one-line notice.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A notice carried in the query string of a redirect (`?done=…`), chosen from a
/// fixed list so nobody can put words in our mouth through a link.
pub fn notice_for(code: Option<&str>) -> Option<String> {
    let text = match code? {
        "profile" => "Your settings are saved.",
        "password" => {
            "Your password is changed. Your other devices are signed out and your personal tokens removed."
        }
        "token-revoked" => "The token is revoked.",
        "device-signed-out" => "That device is signed out.",
        "others-signed-out" => "Every other device is signed out.",
        "look" => "Saved for this device. Install again to see the new name and icon.",
        "token-created" => "Copy your new token now; it will not be shown again.",
        "invite-revoked" => "The invitation link no longer works.",
        "left" => "You have left the space. Everything you wrote is still yours.",
        "joined" => "You are in! This is your shared space.",
        "created" => "Your space is ready. Invite your partner below.",
        "invited" => "Your invitation link is ready.",
        "shared" => "Your partner can now read this entry.",
        "unshared" => "This entry is private again.",
        "deleted" => "The entry is deleted.",
        "saved" => "Saved.",
        "erased" => "Your account and everything you wrote are erased.",
        "paused" => "The space is paused. Your partner sees only that it is paused.",
        "resumed" => "The space is active again.",
        "later" => {
            "All right. We will offer the private check again in a couple of weeks; it is always in Settings."
        }
        _ => return None,
    };
    Some(text.to_owned())
}

/// Keeps `next` to a path on this site, so sign-in cannot bounce people elsewhere.
/// A place on this site to return to after signing in, or nothing.
///
/// Only a plain path is kept: it starts with one `/`, and holds no backslash,
/// whitespace or control character anywhere (browsers drop a TAB or newline in a
/// URL, so `/\t/evil.example` would become `//evil.example`, another site; and a
/// control character cannot go into a `Location` header at all).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    let plain = n
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    (n.starts_with('/') && !n.starts_with("//") && plain && n.len() < 512).then(|| n.to_owned())
}

pub fn field_error(errors: &FieldErrors, name: &str) -> String {
    errors.get(name).cloned().unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// Turns a use-case error into messages next to fields; errors without a field
/// land on `fallback_field` so the input is never lost.
pub fn form_errors(e: AppError, fallback_field: &'static str) -> Result<FieldErrors, AppError> {
    match e {
        AppError::Invalid(fields) => Ok(fields),
        AppError::Internal(_) | AppError::NotFound => Err(e),
        other => Ok(FieldErrors::from([(fallback_field, other.detail())])),
    }
}

/// Errors on pages: the error page, or the sign-in page when nobody is signed in.
impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        if matches!(e, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/signin").into_response();
        }
        let mut resp = render_error(e.status(), e.title(), &e.detail());
        e.add_headers(&mut resp);
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/join/abc")).as_deref(), Some("/join/abc"));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil")), None);
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn unknown_notice_codes_show_nothing() {
        assert!(notice_for(Some("saved")).is_some());
        assert!(notice_for(Some("<script>")).is_none());
    }
}

#[cfg(test)]
mod next_tests {
    use super::safe_next;

    #[test]
    fn only_plain_paths_on_this_site_are_kept() {
        for ok in ["/", "/journal", "/talks/abc?x=1#y"] {
            assert_eq!(safe_next(Some(ok)).as_deref(), Some(ok));
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example/x",
            "/\\evil.example",
            "/\n/evil.example",
            "/\u{1}x",
            "/\u{7f}x",
            "/a b",
            "https://evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(600)))), None);
    }
}
