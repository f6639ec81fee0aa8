//! Issue 19, parts 1 and 2, through the API, the pages and the socket, on both
//! databases: a talk held aloud goes by taps (turns and confirmations kept, never
//! words), with one "not quite" and one time-out; and the flooding check's numbers
//! stay with their author, searched for in everything the partner receives.

use std::time::Duration;

use futures_util::StreamExt;
use rekindle_testkit::{ApiPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::export_text;
use crate::talk::{agree_rules, ok, refused};

const MIN: u64 = 60;

/// An aloud talk asked for now by Ana, opened by her, both pledged.
async fn aloud_talk(a: &ApiPerson, b: &ApiPerson, mode: &str) -> String {
    agree_rules(a, b).await;
    let (s, v) = a
        .send_json(
            Method::POST,
            "/api/v1/talks",
            json!({"topic": "Evenings", "times": [], "mode": mode, "turn_min": 3}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    // Held aloud, the one who asked may open the room now; both still pledge.
    ok(a, &id, json!({"cmd": "start_now"})).await;
    ok(a, &id, json!({"cmd": "pledge"})).await;
    ok(b, &id, json!({"cmd": "pledge"})).await;
    id
}

#[tokio::test]
async fn a_talk_aloud_with_one_not_quite_and_one_time_out_keeps_no_words() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        // Bad input changes nothing.
        for bad in [
            json!({"times": [], "mode": "shouting"}),
            json!({"times": [], "mode": "two_phones", "turn_min": 7}),
            json!({"times": [], "turn_min": 3}),
            json!({"times": []}),
        ] {
            let (s, v) = ana
                .send_json(Method::POST, "/api/v1/talks", bad.clone())
                .await;
            assert!((400..500).contains(&s), "{b:?} {bad} → {s} {v}");
        }
        let (_, list) = ana.get_json("/api/v1/talks").await;
        assert_eq!(list.as_array().unwrap().len(), 0, "{b:?}");

        let id = aloud_talk(&ana, &ben, "two_phones").await;
        let (_, t) = ana.get_json(&format!("/api/v1/talks/{id}")).await;
        assert_eq!(
            (
                t["state"]["phase"].as_str(),
                t["state"]["mode"].as_str(),
                t["state"]["turn_min"].as_i64()
            ),
            (Some("live"), Some("two_phones"), Some(3)),
            "{b:?}"
        );
        assert_eq!(
            refused(
                &ana,
                &id,
                json!({"cmd": "statement", "text": "typed words"})
            )
            .await,
            "wrong_mode"
        );
        ok(&ana, &id, json!({"cmd": "spoke"})).await;
        ok(&ben, &id, json!({"cmd": "said_back"})).await;
        ok(
            &ana,
            &id,
            json!({"cmd": "not_quite", "text": "WORDS-NEVER-KEPT"}),
        )
        .await;
        ok(&ben, &id, json!({"cmd": "said_back"})).await;
        let v = ok(&ana, &id, json!({"cmd": "confirm"})).await;
        let kinds: Vec<_> = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"]["kind"].clone())
            .collect();
        assert_eq!(
            kinds,
            [json!("confirmed"), json!("floor_passed")],
            "{b:?}: that's it passes the floor"
        );
        let (_, t) = ben.get_json(&format!("/api/v1/talks/{id}")).await;
        assert_eq!(t["state"]["you_hold_floor"], true, "{b:?}");

        // Ben asks for a break; twenty minutes later both are back.
        let now = chrono::Utc::now().timestamp_millis();
        ok(
            &ben,
            &id,
            json!({"cmd": "time_out", "minutes": 20, "return_at": now + 30 * 60_000}),
        )
        .await;
        assert_eq!(
            refused(&ben, &id, json!({"cmd": "spoke"})).await,
            "timeout_running"
        );
        app.clock.advance(Duration::from_secs(20 * MIN));
        ok(&ana, &id, json!({"cmd": "back"})).await;
        ok(&ben, &id, json!({"cmd": "back"})).await;
        ok(&ben, &id, json!({"cmd": "spoke"})).await;
        ok(&ana, &id, json!({"cmd": "said_back"})).await;
        ok(&ben, &id, json!({"cmd": "confirm"})).await;
        ok(&ana, &id, json!({"cmd": "end"})).await;

        let (_, t) = ana.get_json(&format!("/api/v1/talks/{id}")).await;
        let kinds: Vec<String> = t["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"]["kind"].as_str().unwrap().to_owned())
            .filter(|k| {
                !["requested", "scheduled", "opened", "arrived", "pledged"].contains(&k.as_str())
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "began",
                "spoke",
                "said_back",
                "not_quite",
                "said_back",
                "confirmed",
                "floor_passed",
                "time_out",
                "back",
                "back",
                "resumed",
                "spoke",
                "said_back",
                "confirmed",
                "floor_passed",
                "ended"
            ],
            "{b:?}"
        );
        let log = app.db.dump_table("talk_events").await;
        assert!(
            !log.contains("WORDS-NEVER-KEPT"),
            "{b:?}: no words of a talk held aloud"
        );
        assert!(!export_text(&ana).await.contains("WORDS-NEVER-KEPT"));
    }
}

/// What a partner could ever learn a number from: anything written like a
/// flooding check (`"value": 9`, `9 out of 10`, `9/10`), or its place
/// (`"moment": "before"`, `floor-1`) or the private break suggestion.
fn leaks(text: &str, value: i64) -> Vec<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut found = Vec::new();
    for needle in [
        format!("\"value\":{value}"),
        format!("{value}outof10"),
        format!("{value}/10"),
        format!("\"calm\":{value}"),
        "\"moment\":".to_owned(),
        "floor-1".to_owned(),
        "\"suggest_break\":true".to_owned(),
        "Yourbodymayneedabreak".to_owned(),
        "Yourowncheck".to_owned(),
    ] {
        if compact.contains(&needle) {
            found.push(needle);
        }
    }
    found
}

const SENTINEL: i64 = 9;

#[tokio::test]
async fn flooding_numbers_never_reach_the_partner() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let mut notices = app.db.repo.listen_talks().await.unwrap();
        agree_rules(&ana, &ben).await;
        let (s, v) = ana
            .send_json(
                Method::POST,
                "/api/v1/talks",
                json!({"topic": "Money", "times": [], "mode": "two_phones"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_str().unwrap().to_owned();

        // Not before the room opens; nothing outside 0–10, ever.
        let (s, _) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/talks/{id}/calm"),
                json!({"value": 3}),
            )
            .await;
        assert_eq!(s, 409, "{b:?}");
        ok(&ana, &id, json!({"cmd": "start_now"})).await;

        // Ben's socket is open while Ana gives her number.
        let url = format!("ws://{}/talks/{id}/ws?after=0", app.addr);
        let mut req = url.into_client_request().unwrap();
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {}", ben.token).parse().unwrap(),
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();

        for bad in [
            json!({"value": 11}),
            json!({"value": -1}),
            json!({"value": "9"}),
        ] {
            let (s, v) = ana
                .send_json(
                    Method::POST,
                    &format!("/api/v1/talks/{id}/calm"),
                    bad.clone(),
                )
                .await;
            assert!((400..500).contains(&s), "{b:?} {bad} → {s} {v}");
        }
        let (_, v) = ana.get_json(&format!("/api/v1/talks/{id}/calm")).await;
        assert_eq!(v["readings"], json!([]), "{b:?}: bad input changed nothing");
        assert_eq!(v["asked_now"], true, "{b:?}: asked once at the start");
        let (s, v) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/talks/{id}/calm"),
                json!({"value": SENTINEL}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            v["suggest_break"], true,
            "{b:?}: 9 is at or above the default 7"
        );
        assert_eq!(v["readings"][0]["value"], SENTINEL);
        // Her threshold is hers: at 10, 9 suggests nothing.
        let (s, _) = ana
            .send_json(
                Method::PUT,
                "/api/v1/talks/calm-threshold",
                json!({"threshold": 0}),
            )
            .await;
        assert_eq!(s, 422, "{b:?}");
        let (s, _) = ana
            .send_json(
                Method::PUT,
                "/api/v1/talks/calm-threshold",
                json!({"threshold": 10}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, v) = ana.get_json(&format!("/api/v1/talks/{id}/calm")).await;
        assert_eq!(
            (v["suggest_break"].as_bool(), v["threshold"].as_i64()),
            (Some(false), Some(10))
        );
        let (_, v) = ana
            .send_json(
                Method::PUT,
                "/api/v1/talks/calm-threshold",
                json!({"threshold": 7}),
            )
            .await;
        assert_eq!(v["threshold"], 7);

        ok(&ana, &id, json!({"cmd": "pledge"})).await;
        ok(&ben, &id, json!({"cmd": "pledge"})).await;
        // Ana takes the suggested break; Ben learns only that a break was asked for.
        let now = chrono::Utc::now().timestamp_millis();
        ok(
            &ana,
            &id,
            json!({"cmd": "time_out", "minutes": 20, "return_at": now + 20 * 60_000}),
        )
        .await;
        app.clock.advance(Duration::from_secs(20 * MIN));
        ok(&ana, &id, json!({"cmd": "back"})).await;
        ok(&ben, &id, json!({"cmd": "back"})).await;
        ok(&ana, &id, json!({"cmd": "spoke"})).await;
        ok(&ben, &id, json!({"cmd": "said_back"})).await;
        ok(&ana, &id, json!({"cmd": "confirm"})).await;
        let (s, _) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/talks/{id}/calm"),
                json!({"value": SENTINEL}),
            )
            .await;
        assert_eq!(s, 200);
        ok(&ben, &id, json!({"cmd": "end"})).await;
        let (_, v) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/talks/{id}/calm"),
                json!({"value": 2}),
            )
            .await;
        assert_eq!(
            (v["before"].as_i64(), v["after"].as_i64()),
            (Some(SENTINEL), Some(2)),
            "{b:?}"
        );

        // Ana sees her own numbers on her page (so the search below could find them).
        let ana_page = app.html_person("ana@example.org").await;
        let (_, own) = ana_page.get(&format!("/talks/{id}")).await;
        assert!(
            leaks(&own, SENTINEL).contains(&format!("{SENTINEL}outof10")),
            "{b:?}: Ana sees her before and after"
        );
        let ben_page = app.html_person("ben@example.org").await;
        let mut partner_html = String::new();
        for path in [format!("/talks/{id}"), "/talks".to_owned(), "/".to_owned()] {
            let (s, page) = ben_page.get(&path).await;
            assert_eq!(s, 200, "{b:?} {path}");
            partner_html.push_str(&page);
        }
        assert!(
            partner_html.contains("asked for a break"),
            "{b:?}: Ben sees that a break was asked for"
        );

        // Everything Ben receives: page, API, his own calm endpoint, socket, export.
        let (_, api) = ben.get_json(&format!("/api/v1/talks/{id}")).await;
        let (_, his) = ben.get_json(&format!("/api/v1/talks/{id}/calm")).await;
        assert_eq!(his["readings"], json!([]), "{b:?}: Ben's own checks only");
        let mut frames = String::new();
        while let Ok(Some(Ok(m))) =
            tokio::time::timeout(Duration::from_millis(500), ws.next()).await
        {
            if let Message::Text(t) = m {
                frames.push_str(t.as_str());
            }
        }
        assert!(
            frames.contains("\"ended\""),
            "{b:?}: the socket did deliver the talk"
        );
        let export = export_text(&ben).await;
        let mut bus = String::new();
        if let Some(n) = notices.as_mut() {
            while let Ok(Ok(Some(p))) =
                tokio::time::timeout(Duration::from_millis(300), n.recv()).await
            {
                bus.push_str(&p);
                bus.push('\n');
            }
            assert!(
                bus.contains(&id),
                "{b:?}: NOTIFY did carry the talk's changes"
            );
        }
        let push = app.db.dump_table("push_outbox").await;
        for (what, text) in [
            ("page", partner_html.as_str()),
            ("api", &api.to_string()),
            ("calm api", &his.to_string()),
            ("socket", &frames),
            ("export", &export),
            ("NOTIFY", &bus),
            ("push outbox", &push),
        ] {
            assert_eq!(
                leaks(text, SENTINEL),
                Vec::<String>::new(),
                "{b:?}: {what} leaks Ana's number"
            );
        }
        // …while Ana's own export holds them.
        let own_export = export_text(&ana).await;
        assert!(
            !leaks(&own_export, SENTINEL).is_empty(),
            "{b:?}: Ana's export holds her checks"
        );
    }
}

const PRIVATE_NOTE: &str = "PRIVATE-NOTE-come back to the money part";
const SHARED_NOTE: &str = "SHARED-NOTE-I felt heard about Sundays";

/// Issue 19, part 1: optional one-line notes. Private to their author unless
/// shared; one line, 140 characters, only while a talk held aloud runs; only
/// the author shares. A private note never reaches the partner (page, API,
/// socket, NOTIFY, push, export); a shared one reaches them live and stays in
/// the talk's history.
#[tokio::test]
async fn a_note_stays_with_its_author_until_they_share_it() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let mut notices = app.db.repo.listen_talks().await.unwrap();
        // Before the talk runs there is nothing to note.
        agree_rules(&ana, &ben).await;
        let (_, v) = ana
            .send_json(
                Method::POST,
                "/api/v1/talks",
                json!({"topic": "Evenings", "times": [], "mode": "two_phones"}),
            )
            .await;
        let id = v["id"].as_str().unwrap().to_owned();
        let notes = format!("/api/v1/talks/{id}/notes");
        let (s, v) = ana
            .send_json(Method::POST, &notes, json!({"text": "too early"}))
            .await;
        assert_eq!(s, 409, "{b:?}: {v}");
        assert!(
            v["type"].as_str().unwrap().ends_with("/not_in_phase"),
            "{v}"
        );
        ok(&ana, &id, json!({"cmd": "start_now"})).await;
        ok(&ana, &id, json!({"cmd": "pledge"})).await;
        ok(&ben, &id, json!({"cmd": "pledge"})).await;

        // Ben's phone listens on the socket.
        let url = format!("ws://{}/talks/{id}/ws?after=0", app.addr);
        let mut req = url.into_client_request().unwrap();
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {}", ben.token).parse().unwrap(),
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();

        // Bad input: a clear 4xx with problem details, nothing kept.
        for bad in [
            json!({"text": "   "}),
            json!({"text": "one line\nand another"}),
            json!({"text": "x".repeat(141)}),
            json!({"text": 7}),
            json!({}),
        ] {
            let r = ana
                .req(Method::POST, &notes)
                .json(&bad)
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
            assert!((400..500).contains(&s), "{b:?} {bad} → {s}");
            assert_eq!(ct, "application/problem+json", "{b:?} {bad}");
        }
        let (_, mine) = ana.get_json(&notes).await;
        assert_eq!(mine, json!([]), "{b:?}: bad input kept nothing");

        // Ana jots two notes while Ben speaks; she shares the second.
        let (s, private) = ana
            .send_json(Method::POST, &notes, json!({"text": PRIVATE_NOTE}))
            .await;
        assert_eq!(s, 201, "{b:?}: {private}");
        assert_eq!(private["shared"], false);
        let (s, shared) = ana
            .send_json(
                Method::POST,
                &notes,
                json!({"text": format!("  {SHARED_NOTE}  ")}),
            )
            .await;
        assert_eq!(s, 201, "{b:?}: {shared}");
        assert_eq!(shared["text"], SHARED_NOTE, "{b:?}: trimmed");
        let share = |n: &Value| format!("{notes}/{}/share", n["id"].as_str().unwrap());
        // Only the author shares: Ben cannot share (or find) Ana's note.
        let (s, _) = ben
            .send_json(Method::POST, &share(&private), json!({}))
            .await;
        assert_eq!(s, 404, "{b:?}");
        let (_, his) = ben.get_json(&notes).await;
        assert_eq!(his, json!([]), "{b:?}: Ben sees none of Ana's notes");
        let (s, v) = ana
            .send_json(Method::POST, &share(&shared), json!({}))
            .await;
        assert_eq!(s, 200, "{b:?}: {v}");
        assert_eq!(v["shared"], true);
        let (s, v) = ana
            .send_json(Method::POST, &share(&shared), json!({}))
            .await;
        assert_eq!(s, 409, "{b:?}: shared once: {v}");
        let (_, mine) = ana.get_json(&notes).await;
        assert_eq!(
            mine.as_array()
                .unwrap()
                .iter()
                .map(|n| (n["text"].as_str().unwrap(), n["shared"].as_bool().unwrap()))
                .collect::<Vec<_>>(),
            [(PRIVATE_NOTE, false), (SHARED_NOTE, true)],
            "{b:?}"
        );

        // Ben sees the shared note live on the socket and in the talk's history.
        let mut frames = String::new();
        while let Ok(Some(Ok(m))) =
            tokio::time::timeout(Duration::from_millis(500), ws.next()).await
        {
            if let Message::Text(t) = m {
                frames.push_str(t.as_str());
                frames.push('\n');
            }
        }
        assert!(
            frames.contains("\"note_shared\"") && frames.contains(SHARED_NOTE),
            "{b:?}: the shared note arrives live: {frames}"
        );
        let (_, api) = ben.get_json(&format!("/api/v1/talks/{id}")).await;
        assert!(api.to_string().contains(SHARED_NOTE), "{b:?}");
        let ben_page = app.html_person("ben@example.org").await;
        let (_, page) = ben_page.get(&format!("/talks/{id}")).await;
        assert!(page.contains(SHARED_NOTE), "{b:?}: in Ben's history");
        // Ana's page lists both as hers, the private one marked as such.
        let ana_page = app.html_person("ana@example.org").await;
        let (_, own) = ana_page.get(&format!("/talks/{id}")).await;
        assert!(
            own.contains(PRIVATE_NOTE) && own.contains(SHARED_NOTE),
            "{b:?}"
        );

        // The talk ends: no more notes; Ana keeps hers.
        ok(&ben, &id, json!({"cmd": "end"})).await;
        let (s, _) = ana
            .send_json(Method::POST, &notes, json!({"text": "after"}))
            .await;
        assert_eq!(s, 409, "{b:?}");
        let (s, _) = ana
            .send_json(Method::POST, &share(&private), json!({}))
            .await;
        assert_eq!(
            s, 409,
            "{b:?}: the private one stays private after the talk"
        );

        // Everything Ben receives holds the shared note and never the private one.
        let (_, api) = ben.get_json(&format!("/api/v1/talks/{id}")).await;
        let (_, page) = ben_page.get(&format!("/talks/{id}")).await;
        let (_, list) = ben_page.get("/talks").await;
        let (_, home) = ben_page.get("/").await;
        let export = export_text(&ben).await;
        let mut bus = String::new();
        if let Some(n) = notices.as_mut() {
            while let Ok(Ok(Some(p))) =
                tokio::time::timeout(Duration::from_millis(300), n.recv()).await
            {
                bus.push_str(&p);
                bus.push('\n');
            }
            assert!(bus.contains(&id), "{b:?}: NOTIFY did carry the talk");
        }
        let push = app.db.dump_table("push_outbox").await;
        assert!(
            export.contains(SHARED_NOTE),
            "{b:?}: in Ben's export, shared"
        );
        for (what, text) in [
            ("page", format!("{page}{list}{home}")),
            ("api", api.to_string()),
            ("socket", frames),
            ("export", export),
            ("NOTIFY", bus),
            ("push outbox", push),
        ] {
            assert!(
                !text.contains("PRIVATE-NOTE"),
                "{b:?}: {what} leaks Ana's private note"
            );
        }
        // Ana's own export holds both, marked.
        let own = export_text(&ana).await;
        assert!(
            own.contains(PRIVATE_NOTE) && own.contains("\"my_notes\""),
            "{b:?}"
        );
    }
}

/// On pages without JavaScript: a note is kept with PRG, bad input gets an
/// inline error (422) and keeps nothing; a typed talk has no notes.
#[tokio::test]
async fn notes_on_the_page_work_without_javascript() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let id = aloud_talk(&ana, &ben, "two_phones").await;
        let page = app.html_person("ana@example.org").await;
        let (_, room) = page.get(&format!("/talks/{id}")).await;
        assert!(room.contains("id=\"note-text\""), "{b:?}: the note form");
        let (s, body, _) = page
            .post(&format!("/talks/{id}/notes"), &[("text", "two\nlines")])
            .await;
        assert_eq!(s, 422, "{b:?}");
        assert!(body.contains("A note is one line"), "{b:?}: inline error");
        let (s, _, to) = page
            .post(&format!("/talks/{id}/notes"), &[("text", "PAGE-NOTE")])
            .await;
        assert_eq!((s, to), (303, Some(format!("/talks/{id}#notes"))), "{b:?}");
        let (_, mine) = ana.get_json(&format!("/api/v1/talks/{id}/notes")).await;
        assert_eq!(
            mine.as_array().unwrap().len(),
            1,
            "{b:?}: one kept, not two"
        );
        let note = mine[0]["id"].as_str().unwrap().to_owned();
        // Ben's page offers nothing to share of Ana's, and cannot share it.
        let ben_page = app.html_person("ben@example.org").await;
        let (_, his) = ben_page.get(&format!("/talks/{id}")).await;
        assert!(!his.contains("PAGE-NOTE") && !his.contains(&note), "{b:?}");
        let (s, _, _) = ben_page
            .post(&format!("/talks/{id}/notes/{note}/share"), &[])
            .await;
        assert_eq!(s, 404, "{b:?}");
        let (s, _, _) = page
            .post(&format!("/talks/{id}/notes/{note}/share"), &[])
            .await;
        assert_eq!(s, 303, "{b:?}");
        let (_, his) = ben_page.get(&format!("/talks/{id}")).await;
        assert!(his.contains("PAGE-NOTE"), "{b:?}: shared");
    }
}
