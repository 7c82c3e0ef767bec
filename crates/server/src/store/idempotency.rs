//! The claims behind `Idempotency-Key`: the first request with a key claims it, then
//! either finishes it (storing its sealed answer) or releases it (on failure, so the
//! client may retry with the same key). Stored answers live minutes, not days: one may
//! hold a new app password, sealed under a key only the client holds.

use super::{Locks, Store};

/// A key already claimed.
#[derive(Debug)]
pub enum Claimed {
    /// By this same request, whose answer is stored (sealed): `(status, body)`.
    Done(u16, String),
    /// By this same request, still running.
    Running,
    /// By a different request body.
    Conflict,
}

impl Store {
    /// Claims `(account, key)` for a request whose body hashes to `fingerprint`; `None`
    /// when this call claimed it and must run the request.
    pub async fn claim_idempotency(
        &self,
        account_id: &str,
        key: &str,
        fingerprint: &str,
    ) -> sqlx::Result<Option<Claimed>> {
        let now = self.now();
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer, &Locks::account(account_id)).await?;
        sqlx::query(
            "DELETE FROM idempotency WHERE account_id = $1 AND idem_key = $2 AND created_at < $3",
        )
        .bind(account_id)
        .bind(key)
        .bind(now - self.limits.idempotency_ttl)
        .execute(&mut *tx)
        .await?;
        let claimed = sqlx::query(
            "INSERT INTO idempotency (account_id, idem_key, fingerprint, status, created_at) \
             VALUES ($1, $2, $3, 0, $4) ON CONFLICT (account_id, idem_key) DO NOTHING",
        )
        .bind(account_id)
        .bind(key)
        .bind(fingerprint)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        let existing = if claimed {
            None
        } else {
            let (stored, status, body): (String, i64, Option<String>) = sqlx::query_as(
                "SELECT fingerprint, status, body FROM idempotency WHERE account_id = $1 AND idem_key = $2",
            )
            .bind(account_id)
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            Some(match (stored == fingerprint, body, u16::try_from(status)) {
                (false, _, _) => Claimed::Conflict,
                (true, Some(body), Ok(status)) if status != 0 => Claimed::Done(status, body),
                _ => Claimed::Running,
            })
        };
        tx.commit().await?;
        Ok(existing)
    }

    /// Stores the claimed request's answer.
    pub async fn finish_idempotency(
        &self,
        account_id: &str,
        key: &str,
        status: u16,
        sealed_body: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE idempotency SET status = $1, body = $2 WHERE account_id = $3 AND idem_key = $4",
        )
        .bind(i64::from(status))
        .bind(sealed_body)
        .bind(account_id)
        .bind(key)
        .execute(&mut *self.writer().await?)
        .await
        .map(drop)
    }

    /// Forgets a claim whose request failed.
    pub async fn release_idempotency(&self, account_id: &str, key: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM idempotency WHERE account_id = $1 AND idem_key = $2")
            .bind(account_id)
            .bind(key)
            .execute(&mut *self.writer().await?)
            .await
            .map(drop)
    }
}
