//! Web Push end to end: a push service on loopback inside the test decrypts
//! every payload with the subscription's private key (RFC 8291) and verifies the
//! VAPID JWT (RFC 8292) against the server's public key. Proves one push per
//! item, none while paused, none for safety checks, quiet hours (a held item is
//! sent afterwards only if still open), 410 deletes the device, a 500 is retried;
//! and that malformed subscriptions are refused with 422 and nothing stored.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rekindle_testkit::{ApiPerson, TestApp, backends, couple, test_config};
use reqwest::Method;
use serde_json::{Value, json};
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256PublicKey};
use web_push_native::jwt_simple::claims::NoCustomClaims;
use web_push_native::jwt_simple::common::VerificationOptions;
use web_push_native::p256;

use crate::support::metric;

/// One browser's keys, made by the test as a browser would.
pub struct Browser {
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl Browser {
    pub fn new() -> Browser {
        let secret = loop {
            let bytes: [u8; 32] = rand::random();
            if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
                break k;
            }
        };
        Browser {
            secret,
            auth: rand::random(),
        }
    }

    pub fn subscription(&self, endpoint: &str, name: &str) -> Value {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let public = self.secret.public_key().to_encoded_point(false);
        json!({
            "endpoint": endpoint,
            "expirationTime": null,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            },
            "name": name,
        })
    }
}

/// A push received and checked.
#[derive(Debug, Clone)]
pub struct Received {
    pub device: String,
    pub payload: Value,
}

#[derive(Default)]
struct Inner {
    /// Raw requests per device path, answered in order.
    raw: Vec<(String, HeaderMap, Vec<u8>)>,
    /// Statuses to answer with next, per device (then 201).
    answers: HashMap<String, VecDeque<u16>>,
}

/// The push service on loopback.
#[derive(Clone)]
pub struct PushService {
    inner: Arc<Mutex<Inner>>,
    pub base: String,
}

async fn receive(
    State(s): State<PushService>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut inner = s.inner.lock().unwrap();
    inner.raw.push((device.clone(), headers, body.to_vec()));
    let status = inner
        .answers
        .get_mut(&device)
        .and_then(|q| q.pop_front())
        .unwrap_or(201);
    StatusCode::from_u16(status).unwrap()
}

impl PushService {
    pub async fn start() -> PushService {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let s = PushService {
            inner: Arc::default(),
            base,
        };
        let app = axum::Router::new()
            .route("/push/{device}", axum::routing::post(receive))
            .with_state(s.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        s
    }

    pub fn endpoint(&self, device: &str) -> String {
        format!("{}/push/{device}", self.base)
    }

    pub fn answer_next(&self, device: &str, statuses: &[u16]) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .answers
            .entry(device.to_owned())
            .or_default()
            .extend(statuses.iter().copied());
    }

    pub fn count(&self, device: &str) -> usize {
        let inner = self.inner.lock().unwrap();
        inner.raw.iter().filter(|(d, _, _)| d == device).count()
    }

    /// Every request to `device`, decrypted with the browser's key, its VAPID
    /// signature verified against `server_key` (base64url, uncompressed point).
    pub fn received(&self, device: &str, browser: &Browser, server_key: &str) -> Vec<Received> {
        let inner = self.inner.lock().unwrap();
        let origin = self.base.clone();
        inner
            .raw
            .iter()
            .filter(|(d, _, _)| d == device)
            .map(|(d, headers, body)| {
                verify_vapid(headers, server_key, &origin);
                assert_eq!(headers["content-encoding"], "aes128gcm");
                assert!(headers.contains_key("ttl"));
                let auth = web_push_native::Auth::clone_from_slice(&browser.auth);
                let plain = web_push_native::decrypt(body.clone(), &browser.secret, &auth)
                    .expect("the payload decrypts with the subscription's key");
                Received {
                    device: d.clone(),
                    payload: serde_json::from_slice(&plain).expect("JSON payload"),
                }
            })
            .collect()
    }

    pub async fn wait_for(&self, device: &str, n: usize, within: Duration) {
        let start = std::time::Instant::now();
        while self.count(device) < n {
            assert!(
                start.elapsed() < within,
                "expected {n} pushes to {device}, got {}",
                self.count(device)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `Authorization: vapid t=<JWT>, k=<key>`: ES256 by the server's key, `aud`
/// the endpoint's origin, `exp` in the future (at most 24 h), `sub` set.
fn verify_vapid(headers: &HeaderMap, server_key: &str, origin: &str) {
    let value = headers["authorization"].to_str().unwrap();
    let rest = value.strip_prefix("vapid ").expect("vapid scheme");
    let mut t = None;
    let mut k = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("t=") {
            t = Some(v);
        } else if let Some(v) = part.strip_prefix("k=") {
            k = Some(v);
        }
    }
    assert_eq!(k, Some(server_key), "k= is the server's public key");
    let key = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(server_key).unwrap()).unwrap();
    let claims = key
        .verify_token::<NoCustomClaims>(
            t.expect("t="),
            Some(VerificationOptions {
                allowed_audiences: Some(HashSet::from([origin.to_owned()])),
                ..Default::default()
            }),
        )
        .expect("a valid VAPID JWT for this origin");
    let exp = claims.expires_at.expect("exp").as_secs();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(exp > now && exp <= now + 24 * 3600, "exp within 24 h");
    assert!(claims.subject.is_some_and(|s| !s.is_empty()), "sub set");
}

pub fn push_config() -> rekindle_web::Config {
    rekindle_web::Config {
        push_allow_loopback: true,
        push_interval: Duration::from_millis(200),
        ..test_config()
    }
}

async fn share(p: &ApiPerson, title: &str) -> String {
    let (s, e) = p
        .send_json(
            Method::POST,
            "/api/v1/journal",
            json!({"title": title, "body": format!("{title} PARTNER-WORDS-91c2")}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let id = e["id"].as_str().unwrap().to_owned();
    let (s, e) = p
        .send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{id}"),
            json!({"visibility": "shared"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    id
}

async fn metrics_text(app: &TestApp) -> String {
    reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Lets the sender run a few passes.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(900)).await;
}

#[tokio::test]
async fn push_is_encrypted_signed_and_sent_once_per_item() {
    for b in backends() {
        let push = PushService::start().await;
        let app = TestApp::spawn_with(b, push_config()).await;
        app.clock.set(
            chrono::NaiveDate::from_ymd_opt(2027, 1, 6)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc(),
        );
        let (ana, ben) = couple(&app).await;
        let (s, _) = ben
            .send_json(Method::PATCH, "/api/v1/me", json!({"time_zone": "UTC"}))
            .await;
        assert_eq!(s, 200);
        let (_, key) = ben.get_json("/api/v1/push/key").await;
        let server_key = key["public_key"].as_str().unwrap().to_owned();
        let browser = Browser::new();
        let (s, dev) = ben
            .send_json(
                Method::POST,
                "/api/v1/push/subscriptions",
                browser.subscription(&push.endpoint("ben"), "Ben's phone"),
            )
            .await;
        assert_eq!(s, 201, "{dev}");
        assert_eq!(dev["name"], "Ben's phone");
        assert!(dev.get("p256dh").is_none() && !dev.to_string().contains("/push/ben"));

        // One item: exactly one push, neutral by default.
        let m0 = metrics_text(&app).await;
        let first = share(&ana, "first").await;
        push.wait_for("ben", 1, Duration::from_secs(10)).await;
        settle().await;
        let got = push.received("ben", &browser, &server_key);
        assert_eq!(got.len(), 1, "one push per item: {got:?}");
        assert_eq!(
            got[0].payload,
            json!({"title": "Rekindle", "body": "Something is waiting for you", "url": "/", "tag": format!("shared_entry:{first}")})
        );
        assert_eq!(got[0].device, "ben");

        // With detail: the sentence, never the partner's words.
        let (s, _) = ben
            .send_json(
                Method::PUT,
                "/api/v1/notifications/settings",
                json!({"kinds": ["shared_entry", "question"], "detail": true, "digest": "off"}),
            )
            .await;
        assert_eq!(s, 200);
        let second = share(&ana, "second").await;
        push.wait_for("ben", 2, Duration::from_secs(10)).await;
        let got = push.received("ben", &browser, &server_key);
        let p = &got[1].payload;
        assert_eq!(p["tag"], format!("shared_entry:{second}"));
        assert!(p["url"].as_str().unwrap().contains(&second), "{p}");
        assert!(!p.to_string().contains("PARTNER-WORDS"), "{p}");
        assert!(!p.to_string().contains("second"), "no title either: {p}");

        // A safety check is never an item, so never a push.
        let (s, _) = ana
            .send_json(
                Method::POST,
                "/api/v1/safety/check",
                json!({"answers": [1, 1, 5, 1]}),
            )
            .await;
        assert_eq!(s, 201);
        let (s, _) = ben
            .send_json(
                Method::POST,
                "/api/v1/safety/check",
                json!({"answers": [1, 1, 5, 1]}),
            )
            .await;
        assert_eq!(s, 201);
        settle().await;
        assert_eq!(push.count("ben"), 2, "nothing about safety checks");

        // Held by quiet hours (11:00–13:00 UTC, it is 12:00), then paused when
        // they end: nothing; resumed: what still waits is sent once.
        let quiet = |from: &str, until: &str| json!({"kinds": ["shared_entry"], "detail": false, "quiet_start": from, "quiet_end": until, "digest": "off"});
        let (s, v) = ben
            .send_json(
                Method::PUT,
                "/api/v1/notifications/settings",
                quiet("11:00", "13:00"),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let during = share(&ana, "during pause").await;
        settle().await;
        assert_eq!(push.count("ben"), 2, "nothing during quiet hours");
        let (s, _) = ana
            .send_json(Method::POST, "/api/v1/space/pause", json!({}))
            .await;
        assert!(s == 200 || s == 204, "{s}");
        app.clock.advance(Duration::from_secs(3600 + 60)); // 13:01
        settle().await;
        assert_eq!(push.count("ben"), 2, "nothing while paused");
        let (s, _) = ana
            .send_json(Method::DELETE, "/api/v1/space/pause", json!({}))
            .await;
        assert!(s == 200 || s == 204, "{s}");
        push.wait_for("ben", 3, Duration::from_secs(10)).await;
        settle().await;
        let got = push.received("ben", &browser, &server_key);
        assert_eq!(got.len(), 3);
        assert_eq!(got[2].payload["tag"], format!("shared_entry:{during}"));

        // Quiet hours 13:00–15:00: held; afterwards only what is still open.
        let (s, v) = ben
            .send_json(
                Method::PUT,
                "/api/v1/notifications/settings",
                quiet("13:00", "15:00"),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let still_open = share(&ana, "still open").await;
        let opened = share(&ana, "opened").await;
        settle().await;
        assert_eq!(push.count("ben"), 3, "nothing during quiet hours");
        let (s, _) = ben.get_json(&format!("/api/v1/journal/{opened}")).await;
        assert_eq!(s, 200);
        app.clock.advance(Duration::from_secs(2 * 3600)); // 15:01
        push.wait_for("ben", 4, Duration::from_secs(10)).await;
        settle().await;
        let got = push.received("ben", &browser, &server_key);
        assert_eq!(got.len(), 4, "only the item still open: {got:?}");
        assert_eq!(got[3].payload["tag"], format!("shared_entry:{still_open}"));

        // A 500 is retried after its backoff, and counted.
        push.answer_next("ben", &[500]);
        let retried = share(&ana, "retried").await;
        push.wait_for("ben", 5, Duration::from_secs(10)).await;
        settle().await;
        assert_eq!(push.count("ben"), 5, "not again before the backoff");
        app.clock.advance(Duration::from_secs(61));
        push.wait_for("ben", 6, Duration::from_secs(10)).await;
        settle().await;
        assert_eq!(push.count("ben"), 6);
        let got = push.received("ben", &browser, &server_key);
        assert_eq!(got[4].payload["tag"], got[5].payload["tag"]);
        assert_eq!(got[5].payload["tag"], format!("shared_entry:{retried}"));

        // 410: the device is gone and removed.
        push.answer_next("ben", &[410]);
        share(&ana, "gone").await;
        push.wait_for("ben", 7, Duration::from_secs(10)).await;
        settle().await;
        let (_, devices) = ben.get_json("/api/v1/push/subscriptions").await;
        assert_eq!(devices, json!([]), "a gone device is deleted");
        share(&ana, "after gone").await;
        settle().await;
        assert_eq!(push.count("ben"), 7);

        let m1 = metrics_text(&app).await;
        let delta = |name: &str| metric(&m1, name, &[]) - metric(&m0, name, &[]);
        assert!(delta("rekindle_push_sent_total") >= 5.0);
        assert!(delta("rekindle_push_retries_total") >= 1.0);
        assert!(delta("rekindle_push_failures_total") >= 1.0);
        assert!(delta("rekindle_push_gone_total") >= 1.0);
        // Ana never subscribed: she got nothing (nothing reached any other path).
        assert_eq!(push.count("ana"), 0);
    }
}

#[tokio::test]
async fn malformed_subscriptions_are_refused_and_nothing_is_stored() {
    for b in backends() {
        let app = TestApp::spawn(b).await; // loopback not allowed here
        let ben = app.api_person("ben@example.org", "Ben").await;
        let good = Browser::new().subscription("https://push.example.net/x", "Phone");
        let mut cases = vec![
            json!({}),
            json!({"endpoint": "http://push.example.net/x", "keys": good["keys"]}),
            json!({"endpoint": "http://127.0.0.1:9/x", "keys": good["keys"]}),
            json!({"endpoint": "https://10.1.2.3/x", "keys": good["keys"]}),
            json!({"endpoint": "not a url", "keys": good["keys"]}),
            json!({"endpoint": format!("https://push.example.net/{}", "a".repeat(1100)), "keys": good["keys"]}),
            json!({"endpoint": "https://push.example.net/x", "keys": {"p256dh": "BAAA", "auth": good["keys"]["auth"]}}),
            json!({"endpoint": "https://push.example.net/x", "keys": {"p256dh": good["keys"]["p256dh"], "auth": "AAAA"}}),
        ];
        let mut long_name = good.clone();
        long_name["name"] = json!("n".repeat(61));
        cases.push(long_name);
        for c in cases {
            let (s, v) = ben
                .send_json(Method::POST, "/api/v1/push/subscriptions", c.clone())
                .await;
            assert_eq!(s, 422, "{c} → {v}");
            assert!(v["detail"].is_string() || v["errors"].is_object(), "{v}");
        }
        assert_eq!(
            ben.get_json("/api/v1/push/subscriptions").await.1,
            json!([])
        );
        assert!(app.db.repo.push_outbox(None).await.unwrap().is_empty());
        // The good one is accepted, and shown without keys.
        let (s, v) = ben
            .send_json(Method::POST, "/api/v1/push/subscriptions", good)
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["service"], "push.example.net");
        // Another person subscribing the same endpoint takes it over.
        let ana = app.api_person("ana@example.org", "Ana").await;
        let again = Browser::new().subscription("https://push.example.net/x", "Shared tablet");
        let (s, _) = ana
            .send_json(Method::POST, "/api/v1/push/subscriptions", again)
            .await;
        assert_eq!(s, 201);
        assert_eq!(
            ben.get_json("/api/v1/push/subscriptions").await.1,
            json!([])
        );
        assert_eq!(
            ana.get_json("/api/v1/push/subscriptions").await.1[0]["name"],
            "Shared tablet"
        );
        // Export names the device, never its keys or full endpoint.
        let export = crate::support::export_text(&ana).await;
        assert!(export.contains("Shared tablet") && export.contains("push.example.net"));
        assert!(!export.contains("https://push.example.net/x"));
    }
}
