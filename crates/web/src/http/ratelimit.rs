//! Fixed-window counters for sign-in, sign-up and password reset requests, per
//! client address and per account. They live in the database (table
//! `rate_limits`), so every server of a deployment counts the same attempts: N
//! servers on one PostgreSQL allow what one server allows, not N times as much.
//! The count and the check are one statement, so servers racing on one key
//! never lose an attempt.

use std::time::Duration;

use rekindle_storage::{Repo, StoreResult};

pub struct RateLimiter {
    repo: Repo,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Whole seconds from `now` until a window that started at `start` is over (at least 1).
fn retry_after(start: i64, window: Duration, now: i64) -> u64 {
    let left = start.saturating_add(ms(window)).saturating_sub(now);
    u64::try_from(left).unwrap_or(0).div_ceil(1000).max(1)
}

impl RateLimiter {
    pub fn new(repo: Repo) -> Self {
        RateLimiter { repo }
    }

    /// Seconds until `key` may try again, if it has used up `limit` in `window`.
    pub async fn blocked_for(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        now: i64,
    ) -> StoreResult<Option<u64>> {
        let Some((hits, start)) = self.repo.rate_limit_count(key, now, ms(window)).await? else {
            return Ok(None);
        };
        if hits < i64::from(limit) {
            return Ok(None);
        }
        Ok(Some(retry_after(start, window, now)))
    }

    /// Counts one attempt for `key`.
    pub async fn hit(&self, key: &str, window: Duration, now: i64) -> StoreResult<()> {
        self.repo.rate_limit_hit(key, now, ms(window)).await?;
        Ok(())
    }

    pub async fn clear(&self, key: &str) -> StoreResult<()> {
        self.repo.rate_limit_clear(key).await
    }

    pub async fn forget_stale(&self, window: Duration, now: i64) -> StoreResult<u64> {
        self.repo.rate_limit_forget_stale(now, ms(window)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let w = Duration::from_secs(60);
        assert_eq!(retry_after(0, w, 0), 60);
        assert_eq!(retry_after(0, w, 59_001), 1);
        assert_eq!(retry_after(0, w, 58_999), 2);
        assert_eq!(retry_after(0, w, 70_000), 1);
    }
}
