//! Two `rekindle serve` processes on one PostgreSQL database: partner A talks
//! through one, partner B through the other, and a whole talk runs over their
//! sockets. Events reach the other server through LISTEN/NOTIFY.

mod common;

use common::{Node, Person, Ws, person, start};

use futures_util::SinkExt;
use rekindle_storage::Backend;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

async fn socket(node: &Node, who: &Person, talk: &str) -> Ws {
    common::talk_socket(node, who, talk).await
}

/// Reads until the state reaches `seq`; returns the events seen.
async fn until(ws: &mut Ws, seq: i64) -> Vec<Value> {
    common::until_state(ws, seq).await.0
}

/// Sends a command; waits until both sockets saw the state after it.
async fn say(
    from: &mut Ws,
    other: &mut Ws,
    seq: &mut i64,
    command: Value,
    added: i64,
) -> Vec<Value> {
    from.send(Message::text(command.to_string())).await.unwrap();
    *seq += added;
    until(from, *seq).await;
    until(other, *seq).await
}

#[tokio::test]
async fn a_whole_talk_runs_across_two_servers() {
    if !rekindle_testkit::backends().contains(&Backend::Postgres) {
        return;
    }
    let url = rekindle_testkit::fresh_pg_database().await;
    let one = start(&url, &[]).await;
    let two = start(&url, &[]).await;
    let ana = person(&one, "ana@example.org").await;
    let ben = person(&two, "ben@example.org").await;
    let (s, _) = ana
        .send(reqwest::Method::POST, "/api/v1/space", json!({}))
        .await;
    assert_eq!(s, 201);
    let (_, inv) = ana
        .send(
            reqwest::Method::POST,
            "/api/v1/space/invitations",
            json!({}),
        )
        .await;
    let code = inv["code"].as_str().unwrap();
    let (s, _) = ben
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/invitations/{code}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = ana
        .send(
            reqwest::Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 0}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = ben
        .send(
            reqwest::Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 1}),
        )
        .await;
    assert_eq!(s, 200);
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        + 3_600_000;
    let (s, t) = ana
        .send(
            reqwest::Method::POST,
            "/api/v1/talks",
            json!({"topic": "Us", "times": [soon]}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let talk = t["id"].as_str().unwrap().to_owned();

    let mut a = socket(&one, &ana, &talk).await;
    let mut b = socket(&two, &ben, &talk).await;
    let mut seq = 1;
    until(&mut a, 1).await;
    until(&mut b, 1).await;
    // Ben (server two) starts now; Ana (server one) sees it.
    let seen = say(
        &mut b,
        &mut a,
        &mut seq,
        json!({"ref": "1", "cmd": "start_now"}),
        3,
    )
    .await;
    assert_eq!(
        seen.iter()
            .map(|e| e["event"]["kind"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["scheduled", "opened", "arrived"]
    );
    say(&mut a, &mut b, &mut seq, json!({"cmd": "pledge"}), 2).await;
    say(&mut b, &mut a, &mut seq, json!({"cmd": "pledge"}), 2).await;
    let seen = say(
        &mut a,
        &mut b,
        &mut seq,
        json!({"cmd": "statement", "text": "I miss our evenings."}),
        1,
    )
    .await;
    assert_eq!(seen[0]["event"]["text"], "I miss our evenings.");
    assert_eq!(seen[0]["mine"], false);
    say(
        &mut b,
        &mut a,
        &mut seq,
        json!({"cmd": "paraphrase", "text": "You miss our time."}),
        1,
    )
    .await;
    say(
        &mut a,
        &mut b,
        &mut seq,
        json!({"cmd": "not_quite", "text": "Our evenings, just us."}),
        1,
    )
    .await;
    say(
        &mut b,
        &mut a,
        &mut seq,
        json!({"cmd": "paraphrase", "text": "You miss evenings alone with me."}),
        1,
    )
    .await;
    say(&mut a, &mut b, &mut seq, json!({"cmd": "confirm"}), 1).await;
    say(&mut a, &mut b, &mut seq, json!({"cmd": "hand_over"}), 1).await;
    say(
        &mut b,
        &mut a,
        &mut seq,
        json!({"cmd": "statement", "text": "I want that too."}),
        1,
    )
    .await;
    say(
        &mut a,
        &mut b,
        &mut seq,
        json!({"cmd": "paraphrase", "text": "You want it too."}),
        1,
    )
    .await;
    say(&mut b, &mut a, &mut seq, json!({"cmd": "confirm"}), 1).await;
    let seen = say(&mut b, &mut a, &mut seq, json!({"cmd": "end"}), 1).await;
    assert_eq!(seen.last().unwrap()["event"]["kind"], "ended");
    // Both servers read the same log.
    let (_, v1) = ana
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/talks/{talk}"),
            Value::Null,
        )
        .await;
    let (_, v2) = ben
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/talks/{talk}"),
            Value::Null,
        )
        .await;
    assert_eq!(v1["events"].as_array().unwrap().len() as i64, seq);
    let kinds = |v: &Value| -> Vec<(i64, String)> {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["seq"].as_i64().unwrap(),
                    e["event"]["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(kinds(&v1), kinds(&v2));
    assert_eq!(v2["state"]["phase"], "ended");
}
