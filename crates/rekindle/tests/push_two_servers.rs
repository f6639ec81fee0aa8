//! Two `rekindle serve` processes on one PostgreSQL database, both running the
//! push sender (sweeping every 50 ms and hearing each other's changes through
//! LISTEN/NOTIFY), one push service on loopback: every item is pushed exactly
//! once, decrypted and VAPID-verified by the test's push service.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rekindle_storage::Backend;
use rekindle_testkit::push::{Browser, PushService};
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

async fn start(db: &str) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_rekindle"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            db,
            "--push-interval-secs",
            "0.05",
            "--push-allow-loopback",
            "--auth-attempts-per-ip",
            "10000",
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

const ITEMS: usize = 12;

#[tokio::test]
async fn two_app_servers_push_each_item_once() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("WARNING: PostgreSQL not configured; the two-server push test did not run");
        return;
    }
    let db = fresh_pg_database().await;
    let status = Command::new(env!("CARGO_BIN_EXE_rekindle"))
        .args(["migrate", "--database-url", &db])
        .stdout(Stdio::null())
        .status()
        .expect("migrate");
    assert!(status.success());
    let push = PushService::start().await;
    let a = start(&db).await;
    let b = start(&db).await;
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
    // Both servers sign with the one key kept in the database.
    let key_a = call(&a.base, Some(&ben), M::GET, "/api/v1/push/key", Value::Null).await;
    let key_b = call(&b.base, Some(&ben), M::GET, "/api/v1/push/key", Value::Null).await;
    assert_eq!(key_a, key_b, "one VAPID key for the deployment");
    let server_key = key_a["public_key"].as_str().unwrap().to_owned();
    let browser = Browser::new();
    call(
        &b.base,
        Some(&ben),
        M::POST,
        "/api/v1/push/subscriptions",
        browser.subscription(&push.endpoint("ben"), "Phone"),
    )
    .await;

    // Ana shares entries through both servers in turn.
    let started = Instant::now();
    let mut ids = BTreeSet::new();
    for i in 0..ITEMS {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let e = call(
            base,
            Some(&ana),
            M::POST,
            "/api/v1/journal",
            json!({"title": format!("t{i}"), "body": "Secret-words-5b1e"}),
        )
        .await;
        let id = e["id"].as_str().unwrap().to_owned();
        call(
            base,
            Some(&ana),
            M::PATCH,
            &format!("/api/v1/journal/{id}"),
            json!({"visibility": "shared"}),
        )
        .await;
        ids.insert(format!("shared_entry:{id}"));
    }
    push.wait_for("ben", ITEMS, Duration::from_secs(30)).await;
    let all_in = started.elapsed();
    // Many more passes of both senders: still one push per item.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = push.received("ben", &browser, &server_key);
    let tags: BTreeSet<String> = got
        .iter()
        .map(|r| r.payload["tag"].as_str().unwrap().to_owned())
        .collect();
    eprintln!(
        "push across two servers: {ITEMS} items, {} pushes received, {} distinct, all in after {:?}",
        got.len(),
        tags.len(),
        all_in
    );
    assert_eq!(got.len(), ITEMS, "each item pushed exactly once");
    assert_eq!(tags, ids);
    assert!(
        got.iter()
            .all(|r| !r.payload.to_string().contains("Secret-words"))
    );
    drop((a, b));
}
