//! Check-ins through the API and pages on both databases: submissions stay
//! sealed on every route that returns check-in content until both partners
//! submitted; a partner's private scores never reach the other partner, not
//! through the meeting, trends, warnings, charts or the CSV export; the rhythm
//! and the journey follow what the couple did.

use rekindle_testkit::{ApiPerson, HtmlPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

const ANA_SECRET: &str = "ANA-SEALED-c71e";

fn part(csi: [u8; 4], text: &str, private: bool) -> Value {
    json!({
        "csi": csi,
        "technoference": [3, 2, 1, 0],
        "hours_together": 14,
        "hours_device_free": 5,
        "appreciation": format!("{text} appreciation"),
        "went_well": format!("{text} went well"),
        "topic": format!("{text} topic"),
        "keep_private": private,
    })
}

async fn begin(who: &ApiPerson) -> String {
    let (s, v) = who
        .send_json(Method::POST, "/api/v1/checkins", json!({}))
        .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

async fn submit(who: &ApiPerson, id: &str, body: Value) -> Value {
    let (s, v) = who
        .send_json(
            Method::POST,
            &format!("/api/v1/checkins/{id}/submission"),
            body,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

/// Every API route that returns check-in content, as seen by `who`.
async fn everything_api(who: &ApiPerson, id: &str) -> String {
    let mut all = String::new();
    for path in [
        "/api/v1/checkins/current".to_owned(),
        "/api/v1/checkins".to_owned(),
        format!("/api/v1/checkins/{id}"),
        "/api/v1/checkins/trends".to_owned(),
        "/api/v1/journey".to_owned(),
    ] {
        all.push_str(&who.get_json(&path).await.1.to_string());
    }
    let (_, v) = who
        .send_json(
            Method::PUT,
            &format!("/api/v1/checkins/{id}/loved"),
            json!({"body": "x"}),
        )
        .await;
    all.push_str(&v.to_string());
    all
}

/// Every page that shows check-in content, as seen by `who`.
async fn everything_pages(who: &HtmlPerson, id: &str) -> String {
    let mut all = String::new();
    for path in [
        "/".to_owned(),
        "/checkins".to_owned(),
        format!("/checkins/{id}"),
        "/checkins/trends".to_owned(),
        "/checkins/export.csv".to_owned(),
    ] {
        let (s, body) = who.get(&path).await;
        assert_eq!(s, 200, "{path}");
        all.push_str(&body);
    }
    all
}

#[tokio::test]
async fn submissions_stay_sealed_until_both_submitted_on_every_route() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let ben_html = app.html_person("ben@example.org").await;
        let id = begin(&ana).await;
        let (_, before) = ben.get_json(&format!("/api/v1/checkins/{id}")).await;
        assert_eq!(before["stage"], "awaiting_me");

        let after = submit(&ana, &id, part([5, 4, 4, 4], ANA_SECRET, false)).await;
        assert_eq!(after["stage"], "awaiting_partner");
        assert_eq!(
            after["mine"]["appreciation"],
            format!("{ANA_SECRET} appreciation")
        );
        assert_eq!(after["mine"]["scores"]["csi_total"], 17);
        assert!(after["partner"].is_null());

        // Ben has not submitted: nothing anywhere holds Ana's words, and his view
        // of the check-in is exactly what it was before she submitted.
        let seen = everything_api(&ben, &id).await;
        assert!(
            !seen.contains(ANA_SECRET),
            "{b:?}: sealed part leaked to the partner: {seen}"
        );
        let pages = everything_pages(&ben_html, &id).await;
        assert!(
            !pages.contains(ANA_SECRET),
            "{b:?}: sealed part leaked to a page"
        );
        assert!(
            !pages.contains("awaiting_partner")
                && !pages.contains("You have sent your part")
                && !pages.contains("You sent your part"),
            "no hint that Ana already sent hers"
        );
        let (_, now) = ben.get_json(&format!("/api/v1/checkins/{id}")).await;
        assert_eq!(
            now, before,
            "{b:?}: a submitted and an unsubmitted check-in look alike to Ben"
        );
        assert_eq!(
            ben.send_json(
                Method::PUT,
                &format!("/api/v1/checkins/{id}/loved"),
                json!({"body": "x"})
            )
            .await
            .0,
            409
        );
        let (_, t) = ben.get_json("/api/v1/checkins/trends").await;
        assert_eq!(t["points"], json!([]));

        // Ben submits: both see both, at once, in the agenda.
        let open = submit(&ben, &id, part([4, 4, 3, 3], "BEN", false)).await;
        assert_eq!(open["stage"], "meeting");
        assert_eq!(
            open["partner"]["appreciation"],
            format!("{ANA_SECRET} appreciation")
        );
        assert_eq!(open["partner"]["scores"]["csi_total"], 17);
        let (_, a_view) = ana.get_json(&format!("/api/v1/checkins/{id}")).await;
        assert_eq!(a_view["partner"]["topic"], "BEN topic");
        assert_eq!(a_view["partner"]["scores"]["csi_total"], 14);
        let (_, page) = ben_html.get(&format!("/checkins/{id}")).await;
        let order: Vec<usize> = [
            "Appreciations",
            "What went well",
            "How you each see things",
            "One thing each to talk about",
            "make you feel loved",
        ]
        .iter()
        .map(|h| page.find(h).unwrap_or_else(|| panic!("agenda lacks {h}")))
        .collect();
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "appreciations first, the closing question last"
        );
        assert!(page.contains(ANA_SECRET));

        // The closing question: each answers; both see both.
        let (s, v) = ana
            .send_json(
                Method::PUT,
                &format!("/api/v1/checkins/{id}/loved"),
                json!({"body": "Cook with me on Friday"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            ana.send_json(
                Method::PUT,
                &format!("/api/v1/checkins/{id}/loved"),
                json!({"body": "  "})
            )
            .await
            .0,
            422
        );
        let (_, b_view) = ben.get_json(&format!("/api/v1/checkins/{id}")).await;
        assert_eq!(
            b_view["loved"],
            json!([{"by": "partner", "body": "Cook with me on Friday"}])
        );
        // A part stands once sent.
        assert_eq!(
            ana.send_json(
                Method::POST,
                &format!("/api/v1/checkins/{id}/submission"),
                part([1; 4], "again", false)
            )
            .await
            .0,
            409
        );
        let (_, cur) = ana.get_json("/api/v1/checkins/current").await;
        assert!(cur["open"].is_null());
        assert_eq!(cur["latest_meeting"]["id"], id.as_str());
    }
}

#[tokio::test]
async fn private_scores_never_reach_the_partner_not_even_through_warnings_charts_or_csv() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let ana_html = app.html_person("ana@example.org").await;
        let ben_html = app.html_person("ben@example.org").await;
        // Three check-ins: Ana keeps her numbers private each time, and they are
        // low and falling (20 → 8 → 7): rules 1–3 would all fire about her.
        let mut ids = Vec::new();
        for (ana_csi, ben_csi) in [
            ([6, 5, 5, 4], [4, 4, 4, 4]),
            ([2, 2, 2, 2], [4, 4, 4, 4]),
            ([1, 2, 2, 2], [4, 4, 4, 4]),
        ] {
            let id = begin(&ben).await;
            submit(&ana, &id, part(ana_csi, "ANA-PRIVATE", true)).await;
            submit(&ben, &id, part(ben_csi, "BEN", false)).await;
            ids.push(id);
        }
        for id in &ids {
            let (_, v) = ben.get_json(&format!("/api/v1/checkins/{id}")).await;
            assert_eq!(v["partner"]["scores_private"], true);
            assert!(
                v["partner"]["scores"].is_null(),
                "{b:?}: private scores reached the partner: {v}"
            );
            assert_eq!(
                v["partner"]["appreciation"], "ANA-PRIVATE appreciation",
                "written answers are still shared"
            );
        }
        let (_, list) = ben.get_json("/api/v1/checkins").await;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|c| c["partner"]["scores"].is_null())
        );
        let (_, cur) = ben.get_json("/api/v1/checkins/current").await;
        assert!(cur["latest_meeting"]["partner"]["scores"].is_null());

        // Ben's trends: his own numbers only, and no warning that speaks of Ana's.
        let (_, t) = ben.get_json("/api/v1/checkins/trends").await;
        let points = t["points"].as_array().unwrap();
        assert_eq!(points.len(), 3);
        assert!(
            points
                .iter()
                .all(|p| p["partner"].is_null() && p["mine"]["csi_total"] == 16)
        );
        assert_eq!(
            t["warnings"],
            json!([]),
            "{b:?}: a warning exposed private scores: {}",
            t["warnings"]
        );
        // Ana sees her own warnings, about herself.
        let (_, ta) = ana.get_json("/api/v1/checkins/trends").await;
        let kinds: Vec<(String, String)> = ta["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["kind"].as_str().unwrap().to_owned(),
                    w["about"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(
            kinds.contains(&("low_twice".into(), "me".into())),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&("far_apart".into(), "us".into())),
            "her own view compares her score with Ben's shared one"
        );
        assert!(ta["points"][2]["partner"]["csi_total"] == 16);

        // Charts and pages: Ben's show no series of Ana's, and say why.
        let (_, trends_page) = ben_html.get("/checkins/trends").await;
        assert!(trends_page.contains("<svg"), "charts are drawn");
        assert!(trends_page.contains("<title id=\"chart-csi-title\">"));
        assert!(
            trends_page.contains("class=\"band\""),
            "the distress band is drawn"
        );
        assert!(
            !trends_page.contains("data-series=\"Ana\""),
            "{b:?}: Ana's private series reached Ben's chart"
        );
        assert!(trends_page.contains("appear only for check-ins where Ana shared them"));
        assert!(
            !trends_page.contains("data-warning"),
            "no warnings about Ana for Ben"
        );
        let (_, meeting) = ben_html.get(&format!("/checkins/{}", ids[2])).await;
        assert!(meeting.contains("kept private"));
        let (_, ana_trends) = ana_html.get("/checkins/trends").await;
        assert!(
            ana_trends.contains("data-series=\"You\"")
                && ana_trends.contains("data-series=\"Ben\"")
        );
        assert!(ana_trends.contains("data-warning=\"low_twice\""));

        // CSV: only one's own rows.
        let r = ben_html
            .client
            .get(format!("{}/checkins/export.csv", ben_html.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = r.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4, "a header and Ben's three rows: {csv}");
        assert!(lines[0].starts_with("checkin_id,submitted_at,csi1"));
        assert!(
            !csv.contains("ANA-PRIVATE"),
            "{b:?}: Ana's rows in Ben's export"
        );
        let (_, ana_csv) = ana_html.get("/checkins/export.csv").await;
        assert!(ana_csv.contains("ANA-PRIVATE appreciation") && !ana_csv.contains("BEN"));
        assert!(
            ana_csv.lines().nth(2).unwrap().contains(",2,2,2,2,8,"),
            "Ana's own numbers are in her export: {ana_csv}"
        );

        // When Ana shares, Ben sees them, and the warning about her may follow.
        let id = begin(&ana).await;
        submit(&ana, &id, part([1, 1, 1, 1], "ANA-SHARED", false)).await;
        submit(&ben, &id, part([4, 4, 4, 4], "BEN", false)).await;
        let (_, v) = ben.get_json(&format!("/api/v1/checkins/{id}")).await;
        assert_eq!(v["partner"]["scores"]["csi_total"], 4);
        let (_, t) = ben.get_json("/api/v1/checkins/trends").await;
        assert_eq!(t["points"][3]["partner"]["csi_total"], 4);
        let kinds: Vec<&str> = t["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["far_apart"],
            "only the latest check-in was shared: no two-in-a-row rule about Ana"
        );
    }
}

#[tokio::test]
async fn the_rhythm_the_form_and_the_journey() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let solo = app.api_person("solo@example.org", "Solo").await;
        assert_eq!(
            solo.get_json("/api/v1/checkins/current").await.0,
            409,
            "check-ins need two"
        );
        assert_eq!(
            solo.send_json(Method::POST, "/api/v1/checkins", json!({}))
                .await
                .0,
            409
        );
        let (ana, ben) = couple(&app).await;
        let (s, cur) = ana.get_json("/api/v1/checkins/current").await;
        assert_eq!(s, 200);
        assert_eq!(
            cur["schedule"],
            json!({"rhythm": "weekly", "weekday": "sunday", "hour": 19})
        );
        assert!(
            cur["open"].is_null(),
            "nothing opens before the first scheduled time"
        );
        assert_eq!(
            ana.send_json(
                Method::PUT,
                "/api/v1/checkins/schedule",
                json!({"rhythm": "daily", "weekday": "funday", "hour": 19})
            )
            .await
            .0,
            422
        );
        assert_eq!(
            ana.send_json(
                Method::PUT,
                "/api/v1/checkins/schedule",
                json!({"rhythm": "fortnightly", "weekday": "wednesday", "hour": 8})
            )
            .await
            .0,
            204
        );
        let (_, cur) = ben.get_json("/api/v1/checkins/current").await;
        assert_eq!(cur["schedule"]["rhythm"], "fortnightly");
        let next = chrono::DateTime::parse_from_rfc3339(cur["next_at"].as_str().unwrap()).unwrap();
        assert!(
            next > chrono::Utc::now() && next < chrono::Utc::now() + chrono::Duration::days(15)
        );
        let (_, inst) = ana.get_json("/api/v1/checkins/instruments").await;
        assert_eq!(inst["csi4"][0]["labels"].as_array().unwrap().len(), 7);
        assert!(inst["csi4_citation"].as_str().unwrap().contains("Funk"));

        let journey = |v: Value| v[6]["progress"].as_str().unwrap().to_owned();
        assert_eq!(
            journey(ana.get_json("/api/v1/journey").await.1),
            "not_started"
        );
        let id = begin(&ana).await;
        assert_eq!(
            ben.send_json(Method::POST, "/api/v1/checkins", json!({}))
                .await
                .0,
            409,
            "one open at a time"
        );
        let (s, bad) = ana
            .send_json(Method::POST, &format!("/api/v1/checkins/{id}/submission"), json!({"csi": [7, 5, 5, 5], "technoference": [0, 0, 0, 9], "hours_together": 3, "hours_device_free": 4}))
            .await;
        assert_eq!(s, 422);
        for key in ["csi1", "tech4", "hours_device_free"] {
            assert!(bad["errors"][key].is_string(), "{key}: {bad}");
        }
        submit(&ana, &id, part([3; 4], "A", false)).await;
        submit(&ben, &id, part([3; 4], "B", false)).await;
        assert_eq!(journey(ana.get_json("/api/v1/journey").await.1), "begun");
        let id = begin(&ben).await;
        submit(&ana, &id, part([3; 4], "A", false)).await;
        submit(&ben, &id, part([3; 4], "B", false)).await;
        assert_eq!(
            journey(ben.get_json("/api/v1/journey").await.1),
            "done",
            "step 7 is done after the second check-in"
        );

        // The page form keeps what was typed and says what is missing, field by field.
        let ana_html = app.html_person("ana@example.org").await;
        let (s, _, loc) = ana_html.post("/checkins/begin", &[]).await;
        assert_eq!(s, 303);
        let path = loc.unwrap();
        let (s, page, _) = ana_html
            .post(
                &format!("{path}/submit"),
                &[
                    ("csi1", "4"),
                    ("hours_together", "9"),
                    ("appreciation", "KEPT-TEXT"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("KEPT-TEXT") && page.contains("value=\"9\""));
        assert!(page.contains("id=\"csi1-4\" name=\"csi1\" value=\"4\" checked"));
        assert!(
            page.contains("id=\"csi2-error\""),
            "the error sits next to its field"
        );
        let (_, home) = ana_html.get("/").await;
        assert!(home.contains("Your next check-in"));
    }
}

#[tokio::test]
async fn missed_check_ins_are_counted_from_the_last_one_the_couple_completed() {
    use chrono::{DateTime, Duration, Utc};
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let t0: DateTime<Utc> = "2027-03-01T09:00:00Z".parse().unwrap(); // a Monday
        app.clock.set(t0);
        let (s, v) = ana
            .send_json(
                Method::PUT,
                "/api/v1/checkins/schedule",
                json!({"rhythm": "weekly", "weekday": "monday", "hour": 10}),
            )
            .await;
        assert_eq!(s, 204, "{b:?}: {v}");
        // Every Monday from 8 to 29 March, an hour after the scheduled time,
        // both fill in a check-in.
        for week in 1..=4 {
            app.clock
                .set(t0 + Duration::weeks(week) + Duration::hours(2));
            let id = begin(&ana).await;
            submit(&ana, &id, part([4, 4, 4, 4], "ana", false)).await;
            submit(&ben, &id, part([4, 4, 4, 4], "ben", false)).await;
        }
        let missed = || async {
            let (s, t) = ben.get_json("/api/v1/checkins/trends").await;
            assert_eq!(s, 200, "{t}");
            t["missed_in_a_row"].as_u64().unwrap()
        };
        assert_eq!(missed().await, 0, "{b:?}: none missed yet");
        // Then four Mondays pass without one: the last completed week counts
        // as kept, the three after it as missed.
        app.clock.set(t0 + Duration::weeks(8) + Duration::hours(3));
        assert_eq!(missed().await, 3, "{b:?}");
        let page = app.html_person("ben@example.org").await;
        let (s, html) = page.get("/checkins").await;
        assert_eq!(s, 200, "{b:?}");
        assert!(
            html.contains("3 "),
            "{b:?}: the page names the missed check-ins"
        );
    }
}
