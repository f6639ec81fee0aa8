//! Issue 19, part 1: a talk held aloud on two phones whose browsers reach two
//! different `rekindle serve` processes over one PostgreSQL database. Ana's
//! phone talks to server one, Ben's to server two; they hold a whole talk by
//! taps (one "not quite", one time-out) and after every tap both phones show
//! the same state: the same place in the log, the same floor, the same
//! "whose tap comes next" and the same time-out. The taps cross between the
//! servers through LISTEN/NOTIFY.

mod common;

use common::{Ws, couple, refusal, start, talk_socket, until_state};

use futures_util::SinkExt;
use rekindle_storage::Backend;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// What both phones must agree on after every tap.
fn shared(state: &Value) -> Value {
    let s = &state["state"];
    json!({
        "seq": state["seq"],
        "phase": s["phase"],
        "mode": s["mode"],
        "floor": s["floor"],
        "next_actor": s["next_actor"],
        "turn_started_at": s["turn_started_at"],
        "confirmed": s["confirmed"],
        "paraphrase_pending": s["paraphrase_pending"],
        "time_out": s["time_out"],
    })
}

/// `from` taps `command`; the log grows by `added`. Waits for both phones to
/// reach the new state, checks they agree, and returns the kinds of events the
/// other phone saw and the state as `from` sees it.
async fn tap(
    from: &mut Ws,
    other: &mut Ws,
    seq: &mut i64,
    command: Value,
    added: i64,
) -> (Vec<String>, Value) {
    from.send(Message::text(command.to_string())).await.unwrap();
    *seq += added;
    let (_, mine) = until_state(from, *seq).await;
    let (events, theirs) = until_state(other, *seq).await;
    assert_eq!(
        shared(&mine),
        shared(&theirs),
        "after {command}, both phones show the same talk"
    );
    if mine["state"]["floor"].is_string() {
        assert_ne!(
            mine["state"]["you_hold_floor"], theirs["state"]["you_hold_floor"],
            "one of the two holds the floor"
        );
    }
    let kinds = events
        .iter()
        .map(|e| e["event"]["kind"].as_str().unwrap().to_owned())
        .collect();
    (kinds, mine)
}

#[tokio::test]
async fn a_talk_aloud_on_two_phones_stays_in_step_across_two_servers() {
    if !rekindle_testkit::backends().contains(&Backend::Postgres) {
        return;
    }
    let url = rekindle_testkit::fresh_pg_database().await;
    let one = start(&url, &[]).await;
    let two = start(&url, &[]).await;
    let (ana, ben) = couple(&one, &two).await;
    for (who, version) in [(&ana, 0), (&ben, 1)] {
        who.ok(
            reqwest::Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": version}),
        )
        .await;
    }
    let (s, t) = ana
        .send(
            reqwest::Method::POST,
            "/api/v1/talks",
            json!({"topic": "Evenings", "times": [], "mode": "two_phones", "turn_min": 3}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let talk = t["id"].as_str().unwrap().to_owned();

    let mut a = talk_socket(&one, &ana, &talk).await;
    let mut b = talk_socket(&two, &ben, &talk).await;
    let mut seq = 1;
    until_state(&mut a, seq).await;
    until_state(&mut b, seq).await;

    // Ana opens the room now (they are in one room); both promise attention.
    let (seen, _) = tap(&mut a, &mut b, &mut seq, json!({"cmd": "start_now"}), 3).await;
    assert_eq!(seen, ["scheduled", "opened", "arrived"]);
    tap(&mut a, &mut b, &mut seq, json!({"cmd": "pledge"}), 1).await;
    let (seen, state) = tap(&mut b, &mut a, &mut seq, json!({"cmd": "pledge"}), 3).await;
    assert_eq!(seen, ["arrived", "pledged", "began"]);
    assert_eq!(state["state"]["phase"], "live");
    assert_eq!(state["state"]["mode"], "two_phones");
    assert_eq!(state["state"]["you_hold_floor"], false, "Ana speaks first");
    let ana_id = state["state"]["floor"].as_str().unwrap().to_owned();
    assert_eq!(state["state"]["next_actor"], ana_id.as_str());

    // Ana says her piece; Ben says it back; "not quite"; Ben again; "that's it".
    let (_, state) = tap(&mut a, &mut b, &mut seq, json!({"cmd": "spoke"}), 1).await;
    let ben_id = state["state"]["next_actor"].as_str().unwrap().to_owned();
    assert_ne!(ben_id, ana_id, "after Ana spoke, Ben's tap comes next");
    tap(&mut b, &mut a, &mut seq, json!({"cmd": "said_back"}), 1).await;
    let (seen, _) = tap(
        &mut a,
        &mut b,
        &mut seq,
        json!({"cmd": "not_quite", "text": "WORDS-STAY-IN-THE-ROOM"}),
        1,
    )
    .await;
    assert_eq!(seen, ["not_quite"]);
    tap(&mut b, &mut a, &mut seq, json!({"cmd": "said_back"}), 1).await;
    let (seen, state) = tap(&mut a, &mut b, &mut seq, json!({"cmd": "confirm"}), 2).await;
    assert_eq!(
        seen,
        ["confirmed", "floor_passed"],
        "that's it passes the floor"
    );
    assert_eq!(state["state"]["floor"], ben_id.as_str());

    // Ben's turn, then a break Ben asks for on server two.
    tap(&mut b, &mut a, &mut seq, json!({"cmd": "spoke"}), 1).await;
    tap(&mut a, &mut b, &mut seq, json!({"cmd": "said_back"}), 1).await;
    tap(&mut b, &mut a, &mut seq, json!({"cmd": "confirm"}), 2).await;
    let now = chrono::Utc::now().timestamp_millis();
    let (seen, state) = tap(
        &mut b,
        &mut a,
        &mut seq,
        json!({"cmd": "time_out", "minutes": 20, "return_at": now + 30 * 60_000}),
        1,
    )
    .await;
    assert_eq!(seen, ["time_out"]);
    assert_eq!(state["state"]["phase"], "time_out");
    // Server one knows the break at once: Ana's taps wait, and she cannot come
    // back before the twenty minutes are over.
    a.send(Message::text(json!({"cmd": "spoke"}).to_string()))
        .await
        .unwrap();
    assert_eq!(refusal(&mut a).await, "timeout_running");
    a.send(Message::text(json!({"cmd": "back"}).to_string()))
        .await
        .unwrap();
    assert_eq!(refusal(&mut a).await, "minimum_not_over");
    // They stop here for today: Ana ends the talk during the break.
    let (seen, state) = tap(&mut a, &mut b, &mut seq, json!({"cmd": "end"}), 1).await;
    assert_eq!(seen, ["ended"]);
    assert_eq!(state["state"]["phase"], "ended");

    // Both servers read the same log: turns and confirmations, never words.
    let path = format!("/api/v1/talks/{talk}");
    let v1 = ana.ok(reqwest::Method::GET, &path, Value::Null).await;
    let v2 = ben.ok(reqwest::Method::GET, &path, Value::Null).await;
    let kinds = |v: &Value| -> Vec<String> {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"]["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(kinds(&v1), kinds(&v2));
    assert_eq!(v1["events"].as_array().unwrap().len() as i64, seq);
    assert_eq!(
        kinds(&v1)[8..],
        [
            "spoke",
            "said_back",
            "not_quite",
            "said_back",
            "confirmed",
            "floor_passed",
            "spoke",
            "said_back",
            "confirmed",
            "floor_passed",
            "time_out",
            "ended"
        ]
    );
    assert!(!v1.to_string().contains("WORDS-STAY-IN-THE-ROOM"));
    assert_eq!(v2["state"]["phase"], "ended");
}
