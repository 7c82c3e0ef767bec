//! Fixed-window counters in the database, so every replica sees the same counts.

use crate::clock::now;
use crate::db::Db;

/// A counter named `bucket` over `window` seconds.
pub struct Bucket<'a> {
    pub name: &'a str,
    pub limit: i64,
    pub window: i64,
}

impl Bucket<'_> {
    /// Seconds to wait if the bucket is full, without counting a hit.
    pub async fn blocked(&self, db: &Db) -> sqlx::Result<Option<u32>> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT window_start, hits FROM throttles WHERE bucket = ?")
                .bind(self.name)
                .fetch_optional(db)
                .await?;
        Ok(row.and_then(|(start, hits)| self.wait(start, hits)))
    }

    /// Counts a hit; returns the seconds to wait if the bucket is now over its limit.
    pub async fn hit(&self, db: &Db) -> sqlx::Result<Option<u32>> {
        let now = now();
        let expired = now - self.window;
        let (start, hits): (i64, i64) = sqlx::query_as(
            "INSERT INTO throttles (bucket, window_start, hits) VALUES (?, ?, 1) \
             ON CONFLICT (bucket) DO UPDATE SET \
               hits = CASE WHEN throttles.window_start <= ? THEN 1 ELSE throttles.hits + 1 END, \
               window_start = CASE WHEN throttles.window_start <= ? THEN excluded.window_start \
                              ELSE throttles.window_start END \
             RETURNING window_start, hits",
        )
        .bind(self.name)
        .bind(now)
        .bind(expired)
        .bind(expired)
        .fetch_one(db)
        .await?;
        Ok(self.wait(start, hits - 1))
    }

    /// Forgets the bucket (after a success).
    pub async fn clear(&self, db: &Db) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM throttles WHERE bucket = ?").bind(self.name).execute(db).await?;
        Ok(())
    }

    /// Seconds to wait given a bucket's stored row, if it is full.
    pub fn wait(&self, start: i64, hits: i64) -> Option<u32> {
        let left = start + self.window - now();
        (hits >= self.limit && left > 0).then(|| u32::try_from(left).unwrap_or(u32::MAX))
    }
}
