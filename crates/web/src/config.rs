use std::time::Duration;

/// Argon2id cost. Production uses OWASP's recommended minimum; tests may use a
/// cheaper setting so suites stay fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordHashing {
    Standard,
    /// Only for tests: a tiny cost, still argon2id.
    FastInsecure,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Used in invitation links and emails; if absent, links are built from the request's Host.
    pub public_url: Option<String>,
    /// Adds `Secure` to cookies; set when the instance is served over https.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    pub session_ttl: Duration,
    pub password_hashing: PasswordHashing,
    /// Sign-in / sign-up attempts allowed per client address per window.
    pub auth_attempts_per_ip: u32,
    /// Failed sign-ins allowed per account per window.
    pub auth_failures_per_account: u32,
    pub auth_window: Duration,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The name shown in titles and the header; an instance may choose something neutral.
    pub instance_name: String,
    /// Where the quick-exit control sends people.
    pub quick_exit_url: String,
    pub resources: crate::safety::resources::Resources,
    /// "Now" for time-based rules (time-outs, reminders, follow-ups); tests move it.
    pub clock: crate::clock::Clock,
    // Reminders
    /// The operator's mail server; without it email reminders are off.
    pub smtp: Option<SmtpSettings>,
    /// With a mail server: sign-ups finish through an emailed link, so the form
    /// never tells whether an address has an account (on by default).
    pub confirm_signups: bool,
    /// How often the reminder scheduler looks for due reminders.
    pub reminder_interval: Duration,
    // Web Push and the email digest
    /// How often the push sender sweeps (quiet hours ending, retries), besides
    /// reacting to every change at once.
    pub push_interval: Duration,
    /// Who the push services may contact about this server (the VAPID `sub`):
    /// `mailto:…` or an https URL. Unset: the public URL, else a placeholder.
    pub push_contact: Option<String>,
    /// Accept push endpoints on http://127.0.0.1 / [::1] (tests only; real
    /// push services are https).
    pub push_allow_loopback: bool,
    /// Keep what reading pages read between changes (`AppState::kept`). Off,
    /// every view is a first view after a change: for benchmarks of that path.
    pub keep_reads: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            public_url: None,
            secure_cookies: false,
            trust_proxy: false,
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            password_hashing: PasswordHashing::Standard,
            auth_attempts_per_ip: 30,
            auth_failures_per_account: 8,
            auth_window: Duration::from_secs(15 * 60),
            body_limit: 256 * 1024,
            instance_name: "Rekindle".into(),
            quick_exit_url: "https://duckduckgo.com/?q=weather".into(),
            resources: crate::safety::resources::Resources::default(),
            clock: crate::clock::Clock::system(),
            // Reminders
            smtp: None,
            confirm_signups: true,
            reminder_interval: Duration::from_secs(60),
            push_interval: Duration::from_secs(30),
            push_contact: None,
            push_allow_loopback: false,
            keep_reads: true,
        }
    }
}

/// The operator's mail server. The password never appears in logs.
#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtp://host:port` (plain, or `?tls=required|opportunistic` for STARTTLS),
    /// `smtps://host:port` (TLS from the start); credentials may be in the URL.
    pub url: String,
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = match self.url.split_once('@') {
            Some((scheme_creds, host)) => {
                let scheme = scheme_creds.split("://").next().unwrap_or("smtp");
                format!("{scheme}://…@{host}")
            }
            None => self.url.clone(),
        };
        f.debug_struct("SmtpSettings")
            .field("url", &shown)
            .field("from", &self.from)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}
