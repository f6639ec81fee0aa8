//! A small HTTP/1.1 load generator for Rekindle's server benchmark.
//!
//! [`run`] starts `concurrency` workers, each holding one keep-alive connection and
//! sending `GET`s to one URL in a loop for `warmup + duration`, then merges what they
//! saw in the measured window into a [`Report`]. Runs are bounded in time (and
//! optionally in count) and stop by themselves; targets must be loopback addresses.

pub mod rss;
pub mod stats;

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{CONNECTION, HOST, HeaderName, HeaderValue, USER_AGENT};
use hyper::{HeaderMap, Request, Uri};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use crate::rss::{RssReport, Sampler};
use crate::stats::{Stats, TransportError};

/// Most workers (and so connections) a run may have.
pub const MAX_CONCURRENCY: usize = 4096;
/// Longest measured window of a run.
pub const MAX_DURATION: Duration = Duration::from_secs(3600);
/// Longest warmup of a run.
pub const MAX_WARMUP: Duration = Duration::from_secs(600);
/// How long a worker waits before reconnecting after a failed connect.
const CONNECT_BACKOFF: Duration = Duration::from_millis(10);

/// A configuration that [`Config::new`] or [`Config::validate`] refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError(msg.into()))
}

/// The one URL a run sends its requests to, checked and resolved once.
#[derive(Debug, Clone)]
struct Target {
    url: Uri,
    addr: SocketAddr,
    /// Origin-form request target (`/path?query`).
    path: Uri,
    host: HeaderValue,
}

impl Target {
    fn parse(url: &str) -> Result<Self, ConfigError> {
        let uri: Uri = match url.parse() {
            Ok(uri) => uri,
            Err(e) => return err(format!("invalid URL {url:?}: {e}")),
        };
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return err(format!(
                    "unsupported scheme {other:?}: only http:// is supported"
                ));
            }
            None => {
                return err(format!(
                    "URL {url:?} needs a scheme, e.g. http://127.0.0.1:8080/"
                ));
            }
        }
        let Some(authority) = uri.authority() else {
            return err(format!("URL {url:?} has no host"));
        };
        if authority.as_str().contains('@') {
            return err("URLs with user info are not supported");
        }
        let port = authority.port_u16().unwrap_or(80);
        let host = authority.host();
        let addr = resolve_loopback(host.trim_start_matches('[').trim_end_matches(']'), port)?;
        let path: Uri = match uri.path_and_query() {
            Some(pq) => pq
                .as_str()
                .parse()
                .expect("a path and query is a valid URI"),
            None => Uri::from_static("/"),
        };
        let host = HeaderValue::from_str(authority.as_str())
            .expect("an authority is a valid header value");
        Ok(Self {
            url: uri,
            addr,
            path,
            host,
        })
    }
}

/// Only loopback targets are allowed: an IP literal in 127.0.0.0/8 or `::1`, or `localhost`.
fn resolve_loopback(host: &str, port: u16) -> Result<SocketAddr, ConfigError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        if !ip.is_loopback() {
            return err(format!(
                "refusing non-loopback target {ip}: only 127.0.0.0/8, ::1 and localhost are allowed"
            ));
        }
        return Ok(SocketAddr::new(ip, port));
    }
    if !host.eq_ignore_ascii_case("localhost") {
        return err(format!(
            "refusing target host {host:?}: only loopback IP literals and localhost are allowed"
        ));
    }
    let addrs = match (host, port).to_socket_addrs() {
        Ok(addrs) => addrs,
        Err(e) => return err(format!("cannot resolve localhost: {e}")),
    };
    // Prefer IPv4, which is where servers usually bind 127.0.0.1.
    let mut loopback: Vec<SocketAddr> = addrs.filter(|a| a.ip().is_loopback()).collect();
    loopback.sort_by_key(|a| !a.is_ipv4());
    match loopback.first() {
        Some(addr) => Ok(*addr),
        None => err("localhost resolves to no loopback address"),
    }
}

/// Parse a `Name: value` header line, as given to `--header`.
pub fn parse_header(line: &str) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let Some((name, value)) = line.split_once(':') else {
        return err(format!("header {line:?} is not of the form 'Name: value'"));
    };
    let name = match HeaderName::from_bytes(name.trim().as_bytes()) {
        Ok(name) => name,
        Err(_) => return err(format!("invalid header name in {line:?}")),
    };
    let value = match HeaderValue::from_str(value.trim()) {
        Ok(value) => value,
        Err(_) => return err(format!("invalid header value in {line:?}")),
    };
    Ok((name, value))
}

/// What a run does. Build it with [`Config::new`], then set the public fields.
#[derive(Debug, Clone)]
pub struct Config {
    target: Target,
    /// Extra request headers. A `Host` here replaces the one taken from the URL.
    pub headers: HeaderMap,
    /// Workers, each with one keep-alive connection. 1..=[`MAX_CONCURRENCY`].
    pub concurrency: usize,
    /// The measured window, after the warmup. At most [`MAX_DURATION`].
    pub duration: Duration,
    /// Time spent sending requests that are not counted. At most [`MAX_WARMUP`].
    pub warmup: Duration,
    /// Stop once this many measured requests have been sent (warmup requests don't count).
    pub max_requests: Option<u64>,
    /// A request (including any reconnect) that takes longer fails as `timeout`.
    pub timeout: Duration,
    /// Sample this process's RSS from `/proc/PID/status` during the run.
    pub pid: Option<u32>,
}

impl Config {
    /// A config for `url` with the CLI's defaults: 64 workers, 2 s warmup, 10 s measured,
    /// 10 s request timeout. Fails unless `url` is `http://` to a loopback host.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            target: Target::parse(url)?,
            headers: HeaderMap::new(),
            concurrency: 64,
            duration: Duration::from_secs(10),
            warmup: Duration::from_secs(2),
            max_requests: None,
            timeout: Duration::from_secs(10),
            pid: None,
        })
    }

    /// The target URL.
    pub fn url(&self) -> &Uri {
        &self.target.url
    }

    /// The address connections go to.
    pub fn addr(&self) -> SocketAddr {
        self.target.addr
    }

    /// Check the limits. [`run`] clamps out-of-range values rather than failing.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return err(format!(
                "concurrency must be between 1 and {MAX_CONCURRENCY}"
            ));
        }
        if self.duration.is_zero() || self.duration > MAX_DURATION {
            return err(format!(
                "duration must be more than 0 and at most {}",
                humantime::format_duration(MAX_DURATION)
            ));
        }
        if self.warmup > MAX_WARMUP {
            return err(format!(
                "warmup must be at most {}",
                humantime::format_duration(MAX_WARMUP)
            ));
        }
        if self.timeout.is_zero() {
            return err("timeout must be more than 0");
        }
        Ok(())
    }

    fn clamped(mut self) -> Self {
        self.concurrency = self.concurrency.clamp(1, MAX_CONCURRENCY);
        self.duration = self.duration.min(MAX_DURATION);
        self.warmup = self.warmup.min(MAX_WARMUP);
        self.timeout = self.timeout.max(Duration::from_millis(1));
        self
    }
}

/// The figures of one run. Counts and latencies cover the measured window only.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub url: String,
    pub concurrency: usize,
    pub warmup_s: f64,
    /// Length of the measured window actually run (shorter than the configured duration
    /// when `max_requests` was reached first).
    pub duration_s: f64,
    /// Completed requests: responses of any status plus transport errors.
    pub requests: u64,
    /// Non-2xx responses plus transport errors.
    pub errors: u64,
    /// `requests / duration_s`.
    pub rps: f64,
    /// Latency percentiles, in ms, of the requests that got a complete response
    /// (any status), from the start of the request (including a reconnect if one was
    /// needed) to the end of the response body.
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Responses by HTTP status code.
    pub status_counts: BTreeMap<String, u64>,
    /// Requests that got no response, by kind: `connect`, `timeout`, `io`.
    pub transport_errors: BTreeMap<String, u64>,
    /// Memory of `--pid`, when given.
    #[serde(flatten)]
    pub rss: Option<RssReport>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |counts: &mut dyn Iterator<Item = (&String, &u64)>| {
            counts
                .map(|(k, n)| format!("{k}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(f, "url          {}", self.url)?;
        writeln!(
            f,
            "run          {} connections, {:.2} s warmup, {:.2} s measured",
            self.concurrency, self.warmup_s, self.duration_s
        )?;
        writeln!(f, "requests     {} ({:.1} req/s)", self.requests, self.rps)?;
        let mut errors = self
            .status_counts
            .iter()
            .filter(|(status, _)| !status.starts_with('2'))
            .chain(self.transport_errors.iter());
        let errors_by_kind = list(&mut errors);
        if errors_by_kind.is_empty() {
            writeln!(f, "errors       {}", self.errors)?;
        } else {
            writeln!(f, "errors       {} ({errors_by_kind})", self.errors)?;
        }
        writeln!(f, "statuses     {}", list(&mut self.status_counts.iter()))?;
        write!(
            f,
            "latency ms   p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}  (mean {:.3})",
            self.p50_ms, self.p90_ms, self.p99_ms, self.max_ms, self.mean_ms
        )?;
        if let Some(rss) = &self.rss {
            let mib = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.1} MiB"));
            write!(
                f,
                "\npeak RSS     {} (pid {}, {} samples; VmHWM {})",
                mib(rss.peak_rss_mib),
                rss.pid,
                rss.rss_samples,
                mib(rss.vm_hwm_mib)
            )?;
        }
        Ok(())
    }
}

/// State shared by the workers of one run.
struct Shared {
    target: Target,
    /// Headers of every request, `Host` included.
    headers: HeaderMap,
    timeout: Duration,
    measure_start: Instant,
    deadline: Instant,
    max_requests: Option<u64>,
    /// Measured requests started so far, for `max_requests`.
    started: AtomicU64,
}

/// One keep-alive connection; its driver task ends with it.
struct Conn {
    sender: SendRequest<Empty<Bytes>>,
    driver: JoinHandle<()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl Conn {
    async fn open(addr: SocketAddr) -> Result<Self, TransportError> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|_| TransportError::Connect)?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|_| TransportError::Connect)?;
        let driver = tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self { sender, driver })
    }

    /// A connection ready for a request: the current one if it's still usable, or a new one.
    async fn ready(conn: &mut Option<Conn>, addr: SocketAddr) -> Result<&mut Conn, TransportError> {
        // A kept-alive connection may have been closed by the server since the last
        // request; that is not an error of the next request, so reconnect once.
        if let Some(c) = conn
            && !c.sender.is_closed()
            && c.sender.ready().await.is_ok()
        {
            return Ok(conn.as_mut().expect("checked above"));
        }
        let fresh = conn.insert(Conn::open(addr).await?);
        fresh
            .sender
            .ready()
            .await
            .map_err(|_| TransportError::Connect)?;
        Ok(fresh)
    }
}

/// One GET: status code once the whole body has been read.
async fn request(shared: &Shared, conn: &mut Option<Conn>) -> Result<u16, TransportError> {
    let c = Conn::ready(conn, shared.target.addr).await?;
    let mut req = Request::new(Empty::<Bytes>::new());
    *req.uri_mut() = shared.target.path.clone();
    *req.headers_mut() = shared.headers.clone();
    let resp = c
        .sender
        .send_request(req)
        .await
        .map_err(|_| TransportError::Io)?;
    let status = resp.status().as_u16();
    let closing = resp.headers().get_all(CONNECTION).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("close"))
    });
    let mut body = resp.into_body();
    while let Some(frame) = body.frame().await {
        frame.map_err(|_| TransportError::Io)?;
    }
    if closing {
        *conn = None;
    }
    Ok(status)
}

async fn worker(shared: Arc<Shared>) -> Stats {
    let mut stats = Stats::default();
    let mut conn: Option<Conn> = None;
    loop {
        let begin = Instant::now();
        if begin >= shared.deadline {
            break;
        }
        let measuring = begin >= shared.measure_start;
        if measuring
            && let Some(max) = shared.max_requests
            && shared.started.fetch_add(1, Ordering::Relaxed) >= max
        {
            break;
        }
        let attempt = tokio::time::timeout(shared.timeout, request(&shared, &mut conn));
        let outcome = match tokio::time::timeout_at(shared.deadline, attempt).await {
            // The run ended while this request was in flight: it isn't counted.
            Err(_) => break,
            Ok(Err(_)) => Err(TransportError::Timeout),
            Ok(Ok(outcome)) => outcome,
        };
        match outcome {
            Ok(status) => {
                if measuring {
                    stats.record_response(status, begin.elapsed());
                }
            }
            Err(e) => {
                // The connection's state is unknown after a failure: start afresh.
                conn = None;
                if measuring {
                    stats.record_transport_error(e);
                }
                if e == TransportError::Connect {
                    // Don't spin on a server that isn't listening.
                    tokio::time::sleep_until(
                        (Instant::now() + CONNECT_BACKOFF).min(shared.deadline),
                    )
                    .await;
                }
            }
        }
    }
    stats
}

/// Run the load described by `cfg` and report on the measured window.
///
/// Out-of-range settings are clamped to the limits that [`Config::validate`] checks.
/// The run ends by itself after `warmup + duration` (or earlier, once `max_requests`
/// measured requests have been sent); requests still in flight then are dropped and not counted.
pub async fn run(cfg: Config) -> Report {
    let cfg = cfg.clamped();
    let sampler = cfg.pid.map(Sampler::start);

    let mut headers = HeaderMap::new();
    headers.insert(HOST, cfg.target.host.clone());
    headers.insert(
        USER_AGENT,
        HeaderValue::from_static(concat!("rekindle-loadgen/", env!("CARGO_PKG_VERSION"))),
    );
    for name in cfg.headers.keys() {
        headers.remove(name);
    }
    for (name, value) in &cfg.headers {
        headers.append(name, value.clone());
    }

    let start = Instant::now();
    let measure_start = start + cfg.warmup;
    let deadline = measure_start + cfg.duration;
    let shared = Arc::new(Shared {
        target: cfg.target.clone(),
        headers,
        timeout: cfg.timeout,
        measure_start,
        deadline,
        max_requests: cfg.max_requests,
        started: AtomicU64::new(0),
    });

    let mut workers = JoinSet::new();
    for _ in 0..cfg.concurrency {
        workers.spawn(worker(Arc::clone(&shared)));
    }
    let mut stats = Stats::default();
    while let Some(done) = workers.join_next().await {
        stats.merge(&done.expect("a load worker panicked"));
    }
    let end = Instant::now().min(deadline);
    let measured = end.saturating_duration_since(measure_start);

    let rss = match sampler {
        Some(sampler) => Some(sampler.finish().await),
        None => None,
    };

    let latency = stats.latencies.summary();
    let requests = stats.requests();
    let secs = measured.as_secs_f64();
    Report {
        url: cfg.target.url.to_string(),
        concurrency: cfg.concurrency,
        warmup_s: cfg.warmup.as_secs_f64(),
        duration_s: secs,
        requests,
        errors: stats.errors(),
        rps: if secs > 0.0 {
            requests as f64 / secs
        } else {
            0.0
        },
        p50_ms: latency.p50_ms,
        p90_ms: latency.p90_ms,
        p99_ms: latency.p99_ms,
        max_ms: latency.max_ms,
        mean_ms: latency.mean_ms,
        status_counts: stats
            .statuses
            .iter()
            .map(|(status, n)| (status.to_string(), *n))
            .collect(),
        transport_errors: stats
            .transport
            .iter()
            .map(|(e, n)| (e.as_str().to_string(), *n))
            .collect(),
        rss,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_loopback_targets() {
        let cfg = Config::new("http://127.0.0.1:8080/feed?page=2").unwrap();
        assert_eq!(cfg.addr(), "127.0.0.1:8080".parse().unwrap());
        assert_eq!(cfg.target.path, "/feed?page=2");
        assert_eq!(cfg.target.host, "127.0.0.1:8080");

        let cfg = Config::new("http://127.9.9.9").unwrap();
        assert_eq!(cfg.addr(), "127.9.9.9:80".parse().unwrap());
        assert_eq!(cfg.target.path, "/");

        let cfg = Config::new("http://[::1]:3000/").unwrap();
        assert_eq!(cfg.addr(), "[::1]:3000".parse().unwrap());

        assert!(
            Config::new("http://localhost:8080/")
                .unwrap()
                .addr()
                .ip()
                .is_loopback()
        );
    }

    #[test]
    fn refuses_anything_but_http_to_loopback() {
        for url in [
            "http://10.0.0.1:8080/",
            "http://192.168.1.10/",
            "http://[2001:db8::1]/",
            "http://example.com/",
            "https://127.0.0.1/",
            "127.0.0.1:8080",
            "/just/a/path",
            "http://user:pw@127.0.0.1/",
        ] {
            assert!(Config::new(url).is_err(), "{url} should be refused");
        }
    }

    #[test]
    fn parses_headers() {
        let (name, value) = parse_header("Cookie: a=b; c=d").unwrap();
        assert_eq!(name, "cookie");
        assert_eq!(value, "a=b; c=d");
        let (name, value) = parse_header("X-Empty:").unwrap();
        assert_eq!(name, "x-empty");
        assert_eq!(value, "");
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
    }

    #[test]
    fn validates_limits() {
        let mut cfg = Config::new("http://127.0.0.1:1/").unwrap();
        assert!(cfg.validate().is_ok());
        cfg.concurrency = 0;
        assert!(cfg.validate().is_err());
        cfg.concurrency = MAX_CONCURRENCY + 1;
        assert!(cfg.validate().is_err());
        assert_eq!(cfg.clone().clamped().concurrency, MAX_CONCURRENCY);
        cfg.concurrency = 1;
        cfg.duration = Duration::ZERO;
        assert!(cfg.validate().is_err());
        cfg.duration = MAX_DURATION + Duration::from_secs(1);
        assert!(cfg.validate().is_err());
        assert_eq!(cfg.clone().clamped().duration, MAX_DURATION);
    }
}
