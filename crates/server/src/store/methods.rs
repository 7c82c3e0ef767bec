//! Registered methods of an account. (They are registered by a verified enrollment, in
//! `proofs.rs`.)

use wire::MethodKind;

use super::{Locks, Refusal, Store, StoreResult, Tx};
use crate::crypto::SEALED_PREFIX;
use crate::domain::methods::{MethodRow, METHOD_COLUMNS, METHOD_ORDER};

impl Store {
    /// The account's methods, the default first ([`METHOD_ORDER`]).
    pub async fn methods(&self, account_id: &str) -> sqlx::Result<Vec<MethodRow>> {
        sqlx::query_as(&format!(
            "SELECT {METHOD_COLUMNS} FROM methods WHERE account_id = $1 ORDER BY {METHOD_ORDER}"
        ))
        .bind(account_id)
        .fetch_all(&self.db)
        .await
    }

    /// Removes one method of the account, and the proofs open on it, inside `tx`: what
    /// it was (its kind and label), or `None` when the account has no such method.
    pub(super) async fn remove_method_in(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
        method_id: &str,
    ) -> sqlx::Result<Option<(String, String)>> {
        let removed = sqlx::query_as(
            "DELETE FROM methods WHERE account_id = $1 AND id = $2 RETURNING kind, label",
        )
        .bind(account_id)
        .bind(method_id)
        .fetch_optional(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM proofs WHERE account_id = $1 AND method_id = $2")
            .bind(account_id)
            .bind(method_id)
            .execute(&mut **tx)
            .await?;
        Ok(removed)
    }

    /// Renames one method of the account inside `tx`: its kind and former name, or `None`
    /// when the account has no such method. A phone or an address is named by its
    /// masked destination: refused (`name`, `not_renamable`).
    pub(super) async fn rename_method_in(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
        method_id: &str,
        name: &str,
    ) -> StoreResult<Option<(String, String)>> {
        let before: Option<(String, String)> =
            sqlx::query_as("SELECT kind, label FROM methods WHERE account_id = $1 AND id = $2")
                .bind(account_id)
                .bind(method_id)
                .fetch_optional(&mut **tx)
                .await?;
        let Some((kind, label)) = before else { return Ok(None) };
        if MethodKind::parse(&kind).is_none_or(MethodKind::sends_code) {
            return Err(Refusal::Invalid("name", "not_renamable").into());
        }
        sqlx::query("UPDATE methods SET label = $1 WHERE account_id = $2 AND id = $3")
            .bind(name)
            .bind(account_id)
            .bind(method_id)
            .execute(&mut **tx)
            .await?;
        Ok(Some((kind, label)))
    }

    /// Makes one method of the account its default (listed, so offered, first) inside
    /// `tx`: its kind and name, or `None` when the account has no such method.
    pub(super) async fn prefer_method_in(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
        method_id: &str,
    ) -> sqlx::Result<Option<(String, String)>> {
        sqlx::query_as(
            "UPDATE methods SET preferred = (SELECT COALESCE(MAX(preferred), 0) + 1 FROM methods \
             WHERE account_id = $1) WHERE account_id = $1 AND id = $2 RETURNING kind, label",
        )
        .bind(account_id)
        .bind(method_id)
        .fetch_optional(&mut **tx)
        .await
    }

    /// Removes every method of the account, and every proof open for it (enrollments
    /// too), inside `tx`: how many methods.
    pub(super) async fn remove_methods_in(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
    ) -> sqlx::Result<u64> {
        let removed = sqlx::query("DELETE FROM methods WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM proofs WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut **tx)
            .await?;
        Ok(removed)
    }

    /// Seals authenticator keys an older version stored as base32 text (methods), and
    /// drops them from open enrollments (which then simply expire). Returns how many.
    pub(super) async fn seal_plain_seeds(&self) -> anyhow::Result<u64> {
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer, &Locks::Everything).await?;
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
