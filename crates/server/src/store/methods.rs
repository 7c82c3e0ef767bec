//! Registered methods of an account. (They are registered by a verified enrollment, in
//! `proofs.rs`.)

use super::Store;
use crate::crypto::SEALED_PREFIX;
use crate::domain::methods::{MethodRow, METHOD_COLUMNS};

impl Store {
    pub async fn methods(&self, account_id: &str) -> sqlx::Result<Vec<MethodRow>> {
        sqlx::query_as(&format!(
            "SELECT {METHOD_COLUMNS} FROM methods WHERE account_id = $1 ORDER BY created_at, id"
        ))
        .bind(account_id)
        .fetch_all(&self.db)
        .await
    }

    /// Seals authenticator keys an older version stored as base32 text (methods), and
    /// drops them from open enrollments (which then simply expire). Returns how many.
    pub(super) async fn seal_plain_seeds(&self) -> anyhow::Result<u64> {
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer).await?;
        let plain: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, totp_secret FROM methods WHERE totp_secret IS NOT NULL \
             AND substr(totp_secret, 1, 3) <> $1",
        )
        .bind(SEALED_PREFIX)
        .fetch_all(&mut *tx)
        .await?;
        for (id, base32) in &plain {
            let key = totp_rs::Secret::Encoded(base32.clone())
                .to_bytes()
                .map_err(|e| anyhow::anyhow!("method {id}: stored key unreadable: {e:?}"))?;
            sqlx::query("UPDATE methods SET totp_secret = $1 WHERE id = $2")
                .bind(self.key.seal("totp", id, &key))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE proofs SET totp_secret = NULL WHERE totp_secret IS NOT NULL \
             AND substr(totp_secret, 1, 3) <> $1",
        )
        .bind(SEALED_PREFIX)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(u64::try_from(plain.len()).unwrap_or(0))
    }
}
