//! Checks on what a person types when they create or change their account.
//! Each check returns a message fit to show next to the field.

use chrono_tz::Tz;

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;
pub const DISPLAY_NAME_MAX_CHARS: usize = 60;
pub const EMAIL_MAX_CHARS: usize = 254;

/// Lower-cases and trims an email so one address maps to one account.
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("Enter your email address.");
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err("That email address is too long.");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("Enter an email address like name@example.com.");
    };
    let plausible = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !plausible {
        return Err("Enter an email address like name@example.com.");
    }
    Ok(email)
}

pub fn check_password(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err("Use at least 10 characters. A few unrelated words work well.");
    }
    if n > PASSWORD_MAX_CHARS {
        return Err("Use at most 256 characters.");
    }
    if password.trim().is_empty() {
        return Err("A password cannot be only spaces.");
    }
    Ok(())
}

pub fn normalize_display_name(raw: &str) -> Result<String, &'static str> {
    let name: String = raw
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned();
    if name.is_empty() {
        return Err("Enter the name your partner knows you by.");
    }
    if name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        return Err("Keep your name under 60 characters.");
    }
    Ok(name)
}

pub fn parse_time_zone(raw: &str) -> Result<Tz, &'static str> {
    raw.trim()
        .parse::<Tz>()
        .map_err(|_| "Choose a time zone from the list, for example Europe/Berlin.")
}

/// Every IANA zone name, for pickers.
pub fn time_zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            normalize_email("  Sam@Example.ORG ").unwrap(),
            "sam@example.org"
        );
        for bad in [
            "",
            "sam",
            "sam@",
            "@x.org",
            "sam@localhost",
            "a b@x.org",
            "a@b@c.org",
            "a@.org",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn passwords_need_some_length_but_no_composition_rules() {
        assert!(check_password("short").is_err());
        assert!(check_password("          ").is_err());
        assert!(check_password("correct horse battery").is_ok());
        assert!(check_password(&"x".repeat(257)).is_err());
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(normalize_display_name("  Ana \u{7}").unwrap(), "Ana");
        assert!(normalize_display_name("   ").is_err());
        assert!(normalize_display_name(&"a".repeat(61)).is_err());
    }

    #[test]
    fn time_zones_must_be_real_iana_names() {
        assert_eq!(
            parse_time_zone("Europe/Berlin").unwrap().name(),
            "Europe/Berlin"
        );
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert!(time_zone_names().any(|n| n == "America/New_York"));
    }
}

/// A neutral name for a browser, from its User-Agent: "Firefox on Android".
/// Only the broad family is kept, never the full string.
pub fn device_label(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        "Firefox"
    } else if ua.contains("Edg/") || ua.contains("EdgA/") || ua.contains("EdgiOS/") {
        "Edge"
    } else if ua.contains("SamsungBrowser/") {
        "Samsung Internet"
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        "Opera"
    } else if ua.contains("Chrome/") || ua.contains("CriOS/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "A browser"
    };
    let system = if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("iPhone") {
        Some("iPhone")
    } else if ua.contains("iPad") {
        Some("iPad")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("Mac")
    } else if ua.contains("CrOS") {
        Some("ChromeOS")
    } else if ua.contains("Linux") {
        Some("Linux")
    } else {
        None
    };
    match system {
        Some(s) => format!("{browser} on {s}"),
        None => browser.to_owned(),
    }
}

#[cfg(test)]
mod device_tests {
    use super::device_label;

    #[test]
    fn names_a_browser_by_family_and_system_only() {
        let cases = [
            (
                "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
                "Firefox on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            ("curl/8.5.0", "A browser"),
            ("", "A browser"),
        ];
        for (ua, want) in cases {
            assert_eq!(device_label(ua), want, "{ua}");
        }
    }
}
