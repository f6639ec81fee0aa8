//! Fixed-window counters for sign-in and sign-up, per client address and per
//! account. They live in each process: with several app servers a client gets at
//! most N attempts per server, which still bounds guessing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Seconds until `key` may try again, if it has used up `limit` in `window`.
    pub fn blocked_for(&self, key: &str, limit: u32, window: Duration) -> Option<u64> {
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (start, count) = buckets.get(key)?;
        let elapsed = start.elapsed();
        if elapsed >= window || *count < limit {
            return None;
        }
        Some((window - elapsed).as_secs().max(1))
    }

    pub fn hit(&self, key: &str, window: Duration) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let entry = buckets.entry(key.to_owned()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }

    pub fn clear(&self, key: &str) {
        self.buckets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }

    pub fn forget_stale(&self, window: Duration) {
        self.buckets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, (start, _)| start.elapsed() < window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_says_for_how_long() {
        let l = RateLimiter::default();
        let w = Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(l.blocked_for("ip:1", 3, w), None);
            l.hit("ip:1", w);
        }
        let wait = l.blocked_for("ip:1", 3, w).expect("blocked");
        assert!((1..=60).contains(&wait));
        assert_eq!(l.blocked_for("ip:2", 3, w), None);
        l.clear("ip:1");
        assert_eq!(l.blocked_for("ip:1", 3, w), None);
    }

    #[test]
    fn a_new_window_starts_fresh() {
        let l = RateLimiter::default();
        let w = Duration::from_millis(0);
        l.hit("k", w);
        l.hit("k", w);
        assert_eq!(l.blocked_for("k", 1, w), None);
    }
}
