//! Web Push storage on SQLite and PostgreSQL alike: one VAPID key per
//! deployment, one push per device and item, disjoint claims, and devices that
//! go with their browser session or their person.

use rekindle_storage::*;
use rekindle_testkit::{backends, fresh_db, id};

mod common;
use common::person;

fn device(id: &str, user: &str, endpoint: &str, session: Option<&str>) -> NewPushSubscription {
    NewPushSubscription {
        id: id.into(),
        user_id: user.into(),
        endpoint: endpoint.into(),
        p256dh: "key".into(),
        auth: "auth".into(),
        name: "Phone".into(),
        session_hash: session.map(str::to_owned),
        created_at: 5,
    }
}

#[tokio::test]
async fn the_first_vapid_key_stays() {
    for b in backends() {
        let db = fresh_db(b).await;
        let first = db.repo.vapid_private_key("one", 1).await.unwrap();
        let second = db.repo.vapid_private_key("two", 2).await.unwrap();
        assert_eq!((first.as_str(), second.as_str()), ("one", "one"));
    }
}

#[tokio::test]
async fn each_item_is_pushed_once_per_device_and_claimed_by_one_server() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        person(repo, "a").await;
        person(repo, "b").await;
        repo.add_push_subscription(&device("d1", "a", "https://p.example/1", None))
            .await
            .unwrap();
        assert!(
            repo.enqueue_push("o1", "d1", &id("a"), "item:1", 10)
                .await
                .unwrap()
        );
        assert!(
            !repo
                .enqueue_push("o2", "d1", &id("a"), "item:1", 11)
                .await
                .unwrap()
        );
        // Not someone else's device.
        assert!(
            !repo
                .enqueue_push("o3", "d1", &id("b"), "item:2", 11)
                .await
                .unwrap()
        );
        let one = repo
            .claim_pushes(&id("a"), "s1", 20, 1000, 10)
            .await
            .unwrap();
        let two = repo
            .claim_pushes(&id("a"), "s2", 20, 1000, 10)
            .await
            .unwrap();
        assert_eq!((one.len(), two.len()), (1, 0));
        assert!(
            !repo.push_sent("o1", "s2", 30).await.unwrap(),
            "only the claimer"
        );
        assert!(
            repo.push_failed("o1", "s1", "500", Some(100), 30)
                .await
                .unwrap()
        );
        assert!(
            repo.claim_pushes(&id("a"), "s2", 50, 1000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let again = repo
            .claim_pushes(&id("a"), "s2", 100, 1000, 10)
            .await
            .unwrap();
        assert_eq!(again[0].attempts, 2);
        assert!(repo.push_sent("o1", "s2", 110).await.unwrap());
        assert!(
            repo.claim_pushes(&id("a"), "s1", 5000, 1000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // The same endpoint subscribed by b moves to b, without a's pushes.
        repo.add_push_subscription(&device("d2", "b", "https://p.example/1", None))
            .await
            .unwrap();
        assert!(
            repo.push_subscriptions_of(&id("a"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(repo.push_subscriptions_of(&id("b")).await.unwrap().len(), 1);
        assert!(repo.push_outbox(None).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn devices_go_with_their_session_and_their_person() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        person(repo, "a").await;
        repo.create_session(&NewSession {
            id_hash: "s-hash".into(),
            user_id: "a".into(),
            csrf_token: "t".into(),
            created_at: 1,
            expires_at: i64::MAX / 2,
            device: String::new(),
        })
        .await
        .unwrap();
        repo.add_push_subscription(&device("d1", "a", "https://p.example/1", Some("s-hash")))
            .await
            .unwrap();
        repo.add_push_subscription(&device("d2", "a", "https://p.example/2", None))
            .await
            .unwrap();
        repo.delete_session("s-hash").await.unwrap();
        let left = repo.push_subscriptions_of(&id("a")).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, "d2");
        repo.erase_user(&id("a"), 10).await.unwrap();
        assert!(
            db.repo
                .debug_dump_table("push_subscriptions")
                .await
                .unwrap()
                .is_empty()
        );
    }
}
