//! The problem board through the API and the pages, on SQLite and PostgreSQL:
//! sealing of ideas and ratings, the ranking, agreements, follow-ups revealed
//! together, adjusting and dropping, the professional-help suggestion, the
//! coach on a problem's name, the journey, and clear refusals.

use std::time::Duration;

use rekindle_testkit::{ApiPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::export_text;

const SEALED_IDEA: &str = "SEALED-idea-ana-71c2";
const PRIVATE_NOTE: &str = "PRIVATE-followup-ana-0d4e";

async fn ok(p: &ApiPerson, method: Method, path: &str, body: Value) -> Value {
    let (s, v) = p.send_json(method.clone(), path, body).await;
    assert!((200..300).contains(&s), "{method} {path}: {s} {v}");
    v
}

fn option_id(problem: &Value, body: &str) -> String {
    problem["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["body"] == body)
        .unwrap_or_else(|| panic!("no option {body} in {problem}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Ana proposes, Ben accepts, both add ideas and finish. Returns the problem id.
pub(crate) async fn to_rating(
    ana: &ApiPerson,
    ben: &ApiPerson,
    title: &str,
    ana_ideas: &[&str],
    ben_ideas: &[&str],
) -> String {
    let p = ok(
        ana,
        Method::POST,
        "/api/v1/board/problems",
        json!({"title": title}),
    )
    .await;
    let id = p["id"].as_str().unwrap().to_owned();
    ok(
        ben,
        Method::POST,
        &format!("/api/v1/board/problems/{id}/accept"),
        json!({}),
    )
    .await;
    for (who, ideas) in [(ana, ana_ideas), (ben, ben_ideas)] {
        for idea in ideas {
            ok(
                who,
                Method::POST,
                &format!("/api/v1/board/problems/{id}/options"),
                json!({"body": idea}),
            )
            .await;
        }
        ok(
            who,
            Method::POST,
            &format!("/api/v1/board/problems/{id}/done"),
            json!({}),
        )
        .await;
    }
    id
}

pub(crate) async fn rate_all(p: &ApiPerson, id: &str, values: &[(&str, i64)]) -> Value {
    let current = ok(
        p,
        Method::GET,
        &format!("/api/v1/board/problems/{id}"),
        Value::Null,
    )
    .await;
    let mut ratings = serde_json::Map::new();
    for (body, v) in values {
        ratings.insert(option_id(&current, body), json!(v));
    }
    ok(
        p,
        Method::PUT,
        &format!("/api/v1/board/problems/{id}/ratings"),
        json!({"ratings": ratings}),
    )
    .await
}

/// Agreement on `body`, confirmed, trial over, both answer, then `outcome`.
async fn agree_and_decide(
    app: &TestApp,
    ana: &ApiPerson,
    ben: &ApiPerson,
    id: &str,
    body: &str,
    outcome: &str,
) {
    let p = ok(
        ana,
        Method::GET,
        &format!("/api/v1/board/problems/{id}"),
        Value::Null,
    )
    .await;
    let option = option_id(&p, body);
    ok(
        ana,
        Method::POST,
        &format!("/api/v1/board/problems/{id}/agreement"),
        json!({"option_id": option, "trial_days": 7}),
    )
    .await;
    ok(
        ben,
        Method::POST,
        &format!("/api/v1/board/problems/{id}/agreement/confirm"),
        json!({}),
    )
    .await;
    // The agreement can become an action on the plan, and the action names it.
    let p = ok(
        ana,
        Method::GET,
        &format!("/api/v1/board/problems/{id}"),
        Value::Null,
    )
    .await;
    let agreement = p["agreements"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["status"] == "active"))
        .and_then(|a| a["id"].as_str())
        .unwrap_or_else(|| panic!("an active agreement in {p}"))
        .to_owned();
    let action = ok(
        ana,
        Method::POST,
        "/api/v1/plan",
        json!({"title": "First step", "owner": "me", "due_date": "2027-01-01",
               "agreement_id": agreement}),
    )
    .await;
    assert_eq!(action["agreement_id"], agreement.as_str());
    // Its follow-up day is in the calendar feed.
    let feed = ok(ana, Method::POST, "/api/v1/plan/calendar", json!({})).await;
    let url = feed["url"].as_str().expect("feed url");
    let ics = app
        .client()
        .get(app.url(&url[url.find("/calendar/").expect("feed path")..]))
        .send()
        .await
        .expect("feed")
        .text()
        .await
        .expect("feed text");
    assert!(ics.contains(&format!("followup-{agreement}")), "{ics}");
    app.clock.advance(Duration::from_secs(8 * 24 * 3600));
    ok(
        ana,
        Method::POST,
        &format!("/api/v1/board/problems/{id}/follow-up"),
        json!({"worked": "no"}),
    )
    .await;
    ok(
        ben,
        Method::POST,
        &format!("/api/v1/board/problems/{id}/follow-up"),
        json!({"worked": "partly"}),
    )
    .await;
    ok(
        ben,
        Method::POST,
        &format!("/api/v1/board/problems/{id}/decision"),
        json!({"outcome": outcome}),
    )
    .await;
}

#[tokio::test]
async fn ideas_and_ratings_stay_sealed_until_both_are_done_then_rank_for_both() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        // The coach reads the problem's name and says so, without blocking it.
        let (s, p) = ana
            .send_json(
                Method::POST,
                "/api/v1/board/problems",
                json!({"title": "your nagging"}),
            )
            .await;
        assert_eq!(s, 201, "{p}");
        let coach = p["coach"].as_array().unwrap();
        assert!(!coach.is_empty(), "{b:?}: no coach findings in {p}");
        assert!(
            coach
                .iter()
                .any(|f| f["excerpt"].as_str().unwrap().contains("nagging")),
            "{p}"
        );
        assert_eq!(p["stage"], "proposed");
        // The same notes while typing, before anything is stored.
        let live = ok(
            &ana,
            Method::POST,
            "/api/v1/board/coach",
            json!({"text": "your nagging"}),
        )
        .await;
        let findings = live["findings"].as_array().unwrap();
        assert!(
            findings
                .iter()
                .any(|f| f["kind"] == "blame" && f["start"] == 0),
            "{live}"
        );
        let calm = ok(
            &ana,
            Method::POST,
            "/api/v1/board/coach",
            json!({"text": "Evenings with the car"}),
        )
        .await;
        assert!(calm["findings"].as_array().unwrap().is_empty(), "{calm}");
        let id = p["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/board/problems/{id}");
        // The partner sees the problem (and no coach notes meant for the writer).
        let seen = ok(&ben, Method::GET, &path, Value::Null).await;
        assert_eq!(seen["proposed_by"], "partner");
        assert!(seen["coach"].as_array().unwrap().is_empty());
        assert_eq!(seen["next"], json!(["accept", "talk_first"]));
        ok(&ben, Method::POST, &format!("{path}/accept"), json!({})).await;

        ok(
            &ana,
            Method::POST,
            &format!("{path}/options"),
            json!({"body": SEALED_IDEA}),
        )
        .await;
        ok(
            &ana,
            Method::POST,
            &format!("{path}/options"),
            json!({"body": "Take turns"}),
        )
        .await;
        let ana_done = ok(&ana, Method::POST, &format!("{path}/done"), json!({})).await;
        assert_eq!(
            ana_done["brainstorm_done"],
            json!({"me": true, "partner": false})
        );
        // Ben, still writing: nothing of Ana's ideas by the API, the page or the export,
        // and not even whether Ana is done.
        let before = ok(&ben, Method::GET, &path, Value::Null).await;
        assert!(
            before["options"].as_array().unwrap().is_empty(),
            "{b:?}: {before}"
        );
        assert_eq!(
            before["brainstorm_done"],
            json!({"me": false, "partner": null})
        );
        assert!(!before.to_string().contains(SEALED_IDEA));
        let ben_html = app.html_person("ben@example.org").await;
        let (s, page) = ben_html.get(&format!("/board/{id}")).await;
        assert_eq!(s, 200);
        assert!(
            !page.contains(SEALED_IDEA),
            "{b:?}: sealed idea on the partner's page"
        );
        assert!(
            !export_text(&ben).await.contains(SEALED_IDEA),
            "{b:?}: sealed idea in the export"
        );
        // Ana's own view keeps it.
        let (_, ana_page) = app
            .html_person("ana@example.org")
            .await
            .get(&format!("/board/{id}"))
            .await;
        assert!(ana_page.contains(SEALED_IDEA));

        ok(
            &ben,
            Method::POST,
            &format!("{path}/options"),
            json!({"body": "Cook together on Sundays"}),
        )
        .await;
        let (s, v) = ben
            .send_json(
                Method::POST,
                &format!("{path}/options"),
                json!({"body": "  "}),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        let opened = ok(&ben, Method::POST, &format!("{path}/done"), json!({})).await;
        assert_eq!(opened["stage"], "rating");
        assert_eq!(opened["options"].as_array().unwrap().len(), 3);
        assert!(opened.to_string().contains(SEALED_IDEA));

        // Ratings: Ana's stay private until Ben has rated too.
        let rated = rate_all(
            &ana,
            &id,
            &[
                (SEALED_IDEA, 9),
                ("Take turns", 2),
                ("Cook together on Sundays", 7),
            ],
        )
        .await;
        assert!(rated["ranked"].as_array().unwrap().is_empty());
        let waiting = ok(&ben, Method::GET, &path, Value::Null).await;
        assert!(
            waiting["options"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["partner_rating"].is_null()),
            "{waiting}"
        );
        assert!(waiting["ranked"].as_array().unwrap().is_empty());
        // Out of range is refused with a clear reason.
        let mut bad = serde_json::Map::new();
        for o in waiting["options"].as_array().unwrap() {
            bad.insert(o["id"].as_str().unwrap().into(), json!(11));
        }
        let (s, v) = ben
            .send_json(
                Method::PUT,
                &format!("{path}/ratings"),
                json!({"ratings": bad}),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("0"), "{v}");
        let both = rate_all(
            &ben,
            &id,
            &[
                (SEALED_IDEA, 4),
                ("Take turns", 10),
                ("Cook together on Sundays", 8),
            ],
        )
        .await;
        // Lower rating first (Sundays 7, sealed idea 4); "Take turns" was rated 2 by Ana: marked, last.
        let ranked = both["ranked"].as_array().unwrap();
        let order: Vec<String> = ranked
            .iter()
            .map(|r| r["option_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            order,
            [
                option_id(&both, "Cook together on Sundays"),
                option_id(&both, SEALED_IDEA),
                option_id(&both, "Take turns")
            ],
            "{b:?}"
        );
        assert_eq!(ranked[0]["lower"], 7);
        assert_eq!(ranked[0]["sum"], 15);
        assert_eq!(ranked[2]["unacceptable"], true);
        assert!(
            both["ranking_explained"]
                .as_str()
                .unwrap()
                .contains("lower of your two ratings")
        );
        // The ranked board page says how it ranks.
        let (_, page) = ben_html.get(&format!("/board/{id}")).await;
        assert!(page.contains("lower of your two ratings"), "{b:?}");
        assert!(page.contains("can&#39;t accept") || page.contains("can't accept"));
        // An unacceptable option cannot become the agreement.
        let (s, v) = ana
            .send_json(
                Method::POST,
                &format!("{path}/agreement"),
                json!({"option_id": option_id(&both, "Take turns"), "trial_days": 14}),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        // A compromise combines two ideas; both then rate it.
        let c = ok(
            &ana,
            Method::POST,
            &format!("{path}/compromises"),
            json!({"from": [order[0], order[1]], "body": "Sundays together, weekdays in turns"}),
        )
        .await;
        assert_eq!(c["options"].as_array().unwrap().len(), 4);
        assert!(c["next"].as_array().unwrap().contains(&json!("rate")));
        let seen = ok(&ben, Method::GET, &path, Value::Null).await;
        assert!(
            seen.to_string()
                .contains("Sundays together, weekdays in turns")
        );
        rate_all(&ana, &id, &[("Sundays together, weekdays in turns", 9)]).await;
        let last = rate_all(&ben, &id, &[("Sundays together, weekdays in turns", 9)]).await;
        assert_eq!(
            last["ranked"][0]["option_id"],
            option_id(&last, "Sundays together, weekdays in turns")
        );
    }
}

#[tokio::test]
async fn agreement_follow_up_opens_together_and_two_drops_suggest_a_counselor() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let id = to_rating(
            &ana,
            &ben,
            "Who cooks on weekdays",
            &["Ana cooks Mondays"],
            &["Ben cooks Tuesdays"],
        )
        .await;
        let path = format!("/api/v1/board/problems/{id}");
        rate_all(
            &ana,
            &id,
            &[("Ana cooks Mondays", 6), ("Ben cooks Tuesdays", 8)],
        )
        .await;
        let p = rate_all(
            &ben,
            &id,
            &[("Ana cooks Mondays", 7), ("Ben cooks Tuesdays", 9)],
        )
        .await;
        let chosen = option_id(&p, "Ben cooks Tuesdays");
        let drafted = ok(
            &ana,
            Method::POST,
            &format!("{path}/agreement"),
            json!({"option_id": chosen, "body": "Ben cooks on Tuesdays and Thursdays", "trial_days": 14}),
        )
        .await;
        assert_eq!(drafted["agreements"][0]["status"], "draft");
        // The writer cannot say yes for both.
        let (s, v) = ana
            .send_json(
                Method::POST,
                &format!("{path}/agreement/confirm"),
                json!({}),
            )
            .await;
        assert_eq!(s, 409, "{v}");
        assert!(
            v["detail"]
                .as_str()
                .unwrap()
                .contains("your partner is the one"),
            "{v}"
        );
        let agreed = ok(
            &ben,
            Method::POST,
            &format!("{path}/agreement/confirm"),
            json!({}),
        )
        .await;
        assert_eq!(agreed["stage"], "agreed");
        let agreement = agreed["agreements"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            agreed["agreements"][0]["plan_url"],
            format!("/plan/new?agreement={agreement}")
        );
        // The page links to the action plan for this agreement.
        let ana_html = app.html_person("ana@example.org").await;
        let (_, page) = ana_html.get(&format!("/board/{id}")).await;
        assert!(
            page.contains(&format!("/plan/new?agreement={agreement}")),
            "{b:?}"
        );
        assert!(page.contains("Plan an action for this"));
        // Step 5 is done: an agreement reached together.
        let (_, journey) = ana.get_json("/api/v1/journey").await;
        assert_eq!(journey[4]["progress"], "done", "{journey}");
        assert_eq!(journey[5]["progress"], "begun");

        // Not before the follow-up date.
        let (s, v) = ana
            .send_json(
                Method::POST,
                &format!("{path}/follow-up"),
                json!({"worked": "no"}),
            )
            .await;
        assert_eq!(s, 409, "{v}");
        app.clock.advance(Duration::from_secs(14 * 24 * 3600 + 60));
        let (_, home) = ana_html.get("/").await;
        assert!(
            home.contains("time to look back on how your agreement went"),
            "{b:?}: home"
        );
        let (s, v) = ana
            .send_json(
                Method::POST,
                &format!("{path}/follow-up"),
                json!({"worked": "maybe"}),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        ok(
            &ana,
            Method::POST,
            &format!("{path}/follow-up"),
            json!({"worked": "no", "note": PRIVATE_NOTE}),
        )
        .await;
        // Ben has not answered: nothing of Ana's answer anywhere.
        let ben_view = ok(&ben, Method::GET, &path, Value::Null).await;
        assert!(ben_view["follow_up"]["partner"].is_null(), "{ben_view}");
        assert_eq!(ben_view["follow_up"]["state"], "awaiting_me");
        assert!(!ben_view.to_string().contains(PRIVATE_NOTE));
        let ben_html = app.html_person("ben@example.org").await;
        assert!(
            !ben_html
                .get(&format!("/board/{id}"))
                .await
                .1
                .contains(PRIVATE_NOTE)
        );
        assert!(
            !export_text(&ben).await.contains(PRIVATE_NOTE),
            "{b:?}: follow-up in the export"
        );
        let (s, v) = ana
            .send_json(
                Method::POST,
                &format!("{path}/decision"),
                json!({"outcome": "keep"}),
            )
            .await;
        assert_eq!(s, 409, "{v}");
        let open = ok(
            &ben,
            Method::POST,
            &format!("{path}/follow-up"),
            json!({"worked": "partly", "note": "Thursdays are hard"}),
        )
        .await;
        assert_eq!(open["follow_up"]["state"], "open");
        assert_eq!(open["follow_up"]["partner"]["note"], PRIVATE_NOTE);
        let ana_view = ok(&ana, Method::GET, &path, Value::Null).await;
        assert_eq!(
            ana_view["follow_up"]["partner"]["note"],
            "Thursdays are hard"
        );
        let (_, journey) = ana.get_json("/api/v1/journey").await;
        assert_eq!(journey[5]["progress"], "done", "{journey}");

        // Adjust: back to rating in a new round; ideas stay, ratings start afresh.
        let adjusted = ok(
            &ana,
            Method::POST,
            &format!("{path}/decision"),
            json!({"outcome": "adjust_rating"}),
        )
        .await;
        assert_eq!(adjusted["stage"], "rating");
        assert_eq!(adjusted["round"], 2);
        assert_eq!(adjusted["options"].as_array().unwrap().len(), 2);
        assert!(adjusted["ranked"].as_array().unwrap().is_empty());
        assert_eq!(adjusted["agreements"][0]["status"], "adjusted");
        rate_all(
            &ana,
            &id,
            &[("Ana cooks Mondays", 6), ("Ben cooks Tuesdays", 6)],
        )
        .await;
        rate_all(
            &ben,
            &id,
            &[("Ana cooks Mondays", 6), ("Ben cooks Tuesdays", 6)],
        )
        .await;
        agree_and_decide(&app, &ana, &ben, &id, "Ana cooks Mondays", "drop").await;
        let dropped = ok(&ana, Method::GET, &path, Value::Null).await;
        assert_eq!(dropped["stage"], "dropped");
        let (_, board) = ana.get_json("/api/v1/board").await;
        assert_eq!(board["suggest_professional_help"], false, "{board}");

        // Adjust back to brainstorm on a second problem: new ideas sealed again, then dropped.
        let id2 = to_rating(
            &ana,
            &ben,
            "Weekend plans",
            &["Saturday hike"],
            &["Sunday lie-in"],
        )
        .await;
        rate_all(&ana, &id2, &[("Saturday hike", 7), ("Sunday lie-in", 7)]).await;
        rate_all(&ben, &id2, &[("Saturday hike", 7), ("Sunday lie-in", 7)]).await;
        agree_and_decide(&app, &ana, &ben, &id2, "Saturday hike", "adjust_brainstorm").await;
        let path2 = format!("/api/v1/board/problems/{id2}");
        let again = ok(&ben, Method::GET, &path2, Value::Null).await;
        assert_eq!(
            (again["stage"].as_str(), again["round"].as_i64()),
            (Some("brainstorm"), Some(2))
        );
        ok(
            &ana,
            Method::POST,
            &format!("{path2}/options"),
            json!({"body": "SEALED-round-two"}),
        )
        .await;
        let ben_sees = ok(&ben, Method::GET, &path2, Value::Null).await;
        assert_eq!(
            ben_sees["options"].as_array().unwrap().len(),
            2,
            "{ben_sees}"
        );
        assert!(!ben_sees.to_string().contains("SEALED-round-two"));
        ok(&ana, Method::POST, &format!("{path2}/done"), json!({})).await;
        ok(
            &ben,
            Method::POST,
            &format!("{path2}/options"),
            json!({"body": "Alternate weekends"}),
        )
        .await;
        ok(&ben, Method::POST, &format!("{path2}/done"), json!({})).await;
        let all = [
            ("Saturday hike", 5),
            ("Sunday lie-in", 5),
            ("SEALED-round-two", 5),
            ("Alternate weekends", 5),
        ];
        rate_all(&ana, &id2, &all).await;
        rate_all(&ben, &id2, &all).await;
        agree_and_decide(&app, &ana, &ben, &id2, "Alternate weekends", "drop").await;
        // Two agreements in a row let go: a counselor is suggested, kindly.
        let (_, board) = ana.get_json("/api/v1/board").await;
        assert_eq!(board["suggest_professional_help"], true, "{b:?}: {board}");
        assert_eq!(board["professional_help_url"], "/help/counseling");
        // More than a month has passed on the test clock since Ana signed in, and
        // sessions last 30 days: she signs in again.
        let ana_html = app.html_person("ana@example.org").await;
        let (_, page) = ana_html.get("/board").await;
        assert!(page.contains("/help/counseling"), "{b:?}");
        assert!(page.contains("not therapy"));
        let (s, help) = ana_html.get("/help/counseling").await;
        assert_eq!(s, 200);
        assert!(help.contains("not therapy"));
        assert!(help.contains("Emotionally Focused Couple Therapy"));
        // The export holds the person's board history.
        let exported = export_text(&ana).await;
        assert!(
            exported.contains("Who cooks on weekdays")
                && exported.contains("Ben cooks on Tuesdays and Thursdays")
        );
    }
}

#[tokio::test]
async fn illegal_moves_are_refused_with_a_reason_and_talk_first_is_recorded() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let (s, v) = ana
            .send_json(
                Method::POST,
                "/api/v1/board/problems",
                json!({"title": "   "}),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        let p = ok(
            &ana,
            Method::POST,
            "/api/v1/board/problems",
            json!({"title": "Phones at dinner"}),
        )
        .await;
        let id = p["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/board/problems/{id}");
        let (_, home) = app.html_person("ben@example.org").await.get("/").await;
        assert!(
            home.contains("Your partner put a problem forward"),
            "{b:?}: home"
        );
        // One problem at a time.
        let (s, v) = ben
            .send_json(
                Method::POST,
                "/api/v1/board/problems",
                json!({"title": "Money"}),
            )
            .await;
        assert_eq!(s, 409, "{v}");
        assert!(
            v["detail"].as_str().unwrap().contains("One at a time"),
            "{v}"
        );
        // The proposer cannot accept their own problem; ideas wait for the agenda.
        let (s, v) = ana
            .send_json(Method::POST, &format!("{path}/accept"), json!({}))
            .await;
        assert_eq!(s, 409);
        assert!(
            v["detail"]
                .as_str()
                .unwrap()
                .contains("You proposed this problem"),
            "{v}"
        );
        let (s, v) = ana
            .send_json(
                Method::POST,
                &format!("{path}/options"),
                json!({"body": "x"}),
            )
            .await;
        assert_eq!(s, 409, "{v}");
        // Talk first: recorded and shown to both.
        let t = ok(&ben, Method::POST, &format!("{path}/talk-first"), json!({})).await;
        assert_eq!(t["stage"], "talk_first");
        assert_eq!(t["talk_requested_by"], "me");
        let (_, seen) = ana.get_json(&path).await;
        assert_eq!(seen["talk_requested_by"], "partner");
        let (_, page) = app
            .html_person("ana@example.org")
            .await
            .get(&format!("/board/{id}"))
            .await;
        assert!(
            page.contains("would like to talk about this first"),
            "{b:?}"
        );
        // Done needs an idea first.
        ok(&ben, Method::POST, &format!("{path}/accept"), json!({})).await;
        let (s, v) = ben
            .send_json(Method::POST, &format!("{path}/done"), json!({}))
            .await;
        assert_eq!(s, 409);
        assert!(
            v["detail"].as_str().unwrap().contains("at least one idea"),
            "{v}"
        );
        // Nobody outside the couple sees or touches it.
        let olly = app.api_person("olly@example.org", "Olly").await;
        assert_eq!(olly.get_json(&path).await.0, 404);
        ok(&olly, Method::POST, "/api/v1/space", json!({})).await;
        assert_eq!(olly.get_json("/api/v1/board").await.0, 409);
        // Form errors keep the input.
        let html = app.html_person("ben@example.org").await;
        let (s, body, _) = html
            .post(&format!("/board/{id}/options"), &[("body", "")])
            .await;
        assert_eq!(s, 422);
        assert!(body.contains("any idea is welcome"), "{body}");
        let (s, _, loc) = html
            .post(
                &format!("/board/{id}/options"),
                &[("body", "Phones in a basket")],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(
            loc.as_deref(),
            Some(format!("/board/{id}#brainstorm").as_str())
        );
        // Once on the agenda it is worked through, not taken back.
        let (s, v) = ana
            .send_json(Method::POST, &format!("{path}/withdraw"), json!({}))
            .await;
        assert_eq!(s, 409, "{v}");
    }
}

#[tokio::test]
async fn erasure_removes_what_a_partner_wrote_on_the_board_and_leaves_the_other_theirs() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let id = to_rating(
            &ben,
            &ana,
            "BEN-PROBLEM-e1",
            &["BEN-IDEA-e2"],
            &["ANA-IDEA-e3"],
        )
        .await;
        let path = format!("/api/v1/board/problems/{id}");
        rate_all(&ana, &id, &[("BEN-IDEA-e2", 7), ("ANA-IDEA-e3", 7)]).await;
        let p = rate_all(&ben, &id, &[("BEN-IDEA-e2", 7), ("ANA-IDEA-e3", 7)]).await;
        let option = option_id(&p, "ANA-IDEA-e3");
        ok(
            &ben,
            Method::POST,
            &format!("{path}/agreement"),
            json!({"option_id": option, "body": "BEN-AGREEMENT-e4", "trial_days": 3}),
        )
        .await;
        ok(
            &ana,
            Method::POST,
            &format!("{path}/agreement/confirm"),
            json!({}),
        )
        .await;
        app.clock.advance(Duration::from_secs(4 * 24 * 3600));
        ok(
            &ben,
            Method::POST,
            &format!("{path}/follow-up"),
            json!({"worked": "yes", "note": "BEN-NOTE-e5"}),
        )
        .await;
        ok(
            &ana,
            Method::POST,
            &format!("{path}/follow-up"),
            json!({"worked": "yes", "note": "ANA-NOTE-e6"}),
        )
        .await;
        let tables = [
            "board_problems",
            "board_options",
            "board_done",
            "board_ratings",
            "board_agreements",
            "board_followups",
        ];
        let mut before = String::new();
        for t in tables {
            before.push_str(&app.db.dump_table(t).await);
        }
        assert!(before.contains("BEN-NOTE-e5") && before.contains("BEN-AGREEMENT-e4"));
        let (s, _) = ben
            .send_json(
                Method::DELETE,
                "/api/v1/me",
                json!({"password": "correct horse battery"}),
            )
            .await;
        assert_eq!(s, 204);
        let mut dump = String::new();
        for t in tables {
            dump.push_str(&app.db.dump_table(t).await);
        }
        for needle in [
            "BEN-PROBLEM-e1",
            "BEN-IDEA-e2",
            "BEN-AGREEMENT-e4",
            "BEN-NOTE-e5",
        ] {
            assert!(!dump.contains(needle), "{b:?}: {needle} survived erasure");
        }
        for needle in ["ANA-IDEA-e3", "ANA-NOTE-e6"] {
            assert!(dump.contains(needle), "{b:?}: Ana lost {needle}");
        }
        // Ana keeps her own ideas and answers in her export; the problem left the space with Ben.
        let exported = export_text(&ana).await;
        assert!(
            exported.contains("ANA-IDEA-e3") && exported.contains("ANA-NOTE-e6"),
            "{b:?}"
        );
        assert!(!exported.contains("BEN-IDEA-e2") && !exported.contains("BEN-NOTE-e5"));
        let (_, board) = ana.get_json("/api/v1/board").await;
        assert_eq!(board["active"], Value::Null);
    }
}

#[tokio::test]
async fn rating_form_errors_keep_what_was_typed_and_the_page_flow_works_without_js() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let id = to_rating(
            &ana,
            &ben,
            "Screens in the bedroom",
            &["Charge phones in the hall"],
            &["No screens after ten"],
        )
        .await;
        let p = ok(
            &ana,
            Method::GET,
            &format!("/api/v1/board/problems/{id}"),
            Value::Null,
        )
        .await;
        let hall = option_id(&p, "Charge phones in the hall");
        let ten = option_id(&p, "No screens after ten");
        let html = app.html_person("ana@example.org").await;
        // One rating missing: the page says so and keeps the other value.
        let (s, body, _) = html
            .post(
                &format!("/board/{id}/ratings"),
                &[(&format!("rating_{hall}"), "8")],
            )
            .await;
        assert_eq!(s, 422, "{b:?}");
        assert!(body.contains("Rate every idea"), "{body}");
        assert!(
            body.contains(&format!("name=\"rating_{hall}\" value=\"8\" checked")),
            "the chosen rating is kept"
        );
        assert!(
            !body.contains(&format!("name=\"rating_{ten}\" value=\"3\" checked")),
            "and nothing is chosen for the other"
        );
        let (s, _, loc) = html
            .post(
                &format!("/board/{id}/ratings"),
                &[
                    (&format!("rating_{hall}"), "8"),
                    (&format!("rating_{ten}"), "3"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(loc.as_deref(), Some(format!("/board/{id}#ranked").as_str()));
        let (_, page) = html.get(&format!("/board/{id}")).await;
        assert!(
            page.contains("open together once they have rated too"),
            "{b:?}"
        );
        // The board page lists the problem being worked on; a second one cannot be proposed.
        let (_, board) = html.get("/board").await;
        assert!(
            board.contains("Screens in the bedroom")
                && !board.contains("form method=\"post\" action=\"/board/problems\"")
        );
        let (s, body, _) = html.post("/board/problems", &[("title", "Money")]).await;
        assert_eq!(s, 409);
        assert!(body.contains("One at a time"), "{body}");
    }
}
