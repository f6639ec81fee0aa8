//! Memory of the server under test, read from `/proc/PID/status`.

use std::time::Duration;

use serde::Serialize;
use tokio::sync::oneshot;

/// How often VmRSS is sampled during a run.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(100);

/// What the sampler saw of one process.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RssReport {
    /// The process that was sampled.
    pub pid: u32,
    /// Highest VmRSS seen in the samples taken during the run (warmup included), in MiB.
    /// `None` if no sample could be read (no such process, or not Linux).
    pub peak_rss_mib: Option<f64>,
    /// VmHWM read at the end of the run: the kernel's own high-water mark of the
    /// process's RSS over its whole life (so it includes startup), in MiB.
    pub vm_hwm_mib: Option<f64>,
    /// How many VmRSS samples were read.
    pub rss_samples: u64,
}

/// Value of a `Key:   1234 kB` line of a `/proc/PID/status` text, in kB.
pub fn status_field_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let mut parts = rest.split_whitespace();
        let value = parts.next()?.parse().ok()?;
        match parts.next() {
            Some("kB") | None => Some(value),
            Some(_) => None,
        }
    })
}

fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn read_status(pid: u32) -> Option<String> {
    // procfs reads don't block on disk, so a plain read is fine inside the runtime.
    std::fs::read_to_string(format!("/proc/{pid}/status")).ok()
}

/// A background task sampling VmRSS of `pid` every [`SAMPLE_INTERVAL`] until stopped.
pub struct Sampler {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<RssReport>,
}

impl Sampler {
    pub fn start(pid: u32) -> Self {
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let mut report = RssReport {
                pid,
                ..RssReport::default()
            };
            let sample = |report: &mut RssReport| {
                if let Some(kib) = read_status(pid).and_then(|s| status_field_kib(&s, "VmRSS")) {
                    let mib = kib_to_mib(kib);
                    report.rss_samples += 1;
                    report.peak_rss_mib = Some(report.peak_rss_mib.map_or(mib, |p| p.max(mib)));
                }
            };
            let mut ticks = tokio::time::interval(SAMPLE_INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = ticks.tick() => sample(&mut report),
                }
            }
            // One last look at the end: current RSS and the lifetime high-water mark.
            sample(&mut report);
            report.vm_hwm_mib = read_status(pid)
                .and_then(|s| status_field_kib(&s, "VmHWM"))
                .map(kib_to_mib);
            report
        });
        Self { stop, task }
    }

    pub async fn finish(self) -> RssReport {
        let _ = self.stop.send(());
        self.task.await.expect("the RSS sampler does not panic")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\trekindle\nVmPeak:\t  912340 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\nThreads:\t4\n";

    #[test]
    fn parses_kib_fields() {
        assert_eq!(status_field_kib(STATUS, "VmRSS"), Some(40960));
        assert_eq!(status_field_kib(STATUS, "VmHWM"), Some(51200));
        assert_eq!(status_field_kib(STATUS, "VmSwap"), None);
        // A key is matched whole, not as a prefix of another key.
        assert_eq!(status_field_kib(STATUS, "Vm"), None);
        assert_eq!(kib_to_mib(40960), 40.0);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn samples_own_process() {
        let sampler = Sampler::start(std::process::id());
        tokio::time::sleep(Duration::from_millis(250)).await;
        let report = sampler.finish().await;
        assert!(report.rss_samples >= 2, "{report:?}");
        let peak = report.peak_rss_mib.expect("own VmRSS is readable");
        assert!(peak > 0.0);
        assert!(report.vm_hwm_mib.expect("own VmHWM is readable") > 0.0);
    }

    #[tokio::test]
    async fn missing_process_gives_no_figures() {
        // PIDs are bounded by pid_max (at most 2^22), so this one never exists.
        let sampler = Sampler::start(u32::MAX);
        tokio::time::sleep(Duration::from_millis(150)).await;
        let report = sampler.finish().await;
        assert_eq!(report.rss_samples, 0);
        assert_eq!(report.peak_rss_mib, None);
        assert_eq!(report.vm_hwm_mib, None);
    }
}
