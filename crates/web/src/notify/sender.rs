//! The sender: hears every change on the bus (and sweeps every
//! `push_interval` for quiet hours ending, retries and missed notices), works
//! out what waits for each member with a device, and pushes each new item once.
//! Also sends the email digest where SMTP is configured.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Timelike;
use rekindle_domain::plan as dp;
use rekindle_storage::{ClaimedPush, CoupleId, NotifyTarget};
use web_push_native::jwt_simple::algorithms::ECDSAP256KeyPairLike;
use web_push_native::jwt_simple::claims::Claims;
use web_push_native::{Auth, WebPushBuilder};

use super::{Choices, NEUTRAL_TEXT, Vapid, digest_period};
use crate::http::error::AppError;
use crate::http::secrets::{new_id, random_token};
use crate::reminders::Mailer;
use crate::state::AppState;
use crate::view::format::tz_of;
use crate::waiting::WaitingItem;

const LEASE_MS: i64 = 60 * 1000;
const BATCH: i64 = 50;
/// How long a push service keeps an undelivered push (the `TTL` header) and how
/// long the VAPID signature holds.
const TTL: Duration = Duration::from_secs(12 * 3600);
/// A digest goes out at or after this local hour.
const DIGEST_HOUR: u32 = 8;

pub struct Sender {
    state: AppState,
    vapid: Vapid,
    contact: String,
    client: reqwest::Client,
    mailer: Option<Mailer>,
    claimer: String,
}

/// What the push payload says: the service worker shows exactly this.
pub fn payload(instance: &str, item: &WaitingItem, detail: bool) -> serde_json::Value {
    if detail {
        serde_json::json!({"title": instance, "body": item.what, "url": item.href, "tag": item.key})
    } else {
        serde_json::json!({"title": instance, "body": NEUTRAL_TEXT, "url": "/", "tag": item.key})
    }
}

enum Outcome {
    Sent,
    Gone,
    Retry(String),
    GiveUp(String),
}

impl Sender {
    pub async fn new(state: &AppState) -> Result<Sender, AppError> {
        let vapid = Vapid::load(state).await?;
        let contact = state
            .config
            .push_contact
            .clone()
            .or_else(|| {
                state
                    .config
                    .public_url
                    .clone()
                    .filter(|u| u.starts_with("https://"))
            })
            .unwrap_or_else(|| "mailto:operator@rekindle.invalid".to_owned());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| AppError::Internal(format!("push client: {e}")))?;
        let mailer = match state.config.smtp.as_ref().map(Mailer::new) {
            Some(Ok(m)) => Some(m),
            Some(Err(e)) => {
                tracing::error!(error = %e, "email digests are off");
                None
            }
            None => None,
        };
        Ok(Sender {
            state: state.clone(),
            vapid,
            contact,
            client,
            mailer,
            claimer: format!("server-{}", random_token(8)),
        })
    }

    /// Everyone with a device, and the digests.
    pub async fn sweep(&self) -> Result<(), AppError> {
        for t in self.state.repo.push_targets().await? {
            self.person(&t).await?;
        }
        if self.mailer.is_some() {
            self.digests().await?;
        }
        Ok(())
    }

    /// The members of one space with a device.
    pub async fn space(&self, couple: &CoupleId) -> Result<(), AppError> {
        for t in self.state.repo.push_targets_in(couple).await? {
            self.person(&t).await?;
        }
        Ok(())
    }

    /// Puts this person's new items in the outbox, then sends what this server
    /// claims. Nothing during their quiet hours.
    async fn person(&self, t: &NotifyTarget) -> Result<(), AppError> {
        let state = &self.state;
        let choices = super::choices(state, &t.user_id).await?;
        if choices.quiet_at(state.clock().now(), tz_of(&t.time_zone)) {
            return Ok(());
        }
        let items = crate::waiting::items_for(state, &t.user_id).await?;
        let devices = state.repo.push_subscriptions_of(&t.user_id).await?;
        let now = state.clock().now_ms();
        for item in items.iter().filter(|i| choices.kinds.contains(&i.kind)) {
            for d in &devices {
                state
                    .repo
                    .enqueue_push(&new_id(), &d.id, &t.user_id, &item.key, now)
                    .await?;
            }
        }
        let claimed = state
            .repo
            .claim_pushes(&t.user_id, &self.claimer, now, LEASE_MS, BATCH)
            .await?;
        if claimed.is_empty() {
            return Ok(());
        }
        // Read again after claiming: another server may have queued an item that
        // appeared after our first read, and judging it by that older list would
        // drop it as "no longer waiting".
        let items = crate::waiting::items_for(state, &t.user_id).await?;
        // And the choices after that: quiet hours or kinds changed since the
        // first read are seen here, because anything in `items` was written after
        // them. During quiet hours what was claimed is left alone; its lease runs
        // out and it is sent after they end, if it still waits.
        let choices = super::choices(state, &t.user_id).await?;
        if choices.quiet_at(state.clock().now(), tz_of(&t.time_zone)) {
            return Ok(());
        }
        for c in claimed {
            self.deliver(&c, &items, &choices).await?;
        }
        Ok(())
    }

    async fn deliver(
        &self,
        c: &ClaimedPush,
        items: &[WaitingItem],
        choices: &Choices,
    ) -> Result<(), AppError> {
        let state = &self.state;
        let Some(item) = items
            .iter()
            .find(|i| i.key == c.item_key && choices.kinds.contains(&i.kind))
        else {
            // Done, paused or turned off before it could be sent: never sent.
            state
                .repo
                .push_failed(
                    &c.id,
                    &self.claimer,
                    "no longer waiting",
                    None,
                    state.clock().now_ms(),
                )
                .await?;
            return Ok(());
        };
        let body = payload(&state.config.instance_name, item, choices.detail).to_string();
        let outcome = self.send(c, body).await;
        let now = state.clock().now_ms();
        match outcome {
            Outcome::Sent => {
                state.repo.push_sent(&c.id, &self.claimer, now).await?;
                state
                    .repo
                    .push_subscription_used(&c.subscription_id, now)
                    .await?;
                metrics::counter!("rekindle_push_sent_total").increment(1);
            }
            Outcome::Gone => {
                state
                    .repo
                    .forget_push_subscription(&c.subscription_id)
                    .await?;
                metrics::counter!("rekindle_push_gone_total").increment(1);
                tracing::info!(device = %c.subscription_id, "the push service says a device is gone; removed it");
            }
            Outcome::Retry(error) => {
                metrics::counter!("rekindle_push_failures_total").increment(1);
                let attempts = u32::try_from(c.attempts).unwrap_or(u32::MAX);
                let retry_at = (attempts < dp::MAX_SEND_ATTEMPTS)
                    .then(|| now + dp::retry_backoff(attempts).num_milliseconds());
                if retry_at.is_some() {
                    metrics::counter!("rekindle_push_retries_total").increment(1);
                }
                tracing::warn!(push = %c.id, attempts, %error, will_retry = retry_at.is_some(), "push failed");
                state
                    .repo
                    .push_failed(&c.id, &self.claimer, &error, retry_at, now)
                    .await?;
            }
            Outcome::GiveUp(error) => {
                metrics::counter!("rekindle_push_failures_total").increment(1);
                tracing::warn!(push = %c.id, %error, "push refused; giving up on it");
                state
                    .repo
                    .push_failed(&c.id, &self.claimer, &error, None, now)
                    .await?;
            }
        }
        Ok(())
    }

    /// One encrypted, signed POST to the device's push service.
    async fn send(&self, c: &ClaimedPush, body: String) -> Outcome {
        let request = match self.request(c, body) {
            Ok(r) => r,
            Err(e) => return Outcome::GiveUp(e),
        };
        let (parts, body) = request.into_parts();
        let sent = self
            .client
            .post(&c.endpoint)
            .headers(parts.headers)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => Outcome::Sent,
            Ok(r) if matches!(r.status().as_u16(), 404 | 410) => Outcome::Gone,
            Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => {
                Outcome::Retry(format!("push service answered {}", r.status()))
            }
            Ok(r) => Outcome::GiveUp(format!("push service answered {}", r.status())),
            Err(e) => Outcome::Retry(format!("push service unreachable: {e}")),
        }
    }

    fn request(&self, c: &ClaimedPush, body: String) -> Result<http::Request<Vec<u8>>, String> {
        let key = URL_SAFE_NO_PAD
            .decode(&c.p256dh)
            .ok()
            .and_then(|k| web_push_native::p256::PublicKey::from_sec1_bytes(&k).ok())
            .ok_or("stored device key unreadable")?;
        let auth = URL_SAFE_NO_PAD
            .decode(&c.auth)
            .ok()
            .filter(|a| a.len() == 16)
            .ok_or("stored device secret unreadable")?;
        let url = reqwest::Url::parse(&c.endpoint).map_err(|e| e.to_string())?;
        let uri: http::Uri = c.endpoint.parse().map_err(|e| format!("{e}"))?;
        let mut request = WebPushBuilder::new(uri, key, Auth::clone_from_slice(&auth))
            .with_valid_duration(TTL)
            .build(body)
            .map_err(|e| e.to_string())?;
        // VAPID (RFC 8292): the audience is the endpoint's origin, port included.
        let claims = Claims::create(web_push_native::jwt_simple::prelude::Duration::from_secs(
            TTL.as_secs(),
        ))
        .with_audience(url.origin().ascii_serialization())
        .with_subject(&self.contact);
        let token = self.vapid.key.sign(claims).map_err(|e| e.to_string())?;
        let value = format!("vapid t={token}, k={}", self.vapid.public_b64);
        request.headers_mut().insert(
            http::header::AUTHORIZATION,
            value.parse().map_err(|_| "authorization header")?,
        );
        request
            .headers_mut()
            .insert("urgency", http::HeaderValue::from_static("normal"));
        Ok(request)
    }

    // ---- the email digest -----------------------------------------------------------------

    async fn digests(&self) -> Result<(), AppError> {
        let Some(mailer) = &self.mailer else {
            return Ok(());
        };
        let state = &self.state;
        let now = state.clock().now();
        for t in state.repo.digest_targets().await? {
            let choices = super::choices(state, &t.user_id).await?;
            let tz = tz_of(&t.time_zone);
            let local = now.with_timezone(&tz);
            if local.hour() < DIGEST_HOUR || choices.quiet_at(now, tz) {
                continue;
            }
            let Some(period) = digest_period(choices.digest, local.date_naive()) else {
                continue;
            };
            if crate::waiting::items_for(state, &t.user_id)
                .await?
                .is_empty()
            {
                continue;
            }
            let key = format!("digest:{}:{period}", t.user_id);
            state
                .repo
                .enqueue_digest(&new_id(), &key, &t.user_id, now.timestamp_millis())
                .await?;
        }
        let claimed = state
            .repo
            .claim_digests(&self.claimer, now.timestamp_millis(), LEASE_MS * 5, BATCH)
            .await?;
        for d in claimed {
            let items = crate::waiting::items_for(state, &d.user_id).await?;
            let at = state.clock().now_ms();
            if items.is_empty() {
                state
                    .repo
                    .digest_failed(&d.id, &self.claimer, "nothing waiting anymore", None, at)
                    .await?;
                continue;
            }
            let (subject, body) = compose_digest(
                &state.config.instance_name,
                state.config.public_url.as_deref(),
                &items,
            );
            match mailer.send_text(&d.email, subject, body).await {
                Ok(()) => {
                    state.repo.digest_sent(&d.id, &self.claimer, at).await?;
                    metrics::counter!("rekindle_digests_sent_total").increment(1);
                }
                Err(error) => {
                    metrics::counter!("rekindle_digest_send_failures_total").increment(1);
                    let attempts = u32::try_from(d.attempts).unwrap_or(u32::MAX);
                    let retry_at = (attempts < dp::MAX_SEND_ATTEMPTS)
                        .then(|| at + dp::retry_backoff(attempts).num_milliseconds());
                    tracing::warn!(digest = %d.id, attempts, %error, "digest email failed");
                    state
                        .repo
                        .digest_failed(&d.id, &self.claimer, &error, retry_at, at)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// The digest: how many things of each kind wait, and a link. No names, no words
/// of the partner's.
pub fn compose_digest(
    instance: &str,
    public_url: Option<&str>,
    items: &[WaitingItem],
) -> (String, String) {
    let subject = format!("Something is waiting for you in {instance}");
    let mut lines = String::new();
    for kind in rekindle_domain::waiting::ALL_KINDS {
        let n = items.iter().filter(|i| i.kind == kind).count();
        if n > 0 {
            lines.push_str(&format!("- {}: {n}\r\n", kind.label()));
        }
    }
    let (link, settings) = match public_url {
        Some(u) => {
            let u = u.trim_end_matches('/');
            (format!("{u}/"), format!("{u}/settings/notifications"))
        }
        None => (
            format!("Open {instance} to see them."),
            "Settings, Notifications".to_owned(),
        ),
    };
    let body = format!(
        "Hello,\r\n\r\nSome things are waiting for you in {instance}:\r\n\r\n{lines}\r\n{link}\r\n\r\n\
         You get this because you asked for a digest. To change or stop it: {settings}\r\n"
    );
    (subject, body)
}

/// Starts the sender (every server runs one; the outbox keeps them apart).
pub fn spawn(state: &AppState) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    // Subscribe before anything else so no change made during start-up is missed.
    let mut changes = state.bus.subscribe_all();
    tokio::spawn(async move {
        let sender = loop {
            match Sender::new(&state).await {
                Ok(s) => break s,
                Err(e) => {
                    tracing::warn!(error = ?e, "push sender could not start; retrying");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        };
        let mut every = tokio::time::interval(state.config.push_interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let done = tokio::select! {
                _ = every.tick() => sender.sweep().await,
                heard = changes.recv() => match heard {
                    Ok(key) => match key.strip_prefix("space:") {
                        Some(couple) => sender.space(&CoupleId::from(couple)).await,
                        None if key.is_empty() => sender.sweep().await,
                        None => Ok(()),
                    },
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => sender.sweep().await,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            };
            if let Err(e) = done {
                tracing::warn!(error = ?e, "push pass failed");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rekindle_domain::waiting::WaitingKind;

    fn item() -> WaitingItem {
        WaitingItem {
            key: "question:q1".into(),
            kind: WaitingKind::Question,
            what: "Sam answered a question. Your turn.".into(),
            href: "/questions/q1".into(),
            since: 0,
        }
    }

    #[test]
    fn the_payload_is_neutral_unless_detail_was_chosen() {
        let p = payload("Notes", &item(), false);
        assert_eq!(p["body"], NEUTRAL_TEXT);
        assert_eq!(p["url"], "/");
        assert_eq!(p["title"], "Notes");
        assert_eq!(p["tag"], "question:q1");
        let p = payload("Notes", &item(), true);
        assert_eq!(p["body"], "Sam answered a question. Your turn.");
        assert_eq!(p["url"], "/questions/q1");
    }

    #[test]
    fn the_digest_counts_and_links_only() {
        let (subject, body) = compose_digest("Rekindle", Some("https://r.example/"), &[item()]);
        assert_eq!(subject, "Something is waiting for you in Rekindle");
        assert!(body.contains("Questions your partner answered: 1"));
        assert!(!body.contains("Sam"));
        assert!(body.contains("https://r.example/settings/notifications"));
    }
}
