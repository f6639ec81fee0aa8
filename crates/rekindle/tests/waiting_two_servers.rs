//! "Waiting for you" live across two `rekindle serve` processes on one
//! PostgreSQL: Ana acts through one server, Ben's event stream is on the other
//! (or the same one), and his list changes within moments. Prints the latency
//! from Ana's answered request to Ben's event, p50 and p99, for both cases.

mod common;

use std::time::{Duration, Instant};

use common::{Node, Person, couple, start};
use rekindle_storage::Backend;
use serde_json::{Value, json};

const ROUNDS: usize = 40;

struct Stream {
    resp: reqwest::Response,
    buf: String,
}

impl Stream {
    async fn open(who: &Person, node: &Node) -> Stream {
        let resp = who
            .client
            .get(format!("{}/api/v1/waiting/events", node.base))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        Stream {
            resp,
            buf: String::new(),
        }
    }

    async fn next_count(&mut self) -> u64 {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                    let v: Value = serde_json::from_str(data.trim()).unwrap();
                    return v["count"].as_u64().unwrap();
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(2), self.resp.chunk())
                .await
                .expect("an event within 2 s")
                .unwrap()
                .expect("the stream stays open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Ana shares entries one at a time; Ben's stream must show each.
async fn latencies(ana: &Person, ben: &Person, ben_node: &Node) -> Vec<Duration> {
    let mut stream = Stream::open(ben, ben_node).await;
    let mut count = stream.next_count().await;
    let mut took = Vec::new();
    for _ in 0..ROUNDS {
        let e = ana
            .ok(
                reqwest::Method::POST,
                "/api/v1/journal",
                json!({"body": "a note"}),
            )
            .await;
        let id = e["id"].as_str().unwrap().to_owned();
        let started = Instant::now();
        ana.ok(
            reqwest::Method::PATCH,
            &format!("/api/v1/journal/{id}"),
            json!({"visibility": "shared"}),
        )
        .await;
        let now = stream.next_count().await;
        took.push(started.elapsed());
        assert_eq!(now, count + 1, "one more item waits for Ben");
        count = now;
    }
    took.sort();
    took
}

#[tokio::test]
async fn the_list_changes_live_across_servers() {
    if !rekindle_testkit::backends().contains(&Backend::Postgres) {
        eprintln!("WARNING: PostgreSQL not configured; the two-server waiting test did not run");
        return;
    }
    let url = rekindle_testkit::fresh_pg_database().await;
    let one = start(&url, &[]).await;
    let two = start(&url, &[]).await;
    let (ana, ben) = couple(&one, &two).await;
    for (label, node) in [("same server", &one), ("other server", &two)] {
        let took = latencies(&ana, &ben, node).await;
        println!(
            "waiting, {label}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {ROUNDS} changes",
            percentile(&took, 0.5).as_secs_f64() * 1e3,
            percentile(&took, 0.99).as_secs_f64() * 1e3,
            took.last().unwrap().as_secs_f64() * 1e3,
        );
    }
}
