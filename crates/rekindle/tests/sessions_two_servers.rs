//! The session cache never outlives a sign-out or a password change, on any
//! server. Ana's browser session is read (and cached) by server two; she signs
//! out, or changes her password, through server one; server two must refuse the
//! old cookie at once. On PostgreSQL the two are separate `rekindle serve`
//! processes (the notice crosses through LISTEN/NOTIFY); on SQLite, one server
//! serves both roles.
//!
//! Server two's `/metrics` shows that the session was cached (so the test
//! would fail without the invalidation), and a barrier makes "at once"
//! deterministic: after the change, Ana shares a journal entry through server
//! one, and Ben's "waiting for you" stream on server two must show it. Notices
//! arrive in commit order and are handled one after the other, so by then
//! server two has heard the earlier `person:` notice too.
//!
//! The home page keeps a couple's journey facts the same way, and reading pages
//! keep what they derive for a person (their space, home's lines from the
//! tools); the last two tests show these follow a change made through the other
//! server.

mod common;

use std::net::TcpListener;
use std::time::Duration;

use common::{Node, Person, couple, start};
use rekindle_storage::Backend;
use serde_json::{Value, json};

fn free_addr() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")).map(str::to_owned))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

fn csrf_in(html: &str) -> String {
    for marker in ["name=\"csrf-token\" content=\"", "name=\"_csrf\" value=\""] {
        if let Some(i) = html.find(marker) {
            return html[i + marker.len()..]
                .split('"')
                .next()
                .unwrap()
                .to_owned();
        }
    }
    panic!("no CSRF token on the page");
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in through the form on `node`; returns the session cookie's value.
async fn browser_sign_in(node: &Node, email: &str, password: &str) -> String {
    let client = no_redirects();
    let r = client
        .get(format!("{}/signin", node.base))
        .send()
        .await
        .unwrap();
    let pre = set_cookie(&r, "rk_csrf").expect("a form token cookie");
    let csrf = csrf_in(&r.text().await.unwrap());
    let r = client
        .post(format!("{}/signin", node.base))
        .header("cookie", format!("rk_csrf={pre}"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "signed in as {email}");
    set_cookie(&r, "rk_session").expect("a session cookie")
}

/// Status of a signed-in page on `node` with the session cookie, and its body.
async fn settings(node: &Node, session: &str) -> (u16, String) {
    let r = no_redirects()
        .get(format!("{}/settings", node.base))
        .header("cookie", format!("rk_session={session}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn cached_sessions(metrics: &str) -> f64 {
    let text = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("session_cache_entries "))
        .expect("the gauge is exported")
        .trim()
        .parse()
        .unwrap()
}

/// Ben's "waiting for you" stream on one server.
struct Stream {
    resp: reqwest::Response,
    buf: String,
}

impl Stream {
    async fn open(who: &Person, node: &Node) -> Stream {
        let resp = who
            .client
            .get(format!("{}/api/v1/waiting/events", node.base))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        Stream {
            resp,
            buf: String::new(),
        }
    }

    async fn next_count(&mut self) -> u64 {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                    let v: Value = serde_json::from_str(data.trim()).unwrap();
                    if let Some(n) = v["count"].as_u64() {
                        return n;
                    }
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.resp.chunk())
                .await
                .expect("an event in time")
                .expect("the stream stays open")
                .expect("a chunk");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// Ana shares an entry through server one and Ben's stream on server two
/// shows it: every notice server one sent before has been handled by two.
async fn barrier(ana: &Person, stream: &mut Stream, count: &mut u64) {
    let e = ana
        .ok(
            reqwest::Method::POST,
            "/api/v1/journal",
            json!({"body": "a note"}),
        )
        .await;
    let id = e["id"].as_str().unwrap();
    ana.ok(
        reqwest::Method::PATCH,
        &format!("/api/v1/journal/{id}"),
        json!({"visibility": "shared"}),
    )
    .await;
    loop {
        let now = stream.next_count().await;
        if now > *count {
            *count = now;
            return;
        }
    }
}

async fn run(one: &Node, two: &Node, two_metrics: &str) {
    let (ana, ben) = couple(one, two).await;
    let mut stream = Stream::open(&ben, two).await;
    let mut count = stream.next_count().await;

    // Sign-out on server one.
    let session = browser_sign_in(one, "ana@example.org", "correct horse battery").await;
    let before = cached_sessions(two_metrics).await;
    let (s, _) = settings(two, &session).await;
    assert_eq!(s, 200);
    assert!(
        cached_sessions(two_metrics).await > before,
        "server two keeps the session it read"
    );
    let (s, html) = settings(two, &session).await;
    assert_eq!(s, 200, "served from the cache");
    let csrf = csrf_in(&html);
    let r = no_redirects()
        .post(format!("{}/signout", one.base))
        .header("cookie", format!("rk_session={session}"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    barrier(&ana, &mut stream, &mut count).await;
    let (s, _) = settings(two, &session).await;
    assert_eq!(s, 303, "server two no longer knows the signed-out session");

    // Password change on server one (through the API, with Ana's token).
    let session = browser_sign_in(one, "ana@example.org", "correct horse battery").await;
    assert_eq!(settings(two, &session).await.0, 200);
    assert_eq!(settings(two, &session).await.0, 200);
    let (s, v) = ana
        .send(
            reqwest::Method::PUT,
            "/api/v1/me/password",
            json!({"current_password": "correct horse battery", "new_password": "another horse battery"}),
        )
        .await;
    assert_eq!(s, 204, "{v}");
    // The change ended her token as well: a new one, through server one.
    let v: Value = ana
        .client
        .post(format!("{}/api/v1/auth/token", one.base))
        .json(&json!({"email": "ana@example.org", "password": "another horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ana = Person {
        token: v["token"].as_str().expect("a new token").to_owned(),
        base: one.base.clone(),
        client: reqwest::Client::new(),
    };
    barrier(&ana, &mut stream, &mut count).await;
    assert_eq!(
        settings(two, &session).await.0,
        303,
        "a password change ends the cached session on server two"
    );
    // A new sign-in with the new password works through server two.
    let session = browser_sign_in(two, "ana@example.org", "another horse battery").await;
    assert_eq!(settings(two, &session).await.0, 200);
}

#[tokio::test]
async fn a_cached_session_ends_with_sign_out_and_password_change_on_any_server() {
    for backend in rekindle_testkit::backends() {
        match backend {
            Backend::Postgres => {
                let url = rekindle_testkit::fresh_pg_database().await;
                let one = start(&url, &[]).await;
                let metrics = free_addr();
                let two = start(&url, &["--metrics-listen", &metrics]).await;
                run(&one, &two, &metrics).await;
            }
            Backend::Sqlite => {
                // One server on SQLite keeps the same cache (`rekindle admin`
                // from another process is tests/admin.rs).
                let metrics = free_addr();
                let only = start("", &["--metrics-listen", &metrics]).await;
                run(&only, &only, &metrics).await;
            }
        }
    }
}

/// Ben's home page on `node`, read with his browser session.
async fn home(node: &Node, session: &str) -> String {
    page(node, session, "/").await
}

async fn journey_run(one: &Node, two: &Node) {
    let (ana, ben) = couple(one, two).await;
    let mut stream = Stream::open(&ben, two).await;
    let mut count = stream.next_count().await;
    let session = browser_sign_in(two, "ben@example.org", "correct horse battery").await;
    let not_yet = "No answers exchanged or entries shared yet.";
    for view in ["read", "kept"] {
        assert!(home(two, &session).await.contains(not_yet), "{view}");
    }
    // Ana shares a journal entry through server one; once Ben's stream on
    // server two shows it, two has heard the change.
    barrier(&ana, &mut stream, &mut count).await;
    let page = home(two, &session).await;
    assert!(
        page.contains("1 of you shared a journal entry"),
        "the journey on server two follows a change made on server one"
    );
    assert!(!page.contains(not_yet));
}

/// Runs `check` with two `rekindle serve` processes on one PostgreSQL
/// database, and with one server in both roles on SQLite.
async fn on_two_servers(check: impl AsyncFn(&Node, &Node)) {
    for backend in rekindle_testkit::backends() {
        match backend {
            Backend::Postgres => {
                let url = rekindle_testkit::fresh_pg_database().await;
                let one = start(&url, &[]).await;
                let two = start(&url, &[]).await;
                check(&one, &two).await;
            }
            Backend::Sqlite => {
                let only = start("", &[]).await;
                check(&only, &only).await;
            }
        }
    }
}

#[tokio::test]
async fn the_home_pages_journey_follows_a_change_on_any_server() {
    on_two_servers(journey_run).await;
}

/// A signed-in page on `node`, read with a browser session.
async fn page(node: &Node, session: &str, path: &str) -> String {
    let r = no_redirects()
        .get(format!("{}{path}", node.base))
        .header("cookie", format!("rk_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

async fn derived_run(one: &Node, two: &Node) {
    let (ana, ben) = couple(one, two).await;
    let mut stream = Stream::open(&ben, two).await;
    let mut count = stream.next_count().await;
    let session = browser_sign_in(two, "ben@example.org", "correct horse battery").await;
    for view in ["read", "kept"] {
        let talks = page(two, &session, "/talks").await;
        assert!(talks.contains("Ask ana@example.org for a talk"), "{view}");
        assert!(!talks.contains("Sunday walk"), "{view}");
        assert!(
            !page(two, &session, "/").await.contains("Sunday walk"),
            "{view}"
        );
        assert!(
            !page(two, &session, "/plan").await.contains("Tidy the shed"),
            "{view}"
        );
        assert!(
            page(two, &session, "/checkins")
                .await
                .contains("Begin a check-in now"),
            "{view}"
        );
        assert!(
            page(two, &session, "/questions")
                .await
                .contains(r#"<option value="19" selected>"#),
            "{view}"
        );
    }
    // Through server one Ana renames herself (her partner's space names her)
    // and asks for a talk (Ben's home lists it); the barrier makes sure server
    // two has heard both.
    ana.ok(
        reqwest::Method::PATCH,
        "/api/v1/me",
        json!({"display_name": "Anita"}),
    )
    .await;
    let tomorrow = chrono::Utc::now().timestamp_millis() + 86_400_000;
    ana.ok(
        reqwest::Method::POST,
        "/api/v1/talks",
        json!({"topic": "Sunday walk", "times": [tomorrow]}),
    )
    .await;
    // And she proposes an action, begins a check-in and moves the hour of the
    // day's question: each tool page Ben reads on server two keeps its reads.
    let day_after = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    ana.ok(
        reqwest::Method::POST,
        "/api/v1/plan",
        json!({"title": "Tidy the shed", "owner": "both", "due_date": day_after}),
    )
    .await;
    ana.ok(reqwest::Method::POST, "/api/v1/checkins", json!({}))
        .await;
    ana.ok(
        reqwest::Method::PUT,
        "/api/v1/questions/settings",
        json!({"hour": 7}),
    )
    .await;
    barrier(&ana, &mut stream, &mut count).await;
    let talks = page(two, &session, "/talks").await;
    assert!(
        talks.contains("Ask Anita for a talk"),
        "the space a reading page keeps on server two follows a change on server one"
    );
    assert!(talks.contains("Sunday walk"), "the talks page's own reads");
    assert!(
        page(two, &session, "/plan").await.contains("Tidy the shed"),
        "the plan page's reads"
    );
    assert!(
        page(two, &session, "/checkins")
            .await
            .contains("A check-in is open"),
        "the check-ins page's reads"
    );
    assert!(
        page(two, &session, "/questions")
            .await
            .contains(r#"<option value="7" selected>"#),
        "the questions page's reads"
    );
    assert!(
        page(two, &session, "/").await.contains("Sunday walk"),
        "home's lines on server two follow a change on server one"
    );
}

#[tokio::test]
async fn what_reading_pages_keep_follows_a_change_on_any_server() {
    on_two_servers(derived_run).await;
}
