//! Safety and ownership on both databases: the private check never reaches the
//! partner, the pause is neutral, export holds what I own and may see, erasure
//! is real.

use rekindle_storage::Backend;
use rekindle_testkit::{TestApp, backends, couple};
use reqwest::Method;
use serde_json::json;

use crate::support::{export_text, get_text};

#[tokio::test]
async fn the_private_check_reaches_nobody_else() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let ben_html_before = app.html_person("ben@example.org").await.get("/").await.1;
        let (s, r) = ana
            .send_json(
                Method::POST,
                "/api/v1/safety/check",
                json!({"answers": [1, 1, 5, 1]}),
            )
            .await;
        assert_eq!(s, 201);
        assert_eq!(
            (r["total"].as_u64(), r["positive"].as_bool()),
            (Some(8), Some(true)),
            "any 'frequently' is positive"
        );
        assert!(r["resources"].to_string().contains("800-799-7233"));
        let (_, mine) = ana.get_json("/api/v1/safety/check").await;
        assert_eq!(mine.as_array().unwrap().len(), 1);
        // Ben sees no trace: not in his own list, his export, his space or his pages.
        assert_eq!(ben.get_json("/api/v1/safety/check").await.1, json!([]));
        let export = export_text(&ben).await;
        assert!(
            export.contains("\"safety_checks\": []"),
            "Ben's export has no checks"
        );
        let ben_html_after = app.html_person("ben@example.org").await.get("/").await.1;
        let strip = |h: &str| {
            h.lines()
                .filter(|l| !l.contains("csrf"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            strip(&ben_html_before),
            strip(&ben_html_after),
            "Ben's home is unchanged by Ana's check"
        );
        // Bad answers are refused clearly.
        let (s, p) = ana
            .send_json(
                Method::POST,
                "/api/v1/safety/check",
                json!({"answers": [1, 1, 6, 1]}),
            )
            .await;
        assert_eq!(s, 422, "{p}");
    }
}

#[tokio::test]
async fn a_pause_says_only_that_and_stops_shared_exercises() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        assert_eq!(
            ana.send_json(Method::POST, "/api/v1/space/pause", json!({}))
                .await
                .0,
            204
        );
        let (_, a_space) = ana.get_json("/api/v1/space").await;
        let (_, b_space) = ben.get_json("/api/v1/space").await;
        assert_eq!(a_space["paused"], true);
        assert_eq!(b_space["paused"], true);
        assert_eq!(
            a_space.as_object().unwrap().len(),
            b_space.as_object().unwrap().len(),
            "same fields for both"
        );
        let (s, p) = ben.get_json("/api/v1/questions/today").await;
        assert_eq!(s, 409);
        assert_eq!(p["detail"], "This space is paused.");
        let (_, e) = ben
            .send_json(Method::POST, "/api/v1/journal", json!({"body": "x"}))
            .await;
        let (s, _) = ben
            .send_json(
                Method::PATCH,
                &format!("/api/v1/journal/{}", e["id"].as_str().unwrap()),
                json!({"visibility": "shared"}),
            )
            .await;
        assert_eq!(s, 409);
        let ben_home = app.html_person("ben@example.org").await.get("/").await.1;
        assert!(ben_home.contains("This space is paused."));
        assert_eq!(
            ben_home.matches("paused").count(),
            2,
            "one neutral line (class and text), never who or why"
        );
        assert!(!ben_home.contains("Resume"));
        assert_eq!(
            ben.send_json(Method::DELETE, "/api/v1/space/pause", json!({}))
                .await
                .0,
            404,
            "only Ana can resume"
        );
        assert_eq!(
            ana.send_json(Method::DELETE, "/api/v1/space/pause", json!({}))
                .await
                .0,
            204
        );
        assert_eq!(ben.get_json("/api/v1/questions/today").await.0, 200);
    }
}

#[tokio::test]
async fn export_holds_what_i_own_and_what_i_may_see() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let (_, p) = ana
            .send_json(
                Method::POST,
                "/api/v1/journal",
                json!({"body": "ANA-PRIVATE-x1"}),
            )
            .await;
        let (_, s) = ana
            .send_json(
                Method::POST,
                "/api/v1/journal",
                json!({"body": "ANA-SHARED-x2, with \"quotes\""}),
            )
            .await;
        ana.send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{}", s["id"].as_str().unwrap()),
            json!({"visibility": "shared"}),
        )
        .await;
        let (_, q) = ana
            .send_json(Method::POST, "/api/v1/decks/our-story/ask", json!({}))
            .await;
        ana.send_json(
            Method::POST,
            &format!("/api/v1/questions/{}/answer", q["id"].as_str().unwrap()),
            json!({"body": "ANA-SEALED-x3"}),
        )
        .await;
        let zip_of =
            |who: &rekindle_testkit::ApiPerson| who.req(Method::GET, "/api/v1/export").send();
        let r = zip_of(&ana).await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/zip");
        let a = String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned();
        for needle in [
            "ANA-PRIVATE-x1",
            "ANA-SHARED-x2",
            "ANA-SEALED-x3",
            "rekindle.json",
            "journal.csv",
            "questions.csv",
            "ana@example.org",
        ] {
            assert!(a.contains(needle), "Ana's export lacks {needle}");
        }
        assert!(
            a.contains("\"ANA-SHARED-x2, with \"\"quotes\"\"\""),
            "CSV quoting"
        );
        let bz = String::from_utf8_lossy(&zip_of(&ben).await.unwrap().bytes().await.unwrap())
            .into_owned();
        assert!(
            bz.contains("ANA-SHARED-x2"),
            "shared content Ben can see is in his export"
        );
        assert!(
            !bz.contains("ANA-PRIVATE-x1") && !bz.contains("ANA-SEALED-x3"),
            "but nothing hidden from him"
        );
        let _ = p;
    }
}

/// Every text value stored anywhere in the database, for the erasure check.
async fn all_text(app: &TestApp) -> String {
    let mut dump = String::new();
    let tables = [
        "users",
        "sessions",
        "api_tokens",
        "couples",
        "memberships",
        "invitations",
        "journal_entries",
        "couple_questions",
        "answers",
        "answer_reactions",
        "question_replies",
        "safety_screens",
        "safety_offers",
        "notices",
        "checkin_schedules",
        "checkins",
        "checkin_submissions",
        "checkin_loved",
    ];
    for t in tables {
        let rows = app.db.dump_table(t).await;
        dump.push_str(&rows);
    }
    dump
}

#[tokio::test]
async fn erasure_is_real_and_the_partner_hears_only_that_i_left() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let (_, e) = ben
            .send_json(
                Method::POST,
                "/api/v1/journal",
                json!({"title": "BEN-TITLE-u7", "body": "BEN-BODY-u8"}),
            )
            .await;
        ben.send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{}", e["id"].as_str().unwrap()),
            json!({"visibility": "shared"}),
        )
        .await;
        let (_, q) = ana
            .send_json(Method::POST, "/api/v1/decks/our-story/ask", json!({}))
            .await;
        let qid = q["id"].as_str().unwrap();
        ana.send_json(
            Method::POST,
            &format!("/api/v1/questions/{qid}/answer"),
            json!({"body": "ANA-ANSWER-u9"}),
        )
        .await;
        ben.send_json(
            Method::POST,
            &format!("/api/v1/questions/{qid}/answer"),
            json!({"body": "BEN-ANSWER-u10"}),
        )
        .await;
        ben.send_json(
            Method::POST,
            &format!("/api/v1/questions/{qid}/replies"),
            json!({"body": "BEN-REPLY-u11"}),
        )
        .await;
        ben.send_json(
            Method::POST,
            "/api/v1/safety/check",
            json!({"answers": [1, 2, 1, 1]}),
        )
        .await;
        ben.send_json(
            Method::POST,
            "/api/v1/tokens",
            json!({"name": "BEN-TOKEN-u12"}),
        )
        .await;
        ben.send_json(
            Method::PATCH,
            "/api/v1/me",
            json!({"display_name": "BEN-NAME-u13"}),
        )
        .await;
        let (s, c) = ben
            .send_json(Method::POST, "/api/v1/checkins", json!({}))
            .await;
        assert_eq!(s, 201, "{c}");
        let checkin = json!({
            "csi": [3, 3, 3, 3], "technoference": [1, 1, 1, 1], "hours_together": 9, "hours_device_free": 4,
            "appreciation": "BEN-THANKS-u14", "went_well": "BEN-WELL-u15", "topic": "BEN-TOPIC-u16", "keep_private": false,
        });
        let path = format!("/api/v1/checkins/{}/submission", c["id"].as_str().unwrap());
        let (s, v) = ben.send_json(Method::POST, &path, checkin).await;
        assert_eq!(s, 200, "{v}");
        let before = all_text(&app).await;
        assert!(
            before.contains("BEN-BODY-u8") && before.contains("BEN-TOPIC-u16"),
            "the dump sees stored text"
        );

        assert_eq!(
            ben.send_json(Method::DELETE, "/api/v1/me", json!({"password": "nope"}))
                .await
                .0,
            422,
            "a wrong password is a field problem"
        );
        assert_eq!(
            ben.send_json(
                Method::DELETE,
                "/api/v1/me",
                json!({"password": "correct horse battery"})
            )
            .await
            .0,
            204
        );
        let dump = all_text(&app).await;
        for needle in [
            "BEN-TITLE-u7",
            "BEN-BODY-u8",
            "BEN-ANSWER-u10",
            "BEN-REPLY-u11",
            "BEN-TOKEN-u12",
            "BEN-NAME-u13",
            "BEN-THANKS-u14",
            "BEN-WELL-u15",
            "BEN-TOPIC-u16",
            "ben@example.org",
        ] {
            assert!(!dump.contains(needle), "{b:?}: {needle} survived erasure");
        }
        if b == Backend::Sqlite {
            let file = app.db.sqlite_file_bytes();
            for needle in ["BEN-BODY-u8", "BEN-ANSWER-u10", "ben@example.org"] {
                assert!(!file.contains(needle), "{needle} is still on disk");
            }
        }
        assert_eq!(
            ben.get_json("/api/v1/me").await.0,
            401,
            "the token died with the account"
        );
        // Ana keeps her own answer and is told only that Ben left.
        let (_, mine) = ana.get_json("/api/v1/questions").await;
        assert!(mine.to_string().contains("ANA-ANSWER-u9"));
        assert!(!mine.to_string().contains("BEN-"));
        let home = app.html_person("ana@example.org").await.get("/").await.1;
        assert!(home.contains("Your partner has left the space."));
        assert!(!home.contains("erase"), "nothing says how they left");
    }
}

#[tokio::test]
async fn quick_exit_and_help_work_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app.client().get(app.url("/exit")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("https://")
    );
    let help = get_text(&app, "/help").await;
    assert!(help.contains("not therapy") && help.contains("988"));
    let landing = get_text(&app, "/").await;
    assert!(landing.contains("class=\"quick-exit\"") && landing.contains("not therapy"));
}

#[tokio::test]
async fn words_of_danger_show_the_writer_and_only_the_writer_a_support_card() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        let (_, a) = ana
            .send_json(
                Method::POST,
                "/api/v1/coach/analyze",
                json!({"text": "Some nights I want to die"}),
            )
            .await;
        assert!(
            a["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["kind"] == "safety"),
            "{a}"
        );
        let (_, calm) = ana
            .send_json(
                Method::POST,
                "/api/v1/coach/analyze",
                json!({"text": "I would never hurt you"}),
            )
            .await;
        assert!(!calm["findings"].to_string().contains("safety"));
        let (_, e) = ana
            .send_json(
                Method::POST,
                "/api/v1/journal",
                json!({"body": "Some nights I want to die"}),
            )
            .await;
        let id = e["id"].as_str().unwrap();
        ana.send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{id}"),
            json!({"visibility": "shared"}),
        )
        .await;
        let (_, mine) = app
            .html_person("ana@example.org")
            .await
            .get(&format!("/journal/{id}"))
            .await;
        assert!(mine.contains("coach-safety") && mine.contains("/safety/resources"));
        let (status, theirs) = app
            .html_person("ben@example.org")
            .await
            .get(&format!("/journal/{id}"))
            .await;
        assert_eq!(status, 200);
        assert!(
            theirs.contains("Some nights I want to die"),
            "the shared words reach Ben"
        );
        assert!(
            !theirs.contains("coach-safety"),
            "but the support card never does"
        );
    }
}
