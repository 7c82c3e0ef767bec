//! The primary credential: the one rule for checking a person's own password, whatever
//! door it comes through (the web sign-in, a password change, a mail client at the
//! legacy door). Every door goes through [`PrimaryCredential::check`]:
//!
//! 1. the attempt is counted BEFORE anything is checked, in the door's budgets and the
//!    username's password budget (shared by every door), by one conditional statement
//!    per budget (`store::throttle`): a burst of guesses, however parallel, is checked no
//!    further than the budget. At the web sign-in from a network where the person signed
//!    in with their password lately (`store::familiar`), that is a budget of its own
//!    (smart lockout): guesses at the name from anywhere else, however many, cannot
//!    keep its owner out, and give the guesser no more tries than before;
//! 2. the password is checked: Argon2id against the account's stored hash, or against
//!    a dummy hash in the same time when there is no account (or none this door takes),
//!    so timing does not tell who has an account;
//! 3. a right password hands every hit back (a right password is no failure), and so
//!    does a check that could not be made (no hashing slot came free: it was no try).
//!
//! Where the password is checked is this module's business alone: an account of the
//! organization's directory (or a name no account has yet, when a directory is
//! configured) is checked by binding as the person there (`directory`), at the same
//! time as a dummy hash, so a wrong password costs the same time whoever the name is
//! (a local account, a directory person, no one); a right one makes or updates the
//! person's account from what the directory says (`store::directory`). A directory that
//! cannot be reached checks nothing (the hits handed back): the door says so.

use std::sync::Arc;

use secrecy::SecretString;

use super::argon2::{Busy, Hasher, Turn};
use super::directory::{Bound, Directory};
use crate::domain::accounts::{AccountRow, Username};
use crate::domain::client::ClientAddr;
use crate::domain::limits::Budget;
use crate::store::directory::Synced;
use crate::store::throttle::{Full, Hits};
use crate::store::{Store, StoreError};

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

/// Whether a door is the legacy one (what the directory is asked about differs).
#[derive(Debug, PartialEq, Eq)]
enum DoorKind {
    Web,
    Legacy,
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
    /// The organization's directory could not be asked (or, at the legacy door, what
    /// it last said of the person is too old).
    #[error("the directory cannot be reached")]
    DirectoryUnavailable,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Checks primary passwords, and hashes new ones, within bounded concurrency.
#[derive(Debug, Clone)]
pub struct PrimaryCredential {
    store: Store,
    hasher: Arc<Hasher>,
    directory: Option<Arc<Directory>>,
}

impl PrimaryCredential {
    pub fn new(store: Store, hasher: Arc<Hasher>, directory: Option<Arc<Directory>>) -> Self {
        Self { store, hasher, directory }
    }

    /// The organization's directory, when one is configured.
    pub fn directory(&self) -> Option<&Arc<Directory>> {
        self.directory.as_ref()
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
        let door_kind = match door {
            Door::Legacy { .. } => DoorKind::Legacy,
            _ => DoorKind::Web,
        };
        // `familiar_from`: where a right password at the web sign-in makes the network
        // familiar; `turn`: when the password is hashed if every slot is taken.
        let (account, mut hits, spent, familiar_from, turn) = match door {
            // Counted first: a guess over the budget costs not even the account's read.
            // From a network the person signed in from lately, the familiar password
            // budget, and hashed first; from anywhere else the other budget, and hashed
            // in order of arrival (smart lockout: a spray queues behind the people).
            Door::SignIn { client } => {
                let (password, turn) = match self.store.familiar(name, client).await? {
                    true => (Budget::FamiliarPassword(name), Turn::First),
                    false => (Budget::Password(name), Turn::InOrder),
                };
                let hits = self.spend(&[Budget::SignInAddress(client), password]).await?;
                let account = self.store.account_by_username(username).await?;
                (account, hits, Hits::default(), Some(client), turn)
            }
            Door::PasswordChange => {
                let hits = self.spend(&[Budget::Password(name)]).await?;
                let account = self.store.account_by_username(username).await?;
                (account, hits, Hits::default(), None, Turn::First)
            }
            // The account decides what is spent: only one whose password is taken here.
            Door::Legacy { spent } => {
                let account = self.store.account_by_username(username).await?;
                // What the directory last said of the person is too old to refuse
                // their app password on: a temporary failure, not a wrong password.
                let max_age = self.store.limits().directory_status_max_age;
                if account
                    .as_ref()
                    .is_some_and(|a| a.directory_stale(self.store.clock().now(), max_age))
                {
                    self.store.release(&spent).await?;
                    return Err(NotChecked::DirectoryUnavailable);
                }
                match account.filter(AccountRow::takes_password_at_legacy_door) {
                    Some(account) => {
                        let hits = self.spend(&[Budget::Password(name)]).await?;
                        (Some(account), hits, spent, None, Turn::InOrder)
                    }
                    None => (None, Hits::default(), spent, None, Turn::InOrder),
                }
            }
        };
        let local = account.as_ref().is_some_and(|a| a.directory.is_none());
        let checked = match &self.directory {
            Some(directory) if !local => {
                self.check_directory(directory, &door_kind, username, account, password, turn).await
            }
            _ => {
                let hash = account.as_ref().filter(|_| local).map(|a| a.password_hash.as_str());
                match (self.hasher.verify(hash, password, turn).await, account) {
                    (Ok(true), Some(account)) if local => Ok(Checked::Right(Box::new(account))),
                    (Ok(_), _) => Ok(Checked::Wrong),
                    (Err(Busy), _) => Err(NotChecked::Busy),
                }
            }
        };
        match checked {
            Ok(Checked::Right(account)) => {
                hits.merge(spent);
                self.store.release(&hits).await?;
                if let Some(client) = familiar_from {
                    self.store.remember_source(name, client).await?;
                }
                Ok(Checked::Right(account))
            }
            Ok(Checked::Wrong) => Ok(Checked::Wrong),
            Err(e @ (NotChecked::Busy | NotChecked::DirectoryUnavailable)) => {
                // Not checked: it was no try.
                hits.merge(spent);
                self.store.release(&hits).await?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// The directory's answer for `username`, with a dummy hash computed meanwhile (so
    /// it takes what a local check takes). At the legacy door only a person whose
    /// account exists is asked about (their policy decides what that door takes).
    async fn check_directory(
        &self,
        directory: &Directory,
        door: &DoorKind,
        username: &Username,
        account: Option<AccountRow>,
        password: SecretString,
        turn: Turn,
    ) -> Result<Checked, NotChecked> {
        if *door == DoorKind::Legacy && account.is_none() {
            let _ = self.hasher.verify(None, password, turn).await;
            return Ok(Checked::Wrong);
        }
        // The dummy hash's input is not the password: only its time matters.
        let asked_ms = self.store.clock().now_ms();
        let (bound, _) = tokio::join!(
            directory.authenticate(username, &password),
            self.hasher.verify(None, SecretString::from(String::new()), turn)
        );
        let person = match bound {
            Ok(Bound::Right(person)) => person,
            Ok(Bound::Wrong) => return Ok(Checked::Wrong),
            Err(e) => {
                tracing::warn!(error = %e, "directory: a password could not be checked");
                return Err(NotChecked::DirectoryUnavailable);
            }
        };
        match self.store.sync_person(&person, asked_ms).await {
            Ok(Synced::Account(account)) => Ok(Checked::Right(account)),
            Ok(Synced::NameTaken) => Ok(Checked::Wrong),
            Err(StoreError::Db(e)) => Err(NotChecked::Db(e)),
            Err(e) => Err(NotChecked::Db(sqlx::Error::Protocol(e.to_string()))),
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
