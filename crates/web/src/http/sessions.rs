//! A small cache of resolved sessions, so reading pages does not read the
//! session from the database on every request.
//!
//! An entry never outlives what ends a sign-in: every sign-out, password change,
//! token revocation, departure and erasure announces `person:<user id>` on the
//! bus (see `http::changes`), and the bus tells this cache about every notice,
//! this server's own at once and, on PostgreSQL, the other servers' and
//! processes' by LISTEN/NOTIFY, which arrives moments (milliseconds) after their
//! commit: that is how long another server may still serve a cached entry. A
//! notice drops that person's entries; a lost LISTEN connection drops them all
//! and turns the cache off until the listener is back (notices may have been
//! missed in between). A read that raced with a notice is not kept (the epoch
//! below). Entries are also bounded in number and in age (by the app's clock),
//! and a session's own expiry is checked on every hit.
//!
//! On SQLite another process (`rekindle admin`) may end sign-ins in the same
//! file; it cannot reach this memory, so it rewrites a notice file beside the
//! database (`Repo::outside_notice_file`) and the cache looks at that file (one
//! `stat`) before every use: a new file drops everything.
//!
//! Beside the sessions it keeps, per person, what reading pages derive from
//! their space's rows ([`SessionCache::kept`], through `AppState::kept`): the
//! count of what waits (the navigation's badge, a twelve-way query), the space
//! itself (who the partner is, whether it is paused), the journey's facts,
//! home's lines from the tools and each tool page's reads. A notice drops what
//! it may have changed: `space:<id>` what is kept for that space's members,
//! `person:<id>` what is kept for that person and for their partner (whose
//! kept space names them). Who is where comes from each person's space as a
//! reading page last read it ([`Place`]); while it is not known, any notice
//! drops what is kept for them.
//! Every write announces its space and its writer (`http::changes`), and the
//! talk room announces to the space whatever can change a page (its statements
//! are announced only by the talk's own key, which reaches no page kept here),
//! so a change in one couple's space leaves every other couple's kept pages be.
//! What changes with time alone (a check-in window, a follow-up date) shows
//! within [`KEPT_MAX_AGE_MS`] or through the page's own check. Only pages that
//! read use them: a write always reads afresh (`space::viewer`), so no write
//! acts on a space another server changed a moment ago.

use std::any::Any;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::SystemTime;

use std::sync::Arc;

use rekindle_storage::SessionUser;

/// Most sessions kept; when full, the oldest half goes.
pub const CAPACITY: usize = 4096;
/// An entry is read again from the database after this long (ms of the app's
/// clock): keeps "last used" on Your devices fresh (refreshed every ten minutes).
pub const MAX_AGE_MS: i64 = 60_000;

/// A kept value is read again after this long (ms, app clock).
pub const KEPT_MAX_AGE_MS: i64 = 30_000;

struct Entry {
    session: SessionUser,
    read_at: i64,
}

#[derive(Default)]
struct Entries {
    sessions: HashMap<String, Entry>,
    /// By person (user id): what reading pages derived for them.
    kept: HashMap<String, Kept>,
}

/// What is kept for one person.
#[derive(Default)]
struct Kept {
    /// Where they are, which says what notices reach what is kept for them.
    place: Place,
    /// By what a page derived: (the value, when read).
    values: HashMap<&'static str, (Value, i64)>,
}

/// A value a page derived; its page knows its type.
type Value = Arc<dyn Any + Send + Sync>;

/// Where a person is, as their space read last says ([`SessionCache::place`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Place {
    /// Not known: every notice reaches what is kept for them.
    #[default]
    Unknown,
    /// In no space: only their own `person:` notice reaches them (joining a
    /// space is their own write).
    Alone,
    /// In a space: its `space:` notice, and their own and their partner's
    /// `person:` notices.
    InSpace {
        couple: String,
        partner: Option<String>,
    },
}

impl Place {
    /// Whether the notice `key` may have changed what is kept for `user`, who
    /// is here.
    fn reached_by(&self, user: &str, key: &str) -> bool {
        if let Some(who) = key.strip_prefix("person:") {
            return match self {
                Place::Unknown => true,
                Place::Alone => who == user,
                Place::InSpace { partner, .. } => who == user || partner.as_deref() == Some(who),
            };
        }
        if let Some(space) = key.strip_prefix("space:") {
            return match self {
                Place::Unknown => true,
                Place::Alone => false,
                Place::InSpace { couple, .. } => couple == space,
            };
        }
        // A talk's own key: its statements. Whatever of a talk a page shows (a
        // phase, a time, an ask) is announced to its space too (`talk`).
        *self == Place::Unknown
    }
}

pub struct SessionCache {
    entries: Mutex<Entries>,
    /// Bumped (under the lock) by every invalidation.
    epoch: AtomicU64,
    /// False while notices may be missed (PostgreSQL before the listener is
    /// connected): nothing is served from or kept in the cache.
    live: AtomicBool,
    /// SQLite: the notice file other processes rewrite, and how it looked.
    outside: Option<(PathBuf, Mutex<Option<Stamp>>)>,
}

/// What tells one version of a notice file from the next: it is replaced by a
/// rename, so its inode and modification time change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl Stamp {
    /// The file's stamp now; `None` while it does not exist.
    pub fn of(file: &std::path::Path) -> Option<Stamp> {
        let m = std::fs::metadata(file).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            modified: m.modified().ok(),
            len: m.len(),
            inode,
        })
    }
}

impl SessionCache {
    pub fn new(live: bool) -> Self {
        SessionCache {
            entries: Mutex::default(),
            epoch: AtomicU64::new(0),
            live: AtomicBool::new(live),
            outside: None,
        }
    }

    /// A live cache that also watches `notice_file` (SQLite).
    pub fn watching(notice_file: PathBuf) -> Self {
        let seen = Stamp::of(&notice_file);
        SessionCache {
            outside: Some((notice_file, Mutex::new(seen))),
            ..SessionCache::new(true)
        }
    }

    /// Drops everything if another process rewrote the notice file since the
    /// last look.
    fn look_outside(&self) {
        let Some((file, seen)) = &self.outside else {
            return;
        };
        let now = Stamp::of(file);
        let changed = {
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            let changed = *seen != now;
            *seen = now;
            changed
        };
        if changed {
            self.forget_all();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached session for `id_hash`, if it is still good at `now`.
    pub fn get(&self, id_hash: &str, now: i64) -> Option<SessionUser> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        self.look_outside();
        let entries = self.lock();
        let e = entries.sessions.get(id_hash)?;
        let fresh = (e.read_at..e.read_at + MAX_AGE_MS).contains(&now);
        (fresh && e.session.expires_at > now).then(|| e.session.clone())
    }

    /// Taken before reading a session from the database; [`Self::put`] keeps
    /// the read only if nothing was invalidated in between.
    pub fn ticket(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub fn put(&self, ticket: u64, id_hash: &str, session: &SessionUser, now: i64) {
        if !self.live.load(Ordering::Acquire) {
            return;
        }
        let mut entries = self.lock();
        if self.epoch.load(Ordering::Acquire) != ticket {
            return;
        }
        let sessions = &mut entries.sessions;
        if sessions.len() >= CAPACITY {
            let mut ages: Vec<i64> = sessions.values().map(|e| e.read_at).collect();
            let (_, median, _) = ages.select_nth_unstable(CAPACITY / 2);
            let median = *median;
            sessions.retain(|_, e| e.read_at > median);
        }
        sessions.insert(
            id_hash.to_owned(),
            Entry {
                session: session.clone(),
                read_at: now,
            },
        );
    }

    /// What a reading page derived under `what` for `user`, if derived within
    /// [`KEPT_MAX_AGE_MS`] of `now` and of type `T`.
    pub fn kept<T: Any + Send + Sync>(
        &self,
        what: &'static str,
        user: &str,
        now: i64,
    ) -> Option<Arc<T>> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        self.look_outside();
        let entries = self.lock();
        let (found, at) = entries.kept.get(user)?.values.get(what)?;
        (*at..*at + KEPT_MAX_AGE_MS)
            .contains(&now)
            .then(|| found.clone())?
            .downcast::<T>()
            .ok()
    }

    pub fn keep<T: Any + Send + Sync>(
        &self,
        ticket: u64,
        what: &'static str,
        user: &str,
        found: Arc<T>,
        now: i64,
    ) {
        self.keep_if_unchanged(ticket, |e| {
            kept_for(&mut e.kept, user)
                .values
                .insert(what, (found, now));
        });
    }

    /// Says where `user` is, as a read made after `ticket` found: from then on
    /// only the notices that reach that place drop what is kept for them.
    pub fn place(&self, ticket: u64, user: &str, place: Place) {
        self.keep_if_unchanged(ticket, |e| kept_for(&mut e.kept, user).place = place);
    }

    /// Keeps what `put` stores, unless something was invalidated since
    /// `ticket` was taken (the read may predate the change).
    fn keep_if_unchanged(&self, ticket: u64, put: impl FnOnce(&mut Entries)) {
        if !self.live.load(Ordering::Acquire) {
            return;
        }
        let mut entries = self.lock();
        if self.epoch.load(Ordering::Acquire) == ticket {
            put(&mut entries);
        }
    }

    pub fn forget_all(&self) {
        let mut entries = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        *entries = Entries::default();
    }

    /// Turns the cache on or off (PostgreSQL: whether LISTEN is connected);
    /// either way it starts empty.
    pub fn set_live(&self, live: bool) {
        let mut entries = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        *entries = Entries::default();
        self.live.store(live, Ordering::Release);
    }

    /// A bus notice: `person:<id>` drops that person's sessions, the empty key
    /// ("look at everything again") everything; every notice drops what is
    /// kept for the people it may concern ([`Place`]).
    pub fn on_notice(&self, key: &str) {
        if key.is_empty() {
            self.forget_all();
            return;
        }
        let mut entries = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if let Some(user) = key.strip_prefix("person:") {
            entries
                .sessions
                .retain(|_, e| e.session.user.id.as_str() != user);
        }
        entries
            .kept
            .retain(|user, kept| !kept.place.reached_by(user, key));
    }

    /// Sessions held (the `session_cache_entries` gauge).
    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }
}

/// What is kept for `user`, made if needed; a full map starts over (a miss
/// costs one read).
fn kept_for<'a>(map: &'a mut HashMap<String, Kept>, user: &str) -> &'a mut Kept {
    if map.len() >= CAPACITY && !map.contains_key(user) {
        map.clear();
    }
    map.entry(user.to_owned()).or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rekindle_storage::User;

    fn session(user: &str, expires_at: i64) -> SessionUser {
        SessionUser {
            csrf_token: "csrf".into(),
            expires_at,
            user: User {
                id: user.into(),
                email: format!("{user}@example.org"),
                display_name: user.into(),
                time_zone: "UTC".into(),
                created_at: 0,
            },
        }
    }

    #[test]
    fn a_person_notice_drops_only_that_persons_sessions() {
        let c = SessionCache::new(true);
        c.put(c.ticket(), "a1", &session("ana", 1_000_000), 0);
        c.put(c.ticket(), "a2", &session("ana", 1_000_000), 0);
        c.put(c.ticket(), "b1", &session("ben", 1_000_000), 0);
        assert!(c.get("a1", 10).is_some());
        c.on_notice("space:couple-1");
        assert!(c.get("a1", 10).is_some());
        c.on_notice("person:ana");
        assert!(c.get("a1", 10).is_none() && c.get("a2", 10).is_none());
        assert_eq!(c.get("b1", 10).unwrap().user.id.as_str(), "ben");
        c.on_notice("");
        assert!(c.get("b1", 10).is_none());
    }

    #[test]
    fn a_rewritten_notice_file_drops_everything_before_the_next_use() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rekindle.db-notice");
        let c = SessionCache::watching(file.clone());
        c.put(c.ticket(), "a1", &session("ana", 1_000_000), 0);
        c.keep(c.ticket(), "waiting", "ana", Arc::new(2u32), 0);
        assert!(c.get("a1", 10).is_some(), "no file yet: nothing changed");
        std::fs::write(&file, "1 person:ana").unwrap();
        assert!(c.get("a1", 10).is_none(), "another process wrote a notice");
        c.put(c.ticket(), "a1", &session("ana", 1_000_000), 0);
        assert!(c.get("a1", 10).is_some(), "the same notice counts once");
        // A new notice arrives by rename, as `Repo::notify_from_outside` writes it.
        let tmp = dir.path().join("notice.tmp");
        std::fs::write(&tmp, "2 person:ana").unwrap();
        std::fs::rename(&tmp, &file).unwrap();
        assert_eq!(
            c.kept::<u32>("waiting", "ana", 10),
            None,
            "kept values go too"
        );
        assert!(c.get("a1", 10).is_none());
    }

    #[test]
    fn a_read_that_raced_with_a_notice_is_not_kept() {
        let c = SessionCache::new(true);
        let ticket = c.ticket();
        c.on_notice("person:ana");
        c.put(ticket, "a1", &session("ana", 1_000_000), 0);
        assert!(c.get("a1", 0).is_none());
    }

    #[test]
    fn expired_old_or_unlistened_entries_are_not_served() {
        let c = SessionCache::new(true);
        c.put(c.ticket(), "a1", &session("ana", 500), 0);
        assert!(c.get("a1", 499).is_some());
        assert!(c.get("a1", 500).is_none(), "the session expired");
        c.put(c.ticket(), "b1", &session("ben", i64::MAX), 0);
        assert!(c.get("b1", MAX_AGE_MS - 1).is_some());
        assert!(
            c.get("b1", MAX_AGE_MS).is_none(),
            "read again after a while"
        );
        c.set_live(false);
        c.put(c.ticket(), "b1", &session("ben", i64::MAX), 0);
        assert!(c.get("b1", 0).is_none());
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn what_pages_keep_drops_with_any_notice_and_with_time() {
        let c = SessionCache::new(true);
        let kept = |c: &SessionCache, now| c.kept::<u32>("space", "ben", now).map(|v| *v);
        c.keep(c.ticket(), "space", "ben", Arc::new(7u32), 0);
        assert_eq!(kept(&c, 10), Some(7));
        assert_eq!(
            c.kept::<String>("space", "ben", 10),
            None,
            "another type is not this one"
        );
        assert_eq!(c.kept::<u32>("home-lines", "ben", 10), None);
        assert_eq!(c.kept::<u32>("space", "ana", 10), None);
        assert_eq!(kept(&c, KEPT_MAX_AGE_MS - 1), Some(7));
        assert_eq!(kept(&c, KEPT_MAX_AGE_MS), None, "read again in time");
        // Ben's space names Ana: her notice drops it too, as does any change.
        for change in ["person:ana", "space:couple-2", "talk-9", ""] {
            c.keep(c.ticket(), "space", "ben", Arc::new(7u32), 0);
            c.keep(c.ticket(), "facts", "couple-1", Arc::new(3u32), 0);
            c.on_notice(change);
            assert_eq!(kept(&c, 10), None, "after {change:?}");
            assert_eq!(
                c.kept::<u32>("facts", "couple-1", 10),
                None,
                "after {change:?}"
            );
        }
        let ticket = c.ticket();
        c.on_notice("space:couple-1");
        c.keep(ticket, "space", "ben", Arc::new(7u32), 0);
        assert_eq!(kept(&c, 10), None, "read while a change came in");
        c.set_live(false);
        c.keep(c.ticket(), "space", "ben", Arc::new(7u32), 0);
        assert_eq!(kept(&c, 10), None, "not kept while notices may be missed");
    }

    #[test]
    fn a_notice_drops_only_what_is_kept_for_the_people_it_may_concern() {
        let c = SessionCache::new(true);
        let in_space = |couple: &str, partner: Option<&str>| Place::InSpace {
            couple: couple.into(),
            partner: partner.map(Into::into),
        };
        let fill = |c: &SessionCache| {
            for user in ["ana", "ben", "cat", "dan", "eve"] {
                c.keep(c.ticket(), "lines", user, Arc::new(1u32), 0);
            }
            c.place(c.ticket(), "ana", in_space("c1", Some("ben")));
            c.place(c.ticket(), "ben", in_space("c1", Some("ana")));
            c.place(c.ticket(), "cat", in_space("c2", None));
            c.place(c.ticket(), "dan", Place::Alone);
            // Eve's space was never read here: any notice reaches her.
        };
        let left = |c: &SessionCache| -> Vec<&str> {
            ["ana", "ben", "cat", "dan", "eve"]
                .into_iter()
                .filter(|u| c.kept::<u32>("lines", u, 10).is_some())
                .collect()
        };
        for (notice, kept) in [
            ("space:c1", vec!["cat", "dan"]),
            ("space:c2", vec!["ana", "ben", "dan"]),
            ("space:c9", vec!["ana", "ben", "cat", "dan"]),
            ("person:ana", vec!["cat", "dan"]),
            ("person:cat", vec!["ana", "ben", "dan"]),
            ("person:dan", vec!["ana", "ben", "cat"]),
            ("person:zoe", vec!["ana", "ben", "cat", "dan"]),
            ("talk-9", vec!["ana", "ben", "cat", "dan"]),
            ("", vec![]),
        ] {
            fill(&c);
            assert_eq!(left(&c), ["ana", "ben", "cat", "dan", "eve"]);
            c.on_notice(notice);
            assert_eq!(left(&c), kept, "after {notice:?}");
        }
        // A place read while a notice came in is not taken: Ana stays unknown.
        c.on_notice("");
        let ticket = c.ticket();
        c.on_notice("space:c2");
        c.keep(c.ticket(), "lines", "ana", Arc::new(1u32), 0);
        c.place(ticket, "ana", in_space("c1", Some("ben")));
        c.on_notice("space:c2");
        assert!(c.kept::<u32>("lines", "ana", 10).is_none());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let c = SessionCache::new(true);
        for i in 0..(CAPACITY as i64 * 3) {
            c.put(c.ticket(), &format!("s{i}"), &session("ana", i64::MAX), i);
        }
        assert!(c.len() <= CAPACITY);
        let last = CAPACITY as i64 * 3 - 1;
        assert!(c.get(&format!("s{last}"), last).is_some());
    }
}
