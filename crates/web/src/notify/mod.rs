//! Notifications: Web Push to the devices a person turned on, and an opt-in
//! email digest. Both tell of the "waiting for you" items (`crate::waiting`) and
//! of nothing else: never what the partner wrote, never anything about safety
//! checks (those are never items), nothing while the space is paused (there are
//! no items then).
//!
//! Push (RFC 8030) payloads are encrypted for the browser (aes128gcm, RFC 8291)
//! and signed with the deployment's VAPID key (RFC 8292) by the
//! `web-push-native` crate; no cryptography is written here. The key pair is made
//! on first start and kept in the database, so every server signs alike.
//!
//! Exactly once across servers, as with reminders: a push is a row in
//! `push_outbox` whose (device, item key) is unique, so one item is pushed at
//! most once to each device, and a server sends only what it claimed for a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL). During a person's quiet hours
//! nothing is put in the outbox or claimed; afterwards an item is sent only if it
//! still waits. A device the push service reports gone (404/410) is deleted;
//! other failures are retried with backoff. Counted in `/metrics`:
//! `rekindle_push_sent_total`, `rekindle_push_failures_total`,
//! `rekindle_push_retries_total`, `rekindle_push_gone_total`, and
//! `rekindle_digests_sent_total`, `rekindle_digest_send_failures_total`.

pub mod api;
pub mod page;
pub mod sender;

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use rekindle_domain::waiting::{ALL_KINDS, WaitingKind};
use rekindle_storage::{NewPushSubscription, NotifyPrefsRow, PushSubscription, UserId};
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};

use crate::http::error::{AppError, FieldErrors};
use crate::http::secrets::new_id;
use crate::state::AppState;

/// Longest endpoint accepted (real ones are a few hundred characters).
pub const MAX_ENDPOINT: usize = 1024;
/// Longest device name.
pub const MAX_NAME: usize = 60;
/// The neutral text of a push without detail.
pub const NEUTRAL_TEXT: &str = "Something is waiting for you.";

// ---- the server's VAPID key --------------------------------------------------------------

/// The deployment's VAPID key pair.
pub struct Vapid {
    pub key: ES256KeyPair,
    /// The public key as browsers want it: the uncompressed point, base64url.
    pub public_b64: String,
}

impl Vapid {
    /// Reads the key, making it first if this deployment has none yet (race-safe:
    /// the first insert wins, every server reads that one).
    pub async fn load(state: &AppState) -> Result<Vapid, AppError> {
        let candidate = URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes());
        let stored = state
            .repo
            .vapid_private_key(&candidate, state.clock().now_ms())
            .await?;
        let bytes = URL_SAFE_NO_PAD
            .decode(stored.trim_end_matches('='))
            .map_err(|e| AppError::Internal(format!("stored VAPID key: {e}")))?;
        let key = ES256KeyPair::from_bytes(&bytes)
            .map_err(|e| AppError::Internal(format!("stored VAPID key: {e}")))?;
        let public_b64 =
            URL_SAFE_NO_PAD.encode(key.public_key().public_key().to_bytes_uncompressed());
        Ok(Vapid { key, public_b64 })
    }
}

// ---- subscriptions ------------------------------------------------------------------------

/// A browser's PushSubscription, as sent by `subscription.toJSON()`.
#[derive(Debug, Default, Clone)]
pub struct SubscriptionInput {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub name: String,
    /// Fields this server does not know (refused, as everywhere in the API).
    pub unknown: Vec<String>,
}

impl SubscriptionInput {
    /// Reads `{"endpoint", "keys": {"p256dh", "auth"}, "name"}`; anything missing
    /// is left empty for `validate` to name.
    pub fn from_json(v: &serde_json::Value) -> SubscriptionInput {
        let text = |v: Option<&serde_json::Value>| {
            v.and_then(|v| v.as_str()).unwrap_or_default().to_owned()
        };
        let mut unknown = Vec::new();
        if let Some(m) = v.as_object() {
            for k in m.keys() {
                if !["endpoint", "expirationTime", "keys", "name"].contains(&k.as_str()) {
                    unknown.push(k.clone());
                }
            }
        }
        if let Some(m) = v.get("keys").and_then(|k| k.as_object()) {
            for k in m.keys() {
                if !["p256dh", "auth"].contains(&k.as_str()) {
                    unknown.push(format!("keys.{k}"));
                }
            }
        }
        SubscriptionInput {
            endpoint: text(v.get("endpoint")),
            p256dh: text(v.get("keys").and_then(|k| k.get("p256dh"))),
            auth: text(v.get("keys").and_then(|k| k.get("auth"))),
            name: text(v.get("name")),
            unknown,
        }
    }
}

fn b64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim().trim_end_matches('=');
    URL_SAFE_NO_PAD.decode(s).ok().or_else(|| {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(s)
            .ok()
    })
}

/// Whether an endpoint may receive pushes from this server: https to a named
/// host or a public address; plain http only to loopback and only when the
/// operator (in practice: the tests) allowed it.
pub fn check_endpoint(endpoint: &str, allow_loopback: bool) -> Result<reqwest::Url, String> {
    if endpoint.is_empty() {
        return Err("The subscription has no endpoint.".into());
    }
    if endpoint.len() > MAX_ENDPOINT {
        return Err(format!(
            "The endpoint is longer than {MAX_ENDPOINT} characters."
        ));
    }
    let url = reqwest::Url::parse(endpoint).map_err(|_| "The endpoint is not a URL.".to_owned())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("The endpoint must not carry credentials.".into());
    }
    let host = url.host().ok_or("The endpoint has no host.")?;
    let ip: Option<IpAddr> = match host {
        url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(a)),
        url::Host::Domain(d) => {
            if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") {
                return Err("The endpoint must be a push service, not this machine.".into());
            }
            None
        }
    };
    let loopback = ip.is_some_and(|a| a.is_loopback());
    match url.scheme() {
        "https" => {}
        "http" if loopback && allow_loopback => {}
        _ => return Err("The endpoint must be an https URL.".into()),
    }
    if let Some(a) = ip
        && !(loopback && allow_loopback)
        && !is_public(a)
    {
        return Err("The endpoint must be a push service on the internet.".into());
    }
    Ok(url)
}

fn is_public(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v) => {
            !(v.is_private()
                || v.is_loopback()
                || v.is_link_local()
                || v.is_unspecified()
                || v.is_broadcast()
                || v.is_documentation()
                || v.octets()[0] == 100 && (v.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v) => {
            let s = v.segments();
            !(v.is_loopback()
                || v.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v.to_ipv4_mapped()
                    .is_some_and(|m| !is_public(IpAddr::V4(m))))
        }
    }
}

/// Checks a subscription: the endpoint (see `check_endpoint`), a P-256 public
/// key as a 65-byte uncompressed point, a 16-byte auth secret, a short name.
pub fn validate(
    input: &SubscriptionInput,
    allow_loopback: bool,
) -> Result<SubscriptionInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    if !input.unknown.is_empty() {
        errors.insert(
            "body",
            format!("Unknown fields: {}.", input.unknown.join(", ")),
        );
    }
    if let Err(e) = check_endpoint(input.endpoint.trim(), allow_loopback) {
        errors.insert("endpoint", e);
    }
    match b64(&input.p256dh) {
        Some(k)
            if k.len() == 65
                && k[0] == 4
                && web_push_native::p256::PublicKey::from_sec1_bytes(&k).is_ok() => {}
        _ => {
            errors.insert(
                "keys.p256dh",
                "The key must be a P-256 public key: 65 bytes, uncompressed, base64url.".into(),
            );
        }
    }
    if b64(&input.auth).is_none_or(|a| a.len() != 16) {
        errors.insert(
            "keys.auth",
            "The auth secret must be 16 bytes, base64url.".into(),
        );
    }
    let name = input.name.trim();
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        errors.insert(
            "name",
            format!("Give the device a name of at most {MAX_NAME} characters."),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SubscriptionInput {
        endpoint: input.endpoint.trim().to_owned(),
        p256dh: URL_SAFE_NO_PAD.encode(b64(&input.p256dh).unwrap_or_default()),
        auth: URL_SAFE_NO_PAD.encode(b64(&input.auth).unwrap_or_default()),
        name: if name.is_empty() {
            "This device".to_owned()
        } else {
            name.to_owned()
        },
        unknown: Vec::new(),
    })
}

/// Turns notifications on for a device. `session_hash` is the browser session
/// that asked (signing it out removes the device); none for a personal token.
///
/// What already waits when a device subscribes is not pushed to it (the person
/// is looking at the app): the device hears of what starts waiting afterwards.
pub async fn subscribe(
    state: &AppState,
    user: &UserId,
    session_hash: Option<&str>,
    input: &SubscriptionInput,
) -> Result<PushSubscription, AppError> {
    let ok = validate(input, state.config.push_allow_loopback).map_err(AppError::Invalid)?;
    let now = state.clock().now_ms();
    let id = new_id();
    state
        .repo
        .add_push_subscription(&NewPushSubscription {
            id: id.clone(),
            user_id: user.clone(),
            endpoint: ok.endpoint.clone(),
            p256dh: ok.p256dh,
            auth: ok.auth,
            name: ok.name.clone(),
            session_hash: session_hash.map(str::to_owned),
            created_at: now,
        })
        .await?;
    for item in crate::waiting::items_for(state, user).await? {
        state
            .repo
            .skip_push(&new_id(), &id, user, &item.key, now)
            .await?;
    }
    Ok(PushSubscription {
        id,
        user_id: user.clone(),
        endpoint: ok.endpoint,
        p256dh: String::new(),
        auth: String::new(),
        name: ok.name,
        created_at: now,
        last_used_at: None,
    })
}

/// The host of an endpoint, the only part of it ever shown (or exported).
pub fn endpoint_host(endpoint: &str) -> String {
    reqwest::Url::parse(endpoint)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

// ---- choices --------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    Off,
    Daily,
    Weekly,
}

impl Digest {
    pub fn as_str(self) -> &'static str {
        match self {
            Digest::Off => "off",
            Digest::Daily => "daily",
            Digest::Weekly => "weekly",
        }
    }

    pub fn parse(s: &str) -> Option<Digest> {
        [Digest::Off, Digest::Daily, Digest::Weekly]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// A person's notification choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub kinds: Vec<WaitingKind>,
    /// Say what is waiting ("Sam answered a question. Your turn.") instead of
    /// the neutral text.
    pub detail: bool,
    /// Local minutes after midnight; `None` when there are no quiet hours.
    pub quiet: Option<(u32, u32)>,
    pub digest: Digest,
}

impl Default for Choices {
    /// Every kind, neutral text, no quiet hours, no digest. Nothing is pushed
    /// until the person turns notifications on for a device.
    fn default() -> Self {
        Choices {
            kinds: ALL_KINDS.to_vec(),
            detail: false,
            quiet: None,
            digest: Digest::Off,
        }
    }
}

impl Choices {
    /// Whether `at` falls in the quiet hours, in the person's time zone. The
    /// start is quiet, the end is not; a start after the end spans midnight.
    pub fn quiet_at(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        let Some((start, end)) = self.quiet else {
            return false;
        };
        let local = at.with_timezone(&tz);
        let m = local.hour() * 60 + local.minute();
        match start.cmp(&end) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => start <= m && m < end,
            std::cmp::Ordering::Greater => m >= start || m < end,
        }
    }
}

fn kinds_text(kinds: &[WaitingKind]) -> String {
    ALL_KINDS
        .iter()
        .filter(|k| kinds.contains(k))
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn minute(v: Option<i64>) -> Option<u32> {
    v.and_then(|m| u32::try_from(m).ok()).filter(|m| *m < 1440)
}

pub async fn choices(state: &AppState, user: &UserId) -> Result<Choices, AppError> {
    Ok(match state.repo.notify_prefs(user).await? {
        None => Choices::default(),
        Some(p) => Choices {
            kinds: p.kinds.split(',').filter_map(WaitingKind::parse).collect(),
            detail: p.detail,
            quiet: minute(p.quiet_start).zip(minute(p.quiet_end)),
            digest: Digest::parse(&p.digest).unwrap_or(Digest::Off),
        },
    })
}

/// Choices as a form or the API sends them: kind words, times as HH:MM (both
/// empty: no quiet hours), the digest word.
#[derive(Debug, Clone, Default)]
pub struct ChoicesInput {
    pub kinds: Vec<String>,
    pub detail: bool,
    pub quiet_start: String,
    pub quiet_end: String,
    pub digest: String,
}

pub async fn save_choices(
    state: &AppState,
    user: &UserId,
    input: &ChoicesInput,
) -> Result<Choices, AppError> {
    let mut errors = FieldErrors::new();
    let mut kinds = Vec::new();
    for k in &input.kinds {
        match WaitingKind::parse(k) {
            Some(kind) => kinds.push(kind),
            None => {
                errors.insert("kinds", "Choose from the kinds listed.".into());
            }
        }
    }
    let time = |s: &str| -> Result<Option<u32>, ()> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        crate::reminders::parse_time(s)
            .and_then(|m| u32::try_from(m).ok())
            .map(Some)
            .ok_or(())
    };
    let start = time(&input.quiet_start);
    let end = time(&input.quiet_end);
    let quiet = match (start, end) {
        (Ok(None), Ok(None)) => None,
        (Ok(Some(s)), Ok(Some(e))) if s != e => Some((s, e)),
        (Ok(Some(_)), Ok(Some(_))) => {
            errors.insert(
                "quiet_end",
                "Quiet hours must end at another time than they start.".into(),
            );
            None
        }
        _ => {
            errors.insert(
                "quiet_start",
                "Enter both times, such as 22:00 and 07:00, or leave both empty.".into(),
            );
            None
        }
    };
    let digest = match Digest::parse(input.digest.trim()) {
        Some(d) => d,
        None if input.digest.trim().is_empty() => Digest::Off,
        None => {
            errors.insert("digest", "Choose off, daily or weekly.".into());
            Digest::Off
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let row = NotifyPrefsRow {
        user_id: user.clone(),
        kinds: kinds_text(&kinds),
        detail: input.detail,
        quiet_start: quiet.map(|q| i64::from(q.0)),
        quiet_end: quiet.map(|q| i64::from(q.1)),
        digest: digest.as_str().into(),
        updated_at: state.clock().now_ms(),
    };
    state.repo.set_notify_prefs(&row).await?;
    choices(state, user).await
}

/// "HH:MM" of a local minute.
pub fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The period a digest belongs to: the local date, or the ISO week.
pub fn digest_period(digest: Digest, local: chrono::NaiveDate) -> Option<String> {
    match digest {
        Digest::Off => None,
        Digest::Daily => Some(local.format("%Y-%m-%d").to_string()),
        Digest::Weekly => {
            let w = local.iso_week();
            Some(format!("{}-W{:02}", w.year(), w.week()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(endpoint: &str, p256dh: &str, auth: &str) -> SubscriptionInput {
        SubscriptionInput {
            endpoint: endpoint.into(),
            p256dh: p256dh.into(),
            auth: auth.into(),
            name: String::new(),
            unknown: Vec::new(),
        }
    }

    const P256DH: &str =
        "BLn9b-VR0ca83knDNZ32dCHGyjJp-1riX9ZTN40MqV8K_LpQmLqxC_DoHvqvFXO_nGdAB4W9dogZb_sM-uV4JbY";
    const AUTH: &str = "_ordMnz7uTCmrpBTeUV4Bw";

    #[test]
    fn only_push_services_on_https_are_accepted() {
        assert!(validate(&sub("https://push.example.net/x", P256DH, AUTH), false).is_ok());
        for bad in [
            "http://push.example.net/x",
            "ftp://push.example.net/x",
            "https://localhost/x",
            "https://127.0.0.1/x",
            "https://10.0.0.2/x",
            "https://[::1]/x",
            "https://user:pw@push.example.net/x",
            "not a url",
            "",
        ] {
            let e = validate(&sub(bad, P256DH, AUTH), false).unwrap_err();
            assert!(e.contains_key("endpoint"), "{bad}");
        }
        assert!(validate(&sub("http://127.0.0.1:9/x", P256DH, AUTH), true).is_ok());
        assert!(validate(&sub("http://10.0.0.2/x", P256DH, AUTH), true).is_err());
    }

    #[test]
    fn keys_must_have_their_lengths() {
        let e = validate(&sub("https://p.example/x", "BAAA", "AAAA"), false).unwrap_err();
        assert!(e.contains_key("keys.p256dh") && e.contains_key("keys.auth"));
        let e = validate(&sub("https://p.example/x", P256DH, &P256DH[..30]), false).unwrap_err();
        assert!(e.contains_key("keys.auth"));
    }

    #[test]
    fn quiet_hours_may_span_midnight() {
        let c = Choices {
            quiet: Some((22 * 60, 7 * 60)),
            ..Choices::default()
        };
        let at = |h: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, 5)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
                .and_utc()
        };
        assert!(c.quiet_at(at(23), Tz::UTC));
        assert!(c.quiet_at(at(6), Tz::UTC));
        assert!(!c.quiet_at(at(7), Tz::UTC));
        assert!(!c.quiet_at(at(12), Tz::UTC));
        // 06:00 UTC is 07:00 in Berlin in winter: no longer quiet there.
        assert!(!c.quiet_at(at(6), chrono_tz::Europe::Berlin));
        assert!(!Choices::default().quiet_at(at(23), Tz::UTC));
    }

    #[test]
    fn digests_are_keyed_by_day_or_week() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(digest_period(Digest::Daily, d).unwrap(), "2026-12-05");
        assert_eq!(digest_period(Digest::Weekly, d).unwrap(), "2026-W49");
        assert_eq!(digest_period(Digest::Off, d), None);
    }
}
