//! The security findings of the trust review, each reproduced as it was found,
//! on both databases: the sign-in redirect stays on this site, NUL and control
//! characters are refused (never a 500), one address cannot lock an account
//! everywhere, exported CSV cells never run as formulas, a new password removes
//! personal tokens, misspelt JSON fields are refused, every API error is
//! problem details, open talk sockets close with the sign-in, and metrics live
//! on their own listener without naming private routes.

use futures_util::StreamExt;
use rekindle_testkit::{TestApp, backends, couple, test_config};
use rekindle_web::Config;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{export_text, metric};

async fn sign_in_with_next(app: &TestApp, next: &str) -> reqwest::Response {
    let v = app.html_visitor().await;
    v.client
        .post(app.url("/signin"))
        .form(&[
            ("_csrf", v.csrf.as_str()),
            ("email", "ana@example.org"),
            ("password", "correct horse battery"),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn after_sign_in_the_redirect_stays_on_this_site_and_the_cookie_is_set() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        app.api_person("ana@example.org", "Ana").await;
        for next in [
            "/\t/evil.example/x",
            "/\n/evil.example",
            "/\u{1}x",
            "/\u{7f}x",
            "/\r\nSet-Cookie: x=1",
            "//evil.example",
            "/\\evil.example",
        ] {
            let r = sign_in_with_next(&app, next).await;
            assert_eq!(r.status(), 303, "{b:?} {next:?}");
            assert_eq!(r.headers()["location"], "/", "{b:?} {next:?}");
            assert!(
                r.headers()
                    .get_all("set-cookie")
                    .iter()
                    .any(|c| c.to_str().unwrap().starts_with("rk_session=")),
                "{b:?} {next:?}: signed in means a cookie"
            );
        }
        let r = sign_in_with_next(&app, "/journal").await;
        assert_eq!(r.headers()["location"], "/journal");
        // The sign-in page does not carry it either.
        let r = app
            .client()
            .get(app.url("/signin?next=%2F%09%2Fevil.example%2Fx"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(!r.text().await.unwrap().contains("evil.example"));
    }
}

#[tokio::test]
async fn a_nul_character_is_refused_with_422_everywhere_on_both_databases() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        let (s, e) = ana
            .send_json(Method::POST, "/api/v1/journal", json!({"body": "fine"}))
            .await;
        assert_eq!(s, 201);
        let id = e["id"].as_str().unwrap().to_owned();
        for (method, path, body) in [
            (
                Method::POST,
                "/api/v1/journal".to_owned(),
                json!({"body": "a\u{0}b"}),
            ),
            (
                Method::POST,
                "/api/v1/journal".to_owned(),
                json!({"title": "\u{0}", "body": "x"}),
            ),
            (
                Method::PATCH,
                format!("/api/v1/journal/{id}"),
                json!({"body": "x\u{0}"}),
            ),
            (
                Method::POST,
                "/api/v1/tokens".to_owned(),
                json!({"name": "t\u{0}"}),
            ),
            (
                Method::GET,
                "/api/v1/journal/ab%00cd".to_owned(),
                Value::Null,
            ),
            (
                Method::GET,
                "/api/v1/questions?q=%00".to_owned(),
                Value::Null,
            ),
        ] {
            let (s, v) = ana.send_json(method.clone(), &path, body).await;
            assert_eq!(s, 422, "{b:?} {method} {path}: {v}");
            assert_eq!(v["status"], 422);
        }
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"email": "ana\u{0}@example.org", "password": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}");
        // A form too.
        let web = app.html_person("ana@example.org").await;
        let (s, _, _) = web
            .post("/journal", &[("title", "t"), ("body", "a\u{0}b")])
            .await;
        assert_eq!(s, 422, "{b:?}");
        // Nothing was stored.
        let (_, list) = ana.get_json("/api/v1/journal").await;
        assert_eq!(list.as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_the_account_elsewhere() {
    for b in backends() {
        let app = TestApp::spawn_with(
            b,
            Config {
                trust_proxy: true,
                auth_failures_per_account: 3,
                ..test_config()
            },
        )
        .await;
        app.api_person("ana@example.org", "Ana").await;
        let attempt = |from: &'static str, password: &'static str| {
            let c = app.client();
            let url = app.url("/api/v1/auth/token");
            async move {
                c.post(url)
                    .header("x-forwarded-for", from)
                    .json(&json!({"email": "ana@example.org", "password": password}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        for _ in 0..3 {
            assert_eq!(attempt("10.0.0.66", "wrong password").await, 422);
        }
        assert_eq!(attempt("10.0.0.66", "correct horse battery").await, 429);
        assert_eq!(
            attempt("10.0.0.7", "correct horse battery").await,
            201,
            "{b:?}: the owner elsewhere still signs in"
        );
        // Guessing from many addresses still meets the account's ceiling (10 × 3).
        for i in 0..30 {
            let from: &'static str = Box::leak(format!("10.1.0.{i}").into_boxed_str());
            attempt(from, "wrong password").await;
        }
        assert_eq!(attempt("10.0.0.8", "correct horse battery").await, 429);
    }
}

#[tokio::test]
async fn a_shared_title_never_runs_as_a_formula_in_the_partners_export() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let formula = "=HYPERLINK(\"http://evil.example\",\"open\")";
        let (_, e) = ana
            .send_json(
                Method::POST,
                "/api/v1/journal",
                json!({"title": formula, "body": "x"}),
            )
            .await;
        let id = e["id"].as_str().unwrap();
        ana.send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{id}"),
            json!({"visibility": "shared"}),
        )
        .await;
        let export = export_text(&ben).await;
        assert!(export.contains("'=HYPERLINK"), "{b:?}: defused");
        assert!(!export.contains(",=HYPERLINK") && !export.contains("\n=HYPERLINK"));
    }
}

#[tokio::test]
async fn a_new_password_removes_personal_tokens() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let ana = app.api_person("ana@example.org", "Ana").await;
        let (s, _) = ana.get_json("/api/v1/me").await;
        assert_eq!(s, 200);
        let web = app.html_person("ana@example.org").await;
        let (s, _, _) = web
            .post(
                "/settings/password",
                &[
                    ("current_password", "correct horse battery"),
                    ("new_password", "a brand new passphrase"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (s, _) = ana.get_json("/api/v1/me").await;
        assert_eq!(s, 401, "{b:?}: the token went with the old password");
        let (s, _) = web.get("/settings").await;
        assert_eq!(s, 200, "the browser that changed it stays signed in");
    }
}

#[tokio::test]
async fn a_misspelt_json_field_is_refused_and_changes_nothing() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let (_, c) = ana
            .send_json(Method::POST, "/api/v1/checkins", json!({}))
            .await;
        let id = c["id"].as_str().unwrap().to_owned();
        let (s, v) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/checkins/{id}/submission"),
                json!({"csi": [1, 1, 1, 1], "technoference": [4, 4, 4, 4], "hours_together": 2,
                       "hours_device_free": 0, "appreciation": "x", "scores_private": true}),
            )
            .await;
        assert_eq!(s, 422, "{b:?}: {v}");
        assert!(
            v["detail"].as_str().unwrap().contains("scores_private"),
            "{v}"
        );
        let (_, mine) = ana.get_json(&format!("/api/v1/checkins/{id}")).await;
        assert!(
            !mine.to_string().contains("\"appreciation\":\"x\""),
            "{mine}"
        );
        let (s, _) = ben
            .send_json(
                Method::POST,
                "/api/v1/journal",
                json!({"body": "x", "colour": "red"}),
            )
            .await;
        assert_eq!(s, 422);
    }
}

#[tokio::test]
async fn every_api_error_is_problem_details() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let ana = app.api_person("ana@example.org", "Ana").await;
        for (method, path) in [
            (Method::GET, "/api/v1/questions?deck=1&deck=2&limit=lots"),
            (Method::GET, "/api/v1/talks/abc?after=not-a-number"),
            (Method::DELETE, "/api/v1/waiting"),
            (Method::GET, "/api/v1/no-such-thing"),
        ] {
            let r = ana.req(method.clone(), path).send().await.unwrap();
            let status = r.status().as_u16();
            assert!((400..500).contains(&status), "{method} {path}: {status}");
            assert_eq!(
                r.headers()["content-type"].to_str().unwrap(),
                "application/problem+json",
                "{b:?} {method} {path}"
            );
            let p: Value = r.json().await.unwrap();
            assert_eq!(p["status"], status);
        }
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open_socket(app: &TestApp, token: &str, talk: &str) -> Ws {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{}/talks/{talk}/ws", app.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// Reads until the socket closes; true if it did within 2 s.
async fn closes(ws: &mut Ws) -> bool {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return false,
            Ok(None) | Ok(Some(Err(_))) => return true,
            Ok(Some(Ok(m))) if m.is_close() => return true,
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[tokio::test]
async fn an_open_talk_socket_closes_with_the_sign_in() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        ana.send_json(
            Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 0}),
        )
        .await;
        ben.send_json(
            Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 1}),
        )
        .await;
        let soon = chrono::Utc::now().timestamp_millis() + 3_600_000;
        let (_, t) = ana
            .send_json(
                Method::POST,
                "/api/v1/talks",
                json!({"topic": "x", "times": [soon]}),
            )
            .await;
        let talk = t["id"].as_str().unwrap().to_owned();
        // A second token of Ben's: revoking it closes the socket opened with it.
        let (_, extra) = ben
            .send_json(Method::POST, "/api/v1/tokens", json!({"name": "phone"}))
            .await;
        let extra_token = extra["token"].as_str().unwrap().to_owned();
        let extra_id = extra["id"].as_str().unwrap().to_owned();
        let mut ws = open_socket(&app, &extra_token, &talk).await;
        assert!(!closes(&mut ws).await, "open while the token holds");
        let (s, _) = ben
            .send_json(
                Method::DELETE,
                &format!("/api/v1/tokens/{extra_id}"),
                json!({}),
            )
            .await;
        assert_eq!(s, 204);
        assert!(closes(&mut ws).await, "{b:?}: revoked token");

        // A password change removes every token: Ana's socket closes.
        let mut ws = open_socket(&app, &ana.token, &talk).await;
        assert!(!closes(&mut ws).await);
        let (s, _) = ana
            .send_json(
                Method::PUT,
                "/api/v1/me/password",
                json!({"current_password": "correct horse battery", "new_password": "a brand new passphrase"}),
            )
            .await;
        assert_eq!(s, 204);
        assert!(closes(&mut ws).await, "{b:?}: password change");
    }
}

#[tokio::test]
async fn metrics_live_on_their_own_listener_and_never_name_private_routes() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let ana = app.api_person("ana@example.org", "Ana").await;
        let r = app.client().get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(r.status(), 404, "not on the public listener");
        let before = metric(
            &app.metrics_text().await,
            "http_requests_total",
            &[r#"route="private""#],
        );
        let (s, _) = ana
            .send_json(
                Method::POST,
                "/api/v1/safety/check",
                json!({"answers": [1, 1, 1, 1]}),
            )
            .await;
        assert!(s < 500);
        let text = app.metrics_text().await;
        assert!(!text.contains("/safety"), "{b:?}: {text}");
        assert!(metric(&text, "http_requests_total", &[r#"route="private""#]) > before);
    }
}

#[tokio::test]
async fn quick_exit_ends_the_session_on_the_server() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        app.api_person("ana@example.org", "Ana").await;
        // Sign in with a client whose cookie we can replay by hand afterwards.
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
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("rk_session="))
            .unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let r = v.client.get(app.url("/exit")).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "https://duckduckgo.com/?q=weather");
        assert_eq!(r.headers()["clear-site-data"], "\"cache\"");
        // The old cookie, replayed, no longer opens anything.
        let r = app
            .client()
            .get(app.url("/checkins"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/signin")
        );
    }
}

#[tokio::test]
async fn the_erase_section_says_what_erasure_guarantees_on_this_database() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        couple(&app).await;
        let ana = app.html_person("ana@example.org").await;
        let (s, page) = ana.get("/settings").await;
        assert_eq!(s, 200);
        let pg = "keeps deleted rows in its files until that space is reused";
        let sqlite = "the freed space is overwritten";
        match b {
            rekindle_storage::Backend::Postgres => {
                assert!(page.contains(pg) && !page.contains(sqlite), "{b:?}")
            }
            rekindle_storage::Backend::Sqlite => {
                assert!(page.contains(sqlite) && !page.contains(pg), "{b:?}")
            }
        }
        assert!(page.contains("until they are rotated"), "{b:?}: backups");
    }
}

/// The link in a sign-up mail (quoted-printable soft breaks undone).
fn signup_link(mail: &rekindle_testkit::smtp::Mail) -> Option<String> {
    let text = mail.data.replace("=\r\n", "");
    let at = text.find("/signup/confirm/")?;
    let token: String = text[at + 16..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    Some(format!("/signup/confirm/{token}"))
}

#[tokio::test]
async fn with_a_mail_server_sign_up_never_tells_whether_an_address_has_an_account() {
    use rekindle_testkit::smtp::SmtpSink;
    for b in backends() {
        let sink = SmtpSink::start().await;
        let config = Config {
            smtp: Some(rekindle_web::reminders::SmtpSettings {
                url: sink.url(),
                from: "Rekindle <rekindle@example.org>".into(),
                username: None,
                password: None,
            }),
            public_url: Some("http://rekindle.test".into()),
            ..test_config()
        };
        let app = TestApp::spawn_with(b, config).await;
        let form = |email: &'static str, password: &'static str| {
            [
                ("email", email),
                ("display_name", "Ana"),
                ("password", password),
                ("time_zone", "Europe/Paris"),
            ]
        };
        // A new address: "check your email", and a link that finishes the account.
        let v = app.html_visitor().await;
        let (s, _, to) = v
            .post("/signup", &form("ana@example.org", "correct horse battery"))
            .await;
        assert_eq!((s, to.as_deref()), (303, Some("/signup/sent")), "{b:?}");
        let (s, sent) = v.get("/signup/sent").await;
        assert_eq!(s, 200);
        assert!(sent.contains("Check your email"), "{b:?}");
        let mails = sink.wait_for(1, std::time::Duration::from_secs(5)).await;
        assert_eq!(mails[0].to, vec!["ana@example.org".to_owned()]);
        let link = signup_link(&mails[0]).expect("a link in the mail");
        assert!(
            mails[0]
                .data
                .contains("http://rekindle.test/signup/confirm/"),
            "{b:?}: an absolute link"
        );
        // Nothing exists until the link is used; opening it changes nothing.
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"email": "ana@example.org", "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}: no account before the link");
        let (s, page) = v.get(&link).await;
        assert_eq!(s, 200, "{b:?}");
        let (s, _) = v.get(&link).await;
        assert_eq!(s, 200, "{b:?}: opening the link does not use it");
        let csrf = rekindle_testkit::csrf_in(&page).expect("a form");
        let r = v
            .client
            .post(app.url(&link))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let (s, _) = v.get("/settings").await;
        assert_eq!(s, 200, "{b:?}: signed in");
        let (s, spent) = app.html_visitor().await.get(&link).await;
        assert_eq!(s, 404, "{b:?}: a link works once");
        assert!(spent.contains("no longer works"), "{b:?}");

        // The same address again: the very same answer; the mail says it has an
        // account, and nothing changes (the old password still works).
        let w = app.html_visitor().await;
        let (s, _, to) = w
            .post("/signup", &form("ana@example.org", "another password 123"))
            .await;
        assert_eq!((s, to.as_deref()), (303, Some("/signup/sent")), "{b:?}");
        let mails = sink.wait_for(2, std::time::Duration::from_secs(5)).await;
        assert!(
            signup_link(&mails[1]).is_none(),
            "{b:?}: no link for a taken address"
        );
        assert!(mails[1].data.contains("You already have one"), "{b:?}");
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"email": "ana@example.org", "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{b:?}: the account is untouched");

        // The API answers the same for a taken and a new address.
        let mut answers = Vec::new();
        for email in ["ana@example.org", "ben@example.org"] {
            let r = app
                .client()
                .post(app.url("/api/v1/accounts"))
                .json(&json!({"email": email, "password": "correct horse battery", "display_name": "X"}))
                .send()
                .await
                .unwrap();
            answers.push((r.status().as_u16(), r.text().await.unwrap()));
        }
        assert_eq!(answers[0], answers[1], "{b:?}");
        assert_eq!(answers[0].0, 202, "{b:?}");
        sink.wait_for(4, std::time::Duration::from_secs(5)).await;
    }
}
