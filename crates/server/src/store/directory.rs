//! People from the organization's directory: their accounts, keyed by the directory's
//! stable id and kept as the directory says (name, display name, standing, policy
//! groups). Nothing here deletes anything: a person the directory no longer has is
//! `deleted` (shut), their methods and app passwords kept, as after an outage.

use super::accounts::{account_on, insert_account, NewAccount, COLUMNS};
use super::{Store, StoreError, StoreResult, Tx};
use crate::domain::accounts::AccountRow;
use crate::domain::directory::{DirectoryStatus, Person};

/// What keeping a person's account came to.
#[derive(Debug)]
pub enum Synced {
    Account(Box<AccountRow>),
    /// A local account already has the person's name: they cannot sign in until an
    /// admin renames one of them (logged).
    NameTaken,
}

impl Store {
    /// The account of `person`: made on their first sign-in (the default policy, its
    /// MFA and app-password settings from their groups), or brought up to date with what
    /// the directory says now. A person newly shut (locked, disabled, deleted) is signed
    /// out everywhere, in the same transaction.
    #[tracing::instrument(skip_all)]
    pub async fn sync_person(&self, person: &Person) -> StoreResult<Synced> {
        let now = self.now();
        self.transaction(async |tx| {
            let kept = account_by_directory_id(&mut **tx, &person.id).await?;
            let account_id = match kept {
                None => match insert(tx, person, now).await? {
                    Some(id) => id,
                    None => return Ok(Synced::NameTaken),
                },
                Some(kept) => {
                    let taken: Option<(String,)> =
                        sqlx::query_as("SELECT id FROM accounts WHERE username = $1 AND id <> $2")
                            .bind(person.username.as_str())
                            .bind(&kept.id)
                            .fetch_optional(&mut **tx)
                            .await?;
                    if taken.is_some() {
                        tracing::warn!(account = %kept.id, "directory: renamed to a name a local account has");
                        return Ok(Synced::NameTaken);
                    }
                    self.update_in(tx, &kept, person, now).await?;
                    kept.id
                }
            };
            let account =
                account_on(&mut **tx, &account_id).await?.ok_or(sqlx::Error::RowNotFound)?;
            Ok(Synced::Account(Box::new(account)))
        })
        .await
    }

    /// The directory ids of the people whose accounts come from the directory and who
    /// are not deleted there (what the status refresh asks about).
    pub async fn directory_ids(&self) -> sqlx::Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT directory_id FROM accounts WHERE directory_id IS NOT NULL \
             AND directory_status <> 'deleted' ORDER BY directory_id",
        )
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// What one whole answer of the directory says of the people `asked` about: those
    /// it returned (`found`) are brought up to date, the others are deleted there.
    /// Changes are written one account at a time (each signs a newly shut person out);
    /// the people unchanged only have their `seen_at` moved, in one statement per
    /// hundred.
    pub async fn directory_answered(&self, asked: &[String], found: &[Person]) -> StoreResult<u64> {
        let now = self.now();
        let mut unchanged = Vec::new();
        let mut changed = 0;
        for id in asked {
            let kept = account_by_directory_id(&self.db, id).await?;
            let Some(kept) = kept else { continue };
            match found.iter().find(|p| &p.id == id) {
                Some(person) if same(&kept, person) => unchanged.push(id.as_str()),
                Some(person) => {
                    if let Synced::Account(_) = self.sync_person(person).await? {
                        changed += 1;
                    }
                }
                None => {
                    self.transaction(async |tx| {
                        let gone = Person { status: DirectoryStatus::Deleted, ..person_of(&kept) };
                        self.update_in(tx, &kept, &gone, now).await
                    })
                    .await?;
                    tracing::info!(account = %kept.id, "directory: person deleted there; account shut");
                    changed += 1;
                }
            }
        }
        for ids in unchanged.chunks(100) {
            let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "UPDATE accounts SET directory_seen_at = $1 WHERE directory_id IN ({})",
                list.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(now);
            for id in ids {
                query = query.bind(*id);
            }
            query.execute(&mut *self.writer().await?).await?;
        }
        Ok(changed)
    }

    /// Writes what the directory says of `kept`'s person; signs them out everywhere if
    /// that shuts an open account.
    async fn update_in(
        &self,
        tx: &mut Tx<'_>,
        kept: &AccountRow,
        person: &Person,
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE accounts SET username = $1, display_name = $2, mfa_required = $3, \
             app_passwords_allowed = $4, directory_status = $5, directory_seen_at = $6, \
             directory_password_at = COALESCE($8, directory_password_at) WHERE id = $7",
        )
        .bind(person.username.as_str())
        .bind(&person.display_name)
        .bind(i64::from(person.mfa_required))
        .bind(i64::from(person.app_passwords_allowed))
        .bind(person.status.as_str())
        .bind(now)
        .bind(&kept.id)
        .bind(person.password_changed.as_deref())
        .execute(&mut **tx)
        .await?;
        if !kept.shut() && person.status != DirectoryStatus::Active {
            let ended = self.end_sessions_in(tx, &kept.id, None).await?;
            tracing::info!(account = %kept.id, status = person.status.as_str(), ended, "directory: account shut");
        }
        if password_changed(kept, person) {
            // As after a password change here: signed out everywhere, and the app
            // passwords revoked unless the policy keeps them.
            let ended = self.end_sessions_in(tx, &kept.id, None).await?;
            let revoked = if kept.keep_app_passwords_on_password_change {
                0
            } else {
                self.revoke_app_passwords_in(tx, &kept.id).await?.len()
            };
            tracing::info!(account = %kept.id, ended, revoked, "directory: password changed there");
        }
        Ok(())
    }
}

/// Whether the directory says the person's password changed since it last said (a
/// value where there was none is a change: directories set it only when a password is
/// changed after the person was made).
fn password_changed(kept: &AccountRow, person: &Person) -> bool {
    let before = kept.directory.as_ref().and_then(|d| d.password_at.as_deref());
    person.password_changed.is_some() && person.password_changed.as_deref() != before
}

/// Whether the account already says what the directory says of the person.
fn same(kept: &AccountRow, person: &Person) -> bool {
    kept.username == person.username.as_str()
        && kept.display_name == person.display_name
        && kept.mfa_required == person.mfa_required
        && kept.app_passwords_allowed == person.app_passwords_allowed
        && kept.directory.as_ref().is_some_and(|d| d.status == person.status)
        && !password_changed(kept, person)
}

/// The person an account was made for, as it last knew them.
fn person_of(kept: &AccountRow) -> Person {
    Person {
        id: kept.directory.as_ref().map(|d| d.id.clone()).unwrap_or_default(),
        dn: String::new(),
        username: kept.name(),
        display_name: kept.display_name.clone(),
        status: kept.directory.as_ref().map_or(DirectoryStatus::Active, |d| d.status),
        password_changed: kept.directory.as_ref().and_then(|d| d.password_at.clone()),
        mfa_required: kept.mfa_required,
        app_passwords_allowed: kept.app_passwords_allowed,
    }
}

/// The account made for the person with directory id `id`, on `db` (the pool, or a
/// transaction).
async fn account_by_directory_id<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: &str,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE directory_id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A new account for `person`; `None` when a local account has their name.
async fn insert(tx: &mut Tx<'_>, person: &Person, now: i64) -> Result<Option<String>, StoreError> {
    let policy = wire::Policy {
        mfa_required: person.mfa_required,
        app_passwords_allowed: person.app_passwords_allowed,
        ..wire::Policy::default()
    };
    let new = NewAccount {
        username: &person.username,
        display_name: &person.display_name,
        password_hash: "",
        policy: &policy,
    };
    let made = insert_account(&mut **tx, &new, now).await?;
    if let Some(id) = made {
        sqlx::query(
            "UPDATE accounts SET directory_id = $1, directory_status = $2, directory_seen_at = $3, \
             directory_password_at = $4 WHERE id = $5",
        )
        .bind(&person.id)
        .bind(person.status.as_str())
        .bind(now)
        .bind(person.password_changed.as_deref())
        .bind(&id)
        .execute(&mut **tx)
        .await?;
        tracing::info!(account = %id, "directory: account made on first sign-in");
        Ok(Some(id))
    } else {
        tracing::warn!("directory: a local account has the person's name");
        Ok(None)
    }
}
