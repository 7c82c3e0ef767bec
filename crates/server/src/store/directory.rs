//! People from the organization's directory: their accounts, keyed by the directory's
//! stable id and kept as the directory says (name, display name, standing, policy
//! groups). Nothing here deletes anything: a person the directory no longer has is
//! `deleted` (shut), their methods and app passwords kept, as after an outage.

use super::accounts::{account_on, insert_account, NewAccount, COLUMNS};
use super::{Locks, Store, StoreError, StoreResult, Tx};
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
    /// The account of `person`, as the directory answered a question asked at `asked_ms`
    /// (Unix milliseconds, taken before asking): made on their first sign-in (the default
    /// policy, its MFA and app-password settings from their groups), or brought up to
    /// date with what the directory said. A person newly shut (locked, disabled, deleted)
    /// is signed out everywhere, in the same transaction. An answer to a question asked
    /// before the one the account keeps is older news: it changes nothing, and the
    /// account is answered as kept.
    ///
    /// A rule about the person's directory id and the name the directory gives them, and
    /// about their account when they have one (every sign-in but the first): looked at
    /// first, to know what to lock, then read again under the lock (the rule). Should the
    /// account have come or changed between the two, it is done again so.
    #[tracing::instrument(skip_all)]
    pub async fn sync_person(&self, person: &Person, asked_ms: i64) -> StoreResult<Synced> {
        for _ in 0..3 {
            let kept = account_by_directory_id(&self.db, &person.id).await?.map(|k| k.id);
            let locks = match &kept {
                Some(id) => Locks::account(id),
                None => Locks::found_inside(),
            };
            let locks = locks.and("directory", &person.id).and_username(person.username.as_str());
            let synced = self.transaction(locks, async |tx| {
                self.sync_in(tx, person, asked_ms, kept.as_deref()).await
            });
            if let Some(synced) = synced.await? {
                return Ok(synced);
            }
        }
        Err(StoreError::Other("directory: the person's account moved three times".into()))
    }

    /// [`Self::sync_person`] in `tx`, locked for the account `locked` (`None`: the person
    /// had none); `None` when the person's account is not that one any more.
    async fn sync_in(
        &self,
        tx: &mut Tx<'_>,
        person: &Person,
        asked_ms: i64,
        locked: Option<&str>,
    ) -> StoreResult<Option<Synced>> {
        let kept = account_by_directory_id(&mut **tx, &person.id).await?;
        if kept.as_ref().map(|k| k.id.as_str()) != locked {
            return Ok(None);
        }
        let account_id = match kept {
            None => match insert(tx, person, asked_ms).await? {
                Some(id) => id,
                None => return Ok(Some(Synced::NameTaken)),
            },
            Some(kept) if newer_kept(&kept, asked_ms) => {
                return Ok(Some(Synced::Account(Box::new(kept))))
            }
            Some(kept) => {
                // A name is given only by a rule that holds its lock, as this one does:
                // the answer holds until the commit.
                let taken: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM accounts WHERE username = $1 AND id <> $2")
                        .bind(person.username.as_str())
                        .bind(&kept.id)
                        .fetch_optional(&mut **tx)
                        .await?;
                if taken.is_some() {
                    tracing::warn!(account = %kept.id, "directory: renamed to a name a local account has");
                    return Ok(Some(Synced::NameTaken));
                }
                self.update_in(tx, &kept, person, asked_ms).await?;
                kept.id
            }
        };
        let account = account_on(&mut **tx, &account_id).await?.ok_or(sqlx::Error::RowNotFound)?;
        Ok(Some(Synced::Account(Box::new(account))))
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

    /// What one whole answer of the directory, to a question asked at `asked_ms`, says of
    /// the people `asked` about: those it returned (`found`) are brought up to date, the
    /// others are deleted there. Changes are written one account at a time (each signs a
    /// newly shut person out); the people unchanged only have their `seen_at` moved, in
    /// one statement per hundred. What a newer answer (a sign-in meanwhile) wrote stays.
    pub async fn directory_answered(
        &self,
        asked: &[String],
        found: &[Person],
        asked_ms: i64,
    ) -> StoreResult<u64> {
        let mut unchanged = Vec::new();
        let mut changed = 0;
        for id in asked {
            let kept = account_by_directory_id(&self.db, id).await?;
            let Some(kept) = kept else { continue };
            match found.iter().find(|p| &p.id == id) {
                Some(person) if same(&kept, person) => unchanged.push(id.as_str()),
                Some(person) => {
                    if let Synced::Account(_) = self.sync_person(person, asked_ms).await? {
                        changed += 1;
                    }
                }
                None => {
                    let locks = Locks::account(&kept.id).and("directory", id);
                    let shut = self
                        .transaction(locks, async |tx| {
                            // Read again in the transaction: what is written is what it
                            // kept, shut, unless a newer answer came meanwhile (or the
                            // person's account is another by now: the next answer's).
                            let kept = match account_by_directory_id(&mut **tx, id).await? {
                                Some(now) if now.id == kept.id && !newer_kept(&now, asked_ms) => {
                                    now
                                }
                                _ => return Ok(false),
                            };
                            let gone =
                                Person { status: DirectoryStatus::Deleted, ..person_of(&kept) };
                            self.update_in(tx, &kept, &gone, asked_ms).await.map(|()| true)
                        })
                        .await?;
                    if shut {
                        tracing::info!(account = %kept.id, "directory: person deleted there; account shut");
                        changed += 1;
                    }
                }
            }
        }
        for ids in unchanged.chunks(100) {
            let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "UPDATE accounts SET directory_seen_at = $1, directory_asked_ms = $2 \
                 WHERE directory_asked_ms <= $2 AND directory_id IN ({})",
                list.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(seconds(asked_ms)).bind(asked_ms);
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
        asked_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE accounts SET username = $1, display_name = $2, mfa_required = $3, \
             app_passwords_allowed = $4, directory_status = $5, directory_seen_at = $6, \
             directory_password_at = COALESCE($8, directory_password_at), \
             directory_asked_ms = $9 WHERE id = $7",
        )
        .bind(person.username.as_str())
        .bind(&person.display_name)
        .bind(i64::from(person.mfa_required))
        .bind(i64::from(person.app_passwords_allowed))
        .bind(person.status.as_str())
        .bind(seconds(asked_ms))
        .bind(&kept.id)
        .bind(person.password_changed.as_deref())
        .bind(asked_ms)
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

/// Whether the account keeps an answer to a question asked after `asked_ms`.
fn newer_kept(kept: &AccountRow, asked_ms: i64) -> bool {
    kept.directory.as_ref().is_some_and(|d| d.asked_ms > asked_ms)
}

/// Unix seconds of a time in Unix milliseconds.
fn seconds(ms: i64) -> i64 {
    ms.div_euclid(1000)
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
async fn insert(
    tx: &mut Tx<'_>,
    person: &Person,
    asked_ms: i64,
) -> Result<Option<String>, StoreError> {
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
    let made = insert_account(&mut **tx, &new, seconds(asked_ms)).await?;
    if let Some(id) = made {
        sqlx::query(
            "UPDATE accounts SET directory_id = $1, directory_status = $2, directory_seen_at = $3, \
             directory_password_at = $4, directory_asked_ms = $5 WHERE id = $6",
        )
        .bind(&person.id)
        .bind(person.status.as_str())
        .bind(seconds(asked_ms))
        .bind(person.password_changed.as_deref())
        .bind(asked_ms)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use secrecy::ExposeSecret;

    use super::Synced;
    use crate::domain::accounts::Username;
    use crate::domain::directory::{DirectoryStatus, Person};
    use crate::store::sessions::Auth;

    fn ada(password_changed: &str, status: DirectoryStatus) -> Person {
        Person {
            id: "ada-uuid".into(),
            dn: "uid=ada,ou=people,dc=contoso,dc=example".into(),
            username: Username::parse("ada@contoso.example").unwrap(),
            display_name: "Ada Lovelace".into(),
            status,
            password_changed: Some(password_changed.into()),
            mfa_required: true,
            app_passwords_allowed: true,
        }
    }

    /// The directory refresh asked before her password changed and a sign-in after; the
    /// refresh's answer arrived last (CI saw it: the person signed in with the new
    /// password was signed out by the refresh's old news). Older news changes nothing:
    /// not her session, not what the account keeps, nor its standing.
    #[tokio::test]
    async fn an_answer_asked_earlier_does_not_undo_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::test_store(&dir).await;
        let first =
            store.sync_person(&ada("20261205100000Z", DirectoryStatus::Active), 1_000).await;
        let Ok(Synced::Account(account)) = first else { panic!("{first:?}") };
        // The refresh asks at 2 000 ms; her password changes; a sign-in asks at 3 000 ms
        // and is answered first, then she signs in.
        let newer = ada("20261205100500Z", DirectoryStatus::Active);
        store.sync_person(&newer, 3_000).await.unwrap();
        let (token, _) = store.create_session(&account.id).await.unwrap();
        // The refresh's answer, older news: her old password time, and locked back then.
        let older = ada("20261205100000Z", DirectoryStatus::Locked);
        let Synced::Account(kept) = store.sync_person(&older, 2_000).await.unwrap() else {
            panic!("her account")
        };
        let state = kept.directory.clone().unwrap();
        assert_eq!(
            (state.status, state.password_at.as_deref(), state.asked_ms),
            (DirectoryStatus::Active, Some("20261205100500Z"), 3_000)
        );
        store.directory_answered(&["ada-uuid".into()], &[older], 2_000).await.unwrap();
        store.directory_answered(&["ada-uuid".into()], &[], 2_500).await.unwrap();
        assert!(matches!(store.authenticate(token.expose_secret()).await.unwrap(), Auth::Valid(_)));
        let again = crate::store::accounts::account_on(&store.db, &account.id).await.unwrap();
        assert_eq!(again.unwrap().directory, Some(state), "nothing older was written");
        // A newer answer is news: locked now, she is signed out.
        store.sync_person(&ada("20261205100500Z", DirectoryStatus::Locked), 4_000).await.unwrap();
        assert!(!matches!(
            store.authenticate(token.expose_secret()).await.unwrap(),
            Auth::Valid(_)
        ));
    }
}
