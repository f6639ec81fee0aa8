//! A Web Push service on loopback for tests: it records every push, answers
//! with the statuses a test queues (else 201), decrypts each payload with the
//! browser's private key (aes128gcm, RFC 8291) and verifies the VAPID JWT
//! (ES256 by the server's key, `aud` the endpoint's origin, `exp` in the
//! future, `sub` set; RFC 8292).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256PublicKey};
use web_push_native::jwt_simple::claims::NoCustomClaims;
use web_push_native::jwt_simple::common::VerificationOptions;
use web_push_native::p256;

/// One browser's keys, made by the test as a browser would.
pub struct Browser {
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl Default for Browser {
    fn default() -> Self {
        Browser::new()
    }
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
