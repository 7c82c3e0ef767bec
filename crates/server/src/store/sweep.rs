//! Removes what has expired, so the tables hold only what can still matter: sessions
//! past their idle or absolute limit, proofs past their life (closed ones at once),
//! throttle windows that ended, idempotency answers past their life, demo messages
//! older than a day.

use super::Store;

/// How many rows of each kind one sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub proofs: u64,
    pub throttles: u64,
    pub idempotency: u64,
    pub outbox: u64,
}

impl Swept {
    pub fn total(&self) -> u64 {
        self.sessions + self.proofs + self.throttles + self.idempotency + self.outbox
    }
}

impl Store {
    pub async fn sweep(&self) -> sqlx::Result<Swept> {
        let now = self.now();
        let l = &self.limits;
        let run = |sql: &'static str, at: i64| async move {
            sqlx::query(sql).bind(at).execute(&self.db).await.map(|r| r.rows_affected())
        };
        // Proofs first: a session's removal would take its proofs with it uncounted.
        let proofs = run("DELETE FROM proofs WHERE done OR expires_at <= $1", now).await?;
        Ok(Swept {
            sessions: sqlx::query(
                "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2",
            )
            .bind(now - l.session_idle)
            .bind(now - l.session_max)
            .execute(&self.db)
            .await?
            .rows_affected(),
            proofs,
            throttles: run("DELETE FROM throttles WHERE expires_at <= $1", now).await?,
            idempotency: run(
                "DELETE FROM idempotency WHERE created_at < $1",
                now - l.idempotency_ttl,
            )
            .await?,
            outbox: run("DELETE FROM outbox WHERE created_at < $1", (now - 24 * 3600) * 1000)
                .await?,
        })
    }
}
