//! Question decks through the API on both databases: the sealed rule holds on
//! every route that returns question content, reveal happens for both at once,
//! passing is free, the week mixes light and deep questions, and each person's
//! deck choices take a deck out for the couple without saying who.

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
        // Home shows the question to each: answered for Ana, still to answer for Ben.
        for (who, answered) in [("ana@example.org", true), ("ben@example.org", false)] {
            let (_, home) = app.html_person(who).await.get("/").await;
            let card = home
                .split("class=\"card home-question\"")
                .nth(1)
                .unwrap_or_else(|| panic!("{b:?}: no question card for {who}: {home}"));
            let card = card.split("</section>").next().unwrap();
            assert!(
                card.contains(&format!("href=\"/questions/{id}\"")),
                "{b:?}: {card}"
            );
            assert_eq!(
                card.contains("You have answered."),
                answered,
                "{b:?} {who}: {card}"
            );
        }

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
            for k in ["id", "question_id", "text", "follow_up", "released_at"] {
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
async fn the_day_brings_a_question_and_the_week_mixes_light_and_deep() {
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
        let id = t1["id"].as_str().unwrap().to_owned();
        for (who, body) in [(&ana, "a"), (&ben, "b")] {
            who.send_json(
                Method::POST,
                &format!("/api/v1/questions/{id}/answer"),
                json!({ "body": body }),
            )
            .await;
        }
        // A light start, then a week that mixes depths: deep once, then light again.
        let mut depths = vec![t1["depth"].as_u64().unwrap()];
        let mut themes = vec![t1["deck"].as_str().unwrap().to_owned()];
        for _ in 0..7 {
            let (s, next) = ana
                .send_json(
                    Method::POST,
                    "/api/v1/decks/hopes-and-dreams/ask",
                    json!({}),
                )
                .await;
            assert_eq!(s, 201);
            assert!(!next["follow_up"].as_str().unwrap().is_empty());
            depths.push(next["depth"].as_u64().unwrap());
            themes.push(next["deck"].as_str().unwrap().to_owned());
        }
        assert_eq!(depths, [1, 1, 1, 1, 2, 1, 3, 1]);
        assert!(themes[1..].iter().all(|t| t == "hopes-and-dreams"));
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

#[tokio::test]
async fn a_deck_off_for_either_partner_is_off_for_the_two_without_saying_who() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let deck = |all: &Value, slug: &str| {
            all.as_array()
                .unwrap()
                .iter()
                .find(|d| d["slug"] == slug)
                .cloned()
                .unwrap_or_else(|| panic!("deck {slug}"))
        };
        let (s, all) = ana.get_json("/api/v1/decks").await;
        assert_eq!(s, 200);
        assert_eq!(all.as_array().unwrap().len(), 15);
        let total: u64 = all
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["questions_per_depth"].as_array().unwrap().clone())
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert!(total >= 1_000, "{total} questions");
        for slug in ["affection", "hard-seasons", "faith-and-meaning"] {
            let d = deck(&all, slug);
            assert_eq!(d["starts_off"], true);
            assert_eq!(
                (d["on_for_me"].clone(), d["on_for_us"].clone()),
                (json!(false), json!(false))
            );
        }
        assert_eq!(deck(&all, "intimacy")["on_for_us"], true);
        assert_eq!(deck(&all, "play")["on_for_us"], true);

        // Ana switches intimacy off for herself: it is off for the two of them.
        let (s, d) = ana
            .send_json(
                Method::PUT,
                "/api/v1/decks/intimacy/choice",
                json!({"on": false}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(
            (d["on_for_me"].clone(), d["on_for_us"].clone()),
            (json!(false), json!(false))
        );
        let (_, ben_all) = ben.get_json("/api/v1/decks").await;
        let bd = deck(&ben_all, "intimacy");
        assert_eq!(
            (bd["on_for_me"].clone(), bd["on_for_us"].clone()),
            (json!(true), json!(false))
        );
        // Ben's view of intimacy is exactly his view of an opt-in deck he
        // switched on that Ana never did: nothing says who switched it off.
        let (_, aff) = ben
            .send_json(
                Method::PUT,
                "/api/v1/decks/affection/choice",
                json!({"on": true}),
            )
            .await;
        let keys = |v: &Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(&aff), keys(&bd));
        assert_eq!(
            (aff["on_for_me"].clone(), aff["on_for_us"].clone()),
            (json!(true), json!(false))
        );
        let (s, refused) = ben
            .send_json(Method::POST, "/api/v1/decks/intimacy/ask", json!({}))
            .await;
        assert_eq!(s, 409);
        assert!(
            refused["detail"]
                .as_str()
                .unwrap()
                .contains("off for you two")
        );
        assert!(!refused.to_string().contains("Ana"));
        assert_eq!(
            ben.send_json(Method::POST, "/api/v1/decks/affection/ask", json!({}))
                .await
                .0,
            409
        );
        // Once both switched the opt-in deck on, it is asked.
        let (_, on) = ana
            .send_json(
                Method::PUT,
                "/api/v1/decks/affection/choice",
                json!({"on": true}),
            )
            .await;
        assert_eq!(on["on_for_us"], true);
        let (s, q) = ben
            .send_json(Method::POST, "/api/v1/decks/affection/ask", json!({}))
            .await;
        assert_eq!(s, 201);
        assert_eq!(q["deck"], "affection");

        // Bad input: a clear 4xx that changes nothing.
        for (path, body, status) in [
            (
                "/api/v1/decks/no-such-deck/choice",
                json!({"on": true}),
                404,
            ),
            ("/api/v1/decks/intimacy/choice", json!({"on": "yes"}), 400),
            ("/api/v1/decks/intimacy/choice", json!({}), 400),
            (
                "/api/v1/decks/intimacy/choice",
                json!({"on": true, "who": "me"}),
                422,
            ),
        ] {
            let (s, p) = ana.send_json(Method::PUT, path, body).await;
            assert_eq!(s, status, "{path}: {p}");
            assert!(p["title"].is_string(), "problem details: {p}");
        }
        let (_, after) = ana.get_json("/api/v1/decks").await;
        assert_eq!(deck(&after, "intimacy")["on_for_me"], false);
        assert_eq!(after.as_array().unwrap().len(), 15);
        // Switching back on brings the deck back for both.
        ana.send_json(
            Method::PUT,
            "/api/v1/decks/intimacy/choice",
            json!({"on": true}),
        )
        .await;
        let (_, ben_all) = ben.get_json("/api/v1/decks").await;
        assert_eq!(deck(&ben_all, "intimacy")["on_for_us"], true);
    }
}

#[tokio::test]
async fn the_decks_page_switches_a_deck_with_a_plain_form() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (_ana, _ben) = couple(&app).await;
        let ana = app.html_person("ana@example.org").await;
        let ben = app.html_person("ben@example.org").await;
        let (s, page) = ana.get("/questions/decks").await;
        assert_eq!(s, 200);
        assert!(page.contains("Hard seasons") && page.contains("Play"));
        let (s, _, to) = ana
            .post("/questions/decks/family-and-roots/choice", &[("on", "off")])
            .await;
        assert_eq!(s, 303);
        assert!(to.unwrap_or_default().starts_with("/questions/decks"));
        let (_, mine) = ana.get("/questions/decks").await;
        let card = |html: &str, slug: &str| {
            let from = html.find(&format!("id=\"deck-{slug}\"")).unwrap();
            let to = html[from..].find("</li>").unwrap();
            html[from..from + to].to_owned()
        };
        assert!(card(&mine, "family-and-roots").contains("Off for you<"));
        assert!(card(&mine, "family-and-roots").contains("Switch on for me"));
        let (_, theirs) = ben.get("/questions/decks").await;
        let c = card(&theirs, "family-and-roots");
        assert!(c.contains("Off for you two"), "{c}");
        assert!(!c.contains("Ask one now"));
        assert!(!c.contains("Ana"));
        // A bad value: the page again with a message, nothing changed.
        let (s, again, _) = ben
            .post("/questions/decks/play/choice", &[("on", "maybe")])
            .await;
        assert_eq!(s, 422);
        assert!(again.contains("Choose on or off."));
        let (_, theirs) = ben.get("/questions/decks").await;
        assert!(card(&theirs, "play").contains(">On<"));
        let (s, _, _) = ben
            .post("/questions/decks/no-such-deck/choice", &[("on", "off")])
            .await;
        assert_eq!(s, 404);
    }
}

/// The next page's address from a `Link` header, if there is one.
fn next_page(r: &reqwest::Response) -> Option<String> {
    let link = r.headers().get("link")?.to_str().ok()?;
    let (target, rel) = link.split_once(';')?;
    assert_eq!(rel.trim(), "rel=\"next\"", "{link}");
    Some(
        target
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_owned(),
    )
}

/// Follows `Link: rel="next"` from `first`; every page's items, page by page.
async fn walk(who: &ApiPerson, first: &str) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut at = Some(first.to_owned());
    while let Some(path) = at {
        let r = who.req(Method::GET, &path).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        at = next_page(&r);
        let page: Value = r.json().await.unwrap();
        pages.push(page.as_array().unwrap().clone());
        assert!(pages.len() < 20, "the pages do not end");
    }
    pages
}

#[tokio::test]
async fn the_history_comes_in_pages_that_keep_the_filters_and_the_seal() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let mut asked = Vec::new();
        for n in 0..5 {
            let (s, q) = ana
                .send_json(Method::POST, "/api/v1/decks/our-story/ask", json!({}))
                .await;
            assert_eq!(s, 201, "{b:?}: {q}");
            let id = q["id"].as_str().unwrap().to_owned();
            let (s, _) = ana
                .send_json(
                    Method::POST,
                    &format!("/api/v1/questions/{id}/answer"),
                    json!({"body": format!("{ANA_SECRET} {n}")}),
                )
                .await;
            assert_eq!(s, 200);
            asked.push(id);
        }
        let ids = |pages: &[Vec<Value>]| -> Vec<String> {
            pages
                .iter()
                .flatten()
                .map(|q| q["id"].as_str().unwrap().to_owned())
                .collect()
        };
        // One page of everything gives the order; pages of two give the same
        // questions in the same order, each once, and the last has no next.
        let (_, all) = ana.get_json("/api/v1/questions").await;
        let everything: Vec<String> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(everything.len(), 5, "{b:?}");
        let mut sorted = everything.clone();
        sorted.sort();
        asked.sort();
        assert_eq!(sorted, asked, "{b:?}");
        let pages = walk(&ana, "/api/v1/questions?limit=2").await;
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            [2, 2, 1],
            "{b:?}"
        );
        assert_eq!(ids(&pages), everything, "{b:?}");
        for page in &pages {
            for q in page {
                assert!(
                    q["my_answer"].as_str().unwrap().starts_with(ANA_SECRET),
                    "{b:?}: each page carries its answers: {q}"
                );
            }
        }
        let exact = walk(&ana, "/api/v1/questions?limit=5").await;
        assert_eq!(exact.len(), 1, "{b:?}: no next page when nothing follows");
        // A search and a deck stay on every page's next address.
        let found = walk(&ana, &format!("/api/v1/questions?q={ANA_SECRET}&limit=2")).await;
        assert_eq!(ids(&found), everything, "{b:?}");
        let in_deck = walk(&ana, "/api/v1/questions?deck=our-story&limit=3").await;
        assert_eq!(ids(&in_deck), everything, "{b:?}");
        assert_eq!(
            walk(&ana, "/api/v1/questions?deck=no-such-deck&limit=3").await,
            [Vec::<Value>::new()],
            "{b:?}"
        );

        // Ben has answered none: his pages list the questions, never Ana's text.
        let bens = walk(&ben, "/api/v1/questions?limit=2").await;
        assert_eq!(ids(&bens), everything, "{b:?}");
        let seen = serde_json::to_string(&bens).unwrap();
        assert!(!seen.contains(ANA_SECRET), "{b:?}: {seen}");
        assert_eq!(
            walk(&ben, &format!("/api/v1/questions?q={ANA_SECRET}&limit=2")).await,
            [Vec::<Value>::new()],
            "{b:?}: search does not look inside sealed answers"
        );

        // Bad paging is a problem, not a page.
        for path in [
            "/api/v1/questions?limit=0".to_owned(),
            "/api/v1/questions?limit=201".to_owned(),
            "/api/v1/questions?limit=-1".to_owned(),
            "/api/v1/questions?before=no-such-question".to_owned(),
            // Another person's question is no cursor for Ben's history either.
            format!("/api/v1/questions?before={}", "x".repeat(40)),
        ] {
            let r = ben.req(Method::GET, &path).send().await.unwrap();
            let status = r.status().as_u16();
            assert!(status == 400 || status == 422, "{b:?} {path}: {status}");
            assert_eq!(
                r.headers()["content-type"],
                "application/problem+json",
                "{b:?} {path}"
            );
        }
    }
}
