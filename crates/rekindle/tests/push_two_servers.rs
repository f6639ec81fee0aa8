//! Two `rekindle serve` processes on one PostgreSQL database, both running the
//! push sender (sweeping every 50 ms and hearing each other's changes through
//! LISTEN/NOTIFY), one push service on loopback: every item is pushed exactly
//! once, decrypted and VAPID-verified by the test's push service.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{couple, rekindle, start};
use rekindle_storage::Backend;
use rekindle_testkit::push::{Browser, PushService};
use rekindle_testkit::{backends, fresh_pg_database};
use reqwest::Method as M;
use serde_json::{Value, json};

const ITEMS: usize = 12;

#[tokio::test]
async fn two_app_servers_push_each_item_once() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("WARNING: PostgreSQL not configured; the two-server push test did not run");
        return;
    }
    let db = fresh_pg_database().await;
    let (migrated, out) = rekindle(&["migrate", "--database-url", &db]);
    assert!(migrated, "{out}");
    let push = PushService::start().await;
    let every_50ms = ["--push-interval-secs", "0.05", "--push-allow-loopback"];
    let a = start(&db, &every_50ms).await;
    let b = start(&db, &every_50ms).await;
    let (ana, ben) = couple(&a, &b).await;
    // Both servers sign with the one key kept in the database.
    let key_a = ben
        .via(&a)
        .ok(M::GET, "/api/v1/push/key", Value::Null)
        .await;
    let key_b = ben.ok(M::GET, "/api/v1/push/key", Value::Null).await;
    assert_eq!(key_a, key_b, "one VAPID key for the deployment");
    let server_key = key_a["public_key"].as_str().unwrap().to_owned();
    let browser = Browser::new();
    ben.ok(
        M::POST,
        "/api/v1/push/subscriptions",
        browser.subscription(&push.endpoint("ben"), "Phone"),
    )
    .await;

    // Ana shares entries through both servers in turn.
    let through = [ana.via(&a), ana.via(&b)];
    let started = Instant::now();
    let mut ids = BTreeSet::new();
    for i in 0..ITEMS {
        let ana = &through[i % 2];
        let e = ana
            .ok(
                M::POST,
                "/api/v1/journal",
                json!({"title": format!("t{i}"), "body": "Secret-words-5b1e"}),
            )
            .await;
        let id = e["id"].as_str().unwrap().to_owned();
        ana.ok(
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
