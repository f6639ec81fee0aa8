//! `rekindle admin`: what the person running an instance needs now and then.
//! It prints counts, devices and links, never anything anyone wrote.

use std::io::BufRead;

use clap::Subcommand;
use rekindle_storage::{Repo, UserId};

use crate::DbArgs;

#[derive(clap::Args)]
pub struct AdminArgs {
    #[command(flatten)]
    db: DbArgs,

    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// How many accounts and spaces the instance holds.
    Stats,
    /// Make a one-time link (valid for an hour) with which a person sets a new password.
    ResetLink {
        /// The person's email address.
        email: String,
        /// The address people use, e.g. https://rekindle.example.org (put in front of the link).
        #[arg(long, env = "REKINDLE_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// List the browsers a person is signed in on.
    Sessions {
        /// The person's email address.
        email: String,
    },
    /// Sign a person out of one browser (its handle from `sessions`), or of every browser.
    RevokeSessions {
        /// The person's email address.
        email: String,
        /// The handle `rekindle admin sessions` shows.
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        handle: Option<String>,
        /// Every browser and personal token of the person.
        #[arg(long)]
        all: bool,
    },
    /// Erase an account and everything its owner wrote, as Settings → Erase does.
    /// Asks to type the email address again (or pass it with --confirm).
    Erase {
        /// The person's email address.
        email: String,
        /// The same address again, to confirm without a prompt.
        #[arg(long)]
        confirm: Option<String>,
    },
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

async fn account(repo: &Repo, email: &str) -> anyhow::Result<UserId> {
    let email = email.trim().to_lowercase();
    match repo.credentials_by_email(&email).await? {
        Some(c) => Ok(c.id),
        None => anyhow::bail!("no account uses {email}"),
    }
}

fn when(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

pub async fn run(args: AdminArgs) -> anyhow::Result<()> {
    let (repo, _) = crate::open_repo(&args.db).await?;
    let result = command(&repo, args.command).await;
    repo.close().await;
    result
}

async fn command(repo: &Repo, command: AdminCommand) -> anyhow::Result<()> {
    let now = now_ms();
    match command {
        AdminCommand::Stats => {
            let c = repo.instance_counts().await?;
            println!("accounts: {}", c.accounts);
            println!("spaces: {}", c.spaces);
            println!("spaces with two partners: {}", c.couples);
        }
        AdminCommand::ResetLink { email, public_url } => {
            let Some(secret) = rekindle_web::new_reset_secret(repo, &email, now).await? else {
                anyhow::bail!("no account uses {}", email.trim().to_lowercase());
            };
            let path = rekindle_web::reset_path(&secret);
            match public_url {
                Some(base) => println!("{}{path}", base.trim_end_matches('/')),
                None => {
                    println!("{path}  (put your instance's address in front, or pass --public-url)")
                }
            }
            eprintln!(
                "The link works once, until {}. Give it to the person privately; \
                 using it signs them out everywhere.",
                when(now + rekindle_web::RESET_TTL_MS)
            );
        }
        AdminCommand::Sessions { email } => {
            let user = account(repo, &email).await?;
            let sessions = repo.sessions_of(&user, now).await?;
            if sessions.is_empty() {
                println!("not signed in anywhere");
            }
            for s in sessions {
                let last = s.last_seen_at.map_or_else(|| "never".into(), when);
                println!(
                    "{}  {}  signed in {}  last used {}",
                    s.handle,
                    if s.device.is_empty() {
                        "a browser"
                    } else {
                        &s.device
                    },
                    when(s.created_at),
                    last
                );
            }
            let tokens = repo.tokens(&user).await?;
            if !tokens.is_empty() {
                println!("and {} personal API token(s)", tokens.len());
            }
        }
        AdminCommand::RevokeSessions { email, handle, all } => {
            let user = account(repo, &email).await?;
            if all {
                let n = repo.end_other_sessions(&user, "").await?;
                let mut tokens = 0;
                for t in repo.tokens(&user).await? {
                    if repo.revoke_token(&user, &t.id).await? {
                        tokens += 1;
                    }
                }
                println!("signed out of {n} browser(s); {tokens} personal token(s) revoked");
            } else if let Some(h) = handle {
                if !repo.end_session(&user, h.trim()).await? {
                    anyhow::bail!("no browser of that person has the handle {h}");
                }
                println!("signed out of that browser");
            }
            announce_person(repo, &user).await?;
        }
        AdminCommand::Erase { email, confirm } => {
            let email = email.trim().to_lowercase();
            let user = account(repo, &email).await?;
            let typed = match confirm {
                Some(c) => c,
                None => {
                    eprintln!(
                        "This erases the account {email} and everything its owner wrote, for good \
                         (what their partner wrote stays with the partner). Backups keep a copy \
                         until they are replaced.\nType the email address again to erase it:"
                    );
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line
                }
            };
            if typed.trim().to_lowercase() != email {
                anyhow::bail!("the address typed does not match; nothing was erased");
            }
            if !repo.erase_user(&user, now).await? {
                anyhow::bail!("no account uses {email}");
            }
            announce_person(repo, &user).await?;
            println!("erased {email}");
        }
    }
    Ok(())
}

/// Tells running servers that a person's sign-ins changed, so none keeps a
/// cached session or an open socket of theirs: on PostgreSQL through the NOTIFY
/// channel the servers share, on SQLite through the notice file beside the
/// database (`Repo::notify_from_outside`).
async fn announce_person(
    repo: &rekindle_storage::Repo,
    user: &rekindle_storage::UserId,
) -> anyhow::Result<()> {
    repo.notify_from_outside(&format!("person:{user}")).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_the_calendar_says() {
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(when(1_733_400_000_000), "2024-12-05 12:00 UTC");
        assert_eq!(when(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
