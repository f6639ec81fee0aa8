//! One repository API over SQLite and PostgreSQL.
//!
//! Both backends run the same SQL text (`$n` placeholders work on both), kept once in
//! `backend/store/` (one file per aggregate), which is compiled twice: once with
//! `DB = Sqlite`, once with `DB = Postgres`. Use cases that must be atomic are single methods that open a
//! transaction, so callers never hold one across an await in a handler.

mod backend;
mod direct;
pub use direct::skip_memory_statistics;
mod ids;
mod records;

pub use ids::{
    ActionId, AgreementId, AnswerId, AppreciationId, AskedQuestionId, CheckinId, CoupleId, EntryId,
    InvitationId, OptionId, ProblemId, TalkId, TokenId, UserId,
};
pub use records::*;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

// `Facts` and `AgreementStatus` appear in the generated forwarders' signatures.
use rekindle_domain::board::AgreementStatus;
use rekindle_domain::invitation::JoinRefusal;
use rekindle_domain::journey::Facts;
use rekindle_domain::waiting::Waiting;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a record with that key already exists")]
    Conflict,
    #[error("joining refused: {0:?}")]
    Join(JoinRefusal),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// From a read on SQLite that bypasses sqlx (`direct.rs`).
    #[error("database error: {0}")]
    Direct(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Reads a stored word as its enum; an unknown word is a decoding error, as in rows.
fn decode_stored<T>(word: String) -> StoreResult<T>
where
    T: TryFrom<String, Error = rekindle_domain::stored::UnknownValue>,
{
    T::try_from(word).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
}

fn map_unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
        _ => StoreError::Db(e),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
enum Inner {
    Sqlite(backend::sqlite::Store),
    Postgres(backend::postgres::Store),
}

/// The repository. Cheap to clone; every clone shares the pools.
#[derive(Clone)]
pub struct Repo(Inner);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl Repo {
    /// Opens (creating if needed) `rekindle.db` in `data_dir` and runs migrations.
    pub async fn open_sqlite(data_dir: &Path) -> StoreResult<Self> {
        Self::open_sqlite_with(data_dir, true).await
    }

    /// As [`Repo::open_sqlite`], with every read through sqlx (none through
    /// `direct.rs`): lets a test compare the two ways of reading.
    #[doc(hidden)]
    pub async fn open_sqlite_through_sqlx_only(data_dir: &Path) -> StoreResult<Self> {
        Self::open_sqlite_with(data_dir, false).await
    }

    /// SQLite: how many times a direct read's cached statement was prepared
    /// again (see `direct.rs`); `None` on PostgreSQL. For tests.
    #[doc(hidden)]
    pub fn direct_reprepared(&self) -> Option<u64> {
        match &self.0 {
            Inner::Sqlite(s) => s.direct_reprepared(),
            Inner::Postgres(_) => None,
        }
    }

    async fn open_sqlite_with(data_dir: &Path, direct: bool) -> StoreResult<Self> {
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        let opts = SqliteConnectOptions::new()
            .filename(data_dir.join(SQLITE_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Deleted content is overwritten on disk, so erasure leaves no trace.
            .pragma("secure_delete", "ON")
            .busy_timeout(Duration::from_secs(5))
            // Rows come back from the connection's thread through a bounded
            // channel; at sqlx's 50 a year's history (hundreds of rows) makes
            // that thread stop and be woken again every 50 rows, each a pair of
            // context switches. A page's reads fit in 1,024.
            .row_buffer_size(1024);
        // One writer connection: SQLite allows one writer at a time and a single
        // connection turns contention into an in-process queue instead of
        // "database is locked" errors.
        // No ping before each use: the database is a file in this process, so a
        // connection cannot go stale, and the ping is one more trip to the
        // connection's thread per query.
        let write = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let readers = std::thread::available_parallelism()
            .map_or(4, |n| n.get() as u32 * 2)
            .max(4);
        let read = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(readers)
            .connect_with(opts.read_only(true))
            .await?;
        let store = backend::sqlite::Store::new(read, write);
        Ok(Repo(Inner::Sqlite(if direct {
            store.with_direct(direct::Direct::new(&data_dir.join(SQLITE_FILE)))
        } else {
            store
        })))
    }

    pub async fn open_postgres(url: &str, max_connections: u32) -> StoreResult<Self> {
        use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
        let opts = PgConnectOptions::from_str(url)?;
        // Two pools within the one budget: a page handler may hold a read
        // connection for the whole request (`holding_reads`) and still write,
        // so writes must never wait on connections that readers hold. A
        // quarter (at least one) is for writes.
        let writers = (max_connections / 4).max(1);
        let readers = max_connections.saturating_sub(writers).max(1);
        let pool = |max| {
            PgPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(10))
                // sqlx pings a connection (a round trip) before each use and
                // again when it is given back. Under load a connection was given
                // back, so tested, a moment ago: ping only one that sat idle long
                // enough for the server to have gone away meanwhile.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > PG_PING_IF_IDLE_FOR {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
        };
        let write = pool(writers).connect_with(opts.clone()).await?;
        sqlx::migrate!("./migrations/postgres").run(&write).await?;
        // Reads run PostgreSQL's general plan of each statement, set when the
        // connection starts. Left to choose, PostgreSQL plans a statement
        // afresh for its parameters while that plan looks cheaper; for the
        // count of what waits it always did (its time bounds), which cost
        // 4 ms a run with 200 couples against 0.5 ms for the general plan.
        // Setting it around that one statement cost two more round trips on
        // every first view (≈100 µs of the database's CPU each). The other
        // reads mostly look rows up by key, where both plans are alike; the
        // plan page's marks run a little longer on the general plan but are
        // no longer planned afresh on every view, which cost more
        // (BENCHMARKS.md, issue 18, twelfth session).
        let read = pool(readers)
            .connect_with(opts.options([("plan_cache_mode", "force_generic_plan")]))
            .await?;
        Ok(Repo(Inner::Postgres(backend::postgres::Store::new(
            read, write,
        ))))
    }

    pub fn backend(&self) -> Backend {
        match &self.0 {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// SQLite only: the file beside the database that another process (`rekindle
    /// admin`) rewrites after it ended someone's sign-ins or erased them, since it
    /// cannot reach a running server's memory. Servers look at it before they use
    /// what they cached (a `stat`, far cheaper than a query). `None` on PostgreSQL,
    /// where notices travel by NOTIFY.
    pub fn outside_notice_file(&self) -> Option<std::path::PathBuf> {
        match &self.0 {
            Inner::Sqlite(s) => {
                let db = s.listen_pool().connect_options().get_filename().to_owned();
                Some(notice_file_for(&db))
            }
            Inner::Postgres(_) => None,
        }
    }

    /// Tells running servers, from another process, that `key` changed (a
    /// `person:<id>` whose sign-ins ended): NOTIFY on PostgreSQL (as from the
    /// origin "admin", never a server's own name); on SQLite a fresh
    /// [`Self::outside_notice_file`], which makes every server drop all it
    /// cached (it cannot say whose).
    pub async fn notify_from_outside(&self, key: &str) -> StoreResult<()> {
        match &self.0 {
            Inner::Postgres(s) => s.notify_talk(&format!("admin/{key}")).await,
            Inner::Sqlite(_) => {
                let Some(file) = self.outside_notice_file() else {
                    return Ok(());
                };
                // A new file under a new name, renamed over the old one: a new
                // inode and modification time, which is what servers compare.
                let tmp = file.with_extension(format!("tmp{}", std::process::id()));
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos();
                std::fs::write(&tmp, format!("{stamp} {key}\n"))
                    .and_then(|()| std::fs::rename(&tmp, &file))
                    .map_err(|e| StoreError::Db(sqlx::Error::Io(e)))
            }
        }
    }

    /// A copy of this repository whose sqlx reads all use one connection, taken
    /// at the first such read and held until the copy (and its clones) are
    /// dropped: a page view's reads then cost one trip back to the pool instead
    /// of one each. For one request's handler only; it must not wait for another
    /// read connection while it holds this one. On SQLite the pages' reads go
    /// through `direct.rs` and take none (see the store's `holding_reads`).
    pub async fn holding_reads(&self) -> StoreResult<Repo> {
        Ok(Repo(match &self.0 {
            Inner::Sqlite(s) => Inner::Sqlite(s.holding_reads().await?),
            Inner::Postgres(s) => Inner::Postgres(s.holding_reads().await?),
        }))
    }

    pub fn pool_stats(&self) -> PoolStats {
        match &self.0 {
            Inner::Sqlite(s) => s.pool_stats(),
            Inner::Postgres(s) => s.pool_stats(),
        }
    }

    pub async fn close(&self) {
        match &self.0 {
            Inner::Sqlite(s) => s.close().await,
            Inner::Postgres(s) => s.close().await,
        }
    }
}

/// A PostgreSQL connection idle for longer is pinged before it is used again.
const PG_PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

// Backups
/// The SQLite database file inside a data directory.
pub const SQLITE_FILE: &str = "rekindle.db";

/// Beside the SQLite database file: see [`Repo::outside_notice_file`].
fn notice_file_for(db: &Path) -> std::path::PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_owned();
    name.push("-notice");
    db.with_file_name(name)
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::Db(e))
    }
}

/// Writes a consistent copy of the SQLite database in `data_dir` to `to` while
/// servers may be running: `VACUUM INTO` reads one snapshot (WAL mode lets
/// writers go on meanwhile) and writes a compact file without free pages.
/// Refuses when `to` exists or `data_dir` holds no database.
pub async fn backup_sqlite(data_dir: &Path, to: &Path) -> Result<(), BackupError> {
    use sqlx::ConnectOptions;
    use sqlx::sqlite::SqliteConnectOptions;
    let db = data_dir.join(SQLITE_FILE);
    if !db.is_file() {
        return Err(BackupError::Refused(format!(
            "there is no database at {}",
            db.display()
        )));
    }
    if to.exists() {
        return Err(BackupError::Refused(format!(
            "{} already exists; choose a new file name",
            to.display()
        )));
    }
    let target = to
        .to_str()
        .ok_or_else(|| BackupError::Refused("the backup path is not valid UTF-8".into()))?;
    let mut conn = SqliteConnectOptions::new()
        .filename(&db)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await?;
    sqlx::Connection::close(conn).await?;
    Ok(())
}

/// Checks that `file` is an intact Rekindle SQLite database; returns how many
/// migrations it has applied.
async fn check_sqlite_backup(file: &Path) -> Result<i64, BackupError> {
    use sqlx::ConnectOptions;
    use sqlx::sqlite::SqliteConnectOptions;
    if !file.is_file() {
        return Err(BackupError::Refused(format!(
            "there is no file at {}",
            file.display()
        )));
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .immutable(true)
        .connect()
        .await
        .map_err(|e| BackupError::Refused(format!("{} is not a database: {e}", file.display())))?;
    let ok: Result<String, _> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await;
    match ok {
        Ok(s) if s == "ok" => {}
        Ok(s) => {
            return Err(BackupError::Refused(format!(
                "{} is damaged: {s}",
                file.display()
            )));
        }
        Err(e) => {
            return Err(BackupError::Refused(format!(
                "{} is not a database: {e}",
                file.display()
            )));
        }
    }
    let applied: Result<i64, _> =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await;
    sqlx::Connection::close(conn).await?;
    match applied {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(BackupError::Refused(format!(
            "{} is not a Rekindle database",
            file.display()
        ))),
    }
}

/// Restores a backup made by [`backup_sqlite`] into `data_dir`, which must not
/// hold a database yet (a live or earlier one is never overwritten). The file
/// is checked, copied beside its final name and renamed into place, then
/// upgraded to this version's schema.
pub async fn restore_sqlite(from: &Path, data_dir: &Path) -> Result<(), BackupError> {
    check_sqlite_backup(from).await?;
    std::fs::create_dir_all(data_dir)?;
    for name in [
        SQLITE_FILE.to_owned(),
        format!("{SQLITE_FILE}-wal"),
        format!("{SQLITE_FILE}-shm"),
        format!("{SQLITE_FILE}-journal"),
    ] {
        let path = data_dir.join(&name);
        if path.exists() {
            return Err(BackupError::Refused(format!(
                "{} already exists: restore only into an empty data directory \
                 (move the old database away first if you really mean to replace it)",
                path.display()
            )));
        }
    }
    let partial = data_dir.join(format!("{SQLITE_FILE}.restoring"));
    std::fs::copy(from, &partial)?;
    std::fs::File::open(&partial)?.sync_all()?;
    // A hard link fails if a database appeared meanwhile, where a rename would replace it.
    let placed = std::fs::hard_link(&partial, data_dir.join(SQLITE_FILE));
    let _ = std::fs::remove_file(&partial);
    placed.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            BackupError::Refused("a database appeared in the data directory meanwhile".into())
        } else {
            BackupError::Io(e)
        }
    })?;
    let repo = Repo::open_sqlite(data_dir).await?;
    repo.close().await;
    Ok(())
}

// Moving an instance from SQLite to PostgreSQL
/// What `copy_sqlite_to_postgres` copied: each table with its row count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
}

/// Tables in an order where every table comes after those it refers to.
fn parents_first(
    tables: &[String],
    edges: &[(String, String)],
) -> Result<Vec<String>, BackupError> {
    let mut out: Vec<String> = Vec::new();
    let mut left: Vec<String> = tables.to_vec();
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|t| {
                edges.iter().all(|(child, parent)| {
                    child != *t || parent == *t || out.contains(parent) || !tables.contains(parent)
                })
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            return Err(BackupError::Refused(format!(
                "the tables {left:?} refer to each other in a cycle"
            )));
        }
        left.retain(|t| !ready.contains(t));
        out.extend(ready);
    }
    Ok(out)
}

/// Copies every row of the SQLite database in `data_dir` into the PostgreSQL
/// database at `pg_url` in one transaction: either all of it arrives or none.
/// Both are first brought to this version's schema; the target must hold no
/// rows at all. Stop the servers first: rows written during the copy are not
/// part of it (the source is read in one snapshot).
pub async fn copy_sqlite_to_postgres(
    data_dir: &Path,
    pg_url: &str,
) -> Result<CopyReport, BackupError> {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection, Row};
    if !data_dir.join(SQLITE_FILE).is_file() {
        return Err(BackupError::Refused(format!(
            "there is no database at {}",
            data_dir.join(SQLITE_FILE).display()
        )));
    }
    // Both schemas up to date, so both have the same tables and columns.
    Repo::open_sqlite(data_dir).await?.close().await;
    Repo::open_postgres(pg_url, 2).await?.close().await;

    let mut pg = sqlx::PgConnection::connect(pg_url).await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           AND table_name <> '_sqlx_migrations' ORDER BY table_name",
    )
    .fetch_all(&mut pg)
    .await?;
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c
         WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut pg)
    .await?;
    let order = parents_first(&tables, &edges)?;
    for t in &order {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM \"{t}\")");
        let any: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut pg)
            .await?;
        if any {
            return Err(BackupError::Refused(format!(
                "the target database is not empty (table {t} has rows); copy only into a new, \
                 empty database"
            )));
        }
    }

    let mut lite = SqliteConnectOptions::new()
        .filename(data_dir.join(SQLITE_FILE))
        .read_only(true)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await?;
    // One read transaction: every table from the same snapshot.
    let mut snapshot = lite.begin().await?;
    let mut tx = pg.begin().await?;
    let mut report = CopyReport::default();
    for t in &order {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(t)
        .fetch_all(&mut *tx)
        .await?;
        let lite_columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{t}')"
        )))
        .fetch_all(&mut *snapshot)
        .await?;
        let mut a: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
        let mut b: Vec<&str> = lite_columns.iter().map(String::as_str).collect();
        a.sort_unstable();
        b.sort_unstable();
        if a != b {
            return Err(BackupError::Refused(format!(
                "table {t} has columns {b:?} in SQLite but {a:?} in PostgreSQL"
            )));
        }
        let names = columns
            .iter()
            .map(|(c, _)| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let marks = (1..=columns.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let select = format!("SELECT {names} FROM \"{t}\" ORDER BY rowid");
        let insert = format!("INSERT INTO \"{t}\" ({names}) VALUES ({marks})");
        let rows = sqlx::query(sqlx::AssertSqlSafe(select))
            .fetch_all(&mut *snapshot)
            .await?;
        for row in &rows {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
            for (i, (c, ty)) in columns.iter().enumerate() {
                q = match ty.as_str() {
                    "bigint" | "integer" | "smallint" => q.bind(row.try_get::<Option<i64>, _>(i)?),
                    "text" | "character varying" => q.bind(row.try_get::<Option<String>, _>(i)?),
                    "boolean" => q.bind(row.try_get::<Option<bool>, _>(i)?),
                    "double precision" | "real" => q.bind(row.try_get::<Option<f64>, _>(i)?),
                    "bytea" => q.bind(row.try_get::<Option<Vec<u8>>, _>(i)?),
                    other => {
                        return Err(BackupError::Refused(format!(
                            "column {t}.{c} has a type the copy does not know: {other}"
                        )));
                    }
                };
            }
            q.execute(&mut *tx).await?;
        }
        let copied: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{t}\"")))
                .fetch_one(&mut *tx)
                .await?;
        if copied != rows.len() as i64 {
            return Err(BackupError::Refused(format!(
                "table {t}: {} rows read but {copied} arrived",
                rows.len()
            )));
        }
        report.tables.push((t.clone(), rows.len() as u64));
    }
    tx.commit().await?;
    snapshot.rollback().await?;
    lite.close().await?;
    pg.close().await?;
    Ok(report)
}

// Talk room
/// The PostgreSQL channel on which servers announce "talk X changed".
pub const TALK_CHANNEL: &str = "rekindle_talk";

/// Notifications of changed talks from other servers (PostgreSQL only).
pub struct TalkListener(sqlx::postgres::PgListener);

impl TalkListener {
    /// The next notice (what the sender passed to `notify_talk`); `None` when the connection was lost (it
    /// reconnects on the next call): notifications may have been missed, so
    /// every talk should resync.
    pub async fn recv(&mut self) -> StoreResult<Option<String>> {
        Ok(self.0.try_recv().await?.map(|n| n.payload().to_owned()))
    }
}

impl Repo {
    /// One LISTEN connection for this server, or `None` on SQLite (one server).
    pub async fn listen_talks(&self) -> StoreResult<Option<TalkListener>> {
        match &self.0 {
            Inner::Sqlite(_) => Ok(None),
            Inner::Postgres(s) => {
                // A pool of its own (as `PgListener::connect` makes): the
                // listener keeps its connection for good, and taking it from
                // the write pool would leave writes one connection short.
                let own = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .max_lifetime(None)
                    .idle_timeout(None)
                    .connect_with((*s.listen_pool().connect_options()).clone())
                    .await?;
                let mut l = sqlx::postgres::PgListener::connect_with(&own).await?;
                l.listen(TALK_CHANNEL).await?;
                Ok(Some(TalkListener(l)))
            }
        }
    }
}

// One forwarder per store method, generated by `build.rs` from `backend/store/`: a
// `pub async fn` returning `StoreResult` there is on `Repo` with the same signature.
include!(concat!(env!("OUT_DIR"), "/repo_methods.rs"));
