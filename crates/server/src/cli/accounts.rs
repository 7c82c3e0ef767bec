//! The admin CLI: accounts, policy, methods and app passwords, through the same store
//! (and so the same rules, and the same audit log) as the admin API. Its actions are
//! logged as credential `cli`, by the shell's user, and told to the person as the admin
//! API's are (a notice by email, or to the demo outbox with `--demo`).

use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};
use secrecy::SecretString;
use wire::admin::AuditAction;
use wire::{MethodKind, Policy, Scope};

use crate::credentials::argon2;
use crate::deliveries::notices::{Notifier, Told};
use crate::domain::accounts::PolicyChange;
use crate::domain::accounts::{parse_display_name, AccountRow, Username};
use crate::domain::app_passwords::MAX_LIFETIME_DAYS;
use crate::store::accounts::NewAccount;
use crate::store::audit::{AdminAction, By};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account; the password is read from standard input.
    Create {
        username: String,
        #[arg(long)]
        display_name: String,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Set the password (read from standard input; not echoed on a terminal). Ends
    /// every session and revokes every app password, unless told to keep them.
    SetPassword {
        username: String,
        /// Keep the account's app passwords working (not advised after a compromise).
        #[arg(long)]
        keep_app_passwords: bool,
    },
    /// Remove every registered method: the person enrolls again at the next sign-in.
    /// Also unlocks MFA and ends every session.
    ResetMfa {
        username: String,
    },
    /// Unlock MFA after too many wrong codes, keeping the registered methods.
    UnlockMfa {
        username: String,
    },
    /// Refuse every sign-in and end the account's sessions.
    Disable {
        username: String,
    },
    Enable {
        username: String,
    },
    /// Change the admin policy.
    Policy {
        username: String,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// List accounts with their policy.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AppPasswordCommand {
    /// List an account's app passwords (never their secrets).
    List { username: String },
    /// Revoke one app password by id, or all with --all.
    Revoke {
        username: String,
        id: Option<String>,
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MethodCommand {
    /// List an account's registered methods (masked destinations, never keys).
    List { username: String },
    /// Remove one method by id (a lost phone); its open challenges end with it.
    Remove { username: String, id: String },
}

/// `app-passwords-server audit`: what admins did, newest first.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this account's lines.
    #[arg(long)]
    pub username: Option<String>,
    /// How many lines at most.
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

/// The audit log as tab-separated lines: when, credential, actor, from, action,
/// account, detail.
pub async fn audit(op: &Operator, args: AuditArgs) -> anyhow::Result<String> {
    let store = &op.store;
    let username = args.username.as_deref().map(username).transpose()?;
    let entries = store.audit_log(username.as_ref().map(Username::as_str), args.limit).await?;
    Ok(entries
        .iter()
        .map(|e| {
            let action = e.action.as_str();
            format!(
                "{}\t{}\t{}\t{}\t{action}\t{}\t{}",
                e.at, e.credential, e.actor, e.from, e.username, e.detail
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// Whether MFA is required (app passwords need it).
    #[arg(long)]
    pub mfa_required: Option<bool>,
    /// Whether the account may create app passwords.
    #[arg(long)]
    pub app_passwords: Option<bool>,
    /// Allowed methods, comma-separated: totp,sms,voice,email,passkey.
    #[arg(long, value_delimiter = ',')]
    pub methods: Option<Vec<String>>,
    /// Whether creating an app password needs a security key or passkey (a step-up with
    /// a code is not enough). Needs `passkey` among the allowed methods.
    #[arg(long)]
    pub phishing_resistant: Option<bool>,
    /// The scopes app passwords may have, comma-separated: mail,dav,exchange.
    #[arg(long, value_delimiter = ',')]
    pub scopes: Option<Vec<String>>,
    /// Every new app password expires within this many days (1 to 3650), or `none`.
    #[arg(long)]
    pub max_days: Option<String>,
    /// Whether app passwords survive a change of the primary password (default: false,
    /// they are revoked; true is Microsoft's behaviour).
    #[arg(long)]
    pub keep_app_passwords_on_password_change: Option<bool>,
    /// Remove app passwords unused (or never used) for this many days (1 to 3650), or
    /// `none`.
    #[arg(long)]
    pub remove_unused_days: Option<String>,
}

/// A policy no one could satisfy is refused (the rule: `policy_refusal`).
fn check_policy(policy: &Policy) -> anyhow::Result<()> {
    match crate::domain::accounts::policy_refusal(policy) {
        None => Ok(()),
        Some(("phishing_resistant", _)) => anyhow::bail!(
            "--phishing-resistant true needs passkey among the allowed methods (--methods ...,passkey)"
        ),
        Some((field, why)) => anyhow::bail!("the policy's {field} is refused: {why}"),
    }
}

impl PolicyArgs {
    fn scopes(&self) -> anyhow::Result<Option<Vec<Scope>>> {
        let Some(list) = &self.scopes else { return Ok(None) };
        let scopes = list
            .iter()
            .map(|s| Scope::parse(s.trim()).ok_or_else(|| anyhow::anyhow!("unknown scope {s:?}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        anyhow::ensure!(!scopes.is_empty(), "--scopes needs at least one of mail,dav,exchange");
        Ok(Some(scopes))
    }

    /// `Some(None)`: "none" (no maximum).
    fn max_days(&self) -> anyhow::Result<Option<Option<u32>>> {
        days_or_none(self.max_days.as_deref(), "--max-days")
    }

    /// `Some(None)`: "none" (keep unused ones).
    fn unused_days(&self) -> anyhow::Result<Option<Option<u32>>> {
        days_or_none(self.remove_unused_days.as_deref(), "--remove-unused-days")
    }

    fn methods(&self) -> anyhow::Result<Option<Vec<MethodKind>>> {
        self.methods
            .as_ref()
            .map(|list| {
                list.iter()
                    .map(|m| {
                        MethodKind::parse(m.trim())
                            .ok_or_else(|| anyhow::anyhow!("unknown method {m:?}"))
                    })
                    .collect()
            })
            .transpose()
    }
}

/// A number of days from 1 to 3650, or `none` (`Some(None)`); `None`: not given.
fn days_or_none(raw: Option<&str>, flag: &str) -> anyhow::Result<Option<Option<u32>>> {
    let Some(raw) = raw else { return Ok(None) };
    if raw.trim().eq_ignore_ascii_case("none") {
        return Ok(Some(None));
    }
    let days: u32 = raw
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=MAX_LIFETIME_DAYS).contains(d))
        .ok_or_else(|| {
            anyhow::anyhow!("{flag} takes a number of days from 1 to {MAX_LIFETIME_DAYS}, or none")
        })?;
    Ok(Some(Some(days)))
}

fn username(raw: &str) -> anyhow::Result<Username> {
    Username::parse(raw).ok_or_else(|| anyhow::anyhow!("invalid username {raw:?}"))
}

/// The new password: typed without echo on a terminal, else the first line of stdin.
fn read_password() -> anyhow::Result<SecretString> {
    let pw = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("New password: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    anyhow::ensure!(
        wire::rules::new_password(&pw).is_ok(),
        "the password must have 8 to {} characters",
        wire::rules::NEW_PASSWORD_MAX
    );
    Ok(SecretString::from(pw))
}

/// The shell's user, as the audit log names who acted from the command line.
fn shell_user() -> String {
    std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".into())
}

/// What the admin commands act through: the store, and the notices that tell people.
pub struct Operator {
    store: Store,
    notifier: Notifier,
}

impl Operator {
    pub fn new(store: Store, notifier: Notifier) -> Self {
        Self { store, notifier }
    }

    /// Tells the account's owner what the command did; says on standard error whether
    /// they were told (the command's own output stays as scripts read it).
    async fn tell(&self, account: &AccountRow, action: AuditAction, detail: &str) {
        match self.notifier.admin_action(account, action, detail).await {
            Told::Yes => eprintln!("{} was told by a notice", account.username),
            Told::NoWay => eprintln!(
                "warning: {} was not told: notices need an SMTP relay (APP_SMTP_URL, or \
                 --demo for the demo outbox) and a username that is an email address",
                account.username
            ),
            Told::Failed => {
                eprintln!(
                    "warning: {} was not told: the notice could not be sent",
                    account.username
                )
            }
        }
    }
}

/// Does `action` to the account named `raw` as the command line, audited and told to
/// the person; its detail.
async fn administer(op: &Operator, raw: &str, action: AdminAction<'_>) -> anyhow::Result<String> {
    let account = find(&op.store, raw).await?;
    let actor = shell_user();
    let by = By { credential: "cli", actor: &actor, from: "cli" };
    let (what, kind) = (format!("{action:?}"), action.kind());
    let detail = op
        .store
        .administer(&account, by, action)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{raw}: nothing matches {what}"))?;
    op.tell(&account, kind, &detail).await;
    Ok(detail)
}

async fn find(store: &Store, raw: &str) -> anyhow::Result<AccountRow> {
    let name = username(raw)?;
    store.account_by_username(&name).await?.ok_or_else(|| anyhow::anyhow!("no account {raw:?}"))
}

pub async fn account(op: &Operator, cmd: AccountCommand) -> anyhow::Result<String> {
    let store = &op.store;
    match cmd {
        AccountCommand::Create { username: raw, display_name, policy } => {
            let name = username(&raw)?;
            let display_name = parse_display_name(&display_name).ok_or_else(|| {
                anyhow::anyhow!("the display name must have 1 to 128 characters, without control or bidi-override characters")
            })?;
            anyhow::ensure!(
                store.account_by_username(&name).await?.is_none(),
                "{raw:?} already exists"
            );
            let password = read_password()?;
            // What the flags leave unsaid is a new account's default.
            let d = Policy::default();
            let policy = Policy {
                mfa_required: policy.mfa_required.unwrap_or(d.mfa_required),
                app_passwords_allowed: policy.app_passwords.unwrap_or(d.app_passwords_allowed),
                allowed_methods: policy.methods()?.unwrap_or(d.allowed_methods),
                phishing_resistant: policy.phishing_resistant.unwrap_or(d.phishing_resistant),
                app_password_scopes: policy.scopes()?.unwrap_or(d.app_password_scopes),
                app_password_max_days: policy.max_days()?.unwrap_or(d.app_password_max_days),
                keep_app_passwords_on_password_change: policy
                    .keep_app_passwords_on_password_change
                    .unwrap_or(d.keep_app_passwords_on_password_change),
                app_password_unused_days: policy
                    .unused_days()?
                    .unwrap_or(d.app_password_unused_days),
            };
            check_policy(&policy)?;
            let hash = argon2::hash(&password)?;
            let new = NewAccount {
                username: &name,
                display_name: &display_name,
                password_hash: &hash,
                policy: &policy,
            };
            store
                .create_account(new)
                .await?
                .ok_or_else(|| anyhow::anyhow!("{raw:?} already exists"))?;
            Ok(format!("created {}", name.as_str()))
        }
        AccountCommand::SetPassword { username: raw, keep_app_passwords } => {
            let account = find(store, &raw).await?;
            anyhow::ensure!(
                account.directory.is_none(),
                "{raw} comes from the organization's directory: their password is set there"
            );
            let hash = argon2::hash(&read_password()?)?;
            let keep = keep_app_passwords || account.keep_app_passwords_on_password_change;
            let actor = shell_user();
            let by = By { credential: "cli", actor: &actor, from: "cli" };
            let done = store
                .set_password(&account, &hash, keep, None, None, Some(by))
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account {raw:?}"))?;
            op.tell(&account, AuditAction::SetPassword, &done.detail()).await;
            let names: Vec<&str> =
                done.app_passwords_revoked.iter().map(|p| p.name.as_str()).collect();
            Ok(format!(
                "password set for {raw}; {} sessions ended, {} app passwords revoked{}",
                done.sessions_ended,
                names.len(),
                if names.is_empty() { String::new() } else { format!(": {}", names.join(", ")) }
            ))
        }
        AccountCommand::ResetMfa { username: raw } => {
            let removed = administer(op, &raw, AdminAction::ResetMfa).await?;
            Ok(format!("MFA reset for {raw}: {removed}; they enroll again at the next sign-in"))
        }
        AccountCommand::UnlockMfa { username: raw } => {
            administer(op, &raw, AdminAction::UnlockMfa).await?;
            Ok(format!("MFA unlocked for {raw}"))
        }
        AccountCommand::Disable { username: raw } => {
            administer(op, &raw, AdminAction::Disable).await?;
            Ok(format!("disabled {raw}"))
        }
        AccountCommand::Enable { username: raw } => {
            administer(op, &raw, AdminAction::Enable).await?;
            Ok(format!("enabled {raw}"))
        }
        AccountCommand::Policy { username: raw, policy } => {
            let account = find(store, &raw).await?;
            let change = PolicyChange {
                mfa_required: policy.mfa_required,
                app_passwords_allowed: policy.app_passwords,
                allowed_methods: policy.methods()?,
                phishing_resistant: policy.phishing_resistant,
                app_password_scopes: policy.scopes()?,
                app_password_max_days: policy.max_days()?,
                keep_app_passwords_on_password_change: policy.keep_app_passwords_on_password_change,
                app_password_unused_days: policy.unused_days()?,
            };
            check_policy(&change.applied_to(account.policy()))?;
            administer(op, &raw, AdminAction::SetPolicy(&change)).await?;
            Ok(describe(&find(store, &raw).await?))
        }
        AccountCommand::List => {
            Ok(store.accounts().await?.iter().map(describe).collect::<Vec<_>>().join("\n"))
        }
    }
}

fn describe(a: &AccountRow) -> String {
    format!(
        "{}\t{}\tmfa_required={}\tapp_passwords={}\tmethods={}\tphishing_resistant={}\tscopes={}\tmax_days={}\tremove_unused_days={}{}{}",
        a.username,
        a.display_name,
        a.mfa_required,
        a.app_passwords_allowed,
        a.allowed_methods,
        a.phishing_resistant,
        a.app_password_scopes,
        a.app_password_max_days.map_or("none".to_owned(), |d| d.to_string()),
        a.app_password_unused_days.map_or("none".to_owned(), |d| d.to_string()),
        if a.disabled { "\tDISABLED" } else { "" },
        // From the organization's directory: what it last said (its groups set the
        // first two settings above).
        a.directory.as_ref().map_or(String::new(), |d| format!(
            "\tdirectory={} as of {}",
            d.status.as_str(),
            crate::clock::rfc3339(d.seen_at)
        ))
    )
}

pub async fn methods(op: &Operator, cmd: MethodCommand) -> anyhow::Result<String> {
    let store = &op.store;
    match cmd {
        MethodCommand::List { username: raw } => {
            let account = find(store, &raw).await?;
            let rows = store.methods(&account.id).await?;
            Ok(rows
                .iter()
                .map(|m| {
                    let used = m.last_used_at.map(crate::clock::rfc3339);
                    let used = used.map_or("never used".to_owned(), |t| format!("last used {t}"));
                    format!("{}\t{}\t{}\t{used}", m.id, m.kind, m.label)
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        MethodCommand::Remove { username: raw, id } => {
            let removed = administer(op, &raw, AdminAction::RemoveMethod(&id))
                .await
                .map_err(|_| anyhow::anyhow!("no method {id} for {raw}"))?;
            Ok(format!("removed method {id} of {raw} ({removed})"))
        }
    }
}

pub async fn app_password(op: &Operator, cmd: AppPasswordCommand) -> anyhow::Result<String> {
    let store = &op.store;
    match cmd {
        AppPasswordCommand::List { username: raw } => {
            let account = find(store, &raw).await?;
            let items = store.app_passwords(&account.id).await?;
            Ok(items
                .iter()
                .map(|p| {
                    format!(
                        "{}\t{}\tcreated {}\tlast used {}",
                        p.id,
                        p.name,
                        p.created_at,
                        p.last_used_at.as_deref().unwrap_or("never")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        AppPasswordCommand::Revoke { username: raw, id, all } => match (id, all) {
            (_, true) => Ok(administer(op, &raw, AdminAction::RevokeAllAppPasswords).await?),
            (Some(id), false) => {
                let name = administer(op, &raw, AdminAction::RevokeAppPassword(&id))
                    .await
                    .map_err(|_| anyhow::anyhow!("no app password {id} for {raw}"))?;
                Ok(format!("revoked {id} ({name})"))
            }
            (None, false) => anyhow::bail!("give an app password id, or --all"),
        },
    }
}
