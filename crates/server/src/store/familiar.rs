//! Familiar sources (smart lockout): the networks a person signed in from with their
//! password in the last [`FAMILIAR_FOR`] seconds. The web sign-in asks before it counts
//! an attempt (`credentials::primary`): from a familiar network it spends the person's
//! familiar password budget, from anywhere else the other one, so guesses from
//! elsewhere cannot lock the person out of their own networks.

use super::Store;
use crate::domain::client::ClientAddr;
use crate::domain::limits::FAMILIAR_FOR;

fn source(store: &Store, username: &str, client: &ClientAddr) -> String {
    let text = format!("{username}\n{}", client.network());
    store.key.keyed_hash("familiar-source", text.as_bytes())
}

impl Store {
    /// Whether `username` signed in with their password from `client`'s network lately.
    pub async fn familiar(&self, username: &str, client: &ClientAddr) -> sqlx::Result<bool> {
        let seen: Option<i64> = sqlx::query_scalar(
            "SELECT seen_at FROM familiar_sources WHERE username = $1 AND source = $2",
        )
        .bind(username)
        .bind(source(self, username, client))
        .fetch_optional(&self.db)
        .await?;
        Ok(seen.is_some_and(|at| at > self.now() - FAMILIAR_FOR))
    }

    /// Remembers that `username` signed in with their password from `client`'s network.
    pub async fn remember_source(&self, username: &str, client: &ClientAddr) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO familiar_sources (username, source, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (username, source) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(username)
        .bind(source(self, username, client))
        .bind(self.now())
        .execute(&mut *self.writer().await?)
        .await
        .map(drop)
    }
}
