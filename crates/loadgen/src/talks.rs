//! `rekindle-loadgen-talks`: the talk room under load (docs/talk-protocol.md).
//!
//! Sets up N couples through the API (sign-up, space, invitation, ground rules,
//! a talk started and pledged), opens two sockets per talk (one per partner),
//! then drives each talk at a steady rate: statement, paraphrase, confirmation,
//! hand-over, round and round. It measures delivery latency: from sending a
//! command on one partner's socket to the event arriving on the other's.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use rekindle_loadgen::rss::Sampler;
use rekindle_loadgen::stats::Latencies;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[derive(Debug, Parser)]
#[command(
    name = "rekindle-loadgen-talks",
    about = "Drive N live talks (two sockets each) against a loopback Rekindle server"
)]
struct Args {
    /// Server base URL, e.g. http://127.0.0.1:8080 (start it with a high --auth-attempts-per-ip).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    /// Concurrent talks (two sockets each).
    #[arg(long, default_value_t = 100)]
    talks: usize,
    /// Events per second per talk.
    #[arg(long, default_value_t = 1.0)]
    rate: f64,
    /// Measured time after the warmup (humantime).
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    duration: Duration,
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    warmup: Duration,
    /// Parallel sign-ups during setup (password hashing is the slow part).
    #[arg(long, default_value_t = 4)]
    setup_concurrency: usize,
    /// The server's pid, to sample its RSS.
    #[arg(long)]
    pid: Option<u32>,
    /// Runtime threads of this tool.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// A tag for e-mail addresses, so repeated runs against one database do not collide.
    #[arg(long, default_value = "run")]
    tag: String,
}

struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Result<Value, String> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!("{path}: {status} {v}"));
        }
        Ok(v)
    }

    async fn person(&self, email: &str) -> Result<String, String> {
        let creds =
            json!({"email": email, "password": "correct horse battery", "display_name": "Load"});
        self.call(
            reqwest::Method::POST,
            "/api/v1/accounts",
            None,
            creds.clone(),
        )
        .await?;
        let v = self
            .call(reqwest::Method::POST, "/api/v1/auth/token", None, creds)
            .await?;
        v["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "no token".into())
    }

    /// A couple with a live talk: (talk id, speaker token, listener token).
    async fn live_talk(&self, tag: &str, i: usize) -> Result<(String, String, String), String> {
        use reqwest::Method as M;
        let a = self.person(&format!("a{i}-{tag}@load.invalid")).await?;
        let b = self.person(&format!("b{i}-{tag}@load.invalid")).await?;
        self.call(M::POST, "/api/v1/space", Some(&a), json!({}))
            .await?;
        let inv = self
            .call(M::POST, "/api/v1/space/invitations", Some(&a), json!({}))
            .await?;
        let code = inv["code"].as_str().ok_or("no code")?;
        self.call(
            M::POST,
            &format!("/api/v1/invitations/{code}/accept"),
            Some(&b),
            json!({}),
        )
        .await?;
        self.call(
            M::POST,
            "/api/v1/talks/rules/accept",
            Some(&a),
            json!({"version": 0}),
        )
        .await?;
        self.call(
            M::POST,
            "/api/v1/talks/rules/accept",
            Some(&b),
            json!({"version": 1}),
        )
        .await?;
        let soon = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_millis() as i64
            + 3_600_000;
        let t = self
            .call(M::POST, "/api/v1/talks", Some(&a), json!({"times": [soon]}))
            .await?;
        let id = t["id"].as_str().ok_or("no talk id")?.to_owned();
        let cmd = format!("/api/v1/talks/{id}/commands");
        self.call(M::POST, &cmd, Some(&b), json!({"cmd": "start_now"}))
            .await?;
        self.call(M::POST, &cmd, Some(&a), json!({"cmd": "pledge"}))
            .await?;
        self.call(M::POST, &cmd, Some(&b), json!({"cmd": "pledge"}))
            .await?;
        Ok((id, a, b))
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(base: &str, talk: &str, token: &str) -> Result<Ws, String> {
    let ws_base = base.replacen("http://", "ws://", 1);
    let mut req = format!("{ws_base}/talks/{talk}/ws")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let auth = format!("Bearer {token}")
        .parse()
        .map_err(|_| "bad token".to_string())?;
    req.headers_mut().insert("authorization", auth);
    Ok(tokio_tungstenite::connect_async(req)
        .await
        .map_err(|e| e.to_string())?
        .0)
}

#[derive(Default)]
struct Shared {
    latencies: Mutex<Latencies>,
    sent: AtomicU64,
    delivered: AtomicU64,
    refused: AtomicU64,
    measuring: std::sync::atomic::AtomicBool,
}

/// The command the talk needs next, from whoever it is due from (0 = first partner).
fn next_step(step: u64) -> (usize, Value) {
    // Round: A states, B paraphrases, A confirms, A hands over; then the same with roles swapped.
    let round = (step / 4) % 2;
    let speaker = round as usize;
    let listener = 1 - speaker;
    match step % 4 {
        0 => (
            speaker,
            json!({"cmd": "statement", "text": "I felt a little alone this evening and I would like us to eat together."}),
        ),
        1 => (
            listener,
            json!({"cmd": "paraphrase", "text": "You felt alone this evening and would like to eat together."}),
        ),
        2 => (speaker, json!({"cmd": "confirm"})),
        _ => (speaker, json!({"cmd": "hand_over"})),
    }
}

async fn drive(
    socks: [Ws; 2],
    shared: Arc<Shared>,
    period: Duration,
    offset: Duration,
    stop: Instant,
) {
    let [s0, s1] = socks;
    let (w0, mut r0) = s0.split();
    let (w1, mut r1) = s1.split();
    let mut writers = [w0, w1];
    tokio::time::sleep(offset).await;
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut step = 0u64;
    let mut pending: Option<(usize, Instant)> = None;
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if Instant::now() >= stop {
                    break;
                }
                if pending.is_some() {
                    continue; // the previous event has not arrived yet
                }
                let (from, cmd) = next_step(step);
                step += 1;
                if writers[from].send(Message::text(cmd.to_string())).await.is_err() {
                    break;
                }
                shared.sent.fetch_add(1, Ordering::Relaxed);
                pending = Some((1 - from, Instant::now()));
            }
            m = r0.next() => if !handle(m, 0, &mut pending, &shared).await { break },
            m = r1.next() => if !handle(m, 1, &mut pending, &shared).await { break },
        }
    }
    for w in &mut writers {
        let _ = w.close().await;
    }
}

async fn handle(
    m: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    who: usize,
    pending: &mut Option<(usize, Instant)>,
    shared: &Shared,
) -> bool {
    let Some(Ok(msg)) = m else { return false };
    let Message::Text(text) = msg else {
        return true;
    };
    let t = text.as_str();
    // Cheap checks first: most frames are state snapshots and acks. (The server's
    // JSON keys come sorted, so `type` is not first; the load's texts never quote these.)
    if t.contains("\"type\":\"error\"") {
        shared.refused.fetch_add(1, Ordering::Relaxed);
        eprintln!("refused: {t}");
        *pending = None;
        return true;
    }
    if t.contains("\"type\":\"event\"")
        && let Some((to, at)) = *pending
        && to == who
        && t.contains("\"mine\":false")
    {
        let latency = at.elapsed();
        *pending = None;
        shared.delivered.fetch_add(1, Ordering::Relaxed);
        if shared.measuring.load(Ordering::Relaxed) {
            shared.latencies.lock().await.record(latency);
        }
    }
    true
}

async fn run(args: Args) -> Result<(), String> {
    let api = Arc::new(Api {
        base: args.base.trim_end_matches('/').to_owned(),
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(args.setup_concurrency)
            .build()
            .map_err(|e| e.to_string())?,
    });
    let started = Instant::now();
    let rss_start = args.pid.and_then(rss_kib);
    eprintln!("setting up {} talks…", args.talks);
    let sem = Arc::new(tokio::sync::Semaphore::new(args.setup_concurrency.max(1)));
    let mut tasks = Vec::new();
    for i in 0..args.talks {
        let api = api.clone();
        let sem = sem.clone();
        let tag = args.tag.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire().await.map_err(|e| e.to_string())?;
            api.live_talk(&tag, i).await
        }));
    }
    let mut live = Vec::new();
    for t in tasks {
        live.push(t.await.map_err(|e| e.to_string())??);
    }
    eprintln!(
        "{} talks live after {:.1} s; opening {} sockets…",
        live.len(),
        started.elapsed().as_secs_f64(),
        live.len() * 2
    );
    // The sockets open only now, so the memory they take is measured apart from
    // what the sign-ups (argon2id) left in the allocator.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_accounts = args.pid.and_then(rss_kib);
    let sem = Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = Vec::new();
    for (id, a, b) in live {
        let sem = sem.clone();
        let base = api.base.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire().await.map_err(|e| e.to_string())?;
            let sa = open(&base, &id, &a).await?;
            let sb = open(&base, &id, &b).await?;
            Ok::<_, String>([sa, sb])
        }));
    }
    let mut talks = Vec::new();
    for t in tasks {
        talks.push(t.await.map_err(|e| e.to_string())??);
    }
    eprintln!(
        "{} sockets open after {:.1} s",
        talks.len() * 2,
        started.elapsed().as_secs_f64()
    );
    let sampler = args.pid.map(Sampler::start);
    let rss_before = args.pid.and_then(rss_kib);
    let shared = Arc::new(Shared::default());
    let period = Duration::from_secs_f64(1.0 / args.rate.max(0.001));
    let stop = Instant::now() + args.warmup + args.duration;
    let n = talks.len().max(1) as u32;
    let mut handles = Vec::new();
    for (i, socks) in talks.into_iter().enumerate() {
        // Spread the talks evenly over one period.
        let offset = period * (i as u32) / n;
        handles.push(tokio::spawn(drive(
            socks,
            shared.clone(),
            period,
            offset,
            stop,
        )));
    }
    tokio::time::sleep(args.warmup).await;
    shared.measuring.store(true, Ordering::Relaxed);
    let rss_live = args.pid.and_then(rss_kib);
    for h in handles {
        let _ = h.await;
    }
    let rss = match sampler {
        Some(s) => Some(s.finish().await),
        None => None,
    };
    let lat = shared.latencies.lock().await.summary();
    println!(
        "talks: {}  sockets: {}  rate: {}/s per talk  measured: {:?}",
        n,
        n * 2,
        args.rate,
        args.duration
    );
    println!(
        "events sent: {}  delivered to the partner: {}  refused: {}",
        shared.sent.load(Ordering::Relaxed),
        shared.delivered.load(Ordering::Relaxed),
        shared.refused.load(Ordering::Relaxed)
    );
    println!(
        "delivery latency (measured part): p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        lat.p50_ms, lat.p90_ms, lat.p99_ms, lat.max_ms
    );
    if let (Some(start), Some(accounts), Some(before), Some(live)) =
        (rss_start, rss_accounts, rss_before, rss_live)
    {
        let sockets = f64::from(n * 2);
        println!(
            "server RSS: {:.1} MiB before setup, {:.1} MiB with the couples and talks set up, \
             {:.1} MiB with the sockets open, {:.1} MiB while driving",
            start as f64 / 1024.0,
            accounts as f64 / 1024.0,
            before as f64 / 1024.0,
            live as f64 / 1024.0,
        );
        println!(
            "server memory per socket: {:.1} KiB open ((sockets open - set up) / sockets), \
             {:.1} KiB while driving ((driving - set up) / sockets)",
            before.saturating_sub(accounts) as f64 / sockets,
            live.saturating_sub(accounts) as f64 / sockets,
        );
    }
    if let Some(r) = rss {
        println!(
            "server peak RSS: {:.1} MiB (VmHWM {:.1} MiB)",
            r.peak_rss_mib.unwrap_or(0.0),
            r.vm_hwm_mib.unwrap_or(0.0)
        );
    }
    Ok(())
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    rekindle_loadgen::rss::status_field_kib(&status, "VmRSS")
}

fn main() -> ExitCode {
    let args = Args::parse();
    let rt = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()
    };
    let Ok(rt) = rt else {
        eprintln!("rekindle-loadgen-talks: cannot start the runtime");
        return ExitCode::FAILURE;
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rekindle-loadgen-talks: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::next_step;

    #[test]
    fn a_round_follows_the_floor_rules() {
        let seq: Vec<(usize, String)> = (0..8)
            .map(|s| {
                let (who, c) = next_step(s);
                (who, c["cmd"].as_str().unwrap_or("").to_owned())
            })
            .collect();
        let expect = [
            (0, "statement"),
            (1, "paraphrase"),
            (0, "confirm"),
            (0, "hand_over"),
            (1, "statement"),
            (0, "paraphrase"),
            (1, "confirm"),
            (1, "hand_over"),
        ];
        for (got, want) in seq.iter().zip(expect) {
            assert_eq!((got.0, got.1.as_str()), want);
        }
    }
}
