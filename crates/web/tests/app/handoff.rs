//! The counselor hand-off (issue 19 part 4) through the API and the pages, on
//! both databases: both choose, a change resets both approvals, a stale version
//! is refused, the final content prints and links; and nothing private, sealed,
//! safety-related or kept-private ever reaches the summary, the printable page,
//! the link page or the API.

use std::time::Duration;

use rekindle_testkit::{ApiPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

async fn ok(who: &ApiPerson, method: Method, path: &str, body: Value) -> Value {
    let (s, v) = who.send_json(method, path, body.clone()).await;
    assert!(s < 300, "{path} {body} → {s} {v}");
    v
}

const SENTINELS: [&str; 7] = [
    "ANA-FEEL",
    "SENTINEL-PRIVATE-ENTRY",
    "SENTINEL-SEALED-ANSWER",
    "SENTINEL-CHECKIN-WORDS",
    "ANA-PRIVATE-REFLECTION",
    "SENTINEL-IDEA-SEALED",
    "SENTINEL-APPRECIATION-DRAFT",
];

/// A couple with something of every kind: shared things to choose from, and a
/// sentinel in every private, sealed or safety place.
async fn couple_with_history(app: &TestApp) -> (ApiPerson, ApiPerson) {
    let (ana, ben) = couple(app).await;
    // Private things.
    ok(
        &ana,
        Method::POST,
        "/api/v1/journal",
        json!({"body": "SENTINEL-PRIVATE-ENTRY"}),
    )
    .await;
    ok(
        &ana,
        Method::POST,
        "/api/v1/appreciations",
        json!({"body": "Thank you SENTINEL-APPRECIATION-DRAFT"}),
    )
    .await;
    let q = ok(&ana, Method::POST, "/api/v1/decks/our-story/ask", json!({})).await;
    ok(
        &ana,
        Method::POST,
        &format!("/api/v1/questions/{}/answer", q["id"].as_str().unwrap()),
        json!({"body": "SENTINEL-SEALED-ANSWER"}),
    )
    .await;
    // The safety check: answers that add up to a distinctive total (4+4+4+5 = 17).
    let (s, v) = ana
        .send_json(
            Method::POST,
            "/api/v1/safety/check",
            json!({"answers": [4, 4, 4, 5]}),
        )
        .await;
    assert!(s < 300, "{v}");
    // A check-in: Ana keeps her numbers private (total 1), Ben shares his (total 14).
    let ck = ok(&ana, Method::POST, "/api/v1/checkins", json!({})).await;
    let ck = ck["id"].as_str().unwrap().to_owned();
    for (who, csi, private) in [(&ana, [0, 1, 0, 0], true), (&ben, [4, 4, 3, 3], false)] {
        ok(
            who,
            Method::POST,
            &format!("/api/v1/checkins/{ck}/submission"),
            json!({"csi": csi, "technoference": [1, 1, 1, 1], "hours_together": 9, "hours_device_free": 3,
                   "appreciation": "SENTINEL-CHECKIN-WORDS", "keep_private": private}),
        )
        .await;
    }
    // A topic on the board, with an idea still sealed.
    let p = ok(
        &ana,
        Method::POST,
        "/api/v1/board/problems",
        json!({"title": "Mornings are rushed"}),
    )
    .await;
    let problem = p["id"].as_str().unwrap().to_owned();
    ok(
        &ben,
        Method::POST,
        &format!("/api/v1/board/problems/{problem}/accept"),
        json!({}),
    )
    .await;
    ok(
        &ana,
        Method::POST,
        &format!("/api/v1/board/problems/{problem}/options"),
        json!({"body": "SENTINEL-IDEA-SEALED"}),
    )
    .await;
    // A talk: Ana's reflection private, Ben's shared.
    crate::departure::talk_over(&ana, &ben).await;
    (ana, ben)
}

fn keys(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn both_choose_a_change_resets_approvals_and_only_what_both_approved_goes_out() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple_with_history(&app).await;
        let h = ok(&ana, Method::GET, "/api/v1/handoff", json!({})).await;
        let items = keys(&h);
        assert!(items.contains(&"trends".to_owned()), "{b:?}: {h}");
        let topic = items
            .iter()
            .find(|k| k.starts_with("topic:"))
            .expect("a topic")
            .clone();
        let reflection = items
            .iter()
            .find(|k| k.starts_with("reflection:"))
            .expect("Ben's shared reflection")
            .clone();
        assert_eq!(
            items
                .iter()
                .filter(|k| k.starts_with("reflection:"))
                .count(),
            1,
            "{b:?}: Ana's private reflection is not offered"
        );
        assert_eq!(h["version"], 1);
        // Nothing to approve yet.
        let (s, _) = ana
            .send_json(
                Method::POST,
                "/api/v1/handoff/approve",
                json!({"version": 1}),
            )
            .await;
        assert_eq!(s, 409, "{b:?}");
        // Only offered items can be chosen.
        for bad in ["journal:x", "topic:not-ours", "trends:1", ""] {
            let (s, v) = ana
                .send_json(
                    Method::PUT,
                    "/api/v1/handoff/items",
                    json!({"item": bad, "chosen": true}),
                )
                .await;
            assert_eq!(s, 422, "{b:?} {bad}: {v}");
        }
        // Both choose.
        ok(
            &ana,
            Method::PUT,
            "/api/v1/handoff/items",
            json!({"item": "trends", "chosen": true}),
        )
        .await;
        ok(
            &ana,
            Method::PUT,
            "/api/v1/handoff/items",
            json!({"item": topic, "chosen": true}),
        )
        .await;
        let v = ok(
            &ben,
            Method::PUT,
            "/api/v1/handoff/items",
            json!({"item": reflection, "chosen": true}),
        )
        .await;
        let version = v["version"].as_i64().unwrap();
        assert_eq!(version, 4, "{b:?}: every change moves the version on");
        // Ana's private numbers are not in the chart; Ben's shared ones are.
        let series = &v["summary"]["trends"]["series"];
        let of = |name: &str| {
            series
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s[0] == name)
                .unwrap()[1]
                .clone()
        };
        assert_eq!(of("Ana"), json!([null]), "{b:?}: {series}");
        assert_eq!(of("Ben"), json!([14]), "{b:?}");
        // Ana approves; Ben changes a choice: both approvals are gone.
        let v = ok(
            &ana,
            Method::POST,
            "/api/v1/handoff/approve",
            json!({"version": version}),
        )
        .await;
        assert_eq!(
            (v["approved_by_me"].as_bool(), v["final"].as_bool()),
            (Some(true), Some(false)),
            "{b:?}"
        );
        let v = ok(
            &ben,
            Method::PUT,
            "/api/v1/handoff/items",
            json!({"item": "trends", "chosen": true}),
        )
        .await;
        let v2 = v["version"].as_i64().unwrap();
        assert_eq!(v2, version + 1, "{b:?}");
        assert_eq!(
            (
                v["approved_by_me"].as_bool(),
                v["approved_by_partner"].as_bool()
            ),
            (Some(false), Some(false))
        );
        // Approving the stale version: 409, and nothing changes.
        let (s, p) = ana
            .send_json(
                Method::POST,
                "/api/v1/handoff/approve",
                json!({"version": version}),
            )
            .await;
        assert_eq!(s, 409, "{b:?}: {p}");
        assert!(p["detail"].as_str().unwrap().contains("changed"), "{p}");
        let now = ok(&ana, Method::GET, "/api/v1/handoff", json!({})).await;
        assert_eq!(
            (now["version"].as_i64(), now["approved_by_me"].as_bool()),
            (Some(v2), Some(false))
        );
        // Not final: no print, no link.
        assert_eq!(ana.get_json("/api/v1/handoff/final").await.0, 409);
        assert_eq!(
            ana.send_json(Method::POST, "/api/v1/handoff/links", json!({}))
                .await
                .0,
            409
        );
        let html = app.html_person("ana@example.org").await;
        let (s, not_yet) = html.get("/handoff/print").await;
        assert_eq!(s, 200, "{b:?}");
        assert!(
            not_yet.contains("once you have both approved")
                && !not_yet.contains("Mornings are rushed"),
            "{b:?}"
        );
        // Both approve again: final.
        ok(
            &ana,
            Method::POST,
            "/api/v1/handoff/approve",
            json!({"version": v2}),
        )
        .await;
        let v = ok(
            &ben,
            Method::POST,
            "/api/v1/handoff/approve",
            json!({"version": v2}),
        )
        .await;
        assert_eq!(v["final"], true, "{b:?}: {v}");
        let fin = ok(&ben, Method::GET, "/api/v1/handoff/final", json!({})).await;
        assert_eq!(fin, v["summary"], "{b:?}: exactly what both approved");
        assert_eq!(fin["topics"][0]["title"], "Mornings are rushed");
        assert!(
            fin["reflections"][0]["understood"]
                .as_str()
                .unwrap()
                .contains("BEN-SHARED-REFLECTION"),
            "{fin}"
        );

        // The printable page and a link.
        let (s, print) = html.get("/handoff/print").await;
        assert_eq!(s, 200, "{b:?}");
        assert!(
            print.contains("Mornings are rushed") && print.contains("data-print"),
            "{b:?}"
        );
        let (s, link) = ana
            .send_json(Method::POST, "/api/v1/handoff/links", json!({"days": 15}))
            .await;
        assert_eq!(s, 422, "{b:?}: at most 14 days: {link}");
        let link = ok(&ana, Method::POST, "/api/v1/handoff/links", json!({})).await;
        let url = link["url"].as_str().unwrap().to_owned();
        let token = url.rsplit('/').next().unwrap().to_owned();
        assert!(token.len() >= 22, "{b:?}: at least 128 bits: {token}");
        let stored = app.db.dump_table("handoff_links").await;
        assert!(!stored.contains(&token), "{b:?}: only the digest is kept");
        let anon = app.client();
        let r = anon.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200, "{b:?}");
        assert_eq!(r.headers()["cache-control"], "no-store");
        assert!(
            r.headers()["x-robots-tag"]
                .to_str()
                .unwrap()
                .contains("noindex")
        );
        let shared = r.text().await.unwrap();
        assert!(
            shared.contains("Mornings are rushed") && shared.contains("BEN-SHARED-REFLECTION"),
            "{b:?}"
        );

        // Nothing private, sealed, safety-related or kept private anywhere it goes.
        let api_out = format!(
            "{}{}{}",
            ok(&ana, Method::GET, "/api/v1/handoff", json!({})).await,
            ok(&ben, Method::GET, "/api/v1/handoff", json!({})).await,
            fin
        );
        for (what, text) in [("print", &print), ("link", &shared), ("api", &api_out)] {
            for s in SENTINELS {
                assert!(!text.contains(s), "{b:?}: the {what} output holds {s}");
            }
            for s in ["HITS", "safety check", "\"total\":17", "17 out of"] {
                assert!(
                    !text.contains(s),
                    "{b:?}: the {what} output holds safety {s}"
                );
            }
        }

        // Either can revoke; a revoked link and an expired one answer 404.
        let id = link["id"].as_str().unwrap();
        let r = ben
            .req(Method::DELETE, &format!("/api/v1/handoff/links/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "{b:?}");
        let r = anon.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 404, "{b:?}: revoked");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let short = ok(
            &ben,
            Method::POST,
            "/api/v1/handoff/links",
            json!({"days": 2}),
        )
        .await;
        let short_url = short["url"].as_str().unwrap().to_owned();
        assert_eq!(anon.get(&short_url).send().await.unwrap().status(), 200);
        app.clock.advance(Duration::from_secs(2 * 24 * 3600 + 1));
        assert_eq!(
            anon.get(&short_url).send().await.unwrap().status(),
            404,
            "{b:?}: expired"
        );
        // A change after the end revokes what is out there and un-finalises it.
        let fresh = ok(&ben, Method::POST, "/api/v1/handoff/links", json!({})).await;
        let fresh_url = fresh["url"].as_str().unwrap().to_owned();
        ok(
            &ana,
            Method::PUT,
            "/api/v1/handoff/items",
            json!({"item": topic, "chosen": false}),
        )
        .await;
        assert_eq!(
            anon.get(&fresh_url).send().await.unwrap().status(),
            404,
            "{b:?}"
        );
        assert_eq!(ana.get_json("/api/v1/handoff/final").await.0, 409);

        // Leaving ends it: the summary belonged to the pair.
        let (s, _) = ben
            .send_json(Method::DELETE, "/api/v1/space", json!({}))
            .await;
        assert!(s < 300);
        assert!(app.db.dump_table("handoffs").await.is_empty(), "{b:?}");
        assert!(app.db.dump_table("handoff_items").await.is_empty(), "{b:?}");
    }
}
