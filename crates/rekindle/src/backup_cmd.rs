//! `rekindle backup` and `rekindle restore`: a consistent copy of the SQLite
//! database while servers run, and putting one back into an empty data dir.
//! PostgreSQL has its own tools (`pg_dump`, `pg_restore`): docs/operations.md.

use std::path::PathBuf;

use crate::DbArgs;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (must not exist yet).
    #[arg(long)]
    to: PathBuf,

    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A backup file made by `rekindle backup`.
    #[arg(long)]
    from: PathBuf,

    #[command(flatten)]
    db: DbArgs,
}

const PG_HINT: &str = "for PostgreSQL use its own tools: pg_dump --format=custom to back up, \
                       pg_restore into an empty database to restore (see docs/operations.md)";

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    if args.db.database_url.is_some() {
        anyhow::bail!("rekindle backup copies the SQLite database; {PG_HINT}");
    }
    let dir = args.db.sqlite_dir();
    rekindle_storage::backup_sqlite(&dir, &args.to).await?;
    let size = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up {} to {} ({} KiB). Keep it as private as the data directory.",
        dir.display(),
        args.to.display(),
        size.div_ceil(1024)
    );
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    if args.db.database_url.is_some() {
        anyhow::bail!("rekindle restore puts back a SQLite backup; {PG_HINT}");
    }
    let dir = args.db.sqlite_dir();
    rekindle_storage::restore_sqlite(&args.from, &dir).await?;
    println!(
        "Restored {} into {}. Start the server with --data-dir {}.",
        args.from.display(),
        dir.display(),
        dir.display()
    );
    Ok(())
}

#[derive(clap::Args)]
pub struct CopyArgs {
    /// The PostgreSQL database to fill, e.g. postgres://rekindle@db/rekindle. It must be empty.
    #[arg(long, hide_env_values = true)]
    to: String,

    /// The data directory whose SQLite database is copied.
    /// Default: $XDG_DATA_HOME/rekindle, or ~/.local/share/rekindle.
    #[arg(long, env = "REKINDLE_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

pub async fn copy(args: CopyArgs) -> anyhow::Result<()> {
    if !args.to.starts_with("postgres://") && !args.to.starts_with("postgresql://") {
        anyhow::bail!("--to takes a postgres:// URL");
    }
    let dir = args.data_dir.unwrap_or_else(crate::default_data_dir);
    let report = rekindle_storage::copy_sqlite_to_postgres(&dir, &args.to).await?;
    let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
    for (table, n) in &report.tables {
        println!("{table}: {n}");
    }
    println!(
        "Copied {rows} rows in {} tables from {} to PostgreSQL, in one transaction. \
         Start the servers with --database-url; keep the SQLite directory until you are sure.",
        report.tables.len(),
        dir.display()
    );
    Ok(())
}
