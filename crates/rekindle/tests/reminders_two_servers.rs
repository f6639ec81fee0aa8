//! Two `rekindle serve` processes on one PostgreSQL database, both running the
//! reminder scheduler every 50 ms against one SMTP server on loopback: each
//! reminder still arrives exactly once.

mod common;

use std::time::Duration;

use common::{couple, rekindle, start};
use rekindle_storage::Backend;
use rekindle_testkit::smtp::SmtpSink;
use rekindle_testkit::{backends, fresh_pg_database};
use reqwest::Method as M;
use serde_json::json;

#[tokio::test]
async fn two_app_servers_send_each_reminder_once() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("WARNING: PostgreSQL not configured; the two-server reminder test did not run");
        return;
    }
    let db = fresh_pg_database().await;
    let (migrated, out) = rekindle(&["migrate", "--database-url", &db]);
    assert!(migrated, "{out}");
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let every_50ms = [
        "--smtp-url",
        smtp.as_str(),
        "--smtp-from",
        "Rekindle <rekindle@example.org>",
        "--reminder-interval-secs",
        "0.05",
        "--public-url",
        "http://rekindle.test",
        // The test counts reminder mails; sign-up confirmation has its own test.
        "--no-signup-confirmation",
    ];
    let a = start(&db, &every_50ms).await;
    let b = start(&db, &every_50ms).await;
    let (ana, ben) = couple(&a, &b).await;
    // Both people are in UTC; their reminder time 00:00 has passed today, so the
    // reminder is due at once on both servers.
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let act = ana
        .ok(
            M::POST,
            "/api/v1/plan",
            json!({"title": "Secret-thing-9d2e", "owner": "both", "due_date": today}),
        )
        .await;
    let id = act["id"].as_str().unwrap();
    ben.ok(
        M::POST,
        &format!("/api/v1/plan/{id}/answer"),
        json!({"accept": true}),
    )
    .await;
    for who in [&ana, &ben] {
        who.ok(
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
