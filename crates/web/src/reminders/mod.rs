//! Email reminders: each person's choices (which kinds, what local time), the
//! scheduler that puts due reminders in the outbox and sends them, and the
//! mail itself, which never says more than "something is planned today".
//!
//! Exactly once across servers: a reminder's key (person, kind, local date) is
//! unique in the outbox, and a server sends only what it claimed in a
//! transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL) for a lease. A failed
//! send is retried with exponential backoff and counted in
//! `rekindle_reminder_send_failures_total`; sent ones in `rekindle_reminders_sent_total`.
//! (If a server dies between sending and recording, the lease runs out and the
//! reminder is sent again: at least once in that rare case, never twice otherwise.)

pub mod api;
pub mod calendar;
pub mod page;

use rekindle_storage::{
    ClaimedReminder, NewReminder, ReminderPrefsRow, ReminderSubscriber, UserId, Viewer,
};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rekindle_domain::plan::{self as dp, ReminderKind, ReminderPrefs};

use crate::http::error::{AppError, FieldErrors};
use crate::http::secrets::{new_id, random_token};
use crate::state::AppState;
use crate::view::format::tz_of;

pub use crate::config::SmtpSettings;

/// Kinds a person can choose (every kind has its source now).
pub fn offered_kinds() -> Vec<ReminderKind> {
    ReminderKind::ALL
        .into_iter()
        .filter(|k| source_exists(*k))
        .collect()
}

fn source_exists(kind: ReminderKind) -> bool {
    match kind {
        ReminderKind::Actions
        | ReminderKind::Checkins
        | ReminderKind::FollowUps
        | ReminderKind::Talks => true,
    }
}

pub const DEFAULT_MINUTE: i64 = 8 * 60;

pub struct Choices {
    pub kinds: Vec<ReminderKind>,
    pub minute_of_day: i64,
}

pub async fn choices(state: &AppState, user_id: &UserId) -> Result<Choices, AppError> {
    Ok(match state.repo.reminder_prefs(user_id).await? {
        Some(p) => Choices {
            kinds: ReminderPrefs::parse_kinds(&p.kinds),
            minute_of_day: p.minute_of_day,
        },
        None => Choices {
            kinds: Vec::new(),
            minute_of_day: DEFAULT_MINUTE,
        },
    })
}

pub fn time_text(minute_of_day: i64) -> String {
    format!("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
}

pub fn parse_time(s: &str) -> Option<i64> {
    let t = NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S"))
        .ok()?;
    Some(i64::from(t.hour()) * 60 + i64::from(t.minute()))
}

pub async fn save_choices(
    state: &AppState,
    user_id: &UserId,
    kinds: &[String],
    time: &str,
) -> Result<Choices, AppError> {
    let mut errors = FieldErrors::new();
    let mut chosen = Vec::new();
    for k in kinds {
        match ReminderKind::parse(k) {
            Some(kind) if source_exists(kind) => chosen.push(kind),
            _ => {
                errors.insert("kinds", "Choose from the kinds listed.".into());
            }
        }
    }
    let minute = parse_time(time);
    if minute.is_none() {
        errors.insert("time", "Enter a time such as 08:00.".into());
    }
    let (Some(minute), true) = (minute, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    state
        .repo
        .set_reminder_prefs(&ReminderPrefsRow {
            user_id: user_id.clone(),
            kinds: ReminderPrefs::kinds_text(&chosen),
            minute_of_day: minute,
            updated_at: state.clock().now_ms(),
        })
        .await?;
    Ok(Choices {
        kinds: ReminderPrefs::parse_kinds(&ReminderPrefs::kinds_text(&chosen)),
        minute_of_day: minute,
    })
}

// ---- what is planned --------------------------------------------------------------

/// Whether `kind` has something for this person on their local `date`. Each
/// kind is one source; the merge adds follow-ups and talks as one arm each.
async fn planned(
    state: &AppState,
    sub: &ReminderSubscriber,
    viewer: &Viewer,
    kind: ReminderKind,
    date: NaiveDate,
    tz: Tz,
) -> Result<bool, AppError> {
    match kind {
        ReminderKind::Actions => crate::plan::has_action_on(state, viewer, date).await,
        ReminderKind::Checkins => {
            let Some(couple) = sub.couple_id.as_ref() else {
                return Ok(false);
            };
            if viewer.partner_id.is_none() {
                return Ok(false);
            }
            Ok(
                !crate::reminders::calendar::checkins_between(state, couple, date, date, tz)
                    .await?
                    .is_empty(),
            )
        }
        ReminderKind::FollowUps => Ok(crate::reminders::calendar::follow_up_days(
            state, viewer, tz,
        )
        .await?
        .iter()
        .any(|(_, day)| *day == date)),
        ReminderKind::Talks => Ok(crate::reminders::calendar::scheduled_talks(state, viewer)
            .await?
            .iter()
            .any(|(_, at)| at.with_timezone(&tz).date_naive() == date)),
    }
}

/// Puts every reminder due at `now` in the outbox (a key already there is skipped).
pub async fn enqueue_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut added = 0;
    for sub in state.repo.reminder_subscribers().await? {
        let tz = tz_of(&sub.time_zone);
        let minute = u32::try_from(sub.minute_of_day.clamp(0, 1439)).unwrap_or(0);
        let prefs = ReminderPrefs {
            kinds: ReminderPrefs::parse_kinds(&sub.kinds),
            at: NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or(NaiveTime::MIN),
            tz,
        };
        // What may be due needs no query at all before the local time has come.
        let candidates = dp::due_reminders(&sub.user_id, &prefs, now, |_, _| true);
        if candidates.is_empty() {
            continue;
        }
        let space = state.repo.space_of(&sub.user_id).await?;
        let viewer = Viewer::new(&sub.user_id, space.as_ref());
        if space.as_ref().is_some_and(|s| s.paused) {
            continue;
        }
        for c in candidates {
            if !planned(state, &sub, &viewer, c.kind, c.date, tz).await? {
                continue;
            }
            if state
                .repo
                .enqueue_reminder(&NewReminder {
                    id: new_id(),
                    key: c.key,
                    user_id: sub.user_id.clone(),
                    kind: c.kind.as_str().into(),
                    local_date: crate::plan::date_key(c.date),
                    due_at: c.due_at.timestamp_millis(),
                    created_at: now.timestamp_millis(),
                })
                .await?
            {
                added += 1;
            }
        }
    }
    Ok(added)
}

// ---- sending ----------------------------------------------------------------------------

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(s: &SmtpSettings) -> Result<Self, String> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&s.url)
            .map_err(|e| format!("the SMTP URL is not usable: {e}"))?
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(u), Some(p)) = (&s.username, &s.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
        }
        let from = s
            .from
            .parse::<Mailbox>()
            .map_err(|e| format!("the sender address is not usable: {e}"))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }
}

impl Mailer {
    /// Sends one plain-text mail (the notification digest uses this too).
    pub async fn send_text(&self, to: &str, subject: String, body: String) -> Result<(), String> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|e| format!("recipient address: {e}"))?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("building the message: {e}"))?;
        self.transport
            .send(msg)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The whole email: neutral words and a link, nothing about what is planned.
pub fn compose(instance: &str, public_url: Option<&str>, kind: ReminderKind) -> (String, String) {
    let subject = format!("Something planned today ({instance})");
    let path = match kind {
        ReminderKind::Checkins => "/checkins",
        ReminderKind::FollowUps => "/board",
        ReminderKind::Talks => "/talks",
        ReminderKind::Actions => "/plan",
    };
    let link = match public_url {
        Some(u) => format!("{}{path}", u.trim_end_matches('/')),
        None => format!("Open {instance} to see it."),
    };
    let settings = match public_url {
        Some(u) => format!("{}/settings/reminders", u.trim_end_matches('/')),
        None => "Settings, Reminders".into(),
    };
    let body = format!(
        "Hello,\r\n\r\nYou have something planned in {instance} today.\r\n\r\n{link}\r\n\r\n\
         You get this because you asked for reminders. To change or stop them: {settings}\r\n"
    );
    (subject, body)
}

async fn send_one(state: &AppState, mailer: &Mailer, r: &ClaimedReminder) -> Result<(), String> {
    let to = r
        .email
        .parse::<Mailbox>()
        .map_err(|e| format!("recipient address: {e}"))?;
    let kind = ReminderKind::parse(&r.kind).unwrap_or(ReminderKind::Actions);
    let (subject, body) = compose(
        &state.config.instance_name,
        state.config.public_url.as_deref(),
        kind,
    );
    let msg = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("building the message: {e}"))?;
    mailer
        .transport
        .send(msg)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

const LEASE_MS: i64 = 5 * 60 * 1000;
const BATCH: i64 = 50;

/// One pass: enqueue what is due, then claim and send. Returns how many were sent.
pub async fn tick(state: &AppState, mailer: &Mailer, claimer: &str) -> Result<usize, AppError> {
    let now = state.clock().now();
    enqueue_due(state, now).await?;
    let claimed = state
        .repo
        .claim_reminders(claimer, now.timestamp_millis(), LEASE_MS, BATCH)
        .await?;
    let mut sent = 0;
    for r in claimed {
        match send_one(state, mailer, &r).await {
            Ok(()) => {
                state
                    .repo
                    .reminder_sent(&r.id, claimer, state.clock().now_ms())
                    .await?;
                metrics::counter!("rekindle_reminders_sent_total").increment(1);
                sent += 1;
            }
            Err(error) => {
                metrics::counter!("rekindle_reminder_send_failures_total").increment(1);
                let attempts = u32::try_from(r.attempts).unwrap_or(u32::MAX);
                let now_ms = state.clock().now_ms();
                let retry_at = (attempts < dp::MAX_SEND_ATTEMPTS)
                    .then(|| now_ms + dp::retry_backoff(attempts).num_milliseconds());
                match retry_at {
                    Some(at) => tracing::warn!(
                        reminder = %r.id, attempts, %error,
                        retry_in_s = (at - now_ms) / 1000,
                        "reminder email failed; will retry"
                    ),
                    None => tracing::warn!(
                        reminder = %r.id, attempts, %error,
                        "reminder email failed; giving up on this one"
                    ),
                }
                state
                    .repo
                    .reminder_failed(&r.id, claimer, &error, retry_at, now_ms)
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// Starts the scheduler when SMTP is configured; otherwise reminders stay off.
pub fn spawn(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    let Some(settings) = state.config.smtp.clone() else {
        tracing::info!("no SMTP server configured: email reminders are off");
        return None;
    };
    let mailer = match Mailer::new(&settings) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "email reminders are off");
            return None;
        }
    };
    let state = state.clone();
    let claimer = format!("server-{}", random_token(8));
    Some(tokio::spawn(async move {
        let mut every = tokio::time::interval(state.config.reminder_interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = tick(&state, &mailer, &claimer).await {
                tracing::warn!(error = ?e, "reminder pass failed");
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_says_nothing_about_what_is_planned() {
        let (subject, body) = compose(
            "Rekindle",
            Some("https://r.example/"),
            ReminderKind::Actions,
        );
        assert_eq!(subject, "Something planned today (Rekindle)");
        assert!(body.contains("https://r.example/plan"));
        assert!(body.contains("https://r.example/settings/reminders"));
    }

    #[test]
    fn passwords_stay_out_of_debug_output() {
        let s = SmtpSettings {
            url: "smtps://me:secret@mail.example:465".into(),
            from: "r@example.org".into(),
            username: None,
            password: Some("hunter2".into()),
        };
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("secret") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn times_read_and_print_as_hh_mm() {
        assert_eq!(parse_time("07:30"), Some(450));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(time_text(450), "07:30");
    }
}
