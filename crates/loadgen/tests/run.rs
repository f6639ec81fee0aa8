//! End-to-end runs of the load generator against a tiny raw-TCP HTTP/1.1 server on
//! 127.0.0.1:0, started inside each test.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rekindle_loadgen::{Config, Report, parse_header, run};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// `200 OK`, keep-alive.
    Ok,
    /// This status, keep-alive.
    Status(u16, &'static str),
    /// `200 OK` with `Connection: close`, then close.
    Close,
    /// Read requests and never answer.
    Hang,
}

#[derive(Default)]
struct Seen {
    requests: AtomicU64,
    /// The first few request heads.
    heads: Mutex<Vec<String>>,
}

async fn start_server(mode: Mode) -> (SocketAddr, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let seen2 = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve_conn(stream, mode, Arc::clone(&seen2)));
        }
    });
    (addr, seen)
}

async fn serve_conn(mut stream: TcpStream, mode: Mode, seen: Arc<Seen>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            buf.drain(..end + 4);
            seen.requests.fetch_add(1, Ordering::Relaxed);
            {
                let mut heads = seen.heads.lock().unwrap();
                if heads.len() < 8 {
                    heads.push(head);
                }
            }
            let (status, close) = match mode {
                Mode::Ok => ("200 OK".to_string(), false),
                Mode::Status(code, reason) => (format!("{code} {reason}"), false),
                Mode::Close => ("200 OK".to_string(), true),
                Mode::Hang => continue,
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n{}\r\nok",
                if close { "Connection: close\r\n" } else { "" }
            );
            if stream.write_all(response.as_bytes()).await.is_err() || close {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn config(addr: SocketAddr, duration_ms: u64) -> Config {
    let mut cfg = Config::new(&format!("http://{addr}/feed?x=1")).unwrap();
    cfg.concurrency = 4;
    cfg.warmup = Duration::from_millis(50);
    cfg.duration = Duration::from_millis(duration_ms);
    cfg
}

fn assert_latencies_sane(r: &Report) {
    assert!(r.p50_ms > 0.0, "{r:?}");
    assert!(
        r.p50_ms <= r.p90_ms && r.p90_ms <= r.p99_ms && r.p99_ms <= r.max_ms,
        "{r:?}"
    );
}

#[tokio::test]
async fn keep_alive_run_has_requests_and_no_errors() {
    let (addr, seen) = start_server(Mode::Ok).await;
    let t = Instant::now();
    let r = run(config(addr, 300)).await;
    let took = t.elapsed();

    assert!(r.requests > 0, "{r:?}");
    assert_eq!(r.errors, 0, "{r:?}");
    assert_eq!(r.status_counts.get("200"), Some(&r.requests), "{r:?}");
    assert!(r.transport_errors.is_empty(), "{r:?}");
    assert_latencies_sane(&r);
    assert!(r.rps > 0.0);
    assert!((0.25..=0.35).contains(&r.duration_s), "{r:?}");
    // Warmup requests reached the server too, but weren't counted.
    assert!(seen.requests.load(Ordering::Relaxed) >= r.requests);
    // It stopped by itself, right after warmup + duration.
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert!(r.rss.is_none());
}

#[tokio::test]
async fn sends_origin_form_path_host_and_extra_headers() {
    let (addr, seen) = start_server(Mode::Ok).await;
    let mut cfg = config(addr, 100);
    let (name, value) = parse_header("Cookie: session=abc").unwrap();
    cfg.headers.append(name, value);
    let r = run(cfg).await;
    assert_eq!(r.errors, 0, "{r:?}");

    let heads = seen.heads.lock().unwrap();
    let head = heads
        .first()
        .expect("the server saw a request")
        .to_ascii_lowercase();
    assert!(head.starts_with("get /feed?x=1 http/1.1\r\n"), "{head}");
    assert!(head.contains(&format!("\r\nhost: {addr}")), "{head}");
    assert!(head.contains("\r\ncookie: session=abc"), "{head}");
    assert!(head.contains("\r\nuser-agent: rekindle-loadgen/"), "{head}");
}

#[tokio::test]
async fn non_2xx_responses_are_errors_by_status() {
    let (addr, _) = start_server(Mode::Status(503, "Service Unavailable")).await;
    let r = run(config(addr, 150)).await;
    assert!(r.requests > 0, "{r:?}");
    assert_eq!(r.errors, r.requests, "{r:?}");
    assert_eq!(r.status_counts.get("503"), Some(&r.requests), "{r:?}");
    // Error responses still have latencies.
    assert_latencies_sane(&r);
}

#[tokio::test]
async fn server_closing_connections_is_not_an_error() {
    let (addr, _) = start_server(Mode::Close).await;
    let r = run(config(addr, 200)).await;
    assert!(r.requests > 0, "{r:?}");
    assert_eq!(r.errors, 0, "{r:?}");
}

#[tokio::test]
async fn max_requests_stops_the_run_early() {
    let (addr, _) = start_server(Mode::Ok).await;
    let mut cfg = config(addr, 20_000);
    cfg.max_requests = Some(200);
    let t = Instant::now();
    let r = run(cfg).await;
    assert_eq!(r.requests, 200, "{r:?}");
    assert_eq!(r.errors, 0, "{r:?}");
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
    assert!(r.duration_s < 10.0, "{r:?}");
}

#[tokio::test]
async fn refused_connections_are_transport_errors() {
    // A port that was just free: nothing listens there any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let t = Instant::now();
    let r = run(config(addr, 200)).await;
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    assert!(r.requests > 0, "{r:?}");
    assert_eq!(r.errors, r.requests, "{r:?}");
    assert_eq!(
        r.transport_errors.get("connect"),
        Some(&r.requests),
        "{r:?}"
    );
    assert!(r.status_counts.is_empty(), "{r:?}");
    assert_eq!(r.max_ms, 0.0, "transport errors have no latency");
}

#[tokio::test]
async fn hung_server_times_out_and_the_run_still_ends() {
    let (addr, _) = start_server(Mode::Hang).await;
    let mut cfg = config(addr, 300);
    cfg.timeout = Duration::from_millis(100);
    let t = Instant::now();
    let r = run(cfg).await;
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    assert_eq!(
        r.transport_errors.get("timeout"),
        Some(&r.requests),
        "{r:?}"
    );
    assert!(r.requests > 0, "{r:?}");
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn samples_rss_of_a_pid() {
    let (addr, _) = start_server(Mode::Ok).await;
    let mut cfg = config(addr, 300);
    // The server runs in this test process, so sample ourselves.
    cfg.pid = Some(std::process::id());
    let r = run(cfg).await;
    let rss = r.rss.expect("--pid gives an RSS report");
    assert!(rss.rss_samples >= 3, "{rss:?}");
    assert!(rss.peak_rss_mib.unwrap() > 0.0, "{rss:?}");
    assert!(rss.vm_hwm_mib.unwrap() > 0.0, "{rss:?}");
}

#[tokio::test]
async fn cli_prints_one_json_object() {
    let (addr, _) = start_server(Mode::Ok).await;
    let pid = std::process::id().to_string();
    let url = format!("http://{addr}/");
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_rekindle-loadgen"))
            .args([
                "--url",
                &url,
                "--header",
                "Cookie: a=b",
                "--concurrency",
                "2",
            ])
            .args([
                "--duration",
                "300ms",
                "--warmup",
                "50ms",
                "--pid",
                &pid,
                "--json",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for key in [
        "requests",
        "errors",
        "rps",
        "p50_ms",
        "p90_ms",
        "p99_ms",
        "max_ms",
        "status_counts",
        "peak_rss_mib",
        "vm_hwm_mib",
    ] {
        assert!(json.get(key).is_some(), "missing {key} in {json}");
    }
    assert!(json["requests"].as_u64().unwrap() > 0, "{json}");
    assert_eq!(json["errors"].as_u64(), Some(0), "{json}");
    assert_eq!(json["status_counts"]["200"], json["requests"], "{json}");
}

#[tokio::test]
async fn cli_refuses_non_loopback_targets() {
    let output = tokio::task::spawn_blocking(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_rekindle-loadgen"))
            .args(["--url", "http://10.1.2.3/", "--duration", "100ms"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("non-loopback"), "{stderr}");
}
