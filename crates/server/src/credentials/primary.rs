//! The primary credential: the one rule for checking a person's own password, whatever
//! door it comes through (the web sign-in, a password change, a mail client at the
//! legacy door). Every door goes through [`PrimaryCredential::check`]:
//!
//! 1. the attempt is counted BEFORE anything is checked, in the door's budgets and the
//!    username's password budget (shared by every door), by one conditional statement
//!    per budget (`store::throttle`): a burst of guesses, however parallel, is checked no
//!    further than the budget;
//! 2. the password is checked: Argon2id against the account's stored hash, or against
//!    a dummy hash in the same time when there is no account (or none this door takes),
//!    so timing does not tell who has an account;
//! 3. a right password hands every hit back (a right password is no failure), and so
//!    does a check that could not be made (no hashing slot came free: it was no try).
//!
//! Where the password is checked is this module's business alone: the directory of
//! an organization (LDAP) will be a second way behind the same `check`.

use std::sync::Arc;

use secrecy::SecretString;

use super::argon2::{Busy, Hasher};
use crate::domain::accounts::{AccountRow, Username};
use crate::domain::client::ClientAddr;
use crate::domain::limits::Budget;
use crate::store::throttle::{Full, Hits};
use crate::store::Store;

/// Which door a password came through, and what that door spends.
#[derive(Debug)]
pub enum Door<'a> {
    /// The web sign-in: the client address's budget, and the username's password
    /// budget whether or not the account exists (a refusal says nothing of who has an
    /// account).
    SignIn { client: &'a ClientAddr },
    /// A signed-in person changing their password: the password budget.
    PasswordChange,
    /// A mail client whose password was not a valid app password; `spent` are the legacy
    /// budgets' hits it already counted, handed back too by a right password. Only an
    /// account whose policy takes its primary password there is checked
    /// ([`AccountRow::takes_password_at_legacy_door`]), spending its password budget; any
    /// other costs the same time and no password budget, so a mail client retrying a
    /// revoked app password cannot lock its owner's web sign-in.
    Legacy { spent: Hits },
}

/// What a check came to.
#[derive(Debug)]
pub enum Checked {
    /// The password is the account's.
    Right(Box<AccountRow>),
    /// It is not (or there is no such account); the try stays counted.
    Wrong,
}

/// Why a password could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum NotChecked {
    /// A budget is spent: wait this many seconds.
    #[error("rate limited for {0} s")]
    RateLimited(u32),
    /// No hashing slot came free in time.
    #[error("no hashing slot came free")]
    Busy,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Checks primary passwords, and hashes new ones, within bounded concurrency.
#[derive(Debug, Clone)]
pub struct PrimaryCredential {
    store: Store,
    hasher: Arc<Hasher>,
}

impl PrimaryCredential {
    pub fn new(store: Store, hasher: Arc<Hasher>) -> Self {
        Self { store, hasher }
    }

    pub fn hasher(&self) -> &Hasher {
        &self.hasher
    }

    /// Whether `password` is `username`'s primary password, as it came through `door`
    /// (the rule: this module's documentation).
    #[tracing::instrument(skip_all)]
    pub async fn check(
        &self,
        door: Door<'_>,
        username: &Username,
        password: SecretString,
    ) -> Result<Checked, NotChecked> {
        let name = username.as_str();
        let (account, mut hits, spent) = match door {
            // Counted first: a guess over the budget costs not even the account's read.
            Door::SignIn { client } => {
                let hits =
                    self.spend(&[Budget::SignInAddress(client), Budget::Password(name)]).await?;
                (self.store.account_by_username(username).await?, hits, Hits::default())
            }
            Door::PasswordChange => {
                let hits = self.spend(&[Budget::Password(name)]).await?;
                (self.store.account_by_username(username).await?, hits, Hits::default())
            }
            // The account decides what is spent: only one whose password is taken here.
            Door::Legacy { spent } => {
                let account = self.store.account_by_username(username).await?;
                match account.filter(AccountRow::takes_password_at_legacy_door) {
                    Some(account) => {
                        (Some(account), self.spend(&[Budget::Password(name)]).await?, spent)
                    }
                    None => (None, Hits::default(), spent),
                }
            }
        };
        let hash = account.as_ref().map(|a| a.password_hash.as_str());
        match (self.hasher.verify(hash, password).await, account) {
            (Ok(true), Some(account)) => {
                hits.merge(spent);
                self.store.release(&hits).await?;
                Ok(Checked::Right(Box::new(account)))
            }
            (Ok(_), _) => Ok(Checked::Wrong),
            (Err(Busy), _) => {
                // Not checked: it was no try.
                self.store.release(&hits).await?;
                Err(NotChecked::Busy)
            }
        }
    }

    /// Counts one hit in each budget (all or none).
    async fn spend(&self, budgets: &[Budget<'_>]) -> Result<Hits, NotChecked> {
        self.store.spend(budgets).await?.map_err(|Full(wait)| NotChecked::RateLimited(wait))
    }

    /// Hashes a new primary password (a password change), within the same bound on
    /// hashes at once.
    pub async fn hash_new(&self, password: SecretString) -> Result<String, NotChecked> {
        self.hasher.hash_new(password).await.map_err(|Busy| NotChecked::Busy)
    }
}
