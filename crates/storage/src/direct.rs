//! SQLite reads on the caller's thread, for the pages.
//!
//! sqlx runs every SQLite connection on a thread of its own: each query is sent
//! to that thread and its rows come back through a channel. On this project's
//! 2-core machine that hand-off (two thread wake-ups, the rows built twice) cost
//! 25–40 µs of CPU per query, more than SQLite's own work for a page's reads,
//! and over half of the signed-in home page's CPU was on those threads
//! (`perf record`, BENCHMARKS.md, issue 18). Here the busiest page reads run
//! synchronously through rusqlite on the request's own thread instead: a page's
//! few indexed reads take tens of microseconds, short enough not to hold up the
//! runtime. Writes, and reads that may be large (export), stay on sqlx.
//!
//! The SQL text is the store's own (`$n` placeholders, one text for both
//! databases); [`Direct`] binds `$n` to the n-th argument as sqlx does. Rows are
//! decoded through [`Cols`] by the same functions sqlx's rows use, or by
//! [`FromDirect`] for records that derive `sqlx::FromRow`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use std::cell::Cell;

use rusqlite::types::{FromSql, ToSql};
use rusqlite::{Connection, OpenFlags, Row, StatementStatus};

use crate::{StoreError, StoreResult};

/// Turns off SQLite's count of the memory it holds, for the whole process. With
/// the count on (the bundled build's default), every allocation and free inside
/// SQLite takes one process-wide lock, which the server's threads fought over
/// on every page read (`perf record` of the home page, BENCHMARKS.md, issue 18).
/// Nothing here reads the count. Call it first thing in `main`, before any
/// database is opened: once SQLite has started, it refuses the change (and
/// nothing else happens), so the server only runs as before.
pub fn skip_memory_statistics() -> bool {
    // SAFETY: `sqlite3_config` may only be called while no other thread uses
    // SQLite; the caller runs it before any thread or connection exists. After
    // SQLite has been initialised it returns SQLITE_MISUSE and changes nothing.
    let rc = unsafe { rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0) };
    rc == rusqlite::ffi::SQLITE_OK
}

/// Idle connections kept for reuse; more may be open at once for a moment.
const KEEP_IDLE: usize = 8;
/// Prepared statements kept per connection (rusqlite's default is 16; the pages
/// use a few dozen distinct reads).
const STATEMENT_CACHE: usize = 128;

/// Read-only connections to one SQLite database, opened on first use.
pub struct Direct {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Times SQLite parsed and planned a cached statement again (see
    /// [`Direct::reprepared`]).
    reprepared: AtomicU64,
}

impl Direct {
    pub fn new(db: &Path) -> Self {
        Direct {
            path: db.to_owned(),
            idle: Mutex::new(Vec::new()),
            reprepared: AtomicU64::new(0),
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // As the sqlx pools (`Repo::open_sqlite`): WAL readers rarely wait, but
        // a checkpoint or recovery may briefly hold them.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    /// Runs `f` on an idle connection (or a new one) and keeps the connection.
    fn with<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let taken = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match taken {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
        out
    }

    /// Every row `sql` returns, each decoded by `decode`.
    pub fn rows<T>(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
        mut decode: impl FnMut(&DirectRow<'_, '_>) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(sql)?;
            bind_numbered(&mut stmt, args)?;
            let mut rows = stmt.raw_query();
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(decode(&DirectRow::new(row))?);
            }
            drop(rows);
            self.count_reprepares(&stmt);
            Ok(out)
        })
    }

    /// The first row `sql` returns, if any.
    pub fn optional<T>(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
        decode: impl FnOnce(&DirectRow<'_, '_>) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(sql)?;
            bind_numbered(&mut stmt, args)?;
            let mut rows = stmt.raw_query();
            let out = match rows.next()? {
                Some(row) => decode(&DirectRow::new(row)).map(Some),
                None => Ok(None),
            };
            drop(rows);
            self.count_reprepares(&stmt);
            out
        })
    }

    /// How many times, since this was opened, a cached statement had to be
    /// parsed and planned again before it ran. SQLite does that when the plan
    /// may depend on a bound value it peeked at (a bare `LIMIT $n`, a `LIKE $n`):
    /// every view then pays for a fresh prepare. Reads should keep this at zero.
    pub fn reprepared(&self) -> u64 {
        self.reprepared.load(Ordering::Relaxed)
    }

    fn count_reprepares(&self, stmt: &rusqlite::Statement<'_>) {
        let n = stmt.reset_status(StatementStatus::RePrepare);
        if n > 0 {
            self.reprepared.fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    /// The first row `sql` returns; none is the same error sqlx's `fetch_one` gives.
    pub fn one<T>(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
        decode: impl FnOnce(&DirectRow<'_, '_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.optional(sql, args, decode)?
            .ok_or(StoreError::Db(sqlx::Error::RowNotFound))
    }

    /// Every row as a record (see [`FromDirect`]).
    pub fn all<T: FromDirect>(&self, sql: &str, args: &[&dyn ToSql]) -> StoreResult<Vec<T>> {
        self.rows(sql, args, T::from_direct)
    }
}

/// Binds `$n` (or `?n`) to `args[n - 1]`, as sqlx does: SQLite itself numbers
/// named parameters in the order they first appear, so `$2 … $1` or a `$1` used
/// twice would otherwise bind the wrong values.
fn bind_numbered(stmt: &mut rusqlite::Statement<'_>, args: &[&dyn ToSql]) -> StoreResult<()> {
    for index in 1..=stmt.parameter_count() {
        let n = stmt
            .parameter_name(index)
            .and_then(|name| name.get(1..))
            .and_then(|digits| digits.parse::<usize>().ok())
            .unwrap_or(index);
        // As sqlx: a parameter without an argument stays NULL.
        if let Some(arg) = n.checked_sub(1).and_then(|i| args.get(i)) {
            stmt.raw_bind_parameter(index, arg)?;
        }
    }
    Ok(())
}

/// A row read by name, from either driver: lets one decoding function serve
/// sqlx's rows (both databases) and [`Direct`]'s.
pub trait Cols {
    fn col<T: Col>(&self, name: &str) -> StoreResult<T>;
}

/// A value both drivers decode.
pub trait Col:
    FromSql
    + for<'r> sqlx::Decode<'r, sqlx::Sqlite>
    + sqlx::Type<sqlx::Sqlite>
    + for<'r> sqlx::Decode<'r, sqlx::Postgres>
    + sqlx::Type<sqlx::Postgres>
{
}

impl<T> Col for T where
    T: FromSql
        + for<'r> sqlx::Decode<'r, sqlx::Sqlite>
        + sqlx::Type<sqlx::Sqlite>
        + for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
{
}

/// A row of a [`Direct`] read. Columns are found by name from where the last
/// one was found: decoders read mostly in the query's column order, so each
/// lookup compares one name instead of scanning them all (rusqlite's own
/// lookup by name, case-blind over every column, was 7 % of the home page).
pub struct DirectRow<'a, 'r> {
    row: &'a Row<'r>,
    next: Cell<usize>,
}

impl<'a, 'r> DirectRow<'a, 'r> {
    fn new(row: &'a Row<'r>) -> Self {
        DirectRow {
            row,
            next: Cell::new(0),
        }
    }

    /// The first column's value (the `scalar` reads).
    pub fn first<T: FromSql>(&self) -> StoreResult<T> {
        Ok(self.row.get(0)?)
    }
}

impl Cols for DirectRow<'_, '_> {
    fn col<T: Col>(&self, name: &str) -> StoreResult<T> {
        let stmt = self.row.as_ref();
        let count = stmt.column_count();
        let start = self.next.get();
        for k in 0..count {
            let i = (start + k) % count;
            // Exact names, as sqlx matches them.
            if stmt.column_name(i).is_ok_and(|c| c == name) {
                self.next.set(i + 1);
                return Ok(self.row.get(i)?);
            }
        }
        Err(rusqlite::Error::InvalidColumnName(name.to_owned()).into())
    }
}

impl Cols for sqlx::sqlite::SqliteRow {
    fn col<T: Col>(&self, name: &str) -> StoreResult<T> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
}

impl Cols for sqlx::postgres::PgRow {
    fn col<T: Col>(&self, name: &str) -> StoreResult<T> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
}

/// A record read whole from a [`Direct`] row: the counterpart of
/// `sqlx::FromRow`, written with [`direct_row!`].
pub trait FromDirect: Sized {
    fn from_direct(row: &DirectRow<'_, '_>) -> StoreResult<Self>;
}

/// Implements [`FromDirect`] for a record that derives `sqlx::FromRow`, from its
/// field names; a field marked `via String` is stored as a word and read with
/// `TryFrom<String>` (sqlx's `#[sqlx(try_from = "String")]`). The struct literal
/// names every field, so a field added to the record and not here fails to compile.
macro_rules! direct_row {
    ($name:ident { $($field:ident $(: via $via:ident)?),* $(,)? }) => {
        impl $crate::direct::FromDirect for $name {
            fn from_direct(row: &$crate::direct::DirectRow<'_, '_>) -> $crate::StoreResult<Self> {
                use $crate::direct::Cols;
                Ok($name {
                    $($field: direct_row!(@field row, $field $(, $via)?),)*
                })
            }
        }
    };
    (@field $row:ident, $field:ident) => {
        $row.col(stringify!($field))?
    };
    (@field $row:ident, $field:ident, String) => {
        $crate::decode_stored($row.col::<String>(stringify!($field))?)?
    };
}
pub(crate) use direct_row;

#[cfg(test)]
mod tests {
    /// SQLite is built without `SQLITE_ENABLE_MEMORY_MANAGEMENT`
    /// (`.cargo/config.toml`): with it, every connection of the process shares
    /// one page cache behind one lock, which the reading threads queue on.
    #[test]
    fn sqlite_keeps_a_page_cache_per_connection() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut options = conn.prepare("PRAGMA compile_options").unwrap();
        let options: Vec<String> = options
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // The list is the bundled build's (it names the options set for it).
        assert!(options.iter().any(|o| o == "ENABLE_FTS5"), "{options:?}");
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
    }
}
