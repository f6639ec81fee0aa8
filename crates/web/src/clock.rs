//! The server's notion of "now", adjustable so tests need not wait for real time
//! (a 20-minute time-out, a reminder due at 08:00 local time).
//!
//! It is the system clock plus an offset: time keeps flowing in tests, it just
//! starts wherever the test put it. Production never changes the offset.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The real time; what `serve` uses.
    pub fn system() -> Self {
        Clock::default()
    }

    pub fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.now_ms()).unwrap_or_else(Utc::now)
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 2);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Makes "now" read `at` from this moment on (time keeps running from there).
    pub fn set(&self, at: DateTime<Utc>) {
        let offset = at.timestamp_millis() - Utc::now().timestamp_millis();
        self.offset_ms.store(offset, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_a_clone_moves_the_original() {
        let clock = Clock::system();
        let before = clock.now_ms();
        clock.clone().advance(Duration::from_secs(20 * 60));
        let moved = clock.now_ms() - before;
        assert!(moved >= 20 * 60 * 1000, "moved only {moved} ms");
        assert!(moved < 21 * 60 * 1000, "moved {moved} ms");
    }

    #[test]
    fn set_puts_now_at_the_given_instant() {
        let clock = Clock::system();
        let at = DateTime::parse_from_rfc3339("2027-03-28T00:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        clock.set(at);
        let diff = clock.now_ms() - at.timestamp_millis();
        assert!((0..60_000).contains(&diff), "off by {diff} ms");
    }
}
