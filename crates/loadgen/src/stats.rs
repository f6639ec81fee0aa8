//! Per-worker counters and the latency histogram, merged at the end of a run.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

/// Latencies are recorded in microseconds with three significant figures
/// (every percentile is within 0.1% of the true value).
const SIGFIGS: u8 = 3;

/// A latency histogram in microseconds.
#[derive(Debug, Clone)]
pub struct Latencies {
    hist: Histogram<u64>,
}

/// Percentiles of a [`Latencies`], in milliseconds. All zero when nothing was recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LatencySummary {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Default for Latencies {
    fn default() -> Self {
        Self::new()
    }
}

impl Latencies {
    pub fn new() -> Self {
        // Auto-resizing: memory grows only with the largest latency actually seen,
        // which keeps a histogram per worker cheap.
        let hist = Histogram::new(SIGFIGS).expect("3 significant figures is a valid histogram");
        Self { hist }
    }

    /// Record one latency. Sub-microsecond values count as 1 µs, and anything over a
    /// day (far past any run's length) as a day.
    pub fn record(&mut self, latency: Duration) {
        const DAY_MICROS: u64 = 86_400 * 1_000_000;
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .clamp(1, DAY_MICROS);
        // Not `saturating_record`: that clamps to the current size instead of growing.
        self.hist
            .record(micros)
            .expect("an auto-resizing histogram records any value up to a day");
    }

    pub fn merge(&mut self, other: &Latencies) {
        // Both histograms auto-resize, so adding can't run out of range.
        self.hist
            .add(&other.hist)
            .expect("auto-resizing histograms always add");
    }

    pub fn len(&self) -> u64 {
        self.hist.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hist.is_empty()
    }

    pub fn summary(&self) -> LatencySummary {
        if self.hist.is_empty() {
            return LatencySummary::default();
        }
        let ms = |micros: u64| micros as f64 / 1000.0;
        LatencySummary {
            p50_ms: ms(self.hist.value_at_quantile(0.50)),
            p90_ms: ms(self.hist.value_at_quantile(0.90)),
            p99_ms: ms(self.hist.value_at_quantile(0.99)),
            max_ms: ms(self.hist.max()),
            mean_ms: self.hist.mean() / 1000.0,
        }
    }
}

/// A failure that produced no HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TransportError {
    /// The TCP connect or the HTTP/1.1 handshake failed.
    Connect,
    /// The request did not complete within the per-request timeout.
    Timeout,
    /// The connection failed while sending the request or reading the response.
    Io,
}

impl TransportError {
    pub fn as_str(self) -> &'static str {
        match self {
            TransportError::Connect => "connect",
            TransportError::Timeout => "timeout",
            TransportError::Io => "io",
        }
    }
}

/// What one worker (or the whole run, once merged) observed in the measured window.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Latency of every request that got a complete response, whatever its status.
    pub latencies: Latencies,
    /// Responses by HTTP status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Requests that got no response, by kind.
    pub transport: BTreeMap<TransportError, u64>,
}

impl Stats {
    pub fn record_response(&mut self, status: u16, latency: Duration) {
        self.latencies.record(latency);
        *self.statuses.entry(status).or_default() += 1;
    }

    pub fn record_transport_error(&mut self, err: TransportError) {
        *self.transport.entry(err).or_default() += 1;
    }

    pub fn merge(&mut self, other: &Stats) {
        self.latencies.merge(&other.latencies);
        for (status, n) in &other.statuses {
            *self.statuses.entry(*status).or_default() += n;
        }
        for (err, n) in &other.transport {
            *self.transport.entry(*err).or_default() += n;
        }
    }

    /// Every completed attempt: responses of any status plus transport errors.
    pub fn requests(&self) -> u64 {
        self.statuses.values().sum::<u64>() + self.transport.values().sum::<u64>()
    }

    /// Non-2xx responses plus transport errors.
    pub fn errors(&self) -> u64 {
        let non_2xx: u64 = self
            .statuses
            .iter()
            .filter(|(status, _)| !(200..300).contains(*status))
            .map(|(_, n)| n)
            .sum();
        non_2xx + self.transport.values().sum::<u64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Within hdrhistogram's 3-significant-figure resolution.
    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= expected * 0.001 + 1e-9
    }

    #[test]
    fn empty_summary_is_zero() {
        let l = Latencies::new();
        assert!(l.is_empty());
        assert_eq!(l.summary(), LatencySummary::default());
    }

    #[test]
    fn percentiles_of_uniform_1_to_1000_ms() {
        let mut l = Latencies::new();
        for i in 1..=1000 {
            l.record(ms(i));
        }
        assert_eq!(l.len(), 1000);
        let s = l.summary();
        assert!(close(s.p50_ms, 500.0), "p50 {}", s.p50_ms);
        assert!(close(s.p90_ms, 900.0), "p90 {}", s.p90_ms);
        assert!(close(s.p99_ms, 990.0), "p99 {}", s.p99_ms);
        assert!(close(s.max_ms, 1000.0), "max {}", s.max_ms);
        assert!(close(s.mean_ms, 500.5), "mean {}", s.mean_ms);
    }

    #[test]
    fn tail_percentiles_see_outliers() {
        // 98 fast requests at 1 ms, 2 slow ones at 250 ms: p90 stays fast, p99 and max are slow.
        let mut l = Latencies::new();
        for _ in 0..98 {
            l.record(ms(1));
        }
        l.record(ms(250));
        l.record(ms(250));
        let s = l.summary();
        assert!(close(s.p50_ms, 1.0), "p50 {}", s.p50_ms);
        assert!(close(s.p90_ms, 1.0), "p90 {}", s.p90_ms);
        assert!(close(s.p99_ms, 250.0), "p99 {}", s.p99_ms);
        assert!(close(s.max_ms, 250.0), "max {}", s.max_ms);
    }

    #[test]
    fn sub_microsecond_latency_counts_as_one_microsecond() {
        let mut l = Latencies::new();
        l.record(Duration::from_nanos(10));
        assert_eq!(l.summary().max_ms, 0.001);
    }

    #[test]
    fn huge_latency_is_clamped_not_lost() {
        let mut l = Latencies::new();
        l.record(Duration::from_secs(365 * 86_400));
        assert_eq!(l.len(), 1);
        assert!(close(l.summary().max_ms, 86_400_000.0));
    }

    #[test]
    fn merge_equals_recording_everything_in_one() {
        let mut a = Stats::default();
        let mut b = Stats::default();
        let mut all = Stats::default();
        for i in 1..=500 {
            a.record_response(200, ms(i));
            all.record_response(200, ms(i));
        }
        for i in 501..=1000 {
            b.record_response(if i % 100 == 0 { 503 } else { 200 }, ms(i));
            all.record_response(if i % 100 == 0 { 503 } else { 200 }, ms(i));
        }
        b.record_transport_error(TransportError::Connect);
        all.record_transport_error(TransportError::Connect);

        a.merge(&b);
        assert_eq!(a.latencies.summary(), all.latencies.summary());
        assert_eq!(a.statuses, all.statuses);
        assert_eq!(a.requests(), 1001);
        assert_eq!(a.statuses[&200], 995);
        assert_eq!(a.statuses[&503], 5);
        // 5 non-2xx + 1 connect error; the transport error has no latency.
        assert_eq!(a.errors(), 6);
        assert_eq!(a.latencies.len(), 1000);
    }

    #[test]
    fn only_non_2xx_statuses_are_errors() {
        let mut s = Stats::default();
        for status in [200, 201, 204, 299, 301, 404, 500] {
            s.record_response(status, ms(1));
        }
        assert_eq!(s.requests(), 7);
        assert_eq!(s.errors(), 3);
    }
}
