//! The action plan, reminder outbox and calendar feed on SQLite and PostgreSQL alike.

use rekindle_domain::plan::Assignment;
use rekindle_storage::*;
use rekindle_testkit::{backends, fresh_db, fresh_pg_database, id};

mod common;
use common::{join, person, viewer};

const DAY: i64 = 24 * 3600 * 1000;

/// a and b share "c1"; o is an outsider with a space of their own.
async fn pair(repo: &Repo) {
    for id in ["a", "b", "o"] {
        person(repo, id).await;
    }
    join(repo, "c1", "a", "b", "code1", DAY).await;
    repo.create_space(&id("c2"), &id("o"), 10).await.unwrap();
}

fn action(id: &str, by: &str, owner: Option<&str>, assignment: &str) -> PlanAction {
    PlanAction {
        id: id.into(),
        couple_id: Some("c1".into()),
        created_by: by.into(),
        owner_id: owner.map(Into::into),
        agreement_id: None,
        title: format!("title {id}"),
        notes: String::new(),
        due_date: "2027-03-01".into(),
        rrule: Some("FREQ=WEEKLY;BYDAY=MO".into()),
        assignment: Assignment::parse(assignment).expect("an assignment"),
        answered_at: None,
        created_at: 100,
    }
}

fn done(id: &str, action: &str, occurrence: &str, is_done: bool, at: i64) -> PlanDoneEvent {
    PlanDoneEvent {
        id: id.into(),
        action_id: action.into(),
        occurrence: occurrence.into(),
        user_id: UserId::default(),
        done: is_done,
        at,
    }
}

#[tokio::test]
async fn actions_are_the_pairs_and_proposals_wait_for_the_other() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        let (va, vb, vo) = (
            viewer(repo, "a").await,
            viewer(repo, "b").await,
            viewer(repo, "o").await,
        );
        repo.create_action(&action("x1", "a", Some("a"), "accepted"))
            .await
            .unwrap();
        repo.create_action(&action("x2", "a", Some("b"), "proposed"))
            .await
            .unwrap();
        assert_eq!(repo.actions_for(&vb).await.unwrap().len(), 2, "{b:?}");
        assert!(repo.actions_for(&vo).await.unwrap().is_empty());
        assert!(repo.action_for(&vo, &id("x1")).await.unwrap().is_none());
        // The proposer cannot answer their own proposal; the partner can, once.
        assert!(!repo.answer_action(&va, &id("x2"), true, 200).await.unwrap());
        assert!(!repo.answer_action(&vo, &id("x2"), true, 200).await.unwrap());
        assert!(repo.answer_action(&vb, &id("x2"), true, 200).await.unwrap());
        assert!(
            !repo
                .answer_action(&vb, &id("x2"), false, 201)
                .await
                .unwrap()
        );
        let x2 = repo.action_for(&va, &id("x2")).await.unwrap().unwrap();
        assert_eq!(x2.assignment, Assignment::Accepted);
        // Done / undo history, by either partner; outsiders cannot.
        assert!(
            repo.record_done(&vb, &done("e1", "x1", "2027-03-01", true, 300))
                .await
                .unwrap()
        );
        assert!(
            repo.record_done(&va, &done("e2", "x1", "2027-03-01", false, 301))
                .await
                .unwrap()
        );
        assert!(
            !repo
                .record_done(&vo, &done("e3", "x1", "2027-03-01", true, 302))
                .await
                .unwrap()
        );
        let events = repo.done_events(&va, Some(&id("x1"))).await.unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!((events[0].user_id.as_str(), events[0].done), ("b", true));
        assert_eq!((events[1].user_id.as_str(), events[1].done), ("a", false));
        assert!(repo.done_events(&vo, None).await.unwrap().is_empty());
        // A proposal that was declined cannot be marked done.
        repo.create_action(&action("x3", "b", None, "proposed"))
            .await
            .unwrap();
        assert!(
            repo.answer_action(&va, &id("x3"), false, 400)
                .await
                .unwrap()
        );
        assert!(
            !repo
                .record_done(&va, &done("e4", "x3", "2027-03-01", true, 401))
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn leaving_keeps_each_ones_actions_as_history_and_erasure_removes_them() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        repo.create_action(&action("x1", "a", Some("a"), "accepted"))
            .await
            .unwrap();
        repo.create_action(&action("x2", "b", Some("a"), "proposed"))
            .await
            .unwrap();
        repo.set_reminder_prefs(&ReminderPrefsRow {
            user_id: "a".into(),
            kinds: "actions".into(),
            minute_of_day: 480,
            updated_at: 1,
        })
        .await
        .unwrap();
        assert!(repo.leave_space(&id("b"), 100014).await.unwrap());
        let (va, vb) = (viewer(repo, "a").await, viewer(repo, "b").await);
        let mine: Vec<String> = repo
            .actions_for(&va)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id.into_string())
            .collect();
        assert_eq!(mine, vec!["x1".to_owned()], "{b:?}");
        let bs = repo.actions_for(&vb).await.unwrap();
        assert_eq!(bs.len(), 1);
        assert_eq!(
            bs[0].assignment,
            Assignment::Declined,
            "an open proposal lapses"
        );
        assert!(bs[0].couple_id.is_none());
        // A history action cannot be marked any more.
        assert!(
            !repo
                .record_done(&vb, &done("e1", "x2", "2027-03-01", true, 5))
                .await
                .unwrap()
        );
        assert!(repo.erase_user(&id("a"), 100015).await.unwrap());
        for table in ["plan_actions", "reminder_prefs", "plan_done_events"] {
            assert!(
                !repo
                    .debug_dump_table(table)
                    .await
                    .unwrap()
                    .contains("title x1"),
                "{table}"
            );
        }
        assert!(repo.reminder_prefs(&id("a")).await.unwrap().is_none());
    }
}

fn reminder(n: usize) -> NewReminder {
    NewReminder {
        id: format!("r{n}"),
        key: format!("a:actions:2027-03-{:02}", n % 28 + 1),
        user_id: "a".into(),
        kind: "actions".into(),
        local_date: format!("2027-03-{:02}", n % 28 + 1),
        due_at: 1000,
        created_at: 1000,
    }
}

#[tokio::test]
async fn a_reminder_is_enqueued_once_per_key_and_retried_with_backoff() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        assert!(repo.enqueue_reminder(&reminder(0)).await.unwrap());
        let mut again = reminder(0);
        again.id = "other".into();
        assert!(!repo.enqueue_reminder(&again).await.unwrap(), "{b:?}");
        // Not before it is due.
        assert!(
            repo.claim_reminders("s1", 999, 60_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let got = repo.claim_reminders("s1", 1000, 60_000, 10).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].email, "a@example.org");
        assert_eq!(got[0].attempts, 1);
        // While leased, nobody else gets it.
        assert!(
            repo.claim_reminders("s2", 2000, 60_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            repo.reminder_failed("r0", "s1", "connection refused", Some(70_000), 2000)
                .await
                .unwrap()
        );
        assert!(
            repo.claim_reminders("s2", 69_999, 60_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let got = repo
            .claim_reminders("s2", 70_000, 60_000, 10)
            .await
            .unwrap();
        assert_eq!(got[0].attempts, 2);
        // Only the claimer may settle it.
        assert!(!repo.reminder_sent("r0", "s1", 70_001).await.unwrap());
        assert!(repo.reminder_sent("r0", "s2", 70_001).await.unwrap());
        assert!(
            repo.claim_reminders("s3", 10 * DAY, 60_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let rows = repo.reminder_outbox(Some(&id("a"))).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].sent_at, Some(70_001));
        // Giving up.
        repo.enqueue_reminder(&reminder(1)).await.unwrap();
        repo.claim_reminders("s1", 1000, 60_000, 10).await.unwrap();
        assert!(
            repo.reminder_failed("r1", "s1", "rejected", None, 1500)
                .await
                .unwrap()
        );
        assert!(
            repo.claim_reminders("s1", 10 * DAY, 60_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let rows = repo.reminder_outbox(Some(&id("a"))).await.unwrap();
        assert_eq!(rows[1].gave_up_at, Some(1500));
    }
}

#[tokio::test]
async fn two_claimers_never_get_the_same_reminder() {
    for b in backends() {
        // Two repositories on one database: two app servers.
        let (_keep, first, second) = match b {
            Backend::Sqlite => {
                let db = fresh_db(b).await;
                let r = db.repo.clone();
                (Some(db), r.clone(), r)
            }
            Backend::Postgres => {
                let url = fresh_pg_database().await;
                let first = Repo::open_postgres(&url, 4).await.unwrap();
                let second = Repo::open_postgres(&url, 4).await.unwrap();
                (None, first, second)
            }
        };
        let repo = &first;
        pair(repo).await;
        let n = 60;
        for i in 0..n {
            let mut r = reminder(i);
            r.key = format!("k{i}");
            repo.enqueue_reminder(&r).await.unwrap();
        }
        let mut all = Vec::new();
        for round in 0..10 {
            let now = 1000 + round;
            let (x, y) = tokio::join!(
                repo.claim_reminders("s1", now, 600_000, 7),
                second.claim_reminders("s2", now, 600_000, 7)
            );
            all.extend(x.unwrap().into_iter().map(|r| r.id));
            all.extend(y.unwrap().into_iter().map(|r| r.id));
        }
        let total = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), total, "{b:?}: a reminder was claimed twice");
        assert_eq!(total, n, "{b:?}: every reminder was claimed");
    }
}

#[tokio::test]
async fn feed_tokens_are_stored_as_digests_and_revocable() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        repo.set_calendar_feed(&id("a"), "digest-1", false, 5)
            .await
            .unwrap();
        assert_eq!(
            repo.calendar_feed_user("digest-1")
                .await
                .unwrap()
                .unwrap()
                .0
                .id,
            "a"
        );
        repo.set_calendar_feed(&id("a"), "digest-2", false, 6)
            .await
            .unwrap();
        assert!(
            repo.calendar_feed_user("digest-1").await.unwrap().is_none(),
            "{b:?}"
        );
        assert!(repo.set_calendar_detail(&id("a"), true).await.unwrap());
        assert!(
            repo.calendar_feed_user("digest-2")
                .await
                .unwrap()
                .unwrap()
                .1
        );
        assert!(repo.revoke_calendar_feed(&id("a")).await.unwrap());
        assert!(repo.calendar_feed_user("digest-2").await.unwrap().is_none());
        assert!(repo.calendar_feed(&id("a")).await.unwrap().is_none());
    }
}

/// The plan's order (date, then creation, then id) is made in Rust for both
/// reads, not by the database: it must come out the same on both.
#[tokio::test]
async fn actions_come_in_the_plans_order_on_both_databases() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        let va = viewer(repo, "a").await;
        // Written out of order: by date, by creation within a date, by id last.
        for (id, due, created) in [
            ("x9", "2027-03-03", 100),
            ("x2", "2027-03-01", 300),
            ("x8", "2027-03-01", 200),
            ("x3", "2027-03-01", 200),
            ("x1", "2027-03-02", 50),
        ] {
            let mut a = action(id, "a", None, "accepted");
            a.due_date = due.into();
            a.created_at = created;
            repo.create_action(&a).await.unwrap();
        }
        let want = ["x3", "x8", "x2", "x1", "x9"];
        let all: Vec<String> = repo
            .actions_for(&va)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id.to_string())
            .collect();
        assert_eq!(all, want, "{b:?}");
        let today: Vec<String> = repo
            .actions_undone_on(&va, "2027-03-05")
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id.to_string())
            .collect();
        assert_eq!(today, want, "{b:?}");
    }
}

/// The day's list keeps an action while its newest mark for the day is not
/// "done"; marks at the same moment are ordered by id, as `done_dates` reads
/// them (the newest of equal times is the one with the greater id).
#[tokio::test]
async fn the_days_list_leaves_out_what_its_newest_mark_says_is_done() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        let va = viewer(repo, "a").await;
        let day = "2027-03-08"; // a Monday: every weekly action of the fixture falls on it
        for id in [
            "none",
            "done",
            "undone",
            "tie-done",
            "tie-undone",
            "other-day",
            "theirs",
        ] {
            let owner = if id == "theirs" { Some("b") } else { None };
            repo.create_action(&action(id, "a", owner, "accepted"))
                .await
                .unwrap();
        }
        for e in [
            done("m1", "done", day, true, 100),
            done("m2", "undone", day, true, 100),
            done("m3", "undone", day, false, 200),
            done("m4", "tie-done", day, false, 300),
            done("m5", "tie-done", day, true, 300),
            done("m6", "tie-undone", day, true, 300),
            done("m7", "tie-undone", day, false, 300),
            done("m8", "other-day", "2027-03-01", true, 400),
        ] {
            assert!(repo.record_done(&va, &e).await.unwrap(), "{b:?}: {}", e.id);
        }
        let listed: Vec<String> = repo
            .actions_undone_on(&va, day)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id.to_string())
            .collect();
        assert_eq!(
            listed,
            ["none", "other-day", "tie-undone", "undone"],
            "{b:?}"
        );
    }
}
