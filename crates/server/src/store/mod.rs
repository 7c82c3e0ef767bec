//! The store: the one layer through which handlers reach the database, and the one
//! place where every rule that must hold under concurrency lives. Each rule is ONE
//! conditional statement or ONE `BEGIN IMMEDIATE` transaction, never a read here and a
//! write there: reserve an attempt before checking a code, count a throttle hit before
//! the work, insert an app password only under the limit, claim a send only past the
//! cooldown and within the caps, close a proof once, finish an idempotent request or
//! release its claim.
//!
//! Layering: `routes/*` (HTTP) → `store/*` (rules + SQL) → the database. Nothing above
//! this module writes SQL. The statements use `$n` parameters, `TRUE`/`FALSE` and
//! `NOT flag`, which SQLite and PostgreSQL both read; `BEGIN IMMEDIATE` (SQLite's
//! writer lock taken up front, so a transaction never acts on a snapshot another
//! writer has moved past) is the one SQLite-specific statement, in [`begin`].

pub mod accounts;
pub mod app_passwords;
pub mod idempotency;
pub mod methods;
pub mod outbox;
pub mod proofs;
pub mod sessions;
pub mod sweep;
pub mod throttle;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::clock::Clock;
use crate::crypto::ServerKey;
use crate::limits::Limits;

pub type Db = SqlitePool;
type Tx<'c> = Transaction<'c, Sqlite>;

/// The database, the clock every rule reads, the key that seals secrets at rest, and
/// the limits the rules enforce.
///
/// SQLite has one writer at a time; every write here goes through `writer`, ONE
/// connection behind an async mutex, so writers queue in the process (in order, without
/// a pool's acquire and release on each: that cost the legacy hot path two thirds of its
/// throughput) instead of meeting SQLite's busy handler, which sleeps and retries. Reads
/// use the `db` pool and run beside the writer (WAL). Other processes on the same file
/// still meet the busy timeout. A function holding the writer (a transaction, or a
/// statement's temporary guard) must not call another that takes it: that waits forever.
#[derive(Clone)]
pub struct Store {
    db: Db,
    writer: Arc<Mutex<SqliteConnection>>,
    clock: Clock,
    key: Arc<ServerKey>,
    limits: Arc<Limits>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// Opens (creating if needed) the database and brings its schema up to date; returns
/// the readers' pool and the writer's connection.
#[tracing::instrument(skip_all)]
pub async fn connect(url: &str) -> anyhow::Result<(Db, SqliteConnection)> {
    let options = sqlite_options(url)?;
    if let Some(dir) = options.get_filename().parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut writer = SqliteConnection::connect_with(&options).await?;
    sqlx::migrate!("./migrations").run(&mut writer).await?;
    let readers = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
    Ok((readers, writer))
}

/// `sqlite://path` (or `sqlite::memory:`); anything else is refused with the reason,
/// never taken for a file name.
fn sqlite_options(url: &str) -> anyhow::Result<SqliteConnectOptions> {
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or_default();
    anyhow::ensure!(
        scheme == "sqlite",
        "DATABASE_URL {url:?} is not supported: this server stores its data in SQLite \
         (sqlite://path/to/file.db)"
    );
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10)))
}

impl Store {
    pub fn new(
        (db, writer): (Db, SqliteConnection),
        clock: Clock,
        key: Arc<ServerKey>,
        limits: Arc<Limits>,
    ) -> Self {
        Self { db, writer: Arc::new(Mutex::new(writer)), clock, key, limits }
    }

    /// Opens the database at `url` and seals any authenticator key still stored in
    /// plain text by an older version.
    pub async fn open(
        url: &str,
        clock: Clock,
        key: Arc<ServerKey>,
        limits: Arc<Limits>,
    ) -> anyhow::Result<Self> {
        let store = Self::new(connect(url).await?, clock, key, limits);
        let sealed = store.seal_plain_seeds().await?;
        if sealed > 0 {
            tracing::info!(sealed, "sealed authenticator keys stored in plain text");
        }
        Ok(store)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The writer connection, once the writes queued before this one are done.
    async fn writer(&self) -> MutexGuard<'_, SqliteConnection> {
        self.writer.lock().await
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> sqlx::Result<()> {
        sqlx::query("SELECT 1").execute(&self.db).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_of_other_databases_are_refused_not_taken_for_file_names() {
        let err = super::sqlite_options("postgres://postgres@127.0.0.1:55432/identity")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not supported") && err.contains("sqlite://"), "{err}");
        assert!(super::sqlite_options("sqlite://data/x.db").is_ok());
        assert!(super::sqlite_options("data/x.db").is_err());
    }
}

/// Why the store refused an operation: a rule held. Each maps to one problem `code`
/// (`error.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    MethodNotAllowed,
    /// A fresh MFA proof (step-up) is needed first.
    MfaRequired,
    /// Too many wrong MFA codes in a row: an admin must unlock the account.
    MfaLocked,
    RateLimited(u32),
    ResendTooSoon(u32),
    /// An authenticator app makes its own codes: there is nothing to send again.
    NoCodeToSend,
    CodeExpired,
    TooManyAttempts,
    InvalidCode {
        attempts_left: i64,
    },
    LimitReached,
    NameTaken,
}

/// A refusal, or the database failing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<Refusal> for StoreError {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

impl From<throttle::Full> for Refusal {
    fn from(throttle::Full(wait): throttle::Full) -> Self {
        Self::RateLimited(wait)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Commits what succeeded; rolls back what was refused.
/// A transaction on the writer holding SQLite's write lock from its first statement.
async fn begin(writer: &mut SqliteConnection) -> sqlx::Result<Tx<'_>> {
    writer.begin_with("BEGIN IMMEDIATE").await
}

pub(crate) async fn finish<T>(tx: Tx<'_>, result: StoreResult<T>) -> StoreResult<T> {
    match result {
        Ok(value) => {
            tx.commit().await?;
            Ok(value)
        }
        Err(e) => {
            tx.rollback().await?;
            Err(e)
        }
    }
}
