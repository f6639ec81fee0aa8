//! Question decks through the API on both databases: the sealed rule holds on
//! every route that returns question content, reveal happens for both at once,
//! passing is free, and couples move deeper as they exchange answers.

use rekindle_testkit::{ApiPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

const ANA_SECRET: &str = "ANA-SEALED-e41f";

/// Every route that returns question content, as seen by `who`.
async fn everything_visible(who: &ApiPerson, id: &str) -> String {
    let mut all = String::new();
    for path in [
        "/api/v1/questions/today".to_owned(),
        "/api/v1/questions".to_owned(),
        format!("/api/v1/questions?q={}", &ANA_SECRET[..10]),
        "/api/v1/questions?deck=our-story".to_owned(),
        format!("/api/v1/questions/{id}"),
        "/api/v1/journey".to_owned(),
    ] {
        all.push_str(&who.get_json(&path).await.1.to_string());
    }
    let (_, v) = who
        .send_json(
            Method::POST,
            &format!("/api/v1/questions/{id}/replies"),
            json!({"body": "x"}),
        )
        .await;
    all.push_str(&v.to_string());
    let (_, v) = who
        .send_json(
            Method::POST,
            &format!("/api/v1/questions/{id}/reactions"),
            json!({"answer_id": "x", "kind": "heart"}),
        )
        .await;
    all.push_str(&v.to_string());
    all
}

#[tokio::test]
async fn answers_stay_sealed_until_both_answered_on_every_route() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let (s, q) = ana
            .send_json(Method::POST, "/api/v1/decks/our-story/ask", json!({}))
            .await;
        assert_eq!(s, 201);
        let id = q["id"].as_str().unwrap().to_owned();
        assert_eq!(q["state"], "unanswered");
        assert_eq!(q["depth"], 1);

        let (s, after) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/answer"),
                json!({"body": ANA_SECRET}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(after["state"], "waiting");
        assert_eq!(after["my_answer"], ANA_SECRET);
        assert!(after["partner_answer"].is_null());

        // Ben has not answered: nothing on any route holds Ana's text, and
        // Ben's view is the same as if Ana had not answered at all.
        let seen = everything_visible(&ben, &id).await;
        assert!(
            !seen.contains(ANA_SECRET),
            "sealed answer leaked to the partner: {seen}"
        );
        let (_, bq) = ben.get_json(&format!("/api/v1/questions/{id}")).await;
        assert_eq!(bq["state"], "unanswered");
        assert!(bq["partner_answer"].is_null() && bq["partner_answer_id"].is_null());
        let fresh = ana
            .send_json(Method::POST, "/api/v1/decks/our-story/ask", json!({}))
            .await
            .1;
        let (_, untouched) = ben
            .get_json(&format!(
                "/api/v1/questions/{}",
                fresh["id"].as_str().unwrap()
            ))
            .await;
        let strip = |mut v: Value| {
            for k in ["id", "question_id", "text", "released_at"] {
                v.as_object_mut().unwrap().remove(k);
            }
            v
        };
        assert_eq!(
            strip(bq.clone()),
            strip(untouched),
            "an answered and an unanswered question look alike to Ben"
        );
        // Search does not look inside sealed answers.
        let (_, found) = ben
            .get_json(&format!("/api/v1/questions?q={ANA_SECRET}"))
            .await;
        assert_eq!(found, json!([]));
        // No replies or reactions before both answered.
        assert_eq!(
            ben.send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/replies"),
                json!({"body": "hi"})
            )
            .await
            .0,
            409
        );

        // Ben answers: both see both, at once.
        let (_, open) = ben
            .send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/answer"),
                json!({"body": "BEN-ANSWER"}),
            )
            .await;
        assert_eq!(open["state"], "open");
        assert_eq!(open["partner_answer"], ANA_SECRET);
        let (_, a_view) = ana.get_json(&format!("/api/v1/questions/{id}")).await;
        assert_eq!(a_view["partner_answer"], "BEN-ANSWER");
        let (_, found) = ben
            .get_json(&format!("/api/v1/questions?q={ANA_SECRET}"))
            .await;
        assert_eq!(
            found.as_array().unwrap().len(),
            1,
            "revealed answers are searchable"
        );

        // Reactions and replies, once open.
        let ana_answer = open["partner_answer_id"].as_str().unwrap();
        let (s, r) = ben
            .send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/reactions"),
                json!({"answer_id": ana_answer, "kind": "thanks"}),
            )
            .await;
        assert_eq!(s, 200, "{r}");
        let (s, _) = ben
            .send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/reactions"),
                json!({"answer_id": ana_answer, "kind": "hug"}),
            )
            .await;
        assert_eq!(s, 422);
        let (s, _) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/replies"),
                json!({"body": "That made me smile"}),
            )
            .await;
        assert_eq!(s, 201);
        let (_, a_view) = ana.get_json(&format!("/api/v1/questions/{id}")).await;
        assert_eq!(
            a_view["reactions"],
            json!([{"on": "mine", "by": "partner", "kind": "thanks"}])
        );
        assert_eq!(a_view["replies"][0]["body"], "That made me smile");
        // Answers stand once given.
        assert_eq!(
            ana.send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/answer"),
                json!({"body": "again"})
            )
            .await
            .0,
            409
        );
        assert_eq!(
            ana.send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/answer"),
                json!({"body": "  "})
            )
            .await
            .0,
            422
        );
    }
}

#[tokio::test]
async fn passing_is_free_and_reveals_nothing() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let (_, q) = ana
            .send_json(Method::POST, "/api/v1/decks/appreciation/ask", json!({}))
            .await;
        let id = q["id"].as_str().unwrap();
        ana.send_json(
            Method::POST,
            &format!("/api/v1/questions/{id}/answer"),
            json!({"body": ANA_SECRET}),
        )
        .await;
        let (s, passed) = ben
            .send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/skip"),
                json!({}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(passed["state"], "i_passed");
        assert!(!passed.to_string().contains(ANA_SECRET));
        assert!(!everything_visible(&ben, id).await.contains(ANA_SECRET));
        let (_, a_view) = ana.get_json(&format!("/api/v1/questions/{id}")).await;
        assert_eq!(a_view["state"], "partner_passed");
        // The journey counts nothing for a passed question, and says nothing about it.
        let (_, j) = ana.get_json("/api/v1/journey").await;
        assert_eq!(j[1]["progress"], "not_started");
    }
}

#[tokio::test]
async fn the_day_brings_a_question_and_couples_move_deeper() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let solo = app.api_person("solo@example.org", "Solo").await;
        assert_eq!(
            solo.get_json("/api/v1/questions/today").await.0,
            409,
            "questions need two"
        );
        let (ana, ben) = couple(&app).await;
        let (s, t1) = ana.get_json("/api/v1/questions/today").await;
        assert_eq!(s, 200);
        let (_, t2) = ben.get_json("/api/v1/questions/today").await;
        assert_eq!(t1["id"], t2["id"], "both partners get the same question");
        assert_eq!(
            ana.get_json("/api/v1/questions/today").await.1["id"],
            t1["id"],
            "one per day"
        );
        assert_eq!(t1["depth"], 1);
        // Exchange three light answers, then the next question is deeper.
        let mut id = t1["id"].as_str().unwrap().to_owned();
        for round in 0..3 {
            ana.send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/answer"),
                json!({"body": format!("a{round}")}),
            )
            .await;
            ben.send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/answer"),
                json!({"body": format!("b{round}")}),
            )
            .await;
            let (_, next) = ana
                .send_json(
                    Method::POST,
                    "/api/v1/decks/hopes-and-dreams/ask",
                    json!({}),
                )
                .await;
            id = next["id"].as_str().unwrap().to_owned();
            if round < 2 {
                assert_eq!(next["depth"], 1);
            } else {
                assert_eq!(
                    next["depth"], 2,
                    "after three exchanges the couple goes deeper"
                );
            }
        }
        let (_, j) = ana.get_json("/api/v1/journey").await;
        assert_eq!(j[1]["progress"], "begun");
        assert_eq!(
            ana.send_json(
                Method::PUT,
                "/api/v1/questions/settings",
                json!({"hour": 24})
            )
            .await
            .0,
            422
        );
        assert_eq!(
            ana.send_json(
                Method::PUT,
                "/api/v1/questions/settings",
                json!({"hour": 7})
            )
            .await
            .0,
            204
        );
        assert_eq!(
            ana.send_json(Method::POST, "/api/v1/decks/no-such-deck/ask", json!({}))
                .await
                .0,
            404
        );
        let (_, decks) = ana.get_json("/api/v1/decks").await;
        assert!(decks.as_array().unwrap().len() >= 6);
    }
}
