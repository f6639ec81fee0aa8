//! A secret shown exactly once after a form made it (a personal token, a
//! calendar link), carried across Post/Redirect/Get in a short-lived cookie
//! that only its page can read, and removed when that page shows it.

use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

/// Five minutes is ample for the redirect; the secret never lingers.
const LIFETIME_MINUTES: i64 = 5;

/// The cookie that carries `value` to the page at `path`.
pub fn carry(
    name: &'static str,
    value: String,
    path: &'static str,
    secure: bool,
) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_path(path);
    c.set_secure(secure);
    c.set_max_age(time::Duration::minutes(LIFETIME_MINUTES));
    c
}

/// The carried value, if `wanted` (the page was reached by the redirect), and
/// the jar with the cookie removed either way.
pub fn take(
    jar: CookieJar,
    name: &'static str,
    path: &'static str,
    wanted: bool,
) -> (Option<String>, CookieJar) {
    let value = jar
        .get(name)
        .map(|c| c.value().to_owned())
        .filter(|_| wanted);
    let mut gone = Cookie::from(name);
    gone.set_path(path);
    gone.make_removal();
    (value, jar.add(gone))
}
