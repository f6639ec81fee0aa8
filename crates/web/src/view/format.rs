//! Dates as a person reads them: always in their own time zone.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Sat 28 Nov 2026". Written out rather than with a chrono format string,
/// whose parsing on every call was a tenth of the plan page's CPU.
pub fn day(d: impl Datelike) -> String {
    format!(
        "{} {} {} {}",
        d.weekday(),
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

pub fn tz_of(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// "Sat 28 Nov 2026, 19:05" in the viewer's zone.
pub fn when(ms: i64, tz: Tz) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => {
            let t = t.with_timezone(&tz);
            format!("{}, {:02}:{:02}", day(t), t.hour(), t.minute())
        }
        None => String::new(),
    }
}

/// ISO 8601 with the viewer's offset, for `<time datetime>` and the API.
pub fn iso(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_as_chrono_would_write_them() {
        let mut d = chrono::NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        while d.year() < 2031 {
            assert_eq!(day(d), d.format("%a %-d %b %Y").to_string());
            d = d.succ_opt().unwrap();
        }
    }

    #[test]
    fn dates_follow_the_viewers_zone() {
        // 2026-11-28T23:30:00Z
        let ms = 1_795_908_600_000;
        assert_eq!(when(ms, tz_of("UTC")), "Sat 28 Nov 2026, 23:30");
        assert_eq!(when(ms, tz_of("Europe/Berlin")), "Sun 29 Nov 2026, 00:30");
        assert_eq!(
            when(ms, tz_of("America/New_York")),
            "Sat 28 Nov 2026, 18:30"
        );
        assert_eq!(iso(ms), "2026-11-28T23:30:00Z");
    }
}
