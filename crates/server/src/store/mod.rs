//! The store: the one layer through which handlers reach the database, and the one
//! place where every rule that must hold under concurrency lives. Each rule is ONE
//! conditional statement or ONE `BEGIN IMMEDIATE` transaction, never a read here and a
//! write there: reserve an attempt before checking a code, count a throttle hit before
//! the work, insert an app password only under the limit, claim a send only past the
//! cooldown and within the caps, close a proof once, finish an idempotent request or
//! release its claim.
//!
//! Layering: `routes/*` (HTTP) → `store/*` (rules + SQL) → the database. Nothing above
//! this module writes SQL. The same statements run on SQLite and PostgreSQL (sqlx's Any
//! driver picks one from `DATABASE_URL`): `$n` parameters, flags as integers 0/1. What
//! differs lives in [`Store::begin`] (how a transaction excludes the others) and in the
//! legacy check's SQLite fast path (`app_passwords.rs`); migrations are per database.

pub mod accounts;
pub mod admin_tokens;
pub mod app_passwords;
pub mod audit;
pub mod directory;
pub mod familiar;
pub mod idempotency;
pub mod methods;
pub mod notices;
pub mod outbox;
pub mod proofs;
pub mod scim;
pub mod sessions;
pub mod sso;
pub mod sweep;
pub mod throttle;

use std::str::FromStr;
use std::sync::{Arc, Once};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::clock::Clock;
use crate::crypto::ServerKey;
use crate::domain::limits::{Bucket, Limits};

pub type Db = AnyPool;
type Tx<'c> = Transaction<'c, Any>;

/// Which database `DATABASE_URL` named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file, one machine (the embedded default).
    Sqlite,
    /// The scale-out store: several replicas share it.
    Postgres,
}

/// The key of the PostgreSQL advisory lock every invariant transaction takes: shared by
/// those that lock what their rule is about ([`Locks`]), exclusive for those whose rule
/// is about everything (see [`Store::begin`]).
pub const INVARIANT_LOCK: i64 = 0x6170_7077; // "apw"

/// The most keys one rule locks one by one; a rule about more is about everything.
/// PostgreSQL keeps every advisory lock in a shared table of
/// `max_locks_per_transaction` (64 by default) × connections slots: a rule about a
/// group of ten thousand would fill it, and every rule then fails.
const MAX_KEYS: usize = 256;

/// What an invariant transaction's rule is about, for PostgreSQL to lock (SQLite's one
/// writer excludes every other transaction whatever it says). Two transactions whose
/// rules share anything name it alike, so they wait for each other; those that share
/// nothing run side by side, on any replica. A rule reading or writing rows of an
/// account (its sessions, methods, proofs, app passwords, budgets) names the account;
/// one counting in throttle buckets names each bucket; one giving something that must
/// be no one else's (a username, an external id, a directory person's or a provider's
/// subject's account, a security key) names that too. A SCIM group's change names the
/// group and its names, then locks the accounts of its members, as many as it reaches
/// (up to [`MAX_KEYS`]). A rule that reaches further (a larger group's change; sealing
/// old keys at start) is about everything, and waits for, and holds off, all the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Locks {
    Everything,
    /// Advisory lock keys, each taken exclusive after the invariant lock shared.
    Keys(Vec<i64>),
}

impl Locks {
    /// A rule about one account.
    pub(crate) fn account(id: &str) -> Self {
        Self::Keys(vec![lock_key("account", id)])
    }

    /// A rule that learns what it is about by reading it — a notice's link, a hand-off
    /// code: the row its statement takes, once — and then locks that
    /// ([`Store::lock_also`]); or a rule about rows no other rule counts on any more (the
    /// sweep's: expired, used). It waits only for rules about everything.
    pub(crate) fn found_inside() -> Self {
        Self::Keys(Vec::new())
    }

    /// This rule, also about `name` of `kind` — `username`, `external_id` (SCIM),
    /// `directory` (a directory person's id), `subject` (a provider's issuer and subject):
    /// one that may give it to an account, so that two such rules giving the same wait
    /// for each other.
    pub(crate) fn and(self, kind: &str, name: &str) -> Self {
        match self {
            Self::Everything => Self::Everything,
            Self::Keys(mut keys) => {
                keys.push(lock_key(kind, name));
                Self::Keys(keys)
            }
        }
    }

    /// This rule, also about `name` of `kind` if there is one ([`Self::and`]).
    pub(crate) fn and_some(self, kind: &str, name: Option<&str>) -> Self {
        match name {
            Some(name) => self.and(kind, name),
            None => self,
        }
    }

    /// This rule, or one about everything when it reaches more than [`MAX_KEYS`] keys
    /// (`reached`: how many it names and will lock as it reads).
    pub(crate) fn unless_beyond(self, reached: usize) -> Self {
        if reached > MAX_KEYS {
            Self::Everything
        } else {
            self
        }
    }

    /// This rule, also about the name `username` ([`Self::and`]).
    pub(crate) fn and_username(self, username: &str) -> Self {
        self.and("username", username)
    }

    /// A rule counting in these throttle buckets.
    pub(crate) fn buckets(buckets: &[Bucket]) -> Self {
        Self::Keys(buckets.iter().map(|b| lock_key("bucket", &b.name)).collect())
    }

    /// The keys to take, in the one order every transaction takes them (so two that
    /// share several cannot each hold one the other waits for).
    fn sorted(&self) -> Option<Vec<i64>> {
        match self {
            Self::Everything => None,
            Self::Keys(keys) => {
                let mut keys = keys.clone();
                keys.sort_unstable();
                keys.dedup();
                Some(keys)
            }
        }
    }
}

/// The 64-bit advisory lock key of `name` of `kind` (`account`: an account's id,
/// `bucket`: a throttle bucket's name; [`Locks::and`]), the same on every replica: what
/// `pg_locks` shows a rule holding or waiting for. Two names sharing a key (2^-64) only make their
/// rules wait for each other.
pub fn lock_key(kind: &str, name: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::new().chain_update(kind).chain_update([0]).chain_update(name);
    let bytes: [u8; 8] = digest.finalize()[..8].try_into().unwrap_or_default();
    i64::from_le_bytes(bytes)
}

/// The opened database.
pub struct Connected {
    readers: AnyPool,
    hot: Hot,
    writer: Writer,
    backend: Backend,
}

/// Connections the legacy door reads on, half of the readers, kept out of sqlx's pool:
/// sqlx sends every connection its pool takes back a ping before another request may
/// have it (sqlx-core `PoolConnection::return_to_pool`), a second round trip for each
/// check — to PostgreSQL, or to the thread each SQLite connection runs on. The door's
/// read is one statement that changes nothing, so nothing is left to flush when it
/// ends, even when its request was dropped mid-way (the driver finishes or discards
/// that statement before the connection's next one). A connection whose statement
/// failed is closed and another opened in its place; one idle for a second or more is
/// pinged first, as the pool's are, so a database restarted meanwhile costs no request.
#[derive(Clone)]
pub(crate) struct Hot {
    pool: Arc<deadpool::unmanaged::Pool<Idle>>,
    readers: AnyPool,
    /// A refill is under way (one at a time, however many requests find the set short).
    refilling: Arc<std::sync::atomic::AtomicBool>,
}

/// A hot connection and when it last answered.
pub(crate) struct Idle {
    conn: AnyConnection,
    since: std::time::Instant,
}

impl Hot {
    /// `size` connections taken out of `readers` (which may open as many again, so
    /// `readers` is made that much smaller than the connections the process may open).
    async fn new(readers: &AnyPool, size: usize) -> sqlx::Result<Self> {
        let pool = deadpool::unmanaged::Pool::from_config(&deadpool::unmanaged::PoolConfig {
            max_size: size,
            timeout: Some(ACQUIRE_TIMEOUT),
            runtime: Some(deadpool::Runtime::Tokio1),
        });
        for _ in 0..size {
            let conn = readers.acquire().await?.detach();
            let _ = pool.try_add(Idle { conn, since: std::time::Instant::now() });
        }
        let refilling = Arc::default();
        Ok(Self { pool: Arc::new(pool), readers: readers.clone(), refilling })
    }

    /// A hot connection (waiting for one as the pool would), or one of the pool's when
    /// there is none (none configured, or all closed and not yet replaced: the database
    /// is down). Hand the statement's result to [`HotConn::done`].
    pub(crate) async fn acquire(&self) -> sqlx::Result<HotConn> {
        let status = self.pool.status();
        if status.size < status.max_size {
            self.refill();
        }
        if status.size == 0 {
            return Ok(HotConn::Pooled(self.readers.acquire().await?));
        }
        let Ok(mut held) = self.pool.get().await else {
            return Err(sqlx::Error::PoolTimedOut);
        };
        if held.since.elapsed() >= PING_AFTER_IDLE && held.conn.ping().await.is_err() {
            // Broken while idle: a connection of the pool instead.
            self.replace(held);
            return Ok(HotConn::Pooled(self.readers.acquire().await?));
        }
        Ok(HotConn::Hot(held, self.clone()))
    }

    /// Closes a broken connection and opens another in its place.
    fn replace(&self, broken: deadpool::unmanaged::Object<Idle>) {
        drop(deadpool::unmanaged::Object::take(broken));
        self.refill();
    }

    /// Opens connections in place of those closed, in the background (the request that
    /// found one broken has its own answer to give), until the set is whole or the
    /// database cannot be reached; the next request to find it short tries again.
    fn refill(&self) {
        use std::sync::atomic::Ordering;
        if self.refilling.swap(true, Ordering::AcqRel) {
            return;
        }
        let hot = self.clone();
        tokio::spawn(async move {
            while hot.pool.status().size < hot.pool.status().max_size {
                let Ok(conn) = hot.readers.acquire().await else { break };
                let idle = Idle { conn: conn.detach(), since: std::time::Instant::now() };
                if hot.pool.try_add(idle).is_err() {
                    break;
                }
            }
            hot.refilling.store(false, Ordering::Release);
        });
    }
}

/// A connection from [`Hot::acquire`].
pub(crate) enum HotConn {
    Hot(deadpool::unmanaged::Object<Idle>, Hot),
    Pooled(PoolConnection<Any>),
}

impl HotConn {
    /// Gives the connection back with what its statement came to: a hot one that failed
    /// is closed and another opened in its place.
    pub(crate) fn done<T>(self, result: sqlx::Result<T>) -> sqlx::Result<T> {
        if let Self::Hot(mut held, hot) = self {
            match &result {
                Ok(_) => held.since = std::time::Instant::now(),
                Err(_) => hot.replace(held),
            }
        }
        result
    }
}

impl std::ops::Deref for HotConn {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Self::Hot(held, _) => &held.conn,
            Self::Pooled(c) => c,
        }
    }
}

impl std::ops::DerefMut for HotConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Self::Hot(held, _) => &mut held.conn,
            Self::Pooled(c) => &mut *c,
        }
    }
}

/// How long a request waits for a connection before the database is said unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection idle this long is pinged before it is used (the pool's and the hot
/// ones alike): the database may have dropped it meanwhile (a restart).
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Where writes go. SQLite: ONE connection behind an async mutex, so writers queue in
/// the process (in order, without a pool's acquire and release on each: that cost the
/// legacy hot path two thirds of its throughput) instead of meeting SQLite's busy
/// handler, which sleeps and retries. PostgreSQL: the pool (it reconnects by itself
/// after a restart), invariant transactions serialised by an advisory lock instead.
enum Writer {
    Owned(Arc<Mutex<OwnedWriter>>),
    Pool,
}

/// SQLite's one write connection, and whether a script that opens its own transaction
/// (`BEGIN IMMEDIATE; …; COMMIT`, the legacy check) may have stopped inside it: its
/// request was dropped mid-way (the client went away), so its `COMMIT` never ran and
/// every later `BEGIN` would fail ("cannot start a transaction within a transaction").
/// The next holder ends that transaction first ([`Store::writer`]).
pub(crate) struct OwnedWriter {
    conn: AnyConnection,
    script_open: bool,
}

/// A connection to write on, for as long as it is held.
pub(crate) enum WriteConn<'a> {
    Owned(MutexGuard<'a, OwnedWriter>),
    Pooled(PoolConnection<Any>),
}

impl WriteConn<'_> {
    /// Marks a script that opens its own transaction as running (`true`) or finished,
    /// committed or rolled back (`false`). Only SQLite's writer runs such scripts.
    pub(crate) fn script_open(&mut self, open: bool) {
        if let Self::Owned(g) = self {
            g.script_open = open;
        }
    }
}

impl std::ops::Deref for WriteConn<'_> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Self::Owned(g) => &g.conn,
            Self::Pooled(c) => c,
        }
    }
}

impl std::ops::DerefMut for WriteConn<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Self::Owned(g) => &mut g.conn,
            Self::Pooled(c) => &mut *c,
        }
    }
}

/// SQLite settings every connection gets (WAL: readers beside the writer).
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
];

/// Which store a URL names; any other URL is refused with the reason, never taken for a
/// file name.
pub fn backend_of(url: &str) -> anyhow::Result<Backend> {
    match url.split_once(':').map(|(s, _)| s).unwrap_or_default() {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        _ => anyhow::bail!(
            "DATABASE_URL {:?} is not supported: use sqlite://path/to/file.db (one machine) or \
             postgres://user@host:port/database (several replicas)",
            redact(url)
        ),
    }
}

/// A URL as it may be logged: without its password.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "[unparseable URL]".to_owned(),
    }
}

/// What to do about the schema when connecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Apply the migrations not yet applied (`migrate`, and `serve` by default).
    Migrate,
    /// Refuse to go on unless every migration is applied (`serve --migrate false`: the
    /// operator migrates once, before starting the replicas).
    Require,
}

fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    }
}

/// Opens (creating an SQLite file if needed) the database and migrates or checks its
/// schema. `pool_size` bounds the connections this process opens.
#[tracing::instrument(skip_all)]
pub async fn connect(url: &str, pool_size: u32, schema: Schema) -> anyhow::Result<Connected> {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
    let backend = backend_of(url)?;
    let mut url = url.to_owned();
    if backend == Backend::Sqlite {
        let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or_default();
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)?;
        }
        if !url.contains("mode=") {
            url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
        }
    }
    let options =
        AnyConnectOptions::from_str(&url)?.log_statements(tracing::log::LevelFilter::Trace);
    let unreachable =
        |e: sqlx::Error| anyhow::anyhow!("cannot open the database {}: {e}", redact(&url));
    // Half the connections for the legacy door's read (`Hot`), the rest in the pool.
    let hot_size = pool_size / 2;
    let readers = AnyPoolOptions::new()
        .max_connections((pool_size - hot_size).max(1))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // sqlx pings every connection as it comes back to the pool; pinging it again
        // before each use (its default) cost the hot path (the legacy door: one read) a
        // second round trip. A connection idle for a second or more is still pinged first,
        // so one the database dropped meanwhile (a restart) is replaced, not used.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    for pragma in SQLITE_PRAGMAS {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                }
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await
        .map_err(unreachable)?;
    let mut first = readers.acquire().await.map_err(unreachable)?;
    let migrator = migrator(backend);
    match schema {
        Schema::Migrate => migrator.run(&mut *first).await?,
        Schema::Require => {
            use sqlx::migrate::Migrate;
            let applied: Vec<i64> = first
                .list_applied_migrations()
                .await
                .map(|m| m.into_iter().map(|m| m.version).collect())
                .unwrap_or_default();
            let pending: Vec<i64> =
                migrator.iter().map(|m| m.version).filter(|v| !applied.contains(v)).collect();
            anyhow::ensure!(
                pending.is_empty(),
                "the database schema is behind (migrations {pending:?} not applied): run \
                 `app-passwords-server migrate` once, then start the replicas"
            );
        }
    }
    let writer = match backend {
        Backend::Sqlite => {
            let owned = OwnedWriter { conn: first.detach(), script_open: false };
            Writer::Owned(Arc::new(Mutex::new(owned)))
        }
        Backend::Postgres => Writer::Pool,
    };
    let hot = Hot::new(&readers, hot_size as usize).await.map_err(unreachable)?;
    Ok(Connected { readers, hot, writer, backend })
}

/// The database, the clock every rule reads, the key that seals secrets at rest, and
/// the limits the rules enforce. A function holding a write connection (a transaction,
/// or a statement's temporary guard) must not call another that takes one: on SQLite
/// that waits forever.
#[derive(Clone)]
pub struct Store {
    db: Db,
    hot: Hot,
    writer: Arc<Writer>,
    backend: Backend,
    clock: Clock,
    key: Arc<ServerKey>,
    limits: Arc<Limits>,
    /// PostgreSQL: lock what each rule is about (`true`), or everything for every rule
    /// (`APP_PG_LOCKS=global`: the behaviour before, to compare with and to fall back on).
    narrow_locks: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Store {
    pub fn new(
        connected: Connected,
        clock: Clock,
        key: Arc<ServerKey>,
        limits: Arc<Limits>,
    ) -> Self {
        let Connected { readers, hot, writer, backend } = connected;
        Self {
            db: readers,
            hot,
            writer: Arc::new(writer),
            backend,
            clock,
            key,
            limits,
            narrow_locks: true,
        }
    }

    /// Every PostgreSQL rule locks everything, as one writer does (`APP_PG_LOCKS=global`).
    pub fn lock_everything(mut self) -> Self {
        self.narrow_locks = false;
        self
    }

    /// Opens the database at `url` and seals any authenticator key still stored in
    /// plain text by an older version.
    pub async fn open(
        url: &str,
        schema: Schema,
        clock: Clock,
        key: Arc<ServerKey>,
        limits: Arc<Limits>,
    ) -> anyhow::Result<Self> {
        let store = Self::new(connect(url, limits.db_pool_size, schema).await?, clock, key, limits);
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

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection to write on (SQLite: once the writes queued before are done).
    async fn writer(&self) -> sqlx::Result<WriteConn<'_>> {
        Ok(match &*self.writer {
            Writer::Owned(conn) => {
                let mut held = conn.lock().await;
                if held.script_open {
                    // Its request was dropped inside the script's transaction: end it
                    // (an error only says it had ended already).
                    let _ = sqlx::query("ROLLBACK").execute(&mut held.conn).await;
                    held.script_open = false;
                    tracing::warn!("a legacy check stopped mid-way (client gone): rolled back");
                }
                WriteConn::Owned(held)
            }
            Writer::Pool => WriteConn::Pooled(self.db.acquire().await?),
        })
    }

    /// A transaction in which a rule is checked and acted on with no other invariant
    /// transaction about the same things ([`Locks`]) in between, on any replica. SQLite:
    /// `BEGIN IMMEDIATE` takes the file's writer lock up front (so the transaction never
    /// acts on a snapshot another writer has moved past). PostgreSQL: transaction-scoped
    /// advisory locks, taken first in one statement: the invariant lock shared and each
    /// key exclusive in sorted order, or the invariant lock exclusive for a rule about
    /// everything; reads in READ COMMITTED then see the commit of every earlier
    /// transaction about the same things.
    async fn begin<'c>(&self, conn: &'c mut AnyConnection, locks: &Locks) -> sqlx::Result<Tx<'c>> {
        match self.backend {
            Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => {
                let mut tx = conn.begin().await?;
                let keys = if self.narrow_locks { locks.sorted() } else { None };
                let sql = match &keys {
                    None => "SELECT pg_advisory_xact_lock($1)".to_owned(),
                    // Evaluated left to right: the sorted order.
                    Some(keys) => (0..keys.len())
                        .fold("SELECT pg_advisory_xact_lock_shared($1)".to_owned(), |sql, i| {
                            format!("{sql}, pg_advisory_xact_lock(${})", i + 2)
                        }),
                };
                let query = keys
                    .iter()
                    .flatten()
                    .fold(sqlx::query(&sql).bind(INVARIANT_LOCK), |q, key| q.bind(*key));
                query.execute(&mut *tx).await?;
                Ok(tx)
            }
        }
    }

    /// Inside a transaction about some keys, locks one more that only the rule's own
    /// reading has named (a security key's credential id, known once its answer is
    /// verified; the account of a notice's link or a hand-off code, known once taken).
    /// Taken after the keys of [`Self::begin`] and before any other, by every rule that
    /// takes it, so no two transactions wait on each other in a circle. A transaction
    /// about everything, and SQLite's, hold it already.
    async fn lock_also(&self, tx: &mut Tx<'_>, kind: &str, name: &str) -> sqlx::Result<()> {
        self.lock_also_all(tx, &Locks::found_inside(), kind, [name]).await
    }

    /// [`Self::lock_also`] for several names of one kind (a SCIM group's members), all
    /// in one go and in the one order every rule takes keys in (sorted), so that two rules
    /// locking some of the same wait for each other instead of each holding one the
    /// other waits for. `held`: what the transaction began with; about everything, it
    /// holds these already and takes none (a rule about more than [`MAX_KEYS`] must not
    /// fill PostgreSQL's lock table).
    async fn lock_also_all<'n>(
        &self,
        tx: &mut Tx<'_>,
        held: &Locks,
        kind: &str,
        names: impl IntoIterator<Item = &'n str>,
    ) -> sqlx::Result<()> {
        if self.backend == Backend::Postgres && self.narrow_locks && *held != Locks::Everything {
            let keys = Locks::Keys(names.into_iter().map(|n| lock_key(kind, n)).collect());
            for key in keys.sorted().unwrap_or_default() {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(key)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// Runs `rule`, about `locks`, in one invariant transaction ([`Self::begin`]):
    /// committed when it succeeds, rolled back when it is refused or fails.
    pub(crate) async fn transaction<T>(
        &self,
        locks: Locks,
        rule: impl for<'t, 'c> AsyncFnOnce(&'t mut Tx<'c>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer, &locks).await?;
        let result = rule(&mut tx).await;
        finish(tx, result).await
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> sqlx::Result<()> {
        sqlx::query("SELECT 1").execute(&self.db).await.map(drop)
    }
}

/// A store on a fresh SQLite file in `dir`, its clock stopped (unit tests of the rules).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) async fn test_store(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let key = Arc::new(crate::crypto::ServerKey::from_bytes([1; 32]));
    let limits = Arc::new(crate::domain::limits::Limits::DEFAULT);
    let clock = crate::clock::Clock::manual(1_790_000_000);
    Store::open(&url, Schema::Migrate, clock, key, limits).await.unwrap()
}

#[cfg(test)]
mod tests {
    use super::{backend_of, redact, Backend};

    /// A legacy check dropped inside its script (its client went away: `make bench` saw
    /// the next check answer 500, "cannot start a transaction within a transaction")
    /// leaves SQLite's writer in the script's transaction; the next holder ends it.
    #[tokio::test]
    #[allow(clippy::unwrap_used)]
    async fn a_script_dropped_inside_its_transaction_is_rolled_back_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::test_store(&dir).await;
        {
            // What a dropped `legacy_script` leaves: its BEGIN ran, its COMMIT never did.
            let mut conn = store.writer().await.unwrap();
            conn.script_open(true);
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await.unwrap();
            sqlx::query(
                "INSERT INTO throttles (bucket, window_start, hits, expires_at) \
                         VALUES ('half-done', 0, 1, 9999999999)",
            )
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        // The next rule's transaction runs (it would fail inside the open one), and what
        // the dropped script wrote is gone.
        store.sweep().await.unwrap();
        let left: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM throttles WHERE bucket = 'half-done'")
                .fetch_one(&store.db)
                .await
                .unwrap();
        assert_eq!(left.0, 0);
    }

    #[test]
    fn urls_name_their_store_or_are_refused_not_taken_for_file_names() {
        assert_eq!(backend_of("sqlite://data/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgres://u@db:5432/identity").unwrap(), Backend::Postgres);
        assert_eq!(backend_of("postgresql://u@db/identity").unwrap(), Backend::Postgres);
        let err = backend_of("mysql://root:hunter2@db/identity").unwrap_err().to_string();
        assert!(err.contains("not supported") && err.contains("postgres://"), "{err}");
        assert!(!err.contains("hunter2"), "the password is not repeated: {err}");
        assert!(backend_of("data/x.db").is_err());
    }

    #[test]
    fn logged_urls_hide_their_password() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/identity"),
            "postgres://app@db:5432/identity"
        );
        assert!(!redact("not a url with s3cret").contains("s3cret"));
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
    /// A fresh MFA proof with a security key or passkey is needed first (the
    /// phishing-resistant policy).
    KeyRequired,
    /// Too many wrong MFA codes in a row: an admin must unlock the account.
    MfaLocked,
    RateLimited(u32),
    ResendTooSoon(u32),
    /// An authenticator app makes its own codes: there is nothing to send again.
    NoCodeToSend,
    CodeExpired,
    TooManyAttempts,
    /// A security key's answer that does not verify (counted like a wrong code).
    CredentialRefused {
        attempts_left: i64,
    },
    /// The key is registered already (this account or another).
    KeyAlreadyRegistered,
    /// The request's field (name, code) is not what this proof takes.
    Invalid(&'static str, &'static str),
    InvalidCode {
        attempts_left: i64,
    },
    /// The account holds `limit` app passwords already.
    LimitReached {
        limit: i64,
    },
    NameTaken,
    /// The attribute's value (a SCIM userName, externalId, group name) is another's.
    Taken(&'static str),
    /// The session ended while the request was on its way.
    SessionEnded,
}

/// A refusal, or the database failing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// Something that is not the client's doing (logged, answered as `internal`).
    #[error("{0}")]
    Other(String),
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
