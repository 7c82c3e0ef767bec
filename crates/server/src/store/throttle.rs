//! Fixed-window counters in the database, shared by every replica. A hit is counted
//! BEFORE the work it limits (a password hash, a code check, a send) by one
//! conditional upsert that refuses once the window is full, so a burst of parallel
//! requests cannot all pass a check made before any of them counted. Work that
//! succeeds may hand its hit back with [`Store::release`].

use sqlx::AnyConnection;

use super::{Locks, Store, Tx};
use crate::domain::limits::{Bucket, Budget};

/// A hit counted in one bucket's current window; give it back with [`Store::release`].
#[derive(Debug, Clone)]
pub struct Hit {
    bucket: String,
    window_start: i64,
}

/// Hits counted in several buckets at once.
#[derive(Debug, Clone, Default)]
pub struct Hits(Vec<Hit>);

impl Hit {
    /// A hit counted in `bucket`'s window that started at `window_start`.
    pub(super) fn new(bucket: &str, window_start: i64) -> Self {
        Self { bucket: bucket.to_owned(), window_start }
    }
}

impl Hits {
    /// Whether a hit in `bucket` is among these.
    pub(super) fn covers(&self, bucket: &str) -> bool {
        self.0.iter().any(|h| h.bucket == bucket)
    }

    pub(super) fn push(&mut self, hit: Hit) {
        self.0.push(hit);
    }

    /// Adds `other`'s hits to these.
    pub fn merge(&mut self, other: Hits) {
        self.0.extend(other.0);
    }
}

impl From<Hit> for Hits {
    fn from(hit: Hit) -> Self {
        Self(vec![hit])
    }
}

/// A full bucket: wait this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Full(pub u32);

/// How a hit is counted in a bucket's row (after `INSERT INTO throttles (bucket,
/// window_start, hits, expires_at) …` of a new window starting at this hit): a row whose
/// window has ended starts that new window with this hit, any other gains one hit.
/// Written once, for [`take`] and the legacy door's one-round-trip script
/// (`app_passwords.rs`).
macro_rules! count_hit {
    () => {
        "ON CONFLICT (bucket) DO UPDATE SET \
           hits = CASE WHEN throttles.expires_at <= excluded.window_start \
             THEN 1 ELSE throttles.hits + 1 END, \
           window_start = CASE WHEN throttles.expires_at <= excluded.window_start \
             THEN excluded.window_start ELSE throttles.window_start END, \
           expires_at = CASE WHEN throttles.expires_at <= excluded.window_start \
             THEN excluded.expires_at ELSE throttles.expires_at END"
    };
}
pub(super) use count_hit;

/// Counts one hit in `bucket` unless its window is full. `Err` carries the wait.
pub(super) async fn take(
    conn: &mut AnyConnection,
    bucket: &Bucket,
    now: i64,
) -> sqlx::Result<Result<Hit, Full>> {
    let taken: Option<i64> = sqlx::query_scalar(concat!(
        "INSERT INTO throttles (bucket, window_start, hits, expires_at) VALUES ($1, $2, 1, $3) ",
        count_hit!(),
        " WHERE throttles.expires_at <= $2 OR throttles.hits < $4 RETURNING window_start"
    ))
    .bind(&bucket.name)
    .bind(now)
    .bind(now + bucket.window)
    .bind(bucket.limit)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(window_start) = taken {
        return Ok(Ok(Hit { bucket: bucket.name.clone(), window_start }));
    }
    let expires: i64 = sqlx::query_scalar("SELECT expires_at FROM throttles WHERE bucket = $1")
        .bind(&bucket.name)
        .fetch_one(&mut *conn)
        .await?;
    Ok(Err(Full(u32::try_from((expires - now).max(1)).unwrap_or(u32::MAX))))
}

/// Counts one hit in every bucket, or in none if any is full (then the longest wait).
pub(super) async fn take_all(
    tx: &mut Tx<'_>,
    buckets: &[Bucket],
    now: i64,
) -> sqlx::Result<Result<Hits, Full>> {
    let mut hits = Vec::with_capacity(buckets.len());
    let mut full: Option<Full> = None;
    for bucket in buckets {
        match take(tx, bucket, now).await? {
            Ok(hit) => hits.push(hit),
            Err(wait) => full = full.max(Some(wait)),
        }
    }
    Ok(match full {
        // The caller rolls the transaction back, so the hits taken above vanish too.
        Some(wait) => Err(wait),
        None => Ok(Hits(hits)),
    })
}

/// Gives hits back (in the window they were counted in only).
pub(super) async fn give_back(conn: &mut AnyConnection, hits: &Hits) -> sqlx::Result<()> {
    for hit in &hits.0 {
        sqlx::query(
            "UPDATE throttles SET hits = hits - 1 \
             WHERE bucket = $1 AND window_start = $2 AND hits > 0",
        )
        .bind(&hit.bucket)
        .bind(hit.window_start)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Whether `budget` is full now (and how long to wait), counting nothing: for a
    /// caller whose credential is right, who spends nothing but must get the same answer
    /// as a guesser once the budget is spent (so a full budget tells nobody anything).
    pub async fn full(&self, budget: Budget<'_>) -> sqlx::Result<Option<Full>> {
        let bucket = budget.bucket(&self.limits);
        let now = self.now();
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT hits, expires_at FROM throttles WHERE bucket = $1")
                .bind(&bucket.name)
                .fetch_optional(&self.db)
                .await?;
        Ok(row
            .filter(|(hits, expires)| *expires > now && *hits >= bucket.limit)
            .map(|(_, expires)| Full(u32::try_from((expires - now).max(1)).unwrap_or(u32::MAX))))
    }

    /// Counts one hit in each budget, atomically: all or none.
    pub async fn spend(&self, budgets: &[Budget<'_>]) -> sqlx::Result<Result<Hits, Full>> {
        let buckets: Vec<Bucket> = budgets.iter().map(|b| b.bucket(&self.limits)).collect();
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer, &Locks::buckets(&buckets)).await?;
        let taken = take_all(&mut tx, &buckets, self.now()).await?;
        match taken {
            Ok(_) => tx.commit().await?,
            Err(_) => tx.rollback().await?,
        }
        Ok(taken)
    }

    /// Hands back hits whose work succeeded (a right password is not a failure).
    pub async fn release(&self, hits: &Hits) -> sqlx::Result<()> {
        let mut conn = self.writer().await?;
        give_back(&mut conn, hits).await
    }
}
