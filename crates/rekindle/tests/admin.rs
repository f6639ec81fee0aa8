//! `rekindle admin` against a running instance on SQLite and PostgreSQL: counts,
//! a password reset link, a person's sessions listed and revoked, and erasure
//! with confirmation. It never prints what anyone wrote.

mod common;

use common::{Browser, Node, couple, rekindle, rekindle_with_input, sign_in, start, start_sqlite};

use rekindle_storage::Backend;
use serde_json::json;

const SECRET: &str = "Ana-private-words-4c1e";
const PASSWORD: &str = "correct horse battery";

/// The instance's `rekindle admin` flags, a running server on it, and what keeps it alive.
/// What the two browsers get on `/settings` once the server has heard of a
/// change the admin command made. On SQLite the server looks at the notice file
/// before every use, so the first answer must already be right. On PostgreSQL
/// the notice travels by NOTIFY, which arrives moments after the command's
/// commit: the answer may lag by that much (tried for up to five seconds).
async fn statuses_once_heard(
    b: Backend,
    one: &mut Browser,
    two: &mut Browser,
    done: impl Fn(&[u16]) -> bool,
) -> Vec<u16> {
    let tries = if b == Backend::Postgres { 100 } else { 1 };
    let mut got = Vec::new();
    for _ in 0..tries {
        got = vec![one.get("/settings").await.0, two.get("/settings").await.0];
        if done(&got) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    got
}

async fn instance(b: Backend) -> (Vec<String>, Node, Option<tempfile::TempDir>) {
    match b {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let node = start_sqlite(dir.path(), &[]).await;
            let flags = vec![
                "--data-dir".to_owned(),
                dir.path().to_str().unwrap().to_owned(),
            ];
            (flags, node, Some(dir))
        }
        Backend::Postgres => {
            let url = rekindle_testkit::fresh_pg_database().await;
            let node = start(&url, &[]).await;
            (vec!["--database-url".to_owned(), url], node, None)
        }
    }
}

fn admin(flags: &[String], args: &[&str]) -> (bool, String) {
    admin_with_input(flags, args, "")
}

fn admin_with_input(flags: &[String], args: &[&str], input: &str) -> (bool, String) {
    let mut all = vec!["admin"];
    all.extend(flags.iter().map(String::as_str));
    all.extend_from_slice(args);
    let (ok, out) = rekindle_with_input(&all, input);
    assert!(!out.contains(SECRET), "admin printed content: {out}");
    (ok, out)
}

#[tokio::test]
async fn admin_counts_resets_signs_out_and_erases_without_printing_content() {
    for b in rekindle_testkit::backends() {
        let (flags, node, _keep) = instance(b).await;
        let (ana, _ben) = couple(&node, &node).await;
        ana.ok(
            reqwest::Method::POST,
            "/api/v1/journal",
            json!({ "body": SECRET }),
        )
        .await;
        common::person(&node, "cy@example.org").await;

        let (ok, out) = admin(&flags, &["stats"]);
        assert!(ok, "{b:?}: {out}");
        assert!(out.contains("accounts: 3"), "{b:?}: {out}");
        assert!(out.contains("spaces: 1"), "{b:?}: {out}");
        assert!(out.contains("spaces with two partners: 1"), "{b:?}: {out}");

        // Sessions: Ana signs in in two browsers; one is signed out by handle.
        let mut one = Browser::new(&node);
        let mut two = Browser::new(&node);
        assert_eq!(one.sign_in("ana@example.org", PASSWORD).await, 303);
        assert_eq!(two.sign_in("ana@example.org", PASSWORD).await, 303);
        let (ok, out) = admin(&flags, &["sessions", "ana@example.org"]);
        assert!(ok, "{out}");
        let handles: Vec<&str> = out
            .lines()
            .filter(|l| l.contains("signed in"))
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(handles.len(), 2, "{b:?}: {out}");
        // Both browsers read pages first, so a server that caches sessions
        // holds them when the command (another process) ends one.
        for _ in 0..2 {
            assert_eq!(one.get("/settings").await.0, 200);
            assert_eq!(two.get("/settings").await.0, 200);
        }
        assert!(out.contains("1 personal API token"), "{out}");
        let (ok, out) = admin(
            &flags,
            &["revoke-sessions", "ana@example.org", "--handle", handles[0]],
        );
        assert!(ok, "{out}");
        let still = statuses_once_heard(b, &mut one, &mut two, |s| {
            s.iter().filter(|s| **s == 200).count() == 1
        })
        .await;
        assert_eq!(
            still.iter().filter(|s| **s == 200).count(),
            1,
            "{b:?}: one browser signed out, one still in: {still:?}"
        );
        let (ok, out) = admin(
            &flags,
            &[
                "revoke-sessions",
                "ana@example.org",
                "--handle",
                "0000000000000000",
            ],
        );
        assert!(!ok, "{b:?}: an unknown handle is an error: {out}");
        let (ok, out) = admin(&flags, &["revoke-sessions", "ana@example.org", "--all"]);
        assert!(ok, "{out}");
        assert!(out.contains("1 personal token(s) revoked"), "{out}");
        let after = statuses_once_heard(b, &mut one, &mut two, |s| s == [303, 303]).await;
        assert_eq!(after, [303, 303], "{b:?}: both browsers signed out");
        let (s, _) = ana
            .send(reqwest::Method::GET, "/api/v1/me", json!(null))
            .await;
        assert_eq!(s, 401, "{b:?}: the token is revoked");

        // A reset link for an instance without mail.
        let (ok, out) = admin(
            &flags,
            &["reset-link", "Ana@example.org", "--public-url", &node.base],
        );
        assert!(ok, "{b:?}: {out}");
        let link = out
            .lines()
            .find(|l| l.starts_with(&node.base))
            .unwrap_or_else(|| panic!("no link in {out}"));
        let path = link.strip_prefix(&node.base).unwrap().to_owned();
        assert!(path.starts_with("/password/reset/"), "{path}");
        let mut c = Browser::new(&node);
        let (s, _, csrf) = c.get(&path).await;
        assert_eq!(s, 200, "{b:?}");
        let (s, loc) = c
            .post(
                &path,
                &[("_csrf", &csrf), ("new_password", "a new lantern here")],
            )
            .await;
        assert_eq!(
            (s, loc.as_deref()),
            (303, Some("/signin?reset=done")),
            "{b:?}"
        );
        assert!(sign_in(&node, "ana@example.org", PASSWORD).await.is_none());
        assert!(
            sign_in(&node, "ana@example.org", "a new lantern here")
                .await
                .is_some()
        );
        assert_eq!(c.get(&path).await.0, 404, "{b:?}: the link worked once");
        let (ok, out) = admin(&flags, &["reset-link", "nobody@example.org"]);
        assert!(!ok && out.contains("no account uses"), "{out}");

        // Erasure asks for the address again; a wrong one erases nothing.
        let (ok, out) =
            admin_with_input(&flags, &["erase", "ben@example.org"], "ana@example.org\n");
        assert!(!ok && out.contains("nothing was erased"), "{b:?}: {out}");
        assert!(sign_in(&node, "ben@example.org", PASSWORD).await.is_some());
        let (ok, out) =
            admin_with_input(&flags, &["erase", "ben@example.org"], "Ben@Example.org\n");
        assert!(ok, "{b:?}: {out}");
        assert!(sign_in(&node, "ben@example.org", PASSWORD).await.is_none());
        // Ana keeps her own words and is told only that her partner left.
        let ana = sign_in(&node, "ana@example.org", "a new lantern here")
            .await
            .unwrap();
        let entries = ana
            .ok(reqwest::Method::GET, "/api/v1/journal", json!(null))
            .await;
        assert!(entries.to_string().contains(SECRET), "{b:?}");
        let (ok, out) = admin(
            &flags,
            &["erase", "cy@example.org", "--confirm", "cy@example.org"],
        );
        assert!(ok, "{out}");
        let (_, out) = admin(&flags, &["stats"]);
        assert!(out.contains("accounts: 1"), "{b:?}: {out}");
        assert!(out.contains("spaces with two partners: 0"), "{b:?}: {out}");
        let (ok, out) = admin(
            &flags,
            &["erase", "cy@example.org", "--confirm", "cy@example.org"],
        );
        assert!(!ok && out.contains("no account uses"), "{out}");
    }
}

#[test]
fn restore_and_admin_need_what_they_work_on() {
    let (ok, out) = rekindle(&["restore", "--data-dir", "/nonexistent"]);
    assert!(!ok && out.contains("--from"), "{out}");
    let (ok, out) = rekindle(&["admin", "revoke-sessions", "a@example.org"]);
    assert!(!ok && out.contains("--handle"), "{out}");
}

#[tokio::test]
async fn healthcheck_says_whether_the_server_answers() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_sqlite(dir.path(), &[]).await;
    let (ok, out) = rekindle(&["healthcheck", "--listen", &node.addr]);
    assert!(ok, "{out}");
    let addr = node.addr.clone();
    drop(node);
    let (ok, out) = rekindle(&["healthcheck", "--listen", &addr]);
    assert!(!ok && out.contains("cannot reach"), "{out}");
}
