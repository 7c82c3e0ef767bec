//! Removes what has expired, so the tables hold only what can still matter: sessions
//! past their idle or absolute limit, proofs past their life (closed ones at once),
//! throttle windows that ended, idempotency answers past their life, demo messages
//! older than a day.

use super::{Locks, Store};

/// How many rows of each kind one sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub proofs: u64,
    pub throttles: u64,
    pub idempotency: u64,
    pub outbox: u64,
    /// App passwords past their account's "remove if unused" limit.
    pub unused_app_passwords: u64,
}

impl Swept {
    pub fn total(&self) -> u64 {
        self.sessions
            + self.proofs
            + self.throttles
            + self.idempotency
            + self.outbox
            + self.unused_app_passwords
    }
}

impl Store {
    /// One transaction: the writer is held once, not once per table. Its rows are ones
    /// no rule counts on any more (expired, used, or unused past the policy's days: each
    /// rule checks those itself), so on PostgreSQL it waits for no rule about a person
    /// and holds none off ([`Locks::found_inside`]).
    pub async fn sweep(&self) -> sqlx::Result<Swept> {
        let now = self.now();
        let l = &self.limits;
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer, &Locks::found_inside()).await?;
        let mut delete = async |sql: &str, binds: &[i64]| {
            let mut query = sqlx::query(sql);
            for b in binds {
                query = query.bind(*b);
            }
            query.execute(&mut *tx).await.map(|r| r.rows_affected())
        };
        // Proofs first: a session's removal would take its proofs with it uncounted.
        let proofs =
            delete("DELETE FROM proofs WHERE done = 1 OR expires_at <= $1", &[now]).await?;
        let sessions = delete(
            "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2",
            &[now - l.session_idle, now - l.session_max],
        )
        .await?;
        let throttles = delete("DELETE FROM throttles WHERE expires_at <= $1", &[now]).await?;
        let idempotency =
            delete("DELETE FROM idempotency WHERE created_at < $1", &[now - l.idempotency_ttl])
                .await?;
        let outbox =
            delete("DELETE FROM outbox WHERE created_at < $1", &[(now - 24 * 3600) * 1000]).await?;
        // Notices whose link no longer works (counted with the proofs: both are links
        // and codes that expired).
        let notices = delete("DELETE FROM notices WHERE expires_at <= $1", &[now]).await?;
        // Sign-ins sent to the OpenID provider that never came back, hand-offs never
        // fetched (counted with the proofs too).
        let logins = delete("DELETE FROM sso_logins WHERE expires_at <= $1", &[now]).await?;
        let handoffs = delete("DELETE FROM sso_handoffs WHERE expires_at <= $1", &[now]).await?;
        // Networks no longer familiar (smart lockout).
        let familiar = delete(
            "DELETE FROM familiar_sources WHERE seen_at <= $1",
            &[now - crate::domain::limits::FAMILIAR_FOR],
        )
        .await?;
        // Admin tokens ended early, once they would have expired anyway.
        let ended = delete("DELETE FROM ended_admin_tokens WHERE expires_at <= $1", &[now]).await?;
        let proofs = proofs + notices + logins + handoffs + ended + familiar;
        // Where the policy says so: unused (or never used) for that many days.
        let unused_app_passwords = delete(
            "DELETE FROM app_passwords WHERE EXISTS (SELECT 1 FROM accounts a \
               WHERE a.id = app_passwords.account_id AND a.app_password_unused_days IS NOT NULL \
               AND COALESCE(app_passwords.last_used_at, app_passwords.created_at) \
                   <= $1 - a.app_password_unused_days * 86400)",
            &[now],
        )
        .await?;
        tx.commit().await?;
        Ok(Swept { sessions, proofs, throttles, idempotency, outbox, unused_app_passwords })
    }
}
