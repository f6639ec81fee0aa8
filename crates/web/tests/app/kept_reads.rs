//! What reading pages keep between changes (`AppState::kept`) also follows the
//! clock: the day's question released at its hour, a check-in falling due and
//! a new day on the plan show at once, though nobody wrote anything and the
//! kept values are seconds old. (A change by anyone drops them: the two-server
//! test in `crates/rekindle/tests/sessions_two_servers.rs`.)

use std::time::Duration;

use chrono::{DateTime, Utc};
use rekindle_testkit::{TestApp, backends, couple};
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
