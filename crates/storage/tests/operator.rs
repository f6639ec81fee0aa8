//! The operator kit's storage on SQLite and PostgreSQL alike: instance counts,
//! single-use password reset links, and attempt counters shared by every server.

use rekindle_storage::*;
use rekindle_testkit::{backends, fresh_db, id};

async fn person(repo: &Repo, id: &str) {
    repo.create_user(&NewUser {
        id: id.into(),
        email: format!("{id}@example.org"),
        password_hash: "old-hash".into(),
        display_name: id.to_uppercase(),
        time_zone: "UTC".into(),
        created_at: 1,
    })
    .await
    .unwrap();
}

async fn session(repo: &Repo, user: &str, hash: &str) {
    repo.create_session(&NewSession {
        id_hash: hash.into(),
        user_id: user.into(),
        csrf_token: "csrf".into(),
        device: "Firefox on Linux".into(),
        created_at: 1,
        expires_at: 1_000_000_000,
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn counts_accounts_spaces_and_couples() {
    for b in backends() {
        let db = fresh_db(b).await;
        let r = &db.repo;
        for p in ["ana", "ben", "cy", "di"] {
            person(r, p).await;
        }
        r.create_space(&id("c1"), &id("ana"), 1).await.unwrap();
        r.create_space(&id("c2"), &id("cy"), 1).await.unwrap();
        r.create_invitation(&NewInvitation {
            id: id("i1"),
            couple_id: id("c1"),
            code_hash: "h".into(),
            created_by: id("ana"),
            created_at: 1,
            expires_at: 1_000_000,
        })
        .await
        .unwrap();
        r.accept_invitation("h", &id("ben"), 2).await.unwrap();
        let c = r.instance_counts().await.unwrap();
        assert_eq!((c.accounts, c.spaces, c.couples), (4, 2, 1), "{b:?}");
    }
}

#[tokio::test]
async fn a_reset_link_works_once_within_its_hour_and_ends_every_way_in() {
    for b in backends() {
        let db = fresh_db(b).await;
        let r = &db.repo;
        person(r, "ana").await;
        person(r, "ben").await;
        session(r, "ana", "s-ana-1").await;
        session(r, "ana", "s-ana-2").await;
        session(r, "ben", "s-ben").await;
        r.create_token(&NewToken {
            id: id("t1"),
            user_id: id("ana"),
            name: "script".into(),
            token_hash: "th".into(),
            created_at: 1,
        })
        .await
        .unwrap();
        r.create_password_reset(&id("ana"), "d1", 100, 200)
            .await
            .unwrap();
        r.create_password_reset(&id("ana"), "d2", 100, 200)
            .await
            .unwrap();
        r.create_password_reset(&id("ben"), "d3", 100, 200)
            .await
            .unwrap();
        assert_eq!(
            r.password_reset_user("d1", 199).await.unwrap(),
            Some(id("ana"))
        );
        assert_eq!(
            r.password_reset_user("d1", 200).await.unwrap(),
            None,
            "{b:?}: expired"
        );
        assert_eq!(r.password_reset_user("nope", 150).await.unwrap(), None);
        // Expired: refused, nothing changes.
        assert_eq!(r.reset_password("d1", "new", 200).await.unwrap(), None);
        assert_eq!(
            r.password_hash(&id("ana")).await.unwrap().as_deref(),
            Some("old-hash")
        );
        // Within the hour: the password changes, every way in ends.
        assert_eq!(
            r.reset_password("d1", "new", 150).await.unwrap(),
            Some(id("ana"))
        );
        assert_eq!(
            r.password_hash(&id("ana")).await.unwrap().as_deref(),
            Some("new")
        );
        assert!(
            r.sessions_of(&id("ana"), 150).await.unwrap().is_empty(),
            "{b:?}"
        );
        assert!(r.tokens(&id("ana")).await.unwrap().is_empty(), "{b:?}");
        assert_eq!(
            r.reset_password("d1", "again", 150).await.unwrap(),
            None,
            "{b:?}: once"
        );
        assert_eq!(
            r.reset_password("d2", "again", 150).await.unwrap(),
            None,
            "{b:?}: siblings end"
        );
        // Ben is untouched.
        assert_eq!(r.sessions_of(&id("ben"), 150).await.unwrap().len(), 1);
        assert_eq!(
            r.password_reset_user("d3", 150).await.unwrap(),
            Some(id("ben"))
        );
        // Expired links are cleaned up; erasure takes the person's links with them.
        r.create_password_reset(&id("ben"), "d4", 100, 500)
            .await
            .unwrap();
        assert_eq!(r.delete_expired_password_resets(300).await.unwrap(), 1);
        r.erase_user(&id("ben"), 400).await.unwrap();
        assert_eq!(
            r.debug_dump_table("password_resets").await.unwrap(),
            "",
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn attempts_count_per_bucket_in_fixed_windows() {
    for b in backends() {
        let db = fresh_db(b).await;
        let r = &db.repo;
        let w = 1000;
        assert_eq!(r.rate_limit_count("ip:1", 0, w).await.unwrap(), None);
        for n in 1..=3 {
            assert_eq!(
                r.rate_limit_hit("ip:1", 10 * n, w).await.unwrap(),
                (n, 10),
                "{b:?}"
            );
        }
        assert_eq!(
            r.rate_limit_count("ip:1", 500, w).await.unwrap(),
            Some((3, 10))
        );
        assert_eq!(r.rate_limit_count("ip:2", 500, w).await.unwrap(), None);
        // The window is over: the count starts again.
        assert_eq!(
            r.rate_limit_count("ip:1", 1010, w).await.unwrap(),
            None,
            "{b:?}"
        );
        assert_eq!(
            r.rate_limit_hit("ip:1", 1010, w).await.unwrap(),
            (1, 1010),
            "{b:?}"
        );
        r.rate_limit_clear("ip:1").await.unwrap();
        assert_eq!(r.rate_limit_count("ip:1", 1020, w).await.unwrap(), None);
        r.rate_limit_hit("old", 0, w).await.unwrap();
        r.rate_limit_hit("new", 900, w).await.unwrap();
        assert_eq!(r.rate_limit_forget_stale(1500, w).await.unwrap(), 1);
        assert_eq!(
            r.rate_limit_count("new", 1500, w).await.unwrap(),
            Some((1, 900))
        );
    }
}

#[tokio::test]
async fn racing_hits_are_all_counted() {
    for b in backends() {
        let db = fresh_db(b).await;
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let r = db.repo.clone();
            tasks.push(tokio::spawn(async move {
                r.rate_limit_hit("shared", 5, 60_000).await.unwrap().0
            }));
        }
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        seen.sort_unstable();
        assert_eq!(
            seen,
            (1..=40).collect::<Vec<i64>>(),
            "{b:?}: each hit sees its own count"
        );
    }
}
