//! `rekindle copy --to postgres://…` moves a populated SQLite instance to
//! PostgreSQL: every row arrives, every person signs in with their password,
//! a non-empty target is refused, and a copy that fails half-way leaves the
//! target as empty as it was.

mod common;

use common::{Person, couple, rekindle, sign_in, start, start_sqlite};

use rekindle_storage::{Backend, Repo};
use serde_json::{Value, json};
use sqlx::Connection;

const PASSWORD: &str = "correct horse battery";

async fn ok(p: &Person, method: reqwest::Method, path: &str, body: Value) -> Value {
    p.ok(method, path, body).await
}

/// A couple with something in every tool.
async fn populate(ana: &Person, ben: &Person) {
    use reqwest::Method;
    ok(
        ana,
        Method::POST,
        "/api/v1/journal",
        json!({"body": "Ana's private entry"}),
    )
    .await;
    let e = ok(
        ana,
        Method::POST,
        "/api/v1/journal",
        json!({"title": "For Ben", "body": "Ana's shared entry"}),
    )
    .await;
    let eid = e["id"].as_str().unwrap();
    ok(
        ana,
        Method::PATCH,
        &format!("/api/v1/journal/{eid}"),
        json!({"visibility": "shared"}),
    )
    .await;
    ok(
        ben,
        Method::POST,
        "/api/v1/journal",
        json!({"body": "Ben's entry"}),
    )
    .await;
    let q = ok(ana, Method::POST, "/api/v1/decks/our-story/ask", json!({})).await;
    let qid = q["id"].as_str().unwrap();
    for p in [ana, ben] {
        ok(
            p,
            Method::POST,
            &format!("/api/v1/questions/{qid}/answer"),
            json!({"body": "An answer"}),
        )
        .await;
    }
    let ck = ok(ana, Method::POST, "/api/v1/checkins", json!({})).await;
    let ckid = ck["id"].as_str().unwrap();
    ok(
        ana,
        Method::POST,
        &format!("/api/v1/checkins/{ckid}/submission"),
        json!({"csi": [4, 4, 3, 3], "technoference": [2, 1, 1, 0], "hours_together": 12, "hours_device_free": 6, "appreciation": "thanks"}),
    )
    .await;
    let soon = chrono::Utc::now().timestamp_millis() + 2 * 86_400_000;
    let t = ok(
        ana,
        Method::POST,
        "/api/v1/talks",
        json!({"topic": "Evenings", "times": [soon]}),
    )
    .await;
    let tid = t["id"].as_str().unwrap();
    ok(
        ben,
        Method::POST,
        &format!("/api/v1/talks/{tid}/commands"),
        json!({"cmd": "start_now"}),
    )
    .await;
    ok(
        ana,
        Method::POST,
        "/api/v1/board/problems",
        json!({"title": "Dishes"}),
    )
    .await;
    ok(
        ana,
        Method::POST,
        "/api/v1/plan",
        json!({"title": "Walk", "owner": "me", "due_date": "2027-01-01", "notes": "after dinner"}),
    )
    .await;
    ok(ana, Method::POST, "/api/v1/plan/calendar", json!({})).await;
    ok(
        ana,
        Method::POST,
        "/api/v1/tokens",
        json!({"name": "script"}),
    )
    .await;
}

/// Every table's rows as sorted text, to compare two databases.
async fn contents(repo: &Repo, tables: &[String]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for t in tables {
        let text = repo.debug_dump_table(t).await.unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.sort();
        out.push((t.clone(), lines));
    }
    out
}

async fn pg_tables(url: &str) -> Vec<String> {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    let t = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let _ = c.close().await;
    t
}

async fn rows_in(url: &str, tables: &[String]) -> i64 {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    let mut n = 0;
    for t in tables {
        let k: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{t}\"")))
                .fetch_one(&mut c)
                .await
                .unwrap();
        n += k;
    }
    let _ = c.close().await;
    n
}

async fn pg_exec(url: &str, sql: &str) {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut c)
        .await
        .unwrap();
    let _ = c.close().await;
}

#[tokio::test]
async fn a_populated_sqlite_instance_moves_to_postgres_whole_or_not_at_all() {
    // The copy goes from SQLite to PostgreSQL, so it needs both.
    if !rekindle_testkit::backends().contains(&Backend::Postgres) {
        return; // `backends()` said out loud that PostgreSQL is skipped
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let node = start_sqlite(dir.path(), &[]).await;
    let (ana, ben) = couple(&node, &node).await;
    populate(&ana, &ben).await;
    // A reset link and a counted wrong password are rows too.
    let (okay, out) = rekindle(&[
        "admin",
        "--data-dir",
        &data,
        "reset-link",
        "ben@example.org",
    ]);
    assert!(okay, "{out}");
    assert!(
        sign_in(&node, "ben@example.org", "a wrong guess")
            .await
            .is_none()
    );
    let ana_journal = ana
        .ok(reqwest::Method::GET, "/api/v1/journal", json!(null))
        .await;
    let ben_journal = ben
        .ok(reqwest::Method::GET, "/api/v1/journal", json!(null))
        .await;
    drop(node);

    // A target that already holds rows is refused and left alone.
    let busy = rekindle_testkit::fresh_pg_database().await;
    {
        let other = start(&busy, &[]).await;
        common::person(&other, "someone@example.org").await;
    }
    let tables = pg_tables(&busy).await;
    let before = rows_in(&busy, &tables).await;
    let (okay, out) = rekindle(&["copy", "--data-dir", &data, "--to", &busy]);
    assert!(!okay && out.contains("not empty"), "{out}");
    assert_eq!(rows_in(&busy, &tables).await, before);

    // A copy that fails half-way (a late table refuses rows) leaves nothing behind.
    let target = rekindle_testkit::fresh_pg_database().await;
    let (okay, out) = rekindle(&["migrate", "--database-url", &target]);
    assert!(okay, "{out}");
    pg_exec(
        &target,
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON plan_actions FOR EACH ROW EXECUTE FUNCTION refuse();",
    )
    .await;
    let (okay, out) = rekindle(&["copy", "--data-dir", &data, "--to", &target]);
    assert!(!okay && out.contains("refused for the test"), "{out}");
    let tables = pg_tables(&target).await;
    assert_eq!(rows_in(&target, &tables).await, 0, "nothing half-copied");

    pg_exec(
        &target,
        "DROP TRIGGER refuse ON plan_actions; DROP FUNCTION refuse();",
    )
    .await;
    let (okay, out) = rekindle(&["copy", "--data-dir", &data, "--to", &target]);
    assert!(okay, "{out}");
    assert!(out.contains("users: 2"), "{out}");

    // Every row of every table arrived, with the same values.
    let lite = Repo::open_sqlite(dir.path()).await.unwrap();
    let pg = Repo::open_postgres(&target, 2).await.unwrap();
    let from = contents(&lite, &tables).await;
    let to = contents(&pg, &tables).await;
    let mut empty = Vec::new();
    for ((t, a), (_, b)) in from.iter().zip(&to) {
        assert_eq!(a, b, "table {t} differs");
        if a.is_empty() {
            empty.push(t.as_str());
        }
    }
    for t in [
        "users",
        "journal_entries",
        "answers",
        "checkins",
        "talks",
        "board_problems",
        "plan_actions",
        "password_resets",
        "rate_limits",
        "api_tokens",
    ] {
        assert!(
            !empty.contains(&t),
            "the populated instance has rows in {t}"
        );
    }
    lite.close().await;
    pg.close().await;
    let mut sqlite =
        sqlx::SqliteConnection::connect(&format!("sqlite://{data}/rekindle.db?mode=ro"))
            .await
            .unwrap();
    let mut postgres = sqlx::PgConnection::connect(&target).await.unwrap();
    for t in &tables {
        let sql = format!("SELECT COUNT(*) FROM \"{t}\"");
        let a: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(&mut sqlite)
            .await
            .unwrap();
        let b: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut postgres)
            .await
            .unwrap();
        assert_eq!(a, b, "rows in {t}");
    }
    let _ = sqlite.close().await;
    let _ = postgres.close().await;

    // Both sign in with their passwords and see what they saw before.
    let node = start(&target, &[]).await;
    let ana = sign_in(&node, "ana@example.org", PASSWORD)
        .await
        .expect("Ana signs in");
    let ben = sign_in(&node, "ben@example.org", PASSWORD)
        .await
        .expect("Ben signs in");
    assert_eq!(
        ana.ok(reqwest::Method::GET, "/api/v1/journal", json!(null))
            .await,
        ana_journal
    );
    assert_eq!(
        ben.ok(reqwest::Method::GET, "/api/v1/journal", json!(null))
            .await,
        ben_journal
    );

    // Copying again is refused: the target is no longer empty.
    let (okay, out) = rekindle(&["copy", "--data-dir", &data, "--to", &target]);
    assert!(!okay && out.contains("not empty"), "{out}");
}
