//! What an identity system provisions over SCIM (`http/routes/scim.rs`): people it
//! creates or changes (`provision_in`, through `Store::administer`, so audited as the
//! helpdesk's actions are), and its groups, whose membership sets the member's policy.
//! Each request is one transaction: refused (a name taken, a member unknown), nothing
//! of it stays.

use sqlx::Row;
use wire::admin::AuditAction;

use super::accounts::{account_on, insert_account, NewAccount, COLUMNS};
use super::audit::{describe, set_policy_in, By};
use super::{Locks, Refusal, Store, StoreResult, Tx};
use crate::crypto;
use crate::domain::accounts::{AccountRow, PolicyChange, Username};
use crate::domain::scim::{GroupDoc, GroupPatch, Members, UserPatch};

/// The groups whose membership sets a policy (the configuration's names, compared in
/// any case): members of `mfa` must use MFA and the others provisioned need not (unset:
/// everyone must); members of `app_passwords_off` may not have app passwords.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicyGroups<'a> {
    pub mfa: Option<&'a str>,
    pub app_passwords_off: Option<&'a str>,
}

impl PolicyGroups<'_> {
    /// The policy membership of `groups` (lower-cased names) gives.
    fn policy(&self, groups: &[String]) -> PolicyChange {
        let member = |g: Option<&str>| g.map(|g| groups.contains(&g.to_lowercase()));
        PolicyChange {
            mfa_required: member(self.mfa),
            app_passwords_allowed: member(self.app_passwords_off).map(|m| !m),
            ..PolicyChange::default()
        }
    }
}

/// The people a group change gave another policy, with what was done in words: to be
/// told, as a helpdesk's policy change is.
pub type Told = Vec<(AccountRow, String)>;

/// A person as an identity system creates them.
pub struct NewPerson<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    /// Argon2id PHC string; empty: no password here.
    pub password_hash: &'a str,
    pub external_id: Option<&'a str>,
    pub active: bool,
}

/// A group with its members (account ids, by username).
#[derive(Debug, Clone)]
pub struct GroupRow {
    pub id: String,
    pub display_name: String,
    pub external_id: Option<String>,
    pub created_at: i64,
    pub members: Vec<String>,
}

/// Which accounts a list or a lookup is about.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    UserName(&'a str),
    ExternalId(&'a str),
    DisplayName(&'a str),
}

impl Store {
    /// Creates a provisioned person, audited (`create`) in the same transaction, their
    /// policy the groups' (they are in none yet). Refused `Taken` when the userName or
    /// the externalId is another's.
    pub async fn provision_new(
        &self,
        new: &NewPerson<'_>,
        groups: PolicyGroups<'_>,
        by: By<'_>,
    ) -> StoreResult<AccountRow> {
        // About the new person's name and external id, which must be no one else's.
        let locks = Locks::found_inside()
            .and_username(new.username.as_str())
            .and_some("external_id", new.external_id);
        self.transaction(locks, async |tx| self.provision_new_in(tx, new, groups, by).await).await
    }

    async fn provision_new_in(
        &self,
        tx: &mut Tx<'_>,
        new: &NewPerson<'_>,
        groups: PolicyGroups<'_>,
        by: By<'_>,
    ) -> StoreResult<AccountRow> {
        if let Some(external_id) = new.external_id {
            refuse_taken(tx, "external_id", external_id, "", "externalId").await?;
        }
        let policy = groups.policy(&[]).applied_to(wire::Policy::default());
        let account = NewAccount {
            username: new.username,
            display_name: new.display_name,
            password_hash: new.password_hash,
            policy: &policy,
        };
        let Some(id) = insert_account(&mut **tx, &account, self.now()).await? else {
            return Err(Refusal::Taken("userName").into());
        };
        sqlx::query(
            "UPDATE accounts SET external_id = $1, provisioned_at = $2, disabled = $3 WHERE id = $4",
        )
        .bind(new.external_id)
        .bind(self.now())
        .bind(i64::from(!new.active))
        .bind(&id)
        .execute(&mut **tx)
        .await?;
        let account = account_on(&mut **tx, &id).await?.ok_or(Refusal::NotFound)?;
        let mut detail = vec![format!("provisioned as {}", account.display_name)];
        if !new.active {
            detail.push("inactive".to_owned());
        }
        if !new.password_hash.is_empty() {
            detail.push("with a password".to_owned());
        }
        self.audit_in(tx, &account, by, AuditAction::Create, &detail.join(", ")).await?;
        Ok(account)
    }

    /// What a SCIM client changes of a person, inside the admin action's transaction:
    /// what was done, in words. Refused when a new userName or externalId is another's,
    /// or when the directory keeps what is changed (the name, the password).
    pub(super) async fn provision_in(
        &self,
        tx: &mut Tx<'_>,
        account: &AccountRow,
        patch: &UserPatch,
        password_hash: Option<Option<&str>>,
    ) -> StoreResult<String> {
        let id = account.id.as_str();
        let mut done = Vec::new();
        let set = |column: &'static str| format!("UPDATE accounts SET {column} = $1 WHERE id = $2");
        if let Some(name) = patch.user_name.as_ref().filter(|n| n.as_str() != account.username) {
            if account.directory.is_some() {
                return Err(Refusal::Invalid("userName", "directory").into());
            }
            refuse_taken(tx, "username", name.as_str(), id, "userName").await?;
            sqlx::query(&set("username")).bind(name.as_str()).bind(id).execute(&mut **tx).await?;
            done.push(format!("userName {}", name.as_str()));
        }
        if let Some(external) = patch.external_id.as_ref().filter(|e| **e != account.external_id) {
            if let Some(external) = external {
                refuse_taken(tx, "external_id", external, id, "externalId").await?;
            }
            sqlx::query(&set("external_id")).bind(external).bind(id).execute(&mut **tx).await?;
            done.push(format!("externalId {}", external.as_deref().unwrap_or("removed")));
        }
        if let Some(name) = patch.display_name.as_ref().filter(|n| **n != account.display_name) {
            sqlx::query(&set("display_name")).bind(name).bind(id).execute(&mut **tx).await?;
            done.push(format!("display name {name}"));
        }
        match password_hash {
            Some(_) if account.directory.is_some() => {
                return Err(Refusal::Invalid("password", "directory").into())
            }
            Some(Some(hash)) => {
                let keep = account.keep_app_passwords_on_password_change;
                let changed = self
                    .set_password_in(tx, account, hash, keep, None, None)
                    .await?
                    .ok_or(Refusal::NotFound)?;
                done.push(format!(
                    "password set, {} sessions ended, {}",
                    changed.sessions_ended,
                    revoked_names(&changed.app_passwords_revoked)
                ));
            }
            Some(None) if !account.password_hash.is_empty() => {
                sqlx::query(&set("password_hash")).bind("").bind(id).execute(&mut **tx).await?;
                let ended = self.end_sessions_in(tx, id, None).await?;
                done.push(format!("password removed, {ended} sessions ended"));
            }
            Some(None) | None => {}
        }
        match patch.active {
            Some(false) => {
                self.set_disabled_in(tx, id, true).await?;
                let revoked = self.revoke_app_passwords_in(tx, id).await?;
                done.push(format!("deactivated, {}", revoked_names(&revoked)));
            }
            Some(true) if account.disabled => {
                self.set_disabled_in(tx, id, false).await?;
                done.push("activated".to_owned());
            }
            Some(true) | None => {}
        }
        sqlx::query(
            "UPDATE accounts SET provisioned_at = COALESCE(provisioned_at, $1) WHERE id = $2",
        )
        .bind(self.now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
        Ok(if done.is_empty() { "no change".to_owned() } else { done.join("; ") })
    }

    /// The account an external id names.
    pub async fn account_by_external_id(
        &self,
        external_id: &str,
    ) -> sqlx::Result<Option<AccountRow>> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE external_id = $1"))
            .bind(external_id)
            .fetch_optional(&self.db)
            .await
    }

    /// One page of the groups, by name: those `key` names when it is given, from the
    /// `offset`-th, at most `limit`; and how many there are in all.
    pub async fn groups_page(
        &self,
        key: Option<Key<'_>>,
        offset: i64,
        limit: i64,
    ) -> sqlx::Result<(i64, Vec<GroupRow>)> {
        let (condition, value) = match key {
            None => ("1 = 1 OR $1 IS NULL", None),
            Some(Key::DisplayName(v)) => ("lower(display_name) = lower($1)", Some(v)),
            Some(Key::ExternalId(v)) => ("external_id = $1", Some(v)),
            Some(Key::UserName(_)) => return Ok((0, Vec::new())),
        };
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM scim_groups WHERE {condition}"))
                .bind(value)
                .fetch_one(&self.db)
                .await?;
        let ids: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT id FROM scim_groups WHERE {condition} ORDER BY display_name LIMIT $2 OFFSET $3"
        ))
        .bind(value)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.db)
        .await?;
        let mut groups = Vec::with_capacity(ids.len());
        let mut conn = self.db.acquire().await?;
        for id in ids {
            if let Some(group) = group_in(&mut conn, &id).await? {
                groups.push(group);
            }
        }
        Ok((total, groups))
    }

    pub async fn group(&self, id: &str) -> sqlx::Result<Option<GroupRow>> {
        group_in(&mut *self.db.acquire().await?, id).await
    }

    /// Creates a group with its members; each member's policy follows. Refused `Taken`
    /// (displayName, externalId) or `Invalid("members", id)` for a member who is not here.
    pub async fn create_group(
        &self,
        doc: &GroupDoc,
        groups: PolicyGroups<'_>,
        by: By<'_>,
    ) -> StoreResult<(GroupRow, Told)> {
        let mut told = Told::new();
        let locks = group_locks(None, Some(&doc.display_name), doc.external_id.as_deref())
            .unless_beyond(doc.members.len());
        let held = locks.clone();
        let done = self
            .transaction(locks, async |tx| -> StoreResult<GroupRow> {
                let id = crypto::random_id();
                let named = doc.members.iter().map(String::as_str);
                self.lock_also_all(tx, &held, "account", named).await?;
                refuse_group_taken(tx, doc.display_name.as_str(), doc.external_id.as_deref(), "")
                    .await?;
                sqlx::query(
                    "INSERT INTO scim_groups (id, display_name, external_id, created_at) \
                 VALUES ($1, $2, $3, $4)",
                )
                .bind(&id)
                .bind(&doc.display_name)
                .bind(&doc.external_id)
                .bind(self.now())
                .execute(&mut **tx)
                .await?;
                self.change_members_in(
                    tx,
                    &id,
                    &[Members::Replace(doc.members.clone())],
                    groups,
                    by,
                    &mut told,
                )
                .await?;
                group_in(tx, &id).await?.ok_or_else(|| Refusal::NotFound.into())
            })
            .await?;
        Ok((done, told))
    }

    /// Changes a group as a PATCH says (PUT: a patch that says everything); each member
    /// whose groups changed, or every member when the name changed, gets the policy of
    /// their groups. `None`: no such group.
    pub async fn change_group(
        &self,
        id: &str,
        patch: &GroupPatch,
        groups: PolicyGroups<'_>,
        by: By<'_>,
    ) -> StoreResult<(Option<GroupRow>, Told)> {
        let mut told = Told::new();
        let named: Vec<&str> = patch.members.iter().flat_map(Members::ids).collect();
        let external = patch.external_id.as_ref().and_then(Option::as_deref);
        let locks = group_locks(Some(id), patch.display_name.as_deref(), external);
        let locks = self.narrow_enough(locks, id, named.len()).await?;
        let held = locks.clone();
        let done = self
            .transaction(locks, async |tx| -> StoreResult<Option<GroupRow>> {
                let Some(group) = group_in(tx, id).await? else { return Ok(None) };
                let reached = group.members.iter().map(String::as_str).chain(named.clone());
                self.lock_also_all(tx, &held, "account", reached).await?;
                let renamed = patch.display_name.as_ref().filter(|n| **n != group.display_name);
                let external = patch.external_id.as_ref().filter(|e| **e != group.external_id);
                refuse_group_taken(
                    tx,
                    renamed.map_or("", String::as_str),
                    external.and_then(Option::as_deref),
                    id,
                )
                .await?;
                if let Some(name) = renamed {
                    sqlx::query("UPDATE scim_groups SET display_name = $1 WHERE id = $2")
                        .bind(name)
                        .bind(id)
                        .execute(&mut **tx)
                        .await?;
                    // The name may be (or have been) a policy group's: every member follows.
                    self.follow_groups_in(
                        tx,
                        &group.members,
                        groups,
                        by,
                        &format!("group {} renamed {name}", group.display_name),
                        &mut told,
                    )
                    .await?;
                }
                if let Some(external) = external {
                    sqlx::query("UPDATE scim_groups SET external_id = $1 WHERE id = $2")
                        .bind(external)
                        .bind(id)
                        .execute(&mut **tx)
                        .await?;
                }
                self.change_members_in(tx, id, &patch.members, groups, by, &mut told).await?;
                Ok(group_in(tx, id).await?)
            })
            .await?;
        Ok((done, told))
    }

    /// Removes a group; its members get the policy of the groups they are left in.
    pub async fn delete_group(
        &self,
        id: &str,
        groups: PolicyGroups<'_>,
        by: By<'_>,
    ) -> StoreResult<(bool, Told)> {
        let mut told = Told::new();
        let locks = self.narrow_enough(group_locks(Some(id), None, None), id, 0).await?;
        let held = locks.clone();
        let done = self
            .transaction(locks, async |tx| -> StoreResult<bool> {
                let Some(group) = group_in(tx, id).await? else { return Ok(false) };
                let reached = group.members.iter().map(String::as_str);
                self.lock_also_all(tx, &held, "account", reached).await?;
                sqlx::query("DELETE FROM scim_groups WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                let why = format!("removed from group {} (deleted)", group.display_name);
                self.follow_groups_in(tx, &group.members, groups, by, &why, &mut told).await?;
                Ok(true)
            })
            .await?;
        Ok((done, told))
    }

    /// Applies member changes in order; every account added or removed is audited and
    /// gets the policy of its groups.
    async fn change_members_in(
        &self,
        tx: &mut Tx<'_>,
        group_id: &str,
        changes: &[Members],
        groups: PolicyGroups<'_>,
        by: By<'_>,
        told: &mut Told,
    ) -> StoreResult<()> {
        let name: String = sqlx::query_scalar("SELECT display_name FROM scim_groups WHERE id = $1")
            .bind(group_id)
            .fetch_one(&mut **tx)
            .await?;
        let before = members_in(tx, group_id).await?;
        for change in changes {
            let (add, remove): (&[String], Vec<String>) = match change {
                Members::Add(ids) => (ids, Vec::new()),
                Members::Remove(ids) => (&[], ids.clone()),
                Members::Replace(ids) => {
                    let now = members_in(tx, group_id).await?;
                    (ids, now.into_iter().filter(|a| !ids.contains(a)).collect())
                }
            };
            for account in add {
                let known: Option<String> =
                    sqlx::query_scalar("SELECT id FROM accounts WHERE id = $1")
                        .bind(account)
                        .fetch_optional(&mut **tx)
                        .await?;
                if known.is_none() {
                    return Err(Refusal::Invalid("members", "unknown").into());
                }
                sqlx::query(
                    "INSERT INTO scim_group_members (group_id, account_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(group_id)
                .bind(account)
                .execute(&mut **tx)
                .await?;
            }
            for account in &remove {
                sqlx::query(
                    "DELETE FROM scim_group_members WHERE group_id = $1 AND account_id = $2",
                )
                .bind(group_id)
                .bind(account)
                .execute(&mut **tx)
                .await?;
            }
        }
        let after = members_in(tx, group_id).await?;
        let added: Vec<String> = after.iter().filter(|a| !before.contains(a)).cloned().collect();
        let removed: Vec<String> = before.iter().filter(|a| !after.contains(a)).cloned().collect();
        let (joined, left) =
            (format!("added to group {name}"), format!("removed from group {name}"));
        self.follow_groups_in(tx, &added, groups, by, &joined, told).await?;
        self.follow_groups_in(tx, &removed, groups, by, &left, told).await?;
        Ok(())
    }

    /// `locks` for a change to group `id` that also names `named` accounts, when the
    /// accounts it reaches — its members as they are now, and those named — are few
    /// enough to lock one by one ([`Locks::unless_beyond`]); otherwise a rule about
    /// everything. The members are counted before the rule: while it waits for the
    /// group's lock, a change to the group may add some (at most
    /// [`MAX_MEMBERS`](crate::domain::scim::MAX_MEMBERS) a request).
    async fn narrow_enough(&self, locks: Locks, id: &str, named: usize) -> sqlx::Result<Locks> {
        let members: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM scim_group_members WHERE group_id = $1")
                .bind(id)
                .fetch_one(&self.db)
                .await?;
        let reached = usize::try_from(members).unwrap_or(usize::MAX).saturating_add(named);
        Ok(locks.unless_beyond(reached))
    }

    /// Gives each account the policy of the groups it is in now, audited with `why`.
    async fn follow_groups_in(
        &self,
        tx: &mut Tx<'_>,
        accounts: &[String],
        groups: PolicyGroups<'_>,
        by: By<'_>,
        why: &str,
        told: &mut Told,
    ) -> StoreResult<()> {
        for id in accounts {
            let Some(account) = account_on(&mut **tx, id).await? else { continue };
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT lower(g.display_name) FROM scim_group_members m \
                 JOIN scim_groups g ON g.id = m.group_id WHERE m.account_id = $1",
            )
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
            // Only what differs, so the audit line says what changed.
            let policy = groups.policy(&names);
            let change = PolicyChange {
                mfa_required: policy.mfa_required.filter(|m| *m != account.mfa_required),
                app_passwords_allowed: policy
                    .app_passwords_allowed
                    .filter(|a| *a != account.app_passwords_allowed),
                ..PolicyChange::default()
            };
            let mut detail = why.to_owned();
            if change.mfa_required.is_some() || change.app_passwords_allowed.is_some() {
                set_policy_in(tx, id, &change).await?;
                detail = format!("{why}: {}", describe(&change));
                told.push((account.clone(), detail.clone()));
            }
            self.audit_in(tx, &account, by, AuditAction::SetPolicy, &detail).await?;
        }
        Ok(())
    }
}

/// What a change to a group is about before it reads anything: the group (`None`: a new
/// one, whose id no one else knows yet), and the name and external id it may give it (a
/// name in any case). The accounts of its members are locked once read, under these
/// ([`Store::lock_also_all`]): while a rule holds the group, its members are the group's
/// own to change.
fn group_locks(id: Option<&str>, name: Option<&str>, external_id: Option<&str>) -> Locks {
    Locks::found_inside()
        .and_some("scim_group", id)
        .and_some("scim_group_name", name.map(str::to_lowercase).as_deref())
        .and_some("scim_group_external_id", external_id)
}

/// Refuses `Taken(attr)` when another account than `except` has `value` in `column`.
async fn refuse_taken(
    tx: &mut Tx<'_>,
    column: &'static str,
    value: &str,
    except: &str,
    attr: &'static str,
) -> StoreResult<()> {
    let other: Option<String> =
        sqlx::query_scalar(&format!("SELECT id FROM accounts WHERE {column} = $1 AND id <> $2"))
            .bind(value)
            .bind(except)
            .fetch_optional(&mut **tx)
            .await?;
    match other {
        Some(_) => Err(Refusal::Taken(attr).into()),
        None => Ok(()),
    }
}

/// Refuses `Taken` when another group than `except` has the name (any case; "" is not
/// checked) or the external id.
async fn refuse_group_taken(
    tx: &mut Tx<'_>,
    name: &str,
    external_id: Option<&str>,
    except: &str,
) -> StoreResult<()> {
    let taken = |sql: &'static str, value: String| {
        sqlx::query_scalar::<_, String>(sql).bind(value).bind(except.to_owned())
    };
    if !name.is_empty()
        && taken(
            "SELECT id FROM scim_groups WHERE lower(display_name) = lower($1) AND id <> $2",
            name.to_owned(),
        )
        .fetch_optional(&mut **tx)
        .await?
        .is_some()
    {
        return Err(Refusal::Taken("displayName").into());
    }
    if let Some(external) = external_id {
        if taken(
            "SELECT id FROM scim_groups WHERE external_id = $1 AND id <> $2",
            external.to_owned(),
        )
        .fetch_optional(&mut **tx)
        .await?
        .is_some()
        {
            return Err(Refusal::Taken("externalId").into());
        }
    }
    Ok(())
}

async fn group_in(conn: &mut sqlx::AnyConnection, id: &str) -> sqlx::Result<Option<GroupRow>> {
    let Some(row) = sqlx::query(
        "SELECT id, display_name, external_id, created_at FROM scim_groups WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let members: Vec<String> = sqlx::query_scalar(
        "SELECT a.id FROM scim_group_members m JOIN accounts a ON a.id = m.account_id \
         WHERE m.group_id = $1 ORDER BY a.username",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(GroupRow {
        id: row.try_get("id")?,
        display_name: row.try_get("display_name")?,
        external_id: row.try_get("external_id")?,
        created_at: row.try_get("created_at")?,
        members,
    }))
}

/// The account ids of a group's members.
async fn members_in(tx: &mut Tx<'_>, group_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT account_id FROM scim_group_members WHERE group_id = $1")
        .bind(group_id)
        .fetch_all(&mut **tx)
        .await
}

/// "N app passwords revoked: a, b", as the audit line and the notice say it.
fn revoked_names(revoked: &[wire::AppPasswordInfo]) -> String {
    let names: Vec<&str> = revoked.iter().map(|p| p.name.as_str()).collect();
    format!("{} app passwords revoked: {}", names.len(), names.join(", "))
}
