//! What reading pages keep between changes (`AppState::kept`) also follows the
//! clock: the day's question released at its hour, a check-in falling due and
//! a new day on the plan show at once, though nobody wrote anything and the
//! kept values are seconds old. (A change by anyone drops them: the two-server
//! test in `crates/rekindle/tests/sessions_two_servers.rs`.) With
//! `keep_reads` off (`serve --no-kept-reads`, for benchmarks of the first view
//! after a change) nothing is kept at all.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rekindle_domain::plan::Assignment;
use rekindle_storage::PlanAction;
use rekindle_testkit::{TestApp, backends, couple, test_config};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn kept_pages_follow_the_clock_without_any_change() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        let t0: DateTime<Utc> = "2027-03-01T09:59:50Z".parse().unwrap(); // a Monday
        app.clock.set(t0);
        let (s, v) = ana
            .send_json(
                Method::PUT,
                "/api/v1/checkins/schedule",
                json!({"rhythm": "weekly", "weekday": "monday", "hour": 10}),
            )
            .await;
        assert_eq!(s, 204, "{b:?}: {v}");
        let (s, v) = ana
            .send_json(
                Method::POST,
                "/api/v1/plan",
                json!({"title": "Tidy the shed", "owner": "me", "due_date": "2027-03-02"}),
            )
            .await;
        assert_eq!(s, 201, "{b:?}: {v}");
        let page = app.html_person("ana@example.org").await;
        let get = |path: &'static str| {
            let page = &page;
            async move {
                let (s, html) = page.get(path).await;
                assert_eq!(s, 200, "{path}");
                html
            }
        };

        // A check-in falls due at 10:00.
        for _ in 0..2 {
            assert!(
                get("/checkins").await.contains("Begin a check-in now"),
                "{b:?}"
            );
        }
        app.clock.advance(Duration::from_secs(20)); // 10:00:10
        assert!(
            get("/checkins").await.contains("A check-in is open"),
            "{b:?}: opened when due, not half a minute later"
        );

        // The day's question: the first one at once, the next at 19:00.
        app.clock
            .set("2027-03-01T18:59:40Z".parse::<DateTime<Utc>>().unwrap());
        let first = get("/questions").await;
        let (s, today) = ana.get_json("/api/v1/questions/today").await;
        assert_eq!(s, 200, "{b:?}: {today}");
        let first_id = today["id"].as_str().unwrap().to_owned();
        assert!(first.contains(&first_id), "{b:?}");
        assert!(get("/questions").await.contains(&first_id), "{b:?}: kept");
        app.clock.advance(Duration::from_secs(25)); // 19:00:05
        let next = get("/questions").await;
        let (_, today) = ana.get_json("/api/v1/questions/today").await;
        let next_id = today["id"].as_str().unwrap().to_owned();
        assert_ne!(next_id, first_id, "{b:?}: a new question at 19:00");
        assert!(
            next.contains(&next_id) && !next.contains(&first_id),
            "{b:?}: the page shows it at once"
        );

        // Tomorrow's action is today's after midnight.
        app.clock
            .set("2027-03-01T23:59:50Z".parse::<DateTime<Utc>>().unwrap());
        for _ in 0..2 {
            assert!(
                get("/plan").await.contains("Nothing planned for today."),
                "{b:?}"
            );
        }
        app.clock.advance(Duration::from_secs(20)); // 00:00:10
        let plan = get("/plan").await;
        assert!(
            !plan.contains("Nothing planned for today.") && plan.contains("Tidy the shed"),
            "{b:?}: a new day on the plan at once"
        );
    }
}

/// A change written to the store without any notice (as if by a process that
/// announces nothing) shows on the next view only when no reads are kept: so
/// a benchmark with `keep_reads` off measures the path a first view takes.
#[tokio::test]
async fn without_kept_reads_every_view_reads_afresh() {
    for b in backends() {
        for keep_reads in [true, false] {
            let app = TestApp::spawn_with(
                b,
                rekindle_web::Config {
                    keep_reads,
                    ..test_config()
                },
            )
            .await;
            app.clock
                .set("2027-03-02T12:00:00Z".parse::<DateTime<Utc>>().unwrap());
            let (ana, _ben) = couple(&app).await;
            let (s, me) = ana.get_json("/api/v1/me").await;
            assert_eq!(s, 200, "{b:?}: {me}");
            let me = rekindle_storage::UserId::from(me["id"].as_str().unwrap().to_owned());
            let page = app.html_person("ana@example.org").await;
            let (s, before) = page.get("/plan").await;
            assert_eq!(s, 200);
            assert!(!before.contains("Water the plants"), "{b:?}");
            let space = app.db.repo.space_of(&me).await.unwrap().unwrap();
            app.db
                .repo
                .create_action(&PlanAction {
                    id: "act-unannounced".to_owned().into(),
                    couple_id: Some(space.couple_id),
                    created_by: me.clone(),
                    owner_id: Some(me.clone()),
                    agreement_id: None,
                    title: "Water the plants".into(),
                    notes: String::new(),
                    due_date: "2027-03-02".into(),
                    rrule: None,
                    assignment: Assignment::Accepted,
                    answered_at: Some(app.clock.now_ms()),
                    created_at: app.clock.now_ms(),
                })
                .await
                .unwrap();
            let (_, after) = page.get("/plan").await;
            assert_eq!(
                after.contains("Water the plants"),
                !keep_reads,
                "{b:?}, keep_reads {keep_reads}: kept until a notice, or read afresh"
            );
        }
    }
}
