//! Demo mode: every message that would have been sent.

use super::Store;
use crate::crypto;

/// One message in the demo outbox.
#[derive(Debug, serde::Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub channel: String,
    pub destination: String,
    pub body: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl Store {
    pub async fn push_outbox(
        &self,
        channel: &str,
        destination: &str,
        body: &str,
    ) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO outbox (id, channel, destination, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(crypto::random_id())
            .bind(channel)
            .bind(destination)
            .bind(body)
            .bind(self.clock.now_ms())
            .execute(&mut *self.writer().await?)
            .await
            .map(drop)
    }

    /// The newest 50 messages, newest first.
    pub async fn outbox(&self) -> sqlx::Result<Vec<OutboxMessage>> {
        sqlx::query_as(
            "SELECT channel, destination, body, created_at FROM outbox \
             ORDER BY created_at DESC, id LIMIT 50",
        )
        .fetch_all(&self.db)
        .await
    }
}
