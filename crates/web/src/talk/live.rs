//! Talks folded in memory, so a busy talk does not re-read its log.
//!
//! The database stays the only truth: a command decided on a remembered state
//! is appended only if the log still ends at that state's seq (and the talk
//! still belongs to the couple), otherwise the talk is read again. What this
//! server appends is applied here at once; a change announced by another
//! server, a deletion or a partner leaving drops the talk from memory, and the
//! next reader folds it again from the log.
//!
//! Two guards keep a slow reader from putting back an older state: a talk is
//! never replaced by one with a lower seq, and a state read before anything
//! was forgotten is not remembered after it (`generation`).

use rekindle_storage::{CoupleId, UserId};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rekindle_domain::talk::{Context, Phase, Recorded, Talk, rules_accepted_by_both};

/// Events kept per talk for sockets that are a little behind; one further back
/// reads the log.
const RECENT: usize = 32;
/// Talks kept at most; past that, talks not live or in a time-out are dropped.
const CAPACITY: usize = 8_192;

/// What the rules of a talk need from the couple's ground rules.
#[derive(Clone, Debug)]
pub struct Rules {
    pub accepted_by: Vec<String>,
    pub min_time_out: i64,
}

impl Rules {
    pub fn context(&self, talk: &Talk, now: i64) -> Context {
        Context {
            now,
            rules_accepted: rules_accepted_by_both(
                &self.accepted_by,
                &[&talk.requester, &talk.partner],
            ),
            min_time_out: self.min_time_out,
        }
    }
}

struct Entry {
    couple_id: CoupleId,
    talk: Talk,
    recent: VecDeque<Recorded>,
    /// `None` until read, and after this server saw the rules change.
    rules: Option<Rules>,
}

/// A copy of what is remembered about one talk.
pub struct Snapshot {
    pub talk: Talk,
    pub rules: Option<Rules>,
}

/// What a socket needs to catch up: the events after the ones it sent, and the state.
pub struct CatchUp {
    pub events: Vec<Recorded>,
    pub talk: Talk,
    pub rules: Rules,
}

#[derive(Default)]
pub struct LiveTalks {
    talks: Mutex<HashMap<String, Entry>>,
    /// Bumped whenever something is forgotten.
    generation: AtomicU64,
}

impl LiveTalks {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.talks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The remembered talk, if `user_id` of `couple_id` may act in it.
    pub fn get(&self, id: &str, couple_id: &CoupleId, user_id: &UserId) -> Option<Snapshot> {
        let talks = self.lock();
        let e = talks.get(id)?;
        (&e.couple_id == couple_id && is_member(&e.talk, user_id)).then(|| Snapshot {
            talk: e.talk.clone(),
            rules: e.rules.clone(),
        })
    }

    /// Events after `after` and the state, when memory can answer alone: the
    /// talk is remembered with its rules, the viewer belongs to it, and no
    /// event the socket has not sent has fallen out of the recent ones.
    pub fn catch_up(
        &self,
        id: &str,
        couple_id: &CoupleId,
        user_id: &UserId,
        after: i64,
    ) -> Option<CatchUp> {
        let talks = self.lock();
        let e = talks.get(id)?;
        if &e.couple_id != couple_id || !is_member(&e.talk, user_id) {
            return None;
        }
        let rules = e.rules.clone()?;
        let from = e.recent.front().map_or(e.talk.last_seq + 1, |r| r.seq);
        if after < e.talk.last_seq && after + 1 < from {
            return None;
        }
        Some(CatchUp {
            events: e.recent.iter().filter(|r| r.seq > after).cloned().collect(),
            talk: e.talk.clone(),
            rules,
        })
    }

    /// Read before reading a talk from the log, and given to `put` after.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Remembers a talk just folded from the log (`log` ends with its latest
    /// events), unless something was forgotten since `seen` or a newer state of
    /// the talk is already remembered.
    pub fn put(
        &self,
        seen: u64,
        id: &str,
        couple_id: &CoupleId,
        talk: &Talk,
        log: &[Recorded],
        rules: Option<Rules>,
    ) {
        let mut talks = self.lock();
        if self.generation() != seen {
            return;
        }
        if let Some(e) = talks.get_mut(id)
            && &e.couple_id == couple_id
            && e.talk.last_seq >= talk.last_seq
        {
            if e.rules.is_none() {
                e.rules = rules;
            }
            return;
        }
        if talks.len() >= CAPACITY && !talks.contains_key(id) {
            // Talks in progress are the ones worth keeping; the rest fold again when used.
            talks.retain(|_, e| matches!(e.talk.phase, Phase::Live | Phase::TimeOut));
            if talks.len() >= CAPACITY {
                talks.clear();
            }
        }
        let skip = log.len().saturating_sub(RECENT);
        let recent = log[skip..]
            .iter()
            .filter(|r| r.seq <= talk.last_seq)
            .cloned()
            .collect();
        talks.insert(
            id.to_owned(),
            Entry {
                couple_id: couple_id.clone(),
                talk: talk.clone(),
                recent,
                rules,
            },
        );
    }

    /// Applies what this server just appended after `after_seq`; a talk that
    /// moved on in between is dropped instead (it will be read again).
    pub fn appended(&self, id: &str, after_seq: i64, recorded: &[Recorded]) {
        let mut talks = self.lock();
        let Some(e) = talks.get_mut(id) else {
            return;
        };
        if e.talk.last_seq != after_seq {
            talks.remove(id);
            self.generation.fetch_add(1, Ordering::SeqCst);
            return;
        }
        for r in recorded {
            e.talk.apply(r);
            if e.recent.len() == RECENT {
                e.recent.pop_front();
            }
            e.recent.push_back(r.clone());
        }
    }

    /// Remembers the rules read since `seen` (see `generation`).
    pub fn set_rules(&self, seen: u64, id: &str, rules: Rules) {
        let mut talks = self.lock();
        if self.generation() != seen {
            return;
        }
        if let Some(e) = talks.get_mut(id) {
            e.rules = Some(rules);
        }
    }

    /// Forgets a talk: deleted, or changed by another server.
    pub fn forget(&self, id: &str) {
        let mut talks = self.lock();
        talks.remove(id);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Forgets every talk of a couple (someone left).
    pub fn forget_couple(&self, couple_id: &CoupleId) {
        let mut talks = self.lock();
        talks.retain(|_, e| &e.couple_id != couple_id);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The couple's ground rules changed: read them again when next needed.
    pub fn rules_changed(&self, couple_id: &CoupleId) {
        let mut talks = self.lock();
        for e in talks.values_mut() {
            if &e.couple_id == couple_id {
                e.rules = None;
            }
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Everything (the notices from other servers were interrupted).
    pub fn forget_all(&self) {
        let mut talks = self.lock();
        talks.clear();
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn is_member(talk: &Talk, user_id: &UserId) -> bool {
    talk.requester == user_id.as_str() || talk.partner == user_id.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rekindle_domain::talk::Event;

    fn requested() -> Recorded {
        Recorded {
            seq: 1,
            at: 0,
            by: "a".into(),
            event: Event::Requested {
                topic: "T".into(),
                times: vec![],
                length_min: None,
                with: "b".into(),
                mode: Default::default(),
                turn_min: None,
            },
        }
    }

    fn opened(seq: i64) -> Recorded {
        Recorded {
            seq,
            at: 0,
            by: "b".into(),
            event: Event::Opened,
        }
    }

    fn rules() -> Rules {
        Rules {
            accepted_by: vec!["a".into(), "b".into()],
            min_time_out: 20,
        }
    }

    fn remembered() -> LiveTalks {
        let live = LiveTalks::default();
        let log = [requested()];
        let talk = Talk::from_events(&log).unwrap();
        live.put(
            live.generation(),
            "t",
            &CoupleId::from("c"),
            &talk,
            &log,
            Some(rules()),
        );
        live
    }

    #[test]
    fn only_the_couples_partners_get_the_remembered_talk() {
        let live = remembered();
        assert!(
            live.get("t", &CoupleId::from("c"), &UserId::from("a"))
                .is_some()
        );
        assert!(
            live.get("t", &CoupleId::from("c"), &UserId::from("b"))
                .is_some()
        );
        assert!(
            live.get("t", &CoupleId::from("c"), &UserId::from("x"))
                .is_none()
        );
        assert!(
            live.get("t", &CoupleId::from("other"), &UserId::from("a"))
                .is_none()
        );
        assert!(
            live.catch_up("t", &CoupleId::from("c"), &UserId::from("x"), 0)
                .is_none()
        );
        assert!(
            live.catch_up("t", &CoupleId::from("other"), &UserId::from("b"), 0)
                .is_none()
        );
    }

    #[test]
    fn an_append_on_the_remembered_seq_is_applied_and_a_stale_one_forgets() {
        let live = remembered();
        live.appended("t", 1, &[opened(2)]);
        let c = live
            .catch_up("t", &CoupleId::from("c"), &UserId::from("b"), 1)
            .unwrap();
        assert_eq!(c.talk.last_seq, 2);
        assert_eq!(c.events.iter().map(|r| r.seq).collect::<Vec<_>>(), [2]);
        // Another writer got seq 3 first; what was decided on 2 must not be applied here.
        live.appended("t", 1, &[opened(3)]);
        assert!(
            live.get("t", &CoupleId::from("c"), &UserId::from("a"))
                .is_none()
        );
    }

    #[test]
    fn a_socket_too_far_behind_reads_the_log() {
        let live = remembered();
        for seq in 2..2 + RECENT as i64 + 5 {
            live.appended("t", seq - 1, &[opened(seq)]);
        }
        let last = 1 + RECENT as i64 + 5;
        assert!(
            live.catch_up("t", &CoupleId::from("c"), &UserId::from("a"), 1)
                .is_none()
        );
        let tail = live
            .catch_up("t", &CoupleId::from("c"), &UserId::from("a"), last - 3)
            .unwrap();
        assert_eq!(tail.events.len(), 3);
        let none = live
            .catch_up("t", &CoupleId::from("c"), &UserId::from("a"), last)
            .unwrap();
        assert!(none.events.is_empty());
    }

    #[test]
    fn an_older_or_outdated_read_is_not_put_back() {
        let live = remembered();
        let log = [requested()];
        let old = Talk::from_events(&log).unwrap();
        live.appended("t", 1, &[opened(2)]);
        // A reader that folded seq 1 while seq 2 was appended here.
        live.put(
            live.generation(),
            "t",
            &CoupleId::from("c"),
            &old,
            &log,
            None,
        );
        assert_eq!(
            live.get("t", &CoupleId::from("c"), &UserId::from("a"))
                .unwrap()
                .talk
                .last_seq,
            2
        );
        // A reader that started before another server's change was announced.
        let seen = live.generation();
        live.forget("t");
        live.put(seen, "t", &CoupleId::from("c"), &old, &log, None);
        assert!(
            live.get("t", &CoupleId::from("c"), &UserId::from("a"))
                .is_none()
        );
        live.put(
            live.generation(),
            "t",
            &CoupleId::from("c"),
            &old,
            &log,
            None,
        );
        assert!(
            live.get("t", &CoupleId::from("c"), &UserId::from("a"))
                .is_some()
        );
    }

    #[test]
    fn changed_rules_and_departures_are_forgotten() {
        let live = remembered();
        live.rules_changed(&CoupleId::from("c"));
        assert!(
            live.catch_up("t", &CoupleId::from("c"), &UserId::from("a"), 1)
                .is_none()
        );
        assert!(
            live.get("t", &CoupleId::from("c"), &UserId::from("a"))
                .unwrap()
                .rules
                .is_none()
        );
        live.set_rules(live.generation(), "t", rules());
        assert!(
            live.catch_up("t", &CoupleId::from("c"), &UserId::from("a"), 1)
                .is_some()
        );
        live.forget_couple(&CoupleId::from("c"));
        assert!(live.is_empty());
    }
}
