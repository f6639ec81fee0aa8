//! The HTML side: CSRF on every form, errors next to fields with the input kept,
//! rate limits that say when to try again, sessions rotated at sign-in.

use rekindle_testkit::{TestApp, backends, csrf_in, test_config};
use rekindle_web::Config;

use crate::support::get_text;

#[tokio::test]
async fn forms_without_the_right_token_change_nothing() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        app.api_person("ana@example.org", "Ana").await;
        let ana = app.html_person("ana@example.org").await;
        // Missing and wrong tokens are refused, for signed-in and anonymous forms alike.
        let r = ana
            .client
            .post(app.url("/space"))
            .form(&[("x", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = ana
            .client
            .post(app.url("/space"))
            .form(&[("_csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let (_, home) = ana.get("/").await;
        assert!(
            home.contains("Create our space"),
            "no space was created by the forged posts"
        );
        let stranger = app.client();
        let r = stranger
            .post(app.url("/signup"))
            .form(&[
                ("email", "x@example.org"),
                ("display_name", "X"),
                ("password", "correct horse battery"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        // A cross-site post is refused even with a token.
        let r = ana
            .client
            .post(app.url("/space"))
            .header("sec-fetch-site", "cross-site")
            .form(&[("_csrf", ana.csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        // The API with a session cookie needs the header; with a bearer token it does not.
        let r = ana
            .client
            .post(app.url("/api/v1/space"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = ana
            .client
            .post(app.url("/api/v1/space"))
            .header("x-csrf-token", &ana.csrf)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        // The right token works.
        let (status, _, location) = ana.post("/space/invitations", &[]).await;
        assert_eq!(
            (status, location.as_deref()),
            (303, Some("/?done=invited#invite-card"))
        );
    }
}

#[tokio::test]
async fn form_errors_sit_next_to_their_field_and_keep_the_input() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let v = app.html_visitor().await;
        let (status, html, _) = v
            .post(
                "/signup",
                &[
                    ("email", "not-an-email"),
                    ("display_name", "Sam <b>"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"email-error\""), "{html}");
        assert!(html.contains("id=\"password-error\""));
        assert!(
            html.contains("value=\"not-an-email\""),
            "the email typed is kept"
        );
        assert!(
            html.contains("value=\"Sam &#60;b&#62;\"") || html.contains("value=\"Sam &lt;b&gt;\""),
            "the name is kept, escaped"
        );
        assert!(!html.contains("Sam <b>"), "input is escaped");

        app.api_person("ana@example.org", "Ana").await;
        let ana = app.html_person("ana@example.org").await;
        let (status, html, _) = ana
            .post("/journal", &[("title", "Kept title"), ("body", "   ")])
            .await;
        assert_eq!(status, 422);
        assert!(html.contains("Kept title"));
        assert!(html.contains("id=\"body-error\""));
        let (status, html, _) = ana
            .post(
                "/settings/profile",
                &[("display_name", "Ana"), ("time_zone", "Nowhere/Land")],
            )
            .await;
        assert_eq!(status, 422);
        assert!(html.contains("Choose a time zone"));
        let (status, _, location) = ana.post("/settings/tokens", &[("name", "my script")]).await;
        assert_eq!(
            (status, location.as_deref()),
            (303, Some("/settings/advanced?done=token-created")),
            "Post/Redirect/Get: a reload makes no second token"
        );
        let (_, html) = ana.get("/settings/advanced?done=token-created").await;
        assert!(
            html.contains("id=\"new-token\"") && html.contains("rk_"),
            "a new token is shown once"
        );
        let (_, html) = ana.get("/settings/advanced?done=token-created").await;
        assert!(html.contains("my script"));
        assert!(!html.contains("id=\"new-token\""), "and never again");
        let (_, html) = ana.get("/settings").await;
        assert!(
            !html.contains("my script") && html.contains("href=\"/settings/advanced\""),
            "tokens live on the Advanced page, linked from Settings"
        );
    }
}

/// The `rk_session=…` Set-Cookie line of a response, if any.
fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("rk_session="))
}

/// The CSRF token on the settings page, as the signed-in `client` sees it.
async fn settings_csrf(app: &TestApp, client: &reqwest::Client) -> String {
    let html = client
        .get(app.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    csrf_in(&html).unwrap()
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        app.api_person("ana@example.org", "Ana").await;
        let v = app.html_visitor().await;
        let r = v
            .client
            .post(app.url("/signin"))
            .form(&[
                ("_csrf", v.csrf.as_str()),
                ("email", "ana@example.org"),
                ("password", "correct horse battery"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let cookie = session_cookie(&r).expect("session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "not Secure unless configured");
        let first = cookie.split(';').next().unwrap().to_owned();
        // Signing in again from the same browser issues a new id.
        let csrf = settings_csrf(&app, &v.client).await;
        let r = v
            .client
            .post(app.url("/signin"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("email", "ana@example.org"),
                ("password", "correct horse battery"),
            ])
            .send()
            .await
            .unwrap();
        let second = session_cookie(&r).unwrap();
        assert_ne!(first, second.split(';').next().unwrap());
        // The old id no longer opens anything.
        let old = app
            .client()
            .get(app.url("/settings"))
            .header("cookie", &first)
            .send()
            .await
            .unwrap();
        assert_eq!(old.status(), 303);
        // Sign out.
        let csrf = settings_csrf(&app, &v.client).await;
        let r = v
            .client
            .post(app.url("/signout"))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            v.client
                .get(app.url("/settings"))
                .send()
                .await
                .unwrap()
                .status(),
            303
        );
    }
}

#[tokio::test]
async fn sign_in_is_rate_limited_with_a_clear_wait() {
    for b in backends() {
        let config = Config {
            auth_failures_per_account: 3,
            auth_attempts_per_ip: 6,
            ..test_config()
        };
        let app = TestApp::spawn_with(b, config).await;
        app.api_person("ana@example.org", "Ana").await;
        let v = app.html_visitor().await;
        for _ in 0..3 {
            let (status, html, _) = v
                .post(
                    "/signin",
                    &[("email", "ana@example.org"), ("password", "wrong password")],
                )
                .await;
            assert_eq!(status, 400);
            assert!(html.contains("do not match"));
        }
        // The account is now locked for a while, even with the right password.
        let (status, html, _) = v
            .post(
                "/signin",
                &[
                    ("email", "ana@example.org"),
                    ("password", "correct horse battery"),
                ],
            )
            .await;
        assert_eq!(status, 429);
        assert!(html.contains("Try again in"), "{html}");
        // Per address: after 6 attempts any account is refused from this address.
        for i in 0..2 {
            let email = format!("someone{i}@example.org");
            v.post(
                "/signin",
                &[("email", email.as_str()), ("password", "whatever it is")],
            )
            .await;
        }
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"email": "other@example.org", "password": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry));
        let p: serde_json::Value = r.json().await.unwrap();
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("Try again in {retry} s"))
        );
    }
}

#[tokio::test]
async fn security_headers_on_every_page() {
    let app = TestApp::spawn(rekindle_storage::Backend::Sqlite).await;
    for path in ["/", "/signin", "/api/openapi.json", "/nothing"] {
        let r = app.client().get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert!(h.contains_key("x-request-id"));
    }
    // A handler's own caching stands (static files), with the other headers added.
    let r = app
        .client()
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    let h = r.headers();
    assert_eq!(h["cache-control"], "public, max-age=3600");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    // Pages carry no inline script (the CSP would block it anyway).
    let html = get_text(&app, "/signup").await;
    assert!(!html.contains("<script>") && html.contains("<script src=\"/static/app.js\""));
}

/// Post/Redirect/Get for a secret shown once: making a calendar link redirects,
/// the page after the redirect shows the link, and a reload does not show it
/// again.
#[tokio::test]
async fn a_new_calendar_link_shows_once_after_a_redirect() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        app.api_person("ana@example.org", "Ana").await;
        let ana = app.html_person("ana@example.org").await;
        let (s, _, to) = ana.post("/settings/calendar/new", &[]).await;
        assert_eq!(s, 303, "{b:?}");
        let to = to.expect("a redirect");
        assert_eq!(to, "/settings/reminders?done=feed-ready", "{b:?}");
        let (s, page) = ana.get(&to).await;
        assert_eq!(s, 200);
        assert!(page.contains("/calendar/cal_"), "{b:?}: the link is shown");
        assert!(page.contains("shown only this once"), "{b:?}");
        let (_, again) = ana.get(&to).await;
        assert!(!again.contains("/calendar/cal_"), "{b:?}: only once");
        assert!(!again.contains("shown only this once"), "{b:?}");
    }
}

#[tokio::test]
async fn the_coach_builder_shows_on_the_page_without_javascript() {
    // A journal entry submitted as a plain form: before sharing, the page itself (no
    // script) shows the coach's fill-in I-statement with the writer's own words.
    let text = "You left your dishes in the sink again.";
    let want = rekindle_coach::analyze(text)
        .builder
        .expect("the coach offers a builder for blame");
    for b in backends() {
        let app = TestApp::spawn(b).await;
        rekindle_testkit::couple(&app).await;
        let ana = app.html_person("ana@example.org").await;
        let (status, _, location) = ana
            .post("/journal", &[("title", "Tonight"), ("body", text)])
            .await;
        assert_eq!(status, 303, "{b:?}");
        let location = location.expect("redirect");
        let id = location
            .trim_start_matches("/journal/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let (status, page) = ana.get(&location).await;
        assert_eq!(status, 200);
        let builder = page
            .split("coach-builder-server")
            .nth(1)
            .unwrap_or_else(|| panic!("{b:?}: no server-rendered builder in {page}"));
        assert!(builder.contains("When I see…"), "{builder}");
        assert!(
            builder.contains(&format!(
                "name=\"coach_obs\" maxlength=\"300\" value=\"{}\"",
                want.observation
            )),
            "{builder}"
        );
        assert!(
            builder.contains(&format!("<option selected>{}</option>", want.feeling)),
            "{builder}"
        );
        assert!(
            builder.contains(&format!("<option selected>{}</option>", want.need)),
            "{builder}"
        );
        for choice in want.feeling_choices.iter().chain(want.need_choices) {
            assert!(builder.contains(choice), "{choice} missing: {builder}");
        }
        assert!(builder.contains("Would you…"), "{builder}");
        // Shared entries are past the coach: no builder for them.
        let (status, _, _) = ana.post(&format!("/journal/{id}/share"), &[]).await;
        assert_eq!(status, 303);
        let (_, shared) = ana.get(&format!("/journal/{id}")).await;
        assert!(!shared.contains("coach-builder-server"));
    }
}
