//! The talk room through the API and its socket, on both databases: the server
//! enforces the floor, a socket resumes after a reconnect without loss or
//! duplicates, time-outs follow the (test-moved) clock, a deleted talk is gone
//! for both, and nobody outside the couple can read or join a talk.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rekindle_testkit::{ApiPerson, TestApp, backends, couple, csrf_in};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::export_text;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const MIN: u64 = 60;

pub(crate) async fn agree_rules(a: &ApiPerson, b: &ApiPerson) {
    let (s, v) = a
        .send_json(
            Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 0}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["version"], 1);
    let (s, v) = b
        .send_json(
            Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["accepted_by"].as_array().unwrap().len(), 2);
}

fn in_an_hour() -> i64 {
    chrono::Utc::now().timestamp_millis() + 3_600_000
}

pub(crate) async fn request(a: &ApiPerson, topic: &str) -> String {
    let (s, v) = a
        .send_json(
            Method::POST,
            "/api/v1/talks",
            json!({"topic": topic, "times": [in_an_hour()], "length_min": 30}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn cmd(who: &ApiPerson, id: &str, body: Value) -> (u16, Value) {
    who.send_json(Method::POST, &format!("/api/v1/talks/{id}/commands"), body)
        .await
}

pub(crate) async fn ok(who: &ApiPerson, id: &str, body: Value) -> Value {
    let (s, v) = cmd(who, id, body.clone()).await;
    assert_eq!(s, 200, "{body} → {v}");
    v
}

/// The problem type's last segment: the refusal's code.
pub(crate) async fn refused(who: &ApiPerson, id: &str, body: Value) -> String {
    let (s, v) = cmd(who, id, body.clone()).await;
    assert_eq!(s, 409, "{body} should be refused: {v}");
    v["type"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

async fn state_of(who: &ApiPerson, id: &str) -> Value {
    let (s, v) = who.get_json(&format!("/api/v1/talks/{id}")).await;
    assert_eq!(s, 200, "{v}");
    v
}

/// A live talk: rules agreed, asked by `a`, started by `b`, both pledged.
pub(crate) async fn live_talk(a: &ApiPerson, b: &ApiPerson) -> String {
    agree_rules(a, b).await;
    let id = request(a, "Sunday evenings").await;
    ok(b, &id, json!({"cmd": "start_now"})).await;
    ok(a, &id, json!({"cmd": "pledge"})).await;
    ok(b, &id, json!({"cmd": "pledge"})).await;
    id
}

async fn socket(app: &TestApp, who: &ApiPerson, id: &str, after: i64) -> Ws {
    let url = format!("ws://{}/talks/{id}/ws?after={after}", app.addr);
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {}", who.token).parse().unwrap(),
    );
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("socket opens");
    ws
}

async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a message in time")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(t) = msg {
            return serde_json::from_str(t.as_str()).unwrap();
        }
    }
}

/// Reads messages until a `state` at `seq`, returning the events seen on the way.
async fn events_until(ws: &mut Ws, seq: i64) -> Vec<Value> {
    let mut events = Vec::new();
    loop {
        let m = next_json(ws).await;
        match m["type"].as_str() {
            Some("event") => events.push(m),
            Some("state") if m["seq"].as_i64() == Some(seq) => return events,
            _ => {}
        }
    }
}

#[tokio::test]
async fn the_server_enforces_the_floor_paraphrase_and_confirmation() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        // No talk before both accepted the ground rules.
        let id = request(&ana, "Chores").await;
        ok(&ben, &id, json!({"cmd": "start_now"})).await;
        assert_eq!(
            refused(&ana, &id, json!({"cmd": "pledge"})).await,
            "rules_not_accepted"
        );
        agree_rules(&ana, &ben).await;
        ok(&ana, &id, json!({"cmd": "pledge"})).await;
        assert_eq!(state_of(&ana, &id).await["state"]["phase"], "arriving");
        ok(&ben, &id, json!({"cmd": "pledge"})).await;
        let st = state_of(&ana, &id).await["state"].clone();
        assert_eq!(
            (st["phase"].as_str(), st["you_hold_floor"].as_bool()),
            (Some("live"), Some(true))
        );

        assert_eq!(
            refused(&ben, &id, json!({"cmd": "statement", "text": "But you…"})).await,
            "floor_not_yours"
        );
        assert_eq!(
            refused(&ana, &id, json!({"cmd": "hand_over"})).await,
            "not_confirmed"
        );
        // A client cannot mark its own statement as soft.
        let v = ok(
            &ana,
            &id,
            json!({"cmd": "statement", "text": "You never listen to me.", "harsh": false}),
        )
        .await;
        assert_eq!(v["events"][0]["event"]["harsh"], true);
        ok(
            &ben,
            &id,
            json!({"cmd": "question", "text": "When did it feel like that?"}),
        )
        .await;
        ok(
            &ben,
            &id,
            json!({"cmd": "paraphrase", "text": "You think I never listen."}),
        )
        .await;
        assert_eq!(
            refused(&ana, &id, json!({"cmd": "hand_over"})).await,
            "not_confirmed"
        );
        ok(
            &ana,
            &id,
            json!({"cmd": "not_quite", "text": "I feel alone when the phone comes out at dinner."}),
        )
        .await;
        assert_eq!(
            refused(&ana, &id, json!({"cmd": "confirm"})).await,
            "no_paraphrase"
        );
        ok(&ben, &id, json!({"cmd": "paraphrase", "text": "You feel alone when I look at my phone at dinner."})).await;
        ok(&ana, &id, json!({"cmd": "confirm"})).await;
        ok(&ben, &id, json!({"cmd": "ask_floor"})).await;
        ok(&ana, &id, json!({"cmd": "grant_floor"})).await;
        let st = state_of(&ben, &id).await["state"].clone();
        assert_eq!(st["you_hold_floor"], true);
        assert!(
            st["allowed"]
                .as_array()
                .unwrap()
                .contains(&json!("statement"))
        );
        assert_eq!(
            refused(&ana, &id, json!({"cmd": "statement", "text": "Wait"})).await,
            "floor_not_yours"
        );
        let (s, _) = cmd(&ana, &id, json!({"cmd": "fly"})).await;
        assert_eq!(s, 400);
        let (s, _) = cmd(
            &ana,
            &id,
            json!({"cmd": "statement", "text": "x".repeat(3000)}),
        )
        .await;
        assert_eq!(s, 409);

        // Journey: step 3 has begun (Ben was heard), step 1 is done.
        let (_, j) = ana.get_json("/api/v1/journey").await;
        let steps = j
            .as_array()
            .cloned()
            .or_else(|| j["steps"].as_array().cloned())
            .unwrap();
        let progress = |slug: &str| {
            steps
                .iter()
                .find(|s| s["slug"] == slug)
                .map(|s| s["progress"].as_str().unwrap_or("").to_owned())
                .unwrap()
        };
        assert_eq!(progress("safe-space"), "done");
        assert_eq!(progress("listen"), "begun");
        assert_eq!(
            progress("i-language"),
            "begun",
            "Ana's only statement was harsh"
        );
    }
}

#[tokio::test]
async fn a_time_out_holds_until_both_are_back_after_the_minimum() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let id = live_talk(&ana, &ben).await;
        ok(
            &ana,
            &id,
            json!({"cmd": "statement", "text": "I miss our walks."}),
        )
        .await;
        let now = chrono::Utc::now().timestamp_millis();
        assert_eq!(
            refused(
                &ben,
                &id,
                json!({"cmd": "time_out", "minutes": 10, "return_at": now + 20 * 60_000})
            )
            .await,
            "timeout_too_short"
        );
        assert_eq!(
            refused(
                &ben,
                &id,
                json!({"cmd": "time_out", "minutes": 20, "return_at": now + 25 * 3_600_000})
            )
            .await,
            "return_too_late"
        );
        ok(
            &ben,
            &id,
            json!({"cmd": "time_out", "minutes": 20, "return_at": now + 3_600_000}),
        )
        .await;
        assert_eq!(state_of(&ana, &id).await["state"]["phase"], "time_out");
        // Ana cannot cancel it, nor talk on.
        assert_eq!(
            refused(&ana, &id, json!({"cmd": "statement", "text": "Come on"})).await,
            "timeout_running"
        );
        assert_eq!(
            refused(&ana, &id, json!({"cmd": "back"})).await,
            "minimum_not_over"
        );
        app.clock.advance(Duration::from_secs(19 * MIN));
        assert_eq!(
            refused(&ben, &id, json!({"cmd": "back"})).await,
            "minimum_not_over"
        );
        app.clock.advance(Duration::from_secs(MIN));
        ok(&ana, &id, json!({"cmd": "back"})).await;
        assert_eq!(state_of(&ana, &id).await["state"]["phase"], "time_out");
        ok(&ben, &id, json!({"cmd": "back"})).await;
        let st = state_of(&ben, &id).await["state"].clone();
        assert_eq!(st["phase"], "live");
        // It resumes where it was: Ben still owes a paraphrase of Ana's statement.
        assert!(
            st["allowed"]
                .as_array()
                .unwrap()
                .contains(&json!("paraphrase"))
        );
        // The couple may agree a longer minimum.
        let (s, v) = ana
            .send_json(
                Method::PUT,
                "/api/v1/talks/rules",
                json!({"rules": ["One at a time"], "min_time_out": 45}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let now = chrono::Utc::now().timestamp_millis() + 20 * 60_000;
        assert_eq!(
            refused(
                &ana,
                &id,
                json!({"cmd": "time_out", "minutes": 30, "return_at": now + 3_600_000})
            )
            .await,
            "timeout_too_short"
        );
    }
}

#[tokio::test]
async fn a_socket_resumes_after_a_reconnect_without_loss_or_duplicates() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let id = live_talk(&ana, &ben).await;
        let mut ws = socket(&app, &ben, &id, 0).await;
        let backlog = events_until(&mut ws, 8).await;
        let seqs: Vec<i64> = backlog.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
        // A command over the socket is checked by the same rules.
        ws.send(Message::text(
            json!({"ref": "r1", "cmd": "statement", "text": "Me first"}).to_string(),
        ))
        .await
        .unwrap();
        let m = next_json(&mut ws).await;
        assert_eq!(
            (m["type"].as_str(), m["ref"].as_str(), m["code"].as_str()),
            (Some("error"), Some("r1"), Some("floor_not_yours"))
        );
        ws.send(Message::text("not json")).await.unwrap();
        assert_eq!(next_json(&mut ws).await["code"], "bad_message");
        // Live: Ana speaks, Ben's socket hears it.
        ok(
            &ana,
            &id,
            json!({"cmd": "statement", "text": "I felt alone on Sunday."}),
        )
        .await;
        let ev = events_until(&mut ws, 9).await;
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0]["event"]["text"], "I felt alone on Sunday.");
        assert_eq!(ev[0]["mine"], false);
        ws.send(Message::text(
            json!({"ref": "r2", "cmd": "paraphrase", "text": "You felt alone on Sunday."})
                .to_string(),
        ))
        .await
        .unwrap();
        let mut acked = false;
        let mut seen = Vec::new();
        while !(acked && seen.contains(&10)) {
            let m = next_json(&mut ws).await;
            match m["type"].as_str() {
                Some("ack") => {
                    assert_eq!(m["seqs"], json!([10]));
                    acked = true;
                }
                Some("event") => seen.push(m["seq"].as_i64().unwrap()),
                _ => {}
            }
        }
        // Gone for a while; three more events happen meanwhile.
        drop(ws);
        ok(&ana, &id, json!({"cmd": "confirm"})).await;
        ok(
            &ana,
            &id,
            json!({"cmd": "statement", "text": "And I missed you."}),
        )
        .await;
        ok(
            &ben,
            &id,
            json!({"cmd": "paraphrase", "text": "You missed me."}),
        )
        .await;
        let mut ws = socket(&app, &ben, &id, 10).await;
        let missed = events_until(&mut ws, 13).await;
        let seqs: Vec<i64> = missed.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, vec![11, 12, 13]);
        ok(&ana, &id, json!({"cmd": "confirm"})).await;
        let next = events_until(&mut ws, 14).await;
        assert_eq!(
            next.iter()
                .map(|e| e["seq"].as_i64().unwrap())
                .collect::<Vec<_>>(),
            vec![14]
        );
    }
}

/// A live talk where `a` has made one statement, and `a`'s socket has seen it.
async fn statement_seen_live(
    app: &TestApp,
    a: &ApiPerson,
    b: &ApiPerson,
    text: &str,
) -> (String, Ws) {
    let id = live_talk(a, b).await;
    ok(a, &id, json!({"cmd": "statement", "text": text})).await;
    let seq = state_of(a, &id).await["state"]["seq"].as_i64().unwrap();
    let mut ws = socket(app, a, &id, 0).await;
    events_until(&mut ws, seq).await;
    (id, ws)
}

#[tokio::test]
async fn deleting_a_talk_removes_it_for_both_and_tells_their_sockets() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let (id, mut ws) = statement_seen_live(&app, &ana, &ben, "TALK-SECRET-91").await;
        let (s, _) = ben
            .send_json(Method::DELETE, &format!("/api/v1/talks/{id}"), json!({}))
            .await;
        assert_eq!(s, 204);
        assert_eq!(next_json(&mut ws).await["type"], "gone");
        assert_eq!(ana.get_json(&format!("/api/v1/talks/{id}")).await.0, 404);
        assert_eq!(ben.get_json(&format!("/api/v1/talks/{id}")).await.0, 404);
        assert_eq!(ana.get_json("/api/v1/talks").await.1, json!([]));
        for table in ["talks", "talk_events"] {
            assert!(
                !app.db.dump_table(table).await.contains("TALK-SECRET-91"),
                "{table}"
            );
        }
    }
}

#[tokio::test]
async fn a_partner_leaving_closes_a_talk_in_progress() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        // The server now holds the talk in memory; leaving must still close it.
        let (id, mut ws) = statement_seen_live(&app, &ana, &ben, "I miss our walks.").await;
        let (s, _) = ben
            .send_json(Method::DELETE, "/api/v1/space", json!({}))
            .await;
        assert_eq!(s, 204);
        let after_leaving = [
            cmd(
                &ben,
                &id,
                json!({"cmd": "paraphrase", "text": "LEFT-PARAPHRASE"}),
            )
            .await,
            cmd(
                &ana,
                &id,
                json!({"cmd": "statement", "text": "STAYED-STATEMENT"}),
            )
            .await,
        ];
        for (status, body) in after_leaving {
            assert_eq!(status, 404, "{body}");
        }
        let log = app.db.dump_table("talk_events").await;
        assert!(!log.contains("LEFT-PARAPHRASE") && !log.contains("STAYED-STATEMENT"));
        assert!(
            tokio::time::timeout(Duration::from_millis(300), ws.next())
                .await
                .is_err(),
            "nothing new reaches the socket"
        );
    }
}

#[tokio::test]
async fn reflections_stay_private_until_shared() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let id = live_talk(&ana, &ben).await;
        let path = format!("/api/v1/talks/{id}/reflection");
        let (s, _) = ana
            .send_json(Method::PUT, &path, json!({"understood": "x"}))
            .await;
        assert_eq!(s, 409, "only once the talk is over");
        ok(&ben, &id, json!({"cmd": "end"})).await;
        let (s, _) = ana.send_json(Method::PUT, &path, json!({})).await;
        assert_eq!(s, 422);
        let (s, _) = ana
            .send_json(
                Method::PUT,
                &path,
                json!({"understood": "REFLECT-PRIVATE-7", "feel_now": "calmer"}),
            )
            .await;
        assert_eq!(s, 204);
        assert!(
            !state_of(&ben, &id)
                .await
                .to_string()
                .contains("REFLECT-PRIVATE-7")
        );
        assert!(!export_text(&ben).await.contains("REFLECT-PRIVATE-7"));
        assert!(
            export_text(&ana).await.contains("REFLECT-PRIVATE-7"),
            "the author's export has it"
        );
        let (s, _) = ana
            .send_json(
                Method::PUT,
                &path,
                json!({"understood": "REFLECT-PRIVATE-7", "feel_now": "calmer", "shared": true}),
            )
            .await;
        assert_eq!(s, 204);
        let seen = state_of(&ben, &id).await;
        assert_eq!(seen["reflections"][0]["by"], "partner");
        assert_eq!(seen["reflections"][0]["understood"], "REFLECT-PRIVATE-7");
    }
}

/// A session cookie and its CSRF token, signed in through the form.
async fn cookie_session(app: &TestApp, email: &str) -> String {
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c.get(app.url("/signin")).send().await.unwrap();
    let pre = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rk_csrf="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .unwrap();
    let csrf = csrf_in(&r.text().await.unwrap()).unwrap();
    let r = c
        .post(app.url("/signin"))
        .header("cookie", &pre)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", email),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rk_session="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("session cookie")
}

async fn handshake(app: &TestApp, id: &str, headers: &[(&'static str, String)]) -> u16 {
    let mut req = format!("ws://{}/talks/{id}/ws", app.addr)
        .into_client_request()
        .unwrap();
    for (k, v) in headers {
        req.headers_mut().insert(*k, v.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok(_) => 101,
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => r.status().as_u16(),
        Err(e) => panic!("unexpected: {e}"),
    }
}

#[tokio::test]
async fn only_the_couple_may_open_a_talk_socket_and_only_from_this_site() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let id = live_talk(&ana, &ben).await;
        let olly = app.api_person("olly@example.org", "Olly").await;
        olly.send_json(Method::POST, "/api/v1/space", json!({}))
            .await;
        // Another couple's talk, and Olly's own.
        assert_eq!(
            handshake(
                &app,
                &id,
                &[("authorization", format!("Bearer {}", olly.token))]
            )
            .await,
            404
        );
        assert_eq!(olly.get_json(&format!("/api/v1/talks/{id}")).await.0, 404);
        assert_eq!(cmd(&olly, &id, json!({"cmd": "end"})).await.0, 404);
        assert_eq!(handshake(&app, &id, &[]).await, 401);
        assert_eq!(
            handshake(
                &app,
                "nope",
                &[("authorization", format!("Bearer {}", ana.token))]
            )
            .await,
            404
        );
        // With the cookie: only from this site's own pages.
        let cookie = cookie_session(&app, "ana@example.org").await;
        let here = format!("http://{}", app.addr);
        assert_eq!(
            handshake(&app, &id, &[("cookie", cookie.clone()), ("origin", here)]).await,
            101
        );
        assert_eq!(
            handshake(
                &app,
                &id,
                &[
                    ("cookie", cookie.clone()),
                    ("origin", "https://evil.example".into())
                ]
            )
            .await,
            403
        );
        assert_eq!(handshake(&app, &id, &[("cookie", cookie)]).await, 403);
        let olly_cookie = cookie_session(&app, "olly@example.org").await;
        let here = format!("http://{}", app.addr);
        assert_eq!(
            handshake(&app, &id, &[("cookie", olly_cookie), ("origin", here)]).await,
            404
        );
    }
}

#[tokio::test]
async fn the_room_works_with_plain_forms() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana_api, ben_api) = couple(&app).await;
        let ana = app.html_person("ana@example.org").await;
        let ben = app.html_person("ben@example.org").await;
        let (s, html) = ana.get("/talks").await;
        assert_eq!(s, 200);
        assert!(html.contains("ground rules"));
        let (s, html, _) = ana
            .post(
                "/talks",
                &[("topic", "KEEP-THIS-TOPIC"), ("time1", "not a time")],
            )
            .await;
        assert_eq!(s, 422);
        assert!(html.contains("KEEP-THIS-TOPIC"), "the input is kept");
        let soon = (chrono::Utc::now() + chrono::Duration::days(2))
            .format("%Y-%m-%dT19:30")
            .to_string();
        let (s, _, loc) = ana
            .post("/talks", &[("topic", "Weekends"), ("time1", soon.as_str())])
            .await;
        assert_eq!(s, 303);
        let room = loc.unwrap();
        let id = room.trim_start_matches("/talks/").to_owned();
        let (_, home) = ben.get("/").await;
        assert!(
            home.contains("Weekends"),
            "a requested talk shows on the partner's home"
        );
        let (s, html) = ben.get(&room).await;
        assert_eq!(s, 200);
        assert!(html.contains("start-now"));
        let act = format!("{room}/act");
        assert_eq!(ben.post(&act, &[("cmd", "start_now")]).await.0, 303);
        for p in [&ana, &ben] {
            let (_, html) = p.get("/talks/rules").await;
            assert!(html.contains("One of us speaks at a time"));
            let version = if html.contains("A starting point") {
                "0"
            } else {
                "1"
            };
            assert_eq!(
                p.post("/talks/rules/accept", &[("version", version)])
                    .await
                    .0,
                303
            );
        }
        assert_eq!(ana.post(&act, &[("cmd", "pledge")]).await.0, 303);
        assert_eq!(ben.post(&act, &[("cmd", "pledge")]).await.0, 303);
        let (s, html, _) = ben
            .post(&act, &[("cmd", "statement"), ("text", "KEEP-MY-WORDS")])
            .await;
        assert_eq!(s, 409);
        assert!(
            html.contains("Only the partner holding the floor"),
            "a clear reason"
        );
        assert_eq!(
            ana.post(
                &act,
                &[
                    ("cmd", "statement"),
                    ("text", "I would love a slow Saturday with you.")
                ]
            )
            .await
            .0,
            303
        );
        let (_, html) = ben.get(&format!("{room}?suggest=1")).await;
        assert!(html.contains("send-paraphrase"));
        assert_eq!(
            ben.post(
                &act,
                &[
                    ("cmd", "paraphrase"),
                    ("text", "You'd love a slow Saturday together.")
                ]
            )
            .await
            .0,
            303
        );
        assert_eq!(ana.post(&act, &[("cmd", "confirm")]).await.0, 303);
        assert_eq!(ana.post(&act, &[("cmd", "hand_over")]).await.0, 303);
        assert_eq!(
            ben.post(
                &act,
                &[
                    ("cmd", "time_out"),
                    ("minutes", "20"),
                    ("return_after", "60")
                ]
            )
            .await
            .0,
            303
        );
        let (_, html) = ana.get(&room).await;
        assert!(html.contains("pacer") && html.contains("min until the planned return"));
        app.clock.advance(Duration::from_secs(20 * MIN));
        assert_eq!(ana.post(&act, &[("cmd", "back")]).await.0, 303);
        assert_eq!(ben.post(&act, &[("cmd", "back")]).await.0, 303);
        assert_eq!(ana.post(&act, &[("cmd", "end")]).await.0, 303);
        assert_eq!(
            ben.post(
                &format!("{room}/reflection"),
                &[
                    ("understood", "She wants slow time."),
                    ("feel_now", "close"),
                    ("share", "1")
                ]
            )
            .await
            .0,
            303
        );
        let (_, html) = ana.get(&room).await;
        assert!(html.contains("She wants slow time."));
        assert_eq!(state_of(&ana_api, &id).await["state"]["phase"], "ended");
        let (s, _, _) = ana.post(&format!("{room}/delete"), &[]).await;
        assert_eq!(s, 303);
        assert_eq!(ben.get(&room).await.0, 404);
        let _ = ben_api;
    }
}
