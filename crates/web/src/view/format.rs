//! Dates as a person reads them: always in their own time zone.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Sat 28 Nov 2026". Written out rather than with a chrono format string,
/// whose parsing on every call was a tenth of the plan page's CPU.
pub fn day(d: impl Datelike) -> String {
    let year = d.year();
    if !(1000..=9999).contains(&year) {
        // Never met in practice (dates are checked to 2000–2200); kept exact.
        return chrono::NaiveDate::from_ymd_opt(year, d.month(), d.day())
            .map(|n| n.format("%a %-d %b %Y").to_string())
            .unwrap_or_default();
    }
    let mut s = String::with_capacity(16);
    s.push_str(WEEKDAYS[d.weekday().num_days_from_monday() as usize]);
    s.push(' ');
    push_number(&mut s, d.day());
    s.push(' ');
    s.push_str(MONTHS[d.month0() as usize]);
    s.push(' ');
    push_number(&mut s, year as u32);
    s
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Appends `n` in decimal (as `{n}` would), without the formatting machinery:
/// the plan page writes a few hundred dates, and `format!` for `day` and
/// `date_key` measured about 10 % more of its CPU (BENCHMARKS.md, issue 18,
/// fifth session).
fn push_number(s: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &c in &digits[at..] {
        s.push(char::from(c));
    }
}

/// `YYYY-MM-DD`, as a date's `Display` writes it (the plan's keys and links).
pub fn date_key(d: chrono::NaiveDate) -> String {
    let (y, m, dd) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.to_string();
    }
    let mut s = String::with_capacity(10);
    for n in [y as u32 / 100, y as u32 % 100, m, dd] {
        s.push(char::from(b'0' + (n / 10) as u8));
        s.push(char::from(b'0' + (n % 10) as u8));
        if s.len() == 4 || s.len() == 7 {
            s.push('-');
        }
    }
    s
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
            assert_eq!(date_key(d), d.to_string());
            d = d.succ_opt().unwrap();
        }
    }

    #[test]
    fn dates_far_away_read_as_chrono_would_write_them() {
        for (y, m, d) in [
            (1, 1, 1),
            (999, 12, 31),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 3, 1),
        ] {
            let d = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(day(d), d.format("%a %-d %b %Y").to_string());
            assert_eq!(date_key(d), d.to_string());
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
