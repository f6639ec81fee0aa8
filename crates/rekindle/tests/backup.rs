//! `rekindle backup` while a server takes writes, then `rekindle restore` into
//! an empty data dir: every entry the server acknowledged before the backup
//! started is in the restored instance. On PostgreSQL the same with `pg_dump`
//! and `pg_restore`, as docs/operations.md tells operators to do.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Node, Person, person, rekindle, sign_in, start, start_sqlite};

use rekindle_storage::Backend;
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

/// Entries acknowledged (201) by the server, with when the answer arrived.
type Acked = Arc<Mutex<Vec<(String, Instant)>>>;

/// Writes journal entries as fast as the server takes them until `stop`.
fn write_load(
    ana: Person,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (Acked, tokio::task::JoinHandle<()>) {
    let acked: Acked = Arc::default();
    let list = acked.clone();
    let task = tokio::spawn(async move {
        let mut i = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            i += 1;
            let body = format!("entry number {i}");
            let (s, v) = ana
                .send(
                    reqwest::Method::POST,
                    "/api/v1/journal",
                    json!({ "body": body }),
                )
                .await;
            assert_eq!(s, 201, "{v}");
            list.lock()
                .unwrap()
                .push((v["id"].as_str().unwrap().to_owned(), Instant::now()));
        }
    });
    (acked, task)
}

async fn wait_for(acked: &Acked, n: usize) {
    for _ in 0..600 {
        if acked.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server did not take {n} writes in time");
}

/// Signs Ana in on the restored instance and checks that every entry
/// acknowledged before `started` is there; returns how many were.
async fn check_restored(node: &Node, acked: &Acked, started: Instant) -> usize {
    let ana = sign_in(node, "ana@example.org", PASSWORD)
        .await
        .expect("Ana signs in on the restored instance");
    let have = ana
        .ok(reqwest::Method::GET, "/api/v1/journal", json!(null))
        .await;
    let have: std::collections::HashSet<&str> = have
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let before: Vec<String> = acked
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, at)| *at < started)
        .map(|(id, _)| id.clone())
        .collect();
    let missing: Vec<&String> = before
        .iter()
        .filter(|id| !have.contains(id.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged entries are missing from the restore",
        missing.len(),
        before.len()
    );
    before.len()
}

/// Runs the load, calls `backup` in the middle of it and returns the acknowledged
/// entries, when the backup started, and how many writes landed while it ran.
async fn backup_under_load(
    node: &Node,
    backup: impl FnOnce() -> (bool, String) + Send + 'static,
) -> (Acked, Instant, usize) {
    let ana = person(node, "ana@example.org").await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (acked, task) = write_load(ana, stop.clone());
    wait_for(&acked, 40).await;
    let started = Instant::now();
    let (ok, out) = tokio::task::spawn_blocking(backup).await.unwrap();
    let ended = Instant::now();
    assert!(ok, "backup failed: {out}");
    // The server went on taking writes after the backup.
    let n = acked.lock().unwrap().len();
    wait_for(&acked, n + 20).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    task.await.unwrap();
    let during = acked
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, at)| *at >= started && *at < ended)
        .count();
    (acked, started, during)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_everything_acknowledged() {
    for b in rekindle_testkit::backends() {
        match b {
            Backend::Sqlite => sqlite_backup_restore().await,
            Backend::Postgres => postgres_dump_restore().await,
        }
    }
}

async fn sqlite_backup_restore() {
    let live = tempfile::tempdir().unwrap();
    let node = start_sqlite(live.path(), &[]).await;
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("rekindle-backup.db");
    let (live_dir, to) = (path(live.path()).to_owned(), path(&file).to_owned());
    let (acked, started, during) = backup_under_load(&node, move || {
        rekindle(&["backup", "--data-dir", &live_dir, "--to", &to])
    })
    .await;
    eprintln!("sqlite: {during} writes acknowledged while the backup ran");

    // A second backup to the same file is refused and leaves it alone.
    let before = std::fs::read(&file).unwrap();
    let (ok, msg) = rekindle(&[
        "backup",
        "--data-dir",
        path(live.path()),
        "--to",
        path(&file),
    ]);
    assert!(!ok && msg.contains("already exists"), "{msg}");
    assert_eq!(std::fs::read(&file).unwrap(), before);

    // Restoring over the live database is refused; it keeps working.
    let (ok, msg) = rekindle(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(live.path()),
    ]);
    assert!(!ok && msg.contains("empty data directory"), "{msg}");
    assert!(sign_in(&node, "ana@example.org", PASSWORD).await.is_some());
    drop(node);

    // Something that is not a backup is refused, and nothing is left behind.
    let fresh = tempfile::tempdir().unwrap();
    let junk = out.path().join("notes.txt");
    std::fs::write(&junk, "not a database").unwrap();
    let (ok, msg) = rekindle(&[
        "restore",
        "--from",
        path(&junk),
        "--data-dir",
        path(fresh.path()),
    ]);
    assert!(!ok && msg.contains("not a database"), "{msg}");
    assert_eq!(std::fs::read_dir(fresh.path()).unwrap().count(), 0);

    let (ok, msg) = rekindle(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(fresh.path()),
    ]);
    assert!(ok, "{msg}");
    let restored = start_sqlite(fresh.path(), &[]).await;
    let n = check_restored(&restored, &acked, started).await;
    assert!(n >= 40, "{n}");

    // The restored directory now holds a database: a second restore is refused.
    let (ok, msg) = rekindle(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(fresh.path()),
    ]);
    assert!(!ok && msg.contains("empty data directory"), "{msg}");
}

/// `pg_dump` as docs/operations.md gives it.
fn pg_dump(url: &str, file: &str) -> (bool, String) {
    let out = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file", file, url])
        .output()
        .expect("run pg_dump (PostgreSQL client tools)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn postgres_dump_restore() {
    let url = rekindle_testkit::fresh_pg_database().await;
    let node = start(&url, &[]).await;
    let out = tempfile::tempdir().unwrap();
    let file = path(&out.path().join("rekindle.dump")).to_owned();
    let (u, f) = (url.clone(), file.clone());
    let (acked, started, during) = backup_under_load(&node, move || pg_dump(&u, &f)).await;
    eprintln!("postgres: {during} writes acknowledged while pg_dump ran");
    drop(node);

    // `rekindle backup` points PostgreSQL operators to pg_dump instead of guessing.
    let (ok, msg) = rekindle(&["backup", "--database-url", &url, "--to", &file]);
    assert!(!ok && msg.contains("pg_dump"), "{msg}");

    let target = rekindle_testkit::fresh_pg_database().await;
    let r = std::process::Command::new("pg_restore")
        .args([
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            &target,
            &file,
        ])
        .output()
        .expect("run pg_restore");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let restored = start(&target, &[]).await;
    let n = check_restored(&restored, &acked, started).await;
    assert!(n >= 40, "{n}");
}
