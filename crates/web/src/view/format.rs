//! Dates as a person reads them: always in their own time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub fn tz_of(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// "Sat 28 Nov 2026, 19:05" in the viewer's zone.
pub fn when(ms: i64, tz: Tz) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t
            .with_timezone(&tz)
            .format("%a %-d %b %Y, %H:%M")
            .to_string(),
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
