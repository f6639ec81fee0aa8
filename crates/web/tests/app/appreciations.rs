//! Appreciations (issue 19 part 3) and starting alone (part 5) through the API
//! and the pages, on both databases.

use std::time::Duration;

use rekindle_testkit::{ApiPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::export_text;

async fn post(who: &ApiPerson, path: &str, body: Value) -> (u16, Value) {
    who.send_json(Method::POST, path, body).await
}

#[tokio::test]
async fn a_draft_stays_private_a_sent_one_reaches_the_partner_who_may_keep_it() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let (s, d) = post(
            &ana,
            "/api/v1/appreciations",
            json!({"body": "Thank you for the tea DRAFT-1"}),
        )
        .await;
        assert_eq!(
            (s, d["status"].as_str()),
            (201, Some("draft")),
            "{b:?}: {d}"
        );
        let draft = d["id"].as_str().unwrap().to_owned();
        // Ben sees nothing of a draft, in the list, by id, or as waiting.
        assert_eq!(
            ben.get_json("/api/v1/appreciations").await.1,
            json!([]),
            "{b:?}"
        );
        assert_eq!(
            ben.get_json(&format!("/api/v1/appreciations/{draft}"))
                .await
                .0,
            404,
            "{b:?}"
        );
        assert_eq!(
            ben.get_json("/api/v1/waiting").await.1["items"],
            json!([]),
            "{b:?}"
        );

        // Ana sends it: Ben is told, reads it, and the item goes away.
        let (s, v) = post(
            &ana,
            &format!("/api/v1/appreciations/{draft}/send"),
            json!({}),
        )
        .await;
        assert_eq!((s, v["status"].as_str()), (200, Some("sent")), "{b:?}: {v}");
        let w = ben.get_json("/api/v1/waiting").await.1["items"].clone();
        assert_eq!(w[0]["kind"], "appreciation", "{b:?}: {w}");
        assert_eq!(w[0]["what"], "Ana sent you an appreciation.", "{b:?}");
        assert!(
            !w.to_string().contains("DRAFT-1"),
            "{b:?}: an item never holds the words"
        );
        let (_, list) = ben.get_json("/api/v1/appreciations").await;
        assert_eq!(list[0]["body"], "Thank you for the tea DRAFT-1", "{b:?}");
        assert_eq!(list[0]["mine"], false);
        assert_eq!(
            ben.get_json("/api/v1/waiting").await.1["items"],
            json!([]),
            "{b:?}: seen"
        );

        // Keeping is Ben's; Ana never learns whether he kept it.
        let (s, v) = ben
            .send_json(
                Method::PUT,
                &format!("/api/v1/appreciations/{draft}/kept"),
                json!({"kept": true}),
            )
            .await;
        assert_eq!((s, v["kept"].as_bool()), (200, Some(true)), "{b:?}: {v}");
        assert_eq!(
            ana.get_json(&format!("/api/v1/appreciations/{draft}"))
                .await
                .1["kept"],
            false,
            "{b:?}"
        );
        let (s, _) = ana
            .send_json(
                Method::PUT,
                &format!("/api/v1/appreciations/{draft}/kept"),
                json!({"kept": true}),
            )
            .await;
        assert_eq!(s, 409, "{b:?}: keeping is for the partner");

        // Bad input changes nothing: clear 4xx.
        for (method, path, body, want) in [
            (
                Method::POST,
                "/api/v1/appreciations".to_owned(),
                json!({"body": "   "}),
                422,
            ),
            (
                Method::POST,
                "/api/v1/appreciations".to_owned(),
                json!({"body": "x".repeat(1001)}),
                422,
            ),
            (
                Method::POST,
                "/api/v1/appreciations".to_owned(),
                json!({"body": "Thank you for …"}),
                422,
            ),
            (
                Method::POST,
                "/api/v1/appreciations".to_owned(),
                json!({"body": "ok", "sned": true}),
                422,
            ),
            (
                Method::PATCH,
                format!("/api/v1/appreciations/{draft}"),
                json!({"body": "changed"}),
                409,
            ),
            (
                Method::POST,
                format!("/api/v1/appreciations/{draft}/send"),
                json!({}),
                409,
            ),
            (
                Method::PUT,
                "/api/v1/appreciations/prompt".to_owned(),
                json!({"on": "yes"}),
                400,
            ),
        ] {
            let (s, v) = ana.send_json(method, &path, body).await;
            assert_eq!(s, want, "{b:?} {path}: {v}");
            assert!(v["title"].is_string(), "{b:?}: problem details {v}");
        }
        let (s, _) = ben
            .send_json(
                Method::PATCH,
                &format!("/api/v1/appreciations/{draft}"),
                json!({"body": "mine now"}),
            )
            .await;
        assert_eq!(s, 404, "{b:?}: not Ben's to change");
        assert_eq!(
            ben.req(Method::DELETE, &format!("/api/v1/appreciations/{draft}"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        assert_eq!(
            ana.get_json("/api/v1/appreciations")
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            1,
            "{b:?}"
        );
        assert_eq!(
            ana.get_json(&format!("/api/v1/appreciations/{draft}"))
                .await
                .1["body"],
            "Thank you for the tea DRAFT-1"
        );

        // The export holds it for both (Ana wrote it, Ben was sent it).
        assert!(export_text(&ana).await.contains("DRAFT-1"), "{b:?}");
        assert!(export_text(&ben).await.contains("DRAFT-1"), "{b:?}");
    }
}

#[tokio::test]
async fn the_coach_points_out_a_barb_hidden_in_thanks() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        let text = "Thanks for finally doing the dishes.";
        let (s, v) = post(&ana, "/api/v1/appreciations/coach", json!({"text": text})).await;
        assert_eq!(s, 200, "{b:?}: {v}");
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["start"] == 11 && f["end"] == 18)
            .unwrap_or_else(|| panic!("{b:?}: no barb on 'finally': {v}"));
        assert_eq!(f["kind"], "hidden_barb", "{b:?}: {f}");
        assert!(
            f["explanation"].as_str().unwrap().contains("long ago"),
            "{f}"
        );
        let (_, warm) = post(
            &ana,
            "/api/v1/appreciations/coach",
            json!({"text": "Thank you for doing the dishes."}),
        )
        .await;
        assert!(
            warm["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["kind"] != "criticism"),
            "{warm}"
        );
        // A draft carries the note, and its page shows it before sending.
        let (_, d) = post(&ana, "/api/v1/appreciations", json!({"body": text})).await;
        assert_eq!(d["coach"][0]["kind"], "hidden_barb", "{b:?}: {d}");
        let html = app.html_person("ana@example.org").await;
        let (s, page) = html.get("/appreciations").await;
        assert_eq!(s, 200);
        assert!(
            page.contains("<q>finally</q>"),
            "{b:?}: the page points it out"
        );
    }
}

#[tokio::test]
async fn pages_write_send_keep_and_the_prompt_is_off_until_turned_on() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let ha = app.html_person("ana@example.org").await;
        let hb = app.html_person("ben@example.org").await;
        let (s, page, _) = ha
            .post("/appreciations", &[("body", "  "), ("action", "send")])
            .await;
        assert_eq!(s, 422, "{b:?}");
        assert!(
            page.contains("Write what you appreciated"),
            "{b:?}: inline error"
        );
        assert_eq!(ben.get_json("/api/v1/appreciations").await.1, json!([]));
        let (s, _, loc) = ha
            .post(
                "/appreciations",
                &[("body", "I admired how you PAGE-SENT"), ("action", "send")],
            )
            .await;
        assert_eq!(s, 303, "{b:?}");
        assert!(loc.unwrap().starts_with("/appreciations?done=sent"));
        let (_, page) = hb.get("/appreciations").await;
        assert!(
            page.contains("PAGE-SENT") && page.contains("Keep this one"),
            "{b:?}"
        );
        let id = ben.get_json("/api/v1/appreciations").await.1[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (s, _, _) = hb.post(&format!("/appreciations/{id}/keep"), &[]).await;
        assert_eq!(s, 303);
        let (_, page) = hb.get("/appreciations").await;
        assert!(page.contains("Let it go from kept"), "{b:?}");

        // The prompt: off by default; turned on, it waits on a prompt day only.
        assert_eq!(
            ben.get_json("/api/v1/appreciations/prompt").await.1,
            json!({"on": false})
        );
        let (s, _, _) = hb.post("/appreciations/prompt", &[("on", "maybe")]).await;
        assert_eq!(s, 400, "{b:?}");
        assert_eq!(
            ben.get_json("/api/v1/appreciations/prompt").await.1,
            json!({"on": false})
        );
        let (s, _, _) = hb.post("/appreciations/prompt", &[("on", "1")]).await;
        assert_eq!(s, 303);
        assert_eq!(
            ben.get_json("/api/v1/appreciations/prompt").await.1,
            json!({"on": true})
        );
        // Move to the next Monday, 10:00 UTC.
        use chrono::{Datelike, TimeZone};
        let now = chrono::Utc
            .timestamp_millis_opt(app.clock.now_ms())
            .unwrap();
        let days = (7 - now.weekday().num_days_from_monday()) % 7 + 7;
        let monday = (now.date_naive() + chrono::Days::new(days as u64))
            .and_hms_opt(10, 0, 0)
            .unwrap();
        app.clock.set(chrono::Utc.from_utc_datetime(&monday));
        let w = ben.get_json("/api/v1/waiting").await.1["items"].clone();
        assert_eq!(w.as_array().unwrap().len(), 1, "{b:?}: {w}");
        assert_eq!(w[0]["kind"], "appreciation_prompt", "{b:?}");
        assert_eq!(
            ana.get_json("/api/v1/waiting").await.1["items"],
            json!([]),
            "{b:?}: off for Ana"
        );
        let (_, page) = hb.get("/appreciations").await;
        assert!(page.contains("Not today"), "{b:?}");
        let (s, _, _) = hb.post("/appreciations/prompt/aside", &[]).await;
        assert_eq!(s, 303);
        assert_eq!(
            ben.get_json("/api/v1/waiting").await.1["items"],
            json!([]),
            "{b:?}: set aside"
        );
        app.clock.advance(Duration::from_secs(24 * 3600));
        assert_eq!(
            ben.get_json("/api/v1/waiting").await.1["items"],
            json!([]),
            "{b:?}: not on Tuesday"
        );
    }
}

#[tokio::test]
async fn a_week_alone_then_the_partner_joins_and_sees_none_of_it() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let ana = app.api_person("ana@example.org", "Ana").await;
        let ha = app.html_person("ana@example.org").await;
        // Home says plainly what opens when the partner joins.
        let (_, home) = ha.get("/").await;
        assert!(home.contains("Opens when your partner joins"), "{b:?}");
        assert!(
            home.contains("/practice") && home.contains("/appreciations"),
            "{b:?}"
        );
        let mut secrets = Vec::new();
        for day in 0..7 {
            if day == 3 {
                // Halfway through, Ana makes the space (her partner is not there yet).
                let (s, _) = post(&ana, "/api/v1/space", json!({})).await;
                assert_eq!(s, 201);
            }
            let j = format!("ALONE-JOURNAL-{day}");
            let (s, _) = post(
                &ana,
                "/api/v1/journal",
                json!({"title": j, "body": format!("{j} body")}),
            )
            .await;
            assert_eq!(s, 201);
            let a = format!("ALONE-THANKS-{day}");
            let (s, _) = post(
                &ana,
                "/api/v1/appreciations",
                json!({"body": format!("Thank you for {a}")}),
            )
            .await;
            assert_eq!(s, 201);
            // Sending before the partner is here is refused, and stores nothing.
            let (s, v) = post(
                &ana,
                "/api/v1/appreciations",
                json!({"body": "Thank you ALONE-SEND", "send": true}),
            )
            .await;
            assert_eq!(s, 409, "{b:?}: {v}");
            let (s, _, _) = ha
                .post(
                    "/practice",
                    &[("s", "1"), ("paraphrase", "It sounds like ALONE-PRACTICE?")],
                )
                .await;
            assert_eq!(s, 200);
            secrets.extend([j, a]);
            app.clock.advance(Duration::from_secs(24 * 3600));
        }
        let (_, steps) = ha.get("/steps").await;
        assert!(steps.contains("On your own"), "{b:?}");
        assert_eq!(
            ana.get_json("/api/v1/appreciations")
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            7
        );

        // Ben joins.
        let (s, inv) = post(&ana, "/api/v1/space/invitations", json!({})).await;
        assert_eq!(s, 201);
        let ben = app.api_person("ben@example.org", "Ben").await;
        let (s, _) = post(
            &ben,
            &format!(
                "/api/v1/invitations/{}/accept",
                inv["code"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
        assert_eq!(s, 200);
        let hb = app.html_person("ben@example.org").await;
        let mut seen = String::new();
        for page in [
            "/",
            "/journal",
            "/appreciations",
            "/questions",
            "/checkins",
            "/talks",
            "/board",
            "/plan",
        ] {
            let (s, html) = hb.get(page).await;
            assert_eq!(s, 200, "{b:?} {page}");
            seen.push_str(&html);
        }
        for path in [
            "/api/v1/journal",
            "/api/v1/appreciations",
            "/api/v1/waiting",
            "/api/v1/space",
        ] {
            let (s, v) = ben.get_json(path).await;
            assert_eq!(s, 200, "{b:?} {path}");
            seen.push_str(&v.to_string());
        }
        seen.push_str(&export_text(&ben).await);
        for secret in secrets
            .iter()
            .map(String::as_str)
            .chain(["ALONE-SEND", "ALONE-PRACTICE"])
        {
            assert!(!seen.contains(secret), "{b:?}: Ben sees {secret}");
        }
        // Ana still has all of it, private; and nothing practised was stored.
        let mine = ana.get_json("/api/v1/journal").await.1;
        assert_eq!(mine.as_array().unwrap().len(), 7);
        assert!(
            mine.as_array()
                .unwrap()
                .iter()
                .all(|e| e["visibility"] == "private")
        );
        assert!(
            !app.db
                .dump_table("appreciations")
                .await
                .contains("ALONE-SEND"),
            "{b:?}"
        );
        assert!(
            !app.db
                .dump_table("journal_entries")
                .await
                .contains("ALONE-PRACTICE"),
            "{b:?}"
        );
        // Now that Ben is here, Ana may send a draft, and only that one reaches him.
        let first = ana
            .get_json("/api/v1/appreciations")
            .await
            .1
            .as_array()
            .unwrap()
            .last()
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (s, _) = post(
            &ana,
            &format!("/api/v1/appreciations/{first}/send"),
            json!({}),
        )
        .await;
        assert_eq!(s, 200, "{b:?}");
        let theirs = ben.get_json("/api/v1/appreciations").await.1;
        assert_eq!(theirs.as_array().unwrap().len(), 1, "{b:?}: {theirs}");
        assert!(
            theirs[0]["body"]
                .as_str()
                .unwrap()
                .contains("ALONE-THANKS-0"),
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn practice_reads_a_paraphrase_and_refuses_bad_input() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let _ana = app.api_person("ana@example.org", "Ana").await;
        let ha = app.html_person("ana@example.org").await;
        let (s, page) = ha.get("/practice?s=2").await;
        assert_eq!(s, 200);
        assert!(page.contains("lonely"), "{b:?}: the third statement");
        assert!(
            page.contains("It sounds like"),
            "{b:?}: the coach's scaffold is prefilled"
        );
        let (s, page, _) = ha
            .post("/practice", &[("s", "2"), ("paraphrase", "It sounds like you feel lonely and miss our walks together. Is that right?")])
            .await;
        assert_eq!(s, 200);
        assert!(
            page.contains("You caught the feeling") && page.contains("You checked back"),
            "{b:?}"
        );
        let (s, page, _) = ha
            .post(
                "/practice",
                &[("s", "2"), ("paraphrase", "You always exaggerate.")],
            )
            .await;
        assert_eq!(s, 200);
        assert!(
            page.contains("The feeling is missing") && page.contains("The coach noticed"),
            "{b:?}"
        );
        assert_eq!(ha.get("/practice?s=9").await.0, 400, "{b:?}");
        assert_eq!(
            ha.post("/practice", &[("s", "x"), ("paraphrase", "hi")])
                .await
                .0,
            400
        );
        assert_eq!(
            ha.post("/practice", &[("s", "0"), ("paraphrase", " ")])
                .await
                .0,
            422
        );
    }
}

#[tokio::test]
async fn the_checkin_offers_the_weeks_sent_appreciations_beside_its_own_field() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        post(
            &ana,
            "/api/v1/appreciations",
            json!({"body": "Thank you OLD-SENT", "send": true}),
        )
        .await;
        app.clock.advance(Duration::from_secs(8 * 24 * 3600));
        post(
            &ana,
            "/api/v1/appreciations",
            json!({"body": "Thank you WEEK-SENT", "send": true}),
        )
        .await;
        post(
            &ana,
            "/api/v1/appreciations",
            json!({"body": "Thank you WEEK-DRAFT"}),
        )
        .await;
        let (s, ck) = post(&ana, "/api/v1/checkins", json!({})).await;
        assert_eq!(s, 201, "{ck}");
        let id = ck["id"].as_str().unwrap();
        let ha = app.html_person("ana@example.org").await;
        let (_, page) = ha.get(&format!("/checkins/{id}")).await;
        assert!(
            page.contains("id=\"appreciation\""),
            "{b:?}: the field is still there"
        );
        assert!(page.contains("What you sent Ben this week"), "{b:?}");
        assert!(page.contains("WEEK-SENT"), "{b:?}");
        assert!(
            !page.contains("OLD-SENT") && !page.contains("WEEK-DRAFT"),
            "{b:?}"
        );
        let hb = app.html_person("ben@example.org").await;
        let (_, page) = hb.get(&format!("/checkins/{id}")).await;
        assert!(!page.contains("What you sent"), "{b:?}: Ben sent nothing");
    }
}
