//! One repository API over SQLite and PostgreSQL.
//!
//! Both backends run the same SQL text (`$n` placeholders work on both), kept once in
//! `backend/store/` (one file per aggregate), which is compiled twice: once with
//! `DB = Sqlite`, once with `DB = Postgres`. Use cases that must be atomic are single methods that open a
//! transaction, so callers never hold one across an await in a handler.

mod backend;
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
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        let opts = SqliteConnectOptions::new()
            .filename(data_dir.join("rekindle.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Deleted content is overwritten on disk, so erasure leaves no trace.
            .pragma("secure_delete", "ON")
            .busy_timeout(Duration::from_secs(5));
        // One writer connection: SQLite allows one writer at a time and a single
        // connection turns contention into an in-process queue instead of
        // "database is locked" errors.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let readers = std::thread::available_parallelism()
            .map_or(4, |n| n.get() as u32 * 2)
            .max(4);
        let read = SqlitePoolOptions::new()
            .max_connections(readers)
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Repo(Inner::Sqlite(backend::sqlite::Store::new(
            read, write,
        ))))
    }

    pub async fn open_postgres(url: &str, max_connections: u32) -> StoreResult<Self> {
        use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
        let opts = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Repo(Inner::Postgres(backend::postgres::Store::new(
            pool.clone(),
            pool,
        ))))
    }

    pub fn backend(&self) -> Backend {
        match &self.0 {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
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
                let mut l = sqlx::postgres::PgListener::connect_with(s.listen_pool()).await?;
                l.listen(TALK_CHANNEL).await?;
                Ok(Some(TalkListener(l)))
            }
        }
    }
}

// One forwarder per store method, generated by `build.rs` from `backend/store/`: a
// `pub async fn` returning `StoreResult` there is on `Repo` with the same signature.
include!(concat!(env!("OUT_DIR"), "/repo_methods.rs"));
