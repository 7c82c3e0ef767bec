//! Admin tokens ended before their time (the helpdesk view's sign-out): a token is
//! signed and checked by every replica alone (`credentials::admin`), so ending one is
//! a row every replica reads, kept until the token would have expired anyway.

use super::Store;

fn token_hash(store: &Store, token: &str) -> String {
    store.key.keyed_hash("ended-admin-token", token.as_bytes())
}

impl Store {
    /// Ends `token` (which would expire at `expires_at`): every later call with it is
    /// refused, on every replica. Ending it twice is ending it once.
    pub async fn end_admin_token(&self, token: &str, expires_at: i64) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO ended_admin_tokens (token_hash, expires_at) VALUES ($1, $2) \
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash(self, token))
        .bind(expires_at)
        .execute(&mut *self.writer().await?)
        .await
        .map(drop)
    }

    /// Whether `token` was ended before its time.
    pub async fn admin_token_ended(&self, token: &str) -> sqlx::Result<bool> {
        let row: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM ended_admin_tokens WHERE token_hash = $1")
                .bind(token_hash(self, token))
                .fetch_optional(&self.db)
                .await?;
        Ok(row.is_some())
    }
}
