//! Rate limits are counted in the database: two servers on one PostgreSQL allow
//! what one server allows, not twice as much. On SQLite (one server) the count
//! survives a restart of the server.

mod common;

use common::{Node, person, start, start_sqlite};

use rekindle_storage::Backend;
use serde_json::json;

/// Tries a password through `node`; the HTTP status.
async fn try_password(node: &Node, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/token", node.base))
        .json(&json!({"email": "ana@example.org", "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

const LIMIT: &[&str] = &["--auth-failures-per-account", "3"];

#[tokio::test]
async fn wrong_passwords_are_counted_across_servers() {
    for b in rekindle_testkit::backends() {
        match b {
            Backend::Postgres => {
                let url = rekindle_testkit::fresh_pg_database().await;
                let one = start(&url, LIMIT).await;
                let two = start(&url, LIMIT).await;
                person(&one, "ana@example.org").await;
                // Three wrong guesses, spread over both servers, use up the allowance.
                for node in [&one, &two, &one] {
                    let s = try_password(node, "a wrong guess").await;
                    assert!([400, 401, 422].contains(&s), "{s}");
                }
                // The fourth is refused by the server that saw only one of them...
                assert_eq!(try_password(&two, "a wrong guess").await, 429);
                // ...and by the other, even with the right password.
                assert_eq!(try_password(&one, "correct horse battery").await, 429);
            }
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let node = start_sqlite(dir.path(), LIMIT).await;
                person(&node, "ana@example.org").await;
                for _ in 0..3 {
                    let s = try_password(&node, "a wrong guess").await;
                    assert!([400, 401, 422].contains(&s), "{s}");
                }
                assert_eq!(try_password(&node, "a wrong guess").await, 429);
                drop(node);
                // A restart does not reset the count.
                let node = start_sqlite(dir.path(), LIMIT).await;
                assert_eq!(try_password(&node, "correct horse battery").await, 429);
            }
        }
    }
}
