//! Notices of what was added to an account (an app password, a method), each with a
//! "this wasn't me" link: a 256-bit token stored as a keyed hash, single use, expiring.
//! Following it removes what the notice was about and ends every session of the
//! account, as one transaction (of two clicks raced, one acts).

use secrecy::{ExposeSecret, SecretString};

use super::{Locks, Refusal, Store, StoreResult, Tx};
use crate::crypto;

/// How long a notice's link works.
pub const NOTICE_TTL: i64 = 7 * 86_400;

pub use wire::{Disowned, Noticed};

/// How a notice's subject is stored.
fn stored(what: Noticed) -> &'static str {
    match what {
        Noticed::AppPassword => "app_password",
        Noticed::Method => "method",
        Noticed::MethodChange => "method_change",
    }
}

fn token_hash(store: &Store, token: &str) -> String {
    store.key.keyed_hash("notice", token.as_bytes())
}

impl Store {
    /// Records a notice about `target_id` (named `name`); returns the link's token.
    pub async fn open_notice(
        &self,
        account_id: &str,
        what: Noticed,
        target_id: &str,
        name: &str,
    ) -> sqlx::Result<SecretString> {
        let token = crypto::new_token();
        let now = self.now();
        sqlx::query(
            "INSERT INTO notices (id, account_id, what, target_id, target_name, token_hash, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(crypto::random_id())
        .bind(account_id)
        .bind(stored(what))
        .bind(target_id)
        .bind(name)
        .bind(token_hash(self, token.expose_secret()))
        .bind(now)
        .bind(now + NOTICE_TTL)
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(token)
    }

    /// "This wasn't me": removes what the notice named and ends every session of the
    /// account. An unknown, used or expired token is `NotFound` (the same answer: a
    /// guesser learns nothing). A rule about the notice's account, locked once the
    /// token has named it.
    pub async fn disown(&self, token: &str) -> StoreResult<Disowned> {
        self.transaction(Locks::found_inside(), async |tx| self.disown_in(tx, token).await).await
    }

    async fn disown_in(&self, tx: &mut Tx<'_>, token: &str) -> StoreResult<Disowned> {
        let now = self.now();
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "UPDATE notices SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             AND expires_at > $1 RETURNING account_id, what, target_id, target_name",
        )
        .bind(now)
        .bind(token_hash(self, token))
        .fetch_optional(&mut **tx)
        .await?;
        let (account_id, what, target_id, name) = row.ok_or(Refusal::NotFound)?;
        // The notice is this transaction's (its row, taken above): the rest is a rule
        // about its account.
        self.lock_also(tx, "account", &account_id).await?;
        let what = [Noticed::AppPassword, Noticed::Method, Noticed::MethodChange]
            .into_iter()
            .find(|w| stored(*w) == what)
            .unwrap_or(Noticed::MethodChange);
        // A change (a method removed, renamed, made default) leaves nothing to remove.
        let removed = match what {
            Noticed::Method => self.remove_method_in(tx, &account_id, &target_id).await?.is_some(),
            Noticed::AppPassword => {
                self.revoke_app_password_in(tx, &account_id, &target_id).await?.is_some()
            }
            Noticed::MethodChange => false,
        };
        let sessions_ended = self.end_sessions_in(tx, &account_id, None).await?;
        let sessions_ended = u32::try_from(sessions_ended).unwrap_or(u32::MAX);
        Ok(Disowned { what, name, removed, sessions_ended })
    }
}
