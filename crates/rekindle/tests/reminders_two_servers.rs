//! Two `rekindle serve` processes on one PostgreSQL database, both running the
//! reminder scheduler every 50 ms against one SMTP server on loopback: each
//! reminder still arrives exactly once.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rekindle_storage::Backend;
use rekindle_testkit::smtp::SmtpSink;
use rekindle_testkit::{backends, fresh_pg_database};
use serde_json::{Value, json};

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

async fn start(db: &str, smtp: &str) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_rekindle"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            db,
            "--smtp-url",
            smtp,
            "--smtp-from",
            "Rekindle <rekindle@example.org>",
            "--reminder-interval-secs",
            "0.05",
            "--public-url",
            "http://rekindle.test",
            // The test counts reminder mails; sign-up confirmation has its own test.
            "--no-signup-confirmation",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start rekindle");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
            && r.status() == 200
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server on port {port} did not become ready");
}

async fn call(
    base: &str,
    token: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
    let mut r = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.expect("request");
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {v}");
    v
}

async fn person(base: &str, email: &str) -> String {
    call(
        base,
        None,
        reqwest::Method::POST,
        "/api/v1/accounts",
        json!({"email": email, "display_name": "P", "password": "correct horse battery"}),
    )
    .await;
    let v = call(
        base,
        None,
        reqwest::Method::POST,
        "/api/v1/auth/token",
        json!({"email": email, "password": "correct horse battery"}),
    )
    .await;
    v["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn two_app_servers_send_each_reminder_once() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("WARNING: PostgreSQL not configured; the two-server reminder test did not run");
        return;
    }
    let db = fresh_pg_database().await;
    let status = Command::new(env!("CARGO_BIN_EXE_rekindle"))
        .args(["migrate", "--database-url", &db])
        .stdout(Stdio::null())
        .status()
        .expect("migrate");
    assert!(status.success());
    let sink = SmtpSink::start().await;
    let a = start(&db, &sink.url()).await;
    let b = start(&db, &sink.url()).await;
    use reqwest::Method as M;
    let ana = person(&a.base, "ana@example.org").await;
    let ben = person(&b.base, "ben@example.org").await;
    call(&a.base, Some(&ana), M::POST, "/api/v1/space", json!({})).await;
    let inv = call(
        &a.base,
        Some(&ana),
        M::POST,
        "/api/v1/space/invitations",
        json!({}),
    )
    .await;
    let code = inv["code"].as_str().unwrap();
    call(
        &b.base,
        Some(&ben),
        M::POST,
        &format!("/api/v1/invitations/{code}/accept"),
        json!({}),
    )
    .await;
    // Both people are in UTC; their reminder time 00:00 has passed today, so the
    // reminder is due at once on both servers.
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let act = call(
        &a.base,
        Some(&ana),
        M::POST,
        "/api/v1/plan",
        json!({"title": "Secret-thing-9d2e", "owner": "both", "due_date": today}),
    )
    .await;
    let id = act["id"].as_str().unwrap();
    call(
        &b.base,
        Some(&ben),
        M::POST,
        &format!("/api/v1/plan/{id}/answer"),
        json!({"accept": true}),
    )
    .await;
    for (base, token) in [(&a.base, &ana), (&b.base, &ben)] {
        call(
            base,
            Some(token),
            M::PUT,
            "/api/v1/plan/reminders",
            json!({"kinds": ["actions"], "time": "00:00"}),
        )
        .await;
    }
    let mails = sink.wait_for(2, Duration::from_secs(30)).await;
    assert_eq!(mails.len(), 2, "one reminder each");
    // Many more passes of both schedulers: still two.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = sink.mails();
    assert_eq!(mails.len(), 2, "each reminder is sent exactly once");
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        vec!["ana@example.org".to_owned(), "ben@example.org".to_owned()]
    );
    assert!(mails.iter().all(|m| !m.data.contains("Secret-thing-9d2e")));
    drop((a, b));
}
