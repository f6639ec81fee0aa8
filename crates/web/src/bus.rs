//! "X changed", and nothing more: the database is the truth, so whoever is told
//! about a change reads it again (a talk socket reads the events after the last
//! one it sent; a "waiting for you" stream recounts). A lost or repeated notice
//! is therefore harmless.
//!
//! Keys: a talk's id (the talk room), `space:<couple id>` (something in a
//! couple's space changed: what waits for either partner may differ) and
//! `person:<user id>` (that person signed out, changed their password, revoked a
//! token, left or was erased: their live streams check who they are again).
//!
//! `LocalBus` is an in-process fan-out (one server, e.g. SQLite). On PostgreSQL
//! `PgBus` also runs `NOTIFY rekindle_talk, '<server>/<key>'`, and one `LISTEN`
//! connection per server feeds the other servers' notices into the local
//! fan-out, so partners connected to different servers see each other. A server
//! skips its own notices (it woke its listeners when it published) and tells
//! `on_remote` about the others' (the talk room forgets what it remembered).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use rekindle_storage::Repo;
use tokio::sync::watch;

use tokio::sync::broadcast;

use rekindle_storage::{CoupleId, UserId};

use crate::http::sessions::SessionCache;

pub type BoxFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// The key announced when something in a couple's space changed.
pub fn space_key(couple: &CoupleId) -> String {
    format!("space:{couple}")
}

/// The key announced when a person's sign-in may no longer hold.
pub fn person_key(user: &UserId) -> String {
    format!("person:{user}")
}

/// What the live parts of the app need from an event bus.
pub trait EventBus: Send + Sync {
    /// Announces that `key` changed (a talk has new events, a space changed…).
    fn publish<'a>(&'a self, key: &'a str) -> BoxFuture<'a>;
    /// A receiver that changes whenever `key` is announced.
    fn subscribe(&self, key: &str) -> watch::Receiver<u64>;
    /// Every key announced from now on, here or on another server (for workers
    /// that act on any change, like push notifications). A receiver that lags
    /// is told so and should look at everything again.
    fn subscribe_all(&self) -> broadcast::Receiver<String>;
}

/// Per-key wake-ups within this process.
pub struct LocalBus {
    talks: Mutex<HashMap<String, watch::Sender<u64>>>,
    all: broadcast::Sender<String>,
    /// This server's name in the notices it sends.
    origin: String,
    /// Cached sessions, told about every notice (`person:<id>` ends them).
    pub sessions: Arc<SessionCache>,
}

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus::new(true)
    }
}

/// `origin/talk id`, the payload of a notice.
fn notice(origin: &str, talk_id: &str) -> String {
    format!("{origin}/{talk_id}")
}

/// The sender and the talk of a notice.
fn parse_notice(payload: &str) -> (&str, &str) {
    payload.split_once('/').unwrap_or(("", payload))
}

impl LocalBus {
    /// `sessions_live`: whether the session cache may be used from the start
    /// (unit tests); servers start with it off, and on PostgreSQL the listener
    /// turns it on once connected (SQLite never does: see `for_repo`).
    pub fn new(sessions_live: bool) -> Self {
        Self::with_sessions(SessionCache::new(sessions_live))
    }

    fn with_sessions(sessions: SessionCache) -> Self {
        LocalBus {
            talks: Mutex::default(),
            all: broadcast::channel(1024).0,
            origin: crate::http::secrets::random_token(8),
            sessions: Arc::new(sessions),
        }
    }

    pub fn poke(&self, talk_id: &str) {
        self.sessions.on_notice(talk_id);
        // Nobody listening is fine.
        let _ = self.all.send(talk_id.to_owned());
        let mut talks = self.talks.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = talks.get(talk_id) {
            if tx.receiver_count() == 0 {
                talks.remove(talk_id);
            } else {
                tx.send_modify(|n| *n = n.wrapping_add(1));
            }
        }
    }

    /// Wakes every listener (after a lost LISTEN connection); workers on
    /// `subscribe_all` hear an empty key, "look at everything".
    pub fn poke_all(&self) {
        self.sessions.forget_all();
        let _ = self.all.send(String::new());
        let mut talks = self.talks.lock().unwrap_or_else(|e| e.into_inner());
        talks.retain(|_, tx| tx.receiver_count() > 0);
        for tx in talks.values() {
            tx.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    fn subscribe_local(&self, talk_id: &str) -> watch::Receiver<u64> {
        let mut talks = self.talks.lock().unwrap_or_else(|e| e.into_inner());
        talks
            .entry(talk_id.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Sockets currently subscribed, for tests and metrics.
    pub fn subscribed_talks(&self) -> usize {
        let talks = self.talks.lock().unwrap_or_else(|e| e.into_inner());
        talks.values().filter(|t| t.receiver_count() > 0).count()
    }
}

impl EventBus for LocalBus {
    fn publish<'a>(&'a self, talk_id: &'a str) -> BoxFuture<'a> {
        Box::pin(async move { self.poke(talk_id) })
    }

    fn subscribe(&self, talk_id: &str) -> watch::Receiver<u64> {
        self.subscribe_local(talk_id)
    }

    fn subscribe_all(&self) -> broadcast::Receiver<String> {
        self.all.subscribe()
    }
}

/// PostgreSQL: NOTIFY for the other servers, plus the local fan-out.
pub struct PgBus {
    repo: Repo,
    local: Arc<LocalBus>,
}

impl EventBus for PgBus {
    fn publish<'a>(&'a self, talk_id: &'a str) -> BoxFuture<'a> {
        Box::pin(async move {
            // Our own sockets at once; the listeners of the other servers wake theirs.
            self.local.poke(talk_id);
            if let Err(e) = self
                .repo
                .notify_talk(&notice(&self.local.origin, talk_id))
                .await
            {
                tracing::warn!(error = %e, "could not announce a talk change");
            }
        })
    }

    fn subscribe(&self, talk_id: &str) -> watch::Receiver<u64> {
        self.local.subscribe_local(talk_id)
    }

    fn subscribe_all(&self) -> broadcast::Receiver<String> {
        self.local.all.subscribe()
    }
}

/// The bus for a repository: `PgBus` on PostgreSQL, `LocalBus` otherwise.
pub fn for_repo(repo: &Repo) -> (Arc<dyn EventBus>, Arc<LocalBus>) {
    // On PostgreSQL the session cache goes live once LISTEN holds (other
    // servers and `rekindle admin` NOTIFY). On SQLite it is live at once and
    // watches the notice file `rekindle admin` rewrites (a restore needs the
    // server stopped).
    let local = Arc::new(match repo.outside_notice_file() {
        Some(file) => LocalBus::with_sessions(SessionCache::watching(file)),
        None => LocalBus::new(false),
    });
    let bus: Arc<dyn EventBus> = match repo.backend() {
        rekindle_storage::Backend::Postgres => Arc::new(PgBus {
            repo: repo.clone(),
            local: local.clone(),
        }),
        rekindle_storage::Backend::Sqlite => local.clone(),
    };
    (bus, local)
}

/// How often a SQLite server looks for a notice from another process, for
/// open sockets and streams (cached sessions look before every use).
const OUTSIDE_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// PostgreSQL: one LISTEN connection for this server, feeding the local fan-out.
/// Reconnects on its own; after a gap every listener resyncs from the database
/// (`on_remote("")` means "forget everything"). SQLite: a look at the notice
/// file every second; a new notice resyncs everything the same way (it does not
/// say whose sign-ins ended, and open sockets re-check theirs).
pub fn spawn_listener(
    repo: Repo,
    local: Arc<LocalBus>,
    on_remote: impl Fn(&str) + Send + Sync + 'static,
) -> Option<tokio::task::JoinHandle<()>> {
    if repo.backend() != rekindle_storage::Backend::Postgres {
        let file = repo.outside_notice_file()?;
        return Some(tokio::spawn(async move {
            let mut seen = crate::http::sessions::Stamp::of(&file);
            loop {
                tokio::time::sleep(OUTSIDE_POLL).await;
                let now = crate::http::sessions::Stamp::of(&file);
                if now != seen {
                    seen = now;
                    on_remote("");
                    local.poke_all();
                }
            }
        }));
    }
    Some(tokio::spawn(async move {
        loop {
            let mut listener = match repo.listen_talks().await {
                Ok(Some(l)) => l,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "talk listener could not connect; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
            };
            // Notices may have been missed: everything is read again from the log.
            let resync = || {
                on_remote("");
                local.poke_all();
            };
            resync();
            local.sessions.set_live(true);
            loop {
                match listener.recv().await {
                    Ok(Some(payload)) => {
                        let (origin, id) = parse_notice(&payload);
                        // Our own sockets were woken when we published.
                        if origin != local.origin {
                            on_remote(id);
                            local.poke(id);
                        }
                    }
                    // The connection was lost: notices may be missed until a new
                    // LISTEN holds, so the session cache stays off until then.
                    Ok(None) => {
                        local.sessions.set_live(false);
                        resync();
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "talk listener failed; reconnecting");
                        local.sessions.set_live(false);
                        resync();
                        break;
                    }
                }
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_poke_wakes_only_that_talks_subscribers() {
        let bus = LocalBus::default();
        let mut a = bus.subscribe("a");
        let b = bus.subscribe("b");
        bus.publish("a").await;
        assert!(a.has_changed().unwrap());
        assert!(!b.has_changed().unwrap());
        a.mark_unchanged();
        bus.poke_all();
        assert!(a.has_changed().unwrap() && b.has_changed().unwrap());
        drop(a);
        bus.poke("a");
        assert_eq!(bus.subscribed_talks(), 1);
    }

    #[test]
    fn a_notice_names_its_server_and_talk() {
        let n = notice("srv1", "talk-9");
        assert_eq!(parse_notice(&n), ("srv1", "talk-9"));
        assert_eq!(parse_notice("bare"), ("", "bare"));
    }
}
