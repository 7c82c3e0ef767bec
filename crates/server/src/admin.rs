//! The admin CLI: accounts, policy and app passwords, straight on the database.

use std::io::BufRead;

use clap::{Args, Subcommand};
use secrecy::SecretString;
use wire::{MethodKind, Policy};

use crate::accounts::{self, format_methods, NewAccount, Username};
use crate::app_passwords;
use crate::db::Db;

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
    /// Set the password (read from standard input).
    SetPassword {
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

#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// Whether MFA is required (app passwords need it).
    #[arg(long)]
    pub mfa_required: Option<bool>,
    /// Whether the account may create app passwords.
    #[arg(long)]
    pub app_passwords: Option<bool>,
    /// Allowed methods, comma-separated: totp,sms,voice,email.
    #[arg(long, value_delimiter = ',')]
    pub methods: Option<Vec<String>>,
}

impl PolicyArgs {
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

fn username(raw: &str) -> anyhow::Result<Username> {
    Username::parse(raw).ok_or_else(|| anyhow::anyhow!("invalid username {raw:?}"))
}

fn read_password() -> anyhow::Result<SecretString> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(pw.chars().count() >= 8, "the password must have at least 8 characters");
    Ok(SecretString::from(pw))
}

async fn account_id(db: &Db, raw: &str) -> anyhow::Result<String> {
    let name = username(raw)?;
    Ok(accounts::find_by_username(db, &name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account {raw:?}"))?
        .id)
}

pub async fn account(db: &Db, cmd: AccountCommand) -> anyhow::Result<String> {
    match cmd {
        AccountCommand::Create { username: raw, display_name, policy } => {
            let name = username(&raw)?;
            anyhow::ensure!(
                accounts::find_by_username(db, &name).await?.is_none(),
                "{raw:?} already exists"
            );
            let password = read_password()?;
            let policy = Policy {
                mfa_required: policy.mfa_required.unwrap_or(true),
                app_passwords_allowed: policy.app_passwords.unwrap_or(true),
                allowed_methods: policy.methods()?.unwrap_or_else(|| MethodKind::ALL.to_vec()),
            };
            accounts::create(
                db,
                NewAccount {
                    username: &name,
                    display_name: &display_name,
                    password: &password,
                    policy: &policy,
                },
            )
            .await?;
            Ok(format!("created {}", name.as_str()))
        }
        AccountCommand::SetPassword { username: raw } => {
            let id = account_id(db, &raw).await?;
            let hash =
                accounts::hash_password(&read_password()?).map_err(|e| anyhow::anyhow!("{e}"))?;
            sqlx::query("UPDATE accounts SET password_hash = ? WHERE id = ?")
                .bind(hash)
                .bind(&id)
                .execute(db)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE account_id = ?").bind(&id).execute(db).await?;
            Ok(format!("password set for {raw}; its sessions ended"))
        }
        AccountCommand::Disable { username: raw } => {
            let id = account_id(db, &raw).await?;
            sqlx::query("UPDATE accounts SET disabled = 1 WHERE id = ?")
                .bind(&id)
                .execute(db)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE account_id = ?").bind(&id).execute(db).await?;
            Ok(format!("disabled {raw}"))
        }
        AccountCommand::Enable { username: raw } => {
            let id = account_id(db, &raw).await?;
            sqlx::query("UPDATE accounts SET disabled = 0 WHERE id = ?")
                .bind(&id)
                .execute(db)
                .await?;
            Ok(format!("enabled {raw}"))
        }
        AccountCommand::Policy { username: raw, policy } => {
            let id = account_id(db, &raw).await?;
            if let Some(v) = policy.mfa_required {
                sqlx::query("UPDATE accounts SET mfa_required = ? WHERE id = ?")
                    .bind(v)
                    .bind(&id)
                    .execute(db)
                    .await?;
            }
            if let Some(v) = policy.app_passwords {
                sqlx::query("UPDATE accounts SET app_passwords_allowed = ? WHERE id = ?")
                    .bind(v)
                    .bind(&id)
                    .execute(db)
                    .await?;
            }
            if let Some(kinds) = policy.methods()? {
                sqlx::query("UPDATE accounts SET allowed_methods = ? WHERE id = ?")
                    .bind(format_methods(&kinds))
                    .bind(&id)
                    .execute(db)
                    .await?;
            }
            let row =
                accounts::find_by_id(db, &id).await?.ok_or_else(|| anyhow::anyhow!("vanished"))?;
            Ok(describe(&row))
        }
        AccountCommand::List => {
            let rows: Vec<accounts::AccountRow> = sqlx::query_as(
                "SELECT id, username, display_name, password_hash, disabled, mfa_required, \
                 app_passwords_allowed, allowed_methods FROM accounts ORDER BY username",
            )
            .fetch_all(db)
            .await?;
            Ok(rows.iter().map(describe).collect::<Vec<_>>().join("\n"))
        }
    }
}

fn describe(a: &accounts::AccountRow) -> String {
    format!(
        "{}\t{}\tmfa_required={}\tapp_passwords={}\tmethods={}{}",
        a.username,
        a.display_name,
        a.mfa_required,
        a.app_passwords_allowed,
        a.allowed_methods,
        if a.disabled { "\tDISABLED" } else { "" }
    )
}

pub async fn app_password(db: &Db, cmd: AppPasswordCommand) -> anyhow::Result<String> {
    match cmd {
        AppPasswordCommand::List { username: raw } => {
            let id = account_id(db, &raw).await?;
            let items = app_passwords::list(db, &id).await?;
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
        AppPasswordCommand::Revoke { username: raw, id, all } => {
            let account = account_id(db, &raw).await?;
            match (id, all) {
                (_, true) => {
                    Ok(format!("revoked {}", app_passwords::revoke_all(db, &account).await?))
                }
                (Some(id), false) if app_passwords::revoke(db, &account, &id).await? => {
                    Ok(format!("revoked {id}"))
                }
                (Some(id), false) => anyhow::bail!("no app password {id} for {raw}"),
                (None, false) => anyhow::bail!("give an app password id, or --all"),
            }
        }
    }
}
