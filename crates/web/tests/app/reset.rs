//! Password reset: "Forgot your password?" mails a single-use link valid for an
//! hour, answers the same whether the address has an account or not, and a
//! reset signs the person out everywhere. Without mail the page says to ask the
//! person who runs the instance.

use std::time::Duration;

use rekindle_storage::Backend;
use rekindle_testkit::browser::{Driver, Page};
use rekindle_testkit::smtp::{Mail, SmtpSink};
use rekindle_testkit::{TestApp, backends, csrf_in, test_config};
use rekindle_web::reminders::SmtpSettings;

use crate::support::in_a_browser;

fn mail_config(sink: &SmtpSink) -> rekindle_web::Config {
    rekindle_web::Config {
        smtp: Some(SmtpSettings {
            url: sink.url(),
            from: "Rekindle <rekindle@example.org>".into(),
            username: None,
            password: None,
        }),
        public_url: Some("http://rekindle.test".into()),
        // People here sign up through the API without confirming by mail.
        confirm_signups: false,
        ..test_config()
    }
}

/// The reset link in a mail (undoing quoted-printable line folding).
fn link_in(mail: &Mail) -> String {
    let text = mail.data.replace("=\r\n", "").replace("=3D", "=");
    let start = text
        .find("http://rekindle.test/password/reset/")
        .unwrap_or_else(|| panic!("no link in {text}"));
    text[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_owned()
}

/// The path of a link, to ask the test server for.
fn path_of(link: &str) -> &str {
    link.strip_prefix("http://rekindle.test").unwrap()
}

/// Loads `path` with a fresh anonymous client; its status, body and CSRF token.
async fn open(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    let s = r.status().as_u16();
    let html = r.text().await.unwrap();
    let csrf = csrf_in(&html).unwrap_or_default();
    (s, html, csrf)
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, Option<String>) {
    let r = client.post(app.url(path)).form(form).send().await.unwrap();
    let s = r.status().as_u16();
    let loc = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (s, r.text().await.unwrap(), loc)
}

/// Asks for a reset link for `email` from a fresh browser; the page's answer.
async fn ask(app: &TestApp, email: &str) -> (u16, String) {
    let c = app.client();
    let (_, _, csrf) = open(app, &c, "/password/forgot").await;
    let (s, html, _) = post(
        app,
        &c,
        "/password/forgot",
        &[("_csrf", &csrf), ("email", email)],
    )
    .await;
    (s, html)
}

/// The page without its per-visit form token, to compare two answers.
fn without_token(html: &str) -> String {
    match csrf_in(html) {
        Some(t) if !t.is_empty() => html.replace(&t, ""),
        _ => html.to_owned(),
    }
}

async fn can_sign_in(app: &TestApp, email: &str, password: &str) -> bool {
    let r = app
        .client()
        .post(app.url("/api/v1/auth/token"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    r.status() == 201
}

const NEW_PASSWORD: &str = "a brand new lantern";

#[tokio::test]
async fn a_mailed_link_works_once_and_signs_the_person_out_everywhere() {
    for b in backends() {
        let sink = SmtpSink::start().await;
        let app = TestApp::spawn_with(b, mail_config(&sink)).await;
        let ana = app.api_person("ana@example.org", "Ana").await;
        // Ana is also signed in in a browser.
        let browser = app.client();
        let (_, _, csrf) = open(&app, &browser, "/signin").await;
        let (s, _, _) = post(
            &app,
            &browser,
            "/signin",
            &[
                ("_csrf", &csrf),
                ("email", "ana@example.org"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
        assert_eq!(s, 303);

        // The sign-in page offers the way in.
        let (_, html, _) = open(&app, &app.client(), "/signin").await;
        assert!(html.contains("href=\"/password/forgot\""), "{b:?}");

        // Known and unknown addresses get the same answer; only Ana gets mail.
        let (s1, known) = ask(&app, "Ana@Example.org").await;
        let (s2, unknown) = ask(&app, "nobody@example.org").await;
        assert_eq!((s1, s2), (200, 200), "{b:?}");
        assert!(known.contains("If an account uses that address"), "{known}");
        assert_eq!(without_token(&known), without_token(&unknown), "{b:?}");
        let mails = sink.wait_for(1, Duration::from_secs(10)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mails_now = sink.mails();
        assert_eq!(mails_now.len(), 1, "{b:?}: one mail, to Ana only");
        assert_eq!(mails[0].to, vec!["ana@example.org".to_owned()]);
        let link = link_in(&mails[0]);
        let secret = link.rsplit('/').next().unwrap().to_owned();
        assert!(secret.len() >= 40, "{link}");
        // Only a digest of the secret is stored.
        let stored = app
            .db
            .repo
            .debug_dump_table("password_resets")
            .await
            .unwrap();
        assert!(!stored.is_empty() && !stored.contains(&secret), "{b:?}");

        // The link opens a form; a too-short password is refused inline and
        // leaves the link working.
        let c = app.client();
        let (s, html, csrf) = open(&app, &c, path_of(&link)).await;
        assert_eq!(s, 200, "{b:?}: {html}");
        let (s, html, _) = post(
            &app,
            &c,
            path_of(&link),
            &[("_csrf", &csrf), ("new_password", "short")],
        )
        .await;
        assert_eq!(s, 422, "{b:?}");
        assert!(html.contains("new-password-error"), "{html}");
        assert!(can_sign_in(&app, "ana@example.org", "correct horse battery").await);

        let csrf = csrf_in(&html).unwrap();
        let (s, _, loc) = post(
            &app,
            &c,
            path_of(&link),
            &[("_csrf", &csrf), ("new_password", NEW_PASSWORD)],
        )
        .await;
        assert_eq!(s, 303, "{b:?}");
        assert_eq!(loc.as_deref(), Some("/signin?reset=done"));

        // Every session and token ended; the old password no longer works.
        let (s, _) = ana.get_json("/api/v1/me").await;
        assert_eq!(s, 401, "{b:?}: the old token is revoked");
        let r = browser.get(app.url("/settings")).send().await.unwrap();
        assert_eq!(r.status(), 303, "{b:?}: the browser is signed out");
        assert!(!can_sign_in(&app, "ana@example.org", "correct horse battery").await);
        assert!(can_sign_in(&app, "ana@example.org", NEW_PASSWORD).await);

        // The link works once.
        let used = app.client();
        let (s, html, csrf) = open(&app, &used, path_of(&link)).await;
        assert_eq!(s, 404, "{b:?}");
        assert!(html.contains("does not work any more"), "{html}");
        let (s, _, _) = post(
            &app,
            &used,
            path_of(&link),
            &[("_csrf", &csrf), ("new_password", "yet another lantern")],
        )
        .await;
        assert_eq!(s, 404, "{b:?}");
        assert!(can_sign_in(&app, "ana@example.org", NEW_PASSWORD).await);
    }
}

#[tokio::test]
async fn a_link_expires_after_an_hour_and_a_new_reset_ends_older_links() {
    for b in backends() {
        let sink = SmtpSink::start().await;
        let app = TestApp::spawn_with(b, mail_config(&sink)).await;
        app.api_person("ana@example.org", "Ana").await;
        ask(&app, "ana@example.org").await;
        let first = link_in(&sink.wait_for(1, Duration::from_secs(10)).await[0]);
        app.clock.advance(Duration::from_secs(59 * 60));
        let (s, _, _) = open(&app, &app.client(), path_of(&first)).await;
        assert_eq!(s, 200, "{b:?}: still good after 59 minutes");
        app.clock.advance(Duration::from_secs(2 * 60));
        let c = app.client();
        let (s, _, csrf) = open(&app, &c, path_of(&first)).await;
        assert_eq!(s, 404, "{b:?}: gone after 61 minutes");
        let (s, _, _) = post(
            &app,
            &c,
            path_of(&first),
            &[("_csrf", &csrf), ("new_password", NEW_PASSWORD)],
        )
        .await;
        assert_eq!(s, 404, "{b:?}");
        assert!(!can_sign_in(&app, "ana@example.org", NEW_PASSWORD).await);

        // Two fresh links: using one ends the other.
        ask(&app, "ana@example.org").await;
        ask(&app, "ana@example.org").await;
        let mails = sink.wait_for(3, Duration::from_secs(10)).await;
        let (two, three) = (link_in(&mails[1]), link_in(&mails[2]));
        assert_ne!(two, three);
        let c = app.client();
        let (_, _, csrf) = open(&app, &c, path_of(&two)).await;
        let (s, _, _) = post(
            &app,
            &c,
            path_of(&two),
            &[("_csrf", &csrf), ("new_password", NEW_PASSWORD)],
        )
        .await;
        assert_eq!(s, 303, "{b:?}");
        let (s, _, _) = open(&app, &app.client(), path_of(&three)).await;
        assert_eq!(s, 404, "{b:?}: the other link ended with the reset");
        // A made-up secret is just not found.
        let (s, _, _) = open(&app, &app.client(), "/password/reset/not-a-real-secret").await;
        assert_eq!(s, 404);
        let (s, _, _) = open(&app, &app.client(), "/password/reset/%3Cscript%3E").await;
        assert_eq!(s, 404);
    }
}

#[tokio::test]
async fn asking_with_a_bad_address_is_refused_inline_and_sends_nothing() {
    for b in backends() {
        let sink = SmtpSink::start().await;
        let app = TestApp::spawn_with(b, mail_config(&sink)).await;
        app.api_person("ana@example.org", "Ana").await;
        for bad in ["", "not an address"] {
            let (s, html) = ask(&app, bad).await;
            assert_eq!(s, 422, "{b:?} {bad:?}");
            assert!(html.contains("email-error"), "{html}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(sink.mails().is_empty(), "{b:?}");
    }
}

#[tokio::test]
async fn without_mail_the_page_says_to_ask_the_person_who_runs_the_instance() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        app.api_person("ana@example.org", "Ana").await;
        let (s, html, _) = open(&app, &app.client(), "/password/forgot").await;
        assert_eq!(s, 200);
        assert!(html.contains("Ask the person who runs it"), "{b:?}: {html}");
        assert!(
            !html.contains("name=\"email\""),
            "{b:?}: no form to fill in"
        );
        let (s, html) = ask(&app, "ana@example.org").await;
        assert_eq!(s, 200, "{b:?}");
        assert!(html.contains("Ask the person who runs it"), "{b:?}");
        assert_eq!(
            app.db
                .repo
                .debug_dump_table("password_resets")
                .await
                .unwrap(),
            "",
            "{b:?}: no link made"
        );
    }
}

async fn reset_flow(driver: &Driver, backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(backend, mail_config(&sink)).await;
    app.api_person("ana@example.org", "Ana").await;
    let ca = driver.browser().await;
    let a = Page { c: &ca };
    ca.goto(&app.url("/signin")).await.unwrap();
    a.click("a[href='/password/forgot']").await;
    a.fill("#email", "ana@example.org").await;
    a.click("form[action='/password/forgot'] button[type=submit]")
        .await;
    assert!(a.text("#reset-sent").await.contains("we sent it a link"));
    let link = link_in(&sink.wait_for(1, Duration::from_secs(10)).await[0]);
    ca.goto(&app.url(path_of(&link))).await.unwrap();
    a.fill("#new_password", NEW_PASSWORD).await;
    a.click("form[action^='/password/reset/'] button[type=submit]")
        .await;
    assert_eq!(a.path().await, "/signin");
    assert!(
        a.text("#reset-done")
            .await
            .contains("new password is saved")
    );
    a.fill("#email", "ana@example.org").await;
    a.fill("#password", NEW_PASSWORD).await;
    a.click("form[action='/signin'] button[type=submit]").await;
    assert!(
        a.text("h1").await.contains("Ana"),
        "{backend:?}: {}",
        a.source().await
    );
    let _ = ca.close().await;
}

#[tokio::test]
async fn forgot_password_in_a_browser() {
    in_a_browser(reset_flow).await;
}
