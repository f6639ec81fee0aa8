//! `rekindle`: the whole application in one binary.

mod admin_cmd;
mod backup_cmd;
mod coach_cmd;
mod health_cmd;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rekindle_storage::Repo;
use rekindle_web::{AppState, Config};

#[derive(Parser)]
#[command(
    name = "rekindle",
    version,
    about = "Rekindle: a private, self-hosted place for couples to grow close again."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve(Box<ServeArgs>),
    /// Read messages with the language coach (from the arguments, or standard input, one per line).
    Coach(coach_cmd::CoachArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(DbArgs),
    /// Write a consistent copy of the SQLite database to a file, also while servers run.
    Backup(backup_cmd::BackupArgs),
    /// Put a backup into an empty data directory (never over an existing database).
    Restore(backup_cmd::RestoreArgs),
    /// Copy every row of the SQLite database into an empty PostgreSQL database (stop the server first).
    Copy(backup_cmd::CopyArgs),
    /// Operator tasks: counts, password reset links, sessions, erasing an account.
    Admin(admin_cmd::AdminArgs),
    /// Exit 0 when the server at --listen answers /healthz (for container health checks).
    Healthcheck(health_cmd::HealthArgs),
}

#[derive(clap::Args)]
pub(crate) struct DbArgs {
    /// Directory for the embedded SQLite database (created if missing).
    /// Default: $XDG_DATA_HOME/rekindle, or ~/.local/share/rekindle.
    #[arg(long, env = "REKINDLE_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Use PostgreSQL instead of SQLite, e.g. postgres://user:pass@host/rekindle.
    #[arg(long, env = "REKINDLE_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,

    /// Largest number of PostgreSQL connections per server for requests (a quarter
    /// of them kept for writes), plus one that listens for other servers' notices.
    #[arg(long, env = "REKINDLE_DB_MAX_CONNECTIONS", default_value_t = 16)]
    db_max_connections: u32,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "REKINDLE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Serve Prometheus metrics at /metrics on this address (off by default; keep
    /// it private: counts per route can tell who did what).
    #[arg(long, env = "REKINDLE_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,

    #[command(flatten)]
    db: DbArgs,

    /// The public address people use, e.g. https://rekindle.example.org (used in invitation links).
    #[arg(long, env = "REKINDLE_PUBLIC_URL")]
    public_url: Option<String>,

    /// Mark cookies Secure. On by default when --public-url starts with https://.
    #[arg(long, env = "REKINDLE_SECURE_COOKIES")]
    secure_cookies: Option<bool>,

    /// Trust X-Forwarded-For for the client address (only behind your own reverse proxy).
    #[arg(long, env = "REKINDLE_TRUST_PROXY", default_value_t = false)]
    trust_proxy: bool,

    /// Sign-in and sign-up attempts allowed per client address per 15 minutes.
    #[arg(long, env = "REKINDLE_AUTH_ATTEMPTS_PER_IP", default_value_t = 30)]
    auth_attempts_per_ip: u32,

    /// Wrong passwords allowed per account and client address per 15 minutes (an
    /// account as a whole allows ten times as many, from all addresses together).
    #[arg(long, env = "REKINDLE_AUTH_FAILURES_PER_ACCOUNT", default_value_t = 8)]
    auth_failures_per_account: u32,

    /// The name shown in page titles and the header. Pick something neutral if you
    /// prefer that nobody glancing at a screen sees what the app is.
    #[arg(long, env = "REKINDLE_INSTANCE_NAME", default_value = "Rekindle")]
    instance_name: String,

    /// Where the quick-exit control on every page sends people.
    #[arg(
        long,
        env = "REKINDLE_QUICK_EXIT_URL",
        default_value = "https://duckduckgo.com/?q=weather"
    )]
    quick_exit_url: String,

    /// A TOML file of crisis and professional-help resources ([[crisis]] and
    /// [[professional]] entries with name, contact, note). Default: US resources.
    #[arg(long, env = "REKINDLE_RESOURCES_FILE")]
    resources_file: Option<PathBuf>,

    // Reminders
    /// Mail server for email reminders: smtp://host:port (plain; add ?tls=required or
    /// ?tls=opportunistic for STARTTLS), or smtps://host:port (TLS from the start).
    /// Credentials may be given as smtp://user:pass@host. Unset: reminders are off.
    #[arg(long, env = "REKINDLE_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,

    /// Sender address of reminder emails, e.g. "Rekindle <rekindle@example.org>".
    #[arg(
        long,
        env = "REKINDLE_SMTP_FROM",
        default_value = "Rekindle <rekindle@localhost>"
    )]
    smtp_from: String,

    /// SMTP user name (instead of putting it in the URL).
    #[arg(long, env = "REKINDLE_SMTP_USERNAME")]
    smtp_username: Option<String>,

    /// SMTP password; prefer the environment variable over the flag.
    #[arg(long, env = "REKINDLE_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,

    /// With a mail server, new accounts are finished through an emailed link so the
    /// sign-up form never tells whether an address has an account. Set to turn that
    /// off (the form then says when an address is taken).
    #[arg(long, env = "REKINDLE_NO_SIGNUP_CONFIRMATION")]
    no_signup_confirmation: bool,

    /// Seconds between passes of the reminder scheduler.
    #[arg(long, env = "REKINDLE_REMINDER_INTERVAL_SECS", default_value_t = 60.0)]
    reminder_interval_secs: f64,

    // Web Push
    /// Contact for the push services (the VAPID subject): mailto:you@example.org or an
    /// https URL. Default: the public URL. The VAPID keys themselves are made on first
    /// start and kept in the database, shared by every server.
    #[arg(long, env = "REKINDLE_PUSH_CONTACT")]
    push_contact: Option<String>,

    /// Seconds between sweeps of the push sender (quiet hours ending, retries); it also
    /// reacts to every change at once.
    #[arg(long, env = "REKINDLE_PUSH_INTERVAL_SECS", default_value_t = 30.0)]
    push_interval_secs: f64,

    /// Testing only: accept push endpoints on http://127.0.0.1 and http://[::1].
    #[arg(long, env = "REKINDLE_PUSH_ALLOW_LOOPBACK", hide = true)]
    push_allow_loopback: bool,

    /// Benchmarks only: read every page afresh, as the first view after a change does.
    #[arg(long, env = "REKINDLE_NO_KEPT_READS", hide = true)]
    no_kept_reads: bool,

    /// Log format: "text" for people, "json" for log collectors.
    #[arg(long, env = "REKINDLE_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
}

impl DbArgs {
    /// The SQLite data directory these arguments name.
    pub(crate) fn sqlite_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }
}

pub(crate) fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("rekindle");
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/rekindle"),
        None => PathBuf::from("rekindle-data"),
    }
}

pub(crate) async fn open_repo(db: &DbArgs) -> anyhow::Result<(Repo, String)> {
    match &db.database_url {
        Some(url) => {
            let repo = Repo::open_postgres(url, db.db_max_connections).await?;
            Ok((repo, "PostgreSQL".into()))
        }
        None => {
            let dir = db.sqlite_dir();
            std::fs::create_dir_all(&dir).map_err(|e| {
                anyhow::anyhow!("cannot create data directory {}: {e}", dir.display())
            })?;
            let repo = Repo::open_sqlite(&dir).await?;
            Ok((repo, format!("SQLite in {}", dir.display())))
        }
    }
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_logs(args.log_format == "json");
    let (repo, where_) = open_repo(&args.db).await?;
    let secure = args.secure_cookies.unwrap_or_else(|| {
        args.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    });
    let resources = match &args.resources_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            rekindle_web::resources::Resources::parse(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => rekindle_web::resources::Resources::default(),
    };
    let config = Config {
        instance_name: args.instance_name.clone(),
        quick_exit_url: args.quick_exit_url.clone(),
        resources,
        public_url: args.public_url.clone(),
        secure_cookies: secure,
        trust_proxy: args.trust_proxy,
        auth_attempts_per_ip: args.auth_attempts_per_ip,
        auth_failures_per_account: args.auth_failures_per_account,
        // Reminders
        smtp: args
            .smtp_url
            .clone()
            .map(|url| rekindle_web::reminders::SmtpSettings {
                url,
                from: args.smtp_from.clone(),
                username: args.smtp_username.clone(),
                password: args.smtp_password.clone(),
            }),
        confirm_signups: !args.no_signup_confirmation,
        reminder_interval: std::time::Duration::try_from_secs_f64(args.reminder_interval_secs)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| anyhow::anyhow!("--reminder-interval-secs must be a positive number"))?,
        push_interval: std::time::Duration::try_from_secs_f64(args.push_interval_secs)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| anyhow::anyhow!("--push-interval-secs must be a positive number"))?,
        push_contact: args.push_contact.clone(),
        push_allow_loopback: args.push_allow_loopback,
        keep_reads: !args.no_kept_reads,
        ..Config::default()
    };
    if let Some(smtp) = &config.smtp {
        rekindle_web::reminders::Mailer::new(smtp)
            .map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?;
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr()?;
    let url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}/"));
    tracing::info!(database = %where_, %addr, "Rekindle is ready");
    println!("Rekindle is running at {url} (data: {where_}). Press Ctrl-C to stop.");
    let state = AppState::new(repo.clone(), config);
    let metrics = match args.metrics_listen {
        Some(at) => {
            let l = tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {at} for metrics: {e}"))?;
            tracing::info!(addr = %l.local_addr()?, "metrics at /metrics");
            Some(tokio::spawn(rekindle_web::serve_metrics(l, state.clone())))
        }
        None => None,
    };
    rekindle_web::serve(listener, state, shutdown_signal()).await?;
    if let Some(m) = metrics {
        m.abort();
    }
    repo.close().await;
    Ok(())
}

/// Large allocations go straight to the kernel and back. Each password hash
/// (argon2id) takes a 19 MiB block; glibc's malloc raises its mmap threshold
/// after the first such block is freed and from then on serves them from its
/// heaps, which keep the memory after the hash: a few hundred sign-ins left the
/// server at ~250 MB. A fixed threshold turns that adaptation off, so every
/// block is unmapped when its hash is done.
///
/// A fixed threshold also fixes when a heap gives its free top back to the
/// kernel, at glibc's default of 128 KiB, where the adaptation would have set
/// twice the threshold. At 128 KiB a page view gave memory back and took it
/// again several times: SQLite's sorting and counting of distinct values
/// (about 86 KiB of page cache each) and a written response are freed at a
/// heap's top, the heap is trimmed, every core's address cache is flushed,
/// and the next view faults the pages in again: 15 % of the CPU in a profile
/// of the home page's first view, about 5 % of it measured side by side.
/// Twice the threshold is what glibc would have chosen; it keeps at most
/// 2 MiB free per heap.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks() {
    // SAFETY: mallopt only sets malloc's tunables; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 2 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks() {}

fn main() -> ExitCode {
    return_large_blocks();
    rekindle_storage::skip_memory_statistics();
    let cli = Cli::parse();
    match cli.command {
        Command::Coach(args) => coach_cmd::run(args),
        Command::Serve(args) => run_async(serve(*args)),
        Command::Migrate(db) => run_async(async move {
            init_logs(false);
            let (repo, where_) = open_repo(&db).await?;
            repo.close().await;
            println!("Database is up to date ({where_}).");
            Ok(())
        }),
        Command::Backup(args) => run_async(backup_cmd::backup(args)),
        Command::Restore(args) => run_async(backup_cmd::restore(args)),
        Command::Admin(args) => run_async(admin_cmd::run(args)),
        Command::Copy(args) => run_async(backup_cmd::copy(args)),
        Command::Healthcheck(args) => run_async(health_cmd::run(args)),
    }
}

fn run_async(fut: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rekindle: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(fut) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rekindle: {e:#}");
            ExitCode::FAILURE
        }
    }
}
